// xe pif-forget uuid=: PIF.forget — the PIF record goes (the NIC stays and pif-scan finds it again). Prints nothing.
// Reference: xapi-model.md §12; cli_operations.ml pif_forget, xapi_pif.ml forget.
import { verb, XeCommand } from '../cli/command'
import { forgetPif } from '../engine/pif'
import type { XeContext } from '../cli/context'

export default verb(
  'pif-forget',
  class extends XeCommand {
    exec(ctx: XeContext): void {
      forgetPif(ctx.db, ctx.db.getByUuid('PIF', ctx.params.req('uuid')))
    }
  },
)
