// xe vif-create device= network-uuid= vm-uuid= [mac=<MAC>|random]: a VIF with the network's MTU; an empty mac lets
// xapi derive one from the VM's mac_seed. Prints its uuid. Reference: xe-cli-behaviour.md §9 (vif-create),
// xapi-model.md §10; cli_operations.ml vif_create.
import { verb, XeCommand } from '../cli/command'
import { createVif } from '../engine/vif'
import type { XeContext } from '../cli/context'

export default verb(
  'vif-create',
  class extends XeCommand {
    exec(ctx: XeContext): void {
      const p = ctx.params
      const device = p.req('device')
      const networkUuid = p.req('network-uuid')
      const vmUuid = p.req('vm-uuid')
      const mac = p.get('mac') ?? ''
      const vm = ctx.db.getByUuid('VM', vmUuid)
      const network = ctx.db.getByUuid('network', networkUuid)
      const vif = createVif(ctx.db, {
        vm, network, device, mac, mtu: network.f.MTU, other_config: [], currently_attached: false, qos_algorithm_type: '',
        qos_algorithm_params: [], locking_mode: 'network_default', ipv4_allowed: [], ipv6_allowed: [],
      })
      ctx.out.list([vif.f.uuid])
    }
  },
)
