// xe vm-export filename= [<vm-selectors>] [compress=] [preserve-power-state=] [metadata=] [include-snapshots=]
// [excluded-device-types=]: writes each selected VM as an XVA (the second and later to <filename>2, 3, …; an
// empty filename means stdout) and prints `Export succeeded`. Reference: xe-cli-behaviour.md §8; export.ml.
import { verb, XeCommand } from '../cli/command'
import { vmExport } from '../cli/xva'
import type { XeContext } from '../cli/context'

export default verb(
  'vm-export',
  class extends XeCommand {
    static override ownTransactions = true
    async exec(ctx: XeContext): Promise<void> {
      await vmExport(ctx)
    }
  },
)
