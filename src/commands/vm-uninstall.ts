// xe vm-uninstall <vm-selectors> [force=true]: destroys the selected VMs, their snapshots and the disks they own
// (VBD other-config:owner) plus suspend images, after listing them and asking "Type 'yes' to continue".
// Reference: xe-cli-behaviour.md §9 (vm-uninstall), §3.5 (direct prints), §4 (prompt on stdout, exit 0 when aborted).
import { verb, XeCommand } from '../cli/command'
import { doDeclaredOp } from '../cli/selectors'
import { uninstallWithPrompt } from '../cli/vm-copies'
import type { XObj } from '../engine/db'
import type { XeContext } from '../cli/context'

export default verb(
  'vm-uninstall',
  class extends XeCommand {
    async exec(ctx: XeContext): Promise<void> {
      const vms = doDeclaredOp(ctx, (r) => r.obj as XObj<'VM'>)
      const snapshots = vms.flatMap((vm) => ctx.db.referrers('VM', 'snapshot_of', vm.ref))
      await uninstallWithPrompt(ctx, [...vms, ...snapshots])
    }
  },
)
