// xe vdi-clone uuid= [new-name-label=] [new-name-description=]: VDI.clone, then the new names. Prints the uuid.
// Reference: xe-cli-behaviour.md §9 (other VDI commands); cli_operations.ml vdi_clone.
import { verb, XeCommand } from '../cli/command'
import { cloneVdiRenamed } from '../engine/vm-devices'
import type { XeContext } from '../cli/context'

export default verb(
  'vdi-clone',
  class extends XeCommand {
    exec(ctx: XeContext): void {
      const vdi = ctx.db.getByUuid('VDI', ctx.params.req('uuid'))
      const copy = cloneVdiRenamed(ctx.db, vdi, ctx.params.get('new-name-label'), ctx.params.get('new-name-description'))
      ctx.out.list([copy.f.uuid])
    }
  },
)
