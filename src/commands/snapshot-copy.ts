// xe snapshot-copy new-name-label=<name> [new-name-description=<d>] [sr-uuid=<sr>] snapshot-uuid=<u> | uuid=<u>:
// VM.copy of a snapshot; prints the uuid. Reference: xe-cli-behaviour.md §9 (snapshot-copy), xapi-model.md §7.
import { verb, XeCommand } from '../cli/command'
import { snapshotOp } from '../cli/vm-copies'
import { copyVm } from '../engine/vm-clone'
import type { XeContext } from '../cli/context'

export default verb(
  'snapshot-copy',
  class extends XeCommand {
    exec(ctx: XeContext): void {
      // the SR is looked up before the snapshot (cli_operations.ml snapshot_copy)
      const u = ctx.params.get('sr-uuid')
      const sr = u === undefined ? undefined : ctx.db.getByUuid('SR', u)
      snapshotOp(ctx, (snap, name) => copyVm(ctx.db, snap, name, sr))
    }
  },
)
