// xe vm-cd-eject <vm-selectors>: ejects the disc from the VM's only CD drive.
// Reference: xe-cli-behaviour.md §9 (CD commands); cli_operations.ml vm_cd_eject.
import { verb, XeCommand } from '../cli/command'
import { CliFailure } from '../cli/failure'
import { doDeclaredOp } from '../cli/selectors'
import { ejectVbd } from '../engine/vbd'
import { vmVbdsOfType } from '../engine/vm-devices'
import type { XeContext } from '../cli/context'
import type { XObj } from '../engine/db'

export default verb(
  'vm-cd-eject',
  class extends XeCommand {
    exec(ctx: XeContext): void {
      doDeclaredOp(ctx, (r) => {
        const drives = vmVbdsOfType(ctx.db, r.obj as XObj<'VM'>, 'CD')
        if (drives.length === 0) throw new CliFailure('No CDs found')
        if (drives.length > 1) throw new CliFailure('Two or more CDs found. Please use vbd-eject')
        ejectVbd(ctx.db, drives[0]!)
      })
    }
  },
)
