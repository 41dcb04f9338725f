// xe pbd-unplug uuid=: PBD.unplug (VDI_IN_USE while VMs on that host use its VDIs). Prints nothing.
// Reference: xapi-model.md §3, §11.2; cli_operations.ml pbd_unplug.
import { verb, XeCommand } from '../cli/command'
import { unplugPbd } from '../engine/pbd'
import type { XeContext } from '../cli/context'

export default verb(
  'pbd-unplug',
  class extends XeCommand {
    exec(ctx: XeContext): void {
      unplugPbd(ctx.db, ctx.db.getByUuid('PBD', ctx.params.req('uuid')))
    }
  },
)
