// xe snapshot-revert snapshot-uuid=<u> | uuid=<u>: VM.revert; prints nothing.
// Reference: xe-cli-behaviour.md §9 (snapshot-revert), xapi-model.md §7.
import { verb, XeCommand } from '../cli/command'
import { snapshotFromParams } from '../cli/vm-copies'
import { revertVm } from '../engine/vm-clone'
import type { XeContext } from '../cli/context'

export default verb(
  'snapshot-revert',
  class extends XeCommand {
    exec(ctx: XeContext): void {
      revertVm(ctx.db, snapshotFromParams(ctx))
    }
  },
)
