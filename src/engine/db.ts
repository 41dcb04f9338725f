// The typed object store of one transaction: objects are loaded from the Store on demand (by ref,
// by uuid or a whole class), changed in memory, and written back once by flush().
import { FIRST_SCOPE, LINKS, type Store } from './store'
import type { ClassFields, ClassName } from './model.generated'
import type { Clock, Ids } from './ids'
import { freshDefault, REVERSE, storedFieldDefaults } from './schema'
import { handleInvalid, uuidInvalid } from './errors'
import { NULL_REF, type Ref } from './values'

export interface XObj<C extends ClassName = ClassName> {
  readonly ref: Ref
  readonly cls: C
  readonly f: ClassFields[C]
}

export interface Savepoint {
  /** Each object touched since the savepoint: its state then (undefined: it did not exist). */
  objs: Map<Ref, { obj: XObj; f: string } | undefined>
  orders: Map<string, Ref[]>
  loaded: Set<string>
  dirty: Set<Ref>
  created: Set<Ref>
  deleted: Set<Ref>
}

/** A cache derived from a Db's objects (Db.derived). */
export interface Derived {
  /** o was created, changed or destroyed (a destroyed object is no longer returned by tryGet). */
  changed(o: XObj): void
}

/** referrers() asks the store's index for this many refs per class.field, then loads the class (a loop over many). */
const STORE_LOOKUPS = 32
/** Lookups go through the store's index while the transaction has changed at most this many objects. */
const STORE_CHANGES = 256

/** Whether an object (of this transaction's view: null is one gone) is of cls and its field holds value. */
const holding = <C extends ClassName>(cls: C, field: string, value: string) => (o: XObj | null | undefined): o is XObj<C> =>
  !!o && o.cls === cls && (o.f as Record<string, unknown>)[field] === value

/** The table name xapi puts in UUID_INVALID / HANDLE_INVALID (its DB table name). */
export const tableName = (cls: ClassName): string => cls

export class Db {
  private cache = new Map<Ref, XObj | null>()
  private loaded = new Set<string>()
  private order = new Map<string, Ref[]>()
  private dirty = new Set<Ref>()
  private created = new Set<Ref>()
  private deleted = new Set<Ref>()
  private indexes = new Map<string, Map<string, XObj[]>>()
  private version = new Map<string, number>()
  private savepoints: Savepoint[] = []
  /** Caches other modules derive from the objects (see derived()); told of every change, dropped on rollback. */
  private derivations = new Map<string, Derived>()
  /** Objects moved here from another pool in this transaction, with that pool's scope (their row moves). */
  private movedFrom = new Map<Ref, string>()
  /** What referrers() found through the store's index, per class.field and ref; dropped as the class changes. */
  private found = new Map<string, Map<Ref, XObj[]>>()

  /**
   * The Db of one pool: `scope` names the pool in the store (a world can hold several pools, each seeing
   * only its own objects, as each has its own xapi database).
   */
  constructor(readonly store: Store, readonly ids: Ids, readonly clock: Clock, readonly scope: string = FIRST_SCOPE) {}

  /**
   * A cache computed from the objects (an address index, the highest domid…), made once per Db by `make` and
   * kept up to date by its own changed(): every create, set and destroy is reported to it. A rollback drops it.
   */
  derived<T extends Derived>(key: string, make: () => T): T {
    let d = this.derivations.get(key)
    if (!d) {
      d = make()
      this.derivations.set(key, d)
    }
    return d as T
  }
  private changed(o: XObj): void {
    for (const d of this.derivations.values()) d.changed(o)
  }

  /** A class changed: its referrer indexes are dropped. */
  private bump(cls: string): void {
    this.forget(cls)
    this.version.set(cls, (this.version.get(cls) ?? 0) + 1)
    for (const k of this.indexes.keys()) if (k.startsWith(cls + '.')) this.indexes.delete(k)
    this.positions.delete(cls)
  }

  /** A class changed: what referrers() found in the store for it no longer holds. */
  private forget(cls: string): void {
    if (this.found.size) for (const k of this.found.keys()) if (k.startsWith(cls + '.')) this.found.delete(k)
  }

  /** Each object's place in its class's order, for the classes that have indexes (kept as objects are created). */
  private positions = new Map<string, Map<Ref, number>>()
  private positionsOf(cls: string): Map<Ref, number> {
    let p = this.positions.get(cls)
    if (!p) {
      p = new Map()
      for (const r of this.order.get(cls) ?? []) p.set(r, p.size)
      this.positions.set(cls, p)
    }
    return p
  }

  /** The indexes of fields a set() changes are updated in place: the object leaves its old lists and joins its
   *  new ones at its place in the class's order (as a rebuild would put it). */
  private reindex(o: XObj, before: Record<string, unknown>): void {
    this.version.set(o.cls, (this.version.get(o.cls) ?? 0) + 1)
    const values = (v: unknown) => (Array.isArray(v) ? (v as string[]) : [v as string])
    for (const [field, old] of Object.entries(before)) {
      const key = `${o.cls}.${field}`
      const idx = this.indexes.get(key)
      if (!idx) continue
      const now = (o.f as Record<string, unknown>)[field]
      // a set changed in place before set(): its old members are unknown
      if (old === now && Array.isArray(now)) {
        this.indexes.delete(key)
        continue
      }
      const [a, b] = [values(old), values(now)]
      if (a.length === b.length && a.every((x, i) => x === b[i])) continue
      const pos = this.positions.get(o.cls)
      const mine = pos?.get(o.ref)
      if (!pos || mine === undefined) {
        this.indexes.delete(key)
        continue
      }
      for (const r of a) {
        const l = idx.get(r)
        const i = l ? l.indexOf(o) : -1
        if (i >= 0) l!.splice(i, 1)
        if (l && l.length === 0) idx.delete(r)
      }
      for (const r of b) {
        const l = idx.get(r)
        if (!l) {
          idx.set(r, [o])
          continue
        }
        if (l.includes(o)) continue
        let lo = 0
        let hi = l.length
        while (lo < hi) {
          const mid = (lo + hi) >> 1
          if ((pos.get(l[mid]!.ref) ?? Infinity) < mine) lo = mid + 1
          else hi = mid
        }
        l.splice(lo, 0, o)
      }
    }
  }

  /** A new object comes last in its class's order, so it is appended to the class's existing indexes. */
  private indexCreated(o: XObj): void {
    this.version.set(o.cls, (this.version.get(o.cls) ?? 0) + 1)
    const pos = this.positions.get(o.cls)
    if (pos) pos.set(o.ref, pos.size)
    for (const [k, idx] of this.indexes) {
      if (!k.startsWith(o.cls + '.')) continue
      const v = (o.f as Record<string, unknown>)[k.slice(o.cls.length + 1)]
      for (const r of Array.isArray(v) ? (v as string[]) : [v as string]) {
        const l = idx.get(r)
        if (l) l.push(o)
        else idx.set(r, [o])
      }
    }
  }

  private adopt(row: { ref: string; cls: string; data: string }): XObj {
    const o = { ref: row.ref, cls: row.cls as ClassName, f: JSON.parse(row.data) } as XObj
    this.cache.set(row.ref, o)
    return o
  }

  /** The object behind ref, or undefined (null refs and deleted objects included). */
  tryGet<C extends ClassName>(ref: Ref, cls?: C): XObj<C> | undefined {
    if (typeof ref !== 'string' || !ref || ref === NULL_REF) return undefined
    let o = this.cache.get(ref)
    if (o === undefined) {
      const row = this.store.loadRef(ref, this.scope)
      o = row ? this.adopt(row) : null
      if (!row) this.cache.set(ref, null)
    }
    if (!o || (cls && o.cls !== cls)) return undefined
    return o as XObj<C>
  }
  get<C extends ClassName>(ref: Ref, cls: C): XObj<C> {
    const o = this.tryGet(ref, cls)
    if (!o) throw handleInvalid(tableName(cls), ref)
    return o
  }

  /** Every object of a class, in creation order. */
  all<C extends ClassName>(cls: C): Array<XObj<C>> {
    if (!this.loaded.has(cls)) {
      const refs: Ref[] = []
      for (const row of this.store.loadClass(cls, this.scope)) {
        const have = this.cache.get(row.ref)
        // null: destroyed or moved to another pool in this transaction
        if (have === null) continue
        if (have === undefined) this.adopt(row)
        refs.push(row.ref)
      }
      for (const r of this.order.get(cls) ?? []) if (!refs.includes(r)) refs.push(r)
      this.order.set(cls, refs)
      this.loaded.add(cls)
    }
    return (this.order.get(cls) ?? []).map((r) => this.cache.get(r) as XObj<C>)
  }

  /** Whether the stored row of ref may not be what this transaction sees: changed, created, destroyed or moved. */
  touched(ref: Ref): boolean {
    return this.dirty.has(ref) || this.cache.get(ref) === null
  }
  /** The refs this transaction destroyed or moved to another pool (of any class). */
  goneRefs(): Ref[] {
    const out: Ref[] = []
    for (const [r, o] of this.cache) if (o === null) out.push(r)
    return out
  }
  /** Whether ref was created in this pool by this transaction (so the store has no row of it here). */
  isNew(ref: Ref): boolean {
    return this.created.has(ref)
  }
  /** The objects of a class this transaction changed, created or moved in (as they are now). */
  changedOf<C extends ClassName>(cls: C): Array<XObj<C>> {
    return this.ofClass(this.dirty, cls)
  }
  /** The objects of a class this transaction created (in or moved into this pool as new), in creation order. */
  createdOf<C extends ClassName>(cls: C): Array<XObj<C>> {
    return this.ofClass(this.created, cls)
  }
  private ofClass<C extends ClassName>(refs: Set<Ref>, cls: C): Array<XObj<C>> {
    const out: Array<XObj<C>> = []
    for (const r of refs) {
      const o = this.cache.get(r)
      if (o && o.cls === cls) out.push(o as XObj<C>)
    }
    return out
  }

  byUuid<C extends ClassName>(cls: C, uuid: string): XObj<C> | undefined {
    for (const o of this.cache.values()) if (o && o.cls === cls && (o.f as { uuid?: string }).uuid === uuid) return o as XObj<C>
    for (const row of this.store.findUuid(uuid, this.scope)) {
      const have = this.cache.get(row.ref)
      if (row.cls !== cls || have === null) continue
      return (have ?? this.adopt(row)) as XObj<C>
    }
    return undefined
  }
  getByUuid<C extends ClassName>(cls: C, uuid: string): XObj<C> {
    const o = this.byUuid(cls, uuid)
    if (!o) throw uuidInvalid(tableName(cls), uuid)
    return o
  }

  /** Creates an object: fields not given take the datamodel default; a uuid is assigned if absent. */
  create<C extends ClassName>(cls: C, fields: Partial<ClassFields[C]>, ref?: Ref): XObj<C> {
    const f: Record<string, unknown> = {}
    const given = fields as Record<string, unknown>
    for (const [name, dflt] of storedFieldDefaults(cls)) {
      f[name] = name in given ? given[name] : name === 'uuid' ? this.ids.uuid() : freshDefault(dflt)
    }
    const o = { ref: ref ?? this.ids.ref(), cls, f } as unknown as XObj<C>
    this.journal(o.ref, cls, undefined)
    this.cache.set(o.ref, o)
    this.created.add(o.ref)
    this.dirty.add(o.ref)
    const ord = this.order.get(cls) ?? []
    ord.push(o.ref)
    this.order.set(cls, ord)
    if (this.loaded.has(cls)) this.indexCreated(o)
    else this.bump(cls)
    if (this.derivations.size) this.changed(o)
    return o
  }

  /** Changes fields of an object (the only way engine code writes). */
  set<C extends ClassName>(o: XObj<C>, patch: Partial<ClassFields[C]>): void {
    this.journal(o.ref, o.cls, o)
    const before: Record<string, unknown> = {}
    for (const k of Object.keys(patch)) before[k] = (o.f as Record<string, unknown>)[k]
    Object.assign(o.f, patch)
    this.dirty.add(o.ref)
    this.reindex(o, before)
    if (this.derivations.size) this.changed(o)
  }

  destroy(o: XObj): void {
    this.journal(o.ref, o.cls, o)
    // a row already stored is deleted on flush; one created in this transaction never reaches the store
    if (!this.leave(o)) this.deleted.add(o.ref)
  }

  /** The object leaves this Db's view (destroyed, or moved to another pool); whether it was created here. */
  private leave(o: XObj): boolean {
    const wasNew = this.created.delete(o.ref)
    this.cache.set(o.ref, null)
    this.dirty.delete(o.ref)
    const ord = this.order.get(o.cls)
    if (ord) this.order.set(o.cls, ord.filter((r) => r !== o.ref))
    this.bump(o.cls)
    if (this.derivations.size) this.changed(o)
    return wasNew
  }

  /**
   * Objects of `cls` whose field `field` (a ref, or a set of refs) points at `ref`, in the class's order. A field the
   * store indexes (LINKS) is looked up there while its class is not loaded, for the first few lookups; after that,
   * or for other fields, the class is loaded and indexed here.
   */
  referrers<C extends ClassName>(cls: C, field: string, ref: Ref): Array<XObj<C>> {
    const key = `${cls}.${field}`
    let idx = this.indexes.get(key)
    if (!idx && this.viaStore(cls, field, ref)) {
      let found = this.found.get(key)
      if (!found) this.found.set(key, (found = new Map()))
      let hit = found.get(ref)
      if (!hit && found.size < STORE_LOOKUPS) found.set(ref, (hit = this.withField(cls, field, ref)))
      if (hit) return hit.slice() as Array<XObj<C>>
    }
    if (!idx) {
      idx = new Map()
      const all = this.all(cls)
      this.positionsOf(cls)
      for (const o of all) {
        const v = (o.f as Record<string, unknown>)[field]
        for (const r of Array.isArray(v) ? (v as string[]) : [v as string]) {
          const l = idx.get(r)
          if (l) l.push(o)
          else idx.set(r, [o])
        }
      }
      this.indexes.set(key, idx)
    }
    // a copy: the index grows in place as objects are created
    return (idx.get(ref)?.slice() ?? []) as Array<XObj<C>>
  }

  /**
   * Whether to look objects up through the store's index: the field is indexed, the class is not loaded, and this
   * transaction has changed few objects (each lookup goes over them; a transaction that builds thousands, such as
   * xesim init, loads the class once instead).
   */
  private viaStore(cls: string, field: string, value: unknown): boolean {
    return !this.loaded.has(cls) && LINKS.has(`${cls}.${field}`) && typeof value === 'string' && this.dirty.size <= STORE_CHANGES
  }

  /**
   * The objects of `cls` whose field (one of the store's LINKS, holding one value) equals `value`, in the class's
   * order — what all(cls).filter(…) gives — without loading the class when it is not loaded: the store's index
   * finds the stored objects, then this transaction's own changes are applied.
   */
  withField<C extends ClassName>(cls: C, field: string, value: string): Array<XObj<C>> {
    if (!this.viaStore(cls, field, value)) return this.referrers(cls, field, value)
    const holds = holding(cls, field, value)
    const stored: Array<[number, XObj]> = []
    const seen = new Set<Ref>()
    for (const row of this.store.withField(`${cls}.${field}`, value, this.scope)) {
      seen.add(row.ref)
      const have = this.cache.get(row.ref)
      // null: destroyed or moved to another pool in this transaction
      const o = have === undefined ? this.adopt(row) : have
      if (holds(o)) stored.push([row.rowid, o])
    }
    // stored objects this transaction changed to hold the value keep their place in the class
    let resort = false
    for (const r of this.dirty) {
      const o = this.cache.get(r)
      if (seen.has(r) || !holds(o)) continue
      const rowid = this.created.has(r) ? undefined : this.store.rowidOf(r, this.scope)
      if (rowid === undefined) continue
      seen.add(r)
      stored.push([rowid, o])
      resort = true
    }
    if (resort) stored.sort((a, b) => a[0] - b[0])
    const out = stored.map(([, o]) => o)
    // then the objects created in (or moved into) this pool by this transaction, in that order
    for (const r of this.order.get(cls) ?? []) {
      const o = this.cache.get(r)
      if (!seen.has(r) && holds(o)) out.push(o)
    }
    return out as Array<XObj<C>>
  }

  /**
   * Whether some object of `cls` whose field (one of the store's LINKS) equals `value` satisfies pred — reading
   * stored objects one at a time until one does (an SR's thousands of VDIs when the first is enough).
   */
  anyWithField<C extends ClassName>(cls: C, field: string, value: string, pred: (o: XObj<C>) => boolean): boolean {
    if (!this.viaStore(cls, field, value)) return this.referrers(cls, field, value).some(pred)
    const holds = holding(cls, field, value)
    for (const o of this.changedOf(cls)) if (holds(o) && pred(o)) return true
    for (const ref of this.store.refsWithField(`${cls}.${field}`, value, this.scope)) {
      // what this transaction changed was seen above (or is gone)
      if (this.touched(ref)) continue
      const o = this.tryGet(ref, cls)
      if (holds(o) && pred(o)) return true
    }
    return false
  }

  /**
   * A field's value, computing reverse links (VM.VBDs, SR.VDIs, …) from their forward fields. xapi's
   * database adds each new member at the front of such a set (db_cache_types.ml update_one_to_many with
   * add_to_set), so they list newest first.
   */
  field(o: XObj, name: string): unknown {
    const rev = REVERSE[`${o.cls}.${name}`]
    if (rev) return this.referrers(rev[0], rev[1], o.ref).map((x) => x.ref).reverse()
    return (o.f as Record<string, unknown>)[name]
  }

  /**
   * Marks a point the changes can be rolled back to (xe's --multiple: each object's operation succeeds or
   * fails on its own). Changes are journalled copy-on-write, so a savepoint costs nothing until used.
   */
  savepoint(): Savepoint {
    const sp: Savepoint = {
      objs: new Map(), orders: new Map(), loaded: new Set(this.loaded), dirty: new Set(this.dirty), created: new Set(this.created), deleted: new Set(this.deleted),
    }
    this.savepoints.push(sp)
    return sp
  }
  /** Forgets a savepoint, keeping its changes. */
  release(sp: Savepoint): void {
    this.savepoints = this.savepoints.filter((x) => x !== sp)
  }
  /** Undoes every change made since the savepoint (and releases it). */
  rollbackTo(sp: Savepoint): void {
    for (const [ref, before] of sp.objs) {
      if (before === undefined) this.cache.delete(ref)
      else {
        const o = before.obj
        for (const k of Object.keys(o.f)) delete (o.f as Record<string, unknown>)[k]
        Object.assign(o.f, JSON.parse(before.f))
        this.cache.set(ref, o)
      }
    }
    for (const [cls, refs] of sp.orders) {
      this.order.set(cls, refs)
      this.bump(cls)
    }
    this.derivations.clear()
    this.loaded = sp.loaded
    this.dirty = sp.dirty
    this.created = sp.created
    this.deleted = sp.deleted
    this.savepoints = this.savepoints.slice(0, this.savepoints.indexOf(sp))
  }
  /** Records an object's state before its first change under the open savepoints. */
  private journal(ref: Ref, cls: string, o: XObj | undefined): void {
    this.forget(cls)
    for (const sp of this.savepoints) {
      if (!sp.objs.has(ref)) sp.objs.set(ref, o === undefined ? undefined : { obj: o, f: JSON.stringify(o.f) })
      if (!sp.orders.has(cls)) sp.orders.set(cls, [...(this.order.get(cls) ?? [])])
    }
  }

  /**
   * Moves an object (with its fields as they are now) to another pool's Db: it leaves this pool's view and
   * joins the other's, keeping its ref and uuid (pool join and eject move a host's own objects this way).
   */
  moveTo(target: Db, o: XObj): XObj {
    if (target.store !== this.store) throw new Error('moveTo: the Dbs belong to different worlds')
    const wasNew = this.leave(o)
    return target.arrive(o, wasNew, this.movedFrom.get(o.ref) ?? this.scope)
  }
  private arrive(o: XObj, isNew: boolean, from: string): XObj {
    const mine = { ref: o.ref, cls: o.cls, f: o.f } as XObj
    this.cache.set(o.ref, mine)
    this.dirty.add(o.ref)
    this.deleted.delete(o.ref)
    if (isNew) this.created.add(o.ref)
    else this.movedFrom.set(o.ref, from)
    const ord = this.order.get(o.cls) ?? []
    if (!ord.includes(o.ref)) ord.push(o.ref)
    this.order.set(o.cls, ord)
    this.bump(o.cls)
    if (this.derivations.size) this.changed(mine)
    return mine
  }

  get hasChanges(): boolean {
    return this.dirty.size > 0 || this.deleted.size > 0
  }

  /** Writes every change to the store (inside the caller's transaction). */
  flush(): void {
    for (const ref of this.deleted) this.store.del(ref, this.movedFrom.get(ref) ?? this.scope)
    for (const ref of this.dirty) {
      const o = this.cache.get(ref)
      if (!o) continue
      const uuid = (o.f as { uuid?: string }).uuid ?? null
      this.store.put(ref, o.cls, uuid, JSON.stringify(o.f), this.created.has(ref), this.scope, this.movedFrom.get(ref))
    }
    this.movedFrom.clear()
    this.deleted.clear()
    this.dirty.clear()
    this.created.clear()
  }
}
