// xe vdi-export uuid= filename= [format=raw|vhd|tar] [base=<vdi>] [progress=]: the VDI's bytes into a new file (never
// over an existing one) or, with an empty filename, stdout. Prints nothing. Reference: xe-cli-behaviour.md §8;
// cli_operations.ml vdi_export, export_raw_vdi.ml.
import { verb, XeCommand } from '../cli/command'
import { vdiExport } from '../cli/vdi-transfer'
import type { XeContext } from '../cli/context'

export default verb(
  'vdi-export',
  class extends XeCommand {
    static override ownTransactions = true
    async exec(ctx: XeContext): Promise<void> {
      await vdiExport(ctx)
    }
  },
)
