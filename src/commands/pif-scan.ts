// xe pif-scan host-uuid=: PIF.scan — a PIF for each NIC of the host that has none. Prints nothing.
// Reference: xapi-model.md §12; cli_operations.ml pif_scan, xapi_pif.ml scan.
import { verb, XeCommand } from '../cli/command'
import { scanPifs } from '../engine/pif'
import type { XeContext } from '../cli/context'

export default verb(
  'pif-scan',
  class extends XeCommand {
    exec(ctx: XeContext): void {
      scanPifs(ctx.db, ctx.db.getByUuid('host', ctx.params.req('host-uuid')))
    }
  },
)
