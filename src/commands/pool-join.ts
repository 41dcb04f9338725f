// xe pool-join master-address= master-username= master-password= [force=]: Pool.join (join_force with force),
// run on the host xe talks to; it becomes a member of that coordinator's pool. Prints the restart notice; when
// the coordinator cannot be contacted, two lines and exit 0.
// Reference: xe-cli-behaviour.md §9 (pool-join); cli_operations.ml pool_join (Records.string_of_float "%.3f" of
// Constants.fuse_time 10.); xapi_pool.ml join_common / pre_join_checks; xapi-model.md §14.
import { verb, XeCommand } from '../cli/command'
import { XapiError } from '../engine/errors'
import { joinPool } from '../engine/pool-join'
import type { XeContext } from '../cli/context'

export default verb(
  'pool-join',
  class extends XeCommand {
    exec(ctx: XeContext): void {
      const p = ctx.params
      const force = p.bool('force')
      const args = { masterAddress: p.req('master-address'), username: p.req('master-username'), password: p.req('master-password'), force }
      try {
        joinPool(ctx.session, ctx.db, args)
      } catch (e) {
        if (e instanceof XapiError && e.code === 'JOINING_HOST_CONNECTION_FAILED') {
          ctx.out.list(['Host cannot contact destination host: connection refused.', 'Check destination host has services running and accessible from this host.'])
          return
        }
        throw e
      }
      ctx.out.list(['Host agent will restart and attempt to join pool in 10.000 seconds...'])
    }
  },
)
