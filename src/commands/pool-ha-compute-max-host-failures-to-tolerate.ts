// xe pool-ha-compute-max-host-failures-to-tolerate: Pool.ha_compute_max_host_failures_to_tolerate, printed.
// Reference: cli_operations.ml pool_ha_compute_max_host_failures_to_tolerate; xapi_pool.ml, xapi_ha_vm_failover.ml.
import { verb, XeCommand } from '../cli/command'
import { haComputeMaxHostFailuresToTolerate } from '../engine/ha'
import type { XeContext } from '../cli/context'

export default verb(
  'pool-ha-compute-max-host-failures-to-tolerate',
  class extends XeCommand {
    exec(ctx: XeContext): void {
      ctx.out.list([String(haComputeMaxHostFailuresToTolerate(ctx.db))])
    }
  },
)
