// The server side of vdi-import / vdi-export: import_raw_vdi.ml and export_raw_vdi.ml with vhd-tool
// (vhd_tool_wrapper.ml) moving the bytes. The format comes first (an unknown one: INTERNAL_ERROR ["Unknown format
// <x>"]), then a host must see the VDI's SR (NO_HOSTS_AVAILABLE), then the VDI is attached to dom0 — read/write for an
// import (VDI_READONLY, VDI_NOT_MANAGED) — and the bytes move: raw as they are, vhd as a dynamic VHD (vhd-format.ts),
// tar as the XVA chunk stream under "vdi/". A failing transfer is vhd-tool failing: VDI_IO_ERROR ["Device I/O
// errors"]. Progress is the fraction of the disk covered. Reference: xe-cli-behaviour.md §8, xapi-model.md §11.
import { closeSync, createReadStream, fstatSync, ftruncateSync, openSync, readSync, writeSync } from 'node:fs'
import type { Db, XObj } from './db'
import { XapiError } from './errors'
import type { TaskHandle } from './task'
import { withWorld } from './world'
import { accountVdiWrite } from './vdi'
import { openReader, openWriter, vdiExtents, vdiPlace, type PlaceReader, type VdiPlace } from './vdi-data'
import { openVhd, VhdError, writeDynamicVhd, VHD_BLOCK } from './vhd-format'
import { ByteReader, FormatError, readDisks, XvaWriter } from './xva'
import type { Ref } from './values'

const PIECE = 1024 * 1024
/** Constants.max_vhd_size: 2040 GiB. */
export const MAX_VHD_SIZE = 2040 * 1024 * 1024 * 1024

export interface TransferTarget {
  ref: Ref
  uuid: string
}

/** Where an export goes: a stream (stdout) or a new regular file, written sparsely. */
export type Download = { kind: 'stream'; write(b: Buffer): Promise<void> } | { kind: 'file'; fd: number }

type Format = 'raw' | 'vhd' | 'tar' | 'qcow2'

/** Importexport.Format.of_req: raw by default; case-insensitive. */
export function transferFormat(x: string | undefined): Format {
  if (x === undefined) return 'raw'
  const f = x.toLowerCase()
  if (f === 'raw' || f === 'vhd' || f === 'tar' || f === 'qcow2') return f
  throw new XapiError('INTERNAL_ERROR', [`Unknown format ${x}`])
}

const ioError = () => new XapiError('VDI_IO_ERROR', ['Device I/O errors'])

/** Importexport.check_sr_availability / find_host_for_sr: some host must have the SR attached. */
function assertSrReachable(db: Db, vdi: XObj<'VDI'>): void {
  if (!db.referrers('PBD', 'SR', vdi.f.SR).some((p) => p.f.currently_attached)) throw new XapiError('NO_HOSTS_AVAILABLE', [])
}

interface Prepared {
  place: VdiPlace
  size: number
}

/** The checks of attaching the VDI to dom0 (Sm_fs_ops.with_block_attached_device: VBD.create then plug). */
async function prepare(home: string, t: TransferTarget, write: boolean): Promise<Prepared> {
  return withWorld(home, false, ({ db }) => {
    const vdi = db.get(t.ref, 'VDI')
    assertSrReachable(db, vdi)
    if (!vdi.f.managed) throw new XapiError('VDI_NOT_MANAGED', [vdi.ref])
    if (write && vdi.f.read_only) throw new XapiError('VDI_READONLY', [vdi.ref])
    return { place: vdiPlace(db, vdi), size: vdi.f.virtual_size }
  })
}

function readFull(fd: number, b: Buffer): number {
  let got = 0
  while (got < b.length) {
    const n = readSync(fd, b, got, b.length - got, null)
    if (n === 0) break
    got += n
  }
  return got
}

/** Reports progress as a fraction, and lets task-cancel stop the transfer. */
function ticker(t: TaskHandle, total: number, report: (p: number) => void, everyMs = 200) {
  let lastCheck = Date.now()
  return async (done: number) => {
    const p = total > 0 ? Math.min(1, done / total) : 1
    report(p)
    await t.progress(p)
    if (Date.now() - lastCheck >= everyMs) {
      lastCheck = Date.now()
      await t.checkCancelled()
    }
  }
}

/**
 * vdi-import: `upload()` is the client's side of the HttpPut (its checks come first); returns when the bytes are in
 * the VDI (the ranges the image leaves out read as zeros).
 */
export async function importVdi(
  home: string, target: TransferTarget, format: string | undefined, upload: () => string, t: TaskHandle, report: (p: number) => void,
): Promise<void> {
  const path = upload()
  const fmt = transferFormat(format)
  const { place, size } = await prepare(home, target, true)
  const tick = ticker(t, size, report)
  const w = openWriter(home, place)
  try {
    if (fmt === 'raw') {
      const fd = openSync(path, 'r')
      try {
        const st = fstatSync(fd)
        if (st.isFile() && st.size > size) throw ioError()
        const buf = Buffer.alloc(PIECE)
        let off = 0
        for (;;) {
          const n = readFull(fd, buf)
          if (n === 0) break
          if (off + n > size) throw ioError()
          w.write(off, Buffer.from(buf.subarray(0, n)))
          off += n
          await tick(off)
        }
      } finally {
        closeSync(fd)
      }
    } else if (fmt === 'vhd') {
      let vhd
      try {
        vhd = openVhd(path)
      } catch (e) {
        if (e instanceof VhdError || (e as NodeJS.ErrnoException).code) throw ioError()
        throw e
      }
      try {
        if (vhd.size > size) throw ioError()
        w.zero(0, vhd.size)
        for (const [a, b] of vhd.extents()) {
          for (let p = a; p < b; p += PIECE) {
            w.write(p, vhd.read(p, Math.min(PIECE, b - p)))
            await tick(p + Math.min(PIECE, b - p))
          }
        }
      } finally {
        vhd.close()
      }
    } else {
      // tar: Stream_vdi.recv_all_vdi, chunks vdi/<n> with inline checksums
      const stream = createReadStream(path)
      try {
        const r = new ByteReader(stream[Symbol.asyncIterator]())
        let done = 0
        await readDisks(r, [{ prefix: 'vdi', size, sink: { write: async (o, d) => w.write(o, d), close: async () => undefined } }], {
          inlineChecksums: true, force: false,
          progress: { advance: async (n) => tick((done += n)) },
        })
      } catch (e) {
        if (e instanceof FormatError) throw new XapiError('INTERNAL_ERROR', [e.printed])
        throw e
      } finally {
        stream.destroy()
      }
    }
  } finally {
    w.close()
  }
  await tick(size)
  if (place.file === undefined) {
    const extents = vdiExtents(home, place.uuid)
    await withWorld(home, true, ({ db }) => {
      const vdi = db.tryGet(target.ref, 'VDI')
      if (vdi) accountVdiWrite(db, vdi, extents)
    })
  }
}

/** Writes an export: sequential bytes to a stream, or positional (sparse) writes to a file. */
class ExportOut {
  private pos = 0
  constructor(private d: Download) {}
  /** n zero bytes: a hole in a file. */
  async zeros(n: number): Promise<void> {
    if (this.d.kind === 'stream') await this.d.write(Buffer.alloc(n))
    else this.pos += n
  }
  async write(b: Buffer): Promise<void> {
    if (this.d.kind === 'stream') await this.d.write(b)
    else {
      let allZero = true
      for (let i = 0; i < b.length; i++) {
        if (b[i] !== 0) {
          allZero = false
          break
        }
      }
      if (!allZero) {
        let done = 0
        while (done < b.length) done += writeSync(this.d.fd, b, done, b.length - done, this.pos + done)
      }
    }
    this.pos += b.length
  }
  close(): void {
    if (this.d.kind === 'file') {
      ftruncateSync(this.d.fd, this.pos)
      closeSync(this.d.fd)
    }
  }
}

/**
 * vdi-export: `download()` is the client's side of the HttpGet (it creates the file once the server has accepted
 * the request). With `base` (a VDI uuid), blocks equal to the base's are left out (zeros / unallocated).
 */
export async function exportVdi(
  home: string, target: TransferTarget, format: string | undefined, base: string | undefined, download: () => Download,
  t: TaskHandle, report: (p: number) => void,
): Promise<void> {
  const fmt = transferFormat(format)
  await withWorld(home, false, ({ db }) => assertSrReachable(db, db.get(target.ref, 'VDI')))
  const out = new ExportOut(download())
  try {
    const { place, size, basePlace } = await withWorld(home, false, ({ db }) => {
      const vdi = db.get(target.ref, 'VDI')
      if (fmt === 'vhd' && vdi.f.virtual_size > MAX_VHD_SIZE) throw new XapiError('VDI_TOO_LARGE', [vdi.ref, String(MAX_VHD_SIZE)])
      if (!vdi.f.managed) throw new XapiError('VDI_NOT_MANAGED', [vdi.ref])
      let basePlace: VdiPlace | undefined
      if (base !== undefined) basePlace = vdiPlace(db, db.tryGet(base, 'VDI') ?? db.getByUuid('VDI', base))
      return { place: vdiPlace(db, vdi), size: vdi.f.virtual_size, basePlace }
    })
    const tick = ticker(t, size, report)
    const r = openReader(home, place)
    const b: PlaceReader | undefined = basePlace ? openReader(home, basePlace) : undefined
    try {
      const sameAsBase = (off: number, data: Buffer | null): boolean => {
        if (!b) return false
        const other = b.read(off, data ? data.length : 0)
        if (!data) return other === null || other.every((x) => x === 0)
        return other !== null && other.equals(data)
      }
      const src = { read: async (o: number, l: number) => r.read(o, l) }
      if (fmt === 'raw') {
        for (let off = 0; off < size; off += VHD_BLOCK) {
          const len = Math.min(VHD_BLOCK, size - off)
          let data = r.read(off, len)
          if (data && sameAsBase(off, data)) data = null
          if (data) await out.write(data)
          else await out.zeros(len)
          await tick(off + len)
        }
      } else if (fmt === 'vhd') {
        await writeDynamicVhd(size, target.uuid, src, (x) => out.write(x), tick, b ? async (o, d) => sameAsBase(o, d) : undefined)
      } else {
        const w = new XvaWriter({ write: (x) => out.write(x), end: async () => undefined })
        let done = 0
        const source = {
          read: async (o: number, l: number) => {
            const d = r.read(o, l)
            return d && sameAsBase(o, d) ? null : d
          },
          nextData: async (from: number) => {
            for (const [a, e] of r.extents()) if (e > from) return Math.max(a, from)
            return Infinity
          },
        }
        await w.disk('vdi', size, source, { advance: async (n) => tick((done += n)) })
        await w.end()
      }
    } finally {
      r.close()
      b?.close()
    }
    await tick(size)
  } finally {
    out.close()
  }
}
