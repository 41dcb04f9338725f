// What changed between two worlds, object by object: created, destroyed, and fields changed, named as xe
// names them (the CLI field of src/tables/records/*.json whose `api` is the datamodel field; a field
// with no CLI name keeps its datamodel name). Metrics objects (VM_metrics, host_metrics, …) are folded
// into the object that owns them, as xe shows them: VM_metrics.memory_actual is the VM's memory-actual.
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import type BetterSqlite3 from 'better-sqlite3'
import { WorldStateError } from './errors'
import { fieldsOf, hasClass } from './schema'
import { checkVersion, describeStoreError, Store, worldFile } from './store'
import { table, tablesDir } from './tables'
import { withWorld } from './world'
import type { ClassName } from './model.generated'
import { NULL_REF } from './values'

/** One stored object: its class, uuid (if any) and fields as the store keeps them (JSON). */
export interface WorldRow {
  /** its key in the snapshot: the ref, or ref@pool for a ref that an earlier pool holds too (the RBAC roles' refs) */
  key: string
  ref: string
  cls: string
  uuid: string | null
  data: string
}
/** The objects of a world at one moment, in creation order, by key. */
export type WorldSnapshot = Map<string, WorldRow>

export interface FieldChange {
  field: string
  /** The value before (absent: the field did not exist, e.g. guest metrics appeared). */
  before?: string
  after?: string
}
export interface ObjectChange {
  change: 'created' | 'destroyed' | 'changed'
  /** xe's class name (vm, template, snapshot, sr, vdi, …), else the datamodel class. */
  class: string
  uuid: string
  'name-label': string
  ref: string
  /** For changed objects: each field that differs, in the datamodel's order. */
  fields?: FieldChange[]
}

// ---------------------------------------------------------------------------------------------------------
// Reading worlds

/** Every object of an open store (call inside a transaction for a consistent view). */
export function snapshotStore(store: Store): WorldSnapshot {
  const rows = store.db.prepare('SELECT ref, cls, uuid, data, scope FROM objects ORDER BY rowid').all() as Array<Omit<WorldRow, 'key'> & { scope: string }>
  const snapshot: WorldSnapshot = new Map()
  for (const { scope, ...r } of rows) {
    // an object keeps its ref when it moves to another pool (pool-join): the same key in both snapshots
    const key = snapshot.has(r.ref) ? `${r.ref}@${scope}` : r.ref
    snapshot.set(key, { key, ...r })
  }
  return snapshot
}

/** Every object of the world in `home` (a world directory), read in one transaction. */
export function snapshotHome(home: string): Promise<WorldSnapshot> {
  return withWorld(home, false, ({ store }) => snapshotStore(store))
}

/**
 * Every object of a saved world: a file written by `xesim state save`, or a world directory
 * (its world.db). Opened read-only; nothing is created, migrated or written.
 */
export function snapshotFile(path: string): WorldSnapshot {
  if (!existsSync(path)) throw new Error(`${path} does not exist`)
  const file = statSync(path).isDirectory() ? worldFile(path) : path
  if (!existsSync(file)) throw new Error(`${path} holds no xesim world (no ${file})`)
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Database = require('better-sqlite3') as typeof BetterSqlite3
  let store: Store
  try {
    store = new Store(new Database(file, { readonly: true, fileMustExist: true }), file)
  } catch (e) {
    throw new WorldStateError(file, describeStoreError(e))
  }
  try {
    store.begin(false)
    let ok: boolean
    try {
      ok = store.hasSchema()
    } catch (e) {
      throw new WorldStateError(file, describeStoreError(e))
    }
    if (!ok) throw new WorldStateError(file, 'it is not an xesim world (no objects)')
    if (checkVersion(store, false) === 'needs-migration') {
      throw new WorldStateError(file, 'it was written by an older xesim; load it (xesim state load) and save it again')
    }
    return snapshotStore(store)
  } finally {
    store.close()
  }
}

// ---------------------------------------------------------------------------------------------------------
// xe's names for datamodel fields and classes

interface RecordField {
  n: string
  api?: Array<[string, string]>
  d?: 1
}
interface NameTables {
  /** 'VM.name_label' → 'name-label' */
  field: Map<string, string>
  /** datamodel class → xe class (the record whose uuid is that class's uuid) */
  cls: Map<string, string>
}

let names: NameTables | undefined
const norm = (s: string) => s.toLowerCase().replace(/_/g, '-')

/** Builds the datamodel → CLI name tables from the record tables (once). */
function nameTables(): NameTables {
  if (names) return names
  const candidates = new Map<string, Array<{ name: string; own: boolean; deprecated: boolean; order: number }>>()
  const cls = new Map<string, string>()
  let order = 0
  const files = readdirSync(join(tablesDir, 'records')).filter((f) => f.endsWith('.json') && f !== 'index.json').sort()
  for (const f of files) {
    const rec = table<{ class: string; fields: RecordField[] }>(`records/${f}`)
    const own = rec.fields.find((x) => x.n === 'uuid' && x.api?.length === 1)?.api?.[0]?.[0]
    // vm, template and snapshot all show VM; the VM's own flags pick among them (cliClass)
    if (own && !cls.has(own)) cls.set(own, own === 'VM' ? 'vm' : rec.class)
    for (const x of rec.fields) {
      if (x.api?.length !== 1) continue
      const [c, field] = x.api[0]!
      const key = `${c}.${field}`
      const list = candidates.get(key) ?? []
      if (!list.some((l) => l.name === x.n)) list.push({ name: x.n, own: c === own, deprecated: x.d === 1, order: order++ })
      candidates.set(key, list)
    }
  }
  const field = new Map<string, string>()
  for (const [key, list] of candidates) {
    const f = key.slice(key.indexOf('.') + 1)
    const score = (l: (typeof list)[number]) => [
      l.own ? 0 : 1, // the record of the object's own class first (PCI.pci_id is pci's pci-id, not vgpu's pci)
      l.deprecated ? 1 : 0,
      /-uuids?$/.test(l.name) ? 0 : 1, // a reference is named by its uuid field (VBD.VM → vm-uuid)
      norm(l.name) === norm(f) ? 0 : 1, // then the field of the same name (SR.PBDs → PBDs, not host)
      l.order,
    ]
    const best = [...list].sort((a, b) => {
      const sa = score(a)
      const sb = score(b)
      for (let i = 0; i < sa.length; i++) if (sa[i] !== sb[i]) return sa[i]! - sb[i]!
      return 0
    })[0]!
    field.set(key, best.name)
  }
  names = { field, cls }
  return names
}

/** xe's name for a datamodel field (the datamodel name when xe shows it under no name). */
export function cliFieldName(cls: string, field: string): string {
  return nameTables().field.get(`${cls}.${field}`) ?? field
}

/** xe's class for an object: vm, template or snapshot for a VM; the record class; else the datamodel class. */
export function cliClass(cls: string, f: Record<string, unknown>): string {
  if (cls === 'VM') return f.is_a_snapshot ? 'snapshot' : f.is_a_template ? 'template' : 'vm'
  return nameTables().cls.get(cls) ?? cls
}

// ---------------------------------------------------------------------------------------------------------
// Values as text

type Fields = Record<string, unknown>

interface Ctx {
  a: WorldSnapshot
  b: WorldSnapshot
}

/** A reference as xe shows it: the uuid of what it points at, `<not in database>` if null or dangling. */
function renderRef(ctx: Ctx, ref: unknown): string {
  if (typeof ref !== 'string') return String(ref)
  if (ref === NULL_REF || ref === '') return '<not in database>'
  const row = ctx.b.get(ref) ?? ctx.a.get(ref)
  if (!row) return '<not in database>'
  return row.uuid ?? ref
}

function renderValue(ctx: Ctx, type: string | undefined, v: unknown): string {
  if (v === undefined || v === null) return ''
  if (type?.endsWith(' ref')) return renderRef(ctx, v)
  if (type?.endsWith(' set') && Array.isArray(v)) {
    const elem = type.slice(0, -4)
    return v.map((x) => renderValue(ctx, elem, x)).join('; ')
  }
  if (type?.endsWith(' map') && Array.isArray(v)) {
    const m = /^\((.*) -> (.*)\) map$/.exec(type)
    return v.map((p) => {
      const [k, x] = p as [unknown, unknown]
      return `${renderValue(ctx, m?.[1], k)}: ${renderValue(ctx, m?.[2], x)}`
    }).join('; ')
  }
  if (Array.isArray(v)) {
    // a class the datamodel table does not describe: pairs are a map, anything else a set
    if (v.every((p) => Array.isArray(p) && p.length === 2)) return v.map((p) => `${renderValue(ctx, undefined, p[0])}: ${renderValue(ctx, undefined, p[1])}`).join('; ')
    return v.map((x) => renderValue(ctx, undefined, x)).join('; ')
  }
  if (typeof v === 'string' && v.startsWith('OpaqueRef:')) return renderRef(ctx, v)
  return String(v)
}

// ---------------------------------------------------------------------------------------------------------
// Flattened records: an object with its metrics folded in

interface FieldDesc {
  name: string
  type?: string
}
const typesCache = new Map<string, FieldDesc[] | undefined>()
function describedFields(cls: string): FieldDesc[] | undefined {
  if (!typesCache.has(cls)) typesCache.set(cls, hasClass(cls) ? fieldsOf(cls as ClassName).map((d) => ({ name: d.name, type: d.type })) : undefined)
  return typesCache.get(cls)
}

/** The fields of an object in a stable order: the datamodel's, then any the table does not list. */
function orderedFields(cls: string, f: Fields): FieldDesc[] {
  const known = describedFields(cls) ?? []
  const seen = new Set(known.map((d) => d.name))
  return [...known.filter((d) => d.name in f), ...Object.keys(f).filter((k) => !seen.has(k)).map((name) => ({ name }))]
}

/** The fields of a class that point at its metrics objects (VM.metrics, VM.guest_metrics, host.metrics, …). */
function metricsFields(cls: string): FieldDesc[] {
  return (describedFields(cls) ?? []).filter((d) => /_metrics ref$/.test(d.type ?? ''))
}

interface Parsed {
  row: WorldRow
  f: Fields
}
function parse(cache: Map<string, Fields>, row: WorldRow): Parsed {
  let f = cache.get(row.key)
  if (!f) {
    f = JSON.parse(row.data) as Fields
    cache.set(row.key, f)
  }
  return { row, f }
}

/** The refs of the metrics objects that an owner in this world holds (they are reported with it). */
function ownedMetrics(world: WorldSnapshot, cache: Map<string, Fields>): Set<string> {
  const owned = new Set<string>()
  for (const row of world.values()) {
    const mf = metricsFields(row.cls)
    if (mf.length === 0) continue
    const { f } = parse(cache, row)
    for (const d of mf) {
      const r = f[d.name]
      if (typeof r === 'string' && world.has(r)) owned.add(r)
    }
  }
  return owned
}

/** An object's fields as xe names and shows them, with those of its metrics objects folded in. */
function flatten(ctx: Ctx, world: WorldSnapshot, cache: Map<string, Fields>, p: Parsed): Map<string, string> {
  const out = new Map<string, string>()
  const put = (name: string, v: string) => {
    if (!out.has(name)) out.set(name, v)
  }
  const folded = new Set(metricsFields(p.row.cls).map((d) => d.name))
  for (const d of orderedFields(p.row.cls, p.f)) {
    if (folded.has(d.name)) continue
    put(cliFieldName(p.row.cls, d.name), renderValue(ctx, d.type, p.f[d.name]))
  }
  for (const holder of folded) {
    const ref = p.f[holder]
    const m = typeof ref === 'string' ? world.get(ref) : undefined
    if (!m) continue
    const mp = parse(cache, m)
    for (const d of orderedFields(m.cls, mp.f)) {
      if (d.name === 'uuid') continue
      const cli = nameTables().field.get(`${m.cls}.${d.name}`)
      // a metrics field xe does not show, or whose name the owner already uses: holder.field
      put(cli && !out.has(cli) ? cli : `${holder}.${d.name}`, renderValue(ctx, d.type, mp.f[d.name]))
    }
  }
  return out
}

/** Whether anything of an object (itself or one of its metrics objects) differs between the worlds. */
function touched(ctx: Ctx, before: WorldRow, after: WorldRow, fb: Map<string, Fields>): boolean {
  if (before.data !== after.data) return true
  for (const d of metricsFields(after.cls)) {
    const ref = parse(fb, after).f[d.name]
    if (typeof ref !== 'string') continue
    const ma = ctx.a.get(ref)
    const mb = ctx.b.get(ref)
    if (!ma || !mb || ma.data !== mb.data) return true
  }
  return false
}

function label(f: Fields): string {
  for (const k of ['name_label', 'name']) if (typeof f[k] === 'string') return f[k] as string
  return ''
}

/**
 * What changed from world `a` to world `b`: the objects created (in creation order), changed, then
 * destroyed. Metrics objects are reported as fields of their owners.
 */
export function diffWorlds(a: WorldSnapshot, b: WorldSnapshot): ObjectChange[] {
  const ctx: Ctx = { a, b }
  const fa = new Map<string, Fields>()
  const fb = new Map<string, Fields>()
  const ownedA = ownedMetrics(a, fa)
  const ownedB = ownedMetrics(b, fb)
  const created: ObjectChange[] = []
  const changed: ObjectChange[] = []
  const destroyed: ObjectChange[] = []
  const entry = (change: ObjectChange['change'], p: Parsed): ObjectChange => ({
    change,
    class: cliClass(p.row.cls, p.f),
    uuid: p.row.uuid ?? '',
    'name-label': label(p.f),
    ref: p.row.ref,
  })
  for (const row of b.values()) {
    const old = a.get(row.key)
    if (!old) {
      if (!ownedB.has(row.ref)) created.push(entry('created', parse(fb, row)))
      continue
    }
    if (ownedB.has(row.ref) && ownedA.has(row.ref)) continue // reported with its owner
    if (!touched(ctx, old, row, fb)) continue
    const before = flatten(ctx, a, fa, parse(fa, old))
    const after = flatten(ctx, b, fb, parse(fb, row))
    const fields: FieldChange[] = []
    for (const [name, v] of after) {
      if (!before.has(name)) fields.push({ field: name, after: v })
      else if (before.get(name) !== v) fields.push({ field: name, before: before.get(name), after: v })
    }
    for (const [name, v] of before) if (!after.has(name)) fields.push({ field: name, before: v })
    if (fields.length > 0) changed.push({ ...entry('changed', parse(fb, row)), fields })
  }
  for (const row of a.values()) {
    if (b.has(row.key) || ownedA.has(row.ref)) continue
    destroyed.push(entry('destroyed', parse(fa, row)))
  }
  return [...created, ...changed, ...destroyed]
}

/** Counts of a diff, for summaries. */
export function diffSummary(changes: ObjectChange[]): { created: number; changed: number; destroyed: number } {
  const n = { created: 0, changed: 0, destroyed: 0 }
  for (const c of changes) n[c.change]++
  return n
}
