// xe vm-migrate host=|host-uuid=|host-name= [live=] [force=] <vm-selectors>: VM.pool_migrate within the pool;
// prints nothing. Any remote-*, vif:, vdi:, vgpu: or image-format: parameter means storage migration instead
// (cli/sxm.ts: VM.migrate_send, to another pool or within this one).
// Reference: xe-cli-behaviour.md §9 (vm-migrate); cli_operations.ml vm_migrate; xapi-model.md §5.6.
import { verb, XeCommand } from '../cli/command'
import { InternalError } from '../cli/failure'
import { doDeclaredOp } from '../cli/selectors'
import { hostByNameOrId, vmOf } from '../cli/vm-power'
import type { XeContext } from '../cli/context'

/** vm_migrate_sxm_params: a parameter starting with any of these selects storage migration. */
const SXM = ['remote-master', 'remote-username', 'vif', 'remote-password', 'remote-network', 'vdi', 'vgpu', 'image-format']

export default verb(
  'vm-migrate',
  class extends XeCommand {
    async exec(ctx: XeContext): Promise<void> {
      // host-uuid and host-name are renamed to host (the first of them wins)
      const hostParam = ctx.params.list.find(([k]) => k === 'host' || k === 'host-uuid' || k === 'host-name')?.[1]
      const force = ctx.params.bool('force')
      ctx.params.bool('live')
      const copy = ctx.params.bool('copy')
      if (ctx.params.list.some(([k]) => SXM.some((p) => k.startsWith(p)))) {
        const { storageMigration } = await import('../cli/sxm')
        return storageMigration(ctx, hostParam, copy, force)
      }
      if (hostParam === undefined) throw new InternalError('Failure: No destination host specified')
      const host = hostByNameOrId(ctx, hostParam)
      const { poolMigrate } = await import('../engine/vm-migrate')
      // the intra-pool selector call (control domains included, templates not; progress= is not a parameter here)
      doDeclaredOp(ctx, (rec) => poolMigrate(ctx.db, vmOf(rec), host, { force }), ctx.spec.calls?.[2])
    }
  },
)
