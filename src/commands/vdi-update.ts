// xe vdi-update uuid=: VDI.update (the SM refreshes the record; SR_OPERATION_NOT_SUPPORTED without VDI_UPDATE).
// Prints nothing. Reference: xapi-model.md §11.4; cli_operations.ml vdi_update.
import { verb, XeCommand } from '../cli/command'
import { updateVdi } from '../engine/vdi'
import type { XeContext } from '../cli/context'

export default verb(
  'vdi-update',
  class extends XeCommand {
    exec(ctx: XeContext): void {
      updateVdi(ctx.db, ctx.db.getByUuid('VDI', ctx.params.req('uuid')))
    }
  },
)
