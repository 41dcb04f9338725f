// xe host-get-vms-which-prevent-evacuation uuid=: for every VM that keeps the host from being evacuated, a table
// of its uuid, name-label and `reason` (the error code and its parameters, comma-joined, references raw);
// params= picks other VM fields (reason is the extra last field). Prints nothing when the host can be evacuated.
// Reference: cli_operations.ml host_get_vms_which_prevent_evacuation; xapi_host.ml compute_evacuation_plan_no_wlb.
import { verb, XeCommand } from '../cli/command'
import { recordClass } from '../cli/records'
import { vmsWhichPreventEvacuation } from '../engine/vm-migrate'
import type { XeContext } from '../cli/context'

export default verb(
  'host-get-vms-which-prevent-evacuation',
  class extends XeCommand {
    static override mutates = false
    exec(ctx: XeContext): void {
      const host = ctx.db.getByUuid('host', ctx.params.req('uuid'))
      const cls = recordClass('vm')
      const p = ctx.params.list.find(([k]) => k === 'params')?.[1]
      const want = p === undefined ? ['uuid', 'name-label', 'reason'] : p === 'all' ? undefined : p.split(',')
      for (const [vm, error] of vmsWhichPreventEvacuation(ctx.db, host)) {
        const rec = cls.rec(ctx.db, vm)
        const fields: Array<[string, string]> = cls.fields.filter((f) => !want || want.includes(f.name)).map((f) => [f.key, f.get(rec)])
        if (!want || want.includes('reason')) fields.push(['reason ( RO)', error.join(',')])
        ctx.out.table([fields])
      }
    }
  },
)
