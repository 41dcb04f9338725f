// xe vm-import filename= [sr-uuid=] [preserve=] [force=] [metadata=] [dry-run=] [vdi:<uuid>=<uuid>]: recreates the
// VMs of an XVA (disks on the SR given or the pool's default SR) and prints their uuids, comma-separated, through
// a direct print. Reference: xe-cli-behaviour.md §8; cli_operations.ml vm_import, import.ml.
import { verb, XeCommand } from '../cli/command'
import { vmImport } from '../cli/xva'
import type { XeContext } from '../cli/context'

export default verb(
  'vm-import',
  class extends XeCommand {
    static override ownTransactions = true
    async exec(ctx: XeContext): Promise<void> {
      await vmImport(ctx)
    }
  },
)
