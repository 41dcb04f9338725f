// xe vm-compute-memory-overhead <vm-selectors>: VM.compute_memory_overhead, printed as a message (bytes).
// Reference: cli_operations.ml vm_compute_memory_overhead; xapi-model.md §5.2.
import { verb, XeCommand } from '../cli/command'
import { doDeclaredOp } from '../cli/selectors'
import { vmOf } from '../cli/vm-power'
import { memoryOverheadBytes } from '../engine/vm'
import type { XeContext } from '../cli/context'

export default verb(
  'vm-compute-memory-overhead',
  class extends XeCommand {
    static override mutates = false
    exec(ctx: XeContext): void {
      doDeclaredOp(ctx, (rec) => ctx.out.msg(String(memoryOverheadBytes(vmOf(rec).f))))
    }
  },
)
