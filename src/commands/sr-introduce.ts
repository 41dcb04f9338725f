// xe sr-introduce uuid= name-label= type= [name-description=] [shared=] [content-type=] [sm-config:k=v…]: SR.introduce
// (the record only); prints the uuid it was given. Reference: xe-cli-behaviour.md §9; cli_operations.ml sr_introduce.
import { verb, XeCommand } from '../cli/command'
import { introduceSr } from '../engine/sr'
import type { XeContext } from '../cli/context'

export default verb(
  'sr-introduce',
  class extends XeCommand {
    exec(ctx: XeContext): void {
      const p = ctx.params
      const name = p.req('name-label')
      const description = p.get('name-description') ?? ''
      const type = p.req('type')
      const contentType = p.get('content-type') ?? ''
      const uuid = p.req('uuid')
      const shared = p.bool('shared')
      introduceSr(ctx.db, { uuid, name_label: name, name_description: description, type, content_type: contentType, shared, sm_config: p.map('sm-config') })
      ctx.out.list([uuid])
    }
  },
)
