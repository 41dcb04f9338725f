// xe vif-unplug uuid= [--force]: hot-unplugs the VIF (VIF.unplug_force with --force, checked alike). Prints nothing.
// Reference: xe-cli-behaviour.md §9 (vif-unplug), xapi-model.md §10; cli_operations.ml vif_unplug.
import { verb, XeCommand } from '../cli/command'
import { unplugVif } from '../engine/vif'
import type { XeContext } from '../cli/context'

export default verb(
  'vif-unplug',
  class extends XeCommand {
    exec(ctx: XeContext): void {
      const vif = ctx.db.getByUuid('VIF', ctx.params.req('uuid'))
      ctx.params.bool('force') // parsed like any boolean; VIF.unplug_force is checked and done as VIF.unplug
      unplugVif(ctx.db, vif)
    }
  },
)
