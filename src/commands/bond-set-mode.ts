// xe bond-set-mode uuid= mode=: Bond.set_mode (the properties follow the mode). Prints nothing.
// Reference: xe-cli-behaviour.md §9 (bond-create: modes), xapi-model.md §12; cli_operations.ml bond_set_mode.
import { verb, XeCommand } from '../cli/command'
import { parseEnum } from '../cli/enums'
import { setBondMode, type BondMode } from '../engine/bond'
import type { XeContext } from '../cli/context'

export default verb(
  'bond-set-mode',
  class extends XeCommand {
    exec(ctx: XeContext): void {
      const bond = ctx.db.getByUuid('Bond', ctx.params.req('uuid'))
      const mode = parseEnum('Record_util.bond_mode_of_string', ctx.params.get('mode') ?? '') as BondMode
      setBondMode(ctx.db, bond, mode)
    }
  },
)
