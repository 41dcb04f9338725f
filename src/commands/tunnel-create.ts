// xe tunnel-create pif-uuid= network-uuid= [protocol=gre|vxlan]: a tunnel over the PIF on the network. Prints the uuid
// of the tunnel's access PIF. Reference: xapi-model.md §12; cli_operations.ml tunnel_create, xapi_tunnel.ml create.
import { verb, XeCommand } from '../cli/command'
import { parseEnum } from '../cli/enums'
import { createTunnel } from '../engine/tunnel'
import type { XeContext } from '../cli/context'

export default verb(
  'tunnel-create',
  class extends XeCommand {
    exec(ctx: XeContext): void {
      const network = ctx.db.getByUuid('network', ctx.params.req('network-uuid'))
      const pif = ctx.db.getByUuid('PIF', ctx.params.req('pif-uuid'))
      const protocol = parseEnum('Record_util.tunnel_protocol_of_string', ctx.params.get('protocol') ?? 'gre') as 'gre' | 'vxlan'
      const tunnel = createTunnel(ctx.db, pif, network, protocol)
      ctx.out.list([ctx.db.get(tunnel.f.access_PIF, 'PIF').f.uuid])
    }
  },
)
