// xe vm-shutdown [--force] [progress] <vm-selectors>: VM.clean_shutdown, or VM.hard_shutdown with --force;
// prints nothing. Reference: xe-cli-behaviour.md §9 (vm-shutdown and vm-reboot); cli_operations.ml vm_shutdown.
import { verb, XeCommand } from '../cli/command'
import { doDeclaredOp } from '../cli/selectors'
import { vmOf, waiter } from '../cli/vm-power'
import { cleanShutdown, hardShutdown } from '../engine/vm-power'
import type { XeContext } from '../cli/context'

export default verb(
  'vm-shutdown',
  class extends XeCommand {
    exec(ctx: XeContext): void {
      const op = ctx.params.bool('force') ? hardShutdown : cleanShutdown
      doDeclaredOp(ctx, (rec) => waiter(ctx, () => op(ctx.db, vmOf(rec))))
    }
  },
)
