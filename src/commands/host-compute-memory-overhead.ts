// xe host-compute-memory-overhead <host-selectors>: Host.compute_memory_overhead of the one selected host (its
// memory-overhead), printed as a message (bytes). Reference: cli_operations.ml host_compute_memory_overhead;
// memory_check.ml host_compute_memory_overhead.
import { verb, XeCommand } from '../cli/command'
import { doDeclaredOp } from '../cli/selectors'
import { computeMemoryOverhead } from '../engine/host-ops'
import type { XObj } from '../engine/db'
import type { XeContext } from '../cli/context'

export default verb(
  'host-compute-memory-overhead',
  class extends XeCommand {
    static override mutates = false
    exec(ctx: XeContext): void {
      doDeclaredOp(ctx, (rec) => ctx.out.msg(String(computeMemoryOverhead(rec.obj as XObj<'host'>))))
    }
  },
)
