// xe vif-plug uuid=: hot-plugs the VIF into its running VM. Prints nothing.
// Reference: xapi-model.md §10; cli_operations.ml vif_plug.
import { verb, XeCommand } from '../cli/command'
import { plugVif } from '../engine/vif'
import type { XeContext } from '../cli/context'

export default verb(
  'vif-plug',
  class extends XeCommand {
    exec(ctx: XeContext): void {
      plugVif(ctx.db, ctx.db.getByUuid('VIF', ctx.params.req('uuid')))
    }
  },
)
