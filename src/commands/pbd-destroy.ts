// xe pbd-destroy uuid=: PBD.destroy (OPERATION_NOT_ALLOWED while attached). Prints nothing.
// Reference: xapi-model.md §3, §11.2; cli_operations.ml pbd_destroy.
import { verb, XeCommand } from '../cli/command'
import { destroyPbd } from '../engine/pbd'
import type { XeContext } from '../cli/context'

export default verb(
  'pbd-destroy',
  class extends XeCommand {
    exec(ctx: XeContext): void {
      destroyPbd(ctx.db, ctx.db.getByUuid('PBD', ctx.params.req('uuid')))
    }
  },
)
