// What host-forget and host-declare-dead share (cli_operations.ml host_careful_op): the host named by uuid= is
// looked up first (UUID_INVALID), then, unless force=true, the warning lines are printed directly (stdout, even
// with --minimal) and the user must type yes (cli_util.ml user_says_yes); anything else changes nothing, exit 0.
// Reference: xe-cli-behaviour.md §9 (host-forget and host-declare-dead), §4 (prompt on stdout).
import type { XObj } from '../engine/db'
import { userSaysYes } from './vm-copies'
import type { XeContext } from './context'

export async function hostCarefulOp(ctx: XeContext, warnings: string[], op: (host: XObj<'host'>) => void): Promise<void> {
  const host = ctx.db.getByUuid('host', ctx.params.req('uuid'))
  if (ctx.params.bool('force')) return op(host)
  for (const w of warnings) ctx.out.direct(w)
  if (await userSaysYes(ctx)) op(host)
}
