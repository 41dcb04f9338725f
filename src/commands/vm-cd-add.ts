// xe vm-cd-add cd-name=<ISO name> device=<userdevice> <vm-selectors>: a read-only CD VBD holding the first ISO-SR
// VDI of that name, hot-plugged when possible. Reference: xe-cli-behaviour.md §9 (CD commands), xapi-model.md §9;
// cli_operations.ml vm_cd_add.
import { verb, XeCommand } from '../cli/command'
import { CliFailure } from '../cli/failure'
import { doDeclaredOp } from '../cli/selectors'
import { addVmCd, isoVdisNamed } from '../engine/vm-devices'
import type { XeContext } from '../cli/context'
import type { XObj } from '../engine/db'

export default verb(
  'vm-cd-add',
  class extends XeCommand {
    exec(ctx: XeContext): void {
      const name = ctx.params.req('cd-name')
      const cd = isoVdisNamed(ctx.db, name)[0]
      if (!cd) throw new CliFailure(`CD ${name} not found!`)
      doDeclaredOp(ctx, (r) => addVmCd(ctx.db, r.obj as XObj<'VM'>, cd, ctx.params.req('device')))
    }
  },
)
