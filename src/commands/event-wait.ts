// xe event-wait class=<c> [field=value | field=/=value …]: returns as soon as any object of the class
// satisfies every condition (rendered CLI values), now or after another process's change.
// Reference: xe-cli-behaviour.md §9 (event-wait); cli_operations.ml event_wait / event_wait_gen.
import { verb, XeCommand } from '../cli/command'
import { CliFailure } from '../cli/failure'
import { STDPARAMS } from '../cli/params'
import { recordClass } from '../cli/records'
import { waitForWorld } from '../engine/world'
import type { XeContext } from '../cli/context'

const CLASSES = ['vm', 'vdi', 'sr', 'host', 'network', 'vif', 'pif', 'vbd', 'pbd', 'pool', 'task', 'subject', 'role', 'secret', 'vmss']

export default verb(
  'event-wait',
  class EventWait extends XeCommand {
    static override mutates = false
    static override ownTransactions = true

    async exec(ctx: XeContext): Promise<void> {
      const name = ctx.params.req('class')
      const conds = ctx.params.list
        .filter(([k]) => k !== 'class' && !STDPARAMS.includes(k))
        .map(([k, v]) => (v.startsWith('/=') ? { k, v: v.slice(2), eq: false } : { k, v, eq: true }))
      if (!CLASSES.includes(name)) throw new CliFailure(`Cli listening for class '${name}' not currently implemented`)
      const cls = recordClass(name)
      await waitForWorld(ctx.home, (db) =>
        db.all(cls.dmClass).some((o) => {
          const rec = cls.rec(db, o)
          // every condition is evaluated (xe maps over all of them), so a missing key fails on the first record
          const results = conds.map(({ k, v, eq }) => {
            const f = cls.field(k)
            if (!f) throw new CliFailure(`key missing: ${k}`)
            return (f.get(rec) === v) === eq
          })
          return results.every(Boolean)
        }),
      )
    }
  },
)
