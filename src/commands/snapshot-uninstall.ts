// xe snapshot-uninstall snapshot-uuid=<u> | uuid=<u> [force=true]: destroys the snapshot and the disks it owns,
// after listing them and asking. Reference: xe-cli-behaviour.md §9 (vm-uninstall), §4 (prompt, exit 0 when aborted).
import { verb, XeCommand } from '../cli/command'
import { snapshotFromParams, uninstallWithPrompt } from '../cli/vm-copies'
import type { XeContext } from '../cli/context'

export default verb(
  'snapshot-uninstall',
  class extends XeCommand {
    async exec(ctx: XeContext): Promise<void> {
      await uninstallWithPrompt(ctx, [snapshotFromParams(ctx)])
    }
  },
)
