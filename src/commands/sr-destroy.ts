// xe sr-destroy uuid=: SR.destroy: SR_HAS_PBD, SR_HAS_NO_PBDS, SR_NOT_EMPTY…; the storage and every record go. Prints nothing.
// Reference: xe-cli-behaviour.md §9 (sr-destroy, sr-forget and sr-scan take uuid and print nothing), xapi-model.md §3,
// §11.2; cli_operations.ml sr_destroy.
import { verb, XeCommand } from '../cli/command'
import { destroySr } from '../engine/sr'
import type { XeContext } from '../cli/context'

export default verb(
  'sr-destroy',
  class extends XeCommand {
    exec(ctx: XeContext): void {
      destroySr(ctx.db, ctx.db.getByUuid('SR', ctx.params.req('uuid')))
    }
  },
)
