// xe vm-compute-maximum-memory total=<size> [approximate=<bool>] <vm-selectors>: VM.maximise_memory, printed as a
// list item (the number of bytes). Reference: cli_operations.ml vm_compute_maximum_memory; xapi_vm.ml maximise_memory.
import { verb, XeCommand } from '../cli/command'
import { parseBytes } from '../cli/enums'
import { doDeclaredOp } from '../cli/selectors'
import { vmOf } from '../cli/vm-power'
import { maximiseMemory } from '../engine/vm-memory'
import type { XeContext } from '../cli/context'

export default verb(
  'vm-compute-maximum-memory',
  class extends XeCommand {
    static override mutates = false
    exec(ctx: XeContext): void {
      const total = parseBytes('total', ctx.params.req('total'))
      const approximate = ctx.params.bool('approximate')
      doDeclaredOp(ctx, (rec) => ctx.out.list([String(maximiseMemory(vmOf(rec), total, approximate))]))
    }
  },
)
