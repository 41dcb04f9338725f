// xe vm-cd-remove cd-name=<ISO name | <EMPTY>> <vm-selectors>: destroys the first VBD of the VM holding that ISO
// (or an empty one for "<EMPTY>"); the ISO stays. Reference: xe-cli-behaviour.md §9 (CD commands);
// cli_operations.ml vm_cd_remove.
import { verb, XeCommand } from '../cli/command'
import { CliFailure } from '../cli/failure'
import { doDeclaredOp } from '../cli/selectors'
import { destroyVbd } from '../engine/vbd'
import { vmVbdsForCdName } from '../engine/vm-devices'
import type { XeContext } from '../cli/context'
import type { XObj } from '../engine/db'

export default verb(
  'vm-cd-remove',
  class extends XeCommand {
    exec(ctx: XeContext): void {
      const name = ctx.params.req('cd-name')
      doDeclaredOp(ctx, (r) => {
        const vbd = vmVbdsForCdName(ctx.db, r.obj as XObj<'VM'>, name)[0]
        if (!vbd) throw new CliFailure('Disk not found')
        destroyVbd(ctx.db, vbd)
      })
    }
  },
)
