// The XVA format as xapi writes and reads it (export.ml, import.ml, stream_vdi.ml; ocaml-tar 2.x, whose
// default V7 headers xapi uses): a tar stream whose first member is ova.xml (the VM metadata), followed by
// each disk as numbered 1 MiB chunks `Ref:<n>/<8-digit counter>` with an `.xxhash` (or, from older hosts,
// `.checksum` SHA-1) file after each; all-zero chunks other than the first and last are left out.
// Disk bytes come from a DiskSource and go to a DiskSink: xesim keeps no disk contents yet, so the default
// store reads zeros and discards writes; a real store can be plugged in with setDiskStore.
import { createReadStream } from 'node:fs'
import type { Readable } from 'node:stream'
import { ocamlIntOfString } from './vbd'

export const CHUNK_SIZE = 1024 * 1024
const BLOCK = 512

// ---------------------------------------------------------------------------------------------------------
// OCaml exceptions of the format layer, with the text Printexc.to_string gives them.

export class FormatError extends Error {
  constructor(readonly printed: string) {
    super(printed)
  }
}
/** End_of_file: the stream ended inside a header or a member. */
export class PrematureEof extends FormatError {
  constructor() {
    super('End_of_file')
  }
}
export const checksumMismatch = () => new FormatError('Tar.Header.Checksum_mismatch')
export const endOfStream = () => new FormatError('Tar.Header.End_of_stream')
/** Stream_vdi.Failure "…" (stream_vdi.ml shadows Failure with its own exception). */
export const streamVdiFailure = (msg: string) => new FormatError(`Stream_vdi.Failure(${JSON.stringify(msg)})`)
/** Import.IFailure (Unexpected_file (expected, actual)): the first member is not ova.xml. */
export class UnexpectedFile extends FormatError {
  constructor(readonly expected: string, readonly actual: string) {
    super('Import.IFailure(_)')
  }
}
export class InvalidChecksum extends FormatError {
  constructor(msg: string) {
    super(`Stream_vdi.Invalid_checksum(${JSON.stringify(msg)})`)
  }
}

// ---------------------------------------------------------------------------------------------------------
// XXH64 (the `.xxhash` files: "%016LX" of XXH64 with seed 0), on 32-bit halves for speed.

let rh = 0
let rl = 0
function add64(ah: number, al: number, bh: number, bl: number): void {
  const s = al + bl
  rl = s >>> 0
  rh = (ah + bh + (s > 0xffffffff ? 1 : 0)) >>> 0
}
function mul64(ah: number, al: number, bh: number, bl: number): void {
  const a0 = al & 0xffff
  const a1 = al >>> 16
  const b0 = bl & 0xffff
  const b1 = bl >>> 16
  const p00 = a0 * b0
  const p01 = a0 * b1
  const p10 = a1 * b0
  const p11 = a1 * b1
  const t = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff)
  rl = ((t & 0xffff) * 65536 + (p00 & 0xffff)) >>> 0
  rh = (p11 + (p01 >>> 16) + (p10 >>> 16) + (t >>> 16) + Math.imul(ah, bl) + Math.imul(al, bh)) >>> 0
}
function rotl64(h: number, l: number, r: number): void {
  rh = ((h << r) | (l >>> (32 - r))) >>> 0
  rl = ((l << r) | (h >>> (32 - r))) >>> 0
}
const P1H = 0x9e3779b1, P1L = 0x85ebca87
const P2H = 0xc2b2ae3d, P2L = 0x27d4eb4f
const P3H = 0x165667b1, P3L = 0x9e3779f9
const P4H = 0x85ebca77, P4L = 0xc2b2ae63
const P5H = 0x27d4eb2f, P5L = 0x165667c5

/** round(acc, input) = rotl(acc + input·P2, 31)·P1; leaves the result in rh/rl. */
function round(ah: number, al: number, ih: number, il: number): void {
  mul64(ih, il, P2H, P2L)
  add64(ah, al, rh, rl)
  rotl64(rh, rl, 31)
  mul64(rh, rl, P1H, P1L)
}

/** XXH64 (seed 0) as xapi prints it: 16 upper-case hex digits. */
export function xxh64(b: Uint8Array): string {
  const len = b.length
  const u32 = (i: number) => (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)) >>> 0
  let p = 0
  let hh: number
  let hl: number
  if (len >= 32) {
    add64(P1H, P1L, P2H, P2L)
    let v1h = rh, v1l = rl
    let v2h = P2H, v2l = P2L
    let v3h = 0, v3l = 0
    // 0 - P1
    let v4h = (~P1H) >>> 0, v4l = ((~P1L) >>> 0) + 1
    if (v4l > 0xffffffff) { v4l = 0; v4h = (v4h + 1) >>> 0 }
    const limit = len - 32
    while (p <= limit) {
      round(v1h, v1l, u32(p + 4), u32(p)); v1h = rh; v1l = rl
      round(v2h, v2l, u32(p + 12), u32(p + 8)); v2h = rh; v2l = rl
      round(v3h, v3l, u32(p + 20), u32(p + 16)); v3h = rh; v3l = rl
      round(v4h, v4l, u32(p + 28), u32(p + 24)); v4h = rh; v4l = rl
      p += 32
    }
    rotl64(v1h, v1l, 1); hh = rh; hl = rl
    rotl64(v2h, v2l, 7); add64(hh, hl, rh, rl); hh = rh; hl = rl
    rotl64(v3h, v3l, 12); add64(hh, hl, rh, rl); hh = rh; hl = rl
    rotl64(v4h, v4l, 18); add64(hh, hl, rh, rl); hh = rh; hl = rl
    for (const [vh, vl] of [[v1h, v1l], [v2h, v2l], [v3h, v3l], [v4h, v4l]] as const) {
      round(0, 0, vh, vl)
      hh = (hh ^ rh) >>> 0
      hl = (hl ^ rl) >>> 0
      mul64(hh, hl, P1H, P1L)
      add64(rh, rl, P4H, P4L)
      hh = rh; hl = rl
    }
  } else {
    hh = P5H
    hl = P5L
  }
  add64(hh, hl, Math.floor(len / 0x100000000), len >>> 0)
  hh = rh; hl = rl
  while (p + 8 <= len) {
    round(0, 0, u32(p + 4), u32(p))
    hh = (hh ^ rh) >>> 0
    hl = (hl ^ rl) >>> 0
    rotl64(hh, hl, 27)
    mul64(rh, rl, P1H, P1L)
    add64(rh, rl, P4H, P4L)
    hh = rh; hl = rl
    p += 8
  }
  if (p + 4 <= len) {
    mul64(0, u32(p), P1H, P1L)
    hh = (hh ^ rh) >>> 0
    hl = (hl ^ rl) >>> 0
    rotl64(hh, hl, 23)
    mul64(rh, rl, P2H, P2L)
    add64(rh, rl, P3H, P3L)
    hh = rh; hl = rl
    p += 4
  }
  while (p < len) {
    mul64(0, b[p]!, P5H, P5L)
    hh = (hh ^ rh) >>> 0
    hl = (hl ^ rl) >>> 0
    rotl64(hh, hl, 11)
    mul64(rh, rl, P1H, P1L)
    hh = rh; hl = rl
    p++
  }
  // avalanche: h ^= h >> 33; h *= P2; h ^= h >> 29; h *= P3; h ^= h >> 32
  hl = (hl ^ (hh >>> 1)) >>> 0
  mul64(hh, hl, P2H, P2L)
  hh = rh
  hl = rl
  const lo29 = ((hl >>> 29) | (hh << 3)) >>> 0
  hh = (hh ^ (hh >>> 29)) >>> 0
  hl = (hl ^ lo29) >>> 0
  mul64(hh, hl, P3H, P3L)
  hh = rh
  hl = (rl ^ rh) >>> 0
  return hh.toString(16).toUpperCase().padStart(8, '0') + hl.toString(16).toUpperCase().padStart(8, '0')
}

/** Lower-case hex SHA-1 (the `.checksum` files of older exports). */
export function sha1Hex(b: Uint8Array): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('node:crypto') as typeof import('node:crypto')).createHash('sha1').update(b).digest('hex')
}

// ---------------------------------------------------------------------------------------------------------
// Tar headers (ocaml-tar 2.x Tar.Header, compatibility level V7: no magic, typeflag NUL for files).

export interface TarHeader {
  name: string
  size: number
  mode: number
  mtime: number
  /** the raw typeflag character */
  type: string
}

const octal = (n: number, width: number) => n.toString(8).padStart(width - 1, '0') + '\0'

/** Header.make + marshal: mode 0400, uid/gid 0, the given mtime (0 for disk chunks). */
export function tarHeader(name: string, size: number, mtime = 0): Buffer {
  const b = Buffer.alloc(BLOCK)
  const nameBytes = Buffer.from(name, 'utf8')
  if (nameBytes.length > 100) throw new Error('file_name too long')
  if (size > 0o77777777777) throw new Error('xesim: tar members above 8 GiB need a pax header')
  nameBytes.copy(b, 0)
  b.write(octal(0o400, 8), 100, 'latin1')
  b.write(octal(0, 8), 108, 'latin1')
  b.write(octal(0, 8), 116, 'latin1')
  b.write(octal(size, 12), 124, 'latin1')
  b.write(octal(mtime, 12), 136, 'latin1')
  b.write(octal(headerChecksum(b), 8), 148, 'latin1')
  return b
}

/** The sum of the header's bytes with the checksum field counted as eight spaces. */
function headerChecksum(b: Buffer): number {
  let sum = 0
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : b[i]!
  return sum
}

export const paddingOf = (size: number) => (BLOCK - (size % BLOCK)) % BLOCK

/** Header.unmarshal_int64: octal digits after trimming NULs and spaces. */
function parseOctal(b: Buffer, off: number, len: number): number {
  const s = b.toString('latin1', off, off + len).replace(/\0/g, ' ').trim()
  if (s === '') return 0
  if (!/^[0-7]+$/.test(s)) throw new FormatError(`Failure("Int64.of_string")`)
  return parseInt(s, 8)
}
const cString = (b: Buffer, off: number, len: number) => {
  const s = b.subarray(off, off + len)
  const z = s.indexOf(0)
  return (z < 0 ? s : s.subarray(0, z)).toString('utf8')
}

/** Header.unmarshal: undefined for an all-zero block, Checksum_mismatch for a damaged one. */
export function parseTarHeader(b: Buffer): TarHeader | undefined {
  if (b.every((x) => x === 0)) return undefined
  if (parseOctal(b, 148, 8) !== headerChecksum(b)) throw checksumMismatch()
  const ustar = b.toString('latin1', 257, 262) === 'ustar'
  const prefix = ustar ? cString(b, 345, 155) : ''
  const base = cString(b, 0, 100)
  const name = base === '' ? prefix : prefix === '' ? base : `${prefix}/${base}`
  return { name, size: parseOctal(b, 124, 12), mode: parseOctal(b, 100, 8), mtime: parseOctal(b, 136, 12), type: String.fromCharCode(b[156]!) }
}

// ---------------------------------------------------------------------------------------------------------
// Reading bytes from a stream (a file, or a decompressor's output).

export class ByteReader {
  private bufs: Buffer[] = []
  private have = 0
  private done = false
  /** bytes handed out so far */
  consumed = 0
  constructor(private src: AsyncIterator<Buffer>) {}

  private async fill(n: number): Promise<boolean> {
    while (this.have < n && !this.done) {
      let r: IteratorResult<Buffer>
      try {
        r = await this.src.next()
      } catch {
        // a decompressor that fails leaves its reader at end of file, as xapi's pipe from gzip/zstd does
        r = { done: true, value: undefined }
      }
      if (r.done) this.done = true
      else if (r.value.length > 0) {
        this.bufs.push(r.value)
        this.have += r.value.length
      }
    }
    return this.have >= n
  }
  private take(n: number): Buffer {
    const out = Buffer.allocUnsafe(n)
    let o = 0
    while (o < n) {
      const h = this.bufs[0]!
      const k = Math.min(h.length, n - o)
      h.copy(out, o, 0, k)
      o += k
      if (k === h.length) this.bufs.shift()
      else this.bufs[0] = h.subarray(k)
    }
    this.have -= n
    this.consumed += n
    return out
  }
  /** Exactly n bytes, or End_of_file. */
  async read(n: number): Promise<Buffer> {
    if (!(await this.fill(n))) throw new PrematureEof()
    return this.take(n)
  }
  /** Up to n bytes (fewer only at the end of the stream). */
  async readUpTo(n: number): Promise<Buffer> {
    await this.fill(n)
    return this.take(Math.min(n, this.have))
  }
  async skip(n: number): Promise<void> {
    while (n > 0) {
      const k = Math.min(n, CHUNK_SIZE)
      await this.read(k)
      n -= k
    }
  }
  /** What is left unread, as a stream (for handing it to a decompressor). */
  async *rest(): AsyncGenerator<Buffer> {
    if (this.have > 0) yield this.take(this.have)
    for (;;) {
      if (!(await this.fill(1))) return
      yield this.take(this.have)
    }
  }
}

/** Tar.HeaderReader.read (V7 level): pax extended and long-name headers applied, global headers skipped. */
export async function readTarHeader(r: ByteReader): Promise<TarHeader> {
  const next = async (): Promise<TarHeader | undefined> => {
    let h = parseTarHeader(await r.read(BLOCK))
    if (h && h.type === 'g') {
      await r.skip(h.size + paddingOf(h.size))
      h = parseTarHeader(await r.read(BLOCK))
    }
    return h
  }
  let h = await next()
  if (!h) {
    h = await next()
    if (!h) throw endOfStream()
    return h
  }
  if (h.type === 'x') {
    const ext = await r.read(h.size)
    await r.skip(paddingOf(h.size))
    const real = parseTarHeader(await r.read(BLOCK))
    if (!real) throw endOfStream()
    for (const m of ext.toString('utf8').matchAll(/^\d+ ([^=]+)=(.*)$/gm)) {
      if (m[1] === 'path') real.name = m[2]!
      else if (m[1] === 'size') real.size = Number(m[2])
    }
    return real
  }
  if (h.type === 'L' && h.name === '././@LongLink') {
    const name = (await r.read(h.size)).toString('utf8')
    await r.skip(paddingOf(h.size))
    const real = await next()
    if (!real) throw endOfStream()
    return { ...real, name: name.slice(0, -1) }
  }
  return h
}

// ---------------------------------------------------------------------------------------------------------
// Disk contents: where exported bytes come from and imported bytes go.

export interface DiskSource {
  /** The bytes [offset, offset + length), or null when they are known to be all zeros. */
  read(offset: number, length: number): Promise<Buffer | null>
  /** The first offset ≥ from that may hold non-zero data (Infinity: nothing more); sparse sources skip holes. */
  nextData(from: number): Promise<number>
}
export interface DiskSink {
  /** Data for [offset, offset + data.length); never-written ranges read as zeros. */
  write(offset: number, data: Buffer): Promise<void>
  close(): Promise<void>
}
export interface DiskRef {
  home: string
  vdiUuid: string
  virtualSize: number
}
export interface DiskStore {
  source(d: DiskRef): DiskSource
  sink(d: DiskRef): DiskSink
}

/** xesim keeps no disk contents yet: every disk reads as zeros and imported bytes are dropped. */
export const zeroStore: DiskStore = {
  source: () => ({ read: async () => null, nextData: async () => Infinity }),
  sink: () => ({ write: async () => undefined, close: async () => undefined }),
}
let store: DiskStore = zeroStore
export const diskStore = (): DiskStore => store
/** Plugs in where disk bytes live (returns the previous store). */
export function setDiskStore(s: DiskStore): DiskStore {
  const prev = store
  store = s
  return prev
}

// ---------------------------------------------------------------------------------------------------------
// Writing an XVA.

export interface ByteSink {
  write(b: Buffer): Promise<void>
  end(): Promise<void>
}
export interface Progress {
  /** called with the bytes of disk covered so far (written or skipped) */
  advance(bytes: number): Promise<void>
}

let zeroChunkHash: string | undefined
const zeros = (n: number) => Buffer.alloc(n)
function hashOf(data: Buffer, allZero: boolean): string {
  if (allZero && data.length === CHUNK_SIZE) return (zeroChunkHash ??= xxh64(data))
  return xxh64(data)
}
const isAllZero = (b: Buffer) => {
  for (let i = 0; i < b.length; i++) if (b[i] !== 0) return false
  return true
}

export class XvaWriter {
  constructor(private out: ByteSink) {}

  /** Tar_helpers.write_block: header, data, zero padding. */
  async member(name: string, data: Buffer, mtime = 0): Promise<void> {
    await this.out.write(tarHeader(name, data.length, mtime))
    if (data.length > 0) await this.out.write(data)
    const pad = paddingOf(data.length)
    if (pad > 0) await this.out.write(zeros(pad))
  }

  /**
   * Stream_vdi.send_one: the disk as chunks `<prefix>/<8 digits>` (chunk i covers bytes [i MiB, (i+1) MiB)),
   * each followed by `<name>.xxhash`; the first and the last chunk always, others only when not all zeros.
   */
  async disk(prefix: string, size: number, src: DiskSource, progress: Progress): Promise<void> {
    if (size <= 0) return
    const last = Math.floor((size - 1) / CHUNK_SIZE)
    let i = 0
    while (i <= last) {
      const offset = i * CHUNK_SIZE
      const len = Math.min(CHUNK_SIZE, size - offset)
      const firstOrLast = i === 0 || i === last
      if (!firstOrLast) {
        // jump over holes the source knows about
        const next = await src.nextData(offset)
        const target = Math.min(last, Math.floor(Math.min(next, size) / CHUNK_SIZE))
        if (target > i) {
          await progress.advance((target - i) * CHUNK_SIZE)
          i = target
          continue
        }
      }
      const got = await src.read(offset, len)
      const data = got ?? zeros(len)
      const allZero = got === null || isAllZero(data)
      if (firstOrLast || !allZero) {
        const name = `${prefix}/${String(i).padStart(8, '0')}`
        await this.member(name, data)
        await this.member(`${name}.xxhash`, Buffer.from(hashOf(data, allZero), 'latin1'))
      }
      await progress.advance(len)
      i++
    }
  }

  /** Tar_helpers.write_end: two zero blocks (no padding to a record size). */
  async end(): Promise<void> {
    await this.out.write(zeros(2 * BLOCK))
    await this.out.end()
  }
}

// ---------------------------------------------------------------------------------------------------------
// Reading an XVA.

export const ZSTD_MAGIC = Buffer.from([0x28, 0xb5, 0x2f, 0xfd])

/** A decompressor: the stream to write compressed bytes to and read plain bytes from. */
export type Decompressor = () => import('node:stream').Duplex

/** zlib's zstd when this Node.js has it, else the zstd program (as xapi runs /usr/bin/zstd). */
export function zstdAvailable(): 'zlib' | 'program' | undefined {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const zlib = require('node:zlib') as Record<string, unknown>
  if (typeof zlib.createZstdDecompress === 'function') return 'zlib'
  return findProgram('zstd') ? 'program' : undefined
}
function findProgram(name: string): string | undefined {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { existsSync } = require('node:fs') as typeof import('node:fs')
  for (const dir of (process.env.PATH ?? '/usr/bin:/bin').split(':')) {
    const p = `${dir || '.'}/${name}`
    if (existsSync(p)) return p
  }
  return undefined
}

/** A child process (no shell) as a Duplex stream: stdin ← written bytes, stdout → read bytes. */
function programStream(path: string, args: string[]): import('node:stream').Duplex {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { spawn } = require('node:child_process') as typeof import('node:child_process')
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Duplex } = require('node:stream') as typeof import('node:stream')
  const child = spawn(path, args, { stdio: ['pipe', 'pipe', 'ignore'] })
  const d = Duplex.from({ writable: child.stdin, readable: child.stdout })
  child.stdin.on('error', () => undefined)
  child.on('error', (e) => d.destroy(e))
  return d
}

export function gunzipStream(): import('node:stream').Duplex {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('node:zlib') as typeof import('node:zlib')).createGunzip()
}
export function zstdDecompressStream(): import('node:stream').Duplex {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const zlib = require('node:zlib') as Record<string, () => import('node:stream').Duplex>
  if (typeof zlib.createZstdDecompress === 'function') return zlib.createZstdDecompress()
  const p = findProgram('zstd')
  if (!p) throw new FormatError('Unix.Unix_error(Unix.ENOENT, "execv", "/usr/bin/zstd")')
  return programStream(p, ['--decompress', '--stdout'])
}
export function gzipStream(): import('node:stream').Duplex {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('node:zlib') as typeof import('node:zlib')).createGzip()
}
export function zstdCompressStream(): import('node:stream').Duplex | undefined {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const zlib = require('node:zlib') as Record<string, () => import('node:stream').Duplex>
  if (typeof zlib.createZstdCompress === 'function') return zlib.createZstdCompress()
  const p = findProgram('zstd')
  return p ? programStream(p, []) : undefined
}

/** Feeds `head` then `rest` through a decompressor; the reader sees its output. */
function decompressed(head: Buffer, rest: AsyncIterable<Buffer>, make: () => import('node:stream').Duplex): ByteReader {
  let d: import('node:stream').Duplex
  try {
    d = make()
  } catch {
    // the decompressor could not be started: its output pipe is simply empty
    return new ByteReader((async function* (): AsyncGenerator<Buffer> {})())
  }
  void (async () => {
    try {
      if (!d.write(head)) await new Promise((r) => d.once('drain', r))
      for await (const b of rest) if (!d.write(b)) await new Promise((r) => d.once('drain', r))
      d.end()
    } catch {
      d.destroy()
    }
  })()
  return new ByteReader(d[Symbol.asyncIterator]())
}

export interface OpenedXva {
  xml: string
  reader: ByteReader
  /** closes the file (and any decompressor) */
  close(): void
}

/**
 * Import.with_open_archive: the first 512 bytes must be the ova.xml header of a plain tar; if anything about
 * them fails (before more was read), the whole stream is decompressed — zstd when it starts with zstd's magic
 * number, gzip otherwise — and the first member must then be ova.xml (Unexpected_file otherwise).
 */
export async function openXva(file: string): Promise<OpenedXva> {
  const raw: Readable = createReadStream(file)
  const close = () => raw.destroy()
  try {
    const r = new ByteReader(raw[Symbol.asyncIterator]())
    const first = await r.readUpTo(BLOCK)
    let h: TarHeader | undefined | 'retry' = 'retry'
    if (first.length === BLOCK) {
      try {
        h = parseTarHeader(first)
      } catch (e) {
        if (!(e instanceof FormatError)) throw e
      }
    }
    if (h === undefined || (h !== 'retry' && ['g', 'x', 'L'].includes(h.type))) {
      // more headers to read: from here on the stream is taken as a plain tar
      const plain = new ByteReader(
        (async function* () {
          yield first
          yield* r.rest()
        })(),
      )
      const hdr = await readTarHeader(plain)
      if (hdr.name !== 'ova.xml') throw new UnexpectedFile('ova.xml', hdr.name)
      return { xml: await readMember(plain, hdr), reader: plain, close }
    }
    if (h !== 'retry' && h.name === 'ova.xml') return { xml: await readMember(r, h), reader: r, close }
    const zstd = first.subarray(0, 4).equals(ZSTD_MAGIC)
    const dr = decompressed(first, r.rest(), zstd ? zstdDecompressStream : gunzipStream)
    const hdr = await readTarHeader(dr)
    if (hdr.name !== 'ova.xml') throw new UnexpectedFile('ova.xml', hdr.name)
    return { xml: await readMember(dr, hdr), reader: dr, close }
  } catch (e) {
    close()
    throw e
  }
}

async function readMember(r: ByteReader, h: TarHeader): Promise<string> {
  const xml = (await r.read(h.size)).toString('utf8')
  await r.skip(paddingOf(h.size))
  return xml
}

export interface DiskToRead {
  /** the VDI's id in the export (the chunks' directory) */
  prefix: string
  /** the virtual size the export declares */
  size: number
  sink: DiskSink
}

/**
 * Stream_vdi.recv_all: the disks in prefix order; chunk counters must increase, and gaps are zero chunks the
 * size of the first chunk of the stream. Each chunk's checksum file is checked (unless `force`) when the
 * export has inline checksums. Returns the table of (chunk name, computed checksum).
 */
export async function readDisks(r: ByteReader, disks: DiskToRead[], o: { inlineChecksums: boolean; force: boolean; progress: Progress }): Promise<Array<[string, string]>> {
  const table: Array<[string, string]> = []
  let firstChunkLength = -1
  const intOf = (s: string) => {
    const n = ocamlIntOfString(s)
    if (n === undefined) throw new FormatError('Failure("int_of_string")')
    return n
  }
  for (const d of [...disks].sort((a, b) => cmpBytes(a.prefix, b.prefix))) {
    let last = '-1'
    let offset = 0
    while (d.size - offset > 0) {
      const h = await readTarHeader(r)
      if (firstChunkLength < 0) firstChunkLength = h.size
      if (!h.name.startsWith(d.prefix)) throw streamVdiFailure('Invalid XVA file')
      const suffix = h.name.slice(d.prefix.length + 1)
      if (cmpBytes(suffix, last) <= 0) throw streamVdiFailure('Invalid XVA file')
      const gap = intOf(suffix) - intOf(last) - 1
      const skipped = firstChunkLength * gap
      const data = await r.read(h.size)
      if (data.length > 0) await d.sink.write(offset + skipped, data)
      const ch = await readTarHeader(r)
      const ext = extensionOf(ch.name)
      let csum: string
      if (ext === '.xxhash') csum = xxh64(data)
      else if (ext === '.checksum') csum = sha1Hex(data)
      else throw streamVdiFailure(`Found unsupported checksum file: ${ch.name}`)
      table.unshift([h.name, csum])
      await r.skip(paddingOf(h.size))
      await o.progress.advance(skipped + h.size)
      if (o.inlineChecksums) {
        const stored = (await r.read(ch.size)).toString('latin1')
        await r.skip(paddingOf(ch.size))
        const original = removeExtension(ch.name)
        const computed = table.find(([n]) => n === original)?.[1]
        if (computed === undefined) throw new FormatError('Not_found')
        if (stored !== computed && !o.force) throw new InvalidChecksum(`Block ${original} checksum failed: original = ${stored}; recomputed = ${computed}`)
      }
      last = suffix
      offset += skipped + h.size
    }
    await d.sink.close()
  }
  return table
}

/** OCaml's string compare: byte-wise. */
function cmpBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'))
}
/** Filename.extension: from the last dot of the base name (a leading dot does not count). */
function extensionOf(name: string): string {
  const base = name.slice(name.lastIndexOf('/') + 1)
  const i = base.lastIndexOf('.')
  return i > 0 ? base.slice(i) : ''
}
const removeExtension = (name: string) => {
  const ext = extensionOf(name)
  return ext === '' ? name : name.slice(0, -ext.length)
}
