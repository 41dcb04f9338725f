// xe network-attach uuid= host-uuid= (hidden): Network.attach — the network's PIFs on that host come up. Prints nothing.
// Reference: xapi-model.md §12; cli_operations.ml net_attach, xapi_network.ml attach.
import { verb, XeCommand } from '../cli/command'
import { attachNetwork } from '../engine/network'
import type { XeContext } from '../cli/context'

export default verb(
  'network-attach',
  class extends XeCommand {
    exec(ctx: XeContext): void {
      const net = ctx.db.getByUuid('network', ctx.params.req('uuid'))
      const host = ctx.db.getByUuid('host', ctx.params.req('host-uuid'))
      attachNetwork(ctx.db, net, host, { force: true })
    }
  },
)
