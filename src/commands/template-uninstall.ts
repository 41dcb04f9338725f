// xe template-uninstall template-uuid=<u> [force=true]: destroys a template and the disks it owns, after listing
// them and asking. Reference: xe-cli-behaviour.md §9 (vm-uninstall), cli_operations.ml get_templateVM_by_uuid.
import { verb, XeCommand } from '../cli/command'
import { CliFailure } from '../cli/failure'
import { uninstallWithPrompt } from '../cli/vm-copies'
import type { XeContext } from '../cli/context'

export default verb(
  'template-uninstall',
  class extends XeCommand {
    async exec(ctx: XeContext): Promise<void> {
      const uuid = ctx.params.req('template-uuid')
      const vm = ctx.db.getByUuid('VM', uuid)
      if (!vm.f.is_a_template) throw new CliFailure(`This operation can only be performed on a VM template. ${uuid} is not a VM template.`)
      await uninstallWithPrompt(ctx, [vm])
    }
  },
)
