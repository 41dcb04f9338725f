// xe sr-forget uuid=: SR.forget: the records go, the storage keeps the SR (SR_HAS_PBD while a PBD is attached). Prints nothing.
// Reference: xe-cli-behaviour.md §9 (sr-destroy, sr-forget and sr-scan take uuid and print nothing), xapi-model.md §3,
// §11.2; cli_operations.ml sr_forget.
import { verb, XeCommand } from '../cli/command'
import { forgetSr } from '../engine/sr'
import type { XeContext } from '../cli/context'

export default verb(
  'sr-forget',
  class extends XeCommand {
    exec(ctx: XeContext): void {
      forgetSr(ctx.db, ctx.db.getByUuid('SR', ctx.params.req('uuid')))
    }
  },
)
