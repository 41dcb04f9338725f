// Argument handling exactly as xe does it: the thin client (newcli.ml parse_args, options.ml) consumes
// the connection options, ~/.xe and XE_EXTRA_ARGS; the server (cli_frontend.ml parse_commandline)
// turns the remaining words into a command name and (key, value) parameters.
import { readFileSync } from 'node:fs'
import { SyntaxError_ } from './failure'

export interface ClientOptions {
  server: string
  port?: number
  username: string
  password: string
  passwordfile: string
  /** newcli.ml xeusessl: SSL to a remote server (nossl=true / --nossl turn it off) */
  usessl: boolean
  debug: boolean
  debugonfail: boolean
  traceparent?: string
}

export type ClientParse =
  | { kind: 'version' }
  | { kind: 'usage'; stderr: string }
  | { kind: 'fail'; stderr: string }
  | { kind: 'run'; opts: ClientOptions; body: string[] }

/**
 * The option lines of xe's usage texts. The client's own usage (newcli.ml) also lists --minimal and
 * --trace; the server's `xe help` header (cli_frontend.ml) does not.
 */
export function usageHeader(argv0: string, client: boolean): string {
  const line = (opt: string, what: string) => `    ${opt.padEnd(27)}${what}\n`
  return (
    `Usage:\n  ${argv0} <command>\n` +
    line('[ -s <server> ]', 'XenServer host') +
    line('[ -p <port> ]', 'XenServer port number') +
    '    [ -u <username> -pw <password> | -pwf <password file> ]\n' +
    `${' '.repeat(31)}User authentication (password or file)\n` +
    line('[ --nossl ]', 'Disable SSL/TLS') +
    line('[ --debug ]', 'Enable debug output') +
    line('[ --debug-on-fail ]', 'Enable debug output only on failure') +
    (client ? line('[ --minimal ]', 'Output only values in a comma-separated lists') : '') +
    line('[ --traceparent <value> ]', 'Distributed tracing context') +
    (client ? line('[ --trace ]', 'Show task stacktrace on failure') : '') +
    line('[ <other arguments> ... ]', 'Command-specific options')
  )
}

export const USAGE = (argv0: string) =>
  `${usageHeader(argv0, true)}\nA full list of commands can be obtained by running\n  ${argv0} help -s <server> -p <port>\n`

class Usage extends Error {}
class ClientError extends Error {}

/** OCaml's strict bool_of_string. */
function strictBool(v: string): boolean {
  if (v === 'true') return true
  if (v === 'false') return false
  throw new ClientError(`Unhandled exception\nInvalid_argument("bool_of_string")\n`)
}

/** ~/.xe: key=value lines; a non-blank line without '=' voids the whole file (with a warning). */
export function readRc(home: string | undefined, warn: (s: string) => void): Array<[string, string]> {
  let text: string
  try {
    text = readFileSync(`${home ?? ''}/.xe`, 'latin1')
  } catch {
    return []
  }
  const lines = text.split('\n')
  if (lines[lines.length - 1] === '') lines.pop()
  const out: Array<[string, string]> = []
  for (const l of lines) {
    if (l === '') continue
    const i = l.indexOf('=')
    if (i < 0) {
      warn('Error parsing rc file. No defaults loaded\n')
      return []
    }
    out.push([l.slice(0, i), l.slice(i + 1)])
  }
  return out
}

/** XE_EXTRA_ARGS: comma-separated, `\,` escapes a comma, backslashes are then dropped. */
export function splitExtraArgs(s: string): string[] {
  const out: string[] = []
  let pos = 0
  let i = 0
  while (pos < s.length) {
    if (s[pos] === ',') {
      pos++
      i = pos
    } else if (i >= s.length || (s[i] === ',' && s[i - 1] !== '\\')) {
      out.push(s.slice(pos, i).replace(/\\/g, ''))
      i++
      pos = i
    } else i++
  }
  return out
}

export function parseClient(argv: string[], env: NodeJS.ProcessEnv, argv0 = 'xe'): ClientParse {
  if (argv.includes('-version')) return { kind: 'version' }
  let stderr = ''
  const opts: ClientOptions = { server: '127.0.0.1', username: 'root', password: 'null', passwordfile: '', usessl: true, debug: false, debugonfail: false }
  const setKeyword = (k: string, v: string): boolean => {
    switch (k) {
      case 'server': opts.server = v; return true
      case 'port': {
        const p = /^[+-]?\d+$/.test(v) ? Number(v) : NaN
        if (!Number.isInteger(p) || p < 0 || p > 65535) {
          stderr += 'Port number must be an integer (0-65535)\n'
          throw new Usage()
        }
        opts.port = p
        return true
      }
      case 'username': opts.username = v; return true
      case 'password': opts.password = v; return true
      case 'passwordfile': opts.passwordfile = v; return true
      case 'nossl': opts.usessl = !strictBool(v); return true
      case 'debug': opts.debug = v === 'true'; return true
      case 'debugonfail': opts.debugonfail = v === 'true'; return true
      case 'traceparent': opts.traceparent = v; return true
      default: return false
    }
  }
  const SWITCH: Record<string, [string, boolean]> = {
    '-s': ['server', true], '-h': ['server', true], '-p': ['port', true], '-u': ['username', true], '-pw': ['password', true],
    '-pwf': ['passwordfile', true], '--traceparent': ['traceparent', true],
    '--nossl': ['nossl', false], '--debug': ['debug', false], '--debug-on-fail': ['debugonfail', false],
  }
  const processArgs = (args: string[]): string[] => {
    const rest: string[] = []
    let i = 0
    while (i < args.length) {
      const sw = SWITCH[args[i]!]
      if (sw && (!sw[1] || i + 1 < args.length)) {
        setKeyword(sw[0], sw[1] ? args[i + 1]! : 'true')
        i += sw[1] ? 2 : 1
        continue
      }
      const a = args[i]!
      const eq = a.indexOf('=')
      if (!(eq >= 0 && setKeyword(a.slice(0, eq), a.slice(eq + 1)))) rest.push(a)
      i++
    }
    return rest
  }
  try {
    const rcRest = readRc(env.HOME, (s) => (stderr += s))
      .filter(([k, v]) => !setKeyword(k, v))
      .map(([k, v]) => `${k}=${v}`)
    const extrasRest = processArgs(splitExtraArgs(env.XE_EXTRA_ARGS ?? ''))
    if (env.TRACEPARENT !== undefined) opts.traceparent = env.TRACEPARENT
    const help = argv.some((a) => a === '-help' || a === '--help')
    const argsRest = processArgs(argv)
    if (help) throw new Usage()
    if (opts.passwordfile !== '') {
      let lines: string[]
      try {
        lines = readFileSync(opts.passwordfile, 'latin1').split('\n')
      } catch {
        return { kind: 'fail', stderr: stderr + `Error opening password file '${opts.passwordfile}'\n` }
      }
      if (lines.length < 3 && !(lines.length === 2 && lines[1] !== '')) {
        return { kind: 'fail', stderr: stderr + 'Error: password file format: expecting username on the first line, password on the second line\n' }
      }
      opts.username = lines[0]!
      opts.password = lines[1]!
    }
    const args = [...argsRest, ...extrasRest, ...rcRest]
    if (args.length === 0) throw new Usage()
    return { kind: 'run', opts, body: [...args, `username=${opts.username}`, `password=${opts.password}`] }
  } catch (e) {
    if (e instanceof Usage) return { kind: 'usage', stderr: stderr + USAGE(argv0) }
    if (e instanceof ClientError) return { kind: 'fail', stderr: stderr + e.message }
    throw e
  }
}

export type Param = [string, string]

/** The words the server sees: the body is joined with "\n" and split again, CRs are dropped. */
export function serverWords(body: string[]): string[] {
  const words = body.join('\n').split('\n').map((w) => (w.endsWith('\r') ? w.slice(0, -1) : w))
  if (words.length > 0 && words[0]!.startsWith('session_id=')) words.shift()
  return words
}

const SERVER_SWITCH: Record<string, string> = {
  '--force': 'force', '--live': 'live', '--internal': 'internal', '-u': 'username', '-pw': 'password', '-s': 'server',
  '-h': 'server', '-p': 'port', '--debug': 'debug', '--minimal': 'minimal', '--all': 'all',
}

/** parse_commandline: the command name and its (key, value) parameters, in order. */
export function parseCommandLine(words: string[]): { cmd: string; params: Param[] } {
  const cmd = words[0]
  if (cmd === undefined || cmd.includes('=')) throw new SyntaxError_('')
  const params: Param[] = []
  for (let i = 1; i < words.length; i++) {
    const p = words[i]!
    if (p.startsWith('--')) params.push([p.slice(2), 'true'])
    else if (p.startsWith('-')) {
      const key = SERVER_SWITCH[p]
      if (key === undefined || i + 1 >= words.length) throw new SyntaxError_('')
      params.push([key, words[++i]!])
    } else {
      const eq = p.indexOf('=')
      params.push(eq < 0 ? [p, ''] : [p.slice(0, eq), p.slice(eq + 1)])
    }
  }
  return { cmd, params }
}
