// xe pbd-create host-uuid= sr-uuid= [device-config:k=v…]: PBD.create (not plugged); prints its uuid.
// Reference: xe-cli-behaviour.md §9 (pbd-create), xapi-model.md §11.2; cli_operations.ml pbd_create.
import { verb, XeCommand } from '../cli/command'
import { createPbd } from '../engine/pbd'
import type { XeContext } from '../cli/context'

export default verb(
  'pbd-create',
  class extends XeCommand {
    exec(ctx: XeContext): void {
      const p = ctx.params
      const hostUuid = p.req('host-uuid')
      const srUuid = p.req('sr-uuid')
      const deviceConfig = p.map('device-config')
      const host = ctx.db.getByUuid('host', hostUuid)
      const sr = ctx.db.getByUuid('SR', srUuid)
      ctx.out.list([createPbd(ctx.db, host, sr, deviceConfig).f.uuid])
    }
  },
)
