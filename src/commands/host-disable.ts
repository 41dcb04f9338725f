// xe host-disable [auto-enable=<bool>] <host-selectors>: Host.disable on each selected host; prints nothing.
// Reference: xe-cli-behaviour.md §9 (host-evacuate, host-disable); cli_operations.ml host_disable; xapi-model.md §13.
import { verb, XeCommand } from '../cli/command'
import { doDeclaredOp } from '../cli/selectors'
import { disableHost } from '../engine/host-maintenance'
import type { XeContext } from '../cli/context'
import type { XObj } from '../engine/db'

export default verb(
  'host-disable',
  class extends XeCommand {
    exec(ctx: XeContext): void {
      // auto-enable=false: the host stays disabled across reboots until host-enable
      const autoEnable = ctx.params.bool('auto-enable', true)
      doDeclaredOp(ctx, (rec) => disableHost(ctx.db, rec.obj as XObj<'host'>, autoEnable))
    }
  },
)
