// xe vm-suspend [progress] <vm-selectors>: VM.suspend; prints nothing.
// Reference: cli_operations.ml vm_suspend; xapi-model.md §4 (suspend).
import { verb, XeCommand } from '../cli/command'
import { doDeclaredOp } from '../cli/selectors'
import { vmOf, waiter } from '../cli/vm-power'
import { suspendVm } from '../engine/vm-power'
import type { XeContext } from '../cli/context'

export default verb(
  'vm-suspend',
  class extends XeCommand {
    exec(ctx: XeContext): void {
      doDeclaredOp(ctx, (rec) => waiter(ctx, () => suspendVm(ctx.db, vmOf(rec))))
    }
  },
)
