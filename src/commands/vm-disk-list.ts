// xe vm-disk-list [vbd-params=…] [vdi-params=…] <vm-selectors>: the selected VMs' disks, `Disk N VBD:` and
// `Disk N VDI:` with their records. Reference: xe-cli-behaviour.md §9 (vm-disk-list), §1.3; cli_operations.ml vm_disk_list.
import { verb, XeCommand } from '../cli/command'
import { printVmDisks } from '../cli/device-lists'
import { doDeclaredOp } from '../cli/selectors'
import type { XeContext } from '../cli/context'
import type { XObj } from '../engine/db'

export default verb(
  'vm-disk-list',
  class extends XeCommand {
    static override mutates = false
    exec(ctx: XeContext): void {
      doDeclaredOp(ctx, (r) => printVmDisks(ctx, r.obj as XObj<'VM'>, false))
    }
  },
)
