// The errors of the networking modules. A reference among an error's parameters is shown by xe as
// "<uuid> (<name>)" (Cli_util.ref_convert, xe-cli-behaviour.md §4), which needs the object at hand when the error
// is printed, after the transaction: the objects named are loaded before the error is raised.
import type { Db } from './db'
import { XapiError } from './errors'

export function netError(db: Db, code: string, params: string[] = []): XapiError {
  for (const p of params) if (p.startsWith('OpaqueRef:')) db.tryGet(p)
  return new XapiError(code, params)
}
