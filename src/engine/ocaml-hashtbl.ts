// OCaml's Hashtbl and polymorphic compare, enough to list things in the order xapi does: Hashtbl.fold over
// string keys (SM drivers), over enum values (allowed_operations of SRs, VBDs, VIFs), Set.elements of enum values
// (VDI allowed_operations), and Hashtbl.iter over object references (Hashtbl.hash of Ref.Real <uuid>: host
// evacuation plans). caml_hash is MurmurHash3-style with count 10, limit 100 and seed 0 (tables are not
// randomised); insertion puts a key first in its bucket; tables start with 16 buckets and double when they hold
// more than twice that. Re-expressed from OCaml's runtime/hash.c and stdlib/hashtbl.ml.

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

/** caml_hash's FINAL_MIX, then the 30-bit result Hashtbl.hash returns. */
function finalMix(h: number): number {
  h ^= h >>> 16
  h = mul32(h, 0x85ebca6b)
  h ^= h >>> 13
  h = mul32(h, 0xc2b2ae35)
  h ^= h >>> 16
  return (h >>> 0) & 0x3fffffff
}

/** caml_hash_mix_string: the string's bytes (UTF-8 here) four at a time, the rest, then its length. */
function mixString(h: number, s: string): number {
  const b = Buffer.from(s, 'utf8')
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
  return (h ^ b.length) >>> 0
}

/** Hashtbl.hash of an OCaml string. */
export function ocamlStringHash(s: string): number {
  return finalMix(mixString(0, s))
}

/**
 * The keys of a Hashtbl.create 10 table filled by Hashtbl.replace in `inserted` order, as
 * `Hashtbl.fold (fun k _ acc -> k :: acc)` returns them: buckets from last to first, each bucket's keys in
 * insertion order. The table starts with 16 buckets and doubles whenever it holds more than twice as many
 * keys as buckets (the resize keeps each bucket's order).
 */
export function ocamlHashtblFoldKeys(inserted: string[], hash: (k: string) => number = ocamlStringHash): string[] {
  const keys = [...new Set(inserted)]
  let size = 16
  while (keys.length > 2 * size) size *= 2
  const buckets: string[][] = Array.from({ length: size }, () => [])
  for (const k of keys) buckets[hash(k) & (size - 1)]!.push(k)
  return buckets.reverse().flat()
}

/**
 * The integer OCaml represents a constant polymorphic variant `tag by (runtime/hash.c caml_hash_variant): a
 * 223-based hash of the name, truncated to 31 bits and sign-extended. Enum values such as `vdi_create are
 * such variants, so this decides both Hashtbl order and Stdlib.compare order of operation sets.
 */
const variantHashes = new Map<string, number>()
export function ocamlVariantHash(tag: string): number {
  let h = variantHashes.get(tag)
  if (h === undefined) {
    h = variantHashOf(tag)
    variantHashes.set(tag, h)
  }
  return h
}
function variantHashOf(tag: string): number {
  let accu = 0n
  for (const c of Buffer.from(tag, 'utf8')) accu = (223n * accu + BigInt(c)) & 0xffffffffn
  // the tagged value 2·accu+1, kept to 32 bits and sign-extended, then untagged
  let tagged = (2n * accu + 1n) & 0xffffffffn
  if (tagged >= 0x80000000n) tagged -= 0x100000000n
  return Number(tagged >> 1n)
}

/** Hashtbl.hash of an OCaml int (caml_hash_mix_intnat of the tagged value, then FINAL_MIX). */
export function ocamlIntHash(n: number): number {
  const tagged = Number((2n * BigInt(n) + 1n) & 0xffffffffn) >>> 0
  return finalMix(mix(0, tagged))
}

/**
 * The keys of an operations table keyed by enum values (`Hashtbl.create 10` filled with Hashtbl.replace in
 * `inserted` order), as `Hashtbl.fold (fun k _ acc -> k :: acc)` lists them — the order xapi stores
 * SR/VBD/VIF allowed_operations in.
 */
const folds = new Map<string, string[]>()
export function ocamlVariantHashtblFold<T extends string>(inserted: readonly T[]): T[] {
  // a pure function of the insertion order, asked again for every object whose operations are refreshed
  const key = inserted.join(',')
  let r = folds.get(key)
  if (!r) {
    r = ocamlHashtblFoldKeys([...inserted], (k) => ocamlIntHash(ocamlVariantHash(k)))
    folds.set(key, r)
  }
  return [...r] as T[]
}

/** Set.elements of a set of enum values: ascending Stdlib.compare, i.e. by variant hash (VDI allowed_operations). */
export function ocamlVariantSetElements<T extends string>(members: readonly T[]): T[] {
  return [...new Set(members)].sort((a, b) => ocamlVariantHash(a) - ocamlVariantHash(b))
}

/** Hashtbl.hash (Ref.Real uuid) for a reference "OpaqueRef:<uuid>". */
export function hashRef(ref: string): number {
  const uuid = ref.startsWith('OpaqueRef:') ? ref.slice('OpaqueRef:'.length) : ref
  // the block Real s: header of one field, tag 0 (mixed in, not counted), then the string
  return finalMix(mixString(mix(0, 1 << 10), uuid))
}

/** Hashtbl.create 10 + replace / iter over reference keys. */
export class RefHashtbl<V> {
  private buckets: Array<Array<[string, V]>> = Array.from({ length: 16 }, () => [])
  private size = 0
  replace(key: string, value: V): void {
    const b = this.buckets[hashRef(key) & (this.buckets.length - 1)]!
    const i = b.findIndex(([k]) => k === key)
    if (i >= 0) {
      b[i] = [key, value]
      return
    }
    b.unshift([key, value])
    this.size++
    if (this.size > 2 * this.buckets.length) this.resize()
  }
  private resize(): void {
    const old = this.buckets
    this.buckets = Array.from({ length: old.length * 2 }, () => [])
    for (const b of old) for (const e of b) this.buckets[hashRef(e[0]) & (this.buckets.length - 1)]!.push(e)
  }
  has(key: string): boolean {
    return this.buckets[hashRef(key) & (this.buckets.length - 1)]!.some(([k]) => k === key)
  }
  /** Hashtbl.iter order. */
  entries(): Array<[string, V]> {
    return this.buckets.flat()
  }
}
