// xe pool-vlan-create pif-uuid= vlan= network-uuid=: Pool.create_VLAN_from_PIF — the VLAN on every live host's PIF of
// that PIF's network. Prints the new untagged PIFs' uuids, one per line.
// Reference: xe-cli-behaviour.md §9 (vlan-create), xapi-model.md §12; cli_operations.ml pool_vlan_create.
import { verb, XeCommand } from '../cli/command'
import { poolCreateVlanFromPif } from '../engine/vlan'
import { vlanTag } from './vlan-create'
import type { XeContext } from '../cli/context'

export default verb(
  'pool-vlan-create',
  class extends XeCommand {
    exec(ctx: XeContext): void {
      const network = ctx.db.getByUuid('network', ctx.params.req('network-uuid'))
      const pif = ctx.db.getByUuid('PIF', ctx.params.req('pif-uuid'))
      ctx.out.list(poolCreateVlanFromPif(ctx.db, pif, network, vlanTag(ctx)).map((p) => p.f.uuid))
    }
  },
)
