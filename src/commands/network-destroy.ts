// xe network-destroy uuid=: Network.destroy (its unattached VIFs go with it). Prints nothing.
// Reference: xapi-model.md §3 (network.destroy); cli_operations.ml net_destroy.
import { verb, XeCommand } from '../cli/command'
import { destroyNetwork } from '../engine/network'
import type { XeContext } from '../cli/context'

export default verb(
  'network-destroy',
  class extends XeCommand {
    exec(ctx: XeContext): void {
      destroyNetwork(ctx.db, ctx.db.getByUuid('network', ctx.params.req('uuid')))
    }
  },
)
