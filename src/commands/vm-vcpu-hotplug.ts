// xe vm-vcpu-hotplug new-vcpus=<n> <vm-selectors>: VM.set_VCPUs_number_live; prints nothing. new-vcpus is read with
// Int64.of_string before any VM is selected. Reference: cli_operations.ml vm_vcpu_hotplug; xapi-model.md §4.
import { verb, XeCommand } from '../cli/command'
import { parseInt64Big } from '../cli/enums'
import { doDeclaredOp } from '../cli/selectors'
import { vmOf } from '../cli/vm-power'
import { setVcpusNumberLive } from '../engine/vm-memory'
import type { XeContext } from '../cli/context'

export default verb(
  'vm-vcpu-hotplug',
  class extends XeCommand {
    exec(ctx: XeContext): void {
      const n = Number(parseInt64Big('new-vcpus', ctx.params.req('new-vcpus')))
      doDeclaredOp(ctx, (rec) => setVcpusNumberLive(ctx.db, vmOf(rec), n))
    }
  },
)
