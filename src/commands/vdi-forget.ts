// xe vdi-forget uuid=: VDI.forget — the record goes, the data stays (it comes back on sr-scan). Prints nothing.
// Reference: xapi-model.md §3 (VDI.forget), §11.4; cli_operations.ml vdi_forget.
import { verb, XeCommand } from '../cli/command'
import { forgetVdi } from '../engine/vdi'
import type { XeContext } from '../cli/context'

export default verb(
  'vdi-forget',
  class extends XeCommand {
    exec(ctx: XeContext): void {
      forgetVdi(ctx.db, ctx.db.getByUuid('VDI', ctx.params.req('uuid')))
    }
  },
)
