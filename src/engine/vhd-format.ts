// The VHD format as vdi-import / vdi-export use it (vhd-tool, built on ocaml-vhd): reading fixed and dynamic VHD
// files into raw disk contents, and writing a disk as a dynamic VHD stream — footer copy, dynamic header, BAT,
// then each allocated 2 MiB block (a sector bitmap of ones, then the data), then the footer. Field values
// follow ocaml-vhd's defaults (creator application "caml", creator version 1, host OS 0, time stamp 0); the
// VHD's unique id is the VDI's uuid so that an export is reproducible. Layout: Microsoft "Virtual Hard Disk
// Image Format Specification" (footer, dynamic disk header, BAT, CHS geometry appendix).
import { closeSync, fstatSync, openSync, readSync } from 'node:fs'

export const VHD_SECTOR = 512
export const VHD_BLOCK = 2 * 1024 * 1024
const FOOTER_COOKIE = 'conectix'
const HEADER_COOKIE = 'cxsparse'
const FORMAT_VERSION = 0x00010000
const NO_OFFSET = 0xffffffffffffffffn
const UNUSED = 0xffffffff
const FIXED = 2
const DYNAMIC = 3
const DIFFERENCING = 4

/** A malformed or unsupported VHD (vhd-tool fails; xapi reports VDI_IO_ERROR). */
export class VhdError extends Error {}

/** One's complement of the byte sum, the checksum field counting as zero. */
function checksum(buf: Buffer, fieldAt: number): number {
  let sum = 0
  for (let i = 0; i < buf.length; i++) if (i < fieldAt || i >= fieldAt + 4) sum = (sum + buf[i]!) >>> 0
  return ~sum >>> 0
}

/** The CHS geometry of the spec's appendix (as ocaml-vhd's Geometry.of_sectors computes it). */
export function vhdGeometry(sectors: number): [number, number, number] {
  const secs = Math.min(65535 * 255 * 16, sectors)
  let spt: number
  let heads: number
  let cth: number
  if (secs > 65535 * 63 * 16) {
    spt = 255
    heads = 16
    cth = Math.floor(secs / spt)
  } else {
    spt = 17
    cth = Math.floor(secs / spt)
    heads = Math.max(Math.floor((cth + 1023) / 1024), 4)
    if (cth >= heads * 1024 || heads > 16) {
      spt = 31
      heads = 16
      cth = Math.floor(secs / spt)
    }
    if (cth >= heads * 1024) {
      spt = 63
      heads = 16
      cth = Math.floor(secs / spt)
    }
  }
  return [Math.floor(cth / heads), heads, spt]
}

function uuidBytes(uuid: string): Buffer {
  const hex = uuid.replace(/-/g, '')
  return /^[0-9a-f]{32}$/i.test(hex) ? Buffer.from(hex, 'hex') : Buffer.alloc(16)
}

/** The 512-byte footer of a disk of `size` bytes. */
export function vhdFooter(size: number, type: 'fixed' | 'dynamic', uuid: string): Buffer {
  const b = Buffer.alloc(VHD_SECTOR)
  b.write(FOOTER_COOKIE, 0, 'latin1')
  b.writeUInt32BE(2, 8) // features: the reserved bit, always set
  b.writeUInt32BE(FORMAT_VERSION, 12)
  b.writeBigUInt64BE(type === 'dynamic' ? BigInt(VHD_SECTOR) : NO_OFFSET, 16)
  b.writeUInt32BE(0, 24) // time stamp
  b.write('caml', 28, 'latin1')
  b.writeUInt32BE(1, 32)
  b.writeUInt32BE(0, 36)
  b.writeBigUInt64BE(BigInt(size), 40)
  b.writeBigUInt64BE(BigInt(size), 48)
  const [c, h, s] = vhdGeometry(Math.floor(size / VHD_SECTOR))
  b.writeUInt16BE(c, 56)
  b.writeUInt8(h, 58)
  b.writeUInt8(s, 59)
  b.writeUInt32BE(type === 'dynamic' ? DYNAMIC : FIXED, 60)
  uuidBytes(uuid).copy(b, 68)
  b.writeUInt32BE(checksum(b, 64), 64)
  return b
}

/** The 1024-byte dynamic disk header: BAT right after it (at 1536). */
export function vhdDynamicHeader(size: number): Buffer {
  const b = Buffer.alloc(1024)
  b.write(HEADER_COOKIE, 0, 'latin1')
  b.writeBigUInt64BE(NO_OFFSET, 8)
  b.writeBigUInt64BE(BigInt(VHD_SECTOR + 1024), 16)
  b.writeUInt32BE(FORMAT_VERSION, 24)
  b.writeUInt32BE(Math.ceil(size / VHD_BLOCK), 28)
  b.writeUInt32BE(VHD_BLOCK, 32)
  b.writeUInt32BE(checksum(b, 36), 36)
  return b
}

/** Where a disk's bytes come from: null for a range known to be all zeros. */
export interface RangeReader {
  read(offset: number, length: number): Promise<Buffer | null>
}

const isZero = (b: Buffer) => {
  for (let i = 0; i < b.length; i++) if (b[i] !== 0) return false
  return true
}

/**
 * Writes the disk as a dynamic VHD stream. Blocks holding only zeros (or that `skip` says to leave out, e.g.
 * those equal to a base disk) are not allocated. `progress` is told the bytes of disk covered so far.
 */
export async function writeDynamicVhd(
  size: number, uuid: string, src: RangeReader, out: (b: Buffer) => Promise<void>,
  progress: (done: number) => Promise<void>, skip?: (offset: number, data: Buffer) => Promise<boolean>,
): Promise<void> {
  const blocks = Math.ceil(size / VHD_BLOCK)
  // first pass: which blocks hold data
  const allocated: number[] = []
  for (let i = 0; i < blocks; i++) {
    const off = i * VHD_BLOCK
    const len = Math.min(VHD_BLOCK, size - off)
    const got = await src.read(off, len)
    let keep = got !== null && !isZero(got)
    if (keep && skip && (await skip(off, got!))) keep = false
    if (keep) allocated.push(i)
  }
  const batBytes = Math.ceil((blocks * 4) / VHD_SECTOR) * VHD_SECTOR
  const bat = Buffer.alloc(batBytes, 0xff)
  let sector = (VHD_SECTOR + 1024 + batBytes) / VHD_SECTOR
  for (const i of allocated) {
    bat.writeUInt32BE(sector, i * 4)
    sector += 1 + VHD_BLOCK / VHD_SECTOR
  }
  const footer = vhdFooter(size, 'dynamic', uuid)
  await out(footer)
  await out(vhdDynamicHeader(size))
  await out(bat)
  const bitmap = Buffer.alloc(VHD_SECTOR, 0xff)
  let k = 0
  for (let i = 0; i < blocks; i++) {
    const off = i * VHD_BLOCK
    if (allocated[k] === i) {
      k++
      const len = Math.min(VHD_BLOCK, size - off)
      const got = (await src.read(off, len)) ?? Buffer.alloc(len)
      await out(bitmap)
      await out(len < VHD_BLOCK ? Buffer.concat([got, Buffer.alloc(VHD_BLOCK - len)]) : got)
    }
    await progress(Math.min(size, off + VHD_BLOCK))
  }
  await out(footer)
}

/** A VHD file opened for reading: its virtual size and a reader of its contents. */
export interface OpenedVhd {
  size: number
  /** the data of [offset, offset+len) (only allocated ranges are visited by `extents`) */
  read(offset: number, length: number): Buffer
  /** the ranges that may hold data, in order */
  extents(): Array<[number, number]>
  close(): void
}

function parseFooter(b: Buffer): { size: number; type: number; dataOffset: bigint } {
  if (b.toString('latin1', 0, 8) !== FOOTER_COOKIE) throw new VhdError('Unsupported footer cookie')
  if (b.readUInt32BE(12) !== FORMAT_VERSION) throw new VhdError('Unsupported footer version')
  if (b.readUInt32BE(64) !== checksum(b, 64)) throw new VhdError('Invalid checksum')
  const type = b.readUInt32BE(60)
  if (type !== FIXED && type !== DYNAMIC && type !== DIFFERENCING) throw new VhdError('Unknown disk type')
  return { size: Number(b.readBigUInt64BE(48)), type, dataOffset: b.readBigUInt64BE(16) }
}

/** Opens a fixed or dynamic VHD file (differencing disks need their parent: refused). */
/** Reads len bytes at pos (fewer at the end of the file), looping over short reads. */
export function preadFull(fd: number, len: number, pos: number): Buffer {
  const b = Buffer.alloc(len)
  let got = 0
  while (got < len) {
    const n = readSync(fd, b, got, len - got, pos + got)
    if (n === 0) break
    got += n
  }
  return b
}

export function openVhd(path: string): OpenedVhd {
  const fd = openSync(path, 'r')
  try {
    const fileSize = fstatSync(fd).size
    if (fileSize < VHD_SECTOR) throw new VhdError('File too short')
    const pread = (len: number, pos: number) => preadFull(fd, len, pos)
    const footer = parseFooter(pread(VHD_SECTOR, fileSize - VHD_SECTOR))
    const size = footer.size
    if (footer.type === FIXED) {
      if (fileSize - VHD_SECTOR < size) throw new VhdError('Fixed disk shorter than its size')
      return {
        size,
        read: (o, l) => pread(l, o),
        extents: () => (size > 0 ? [[0, size]] : []),
        close: () => closeSync(fd),
      }
    }
    if (footer.type === DIFFERENCING) throw new VhdError('Differencing disks need their parent')
    const h = pread(1024, Number(footer.dataOffset))
    if (h.toString('latin1', 0, 8) !== HEADER_COOKIE) throw new VhdError('Unsupported header cookie')
    if (h.readUInt32BE(36) !== checksum(h, 36)) throw new VhdError('Invalid header checksum')
    const batAt = Number(h.readBigUInt64BE(16))
    const entries = h.readUInt32BE(28)
    const blockSize = h.readUInt32BE(32)
    if (blockSize === 0 || blockSize % VHD_SECTOR !== 0) throw new VhdError('Bad block size')
    const bat = pread(entries * 4, batAt)
    const bitmapBytes = Math.ceil(blockSize / VHD_SECTOR / 8 / VHD_SECTOR) * VHD_SECTOR
    const blockAt = (i: number) => {
      const s = bat.readUInt32BE(i * 4)
      return s === UNUSED ? undefined : s * VHD_SECTOR
    }
    return {
      size,
      read(o, l) {
        const out = Buffer.alloc(l)
        let done = 0
        while (done < l) {
          const pos = o + done
          const i = Math.floor(pos / blockSize)
          const within = pos - i * blockSize
          const n = Math.min(l - done, blockSize - within)
          const at = i < entries ? blockAt(i) : undefined
          if (at !== undefined) {
            const bm = pread(bitmapBytes, at)
            // copy sector by sector: sectors whose bitmap bit is clear read as zeros
            for (let s = 0; s < n; ) {
              const sec = Math.floor((within + s) / VHD_SECTOR)
              const inSec = (within + s) % VHD_SECTOR
              const m = Math.min(n - s, VHD_SECTOR - inSec)
              if ((bm[sec >> 3]! >> (7 - (sec & 7))) & 1) pread(m, at + bitmapBytes + within + s).copy(out, done + s)
              s += m
            }
          }
          done += n
        }
        return out
      },
      extents() {
        const r: Array<[number, number]> = []
        for (let i = 0; i < entries; i++) {
          if (blockAt(i) === undefined) continue
          const s = i * blockSize
          const e = Math.min(size, s + blockSize)
          if (s >= e) continue
          const last = r[r.length - 1]
          if (last && last[1] === s) last[1] = e
          else r.push([s, e])
        }
        return r
      },
      close: () => closeSync(fd),
    }
  } catch (e) {
    closeSync(fd)
    throw e
  }
}
