// xe host-declare-dead uuid= [--force]: Host.declare_dead — the guests recorded on a dead host are reset to Halted
// and the host is disabled. Warns and asks unless --force. Refused for a live host or the coordinator
// (HOST_IS_LIVE). Prints nothing else.
// Reference: cli_operations.ml host_declare_dead (warning texts), host_careful_op; xapi_host.ml declare_dead.
import { verb, XeCommand } from '../cli/command'
import { hostCarefulOp } from '../cli/host-careful'
import { declareDead } from '../engine/host-ops'
import type { XeContext } from '../cli/context'

const WARNINGS = [
  'WARNING: A host should only be declared dead if it is verified offline.',
  'WARNING: Performing this operation if the host is still online and has any',
  'WARNING: running VMs may lead to possible data loss and/or corruption.',
]

export default verb(
  'host-declare-dead',
  class extends XeCommand {
    async exec(ctx: XeContext): Promise<void> {
      await hostCarefulOp(ctx, WARNINGS, (host) => declareDead(ctx.db, host))
    }
  },
)
