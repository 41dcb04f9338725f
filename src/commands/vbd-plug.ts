// xe vbd-plug uuid=: hot-plugs the VBD into its running VM. Prints nothing.
// Reference: xapi-model.md §9; cli_operations.ml vbd_plug.
import { verb, XeCommand } from '../cli/command'
import { plugVbd } from '../engine/vbd'
import type { XeContext } from '../cli/context'

export default verb(
  'vbd-plug',
  class extends XeCommand {
    exec(ctx: XeContext): void {
      plugVbd(ctx.db, ctx.db.getByUuid('VBD', ctx.params.req('uuid')))
    }
  },
)
