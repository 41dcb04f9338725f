// xe vm-resume [on=<host>] [force=<bool>] [progress] <vm-selectors>: VM.resume_on the named host, else VM.resume
// (placement; NO_HOSTS_AVAILABLE prints the per-host table first). xe always resumes unpaused. Prints nothing.
// Reference: cli_operations.ml vm_resume; xe-cli-behaviour.md §9 (vm-start's table); xapi-model.md §4, §5.5.
import { verb, XeCommand } from '../cli/command'
import { doDeclaredOp } from '../cli/selectors'
import { hookNoHostsAvailable, hostByNameOrId, vmOf, waiter } from '../cli/vm-power'
import { resumeVm } from '../engine/vm-power'
import type { XeContext } from '../cli/context'

export default verb(
  'vm-resume',
  class extends XeCommand {
    exec(ctx: XeContext): void {
      const force = ctx.params.bool('force')
      doDeclaredOp(ctx, (rec) => {
        const vm = vmOf(rec)
        const on = ctx.params.get('on')
        if (on !== undefined) {
          const host = hostByNameOrId(ctx, on)
          waiter(ctx, () => resumeVm(ctx.db, vm, { host, force }))
        } else hookNoHostsAvailable(ctx, vm, () => waiter(ctx, () => resumeVm(ctx.db, vm, { force })))
      })
    }
  },
)
