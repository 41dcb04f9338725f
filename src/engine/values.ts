// Value representations shared by the whole engine.
// Maps are ordered lists of pairs: order is data (xe prints keys in stored order) and a key such as
// "__proto__" must be an ordinary key, which plain JS objects cannot guarantee.
export type Ref = string
export type XMap<V = string> = Array<[string, V]>

export const NULL_REF: Ref = 'OpaqueRef:NULL'
export const EPOCH = '19700101T00:00:00Z'

export function mapGet<V>(m: XMap<V>, k: string): V | undefined {
  for (const [key, v] of m) if (key === k) return v
  return undefined
}
export function mapHas<V>(m: XMap<V>, k: string): boolean {
  return m.some(([key]) => key === k)
}
/**
 * A new map with k set to v. Like xapi's database (db_cache_types.ml add_to_map), the key goes to the
 * front: `xe vm-param-set other-config:k=v` removes k, then adds it, so it prints first.
 */
export function mapSet<V>(m: XMap<V>, k: string, v: V): XMap<V> {
  return [[k, v], ...m.filter(([key]) => key !== k)]
}
export function mapDel<V>(m: XMap<V>, k: string): XMap<V> {
  return m.filter(([key]) => key !== k)
}
export function mapOf(o: Record<string, string>): XMap {
  return Object.entries(o)
}

/** xapi's Date.to_rfc3339 as printed by xe: YYYYMMDDTHH:MM:SSZ. */
export function xapiDate(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0')
  return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}T${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}Z`
}
