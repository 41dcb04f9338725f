// xe pif-introduce host-uuid= device= [mac=] [managed=]: PIF.introduce — a PIF for a NIC of the host. Prints its uuid.
// Reference: xe-cli-behaviour.md §3.4, xapi-model.md §12; cli_operations.ml pif_introduce, xapi_pif.ml introduce.
import { verb, XeCommand } from '../cli/command'
import { introducePif } from '../engine/pif'
import type { XeContext } from '../cli/context'

export default verb(
  'pif-introduce',
  class extends XeCommand {
    exec(ctx: XeContext): void {
      const p = ctx.params
      const host = ctx.db.getByUuid('host', p.req('host-uuid'))
      const mac = p.get('mac') ?? ''
      const device = p.req('device')
      const managed = p.bool('managed', true)
      ctx.out.list([introducePif(ctx.db, host, mac, device, managed).f.uuid])
    }
  },
)
