// xe vm-install new-name-label=<name> template=<t> | template-uuid= | template-name-label= | template-name=
// [sr-uuid=<sr>] [sr-name-label=<name>] [copy-bios-strings-from=<host uuid>]: a VM from a template — copied to the
// named SR or cloned — with its disks provisioned (other-config:disks); prints the new uuid.
// Reference: xe-cli-behaviour.md §9 (vm-install), xapi-model.md §8.
import { verb, XeCommand } from '../cli/command'
import { installSrs, installTemplate } from '../cli/vm-copies'
import { installVm } from '../engine/vm-install'
import type { XeContext } from '../cli/context'

export default verb(
  'vm-install',
  class extends XeCommand {
    exec(ctx: XeContext): void {
      const template = installTemplate(ctx)
      const name = ctx.params.req('new-name-label')
      const { sr, suspendSr, srUuid } = installSrs(ctx, template)
      const vm = installVm(ctx.db, template, { name, sr, suspendSr, srUuid, copyBiosStringsFrom: ctx.params.get('copy-bios-strings-from') })
      ctx.out.list([vm.f.uuid])
    }
  },
)
