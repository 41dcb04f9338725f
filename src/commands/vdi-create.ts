// xe vdi-create sr-uuid= name-label= virtual-size=<bytes[suffix]> [type=system|user|suspend|crashdump] [sharable=]
// [sm-config:k=v] [tags:t=]: a VDI with an empty description, never read-only. Prints its uuid.
// Reference: xe-cli-behaviour.md §9 (vdi-create), §1.2 (byte sizes), xapi-model.md §11; cli_operations.ml vdi_create.
import { verb, XeCommand } from '../cli/command'
import { parseBytes } from '../cli/enums'
import { CliFailure } from '../cli/failure'
import { createVdi, type VdiType } from '../engine/vdi'
import type { XeContext } from '../cli/context'

/** vdi_type_of_string: the four types the CLI accepts, case-sensitive. */
const TYPES: VdiType[] = ['system', 'user', 'suspend', 'crashdump']

export default verb(
  'vdi-create',
  class extends XeCommand {
    exec(ctx: XeContext): void {
      const p = ctx.params
      const sr = ctx.db.getByUuid('SR', p.req('sr-uuid'))
      const name = p.req('name-label')
      const size = parseBytes('virtual-size', p.req('virtual-size'))
      const typeText = p.get('type')
      if (typeText !== undefined && !TYPES.includes(typeText as VdiType)) throw new CliFailure(`Unknown vdi type: ${typeText}`)
      const vdi = createVdi(ctx.db, {
        sr, name_label: name, name_description: '', virtual_size: size, type: (typeText ?? 'user') as VdiType,
        sharable: p.bool('sharable'), read_only: false, xenstore_data: [], other_config: [],
        sm_config: p.map('sm-config'), tags: p.map('tags').map(([k]) => k),
      })
      ctx.out.list([vdi.f.uuid])
    }
  },
)
