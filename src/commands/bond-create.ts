// xe bond-create network-uuid= pif-uuids=a,b[,…] [mac=] [mode=balance-slb|active-backup|lacp] [properties:k=v]: a bond
// of the PIFs on the network. Prints the bond's uuid.
// Reference: xe-cli-behaviour.md §9 (bond-create), §1.2 (comma lists, maps), xapi-model.md §12; cli_operations.ml
// bond_create, record_util.ml bond_mode_of_string.
import { verb, XeCommand } from '../cli/command'
import { parseEnum } from '../cli/enums'
import { createBond, type BondMode } from '../engine/bond'
import type { XeContext } from '../cli/context'

export default verb(
  'bond-create',
  class extends XeCommand {
    exec(ctx: XeContext): void {
      const p = ctx.params
      const networkUuid = p.req('network-uuid')
      const mac = p.get('mac') ?? ''
      const network = ctx.db.getByUuid('network', networkUuid)
      const members = p.req('pif-uuids').split(',').map((u) => ctx.db.getByUuid('PIF', u))
      const mode = parseEnum('Record_util.bond_mode_of_string', p.get('mode') ?? '') as BondMode
      const bond = createBond(ctx.db, { network, members, MAC: mac, mode, properties: p.map('properties') })
      ctx.out.list([bond.f.uuid])
    }
  },
)
