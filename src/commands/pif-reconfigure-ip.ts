// xe pif-reconfigure-ip uuid= mode=none|dhcp|static [IP=] [netmask=] [gateway=] [DNS=]: PIF.reconfigure_ip. The keys IP
// and DNS are matched without regard to case. Prints nothing.
// Reference: xe-cli-behaviour.md §4, xapi-model.md §12; cli_operations.ml pif_reconfigure_ip, xapi_pif.ml reconfigure_ip.
import { verb, XeCommand } from '../cli/command'
import { lowercaseAscii, parseEnum } from '../cli/enums'
import { reconfigureIp, type IpMode } from '../engine/pif'
import type { XeContext } from '../cli/context'

/** read_optional_case_insensitive: the first parameter whose lower-cased key is the lower-cased key, else "". */
export const caseInsensitive = (ctx: XeContext, key: string) => ctx.params.list.find(([k]) => lowercaseAscii(k) === lowercaseAscii(key))?.[1] ?? ''

export default verb(
  'pif-reconfigure-ip',
  class extends XeCommand {
    exec(ctx: XeContext): void {
      const p = ctx.params
      const pif = ctx.db.getByUuid('PIF', p.req('uuid'))
      const mode = parseEnum('Record_util.ip_configuration_mode_of_string', p.req('mode')) as IpMode
      reconfigureIp(ctx.db, pif, {
        mode, IP: caseInsensitive(ctx, 'IP'), netmask: p.get('netmask') ?? '', gateway: p.get('gateway') ?? '', DNS: caseInsensitive(ctx, 'DNS'),
      })
    }
  },
)
