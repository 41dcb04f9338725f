// xe vm-checkpoint new-name-label=<name> [new-name-description=<d>] <vm-selectors>: VM.checkpoint (disks and
// memory) of each selected VM, which keeps running; prints one uuid per checkpoint.
// Reference: xe-cli-behaviour.md §9 (vm-checkpoint), xapi-model.md §7.
import { verb, XeCommand } from '../cli/command'
import { cloneAux } from '../cli/vm-copies'
import { checkpointVm } from '../engine/vm-clone'
import type { XeContext } from '../cli/context'

export default verb(
  'vm-checkpoint',
  class extends XeCommand {
    exec(ctx: XeContext): void {
      cloneAux(ctx, (vm, name) => checkpointVm(ctx.db, vm, name))
    }
  },
)
