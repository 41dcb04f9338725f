// xe vm-memory-target-set target=<size> <vm-selectors>: VM.set_memory_dynamic_range with min = max = target;
// prints nothing. Reference: cli_operations.ml vm_memory_target_set; xapi-model.md §5.1.
import { verb, XeCommand } from '../cli/command'
import { parseBytes } from '../cli/enums'
import { doDeclaredOp } from '../cli/selectors'
import { vmOf } from '../cli/vm-power'
import { setMemoryDynamicRange } from '../engine/vm-memory'
import type { XeContext } from '../cli/context'

export default verb(
  'vm-memory-target-set',
  class extends XeCommand {
    exec(ctx: XeContext): void {
      const target = parseBytes('target', ctx.params.req('target'))
      doDeclaredOp(ctx, (rec) => setMemoryDynamicRange(ctx.db, vmOf(rec), target, target))
    }
  },
)
