// xe snapshot-clone new-name-label=<name> [new-name-description=<d>] snapshot-uuid=<u> | uuid=<u>: VM.clone of a
// snapshot (a new template); prints the uuid. Reference: xe-cli-behaviour.md §9 (snapshot-clone), xapi-model.md §7.
import { verb, XeCommand } from '../cli/command'
import { snapshotOp } from '../cli/vm-copies'
import { cloneVm } from '../engine/vm-clone'
import type { XeContext } from '../cli/context'

export default verb(
  'snapshot-clone',
  class extends XeCommand {
    exec(ctx: XeContext): void {
      snapshotOp(ctx, (snap, name) => cloneVm(ctx.db, snap, name))
    }
  },
)
