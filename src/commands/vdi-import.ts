// xe vdi-import uuid= filename= [format=raw|vhd|tar] [progress=]: the client uploads the file, its bytes become the
// VDI's (kept under XESIM_HOME). Prints nothing. Reference: xe-cli-behaviour.md §8; cli_operations.ml vdi_import,
// import_raw_vdi.ml.
import { verb, XeCommand } from '../cli/command'
import { vdiImport } from '../cli/vdi-transfer'
import type { XeContext } from '../cli/context'

export default verb(
  'vdi-import',
  class extends XeCommand {
    static override ownTransactions = true
    async exec(ctx: XeContext): Promise<void> {
      await vdiImport(ctx)
    }
  },
)
