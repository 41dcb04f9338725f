// The xe side of the storage verbs (cli_operations.ml): parse_host_uuid, and sr-create's device-config:<k>-filename=
// values, whose file the client uploads (the Load command: its contents become device-config:<k>).
// Reference: xe-cli-behaviour.md §9 (sr-create), §8 (whole-file reads).
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { assertFilenamePermitted, ClientExit } from './xva'
import { CliFailure, ExitWithError } from './failure'
import type { XeContext } from './context'
import type { XObj } from '../engine/db'
import type { XMap } from '../engine/values'

/**
 * parse_host_uuid: host-uuid= when given; else the coordinator when the pool has one host or `defaultMaster`;
 * else `Required parameter not found: host-uuid` (a Cli_failure: printed `Error: …`).
 */
export function parseHostUuid(ctx: XeContext, defaultMaster: boolean): XObj<'host'> {
  const u = ctx.params.get('host-uuid')
  if (u !== undefined) return ctx.db.getByUuid('host', u)
  const hosts = ctx.db.all('host')
  if (hosts.length === 1 || defaultMaster) return ctx.db.get(ctx.db.all('pool')[0]!.f.master, 'host')
  throw new CliFailure('Required parameter not found: host-uuid')
}

/**
 * sr-create's device-config: a key ending in -filename names a file of the client's whose contents become the
 * value of the key without that suffix; an unreadable file prints `File not found: <f>` (as sent, no newline)
 * and fails with `File not found`.
 */
export function deviceConfigWithFiles(ctx: XeContext, dc: XMap): XMap {
  return dc.map(([k, v]): [string, string] => {
    if (!k.endsWith('-filename')) return [k, v]
    try {
      assertFilenamePermitted(ctx, v, false)
    } catch (e) {
      if (e instanceof ClientExit) {
        ctx.out.directStderr(e.stderr)
        throw new ExitWithError(e.code)
      }
      throw e
    }
    let content: string
    try {
      content = readFileSync(resolve(ctx.io.cwd, v), 'utf8')
    } catch {
      ctx.out.directStderr(`File not found: ${v}`)
      throw new CliFailure('File not found')
    }
    return [k.slice(0, -'-filename'.length), content]
  })
}
