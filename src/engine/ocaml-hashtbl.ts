// The order in which xapi walks an OCaml Hashtbl keyed by object references (Hashtbl.hash of Ref.Real <uuid>,
// seed 0: MurmurHash3-style caml_hash over the block header and the string), so that results xapi collects in a
// Hashtbl (host evacuation plans) come out in xapi's order. Insertion into a bucket puts the key first; iteration
// goes through buckets 0..n-1; the table starts with 16 buckets and doubles when it holds more than twice that.
// Re-expressed from OCaml's runtime/hash.c and stdlib/hashtbl.ml.

const rotl = (x: number, n: number) => ((x << n) | (x >>> (32 - n))) >>> 0
function mix(h: number, d: number): number {
  d = Math.imul(d, 0xcc9e2d51) >>> 0
  d = rotl(d, 15)
  d = Math.imul(d, 0x1b873593) >>> 0
  h = (h ^ d) >>> 0
  h = rotl(h, 13)
  return (Math.imul(h, 5) + 0xe6546b64) >>> 0
}
function finalMix(h: number): number {
  h = (h ^ (h >>> 16)) >>> 0
  h = Math.imul(h, 0x85ebca6b) >>> 0
  h = (h ^ (h >>> 13)) >>> 0
  h = Math.imul(h, 0xc2b2ae35) >>> 0
  return (h ^ (h >>> 16)) >>> 0
}
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

/** Hashtbl.hash (Ref.Real uuid) for a reference "OpaqueRef:<uuid>". */
export function hashRef(ref: string): number {
  const uuid = ref.startsWith('OpaqueRef:') ? ref.slice('OpaqueRef:'.length) : ref
  // the block Real s: header of one field, tag 0 (mixed in, not counted), then the string
  let h = mix(0, 1 << 10)
  h = mixString(h, uuid)
  return finalMix(h) & 0x3fffffff
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
