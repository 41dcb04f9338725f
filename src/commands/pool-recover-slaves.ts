// xe pool-recover-slaves: Pool.recover_slaves — the uuids of the members told to point at this coordinator, one
// per line (a PList). Reference: cli_operations.ml pool_recover_slaves; xapi_pool.ml recover_slaves.
import { verb, XeCommand } from '../cli/command'
import { recoverSlaves } from '../engine/pool-ops'
import type { XeContext } from '../cli/context'

export default verb(
  'pool-recover-slaves',
  class extends XeCommand {
    exec(ctx: XeContext): void {
      ctx.out.list(recoverSlaves(ctx.db).map((h) => h.f.uuid))
    }
  },
)
