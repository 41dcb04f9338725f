// xe host-management-disable: Host.management_disable on the host xe talks to (the pool coordinator) — no PIF is the
// management interface any more. Prints nothing.
// Reference: xapi-model.md §12; cli_operations.ml host_management_disable, xapi_host.ml management_disable.
import { verb, XeCommand } from '../cli/command'
import { managementDisable } from '../engine/pif'
import type { XeContext } from '../cli/context'

export default verb(
  'host-management-disable',
  class extends XeCommand {
    exec(ctx: XeContext): void {
      const pool = ctx.db.all('pool')[0]!
      managementDisable(ctx.db, ctx.db.get(pool.f.master, 'host'))
    }
  },
)
