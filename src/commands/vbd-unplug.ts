// xe vbd-unplug uuid= [timeout=<seconds>] [--force]: hot-unplugs the VBD (unplug_force with --force). Prints nothing.
// The timeout only matters when the guest rejects the detach (DEVICE_DETACH_REJECTED), which the emulated guests
// never do. Reference: xe-cli-behaviour.md §9 (vbd-unplug); cli_operations.ml vbd_unplug.
import { verb, XeCommand } from '../cli/command'
import { ocamlFloatOfString } from '../cli/enums'
import { CliFailure } from '../cli/failure'
import { unplugVbd } from '../engine/vbd'
import type { XeContext } from '../cli/context'

export default verb(
  'vbd-unplug',
  class extends XeCommand {
    exec(ctx: XeContext): void {
      const vbd = ctx.db.getByUuid('VBD', ctx.params.req('uuid'))
      const timeout = ctx.params.get('timeout')
      if (timeout !== undefined && ocamlFloatOfString(timeout) === undefined) throw new CliFailure("Failed to parse parameter 'timeout': expecting a float")
      unplugVbd(ctx.db, vbd, ctx.params.bool('force'))
    }
  },
)
