// xe host-set-hostname-live host-uuid= host-name=: Host.set_hostname_live (HOST_NAME_INVALID for an empty, too
// long or badly formed name; HOST_OFFLINE for a host that is down). Prints nothing.
// Reference: cli_operations.ml host_set_hostname_live; xapi_host.ml set_hostname_live.
import { verb, XeCommand } from '../cli/command'
import { setHostnameLive } from '../engine/host-ops'
import type { XeContext } from '../cli/context'

export default verb(
  'host-set-hostname-live',
  class extends XeCommand {
    exec(ctx: XeContext): void {
      const host = ctx.db.getByUuid('host', ctx.params.req('host-uuid'))
      setHostnameLive(ctx.db, host, ctx.params.req('host-name'))
    }
  },
)
