// xe sr-probe type= [host-uuid=] [device-config:k=v…] [sm-config:k=v…]: SR.probe on the host (the coordinator by
// default); prints the driver's XML as it comes. Reference: xe-cli-behaviour.md §9; cli_operations.ml sr_probe.
import { verb, XeCommand } from '../cli/command'
import { parseHostUuid } from '../cli/storage'
import { probeSr } from '../engine/sr'
import type { XeContext } from '../cli/context'

export default verb(
  'sr-probe',
  class extends XeCommand {
    exec(ctx: XeContext): void {
      const host = parseHostUuid(ctx, true)
      const type = ctx.params.req('type')
      ctx.out.list([probeSr(ctx.db, host, type, ctx.params.map('device-config'), ctx.params.map('sm-config'))])
    }
  },
)
