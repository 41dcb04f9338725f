// xe vm-memory-limits-set static-min= static-max= dynamic-min= dynamic-max= <vm-selectors>: VM.set_memory_limits
// (sizes with optional suffix; templates and control domains selectable); prints nothing.
// Reference: cli_operations.ml vm_memory_limits_set; xapi-model.md §5.1.
import { verb, XeCommand } from '../cli/command'
import { parseBytes } from '../cli/enums'
import { doDeclaredOp } from '../cli/selectors'
import { vmOf } from '../cli/vm-power'
import { setMemoryLimits } from '../engine/vm-memory'
import type { XeContext } from '../cli/context'

export default verb(
  'vm-memory-limits-set',
  class extends XeCommand {
    exec(ctx: XeContext): void {
      const size = (k: string) => parseBytes(k, ctx.params.req(k))
      const limits = { static_min: size('static-min'), static_max: size('static-max'), dynamic_min: size('dynamic-min'), dynamic_max: size('dynamic-max') }
      doDeclaredOp(ctx, (rec) => setMemoryLimits(ctx.db, vmOf(rec), limits))
    }
  },
)
