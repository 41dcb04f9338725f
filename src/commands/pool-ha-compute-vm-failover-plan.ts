// xe pool-ha-compute-vm-failover-plan host-uuids=<u>,…: the guests resident on those hosts and where
// Pool.ha_compute_vm_failover_plan would restart them, as one table record headed "VM" / "Destination Host or
// Error" (`uuid (name)` on both sides, or the error code). Reference: cli_operations.ml
// pool_ha_compute_vm_failover_plan; xapi_pool.ml ha_compute_vm_failover_plan, xapi_ha_vm_failover.ml.
import { verb, XeCommand } from '../cli/command'
import { haComputeVmFailoverPlan } from '../engine/ha'
import type { Ref } from '../engine/values'
import type { XeContext } from '../cli/context'

export default verb(
  'pool-ha-compute-vm-failover-plan',
  class extends XeCommand {
    static override mutates = false
    exec(ctx: XeContext): void {
      const db = ctx.db
      const hosts = ctx.params.req('host-uuids').split(',').map((u) => db.getByUuid('host', u))
      const vms = hosts
        .flatMap((h) => (db.field(h, 'resident_VMs') as Ref[]).map((r) => db.get(r, 'VM')))
        .filter((vm) => !vm.f.is_control_domain)
      const rows = haComputeVmFailoverPlan(db, hosts, vms).map(([vm, r]): [string, string] => [
        `${vm.f.uuid} (${vm.f.name_label})`,
        r.host ? `${r.host.f.uuid} (${r.host.f.name_label})` : (r.error ?? 'UNKNOWN'),
      ])
      ctx.out.table([[['VM', 'Destination Host or Error'], ...rows]])
    }
  },
)
