// xe host-shutdown <host-selectors>: Host.shutdown on each selected host. The host must be disabled first
// (HOST_NOT_DISABLED); a member that is already down is HOST_OFFLINE. The host stops its guests, unplugs its PBDs
// and is then seen dead (live=false). Prints nothing.
// Reference: cli_operations.ml host_shutdown; message_forwarding.ml Host.shutdown; xapi_host.ml shutdown;
// xapi-model.md (host_allowed_operations).
import { verb, XeCommand } from '../cli/command'
import { doDeclaredOp } from '../cli/selectors'
import { shutdownHost } from '../engine/host-ops'
import type { XObj } from '../engine/db'
import type { XeContext } from '../cli/context'

export default verb(
  'host-shutdown',
  class extends XeCommand {
    exec(ctx: XeContext): void {
      doDeclaredOp(ctx, (rec) => shutdownHost(ctx.db, rec.obj as XObj<'host'>))
    }
  },
)
