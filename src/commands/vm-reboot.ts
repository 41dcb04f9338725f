// xe vm-reboot [--force] <vm-selectors>: VM.clean_reboot, or VM.hard_reboot with --force (synchronous calls, so
// no progress bar); prints nothing. Reference: xe-cli-behaviour.md §9; cli_operations.ml vm_reboot.
import { verb, XeCommand } from '../cli/command'
import { doDeclaredOp } from '../cli/selectors'
import { vmOf } from '../cli/vm-power'
import { cleanReboot, hardReboot } from '../engine/vm-power'
import type { XeContext } from '../cli/context'

export default verb(
  'vm-reboot',
  class extends XeCommand {
    exec(ctx: XeContext): void {
      const op = ctx.params.bool('force') ? hardReboot : cleanReboot
      doDeclaredOp(ctx, (rec) => op(ctx.db, vmOf(rec)))
    }
  },
)
