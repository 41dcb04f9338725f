// xe host-evacuate [network-uuid=] [batch-size=] <host-selectors>: Host.evacuate on one host (no --multiple):
// every VM on it is live-migrated to the host its plan gives, or nothing moves. Prints nothing.
// Reference: xe-cli-behaviour.md §9 (host-evacuate); cli_operations.ml host_evacuate; xapi_host.ml evacuate.
import { verb, XeCommand } from '../cli/command'
import { InternalError } from '../cli/failure'
import { doDeclaredOp } from '../cli/selectors'
import { evacuateHost } from '../engine/vm-migrate'
import type { XeContext } from '../cli/context'
import type { XObj } from '../engine/db'

/** Scanf "%Lu%!" on batch-size: an unsigned decimal and nothing after it (the batch size itself is not modelled). */
function checkBatchSize(v: string): void {
  const digits = /^[0-9_]*/.exec(v)![0]
  let why = ''
  if (!/^[0-9]/.test(v)) why = v === '' ? 'scanf: bad input at char number 0: end of input' : `scanf: bad input at char number 0: character '${v[0]}' is not a decimal digit`
  else if (digits.length < v.length) why = `scanf: bad input at char number ${digits.length}: end of input not found`
  if (why) throw new InternalError(`INTERNAL_ERROR: [ Scanf.Scan_failure("${why}") ]`)
}

export default verb(
  'host-evacuate',
  class extends XeCommand {
    exec(ctx: XeContext): void {
      const nu = ctx.params.get('network-uuid')
      const network = nu === undefined ? undefined : ctx.db.getByUuid('network', nu)
      const batch = ctx.params.get('batch-size')
      if (batch !== undefined) checkBatchSize(batch)
      doDeclaredOp(ctx, (rec) => evacuateHost(ctx.db, rec.obj as XObj<'host'>, network))
    }
  },
)
