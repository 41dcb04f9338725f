// xe vm-start [on=<host>] [paused=<bool>] [force=<bool>] [progress] <vm-selectors>: VM.start (placement) or
// VM.start_on; prints nothing. On NO_HOSTS_AVAILABLE the per-host table comes first.
// Reference: xe-cli-behaviour.md §9 (vm-start), §2.2; cli_operations.ml vm_start; xapi-model.md §4.3, §5.5.
import { verb, XeCommand } from '../cli/command'
import { doDeclaredOp } from '../cli/selectors'
import { hookNoHostsAvailable, hostByNameOrId, vmOf, waiter } from '../cli/vm-power'
import { startVm } from '../engine/vm-power'
import type { XeContext } from '../cli/context'

export default verb(
  'vm-start',
  class extends XeCommand {
    exec(ctx: XeContext): void {
      const force = ctx.params.bool('force')
      const paused = ctx.params.bool('paused')
      doDeclaredOp(ctx, (rec) => {
        const vm = vmOf(rec)
        const on = ctx.params.get('on')
        const host = on === undefined ? undefined : hostByNameOrId(ctx, on)
        hookNoHostsAvailable(ctx, vm, () => waiter(ctx, () => startVm(ctx.db, vm, { paused, force, host })))
      })
    }
  },
)
