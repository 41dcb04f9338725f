// xe vdi-introduce uuid= sr-uuid= type= location= [name-label=] [name-description=] [sharable=] [read-only=]
// [managed=] [other-config:…] [xenstore-data:…] [sm-config:…]: VDI.introduce; prints the VDI's uuid.
// Reference: xe-cli-behaviour.md §9 (Unknown vdi type), xapi-model.md §11.4; cli_operations.ml vdi_introduce.
import { verb, XeCommand } from '../cli/command'
import { CliFailure } from '../cli/failure'
import { introduceVdi, type VdiType } from '../engine/vdi'
import type { XeContext } from '../cli/context'

/** vdi_type_of_string: the four types the CLI accepts, case-sensitive. */
const TYPES: VdiType[] = ['system', 'user', 'suspend', 'crashdump']

export default verb(
  'vdi-introduce',
  class extends XeCommand {
    exec(ctx: XeContext): void {
      const p = ctx.params
      const uuid = p.req('uuid')
      const sr = ctx.db.getByUuid('SR', p.req('sr-uuid'))
      const name = p.get('name-label') ?? ''
      const description = p.get('name-description') ?? ''
      const type = p.req('type')
      if (!TYPES.includes(type as VdiType)) throw new CliFailure(`Unknown vdi type: ${type}`)
      const sharable = p.bool('sharable')
      p.bool('read-only') // parsed, then ignored by VDI.introduce
      const location = p.req('location')
      p.bool('managed')
      const vdi = introduceVdi(ctx.db, {
        uuid, sr, name_label: name, name_description: description, type: type as VdiType, sharable,
        other_config: p.map('other-config'), xenstore_data: p.map('xenstore-data'), sm_config: p.map('sm-config'), location,
      })
      ctx.out.list([vdi.f.uuid])
    }
  },
)
