// xe vlan-destroy uuid=: VLAN.destroy; a uuid that is not a VLAN's may be a VLAN PIF's (PIF.destroy), as with Rio.
// Prints nothing. Reference: xe-cli-behaviour.md §9 (vlan-destroy), xapi-model.md §12; cli_operations.ml vlan_destroy.
import { verb, XeCommand } from '../cli/command'
import { XapiError } from '../engine/errors'
import { destroyVlan, destroyVlanPif } from '../engine/vlan'
import type { XeContext } from '../cli/context'

export default verb(
  'vlan-destroy',
  class extends XeCommand {
    exec(ctx: XeContext): void {
      const uuid = ctx.params.req('uuid')
      try {
        destroyVlan(ctx.db, ctx.db.getByUuid('VLAN', uuid))
      } catch (e) {
        if (e instanceof XapiError && (e.code === 'HANDLE_INVALID' || e.code === 'HOST_OFFLINE')) throw e
        const pif = ctx.db.byUuid('PIF', uuid)
        if (!pif) throw e
        destroyVlanPif(ctx.db, pif)
      }
    }
  },
)
