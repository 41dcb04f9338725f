// xe vdi-destroy uuid=: VDI.destroy (its VBDs go too). Prints nothing.
// Reference: xapi-model.md §3 (VDI.destroy), §11.4; cli_operations.ml vdi_destroy.
import { verb, XeCommand } from '../cli/command'
import { destroyVdi } from '../engine/vdi'
import type { XeContext } from '../cli/context'

export default verb(
  'vdi-destroy',
  class extends XeCommand {
    exec(ctx: XeContext): void {
      destroyVdi(ctx.db, ctx.db.getByUuid('VDI', ctx.params.req('uuid')))
    }
  },
)
