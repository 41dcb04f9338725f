// xe snapshot-destroy snapshot-uuid=<u> | uuid=<u>: a snapshot that is not Halted is hard-shutdown, then
// VM.destroy — its disks stay. Prints nothing. Reference: xe-cli-behaviour.md §9 (snapshot-destroy), xapi-model.md §3.
import { verb, XeCommand } from '../cli/command'
import { snapshotFromParams } from '../cli/vm-copies'
import { destroyVm } from '../engine/vm-destroy'
import { hardShutdown } from '../engine/vm-power'
import type { XeContext } from '../cli/context'

export default verb(
  'snapshot-destroy',
  class extends XeCommand {
    exec(ctx: XeContext): void {
      const snap = snapshotFromParams(ctx)
      if (snap.f.power_state !== 'Halted') hardShutdown(ctx.db, snap)
      destroyVm(ctx.db, snap)
    }
  },
)
