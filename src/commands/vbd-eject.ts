// xe vbd-eject uuid=: takes the disc out of the CD drive. Prints nothing.
// Reference: xapi-model.md §9; cli_operations.ml vbd_eject.
import { verb, XeCommand } from '../cli/command'
import { ejectVbd } from '../engine/vbd'
import type { XeContext } from '../cli/context'

export default verb(
  'vbd-eject',
  class extends XeCommand {
    exec(ctx: XeContext): void {
      ejectVbd(ctx.db, ctx.db.getByUuid('VBD', ctx.params.req('uuid')))
    }
  },
)
