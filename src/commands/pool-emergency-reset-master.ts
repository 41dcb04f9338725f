// xe pool-emergency-reset-master master-address=: Pool.emergency_reset_master (HA_IS_ENABLED while HA is armed;
// the address must resolve), then the restart notice.
// Reference: cli_operations.ml pool_emergency_reset_master (Records.string_of_float "%.3f" of fuse_time 10.);
// xapi_pool.ml emergency_reset_master.
import { verb, XeCommand } from '../cli/command'
import { emergencyResetMaster } from '../engine/pool-ops'
import type { XeContext } from '../cli/context'

export default verb(
  'pool-emergency-reset-master',
  class extends XeCommand {
    exec(ctx: XeContext): void {
      const address = ctx.params.req('master-address')
      emergencyResetMaster(ctx.db, address)
      ctx.out.list([`Host agent will restart and become slave of ${address} in 10.000 seconds...`])
    }
  },
)
