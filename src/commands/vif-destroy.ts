// xe vif-destroy uuid=: VIF.destroy (refused while attached to a running VM). Prints nothing.
// Reference: xapi-model.md §3; cli_operations.ml vif_destroy.
import { verb, XeCommand } from '../cli/command'
import { destroyVif } from '../engine/vif'
import type { XeContext } from '../cli/context'

export default verb(
  'vif-destroy',
  class extends XeCommand {
    exec(ctx: XeContext): void {
      destroyVif(ctx.db, ctx.db.getByUuid('VIF', ctx.params.req('uuid')))
    }
  },
)
