// xe pbd-plug uuid=: PBD.plug: the SR's driver attaches it (its device-config errors; SR_NOT_SHARABLE). Prints nothing.
// Reference: xapi-model.md §3, §11.2; cli_operations.ml pbd_plug.
import { verb, XeCommand } from '../cli/command'
import { plugPbd } from '../engine/pbd'
import type { XeContext } from '../cli/context'

export default verb(
  'pbd-plug',
  class extends XeCommand {
    exec(ctx: XeContext): void {
      plugPbd(ctx.db, ctx.db.getByUuid('PBD', ctx.params.req('uuid')))
    }
  },
)
