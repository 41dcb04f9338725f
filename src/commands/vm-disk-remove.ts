// xe vm-disk-remove device=<userdevice> <vm-selectors>: destroys the VBD with that userdevice and then its VDI.
// Reference: xe-cli-behaviour.md §9 (vm-disk-remove); cli_operations.ml vm_disk_remove.
import { verb, XeCommand } from '../cli/command'
import { CliFailure } from '../cli/failure'
import { doDeclaredOp } from '../cli/selectors'
import { removeVmDisk, vmVbdsWithUserdevice } from '../engine/vm-devices'
import type { XeContext } from '../cli/context'
import type { XObj } from '../engine/db'

export default verb(
  'vm-disk-remove',
  class extends XeCommand {
    exec(ctx: XeContext): void {
      const device = ctx.params.req('device')
      doDeclaredOp(ctx, (r) => {
        const vbd = vmVbdsWithUserdevice(ctx.db, r.obj as XObj<'VM'>, device)[0]
        if (!vbd) throw new CliFailure('Disk not found')
        removeVmDisk(ctx.db, vbd)
      })
    }
  },
)
