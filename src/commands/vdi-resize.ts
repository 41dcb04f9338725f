// xe vdi-resize uuid= disk-size=<bytes[suffix]> [online=true]: VDI.resize, or VDI.resize_online when online is
// exactly "true". Prints nothing. Reference: xe-cli-behaviour.md §9 (other VDI commands), xapi-model.md §11.3;
// cli_operations.ml vdi_resize.
import { verb, XeCommand } from '../cli/command'
import { parseBytes } from '../cli/enums'
import { resizeVdi } from '../engine/vdi'
import type { XeContext } from '../cli/context'

export default verb(
  'vdi-resize',
  class extends XeCommand {
    exec(ctx: XeContext): void {
      const vdi = ctx.db.getByUuid('VDI', ctx.params.req('uuid'))
      const size = parseBytes('disk-size', ctx.params.req('disk-size'))
      resizeVdi(ctx.db, vdi, size, ctx.params.get('online') === 'true')
    }
  },
)
