// xe vm-destroy uuid=<vm>: VM.destroy (the VM's disks stay); control domains are refused by the CLI itself.
// Prints nothing. Reference: xe-cli-behaviour.md §9 (vm-destroy), xapi-model.md §3.
import { verb, XeCommand } from '../cli/command'
import { XapiError } from '../engine/errors'
import { destroyVm } from '../engine/vm-destroy'
import type { XeContext } from '../cli/context'

export default verb(
  'vm-destroy',
  class extends XeCommand {
    exec(ctx: XeContext): void {
      const vm = ctx.db.getByUuid('VM', ctx.params.req('uuid'))
      if (vm.f.is_control_domain) throw new XapiError('OPERATION_NOT_ALLOWED', ['You cannot destroy a control domain via the CLI'])
      destroyVm(ctx.db, vm)
    }
  },
)
