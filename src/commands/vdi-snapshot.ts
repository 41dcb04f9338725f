// xe vdi-snapshot uuid=: VDI.snapshot. Prints the snapshot's uuid.
// Reference: xe-cli-behaviour.md §9 (other VDI commands); cli_operations.ml vdi_snapshot.
import { verb, XeCommand } from '../cli/command'
import { snapshotVdi } from '../engine/vdi'
import type { XeContext } from '../cli/context'

export default verb(
  'vdi-snapshot',
  class extends XeCommand {
    exec(ctx: XeContext): void {
      const snap = snapshotVdi(ctx.db, ctx.db.getByUuid('VDI', ctx.params.req('uuid')))
      ctx.out.list([snap.f.uuid])
    }
  },
)
