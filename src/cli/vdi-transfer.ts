// The xe side of vdi-import / vdi-export (cli_operations.ml vdi_import / vdi_export, cli_util.ml
// track_http_operation and the progress bar of cli_progress_bar.ml) and what the thin client does with the
// HttpPut / HttpGet (newcli.ml): the file-name permission check, refusing a missing upload, creating the download
// with O_CREAT|O_EXCL and mode 0600 (stdout when the name is empty). The server side — formats, checks, bytes — is
// engine/vdi-transfer.ts. Both print nothing on success. Reference: xe-cli-behaviour.md §8, §4.
import { constants, openSync } from 'node:fs'
import { resolve } from 'node:path'
import { assertFilenamePermitted, checkUpload, client, ClientExit } from './xva'
import { CliFailure } from './failure'
import type { XeContext } from './context'
import { withTask } from '../engine/task'
import { withWorld } from '../engine/world'
import { exportVdi, importVdi, type Download, type TransferTarget } from '../engine/vdi-transfer'

// ---------------------------------------------------------------------------------------------------------
// cli_progress_bar.ml: an 80-column bar "[*] ####>   …  ( 42% ETA 00:00:03)" redrawn with \r when its width
// changes, then "\n" and "Total time: <span>\n" when the task ends.

const WIDTH = 80
const PREFIX = '[*] '
const SUFFIX = '  (   % ETA   :  :  )'
const SPINNER = ['-', '\\', '|', '/']

function hms(secs: number): string {
  const p = (n: number, w = 2) => (n < 0 ? '-' + String(-n).padStart(w - 1, '0') : String(n).padStart(w, '0'))
  const h = Math.trunc(secs / 3600)
  const m = Math.trunc((secs % 3600) / 60)
  const s = secs % 60
  let str = `${p(h)}:${p(m)}:${p(s)}`
  if (str.length > 8) {
    str = `${p(h, 5)}:${p(m)}`
    if (str.length > 8) str = '++:++:++'
  }
  return str
}

/** Mtime.Span.pp: a rounded span with its unit. */
export function spanText(ns: number): string {
  const g3 = (x: number) => String(Number(x.toPrecision(3)))
  if (ns < 1e3) return `${Math.round(ns)}ns`
  if (ns < 1e6) return `${g3(ns / 1e3)}us`
  if (ns < 1e9) return `${g3(ns / 1e6)}ms`
  const s = ns / 1e9
  if (s < 60) return `${g3(s)}s`
  const mins = Math.floor(s / 60)
  if (mins < 60) return `${mins}min${Math.floor(s - mins * 60)}s`
  const h = Math.floor(mins / 60)
  if (h < 24) return `${h}h${mins - h * 60}min`
  const d = Math.floor(h / 24)
  return `${d}d${h - d * 24}h`
}

export class ProgressBar {
  private line = Buffer.alloc(WIDTH, ' ')
  private spin = 0
  private current = 0
  private start = process.hrtime.bigint()
  private summarised = false
  constructor() {
    this.line.write(PREFIX, 0, 'latin1')
    this.line.write(SUFFIX, WIDTH - SUFFIX.length - 1, 'latin1')
  }
  private barWidth(v: number): number {
    return Math.trunc(v * (WIDTH - PREFIX.length - SUFFIX.length))
  }
  private elapsed(): number {
    return Number(process.hrtime.bigint() - this.start) / 1e9
  }
  /** Returns whether the bar must be redrawn. */
  update(v: number): boolean {
    v = Math.min(v, 1)
    const changed = this.barWidth(v) !== this.barWidth(this.current)
    this.current = v
    return changed
  }
  text(): string {
    const w = this.barWidth(this.current)
    this.line.write(SPINNER[this.spin]!, 1, 'latin1')
    this.spin = (this.spin + 1) % SPINNER.length
    for (let i = 0; i < w; i++) this.line.write(i === w - 1 ? '>' : '#', PREFIX.length + i, 'latin1')
    this.line.write(String(Math.trunc(this.current * 100)).padStart(3, ' '), WIDTH - 19, 'latin1')
    const so = this.elapsed()
    const eta = hms(Math.trunc((1 / this.current) * so - so))
    this.line.write(eta, WIDTH - 10, 'latin1')
    return this.line.toString('latin1')
  }
  summary(): string {
    if (this.summarised) return ''
    this.summarised = true
    return `Total time: ${spanText(Number(process.hrtime.bigint() - this.start))}\n`
  }
}

/** wait_for_task_completion_with_progress: what the bar prints as the task moves and when it ends. */
function barReporter(ctx: XeContext): { progress(p: number): void; done(): void } {
  const bar = new ProgressBar()
  return {
    progress(p) {
      if (bar.update(p)) ctx.out.directStderr(`\r${bar.text()}`)
    },
    done() {
      ctx.out.directStderr('\n')
      ctx.out.directStderr(bar.summary())
    },
  }
}

// ---------------------------------------------------------------------------------------------------------


const STRERROR: Record<string, string> = {
  EEXIST: 'File exists', ENOENT: 'No such file or directory', EACCES: 'Permission denied', EISDIR: 'Is a directory',
  ENOTDIR: 'Not a directory', EROFS: 'Read-only file system', ENOSPC: 'No space left on device', ENAMETOOLONG: 'File name too long',
}
const ocamlString = (s: string) => '"' + s.replace(/[\\"]/g, (c) => '\\' + c) + '"'

/**
 * HttpGet's output: stdout for an empty file name, else a new file (O_CREAT|O_EXCL, 0600) the client may write
 * (`Operation failed. Error: Sys_error("<f>: File exists")`). A regular file is written sparsely (the same bytes).
 */
function openDownload(ctx: XeContext, filename: string): Download {
  if (filename === '') {
    return {
      kind: 'stream',
      async write(b) {
        if (ctx.io.writeStdout) await ctx.io.writeStdout(b)
        else (ctx.io as { stdout?: (s: string) => void }).stdout?.(b.toString('latin1'))
      },
    }
  }
  assertFilenamePermitted(ctx, filename, true)
  try {
    const fd = openSync(resolve(ctx.io.cwd, filename), constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600)
    return { kind: 'file', fd }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? ''
    throw new ClientExit(`Operation failed. Error: Sys_error(${ocamlString(`${filename}: ${STRERROR[code] ?? (e as Error).message}`)})\n`)
  }
}

/** qcow2 needs qcow-tool's conversions, which xesim does not have. */
function refuseQcow(format: string | undefined): void {
  if (format?.toLowerCase() === 'qcow2') throw new CliFailure('xesim does not convert qcow2 images (format=qcow2); use raw, vhd or tar')
}

/** The task's end as the bar shows it (not when the client itself gave up: it prints its own error and exits). */
async function tracked(bar: ReturnType<typeof barReporter> | undefined, fn: () => Promise<void>): Promise<void> {
  try {
    await fn()
    bar?.progress(1)
  } catch (e) {
    if (!(e instanceof ClientExit)) bar?.done()
    throw e
  }
  bar?.done()
}

async function target(ctx: XeContext): Promise<TransferTarget> {
  const uuid = ctx.params.req('uuid')
  return withWorld(ctx.home, false, ({ db }) => {
    const v = db.getByUuid('VDI', uuid)
    return { ref: v.ref, uuid: v.f.uuid }
  })
}

/** xe vdi-import uuid= filename= [format=raw|vhd|tar] [progress=]: the file's bytes into the VDI. */
export async function vdiImport(ctx: XeContext): Promise<void> {
  const filename = ctx.params.req('filename')
  const vdi = await target(ctx)
  const format = ctx.params.get('format')
  const bar = ctx.params.bool('progress') ? barReporter(ctx) : undefined
  const upload = () => {
    const path = checkUpload(ctx, filename)
    refuseQcow(format)
    return path
  }
  await client(ctx, () => withTask(ctx.home, 'VDI import', (t) => tracked(bar, () => importVdi(ctx.home, vdi, format, upload, t, (p) => bar?.progress(p)))))
}

/** xe vdi-export uuid= filename= [format=raw|vhd|tar] [base=<vdi>] [progress=]: the VDI's bytes into the file. */
export async function vdiExport(ctx: XeContext): Promise<void> {
  const filename = ctx.params.req('filename')
  const vdi = await target(ctx)
  const format = ctx.params.get('format')
  const base = ctx.params.get('base')
  const bar = ctx.params.bool('progress') ? barReporter(ctx) : undefined
  const download = () => {
    refuseQcow(format)
    return openDownload(ctx, filename)
  }
  await client(ctx, () => withTask(ctx.home, 'VDI export', (t) => tracked(bar, () => exportVdi(ctx.home, vdi, format, base, download, t, (p) => bar?.progress(p)))))
}
