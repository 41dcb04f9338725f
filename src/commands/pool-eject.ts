// xe pool-eject host-uuid= [--force]: unless forced, the two warnings, the VDIs of SRs only that host sees, and
// the prompt; then Pool.eject and the restart notice. The host comes back as a standalone host of a new pool.
// Reference: xe-cli-behaviour.md §9 (pool-eject), §3.5 (the prompt's direct prints); cli_operations.ml pool_eject
// (strings from there; Records.string_of_float "%.3f" of fuse_time 10.); xapi_pool.ml eject / eject_self.
import { verb, XeCommand } from '../cli/command'
import { userSaysYes } from '../cli/vm-copies'
import { ejectHost, ejectWarnings } from '../engine/pool-join'
import type { XeContext } from '../cli/context'

export default verb(
  'pool-eject',
  class extends XeCommand {
    async exec(ctx: XeContext): Promise<void> {
      const host = ctx.db.getByUuid('host', ctx.params.req('host-uuid'))
      const go = () => {
        ejectHost(ctx.session, ctx.db, host)
        ctx.out.list(['Specified host will attempt to restart as a master of a new pool in 10.000 seconds...'])
      }
      if (ctx.params.bool('force')) return go()
      const warnings = ejectWarnings(ctx.db, host)
      ctx.out.direct("WARNING: Ejecting a host from the pool will reinitialise that host's local SRs.")
      ctx.out.direct('WARNING: Any data contained with the local SRs will be lost.')
      if (warnings.length > 0) {
        ctx.out.direct('The following VDI objects will be destroyed:')
        for (const w of warnings) ctx.out.direct(w)
      }
      if (await userSaysYes(ctx)) go()
    }
  },
)
