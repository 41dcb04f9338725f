// xe vm-create name-label=<name> [name-description=<d>] (hidden): VM.create of a bare PV VM — 256 MiB maximum and
// 128 MiB minimum memory, 1 vCPU, Halted, no devices; prints the uuid.
// Reference: xe-cli-behaviour.md §9 (vm-create), cli_operations.ml vm_create, xapi-model.md §3.
import { verb, XeCommand } from '../cli/command'
import { createVm } from '../engine/vm-install'
import type { XeContext } from '../cli/context'

const MiB = 1024 * 1024

export default verb(
  'vm-create',
  class extends XeCommand {
    exec(ctx: XeContext): void {
      const vm = createVm(ctx.db, {
        name_label: ctx.params.req('name-label'), name_description: ctx.params.get('name-description') ?? '', user_version: 0,
        is_a_template: false, memory_target: 256 * MiB, memory_static_max: 256 * MiB, memory_dynamic_max: 256 * MiB,
        memory_dynamic_min: 128 * MiB, memory_static_min: 128 * MiB, VCPUs_max: 1, VCPUs_at_startup: 1,
        actions_after_softreboot: 'soft_reboot', actions_after_shutdown: 'destroy', actions_after_reboot: 'restart',
        actions_after_crash: 'destroy', HVM_boot_policy: '', HVM_shadow_multiplier: 1, domain_type: 'unspecified', power_state: 'Halted',
      })
      ctx.out.list([vm.f.uuid])
    }
  },
)
