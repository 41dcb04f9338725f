// xe vm-unpause <vm-selectors>: VM.unpause; prints nothing. Reference: cli_operations.ml vm_unpause; xapi-model.md §4.
import { verb, XeCommand } from '../cli/command'
import { doDeclaredOp } from '../cli/selectors'
import { vmOf } from '../cli/vm-power'
import { unpauseVm } from '../engine/vm-power'
import type { XeContext } from '../cli/context'

export default verb(
  'vm-unpause',
  class extends XeCommand {
    exec(ctx: XeContext): void {
      doDeclaredOp(ctx, (rec) => unpauseVm(ctx.db, vmOf(rec)))
    }
  },
)
