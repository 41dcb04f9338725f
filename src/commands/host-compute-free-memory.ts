// xe host-compute-free-memory <host-selectors>: Host.compute_free_memory of the one selected host, printed as a
// message (bytes). Reference: cli_operations.ml host_compute_free_memory; memory_check.ml.
import { verb, XeCommand } from '../cli/command'
import { doDeclaredOp } from '../cli/selectors'
import { computeFreeMemory } from '../engine/host'
import type { XObj } from '../engine/db'
import type { XeContext } from '../cli/context'

export default verb(
  'host-compute-free-memory',
  class extends XeCommand {
    static override mutates = false
    exec(ctx: XeContext): void {
      doDeclaredOp(ctx, (rec) => ctx.out.msg(String(computeFreeMemory(ctx.db, rec.obj as XObj<'host'>))))
    }
  },
)
