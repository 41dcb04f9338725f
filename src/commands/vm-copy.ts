// xe vm-copy new-name-label=<name> [new-name-description=<d>] [sr-uuid=<sr>] <vm-selectors>: VM.copy of one VM
// (templates included) with its disks copied to the SR, or beside the originals; prints the uuid.
// Reference: xe-cli-behaviour.md §9 (vm-copy), xapi-model.md §7.
import { verb, XeCommand } from '../cli/command'
import { cloneAux } from '../cli/vm-copies'
import { copyVm } from '../engine/vm-clone'
import type { XeContext } from '../cli/context'

export default verb(
  'vm-copy',
  class extends XeCommand {
    exec(ctx: XeContext): void {
      const u = ctx.params.get('sr-uuid')
      const sr = u === undefined ? undefined : ctx.db.getByUuid('SR', u)
      cloneAux(ctx, (vm, name) => copyVm(ctx.db, vm, name, sr))
    }
  },
)
