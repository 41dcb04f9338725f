// xe host-management-reconfigure pif-uuid=: Host.management_reconfigure on the PIF's host — that PIF becomes the
// management interface. Prints nothing.
// Reference: xapi-model.md §12; cli_operations.ml host_management_reconfigure, xapi_host.ml management_reconfigure.
import { verb, XeCommand } from '../cli/command'
import { managementReconfigure } from '../engine/pif'
import type { XeContext } from '../cli/context'

export default verb(
  'host-management-reconfigure',
  class extends XeCommand {
    exec(ctx: XeContext): void {
      managementReconfigure(ctx.db, ctx.db.getByUuid('PIF', ctx.params.req('pif-uuid')))
    }
  },
)
