// xe vm-clone new-name-label=<name> [new-name-description=<d>] <vm-selectors>: VM.clone of each selected VM
// (templates included); prints one uuid per clone. Reference: xe-cli-behaviour.md §9 (vm-clone), xapi-model.md §7.
import { verb, XeCommand } from '../cli/command'
import { cloneAux } from '../cli/vm-copies'
import { cloneVm } from '../engine/vm-clone'
import type { XeContext } from '../cli/context'

export default verb(
  'vm-clone',
  class extends XeCommand {
    exec(ctx: XeContext): void {
      cloneAux(ctx, (vm, name) => cloneVm(ctx.db, vm, name))
    }
  },
)
