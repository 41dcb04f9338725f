// xe host-power-on <host-selectors>: Host.power_on on each selected host — the coordinator runs the power-on-host
// plugin for the host's power-on-mode. Refused for a live host (HOST_IS_LIVE) or an empty power-on-mode
// (HOST_POWER_ON_MODE_DISABLED). The host boots: live and enabled. Prints nothing.
// Reference: cli_operations.ml host_power_on; message_forwarding.ml Host.power_on; xapi_host.ml power_on;
// xapi_host_helpers.ml valid_operations; python3/poweron/power-on.py.
import { verb, XeCommand } from '../cli/command'
import { doDeclaredOp } from '../cli/selectors'
import { powerOnHost } from '../engine/host-ops'
import type { XObj } from '../engine/db'
import type { XeContext } from '../cli/context'

export default verb(
  'host-power-on',
  class extends XeCommand {
    exec(ctx: XeContext): void {
      doDeclaredOp(ctx, (rec) => powerOnHost(ctx.db, rec.obj as XObj<'host'>))
    }
  },
)
