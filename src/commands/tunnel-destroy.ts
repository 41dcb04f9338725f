// xe tunnel-destroy uuid=: tunnel.destroy — its access PIF is unplugged and deleted with it. Prints nothing.
// Reference: xapi-model.md §12; cli_operations.ml tunnel_destroy, xapi_tunnel.ml destroy.
import { verb, XeCommand } from '../cli/command'
import { destroyTunnel } from '../engine/tunnel'
import type { XeContext } from '../cli/context'

export default verb(
  'tunnel-destroy',
  class extends XeCommand {
    exec(ctx: XeContext): void {
      destroyTunnel(ctx.db, ctx.db.getByUuid('tunnel', ctx.params.req('uuid')))
    }
  },
)
