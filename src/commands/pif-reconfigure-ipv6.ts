// xe pif-reconfigure-ipv6 uuid= mode=none|dhcp|static|autoconf [IPv6=] [gateway=] [DNS=]: PIF.reconfigure_ipv6. The keys
// IPv6 and DNS are matched without regard to case. Prints nothing.
// Reference: xe-cli-behaviour.md §4, xapi-model.md §12; cli_operations.ml pif_reconfigure_ipv6, xapi_pif.ml reconfigure_ipv6.
import { verb, XeCommand } from '../cli/command'
import { parseEnum } from '../cli/enums'
import { reconfigureIpv6, type Ipv6Mode } from '../engine/pif'
import { caseInsensitive } from './pif-reconfigure-ip'
import type { XeContext } from '../cli/context'

export default verb(
  'pif-reconfigure-ipv6',
  class extends XeCommand {
    exec(ctx: XeContext): void {
      const p = ctx.params
      const pif = ctx.db.getByUuid('PIF', p.req('uuid'))
      const mode = parseEnum('Record_util.ipv6_configuration_mode_of_string', p.req('mode')) as Ipv6Mode
      reconfigureIpv6(ctx.db, pif, { mode, IPv6: caseInsensitive(ctx, 'IPv6'), gateway: p.get('gateway') ?? '', DNS: caseInsensitive(ctx, 'DNS') })
    }
  },
)
