// xe cd-list [params=…]: the VDIs of every SR whose content-type is iso (uuid and name-label by default).
// Reference: xe-cli-behaviour.md §9 (CD commands), §1.3; cli_operations.ml cd_list.
import { verb, XeCommand } from '../cli/command'
import { selectRecord } from '../cli/device-lists'
import { recordClass } from '../cli/records'
import { isoVdis } from '../engine/vm-devices'
import type { XeContext } from '../cli/context'

export default verb(
  'cd-list',
  class extends XeCommand {
    static override mutates = false
    exec(ctx: XeContext): void {
      const cls = recordClass('vdi')
      ctx.out.table(isoVdis(ctx.db).map((v) => selectRecord(cls.rec(ctx.db, v), ctx.params.list, ['name-label', 'uuid'])))
    }
  },
)
