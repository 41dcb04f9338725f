// xe host-call-plugin host-uuid= plugin= fn= [args:<k>=<v>…]: Host.call_plugin; the result is printed as a list
// line. args:<k>:file=<path> sends the contents of the client's file as <k> (unreadable: "Failed to read file
// <path>" on stderr, exit 1). Unknown plugins are XENAPI_MISSING_PLUGIN; a down host HOST_OFFLINE.
// Reference: cli_operations.ml host_call_plugin, args_file; xapi_plugins.ml call_plugin; xe-cli-behaviour.md §8.
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { verb, XeCommand } from '../cli/command'
import { ExitWithError } from '../cli/failure'
import { callPlugin } from '../engine/host-ops'
import type { XeContext } from '../cli/context'

/** args_file: a key "<k>:file" becomes <k> with the file's contents. */
function argsFile(ctx: XeContext, [k, v]: [string, string]): [string, string] {
  const i = k.indexOf(':')
  if (i < 0 || k.slice(i + 1) !== 'file') return [k, v]
  try {
    return [k.slice(0, i), readFileSync(resolve(ctx.io.cwd, v), 'utf8')]
  } catch {
    ctx.out.directStderr(`Failed to read file ${v}\n`)
    throw new ExitWithError(1)
  }
}

export default verb(
  'host-call-plugin',
  class extends XeCommand {
    exec(ctx: XeContext): void {
      const host = ctx.db.getByUuid('host', ctx.params.req('host-uuid'))
      const args = ctx.params.map('args').map((p) => argsFile(ctx, p))
      ctx.out.list([callPlugin(ctx.db, host, ctx.params.req('plugin'), ctx.params.req('fn'), args)])
    }
  },
)
