// xe vm-pause <vm-selectors>: VM.pause; prints nothing. Reference: cli_operations.ml vm_pause; xapi-model.md §4.
import { verb, XeCommand } from '../cli/command'
import { doDeclaredOp } from '../cli/selectors'
import { vmOf } from '../cli/vm-power'
import { pauseVm } from '../engine/vm-power'
import type { XeContext } from '../cli/context'

export default verb(
  'vm-pause',
  class extends XeCommand {
    exec(ctx: XeContext): void {
      doDeclaredOp(ctx, (rec) => pauseVm(ctx.db, vmOf(rec)))
    }
  },
)
