// xe host-forget uuid= [--force]: Host.destroy — a dead member is removed from the pool database with its control
// domain and host-local records. Warns and asks unless --force. Refused for a live host or the coordinator
// (HOST_IS_LIVE), with guests resident (HOST_HAS_RESIDENT_VMS), with HA on (HA_IS_ENABLED). Prints nothing else.
// Reference: cli_operations.ml host_forget (warning texts), host_careful_op; xapi_host.ml destroy.
import { verb, XeCommand } from '../cli/command'
import { hostCarefulOp } from '../cli/host-careful'
import { destroyHost } from '../engine/host-ops'
import type { XeContext } from '../cli/context'

const WARNINGS = [
  'WARNING: A host should only be forgotten if it is physically unrecoverable;',
  "WARNING: if possible, Hosts should be 'ejected' from the Pool instead.",
  'WARNING: Once a host has been forgotten it will have to be re-installed.',
  'WARNING: This operation is irreversible.',
]

export default verb(
  'host-forget',
  class extends XeCommand {
    async exec(ctx: XeContext): Promise<void> {
      await hostCarefulOp(ctx, WARNINGS, (host) => destroyHost(ctx.db, host))
    }
  },
)
