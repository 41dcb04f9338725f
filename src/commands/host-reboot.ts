// xe host-reboot <host-selectors>: Host.reboot on each selected host. As host-shutdown (HOST_NOT_DISABLED,
// HOST_OFFLINE), then the host comes back live and enabled. Prints nothing.
// Reference: cli_operations.ml host_reboot; message_forwarding.ml Host.reboot; xapi_host.ml reboot;
// xapi_host_helpers.ml consider_enabling_host.
import { verb, XeCommand } from '../cli/command'
import { doDeclaredOp } from '../cli/selectors'
import { rebootHost } from '../engine/host-ops'
import type { XObj } from '../engine/db'
import type { XeContext } from '../cli/context'

export default verb(
  'host-reboot',
  class extends XeCommand {
    exec(ctx: XeContext): void {
      doDeclaredOp(ctx, (rec) => rebootHost(ctx.db, rec.obj as XObj<'host'>))
    }
  },
)
