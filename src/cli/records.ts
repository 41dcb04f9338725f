// Record classes, table-driven (records.ml as data): each CLI field of src/tables/records/<class>.json
// becomes getters/setters over the engine object it names (api: [datamodel class, field]).
// Behaviour that the table cannot express lives in fieldhooks.ts.
import type { Db, XObj } from '../engine/db'
import type { ClassName } from '../engine/model.generated'
import { table } from '../engine/tables'
import { fieldsOf } from '../engine/schema'
import { addToMap, addToSet, removeFromMap, removeFromSet, setField } from '../engine/fields'
import { XapiError } from '../engine/errors'
import { NULL_REF, mapGet, type XMap } from '../engine/values'
import { renderEnum, xeFloat } from './enums'
import { parseSetValue } from './parse'
import { HOOKS, type Hook } from './fieldhooks'

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
  readonly canSet: boolean
  readonly hook: Hook
  constructor(readonly spec: FieldSpec, readonly dmClass: string) {
    this.isSet = spec.k === 'set'
    this.isMap = spec.k === 'map'
    this.hook = HOOKS[`${dmClass}.${spec.n}`] ?? {}
    this.canSet = !!spec.rw || !!this.hook.set
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
  getSet(rec: Rec): string[] | undefined {
    if (this.hook.getSet) return this.hook.getSet(rec, this)
    const t = this.target(rec)
    if (!t) return undefined
    const v = rec.db.field(t[0], t[1])
    return Array.isArray(v) ? v.map((x) => renderElement(rec.db, t[0].cls, t[1], x)) : []
  }
  getMap(rec: Rec): Array<[string, string]> | undefined {
    if (this.hook.getMap) return this.hook.getMap(rec, this)
    const t = this.target(rec)
    if (!t) return undefined
    const v = rec.db.field(t[0], t[1]) as XMap<unknown> | undefined
    if (!Array.isArray(v)) return []
    if (this.spec.r.includes('<uuid of ref>')) return v.map(([k, r]) => [k, uuidOf(rec.db, r as string)])
    return v.map(([k, x]) => [k, mapValueText(x)])
  }

  set(rec: Rec, text: string): void {
    if (this.hook.set) return this.hook.set(rec, this, text)
    const t = this.target(rec)!
    setField(rec.db, t[0], t[1], parseSetValue(rec.db, this.spec, fieldType(t[0].cls, t[1]), text))
  }
  addToMap(rec: Rec, k: string, v: string): void {
    if (this.hook.addToMap) return this.hook.addToMap(rec, this, k, v)
    const t = this.target(rec)!
    addToMap(rec.db, t[0], t[1], k, v)
  }
  removeFromMap(rec: Rec, k: string): void {
    const t = this.target(rec)!
    removeFromMap(rec.db, t[0], t[1], k)
  }
  setMap(rec: Rec, pairs: Array<[string, string]>): void {
    if (this.hook.setMap) return this.hook.setMap(rec, this, pairs)
    const t = this.target(rec)!
    setField(rec.db, t[0], t[1], pairs)
  }
  addToSet(rec: Rec, member: string): void {
    const t = this.target(rec)!
    addToSet(rec.db, t[0], t[1], member)
  }
  removeFromSet(rec: Rec, member: string): void {
    const t = this.target(rec)!
    removeFromSet(rec.db, t[0], t[1], member)
  }
}

const joiner = (render: string) => (render.includes('", "') ? ', ' : '; ')

function fieldType(cls: string, field: string): string {
  return fieldsOf(cls as ClassName).find((f) => f.name === field)?.type ?? 'string'
}
function uuidOf(db: Db, ref: string): string {
  const o = db.tryGet(ref)
  const u = o ? (o.f as { uuid?: string }).uuid : undefined
  return u ?? '<not in database>'
}
function nameOf(db: Db, ref: string): string {
  const o = db.tryGet(ref)
  const n = o ? (o.f as { name_label?: string }).name_label : undefined
  return n ?? '<not in database>'
}
function mapValueText(x: unknown): string {
  if (typeof x === 'string') return x
  if (typeof x === 'number') return Number.isInteger(x) ? String(x) : xeFloat(x)
  return String(x)
}

function renderElement(db: Db, cls: string, field: string, x: unknown): string {
  const t = fieldType(cls, field)
  if (/ ref set$/.test(t)) return uuidOf(db, x as string)
  if (t === 'enum vm_operations set') return renderEnum('enum via Record_util.vm_operation_to_string', x as string)
  return String(x)
}

/** Renders one stored value per its render spec (xe-cli-behaviour.md §3.3). */
export function renderValue(db: Db, render: string, v: unknown, cls: string, field: string): string {
  const base = render.startsWith('computed; base: ') ? render.slice(16) : render
  if (base.startsWith('enum via ')) return renderEnum(base, String(v))
  if (base.startsWith('ref -> uuid')) return uuidOf(db, v as string)
  if (base.startsWith('ref -> name-label')) return nameOf(db, v as string)
  if (base.startsWith('refs -> uuids')) return Array.isArray(v) ? v.map((r) => uuidOf(db, r as string)).join('; ') : uuidOf(db, v as string)
  if (base.startsWith('list joined')) return Array.isArray(v) ? v.map((x) => renderElement(db, cls, field, x)).join(joiner(base)) : String(v ?? '')
  if (base.startsWith('map: "key: <uuid')) return (v as XMap).map(([k, r]) => `${k}: ${uuidOf(db, r)}`).join('; ')
  if (base.startsWith('map:')) return Array.isArray(v) ? (v as XMap<unknown>).map(([k, x]) => `${k}: ${mapValueText(x)}`).join('; ') : ''
  if (base.startsWith('float')) return xeFloat(Number(v))
  if (base.startsWith('bool')) return v ? 'true' : 'false'
  if (v === undefined || v === null) return ''
  return String(v)
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
