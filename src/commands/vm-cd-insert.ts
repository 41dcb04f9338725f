// xe vm-cd-insert cd-name=<ISO name> <vm-selectors>: puts the (unique) ISO of that name into the VM's (only) empty
// CD drive. Reference: xe-cli-behaviour.md §9 (CD commands); cli_operations.ml vm_cd_insert.
import { verb, XeCommand } from '../cli/command'
import { CliFailure } from '../cli/failure'
import { doDeclaredOp } from '../cli/selectors'
import { XapiError } from '../engine/errors'
import { insertVbd } from '../engine/vbd'
import { emptyCdVbds, isoVdisNamed } from '../engine/vm-devices'
import type { XeContext } from '../cli/context'
import type { XObj } from '../engine/db'

export default verb(
  'vm-cd-insert',
  class extends XeCommand {
    exec(ctx: XeContext): void {
      const name = ctx.params.req('cd-name')
      const cds = isoVdisNamed(ctx.db, name)
      if (cds.length === 0) throw new CliFailure(`CD ${name} not found`)
      if (cds.length > 1) throw new CliFailure(`Multiple CDs named ${name} found. Please use vbd-insert and specify uuids`)
      doDeclaredOp(ctx, (r) => {
        const vm = r.obj as XObj<'VM'>
        const drives = emptyCdVbds(ctx.db, vm)
        if (drives.length === 0) throw new XapiError('VM_NO_EMPTY_CD_VBD', [vm.ref])
        if (drives.length > 1) throw new CliFailure('Two or more empty CD devices found. Please use vbd-insert')
        insertVbd(ctx.db, drives[0]!, cds[0]!)
      })
    }
  },
)
