// xe pool-designate-new-master host-uuid=: Pool.designate_new_master — that host becomes the pool's coordinator
// (nothing happens when it already is). Prints nothing.
// Reference: cli_operations.ml pool_designate_new_master; xapi_pool.ml designate_new_master; xapi-model.md §14.
import { verb, XeCommand } from '../cli/command'
import { designateNewMaster } from '../engine/pool-ops'
import type { XeContext } from '../cli/context'

export default verb(
  'pool-designate-new-master',
  class extends XeCommand {
    exec(ctx: XeContext): void {
      designateNewMaster(ctx.db, ctx.db.getByUuid('host', ctx.params.req('host-uuid')))
    }
  },
)
