// xe vm-snapshot new-name-label=<name> [new-name-description=<d>] [ignore-vdi-uuids=a,b] <vm-selectors>:
// VM.snapshot of each selected VM, leaving out the listed VDIs; prints one uuid per snapshot.
// Reference: xe-cli-behaviour.md §9 (vm-snapshot), xapi-model.md §7.
import { verb, XeCommand } from '../cli/command'
import { cloneAux } from '../cli/vm-copies'
import { snapshotVm } from '../engine/vm-clone'
import type { XeContext } from '../cli/context'

export default verb(
  'vm-snapshot',
  class extends XeCommand {
    exec(ctx: XeContext): void {
      // the VDIs are looked up first (UUID_INVALID for an unknown one), before any VM is selected
      const ignore = (ctx.params.set('ignore-vdi-uuids') ?? []).map((u) => ctx.db.getByUuid('VDI', u).ref)
      cloneAux(ctx, (vm, name) => snapshotVm(ctx.db, vm, name, ignore))
    }
  },
)
