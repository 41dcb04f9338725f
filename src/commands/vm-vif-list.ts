// xe vm-vif-list [params=…] <vm-selectors>: the VIFs of every selected VM (--multiple is implied), one table per VM.
// Reference: xe-cli-behaviour.md §2.2 (vm-vif-list forces --multiple), §1.3; cli_operations.ml vm_vif_list.
import { verb, XeCommand } from '../cli/command'
import { selectRecord } from '../cli/device-lists'
import { Params } from '../cli/params'
import { recordClass } from '../cli/records'
import { doDeclaredOp } from '../cli/selectors'
import { vmVifs } from '../engine/vm-devices'
import type { XeContext } from '../cli/context'
import type { XObj } from '../engine/db'

const DEFAULTS = ['uuid', 'device', 'MAC', 'network-uuid', 'network-name-label', 'vm-name-label']

export default verb(
  'vm-vif-list',
  class extends XeCommand {
    static override mutates = false
    exec(ctx: XeContext): void {
      const cls = recordClass('vif')
      const multiple: XeContext = { ...ctx, params: new Params([['multiple', 'true'], ...ctx.params.list]) }
      doDeclaredOp(multiple, (r) => {
        const vifs = vmVifs(ctx.db, r.obj as XObj<'VM'>)
        ctx.out.table(vifs.map((v) => selectRecord(cls.rec(ctx.db, v), ctx.params.list, DEFAULTS)))
      })
    }
  },
)
