// xe vm-memory-target-wait <vm-selectors> (hidden): VM.wait_memory_target_live — the emulated balloon is always at
// its target, so it returns at once; prints nothing. Reference: cli_operations.ml vm_memory_target_wait.
import { verb, XeCommand } from '../cli/command'
import { doDeclaredOp } from '../cli/selectors'
import { vmOf } from '../cli/vm-power'
import { waitMemoryTargetLive } from '../engine/vm-memory'
import type { XeContext } from '../cli/context'

export default verb(
  'vm-memory-target-wait',
  class extends XeCommand {
    exec(ctx: XeContext): void {
      doDeclaredOp(ctx, (rec) => waitMemoryTargetLive(ctx.db, vmOf(rec)))
    }
  },
)
