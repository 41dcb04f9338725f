// xe pool-ha-enable [heartbeat-sr-uuids=<uuid>,…] [ha-config:<k>=<v>]: Pool.enable_ha. Prints nothing.
// Reference: cli_operations.ml pool_ha_enable; xapi_ha.ml enable, xha_statefile.ml.
import { verb, XeCommand } from '../cli/command'
import { enableHa } from '../engine/ha'
import type { XeContext } from '../cli/context'

export default verb(
  'pool-ha-enable',
  class extends XeCommand {
    exec(ctx: XeContext): void {
      const configuration = ctx.params.map('ha-config')
      const uuids = ctx.params.get('heartbeat-sr-uuids')?.split(',') ?? []
      const srs = uuids.map((u) => ctx.db.getByUuid('SR', u))
      enableHa(ctx.db, srs, configuration)
    }
  },
)
