// xe template-export template-uuid= filename= [compress=] [metadata=] [excluded-device-types=]: a template as an
// XVA, as vm-export writes it. Reference: xe-cli-behaviour.md §8; cli_operations.ml vm_export_aux.
import { verb, XeCommand } from '../cli/command'
import { exportAux } from '../cli/xva'
import type { XeContext } from '../cli/context'

export default verb(
  'template-export',
  class extends XeCommand {
    static override ownTransactions = true
    async exec(ctx: XeContext): Promise<void> {
      await exportAux(ctx, 'template')
    }
  },
)
