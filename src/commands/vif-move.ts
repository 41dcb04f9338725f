// xe vif-move uuid= network-uuid=: VIF.move — the VIF moves to another network (live if attached). Prints nothing.
// Reference: xapi-model.md §10, §12; cli_operations.ml vif_move, xapi_vif.ml move.
import { verb, XeCommand } from '../cli/command'
import { moveVif } from '../engine/vif'
import type { XeContext } from '../cli/context'

export default verb(
  'vif-move',
  class extends XeCommand {
    exec(ctx: XeContext): void {
      const vif = ctx.db.getByUuid('VIF', ctx.params.req('uuid'))
      const net = ctx.db.getByUuid('network', ctx.params.req('network-uuid'))
      moveVif(ctx.db, vif, net)
    }
  },
)
