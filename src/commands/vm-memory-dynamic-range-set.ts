// xe vm-memory-dynamic-range-set min= max= <vm-selectors>: VM.set_memory_dynamic_range (a running VM is ballooned
// into the range); prints nothing. Reference: cli_operations.ml vm_memory_dynamic_range_set; xapi-model.md §5.1.
import { verb, XeCommand } from '../cli/command'
import { parseBytes } from '../cli/enums'
import { doDeclaredOp } from '../cli/selectors'
import { vmOf } from '../cli/vm-power'
import { setMemoryDynamicRange } from '../engine/vm-memory'
import type { XeContext } from '../cli/context'

export default verb(
  'vm-memory-dynamic-range-set',
  class extends XeCommand {
    exec(ctx: XeContext): void {
      const min = parseBytes('min', ctx.params.req('min'))
      const max = parseBytes('max', ctx.params.req('max'))
      doDeclaredOp(ctx, (rec) => setMemoryDynamicRange(ctx.db, vmOf(rec), min, max))
    }
  },
)
