// xe pif-plug uuid=: PIF.plug: the interface comes up (its transport PIF first for a tunnel). Prints nothing.
// Reference: xapi-model.md §12; cli_operations.ml pif_plug, xapi_pif.ml plug.
import { verb, XeCommand } from '../cli/command'
import { plugPif } from '../engine/pif'
import type { XeContext } from '../cli/context'

export default verb(
  'pif-plug',
  class extends XeCommand {
    exec(ctx: XeContext): void {
      plugPif(ctx.db, ctx.db.getByUuid('PIF', ctx.params.req('uuid')))
    }
  },
)
