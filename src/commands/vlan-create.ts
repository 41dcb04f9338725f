// xe vlan-create pif-uuid= vlan= network-uuid=: VLAN.create on the PIF. Prints the uuid of the new untagged (VLAN) PIF,
// not the VLAN's. Reference: xe-cli-behaviour.md §9 (vlan-create), §4 (Failure), xapi-model.md §12;
// cli_operations.ml vlan_create / validate_and_get_vlan.
import { verb, XeCommand } from '../cli/command'
import { ocamlInt64OfString } from '../cli/enums'
import { InternalError } from '../cli/failure'
import type { XeContext } from '../cli/context'
import { createVlan } from '../engine/vlan'

/** validate_and_get_vlan: Int64.of_string, else failwith — an internal error. */
export function vlanTag(ctx: XeContext): bigint {
  const v = ocamlInt64OfString(ctx.params.req('vlan'))
  if (v === undefined) throw new InternalError("Failure: Failed to parse parameter 'vlan': expecting an integer")
  return v
}

export default verb(
  'vlan-create',
  class extends XeCommand {
    exec(ctx: XeContext): void {
      const network = ctx.db.getByUuid('network', ctx.params.req('network-uuid'))
      const pif = ctx.db.getByUuid('PIF', ctx.params.req('pif-uuid'))
      const vlan = createVlan(ctx.db, pif, vlanTag(ctx), network)
      ctx.out.list([ctx.db.get(vlan.f.untagged_PIF, 'PIF').f.uuid])
    }
  },
)
