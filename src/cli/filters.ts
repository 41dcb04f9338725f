// Filtering records on fields (cli_operations.ml filter_records_on_fields): exact fields compare the
// rendered value, `map:key=v` and `set:contains=v` look inside, old `map-key=v` forms still work.
import type { Db, XObj } from '../engine/db'
import type { ClassName } from '../engine/model.generated'
import type { Field, Rec, RecordClass } from './records'
import { CliFailure } from './failure'

type Kind = { kind: 'normal'; field: Field } | { kind: 'map' | 'set'; field: Field }

/** get_field_type: resolved against the record class (xe uses the first record's fields). */
export function fieldType(cls: RecordClass, name: string): Kind {
  const exact = cls.field(name)
  if (exact) return { kind: 'normal', field: exact }
  const colon = name.indexOf(':')
  if (colon >= 0) {
    const f = cls.field(name.slice(0, colon))
    if (!f) throw new CliFailure(`Unknown field '${name}'`)
    if (f.isSet) return { kind: 'set', field: f }
    if (f.isMap) return { kind: 'map', field: f }
    throw new CliFailure(`Field '${f.name}' is not a set or map`)
  }
  const longest = (fs: Field[]) => fs.sort((a, b) => b.name.length - a.name.length).find((f) => name.startsWith(f.name + '-'))
  const m = longest(cls.fields.filter((f) => f.isMap))
  if (m) return { kind: 'map', field: m }
  const s = longest(cls.fields.filter((f) => f.isSet))
  if (s) return { kind: 'set', field: s }
  throw new CliFailure(`Unknown field '${name}'`)
}

export function filterRecords(recs: Rec[], [k, v]: [string, string]): Rec[] {
  if (recs.length === 0) return []
  const t = fieldType(recs[0]!.cls, k)
  const ci = !!t.field.spec.ci
  const low = (s: string) => (ci ? s.toLowerCase() : s)
  if (t.kind === 'normal') return recs.filter((r) => low(t.field.get(r)) === low(v))
  const sub = k.slice(t.field.name.length + 1)
  if (t.kind === 'set') {
    if (sub !== 'contains') throw new CliFailure('Invalid syntax for set filtering (should be set-param:contains=key)')
    return recs.filter((r) => {
      try {
        return (t.field.getSet(r) ?? []).some((m) => low(m) === low(v))
      } catch {
        return false
      }
    })
  }
  return recs.filter((r) => {
    try {
      const m = t.field.getMap(r) ?? []
      const e = m.find(([key]) => low(key) === low(sub))
      return e !== undefined && low(e[1]) === low(v)
    } catch {
      return false
    }
  })
}

/** Whether every filter is well formed for the class: filtering then fails on no record, whatever their number. */
export function filtersHold(cls: RecordClass, filters: Array<[string, string]>): boolean {
  return filters.every(([k]) => {
    try {
      const t = fieldType(cls, k)
      return t.kind !== 'set' || k.slice(t.field.name.length + 1) === 'contains'
    } catch {
      return false
    }
  })
}

/**
 * The only objects the filters can keep when one names them — uuid= (the class's own uuid), or name-label= of a VM
 * (the store indexes VMs by name) — found without reading the whole class (a pool of thousands of VMs); undefined:
 * every object may pass. Only when every filter is a field the class knows: an unknown one fails only while records
 * reach it, which depends on how many there are.
 */
export function narrowed(db: Db, cls: RecordClass, filters: Array<[string, string]>): XObj[] | undefined {
  const own = (name: string, field: string) => {
    const api = cls.field(name)?.spec.api
    return api?.length === 1 && api[0]![0] === cls.dmClass && api[0]![1] === field
  }
  const value = (name: string) => filters.find(([k]) => k === name)?.[1]
  const uuid = own('uuid', 'uuid') ? value('uuid') : undefined
  const name = cls.dmClass === 'VM' && own('name-label', 'name_label') ? value('name-label') : undefined
  if ((uuid === undefined && name === undefined) || !filtersHold(cls, filters)) return undefined
  if (uuid !== undefined) {
    const o = db.byUuid(cls.dmClass as ClassName, uuid)
    return o ? [o] : []
  }
  return db.withField('VM', 'name_label', name!)
}
