// The xe dispatcher: client-side options, server-side parsing, the command table, one world
// transaction per command, output and errors — what the thin client and xapi's /cli do together.
import { join } from 'node:path'
import { parseClient, parseCommandLine, serverWords } from './args'
import { Params } from './params'
import { Printer, type Sink } from './printer'
import { commandSpec, type CommandSpec } from './spec'
import { CliFailure, InternalError, ParamNotFound, UnknownCommand } from './failure'
import { renderError } from './errors'
import { ocamlBoolOfString } from './enums'
import type { Io, XeContext } from './context'
import type { XeCommandClass } from './command'
import type { Db } from '../engine/db'

export interface RunIo extends Io {
  stdout(s: string): void
  stderr(s: string): void
}

/** The compiled command modules (one per xe verb, generated families and placeholders included). */
export const commandsDir = join(__dirname, '..', 'commands')

export function loadCommand(name: string): XeCommandClass | undefined {
  ;(globalThis as { __xesimFast?: boolean }).__xesimFast ??= true
  let mod: { default?: XeCommandClass } & XeCommandClass
  try {
    mod = require(join(commandsDir, `${name}.js`))
  } catch (e) {
    if ((e as { code?: string }).code === 'MODULE_NOT_FOUND' && String((e as Error).message).includes(`${name}.js`)) return undefined
    throw e
  }
  return (mod.default ?? mod) as XeCommandClass
}

/** exec_command reads minimal= with OCaml's strict bool_of_string; anything else is an internal error. */
function minimalFlag(params: Params): boolean {
  const m = params.get('minimal')
  if (m === undefined) return false
  const b = ocamlBoolOfString(m)
  if (b === undefined) throw new InternalError('INTERNAL_ERROR: [ Invalid_argument("bool_of_string") ]')
  return b
}
const traceWanted = (params: Params) => {
  try {
    return params.bool('trace')
  } catch {
    return false
  }
}

const rendered = new WeakMap<object, ReturnType<typeof renderError>>()

/** Runs one xe invocation; returns the exit code. Output goes through io. */
export async function runXe(argv: string[], io: RunIo): Promise<number> {
  const client = parseClient(argv, io.env)
  if (client.kind === 'version') {
    io.stdout('ThinCLI protocol: 0.2\n')
    return 0
  }
  if (client.kind === 'usage') {
    io.stderr(client.stderr)
    return 0
  }
  if (client.kind === 'fail') {
    io.stderr(client.stderr)
    return 1
  }
  let db: Db | undefined
  let params: Params | undefined
  try {
    // the client connects before the server parses anything: a server nobody answers at fails first
    const { assertReachable } = await import('../engine/world')
    await assertReachable(client.opts.server, !client.opts.usessl, client.opts.port, io.env)
    const { cmd, params: list } = parseCommandLine(serverWords(client.body))
    params = new Params(list)
    const minimal = minimalFlag(params)
    const sink: Sink = { out: io.stdout, err: io.stderr }
    const out = new Printer(sink, minimal)
    if (cmd === 'help') {
      const { help } = await import('./help')
      help(out, params)
      out.flush()
      return 0
    }
    const spec = commandSpec(cmd)
    if (!spec) throw new UnknownCommand(cmd)
    for (const r of spec.reqd) if (!params.has(r)) throw new ParamNotFound(r)
    const Cmd = loadCommand(cmd)
    if (!Cmd || !Cmd.implemented) throw new CliFailure(`${cmd} is not implemented by xesim yet`)
    if (Cmd.mutates && !Cmd.ownTransactions) (require('./warm') as typeof import('./warm')).beforeWriteLock(spec)
    const { withTarget, withWorld, worldHome } = await import('../engine/world')
    const home = worldHome(io.env)
    const inst = new (Cmd as unknown as new () => { exec(c: XeContext): void | Promise<void> })()
    // the host xe talks to (-s), logged in with the credentials the server receives (first match wins)
    const target = { server: client.opts.server, nossl: !client.opts.usessl, username: params.get('username'), password: params.get('password') }
    await withTarget(target, async () => {
      if (Cmd.ownTransactions) {
        const ctx = { name: cmd, params, out, spec, io, home } as Omit<XeContext, 'db' | 'session'> as XeContext
        for (const k of ['db', 'session']) Object.defineProperty(ctx, k, { get: () => { throw new Error(`${cmd} manages its own transactions`) } })
        await inst.exec(ctx)
      } else {
        await withWorld(
          home,
          Cmd.mutates,
          async (s) => {
            db = s.db
            try {
              await inst.exec({ name: cmd, params: params!, out, db: s.db, session: s, spec, io, home })
            } catch (e) {
              // rendered while the world is still open, so that every ref in it shows as `uuid (name)`
              if (e !== null && typeof e === 'object') rendered.set(e, renderError(e, s.db))
              throw e
            }
          },
          io.env,
        )
      }
    })
    out.flush()
    return 0
  } catch (e) {
    const r = (e !== null && typeof e === 'object' && rendered.get(e)) || renderError(e, db)
    io.stdout(r.stdout)
    io.stderr(r.stderr)
    if (params && traceWanted(params)) {
      io.stderr(`Raised ${e instanceof Error ? e.name + ': ' + e.message : String(e)}\nBacktrace:\n`)
    }
    return r.code
  }
}

/** process.stdout or process.stderr, made on first use. A reader that goes away (`xe vm-list | head -1`) is not an error worth a stack trace. */
function stream(fd: 1 | 2): NodeJS.WriteStream {
  const s = fd === 1 ? process.stdout : process.stderr
  if (s.listenerCount('error') === 0) s.on('error', (e: NodeJS.ErrnoException) => process.exit(e.code === 'EPIPE' ? 0 : 1))
  return s
}
let useStreams = false
/**
 * Writes text to fd 1 or 2 with write(2) directly: process.stdout and its stream modules cost about 3 ms of every
 * start. A non-blocking descriptor (EAGAIN) falls back to the streams for the rest.
 */
function writeFd(fd: 1 | 2, text: string): void {
  let buf = Buffer.from(text)
  if (!useStreams) {
    try {
      const { writeSync } = require('node:fs') as typeof import('node:fs')
      while (buf.length > 0) buf = buf.subarray(writeSync(fd, buf))
      return
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code
      if (code === 'EPIPE') process.exit(0)
      if (code !== 'EAGAIN') process.exit(1)
      useStreams = true
    }
  }
  stream(fd).write(buf)
}

/** The real process's streams, buffered and written once at exit (scripts call xe thousands of times). */
export function processIo(): RunIo {
  let out = ''
  let err = ''
  let rl: import('node:readline').Interface | undefined
  let lines: AsyncIterableIterator<string> | undefined
  const io: RunIo = {
    env: process.env,
    cwd: process.cwd(),
    stdout: (s) => {
      out += s
    },
    stderr: (s) => {
      err += s
    },
    async writeStdout(b) {
      flushIo()
      if (!stream(1).write(b)) await new Promise((r) => process.stdout.once('drain', r))
    },
    async readLine() {
      flushIo()
      rl ??= (require('node:readline') as typeof import('node:readline')).createInterface({ input: process.stdin, terminal: false })
      lines ??= rl[Symbol.asyncIterator]()
      const r = await lines.next()
      return r.done ? undefined : r.value
    },
  }
  const flushIo = () => {
    if (out) writeFd(1, out)
    if (err) writeFd(2, err)
    out = ''
    err = ''
  }
  ;(io as RunIo & { flush(): void }).flush = () => {
    flushIo()
    rl?.close()
  }
  return io
}

/** bin/xe's entry point. */
export async function main(argv: string[]): Promise<void> {
  const io = processIo()
  const code = await runXe(argv, io)
  ;(io as RunIo & { flush(): void }).flush()
  process.exitCode = code
}
