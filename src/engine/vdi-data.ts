// The bytes of VDIs, kept under XESIM_HOME/vdi-data: one sparse file per VDI that ever held data
// (<uuid>.img) and the list of byte ranges written to it (<uuid>.extents, JSON), so that holes are known
// without reading them. A VDI without a file reads as zeros — what a freshly created VDI holds. The engine's
// VDI operations keep the bytes in step (vdi.ts: destroy drops them, snapshot/clone/copy copy them), vdi-import /
// vdi-export move them in and out (raw, vhd, tar), and this store is the XVA code's DiskStore, so vm-export
// writes real disk contents and vm-import keeps them. Reference: xapi-model.md §3 (VDI.destroy / VDI.forget:
// forgetting keeps the data), §11.
import { closeSync, existsSync, fstatSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs'
import { dirname, join } from 'node:path'
import type { Db, XObj } from './db'
import { isoDirectory } from './sr-types'
import { preadFull } from './vhd-format'
import type { DiskRef, DiskSink, DiskSource, DiskStore } from './xva'

/** The size of the pieces bytes are written and copied in. */
export const PIECE = 1024 * 1024

export type Extent = [number, number]

/** XESIM_HOME of a transaction's world (the directory of its world.db). */
export const homeOf = (db: Db): string => dirname(db.store.file)

export const dataDir = (home: string) => join(home, 'vdi-data')
const imgPath = (home: string, uuid: string) => join(dataDir(home), `${uuid}.img`)
const mapPath = (home: string, uuid: string) => join(dataDir(home), `${uuid}.extents`)

/** The ranges of the VDI's disk written so far (sorted, merged); [] when it never held data. */
export function vdiExtents(home: string, uuid: string): Extent[] {
  try {
    const v = JSON.parse(readFileSync(mapPath(home, uuid), 'utf8')) as unknown
    return Array.isArray(v) ? (v as Extent[]) : []
  } catch {
    return []
  }
}

/** The uuids of the VDIs whose bytes the store holds (in uuid order). */
export function vdisWithData(home: string): string[] {
  let names: string[]
  try {
    names = readdirSync(dataDir(home))
  } catch {
    return [] // no disk ever held data
  }
  return names.filter((n) => n.endsWith('.extents')).map((n) => n.slice(0, -'.extents'.length)).sort()
}

export function hasVdiData(home: string, uuid: string): boolean {
  return vdiExtents(home, uuid).length > 0
}

/** Adds [s, e) to sorted, merged extents. */
export function addExtent(xs: Extent[], s: number, e: number): Extent[] {
  if (e <= s) return xs
  const out: Extent[] = []
  let cur: Extent = [s, e]
  let placed = false
  for (const x of xs) {
    if (x[1] < cur[0]) out.push(x)
    else if (x[0] > cur[1]) {
      if (!placed) {
        out.push(cur)
        placed = true
      }
      out.push(x)
    } else cur = [Math.min(cur[0], x[0]), Math.max(cur[1], x[1])]
  }
  if (!placed) out.push(cur)
  return out
}

const overlaps = (xs: Extent[], s: number, e: number) => xs.some(([a, b]) => a < e && b > s)

function saveExtents(home: string, uuid: string, xs: Extent[]): void {
  const tmp = mapPath(home, uuid) + '.tmp'
  writeFileSync(tmp, JSON.stringify(xs))
  renameSync(tmp, mapPath(home, uuid))
}

function pwriteFull(fd: number, b: Buffer, pos: number): void {
  let done = 0
  while (done < b.length) done += writeSync(fd, b, done, b.length - done, pos + done)
}

const isZero = (b: Buffer) => {
  for (let i = 0; i < b.length; i++) if (b[i] !== 0) return false
  return true
}

/** Reads the VDI's bytes [offset, offset+length), or null when that range was never written (zeros). */
export function readVdiRange(home: string, uuid: string, offset: number, length: number, extents = vdiExtents(home, uuid)): Buffer | null {
  if (!overlaps(extents, offset, offset + length)) return null
  const fd = openSync(imgPath(home, uuid), 'r')
  try {
    return preadFull(fd, length, offset)
  } finally {
    closeSync(fd)
  }
}

/** A writer of the VDI's bytes; all-zero pieces over never-written ranges stay holes. close() saves the extents. */
export class VdiWriter {
  private fd: number | undefined
  private extents: Extent[]
  constructor(private home: string, private uuid: string) {
    this.extents = vdiExtents(home, uuid)
  }
  write(offset: number, data: Buffer): void {
    for (let at = 0; at < data.length; at += PIECE) {
      const piece = data.subarray(at, Math.min(data.length, at + PIECE))
      const s = offset + at
      const e = s + piece.length
      if (isZero(piece) && !overlaps(this.extents, s, e)) continue
      if (this.fd === undefined) {
        mkdirSync(dataDir(this.home), { recursive: true })
        this.fd = openSync(imgPath(this.home, this.uuid), existsSync(imgPath(this.home, this.uuid)) ? 'r+' : 'w+', 0o600)
      }
      pwriteFull(this.fd, piece, s)
      this.extents = addExtent(this.extents, s, e)
    }
  }
  /** Makes [s, e) read as zeros again. */
  zero(s: number, e: number): void {
    for (const [a, b] of this.extents) {
      const lo = Math.max(a, s)
      const hi = Math.min(b, e)
      for (let p = lo; p < hi; p += PIECE) this.write(p, Buffer.alloc(Math.min(PIECE, hi - p)))
    }
  }
  close(): void {
    if (this.fd !== undefined) {
      closeSync(this.fd)
      this.fd = undefined
      saveExtents(this.home, this.uuid, this.extents)
    }
  }
}

/** Forgets the VDI's bytes (VDI.destroy, SR.destroy). */
export function deleteVdiData(home: string, uuid: string): void {
  rmSync(imgPath(home, uuid), { force: true })
  rmSync(mapPath(home, uuid), { force: true })
}

/**
 * Where a VDI's bytes are: the store (by uuid), or — for an ISO library in legacy mode, whose images are files of
 * a real directory — that file.
 */
export interface VdiPlace {
  uuid: string
  file?: string
}

/** The place of a VDI's bytes (an ISO library's VDI: its image file, when the library is a real directory). */
export function vdiPlace(db: Db, vdi: XObj<'VDI'>): VdiPlace {
  const sr = db.tryGet(vdi.f.SR, 'SR')
  const file = sr ? isoImagePath(db, sr, vdi.f.location) : undefined
  return file === undefined ? { uuid: vdi.f.uuid } : { uuid: vdi.f.uuid, file }
}

/** The image file of an ISO library kept in a real directory (legacy mode), else undefined. */
export function isoImagePath(db: Db, sr: XObj<'SR'>, location: string): string | undefined {
  if (sr.f.type !== 'iso' || sr.f.is_tools_sr) return undefined
  const pbd = db.referrers('PBD', 'SR', sr.ref)[0]
  const dir = pbd ? isoDirectory(pbd.f.device_config) : undefined
  return dir === undefined ? undefined : join(dir, location)
}

/** Reads a place's bytes: the ranges that may hold data, and their contents. */
export interface PlaceReader {
  extents(): Extent[]
  read(offset: number, length: number): Buffer | null
  close(): void
}

export function openReader(home: string, p: VdiPlace): PlaceReader {
  if (p.file === undefined) {
    const xs = vdiExtents(home, p.uuid)
    return { extents: () => xs, read: (o, l) => readVdiRange(home, p.uuid, o, l, xs), close: () => undefined }
  }
  let fd: number | undefined
  let size = 0
  try {
    fd = openSync(p.file, 'r')
    size = fstatSync(fd).size
  } catch {
    fd = undefined
  }
  return {
    extents: () => (size > 0 ? [[0, size]] : []),
    read: (o, l) => (fd === undefined || o >= size ? null : preadFull(fd, l, o)),
    close: () => {
      if (fd !== undefined) closeSync(fd)
    },
  }
}

/** Writes a place's bytes. */
export interface PlaceWriter {
  write(offset: number, data: Buffer): void
  zero(s: number, e: number): void
  close(): void
}

export function openWriter(home: string, p: VdiPlace): PlaceWriter {
  if (p.file === undefined) return new VdiWriter(home, p.uuid)
  const fd = openSync(p.file, existsSync(p.file) ? 'r+' : 'w+', 0o644)
  return {
    write: (o, d) => pwriteFull(fd, d, o),
    zero(s, e) {
      const size = fstatSync(fd).size
      for (let q = s; q < Math.min(e, size); q += PIECE) pwriteFull(fd, Buffer.alloc(Math.min(PIECE, Math.min(e, size) - q)), q)
    },
    close: () => closeSync(fd),
  }
}

/**
 * Makes dst's bytes [0, length) those of src (snapshot, clone, copy): dst's data beyond `length` stays.
 * Nothing to do when neither holds data there.
 */
export function copyVdiData(home: string, src: VdiPlace, dst: VdiPlace, length = Infinity): void {
  const r = openReader(home, src)
  try {
    const from = r.extents().map(([a, b]): Extent => [a, Math.min(b, length)]).filter(([a, b]) => b > a)
    const old = dst.file !== undefined || vdiExtents(home, dst.uuid).some(([a]) => a < length)
    if (from.length === 0 && !old) return
    const w = openWriter(home, dst)
    try {
      w.zero(0, length)
      for (const [a, b] of from) {
        for (let p = a; p < b; p += PIECE) {
          const d = r.read(p, Math.min(PIECE, b - p))
          if (d) w.write(p, d)
        }
      }
    } finally {
      w.close()
    }
  } finally {
    r.close()
  }
}

/** Drops a VDI's bytes (VDI.destroy, SR.destroy); an ISO image file is unlinked as ISOVDI.delete does. */
export function deletePlace(home: string, p: VdiPlace): void {
  if (p.file !== undefined) rmSync(p.file, { force: true })
  deleteVdiData(home, p.uuid)
}

/** The bytes held on disk for the VDI (what a sparse copy would take), for tests and diagnostics. */
export function vdiDataBytes(home: string, uuid: string): number {
  try {
    const fd = openSync(imgPath(home, uuid), 'r')
    try {
      return fstatSync(fd).blocks * 512
    } finally {
      closeSync(fd)
    }
  } catch {
    return 0
  }
}

// ---------------------------------------------------------------------------------------------------------
// The XVA code's DiskStore (vm-export reads the bytes, vm-import writes them).

export const vdiDiskStore: DiskStore = {
  source(d: DiskRef): DiskSource {
    const extents = vdiExtents(d.home, d.vdiUuid)
    return {
      read: async (offset, length) => readVdiRange(d.home, d.vdiUuid, offset, length, extents),
      nextData: async (from) => {
        for (const [a, b] of extents) if (b > from) return Math.max(a, from)
        return Infinity
      },
    }
  },
  sink(d: DiskRef): DiskSink {
    const w = new VdiWriter(d.home, d.vdiUuid)
    return {
      write: async (offset, data) => w.write(offset, data),
      close: async () => w.close(),
    }
  },
}

// Registered once the module graph has loaded (xva.ts may be mid-load when this module is first required).
void Promise.resolve().then(() => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  ;(require('./xva') as typeof import('./xva')).setDiskStore(vdiDiskStore)
})
