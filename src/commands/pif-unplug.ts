// xe pif-unplug uuid=: PIF.unplug: the interface goes down (not the management interface, nor with VIFs in use). Prints nothing.
// Reference: xapi-model.md §12; cli_operations.ml pif_unplug, xapi_pif.ml unplug.
import { verb, XeCommand } from '../cli/command'
import { unplugPif } from '../engine/pif'
import type { XeContext } from '../cli/context'

export default verb(
  'pif-unplug',
  class extends XeCommand {
    exec(ctx: XeContext): void {
      unplugPif(ctx.db, ctx.db.getByUuid('PIF', ctx.params.req('uuid')))
    }
  },
)
