// xe vm-migrate host=|host-uuid=|host-name= [live=] [force=] <vm-selectors>: VM.pool_migrate within the pool;
// prints nothing. Any remote-*, vif:, vdi:, vgpu: or image-format: parameter means storage migration instead.
// Reference: xe-cli-behaviour.md §9 (vm-migrate); cli_operations.ml vm_migrate; xapi-model.md §5.6.
import { verb, XeCommand } from '../cli/command'
import { CliFailure, InternalError } from '../cli/failure'
import { doDeclaredOp } from '../cli/selectors'
import { hostByNameOrId, vmOf } from '../cli/vm-power'
import { poolMigrate } from '../engine/vm-migrate'
import type { XeContext } from '../cli/context'

/** vm_migrate_sxm_params: a parameter starting with any of these selects storage migration. */
const SXM = ['remote-master', 'remote-username', 'vif', 'remote-password', 'remote-network', 'vdi', 'vgpu', 'image-format']

export default verb(
  'vm-migrate',
  class extends XeCommand {
    exec(ctx: XeContext): void {
      // host-uuid and host-name are renamed to host (the first of them wins)
      const hostParam = ctx.params.list.find(([k]) => k === 'host' || k === 'host-uuid' || k === 'host-name')?.[1]
      const force = ctx.params.bool('force')
      ctx.params.bool('live')
      ctx.params.bool('copy')
      if (ctx.params.list.some(([k]) => SXM.some((p) => k.startsWith(p)))) return storageMigration(ctx)
      if (hostParam === undefined) throw new InternalError('Failure: No destination host specified')
      const host = hostByNameOrId(ctx, hostParam)
      // the intra-pool selector call (control domains included, templates not; progress= is not a parameter here)
      doDeclaredOp(ctx, (rec) => poolMigrate(ctx.db, vmOf(rec), host, { force }), ctx.spec.calls?.[2])
    }
  },
)

/** The storage-migration path: its first line, the remote-* check; another pool is not reachable from here. */
function storageMigration(ctx: XeContext): void {
  ctx.out.msg("Performing a storage live migration. Your VM's VDIs will be migrated with the VM.")
  if (!['remote-master', 'remote-username', 'remote-password'].every((k) => ctx.params.has(k))) {
    throw new InternalError("Failure: Storage live migration requires remote-master, remote-username, and remote-password to be specified. Please see 'xe help vm-migrate' for help.")
  }
  throw new CliFailure(`Storage migration to another pool is not supported by xesim (remote-master ${ctx.params.get('remote-master')})`)
}
