// The generated per-class commands (cli_operations.ml make_param_funs): <class>-list, -param-list,
// -param-get, -param-set, -param-add, -param-remove, -param-clear, for every record class.
import type { XObj } from '../engine/db'
import { CliFailure, MissingParam } from './failure'
import { filterRecords, fieldType, narrowed } from './filters'
import { STDPARAMS } from './params'
import { recordClass, type Field, type Rec, type RecordClass } from './records'
import type { XeContext } from './context'

export type FamilyVerb = 'list' | 'param-list' | 'param-get' | 'param-set' | 'param-add' | 'param-remove' | 'param-clear'
export const FAMILY_VERBS: FamilyVerb[] = ['list', 'param-list', 'param-get', 'param-set', 'param-add', 'param-remove', 'param-clear']

/**
 * The objects a class lists (getall_expr: "true", except role: subroles<>[]); given the filters about to be applied,
 * only those that can pass them when a filter names them (filters.ts narrowed).
 */
function allObjects(ctx: XeContext, cls: RecordClass, filters?: Array<[string, string]>): XObj[] {
  const objs = (filters && narrowed(ctx.db, cls, filters)) ?? ctx.db.all(cls.dmClass)
  if (cls.name === 'role') return objs.filter((o) => ((o.f as { subroles?: string[] }).subroles ?? []).length > 0)
  return objs
}

function byUuid(ctx: XeContext, cls: RecordClass): Rec {
  return cls.rec(ctx.db, ctx.db.getByUuid(cls.dmClass, ctx.params.req('uuid')))
}
function lookup(cls: RecordClass, name: string): Field {
  const f = cls.field(name)
  if (!f) throw new MissingParam(name)
  return f
}
const printed = (rec: Rec, f: Field, expensiveAsMarker: boolean): [string, string] => [
  f.key,
  expensiveAsMarker && f.expensive ? '<expensive field>' : f.get(rec),
]

function list(ctx: XeContext, cls: RecordClass): void {
  const p = ctx.params
  const db = p.map('database')
  if (db.some(([k]) => k === 'vdi-uuid') && db.some(([k]) => k === 'filename')) throw new CliFailure('xapi can query a DB vdi or a DB file, but not both.')
  const filters = [...cls.table.filters, ...p.list.filter(([k]) => k !== 'params' && !STDPARAMS.includes(k) && !k.startsWith('database:'))]
  // --all lists every object whatever the filters
  const all = allObjects(ctx, cls, p.has('all') ? undefined : filters).map((o) => cls.rec(ctx.db, o))
  let recs = all
  for (const f of filters) recs = filterRecords(recs, f)
  const shown = p.bool('all') ? all : recs
  const want = p.has('params') ? (p.get('params') === 'all' ? [] : p.get('params')!.split(',')) : cls.table.defaults
  const fields = cls.fields.filter((f) => !f.hidden && (want.length === 0 || want.includes(f.name)))
  ctx.out.table(shown.map((r) => fields.map((f) => printed(r, f, true))))
}

function paramList(ctx: XeContext, cls: RecordClass): void {
  const rec = byUuid(ctx, cls)
  ctx.out.table([cls.fields.filter((f) => !f.hidden).map((f) => printed(rec, f, false))])
}

function paramGet(ctx: XeContext, cls: RecordClass): void {
  const rec = byUuid(ctx, cls)
  const f = lookup(cls, ctx.params.req('param-name'))
  const key = ctx.params.get('param-key')
  if (key !== undefined && f.isMap) {
    const e = (f.getMap(rec) ?? []).find(([k]) => k === key)
    if (!e) throw new CliFailure(`Key ${key} not found in map`)
    ctx.out.list([e[1]])
  } else ctx.out.list([f.get(rec)])
}

function paramSet(ctx: XeContext, cls: RecordClass): void {
  const rec = byUuid(ctx, cls)
  const setMaps = new Map<Field, Array<[string, string]>>()
  for (const [k, v] of ctx.params.list) {
    if (k === 'uuid' || STDPARAMS.includes(k)) continue
    const t = fieldType(cls, k)
    if (t.kind === 'map') {
      const f = t.field
      const key = k.slice(f.name.length + 1)
      if (f.hasSetInMap) f.addToMap(rec, key, v)
      else if (f.hasSetMap) setMaps.set(f, [[key, v], ...(setMaps.get(f) ?? [])])
      else {
        if (!f.canAddToMap) throw new CliFailure(`Map field '${f.name}' is read-only.`)
        if ((f.getMap(rec) ?? []).some(([x]) => x === key)) f.removeFromMap(rec, key)
        f.addToMap(rec, key, v)
      }
    } else if (t.kind === 'set') throw new CliFailure('Cannot param-set on set fields')
    else {
      const f = t.field
      if (!f.canSet) throw new CliFailure(f.canAddToMap ? `Field '${k}' is a map or set. use the 'name:key=value' syntax.` : `Field '${k}' is read-only.`)
      f.set(rec, v)
    }
  }
  for (const [f, pairs] of setMaps) f.setMap(rec, pairs)
}

function paramAdd(ctx: XeContext, cls: RecordClass): void {
  const rec = byUuid(ctx, cls)
  const p = ctx.params
  const f = lookup(cls, p.req('param-name'))
  if (f.canAddToSet) {
    const key = p.get('param-key')
    if (key === undefined) throw new CliFailure('When adding a key to a set, use the syntax: *-param-add param-name=<name> param-key=<key>')
    f.addToSet(rec, key)
  } else if (f.canAddToMap) {
    for (const [k, v] of p.list) if (!['uuid', 'param-name', 'param-key', ...STDPARAMS].includes(k)) f.addToMap(rec, k, v)
  } else if (f.isSet || f.isMap) throw new CliFailure('Parameter is read-only')
  else throw new CliFailure('Can only add to parameters of type Set or Map')
}

function paramRemove(ctx: XeContext, cls: RecordClass): void {
  const rec = byUuid(ctx, cls)
  const f = lookup(cls, ctx.params.req('param-name'))
  const key = ctx.params.req('param-key')
  if (f.canRemoveFromSet) {
    if (!(f.getSet(rec) ?? []).includes(key)) throw new CliFailure(`Key ${key} is not in the set`)
    f.removeFromSet(rec, key)
  } else if (f.canRemoveFromMap) {
    if (!(f.getMap(rec) ?? []).some(([k]) => k === key)) throw new CliFailure(`Key ${key} is not in map`)
    f.removeFromMap(rec, key)
  } else if (f.isSet || f.isMap) throw new CliFailure('Cannot remove parameters from read-only map')
  else throw new CliFailure('Can only remove from parameters of type Set or Map')
}

function paramClear(ctx: XeContext, cls: RecordClass): void {
  const rec = byUuid(ctx, cls)
  const f = lookup(cls, ctx.params.req('param-name'))
  if (f.canRemoveFromSet) for (const m of f.getSet(rec) ?? []) f.removeFromSet(rec, m)
  else if (f.hasClearMap || f.hasSetMap) f.setMap(rec, [])
  else if (f.canRemoveFromMap) for (const [k] of f.getMap(rec) ?? []) f.removeFromMap(rec, k)
  else if (f.canSet) {
    try {
      f.set(rec, '')
    } catch {
      throw new CliFailure('Cannot clear this parameter')
    }
  } else throw new CliFailure('Can only clear RW parameters')
}

const IMPL: Record<FamilyVerb, (ctx: XeContext, cls: RecordClass) => void> = {
  list, 'param-list': paramList, 'param-get': paramGet, 'param-set': paramSet,
  'param-add': paramAdd, 'param-remove': paramRemove, 'param-clear': paramClear,
}

export function runFamily(ctx: XeContext, cls: string, verb: FamilyVerb): void {
  IMPL[verb](ctx, recordClass(cls))
}
export const familyMutates = (verb: FamilyVerb) => !['list', 'param-list', 'param-get'].includes(verb)
