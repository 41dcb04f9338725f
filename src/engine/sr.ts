// SR rules that xe's records reach through API calls: SR.get_supported_types (xapi_sr.ml → sm.ml
// supported_drivers) and the single host an SR is attached to (records.ml get_sr_host).
import type { Db, XObj } from './db'
import { NULL_REF, type Ref } from './values'

// ---------------------------------------------------------------------------------------------------------
// OCaml's Hashtbl, enough to know the order Hashtbl.fold visits string keys in (runtime/hash.c caml_hash with
// count 10, limit 100, seed 0 — the table is not randomised — and stdlib hashtbl.ml).

const mul32 = (a: number, b: number) => Math.imul(a, b) >>> 0
const rotl32 = (x: number, n: number) => ((x << n) | (x >>> (32 - n))) >>> 0

function mix(h: number, d: number): number {
  d = mul32(d, 0xcc9e2d51)
  d = rotl32(d, 15)
  d = mul32(d, 0x1b873593)
  h = (h ^ d) >>> 0
  h = rotl32(h, 13)
  return (mul32(h, 5) + 0xe6546b64) >>> 0
}

/** Hashtbl.hash of an OCaml string (its bytes are UTF-8 here). */
export function ocamlStringHash(s: string): number {
  const b = Buffer.from(s, 'utf8')
  let h = 0
  let i = 0
  for (; i + 4 <= b.length; i += 4) h = mix(h, b.readUInt32LE(i))
  const rest = b.length & 3
  if (rest > 0) {
    let w = 0
    if (rest === 3) w = b[i + 2]! << 16
    if (rest >= 2) w |= b[i + 1]! << 8
    w |= b[i]!
    h = mix(h, w >>> 0)
  }
  h = (h ^ b.length) >>> 0
  h ^= h >>> 16
  h = mul32(h, 0x85ebca6b)
  h ^= h >>> 13
  h = mul32(h, 0xc2b2ae35)
  h ^= h >>> 16
  return (h >>> 0) & 0x3fffffff
}

/**
 * The keys of a Hashtbl.create 10 table filled by Hashtbl.replace in `inserted` order, as
 * `Hashtbl.fold (fun k _ acc -> k :: acc)` returns them: buckets from last to first, each bucket's keys in
 * insertion order. The table starts with 16 buckets and doubles whenever it holds more than twice as many
 * keys as buckets (the resize keeps each bucket's order).
 */
export function ocamlHashtblFoldKeys(inserted: string[]): string[] {
  const keys = [...new Set(inserted)]
  let size = 16
  while (keys.length > 2 * size) size *= 2
  const buckets: string[][] = Array.from({ length: size }, () => [])
  for (const k of keys) buckets[ocamlStringHash(k) & (size - 1)]!.push(k)
  return buckets.reverse().flat()
}

/**
 * The order xapi registers SMAPIv1 plugins in: Sys.readdir of /opt/xensource/sm, i.e. the filesystem's
 * directory order. It only decides the order of names that share a hash bucket. This order reproduces the
 * supported-sr-types line of a real pool with these thirteen plugins
 * ("smb; lvm; iso; nfs; lvmofcoe; udev; hba; dummy; ext; lvmoiscsi; lvmohba; file; iscsi"); plugins not in it
 * follow in the order of their SM records.
 */
const PLUGIN_DIRECTORY_ORDER = ['smb', 'lvm', 'iso', 'nfs', 'lvmofcoe', 'udev', 'hba', 'dummy', 'ext', 'lvmoiscsi', 'lvmohba', 'file', 'iscsi']

/**
 * SR.get_supported_types: the SMAPIv1 drivers xapi registered at start-up (one SM record each, type = lower-cased
 * plugin name), in the order Hashtbl.fold visits xapi's driver table.
 */
export function supportedTypes(db: Db): string[] {
  const types = db.all('SM').map((sm) => sm.f.type.toLowerCase())
  const rank = (t: string) => {
    const i = PLUGIN_DIRECTORY_ORDER.indexOf(t)
    return i < 0 ? PLUGIN_DIRECTORY_ORDER.length : i
  }
  const registered = types.map((t, i) => [t, i] as const).sort((a, b) => rank(a[0]) - rank(b[0]) || a[1] - b[1]).map(([t]) => t)
  return ocamlHashtblFoldKeys(registered)
}

/** records.ml get_sr_host: the host of the SR's only PBD, NULL when it has none or several. */
export function srHost(db: Db, sr: XObj<'SR'>): Ref {
  const pbds = db.referrers('PBD', 'SR', sr.ref)
  return pbds.length === 1 ? pbds[0]!.f.host : NULL_REF
}
