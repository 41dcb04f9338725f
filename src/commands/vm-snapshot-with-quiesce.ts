// xe vm-snapshot-with-quiesce new-name-label=<name> <vm-selectors>: VM.snapshot_with_quiesce was removed from
// the API (datamodel_vm.ml: "VSS support has been removed"), so xapi answers every call with MESSAGE_REMOVED
// ("This function is no longer available."), once the VMs are selected.
// Reference: xe-cli-behaviour.md §9 (vm-snapshot-with-quiesce), §2.2.
import { verb, XeCommand } from '../cli/command'
import { cloneAux } from '../cli/vm-copies'
import { XapiError } from '../engine/errors'
import type { XeContext } from '../cli/context'

export default verb(
  'vm-snapshot-with-quiesce',
  class extends XeCommand {
    exec(ctx: XeContext): void {
      cloneAux(ctx, () => {
        throw new XapiError('MESSAGE_REMOVED', [])
      })
    }
  },
)
