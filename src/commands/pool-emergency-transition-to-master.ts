// xe pool-emergency-transition-to-master [--force]: on the coordinator it only says so unless forced; forced, or
// on a member (xe -s <member>), Pool.emergency_transition_to_master (HA_IS_ENABLED while HA is armed; the member
// becomes the coordinator) and the restart notice.
// Reference: cli_operations.ml pool_emergency_transition_to_master (strings from there; Records.string_of_float
// "%.3f" of Constants.fuse_time 10.); xapi_pool.ml emergency_transition_to_master.
import { verb, XeCommand } from '../cli/command'
import { emergencyTransitionToMaster, talksToCoordinator } from '../engine/pool-ops'
import type { XeContext } from '../cli/context'

export default verb(
  'pool-emergency-transition-to-master',
  class extends XeCommand {
    exec(ctx: XeContext): void {
      // Neverforward: Pool_role.is_master () of the host xe talks to
      if (!talksToCoordinator(ctx.db) || ctx.params.bool('force')) {
        emergencyTransitionToMaster(ctx.db)
        ctx.out.list(['Host agent will restart and transition to master in 10.000 seconds...'])
      } else ctx.out.list(["Host agent is already master. Use '--force' to execute the operation anyway."])
    }
  },
)
