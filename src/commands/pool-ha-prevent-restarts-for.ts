// xe pool-ha-prevent-restarts-for seconds=: Pool.ha_prevent_restarts_for (HA's monitor holds its restarts; allowed
// with HA off too). Prints nothing; `seconds` is read with Int64.of_string (an OCaml Failure otherwise).
// Reference: cli_operations.ml pool_ha_prevent_restarts_for; xapi_ha.ml ha_prevent_restarts_for.
import { verb, XeCommand } from '../cli/command'
import { InternalError } from '../cli/failure'
import { ocamlInt64OfString } from '../cli/enums'
import type { XeContext } from '../cli/context'

export default verb(
  'pool-ha-prevent-restarts-for',
  class extends XeCommand {
    static override mutates = false
    exec(ctx: XeContext): void {
      if (ocamlInt64OfString(ctx.params.req('seconds')) === undefined) throw new InternalError('Failure: Int64.of_string')
    }
  },
)
