// xe sr-scan uuid=: SR.scan: the storage is reconciled with the records (an ISO library's image files become VDIs). Prints nothing.
// Reference: xe-cli-behaviour.md §9 (sr-destroy, sr-forget and sr-scan take uuid and print nothing), xapi-model.md §3,
// §11.2; cli_operations.ml sr_scan.
import { verb, XeCommand } from '../cli/command'
import { scanSr } from '../engine/sr'
import type { XeContext } from '../cli/context'

export default verb(
  'sr-scan',
  class extends XeCommand {
    exec(ctx: XeContext): void {
      scanSr(ctx.db, ctx.db.getByUuid('SR', ctx.params.req('uuid')))
    }
  },
)
