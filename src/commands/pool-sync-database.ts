// xe pool-sync-database: Pool.sync_database (the database is flushed to every host). Prints nothing.
// Reference: cli_operations.ml pool_sync_database; xapi_pool.ml sync_database.
import { verb, XeCommand } from '../cli/command'
import { syncDatabase } from '../engine/pool-ops'
import type { XeContext } from '../cli/context'

export default verb(
  'pool-sync-database',
  class extends XeCommand {
    exec(ctx: XeContext): void {
      syncDatabase(ctx.db)
    }
  },
)
