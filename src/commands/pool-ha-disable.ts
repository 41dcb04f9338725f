// xe pool-ha-disable: Pool.disable_ha (HA_NOT_ENABLED when off). Prints nothing.
// Reference: cli_operations.ml pool_ha_disable; xapi_ha.ml disable.
import { verb, XeCommand } from '../cli/command'
import { disableHa } from '../engine/ha'
import type { XeContext } from '../cli/context'

export default verb(
  'pool-ha-disable',
  class extends XeCommand {
    exec(ctx: XeContext): void {
      disableHa(ctx.db)
    }
  },
)
