// Every failure is rendered here, exactly as xapi_cli.ml's exception_handler and the thin client do.
import type { Db } from '../engine/db'
import { UnreachableServer, WorldStateError, XapiError } from '../engine/errors'
import { table } from '../engine/tables'
import { CliFailure, ExitWithError, InternalError, LostConnection, MissingParam, MultipleFailure, ParamNotFound, SyntaxError_, UnknownCommand } from './failure'

export interface Rendered {
  stdout: string
  stderr: string
  code: number
}

type ErrorTable = Record<string, [string[], string?]>
const USAGE_HINT = "For usage run: 'xe help'\n"

/** ref_convert: a reference still in the database shows as `uuid (name-label)` (or just the uuid). */
export function refConvert(db: Db | undefined, v: string): string {
  if (!db || !v.startsWith('OpaqueRef:')) return v
  let o
  try {
    o = db.tryGet(v)
  } catch {
    return v
  }
  if (!o) return v
  const f = o.f as { uuid?: string; name_label?: string }
  if (f.uuid === undefined) return v
  return f.name_label === undefined ? f.uuid : `${f.uuid} (${f.name_label})`
}

/** Cli_util.server_error: the datamodel's description and `name: value` lines, or the client's form. */
export function serverError(code: string, params: string[], db?: Db): string {
  const vals = params.map((p) => refConvert(db, p))
  const e = table<ErrorTable>('errors.json')[code]
  if (!e || e[1] === undefined) return `Error code: ${code}\nError parameters: ${vals.join(', ')}\n`
  const names = code === 'VMS_FAILED_TO_COOPERATE' ? vals.map(() => 'VM') : e[0]
  const lines: string[] = []
  const n = Math.max(names.length, vals.length)
  for (let i = 0; i < n; i++) {
    if (i >= names.length) lines.push(`<extra>: ${vals[i]}`)
    else if (i >= vals.length) lines.push(`${names[i]}: <unknown>`)
    else lines.push(`${names[i]}: ${vals[i]}`)
  }
  return [e[1], ...lines].map((l) => l + '\n').join('')
}

/** The message of an error as `--multiple` reports it per object (description and params, \n-joined). */
export function errorMessage(e: unknown, db?: Db): string {
  if (e instanceof XapiError) return serverError(e.code, e.params, db).replace(/\n$/, '')
  if (e instanceof CliFailure) return e.message
  return (e as Error).message
}

export function renderError(e: unknown, db?: Db): Rendered {
  const r = (stderr: string, code = 1, stdout = ''): Rendered => ({ stdout, stderr, code })
  if (e instanceof XapiError) {
    if (e.code === 'SESSION_AUTHENTICATION_FAILED') return r(`${e.params[0] === '' ? 'Username/password must be specified' : 'Authentication failed'}\n${USAGE_HINT}`)
    return r(serverError(e.code, e.params, db))
  }
  if (e instanceof CliFailure) return r(`Error: ${e.message}\n`)
  if (e instanceof UnknownCommand) return r(`Unknown command: ${e.message}\n${USAGE_HINT}`)
  if (e instanceof SyntaxError_) return r(`Syntax error: ${e.message}\n${USAGE_HINT}`)
  if (e instanceof ParamNotFound) return r(`Required parameter not found: ${e.param}\n${USAGE_HINT}`)
  if (e instanceof MissingParam) return r(serverError('Missing parameter', [e.param]))
  if (e instanceof MultipleFailure) return r('', 1, e.failures.map(([u, m]) => `operation failed on ${u}: ${m}\n`).join(''))
  if (e instanceof ExitWithError) return r('', e.code)
  if (e instanceof LostConnection) return r('Lost connection to the server.\n')
  if (e instanceof InternalError) return r(serverError('INTERNAL_ERROR', [e.printed]))
  if (e instanceof UnreachableServer) return r(e.printed)
  if (e instanceof WorldStateError) {
    return r(`Error: the xesim world ${e.file} cannot be used: ${e.reason}; it was left untouched (run 'xesim reset' to recreate it)\n`)
  }
  // A bug in xesim: still one xe-style error, never a stack trace.
  const msg = e instanceof Error ? e.message : String(e)
  return r(serverError('INTERNAL_ERROR', [`xesim: ${msg}`]))
}
