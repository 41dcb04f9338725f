// xe vbd-destroy uuid=: VBD.destroy (refused while attached). Prints nothing.
// Reference: xapi-model.md §3 (VBD.destroy); cli_operations.ml vbd_destroy.
import { verb, XeCommand } from '../cli/command'
import { destroyVbd } from '../engine/vbd'
import type { XeContext } from '../cli/context'

export default verb(
  'vbd-destroy',
  class extends XeCommand {
    exec(ctx: XeContext): void {
      destroyVbd(ctx.db, ctx.db.getByUuid('VBD', ctx.params.req('uuid')))
    }
  },
)
