// xe vdi-copy uuid= (sr-uuid= | into-vdi-uuid=) [base-vdi-uuid=]: VDI.copy into a new VDI of the SR or into an
// existing VDI. Prints the destination's uuid. Reference: xe-cli-behaviour.md §9 (other VDI commands);
// cli_operations.ml vdi_copy.
import { verb, XeCommand } from '../cli/command'
import { CliFailure } from '../cli/failure'
import { copyVdi } from '../engine/vdi'
import type { XeContext } from '../cli/context'

export default verb(
  'vdi-copy',
  class extends XeCommand {
    exec(ctx: XeContext): void {
      const p = ctx.params
      const vdi = ctx.db.getByUuid('VDI', p.req('uuid'))
      // the base VDI (for copying only the differences) is looked up, but every copy here is a full one
      const base = p.get('base-vdi-uuid')
      if (base !== undefined) ctx.db.getByUuid('VDI', base)
      const srUuid = p.get('sr-uuid')
      const intoUuid = p.get('into-vdi-uuid')
      if ((srUuid === undefined) === (intoUuid === undefined)) {
        throw new CliFailure(
          'Please specify one but not both of: a destination sr-uuid (I will create a fresh VDI); or a destination into-vdi-uuid (I will copy the blocks into this VDI)',
        )
      }
      const dst = srUuid !== undefined ? copyVdi(ctx.db, vdi, { sr: ctx.db.getByUuid('SR', srUuid) }) : copyVdi(ctx.db, vdi, { into: ctx.db.getByUuid('VDI', intoUuid!) })
      ctx.out.list([dst.f.uuid])
    }
  },
)
