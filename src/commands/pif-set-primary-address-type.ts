// xe pif-set-primary-address-type uuid= primary_address_type=ipv4|ipv6: PIF.set_primary_address_type. Prints nothing.
// Reference: xe-cli-behaviour.md §4 (Record_failure), xapi-model.md §12; cli_operations.ml pif_set_primary_address_type.
import { verb, XeCommand } from '../cli/command'
import { parseEnum } from '../cli/enums'
import { setPrimaryAddressType } from '../engine/pif'
import type { XeContext } from '../cli/context'

export default verb(
  'pif-set-primary-address-type',
  class extends XeCommand {
    exec(ctx: XeContext): void {
      const pif = ctx.db.getByUuid('PIF', ctx.params.req('uuid'))
      const t = parseEnum('Record_util.primary_address_type_of_string', ctx.params.req('primary_address_type')) as 'IPv4' | 'IPv6'
      setPrimaryAddressType(ctx.db, pif, t)
    }
  },
)
