// Work a writing command does before it takes the world's write lock (issue 6): the data tables it will read are
// parsed first, so that parallel writers hold the lock (one at a time) for less time. Nothing here changes what a
// command does; a table it turns out not to need costs a parse.
import { table } from '../engine/tables'
import { fieldsOf } from '../engine/schema'
import type { CommandSpec } from './spec'

export function beforeWriteLock(spec: CommandSpec): void {
  table('hooked.json')
  if (spec.class) {
    try {
      fieldsOf((require('./records') as typeof import('./records')).recordClass(spec.class).dmClass)
    } catch {
      // no record table for this class: the command will say so
    }
  }
}
