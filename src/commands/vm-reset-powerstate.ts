// xe vm-reset-powerstate --force <vm-selectors>: VM.power_state_reset; without --force the no_force_msg.
// Prints nothing. Reference: xe-cli-behaviour.md §4 (no_force_msg); cli_operations.ml vm_reset_powerstate;
// xapi-model.md §4 (power_state_reset).
import { verb, XeCommand } from '../cli/command'
import { CliFailure } from '../cli/failure'
import { doDeclaredOp } from '../cli/selectors'
import { vmOf } from '../cli/vm-power'
import { powerStateReset } from '../engine/vm-power'
import type { XeContext } from '../cli/context'

const NO_FORCE_MSG = 'This operation is dangerous and may cause data loss. This operation must be forced (use --force).'

export default verb(
  'vm-reset-powerstate',
  class extends XeCommand {
    exec(ctx: XeContext): void {
      if (!ctx.params.bool('force')) throw new CliFailure(NO_FORCE_MSG)
      doDeclaredOp(ctx, (rec) => powerStateReset(ctx.db, vmOf(rec)))
    }
  },
)
