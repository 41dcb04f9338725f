// xe sr-create name-label= type= [name-description=] [host-uuid=] [device-config:k=v…] [shared=] [physical-size=]
// [content-type=] [sm-config:k=v…]: SR.create; prints the new SR's uuid through a direct Print (so --minimal adds
// its own empty line). Reference: xe-cli-behaviour.md §9 (sr-create), §3.5, §8; cli_operations.ml sr_create.
import { verb, XeCommand } from '../cli/command'
import { parseBytes } from '../cli/enums'
import { deviceConfigWithFiles, parseHostUuid } from '../cli/storage'
import { createSr } from '../engine/sr'
import type { XeContext } from '../cli/context'

export default verb(
  'sr-create',
  class extends XeCommand {
    exec(ctx: XeContext): void {
      const p = ctx.params
      const name = p.req('name-label')
      const description = p.get('name-description') ?? ''
      const shared = p.bool('shared')
      const host = parseHostUuid(ctx, shared)
      let size = 0
      try {
        size = parseBytes('physical-size', p.req('physical-size'))
      } catch {
        size = 0 // absent or unparsable: silently 0
      }
      const type = p.req('type')
      const contentType = p.get('content-type') ?? ''
      const deviceConfig = deviceConfigWithFiles(ctx, p.map('device-config'))
      const sr = createSr(ctx.db, {
        host, device_config: deviceConfig, physical_size: size, name_label: name, name_description: description, type,
        content_type: contentType, shared, sm_config: p.map('sm-config'),
      })
      ctx.out.direct(sr.f.uuid)
    }
  },
)
