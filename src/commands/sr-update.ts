// xe sr-update uuid=: SR.update: the SR's sizes are refreshed from its storage. Prints nothing.
// Reference: xe-cli-behaviour.md §9 (sr-destroy, sr-forget and sr-scan take uuid and print nothing), xapi-model.md §3,
// §11.2; cli_operations.ml sr_update.
import { verb, XeCommand } from '../cli/command'
import { updateSr } from '../engine/sr'
import type { XeContext } from '../cli/context'

export default verb(
  'sr-update',
  class extends XeCommand {
    exec(ctx: XeContext): void {
      updateSr(ctx.db, ctx.db.getByUuid('SR', ctx.params.req('uuid')))
    }
  },
)
