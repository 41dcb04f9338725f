// xe pool-ha-compute-hypothetical-max-host-failures-to-tolerate vm-uuid=<u> restart-priority=<p> …: the pairs in
// order (as many of each, else a Failure), then Pool.ha_compute_hypothetical_max_host_failures_to_tolerate.
// Reference: cli_operations.ml pool_ha_compute_hypothetical_max_host_failures_to_tolerate; xapi_pool.ml.
import { verb, XeCommand } from '../cli/command'
import { InternalError } from '../cli/failure'
import { haComputeHypotheticalMaxHostFailuresToTolerate } from '../engine/ha'
import type { XeContext } from '../cli/context'

export default verb(
  'pool-ha-compute-hypothetical-max-host-failures-to-tolerate',
  class extends XeCommand {
    exec(ctx: XeContext): void {
      const vms = ctx.params.list.filter(([k]) => k === 'vm-uuid').map(([, v]) => v)
      const pri = ctx.params.list.filter(([k]) => k === 'restart-priority').map(([, v]) => v)
      if (vms.length !== pri.length) throw new InternalError('Failure: Call requires an equal number of vm-uuid and restart-priority arguments')
      const refs = vms.map((u) => ctx.db.getByUuid('VM', u))
      const n = haComputeHypotheticalMaxHostFailuresToTolerate(ctx.db, refs.map((vm, i) => [vm, pri[i]!]))
      ctx.out.list([String(n)])
    }
  },
)
