// Record classes, table-driven (records.ml as data): each CLI field of src/tables/records/<class>.json
// becomes getters/setters over the engine object it names (api: [datamodel class, field]).
// Behaviour that the table cannot express lives in hooks/ (one module per group of classes, loaded on demand).
import type { Db, XObj } from '../engine/db'
import type { ClassName } from '../engine/model.generated'
import { table } from '../engine/tables'
import { classNames, fieldsOf, hasClass } from '../engine/schema'
import { addToMap, addToSet, removeFromMap, removeFromSet, setField } from '../engine/fields'
import { XapiError } from '../engine/errors'
import { NULL_REF, mapGet, type Ref, type XMap } from '../engine/values'
import { renderEnum, xeFloat } from './enums'
import { parseSetValue } from './parse'
import type { Hook } from './hooks/util'

export interface FieldSpec {
  n: string
  k: 'scalar' | 'map' | 'set'
  a: string
  r: string
  rw?: 1
  h?: 1
  x?: 1
  d?: 1
  add?: 1
  rm?: 1
  c?: string
  sp?: string
  psk?: string
  sk?: string[]
  sv?: string[]
  ci?: 1
  api?: Array<[string, string]>
}
export interface ClassTable {
  class: string
  filters: Array<[string, string]>
  defaults: string[]
  allByDefault: boolean
  fields: FieldSpec[]
}

/** How a record reaches the other objects its fields show (VM → VM_metrics, PIF → PIF_metrics, …). */
const RELATED: Record<string, string> = {
  'VM>VM_metrics': 'metrics', 'VM>VM_guest_metrics': 'guest_metrics', 'host>host_metrics': 'metrics',
  'PIF>PIF_metrics': 'metrics', 'PGPU>PCI': 'PCI', 'VGPU>PCI': 'PCI', 'Driver_variant>Host_driver': 'driver',
  'VIF>VIF_metrics': 'metrics', 'VBD>VBD_metrics': 'metrics',
}

/** The context a field operates in: one record (an engine object) of one CLI class. */
export interface Rec {
  db: Db
  obj: XObj
  cls: RecordClass
}

/** A field with xe's capabilities (records.ml `field`): which of get_set/get_map/set/add… exist. */
export class Field {
  readonly isSet: boolean
  readonly isMap: boolean
  private hookCache: Hook | undefined
  constructor(readonly spec: FieldSpec, readonly dmClass: string) {
    this.isSet = spec.k === 'set'
    this.isMap = spec.k === 'map'
  }
  /** The field's hook, loading the hooks module only for fields that have one (hooked.json, from the build). */
  get hook(): Hook {
    if (this.hookCache === undefined) this.hookCache = hasHook(this.dmClass, this.spec.n) ? (hooksOf(this.dmClass)[this.spec.n] ?? {}) : {}
    return this.hookCache
  }
  get canSet(): boolean {
    return !!this.spec.rw || !!this.hook.set
  }
  get name(): string {
    return this.spec.n
  }
  get hidden(): boolean {
    return !!this.spec.h
  }
  get expensive(): boolean {
    return !!this.spec.x
  }
  get canAddToSet(): boolean {
    return this.isSet && !!this.spec.add
  }
  get canRemoveFromSet(): boolean {
    return this.isSet && !!this.spec.rm
  }
  get canAddToMap(): boolean {
    return this.isMap && !!this.spec.add
  }
  get canRemoveFromMap(): boolean {
    return this.isMap && !!this.spec.rm
  }
  get hasSetMap(): boolean {
    return !!this.spec.psk?.startsWith('set_map')
  }
  get hasSetInMap(): boolean {
    return this.spec.psk === 'set_in_map'
  }
  get hasClearMap(): boolean {
    return this.spec.c === 'clear_map'
  }
  /** The key as printed: name plus annotation (and [DEPRECATED]). */
  get key(): string {
    return `${this.spec.n} ${this.spec.a}${this.spec.d ? ' [DEPRECATED]' : ''}`
  }

  /** The object and datamodel field this field reads (first api field), or undefined when absent. */
  target(rec: Rec, i = 0): [XObj, string] | undefined {
    const api = this.spec.api?.[i]
    if (!api) return undefined
    const [cls, field] = api
    if (cls === rec.obj.cls) return [rec.obj, field]
    const via = RELATED[`${rec.obj.cls}>${cls}`]
    if (!via) return undefined
    const other = rec.db.tryGet((rec.obj.f as Record<string, string>)[via] ?? NULL_REF)
    return other ? [other, field] : undefined
  }
  raw(rec: Rec): unknown {
    const t = this.target(rec)
    return t ? rec.db.field(t[0], t[1]) : undefined
  }

  /** The rendered value (safe_get_field: HANDLE_INVALID shows as <invalid reference>). */
  get(rec: Rec): string {
    try {
      if (this.hook.get) return this.hook.get(rec, this)
      if (this.isSet) {
        const s = this.getSet(rec)
        return s === undefined ? '<not in database>' : s.join(joiner(this.spec.r))
      }
      if (this.isMap) {
        const m = this.getMap(rec)
        return m === undefined ? '<not in database>' : m.map(([k, v]) => `${k}: ${v}`).join('; ')
      }
      const t = this.target(rec)
      if (!t) return this.spec.api ? '<not in database>' : ''
      return renderValue(rec.db, this.spec.r, rec.db.field(t[0], t[1]), t[0].cls, t[1])
    } catch (e) {
      if (e instanceof XapiError && e.code === 'HANDLE_INVALID') return '<invalid reference>'
      throw e
    }
  }
  /** get_set: the members as xe names them (uuids for refs, Record_util names for enums). */
  getSet(rec: Rec): string[] | undefined {
    if (this.hook.getSet) return this.hook.getSet(rec, this)
    const t = this.target(rec)
    if (!t) return undefined
    return listTexts(rec.db, this.spec.r, rec.db.field(t[0], t[1]), fieldType(t[0].cls, t[1]))
  }
  /** get_map: the pairs as xe names them. */
  getMap(rec: Rec): Array<[string, string]> | undefined {
    if (this.hook.getMap) return this.hook.getMap(rec, this)
    const t = this.target(rec)
    if (!t) return undefined
    const v = rec.db.field(t[0], t[1])
    return Array.isArray(v) ? mapTexts(rec.db, this.spec.r, v as XMap<unknown>, fieldType(t[0].cls, t[1])) : []
  }

  set(rec: Rec, text: string): void {
    if (this.hook.set) return this.hook.set(rec, this, text)
    const t = this.target(rec)!
    const type = fieldType(t[0].cls, t[1])
    const m = /^uuid of (\w+)$/.exec(this.spec.sp ?? '')
    const value = m ? refsOfUuids(rec.db, m[1]!, text, / set$/.test(type)) : parseSetValue(rec.db, this.spec, type, text)
    setField(rec.db, t[0], t[1], value)
  }
  addToMap(rec: Rec, k: string, v: string): void {
    if (this.hook.addToMap) return this.hook.addToMap(rec, this, k, v)
    const t = this.target(rec)!
    addToMap(rec.db, t[0], t[1], k, v)
  }
  removeFromMap(rec: Rec, k: string): void {
    if (this.hook.removeFromMap) return this.hook.removeFromMap(rec, this, k)
    const t = this.target(rec)!
    removeFromMap(rec.db, t[0], t[1], k)
  }
  setMap(rec: Rec, pairs: Array<[string, string]>): void {
    if (this.hook.setMap) return this.hook.setMap(rec, this, pairs)
    const t = this.target(rec)!
    setField(rec.db, t[0], t[1], pairs)
  }
  addToSet(rec: Rec, member: string): void {
    if (this.hook.addToSet) return this.hook.addToSet(rec, this, member)
    const t = this.target(rec)!
    addToSet(rec.db, t[0], t[1], this.memberValue(rec, member))
  }
  removeFromSet(rec: Rec, member: string): void {
    if (this.hook.removeFromSet) return this.hook.removeFromSet(rec, this, member)
    const t = this.target(rec)!
    removeFromSet(rec.db, t[0], t[1], this.memberValue(rec, member))
  }
  /** A member as stored: sets of references take uuids (<Class>.get_by_uuid), other members as typed. */
  private memberValue(rec: Rec, member: string): unknown {
    const m = /^uuid of (\w+)$/.exec(this.spec.sp ?? '')
    return m ? refsOfUuids(rec.db, m[1]!, member, false) : member
  }
}

/** concat_with_semi, or concat_with_comma for the few compatibility fields whose render says so. */
export const joiner = (render: string) => (render.includes('", "') ? ', ' : '; ')

export function fieldType(cls: string, field: string): string {
  return fieldsOf(cls as ClassName).find((f) => f.name === field)?.type ?? 'string'
}
/** The class a `uuid of <X>` set-parse spec names, as the datamodel spells it (Host → host). */
function classNamed(name: string): ClassName {
  if (hasClass(name)) return name
  const all = classNames()
  return (all.find((c) => c.toLowerCase() === name.toLowerCase()) ?? name) as ClassName
}
/**
 * <Class>.get_by_uuid on the text of a `uuid of <X>` setter: one ref, or for a set-valued field the
 * comma-separated list (records.ml get_words ',': "" is the empty list). UUID_INVALID when one is unknown.
 */
export function refsOfUuids(db: Db, cls: string, text: string, many: boolean): Ref | Ref[] {
  const c = classNamed(cls)
  if (!many) return db.getByUuid(c, text).ref
  return text === '' ? [] : text.split(',').map((u) => db.getByUuid(c, u).ref)
}

/** get_uuid_from_ref: the uuid, or <not in database> for a null or dangling reference. */
export function uuidOf(db: Db, ref: unknown): string {
  const o = typeof ref === 'string' ? db.tryGet(ref) : undefined
  const u = o ? (o.f as { uuid?: string }).uuid : undefined
  return u ?? '<not in database>'
}
/** get_name_from_ref: the name_label, with the same fallback. */
export function nameOf(db: Db, ref: unknown): string {
  const o = typeof ref === 'string' ? db.tryGet(ref) : undefined
  const n = o ? (o.f as { name_label?: string }).name_label : undefined
  return n ?? '<not in database>'
}

/**
 * The Record_util printer records.ml applies to the members of each enum set / operations map. The generated
 * <enum>_to_string prints the datamodel name; these four are hand-written (record_util.ml).
 */
const ENUM_PRINTER: Record<string, string> = {
  host_allowed_operations: 'host_operation_to_string',
  storage_operations: 'sr_operation_to_string',
  vm_operations: 'vm_operation_to_string',
  task_allowed_operations: 'task_allowed_operations_to_string',
}
export function enumText(enumName: string, v: string): string {
  try {
    return renderEnum(`enum via Record_util.${ENUM_PRINTER[enumName] ?? `${enumName}_to_string`}`, v)
  } catch {
    return v
  }
}

/** Int64.to_string / Records.string_of_float / the value itself. */
function scalarText(x: unknown): string {
  if (typeof x === 'number') return Number.isInteger(x) ? String(x) : xeFloat(x)
  if (typeof x === 'boolean') return x ? 'true' : 'false'
  return x === undefined || x === null ? '' : String(x)
}

/** One member of a set-typed value, per the datamodel type of the field (and refs per the render). */
function memberText(db: Db, render: string, type: string, x: unknown): string {
  if (/ ref set$/.test(type) || /^(refs -> uuids|ref -> uuid)/.test(render)) return uuidOf(db, x)
  const e = /^enum (\w+) set$/.exec(type)
  if (e) return enumText(e[1]!, String(x))
  return scalarText(x)
}

/** A list-valued field's members as text: a set, or the values of an operations map (current-operations). */
function listTexts(db: Db, render: string, v: unknown, type: string): string[] {
  if (!Array.isArray(v)) return []
  const ops = /^\(string -> enum (\w+)\) map$/.exec(type)
  if (ops) return (v as XMap<string>).map(([, op]) => enumText(ops[1]!, op))
  return v.map((x) => memberText(db, stripComputed(render), type, x))
}

/** A map-valued field's pairs as text: refs as uuids, numbers as integers, enum keys by their printer. */
function mapTexts(db: Db, render: string, v: XMap<unknown>, type: string): Array<[string, string]> {
  const m = /^\((.+) -> (.+)\) map$/.exec(type)
  const kt = m?.[1] ?? 'string'
  const vt = m?.[2] ?? 'string'
  const key = (k: string) => {
    const e = /^enum (\w+)$/.exec(kt)
    return e ? enumText(e[1]!, k) : / ref$/.test(kt) ? uuidOf(db, k) : String(k)
  }
  const val = (x: unknown) => (/ ref$/.test(vt) || render.includes('<uuid of ref>') ? uuidOf(db, x) : scalarText(x))
  return v.map(([k, x]) => [key(k), val(x)])
}

const stripComputed = (r: string) => (r.startsWith('computed; base: ') ? r.slice(16) : r)

/** Renders one stored value per its render spec and datamodel type (xe-cli-behaviour.md §3.3). */
export function renderValue(db: Db, render: string, v: unknown, cls: string, field: string): string {
  const base = stripComputed(render)
  const type = fieldType(cls, field)
  if (Array.isArray(v)) {
    if (/ map$/.test(type)) {
      // an operations map shown as a list (task current_operations), else "k: v" pairs
      if (/^\(string -> enum \w+\) map$/.test(type) && base.startsWith('list joined')) return listTexts(db, base, v, type).join(joiner(base))
      return mapTexts(db, base, v as XMap<unknown>, type).map(([k, x]) => `${k}: ${x}`).join('; ')
    }
    return listTexts(db, base, v, type).join(joiner(base))
  }
  if (base.startsWith('enum via ')) return renderEnum(base, String(v))
  if (base.startsWith('ref -> uuid') || base.startsWith('refs -> uuids')) return uuidOf(db, v)
  if (base.startsWith('ref -> name-label')) return nameOf(db, v)
  if (base.startsWith('float')) return xeFloat(Number(v))
  if (base.startsWith('bool')) return v ? 'true' : 'false'
  return scalarText(v)
}

type HookModule = { HOOKS: Record<string, Record<string, Hook>> }
/* eslint-disable @typescript-eslint/no-require-imports */
// Static requires (loaded on first use) so that bundlers can see them.
const HOOK_LOADERS: Record<string, () => HookModule> = {
  pool: () => require('./hooks/pool'),
  host: () => require('./hooks/host'),
  vm: () => require('./hooks/vm'),
  devices: () => require('./hooks/devices'),
  misc: () => require('./hooks/misc'),
}
/* eslint-enable @typescript-eslint/no-require-imports */
/** Which hooks module serves a datamodel class; loaded only when a record of that class is used. */
const HOOK_MODULES: Record<string, keyof typeof HOOK_LOADERS> = {
  pool: 'pool', host: 'host', host_cpu: 'host', pool_patch: 'host', pool_update: 'host', VM: 'vm',
  SR: 'devices', PIF: 'devices', VIF: 'devices', VBD: 'devices', VDI: 'devices', network: 'devices', network_sriov: 'devices', Bond: 'devices',
  subject: 'misc', VMSS: 'misc', PCI: 'misc', PGPU: 'misc', GPU_group: 'misc', VGPU_type: 'misc', VGPU: 'misc',
  Driver_variant: 'misc', Host_driver: 'misc', VTPM: 'misc', Rate_limit: 'misc',
}
let hooked: Record<string, string[]> | undefined
function hasHook(dmClass: string, field: string): boolean {
  hooked ??= table<Record<string, string[]>>('hooked.json')
  return hooked[dmClass]?.includes(field) ?? false
}
function hooksOf(dmClass: string): Record<string, Hook> {
  const mod = HOOK_MODULES[dmClass]
  return mod ? (HOOK_LOADERS[mod]!().HOOKS[dmClass] ?? {}) : {}
}

export class RecordClass {
  readonly fields: Field[]
  readonly byName = new Map<string, Field>()
  readonly dmClass: ClassName
  constructor(readonly table: ClassTable) {
    const uuidApi = table.fields.find((f) => f.api)?.api?.[0]?.[0]
    this.dmClass = (CLASS_OVERRIDE[table.class] ?? uuidApi) as ClassName
    this.fields = table.fields.map((s) => new Field(s, this.dmClass))
    for (const f of this.fields) this.byName.set(f.name, f)
  }
  get name(): string {
    return this.table.class
  }
  field(name: string): Field | undefined {
    return this.byName.get(name)
  }
  rec(db: Db, obj: XObj): Rec {
    return { db, obj, cls: this }
  }
}
const CLASS_OVERRIDE: Record<string, string> = {}

const classes = new Map<string, RecordClass>()
export function recordClass(name: string): RecordClass {
  let c = classes.get(name)
  if (!c) {
    c = new RecordClass(table<ClassTable>(`records/${name}.json`))
    classes.set(name, c)
  }
  return c
}

/** Every CLI class name that has a record table. */
export function recordClassNames(): string[] {
  return Object.keys(table<Record<string, string[]>>('records/index.json'))
}

export { mapGet }
