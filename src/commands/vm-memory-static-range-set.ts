// xe vm-memory-static-range-set min= max= <vm-selectors>: VM.set_memory_static_range; prints nothing.
// Reference: cli_operations.ml vm_memory_static_range_set; xapi-model.md §5.1.
import { verb, XeCommand } from '../cli/command'
import { parseBytes } from '../cli/enums'
import { doDeclaredOp } from '../cli/selectors'
import { vmOf } from '../cli/vm-power'
import { setMemoryStaticRange } from '../engine/vm-memory'
import type { XeContext } from '../cli/context'

export default verb(
  'vm-memory-static-range-set',
  class extends XeCommand {
    exec(ctx: XeContext): void {
      const min = parseBytes('min', ctx.params.req('min'))
      const max = parseBytes('max', ctx.params.req('max'))
      doDeclaredOp(ctx, (rec) => setMemoryStaticRange(ctx.db, vmOf(rec), min, max))
    }
  },
)
