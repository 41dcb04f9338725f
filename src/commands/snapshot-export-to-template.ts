// xe snapshot-export-to-template snapshot-uuid= filename= [preserve-power-state=] [compress=] [metadata=]
// [excluded-device-types=]: a snapshot as an XVA (imported, it becomes a VM or template as exported).
// Reference: xe-cli-behaviour.md §8; cli_operations.ml vm_export_aux.
import { verb, XeCommand } from '../cli/command'
import { exportAux } from '../cli/xva'
import type { XeContext } from '../cli/context'

export default verb(
  'snapshot-export-to-template',
  class extends XeCommand {
    static override ownTransactions = true
    async exec(ctx: XeContext): Promise<void> {
      await exportAux(ctx, 'snapshot')
    }
  },
)
