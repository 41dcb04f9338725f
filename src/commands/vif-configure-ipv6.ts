// xe vif-configure-ipv6 uuid= mode= [address=] [gateway=]: the guest's IPv6 configuration of a VIF (Static needs an
// address). Prints nothing. Reference: xe-cli-behaviour.md §4 (Record_failure, Failure), xapi-model.md §10;
// cli_operations.ml vif_configure_ipv6, xapi_vif.ml configure_ipv6.
import { verb, XeCommand } from '../cli/command'
import { parseEnum } from '../cli/enums'
import { InternalError } from '../cli/failure'
import { configureVifIp } from '../engine/vif'
import type { XeContext } from '../cli/context'

export default verb(
  'vif-configure-ipv6',
  class extends XeCommand {
    exec(ctx: XeContext): void {
      const p = ctx.params
      const vif = ctx.db.getByUuid('VIF', p.req('uuid'))
      const mode = parseEnum('Record_util.vif_ipv6_configuration_mode_of_string', p.req('mode')) as 'None' | 'Static' | 'Autoconf'
      const address = p.get('address') ?? ''
      const gateway = p.get('gateway') ?? ''
      // failwith in cli_operations.ml: an internal error
      if (mode === 'Static' && address === '') throw new InternalError('Failure: Required parameter not found: address')
      configureVifIp(ctx.db, vif, 'ipv6', mode, address, gateway)
    }
  },
)
