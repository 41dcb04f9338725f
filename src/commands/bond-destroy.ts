// xe bond-destroy uuid=: Bond.destroy — the members take back the configuration, management, VLANs and VIFs.
// Prints nothing. Reference: xapi-model.md §12; cli_operations.ml bond_destroy, xapi_bond.ml destroy.
import { verb, XeCommand } from '../cli/command'
import { destroyBond } from '../engine/bond'
import type { XeContext } from '../cli/context'

export default verb(
  'bond-destroy',
  class extends XeCommand {
    exec(ctx: XeContext): void {
      destroyBond(ctx.db, ctx.db.getByUuid('Bond', ctx.params.req('uuid')))
    }
  },
)
