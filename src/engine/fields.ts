// Generic field operations with xapi's database semantics and errors: the setters, map and set
// operations every class gets (set_<f>, add_to_<f>, remove_from_<f>, add_<f>, remove_<f>).
import type { Db, XObj } from './db'
import { XapiError } from './errors'
import { mapHas, mapDel, type XMap } from './values'

type Fields = Record<string, unknown>

export function setField(db: Db, o: XObj, field: string, value: unknown): void {
  db.set(o, { [field]: value } as never)
}

/** add_to_map: an empty key is refused, a present key is MAP_DUPLICATE_KEY, a new key goes first. */
export function addToMap(db: Db, o: XObj, field: string, key: string, value: string): void {
  if (key === '') throw new XapiError('INTERNAL_ERROR', ['Db_exn.Empty_key_in_map'])
  const m = ((o.f as Fields)[field] ?? []) as XMap
  if (mapHas(m, key)) throw new XapiError('MAP_DUPLICATE_KEY', [o.cls, field, o.ref, key])
  setField(db, o, field, [[key, value], ...m])
}
export function removeFromMap(db: Db, o: XObj, field: string, key: string): void {
  setField(db, o, field, mapDel(((o.f as Fields)[field] ?? []) as XMap, key))
}
/** add to a set: a member already present is left alone, a new one goes first. */
export function addToSet(db: Db, o: XObj, field: string, member: unknown): void {
  const s = ((o.f as Fields)[field] ?? []) as unknown[]
  if (!s.includes(member)) setField(db, o, field, [member, ...s])
}
export function removeFromSet(db: Db, o: XObj, field: string, member: unknown): void {
  setField(db, o, field, (((o.f as Fields)[field] ?? []) as unknown[]).filter((x) => x !== member))
}
