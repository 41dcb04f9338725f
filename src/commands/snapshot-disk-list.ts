// xe snapshot-disk-list snapshot-uuid=|uuid= [vbd-params=…] [vdi-params=…]: a snapshot's disks as vm-disk-list shows
// them. Its help shows <vm-selectors> but it takes no selectors. Reference: xe-cli-behaviour.md §2.2 (note), §9;
// cli_operations.ml snapshot_disk_list.
import { verb, XeCommand } from '../cli/command'
import { printVmDisks, snapshotByUuid, snapshotUuidParam } from '../cli/device-lists'
import type { XeContext } from '../cli/context'

export default verb(
  'snapshot-disk-list',
  class extends XeCommand {
    static override mutates = false
    exec(ctx: XeContext): void {
      printVmDisks(ctx, snapshotByUuid(ctx, snapshotUuidParam(ctx)), false)
    }
  },
)
