// The xe side of VM exports and imports: cli_operations.ml vm_export / vm_export_aux / export_common /
// download_file and vm_import / track_http_operation, and what the thin client (newcli.ml) does with the
// HttpGet / HttpPut it is sent — the file-name permission check, creating the file with O_CREAT|O_EXCL and
// mode 0600 (stdout when the name is empty), refusing a missing upload — with the client's own messages.
// Reference: xe-cli-behaviour.md §8, §3.5, §4.
import { constants, createWriteStream, existsSync, openSync } from 'node:fs'
import { resolve } from 'node:path'
import { CliFailure, ExitWithError, InternalError, MultipleFailure } from './failure'
import { doDeclaredOp } from './selectors'
import { serverError, refConvert } from './errors'
import type { XeContext } from './context'
import { XapiError } from '../engine/errors'
import { withWorld } from '../engine/world'
import { withTask } from '../engine/task'
import type { Ref } from '../engine/values'
import { runExport, type ExportOptions } from '../engine/vm-export'
import { importXva } from '../engine/vm-import'
import { gzipStream, zstdCompressStream, type ByteSink } from '../engine/xva'

// ---------------------------------------------------------------------------------------------------------
// The thin client.

/** The client prints this on stderr and exits (newcli.ml main / main_loop); nothing else follows. */
export class ClientExit extends Error {
  constructor(readonly stderr: string, readonly code = 1) {
    super(stderr)
  }
}

/** Fpath.normalize (POSIX): repeated separators collapse, `.` and `..` resolve lexically, directoryness stays. */
export function fpathNormalize(p: string): string {
  if (p === '' || p.includes('\0')) throw new ClientExit(`Unhandled exception\nInvalid_argument(${ocamlString(`invalid path: ${ocamlString(p)}`)})\n`)
  const head = p.startsWith('/') ? '/' : ''
  const s = head + p.slice(head.length).replace(/\/+/g, '/')
  const volume = s.startsWith('//')
  let segs = s.split('/')
  if (volume) segs = segs.slice(1)
  const rel = (xs: string[]): string[] => {
    const acc: string[] = []
    for (let i = 0; i < xs.length; i++) {
      const seg = xs[i]!
      const last = i === xs.length - 1
      if (seg === '.') {
        if (last) acc.push('')
      } else if (seg === '..') {
        if (acc.length === 0 || acc[acc.length - 1] === '..') acc.push('..')
        else {
          acc.pop()
          if (last) acc.push('')
        }
      } else acc.push(seg)
    }
    if (acc[acc.length - 1] === '..') acc.push('')
    return acc.length === 0 ? [''] : acc
  }
  let out: string[]
  if (segs[0] === '' && segs.length > 1) {
    const r = rel(segs.slice(1))
    while (r[0] === '..') r.shift()
    out = ['', ...(r.length === 0 ? [''] : r)]
  } else {
    const r = rel(segs)
    out = r.length === 1 && r[0] === '' ? ['.', ''] : r
  }
  return (volume ? '/' : '') + out.join('/')
}
const ocamlString = (s: string) => '"' + s.replace(/[\\"]/g, (c) => '\\' + c) + '"'

/** canonicalize: a relative name is taken from the client's working directory. */
export function canonicalize(cwd: string, p: string): string {
  if (p === '' || p.includes('\0')) return fpathNormalize(p)
  if (p.startsWith('/')) return fpathNormalize(p)
  // Fpath.append: no separator added after a directory path such as "/"
  return fpathNormalize(cwd.endsWith('/') ? cwd + p : `${cwd}/${p}`)
}

/** get_permit_filenames: the values of the `k=v` arguments on the command line (not blank). */
function permitted(ctx: XeContext): string[] {
  return ctx.params.list.filter(([k, v]) => k !== 'username' && k !== 'password' && v.trim() !== '').map(([, v]) => canonicalize(ctx.io.cwd, v))
}

/** assert_filename_permitted: the server may only name files that appear on the command line. */
export function assertFilenamePermitted(ctx: XeContext, filename: string, permitCwd: boolean): void {
  const allowed = permitted(ctx)
  if (permitCwd) allowed.unshift(canonicalize(ctx.io.cwd, '.'))
  if (!allowed.includes(canonicalize(ctx.io.cwd, filename))) {
    throw new ClientExit(`File not permitted: Blocked upload/download of the file ${filename}, which was requested by the server. The file name was not present on the command line\n.\n`)
  }
}

const STRERROR: Record<string, string> = {
  EEXIST: 'File exists', ENOENT: 'No such file or directory', EACCES: 'Permission denied', EISDIR: 'Is a directory',
  ENOTDIR: 'Not a directory', EROFS: 'Read-only file system', ENOSPC: 'No space left on device', ENAMETOOLONG: 'File name too long',
  ELOOP: 'Too many levels of symbolic links', EPERM: 'Operation not permitted',
}

/**
 * HttpGet: the download goes to stdout when the name is empty; otherwise the name must be permitted and the file
 * is created exclusively with mode 0600 (an existing file: `Operation failed. Error: Sys_error("<f>: File exists")`).
 */
export function openDownload(ctx: XeContext, filename: string, compress: 'gzip' | 'zstd' | undefined): ByteSink {
  let sink: ByteSink
  if (filename === '') sink = stdoutSink(ctx)
  else {
    assertFilenamePermitted(ctx, filename, true)
    let fd: number
    try {
      fd = openSync(resolve(ctx.io.cwd, filename), constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600)
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? ''
      throw new ClientExit(`Operation failed. Error: Sys_error(${ocamlString(`${filename}: ${STRERROR[code] ?? (e as Error).message}`)})\n`)
    }
    sink = fileSink(fd)
  }
  if (!compress) return sink
  const c = compress === 'gzip' ? gzipStream() : zstdCompressStream()
  if (!c) throw new XapiError('INTERNAL_ERROR', ['xesim: zstd compression needs a Node.js with zlib zstd support or the zstd program on PATH'])
  return compressedSink(c, sink)
}

/** The client could not write what it received (download_file: Response Failed, the task having succeeded). */
const downloadFailed = () => new ClientExit('Export failed, unknown error.\n')

function fileSink(fd: number): ByteSink {
  const ws = createWriteStream('', { fd })
  let failed: Error | undefined
  ws.on('error', (e) => (failed = e))
  return {
    async write(b) {
      if (failed) throw downloadFailed()
      if (!ws.write(b)) {
        await new Promise<void>((r) => {
          ws.once('drain', () => r())
          ws.once('error', () => r())
        })
      }
      if (failed) throw downloadFailed()
    },
    async end() {
      await new Promise<void>((r) => ws.end(() => r()))
      if (failed) throw downloadFailed()
    },
  }
}

function stdoutSink(ctx: XeContext): ByteSink {
  const io = ctx.io
  return {
    async write(b) {
      if (io.writeStdout) await io.writeStdout(b)
      // an io without byte output (bin/xe always has one): bytes as latin1 text, one character per byte
      else (io as { stdout?: (s: string) => void }).stdout?.(Buffer.from(b).toString('latin1'))
    },
    async end() {},
  }
}

function compressedSink(c: import('node:stream').Duplex, out: ByteSink): ByteSink {
  let failure: unknown
  const pump = (async () => {
    for await (const b of c) await out.write(b as Buffer)
    await out.end()
  })().catch((e) => {
    failure ??= e
    c.destroy()
  })
  const check = () => {
    if (failure !== undefined) throw failure
  }
  return {
    async write(b) {
      check()
      if (!c.write(b)) {
        await new Promise<void>((r) => {
          c.once('drain', () => r())
          c.once('close', () => r())
        })
      }
      check()
    },
    async end() {
      check()
      c.end()
      await pump
      check()
    },
  }
}

/** HttpPut: the name must be permitted (the current directory does not count) and the file must exist. */
export function checkUpload(ctx: XeContext, filename: string): string {
  assertFilenamePermitted(ctx, filename, false)
  const path = resolve(ctx.io.cwd, filename)
  if (!existsSync(path)) throw new ClientExit(`Operation failed. Error: file '${filename}' does not exist\n`)
  return path
}

/**
 * Runs a command's client and server parts (file transfers run outside the command's transaction): the
 * client's own failures print and end xe; API errors get their refs shown as `uuid (name)` (§4).
 */
export async function client<T>(ctx: XeContext, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn()
  } catch (e) {
    if (e instanceof ClientExit) {
      ctx.out.directStderr(e.stderr)
      throw new ExitWithError(e.code)
    }
    if (e instanceof XapiError) throw await withWorld(ctx.home, false, ({ db }) => new XapiError(e.code, e.params.map((p) => refConvert(db, p))))
    throw e
  }
}

/** Refs in an error become `uuid (name)` now, while the world can still be read (commands with their own transactions). */
async function withRefsConverted(home: string, e: unknown): Promise<unknown> {
  if (!(e instanceof XapiError)) return e
  return withWorld(home, false, ({ db }) => new XapiError(e.code, e.params.map((p) => refConvert(db, p))))
}

// ---------------------------------------------------------------------------------------------------------
// vm-export, template-export, snapshot-export-to-template.

/** Compression_algorithms.of_string: "true" and "gzip" are gzip, "zstd" is zstd, anything else none. */
const compressionOf = (s: string | undefined) => (s === 'true' || s === 'gzip' ? 'gzip' : s === 'zstd' ? 'zstd' : undefined)

interface Target {
  ref: Ref
  uuid: string
}

/**
 * export_common for one VM: the download (`<filename>` for the first VM, `<filename>N` for the N-th), then
 * `Export succeeded` through a direct print when a file was written.
 */
async function exportOne(ctx: XeContext, vm: Target, filename: string, num: { n: number }, counter: { n: number }): Promise<void> {
  const o: ExportOptions = {
    metadataOnly: ctx.params.bool('metadata'),
    includeSnapshots: ctx.params.bool('include-snapshots'),
    preservePowerState: ctx.params.bool('preserve-power-state'),
    excludedDeviceTypes: ctx.params.get('excluded-device-types') ?? '',
  }
  const compress = o.metadataOnly ? undefined : compressionOf(ctx.params.get('compress'))
  const k = num.n++
  const f = k > 1 ? `${filename}${k}` : filename
  try {
    await runExport(ctx.home, vm.ref, vm.uuid, o, counter, async () => openDownload(ctx, f, compress))
  } catch (e) {
    if (e instanceof XapiError && e.code === 'TASK_CANCELLED') {
      ctx.out.directStderr('Export cancelled\n')
      throw new ExitWithError(1)
    }
    throw e
  }
  if (f !== '') ctx.out.direct('Export succeeded')
}

/** vm-export: the selected VMs (not templates), one after the other; with --multiple failures are collected. */
export async function vmExport(ctx: XeContext): Promise<void> {
  const filename = ctx.params.req('filename')
  compressionOf(ctx.params.get('compress'))
  ctx.params.bool('preserve-power-state')
  const vms = await withWorld(ctx.home, false, ({ db }) => doDeclaredOp({ ...ctx, db } as XeContext, (r) => ({ ref: r.obj.ref, uuid: (r.obj.f as { uuid: string }).uuid })))
  const num = { n: 1 }
  const counter = { n: 0 }
  await client(ctx, async () => {
    if (vms.length === 1) {
      try {
        await exportOne(ctx, vms[0]!, filename, num, counter)
      } catch (e) {
        throw await withRefsConverted(ctx.home, e)
      }
      return
    }
    // do_multiple: every VM is attempted; the failures are reported together, latest first
    const fails: Array<[string, string]> = []
    for (const vm of vms) {
      try {
        await exportOne(ctx, vm, filename, num, counter)
      } catch (e) {
        if (e instanceof ExitWithError) fails.unshift([vm.uuid, `INTERNAL_ERROR: [ Cli_operations.ExitWithError(${e.code}) ]`])
        else if (e instanceof XapiError) {
          const msg = await withWorld(ctx.home, false, ({ db }) => serverError(e.code, e.params, db).replace(/\n$/, ''))
          fails.unshift([vm.uuid, msg])
        } else if (e instanceof CliFailure) fails.unshift([vm.uuid, `INTERNAL_ERROR: [ Cli_util.Cli_failure(${JSON.stringify(e.message)}) ]`])
        else throw e
      }
    }
    if (fails.length > 0) throw new MultipleFailure(fails)
  })
}

/**
 * template-export template-uuid= / snapshot-export-to-template snapshot-uuid=: the VM must be a template (a
 * snapshot), else `failwith` — an internal error "Failure: This operation can only be performed on a VM …".
 */
export async function exportAux(ctx: XeContext, kind: 'template' | 'snapshot'): Promise<void> {
  const filename = ctx.params.req('filename')
  compressionOf(ctx.params.get('compress'))
  ctx.params.bool('preserve-power-state')
  const uuid = ctx.params.req(`${kind}-uuid`)
  const vm = await withWorld(ctx.home, false, ({ db }) => {
    const o = db.getByUuid('VM', uuid)
    const ok = kind === 'template' ? o.f.is_a_template : o.f.is_a_snapshot
    if (!ok) throw new InternalError(`Failure: This operation can only be performed on a VM ${kind}. ${uuid} is not a VM ${kind}.`)
    return { ref: o.ref, uuid: o.f.uuid }
  })
  await client(ctx, async () => {
    try {
      await exportOne(ctx, vm, filename, { n: 1 }, { n: 0 })
    } catch (e) {
      throw await withRefsConverted(ctx.home, e)
    }
  })
}

// ---------------------------------------------------------------------------------------------------------
// vm-import.

const TYPES = ['default', 'XenServer', 'ESXServer', 'VirtualCenter', 'HyperVServer']

/** vm_import: the SR (sr-uuid or the pool's default SR), the checks xe makes, the upload, the new VMs' uuids. */
export async function vmImport(ctx: XeContext): Promise<void> {
  const p = ctx.params
  const sr = await withWorld(ctx.home, false, ({ db }): Ref => {
    const u = p.get('sr-uuid')
    if (u !== undefined) return db.getByUuid('SR', u).ref
    const pool = db.all('pool')[0]
    const dflt = pool ? db.tryGet(pool.f.default_SR, 'SR') : undefined
    if (!dflt) throw new CliFailure('No SR specified and Pool default SR is null')
    return dflt.ref
  })
  const type = p.get('type') ?? 'default'
  const fullRestore = p.bool('preserve')
  const metadataOnly = p.bool('metadata')
  const force = p.bool('force')
  const dryRun = p.bool('dry-run')
  const vdiMap = p.map('vdi')
  if (p.has('url') && p.has('filename')) {
    ctx.out.directStderr("Invalid arguments. The 'url' and 'filename' parameters should not both be specified.\n")
    throw new ExitWithError(1)
  }
  if (!TYPES.includes(type)) throw new XapiError('INVALID_VALUE', [type])
  if (type !== 'default' && type !== 'XenServer') {
    for (const k of ['host-username', 'host-password']) if (!p.has(k)) throw new InternalError('INTERNAL_ERROR: [ Not_found ]')
    throw new CliFailure(`xesim cannot convert VMs from ${type} (VM.import_convert needs the remote server)`)
  }
  if (p.has('url')) throw new CliFailure('xesim cannot import from url= (the server would fetch it over the network); use filename=')
  let filename = p.get('filename')
  if (filename === undefined) throw new InternalError('INTERNAL_ERROR: [ Not_found ]')
  if (!metadataOnly && dryRun) {
    ctx.out.directStderr('Only metadata import function support dry-run\n')
    throw new ExitWithError(1)
  }
  // the special case of filename=<path to ova.xml>
  if (filename.toLowerCase().endsWith('ova.xml')) filename = filename.slice(0, -'ova.xml'.length)
  const name = filename
  const uuids = await client(ctx, async () => {
    try {
      return await withTask(ctx.home, 'VM import', async (t) => {
        const path = checkUpload(ctx, name)
        return importXva(ctx.home, path, { sr, metadataOnly, fullRestore, force, dryRun, vdiMap }, t)
      })
    } catch (e) {
      throw await withRefsConverted(ctx.home, e)
    }
  })
  ctx.out.direct((uuids.length === 0 && dryRun ? ['xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx'] : uuids).join(','))
}

