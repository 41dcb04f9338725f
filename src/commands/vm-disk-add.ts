// xe vm-disk-add disk-size=<bytes> device=<userdevice> [sr-uuid=] <vm-selectors>: a new "Created by xe" VDI (in
// sr-uuid, else the pool's default SR) on an owner VBD, hot-plugged when the VM can take it. Prints nothing.
// Reference: xe-cli-behaviour.md §9 (vm-disk-add); cli_operations.ml vm_disk_add.
import { verb, XeCommand } from '../cli/command'
import { parseBytes } from '../cli/enums'
import { CliFailure } from '../cli/failure'
import { doDeclaredOp } from '../cli/selectors'
import { addVmDisk, poolDefaultSr } from '../engine/vm-devices'
import type { XeContext } from '../cli/context'
import type { XObj } from '../engine/db'

export default verb(
  'vm-disk-add',
  class extends XeCommand {
    exec(ctx: XeContext): void {
      const p = ctx.params
      const size = parseBytes('disk-size', p.req('disk-size'))
      const device = p.req('device')
      const srUuid = p.get('sr-uuid')
      const sr = srUuid !== undefined ? ctx.db.getByUuid('SR', srUuid) : poolDefaultSr(ctx.db)
      if (!sr) throw new CliFailure('No default Pool SR set; you must specify an SR on the commandline')
      doDeclaredOp(ctx, (r) => addVmDisk(ctx.db, r.obj as XObj<'VM'>, { sr, size, device }))
    }
  },
)
