// xe vbd-insert uuid= vdi-uuid=: puts the VDI into the empty CD drive. Prints nothing.
// Reference: xapi-model.md §9; cli_operations.ml vbd_insert.
import { verb, XeCommand } from '../cli/command'
import { insertVbd } from '../engine/vbd'
import type { XeContext } from '../cli/context'

export default verb(
  'vbd-insert',
  class extends XeCommand {
    exec(ctx: XeContext): void {
      const vbd = ctx.db.getByUuid('VBD', ctx.params.req('uuid'))
      insertVbd(ctx.db, vbd, ctx.db.getByUuid('VDI', ctx.params.req('vdi-uuid')))
    }
  },
)
