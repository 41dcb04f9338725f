// xe host-enable <host-selectors>: removes other-config:MAINTENANCE_MODE (the GUI's maintenance-mode key), then
// Host.enable on each selected host; prints nothing.
// Reference: xe-cli-behaviour.md §9 (host-evacuate, host-enable); cli_operations.ml host_enable; xapi-model.md §13.
import { verb, XeCommand } from '../cli/command'
import { doDeclaredOp } from '../cli/selectors'
import { enableHost } from '../engine/host-maintenance'
import { mapDel } from '../engine/values'
import type { XeContext } from '../cli/context'
import type { XObj } from '../engine/db'

export default verb(
  'host-enable',
  class extends XeCommand {
    exec(ctx: XeContext): void {
      doDeclaredOp(ctx, (rec) => {
        const host = rec.obj as XObj<'host'>
        if (host.f.other_config.some(([k]) => k === 'MAINTENANCE_MODE')) ctx.db.set(host, { other_config: mapDel(host.f.other_config, 'MAINTENANCE_MODE') })
        enableHost(ctx.db, host)
      })
    }
  },
)
