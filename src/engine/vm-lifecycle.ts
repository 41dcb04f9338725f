// Which VM operations are possible (xapi_vm_lifecycle.ml): the power states each operation needs, the
// checks in xapi's order (the first failing one wins), and VM.allowed_operations as xapi computes it.
// Reference: xapi-model.md §4, §4.1, §4.2. Re-expressed from xen-api at the reference commit.
import type { Db, XObj } from './db'
import { XapiError } from './errors'
import { enumValues } from './schema'
import { mapGet } from './values'

type PowerState = XObj<'VM'>['f']['power_state']
export type VmOp = XObj<'VM'>['f']['allowed_operations'][number] | 'sysprep'

/** The vm_operations enum in datamodel order (HEAD appends sysprep). */
export const VM_OPS: VmOp[] = [...(enumValues('vm_operations') as VmOp[]), 'sysprep']

/** Operations never listed in allowed_operations (xapi_vm_lifecycle.ml ignored_ops). */
const IGNORED_OPS: VmOp[] = [
  'create_template', 'power_state_reset', 'csvm', 'get_boot_record', 'send_sysrq', 'send_trigger', 'query_services', 'shutdown',
  'call_plugin', 'changing_memory_live', 'awaiting_memory_live', 'changing_memory_limits', 'changing_shadow_memory_live',
  'changing_VCPUs', 'assert_operation_valid', 'data_source_op', 'update_allowed_operations', 'import', 'reverting',
]

/** record_util.ml vm_operation_to_string: the text xe and error parameters use for an operation. */
export function opString(op: VmOp): string {
  if (op === 'assert_operation_valid') return 'assertoperationvalid'
  if (op === 'data_source_op') return 'data_sources_op'
  return op
}

const ALL: PowerState[] = ['Halted', 'Paused', 'Suspended', 'Running']

/** allowed_power_states: the states an operation may start from, in xapi's order. */
export function allowedPowerStates(vm: XObj<'VM'>, op: VmOp): PowerState[] {
  switch (op) {
    case 'import':
      return []
    case 'changing_VCPUs': case 'changing_static_range': case 'changing_memory_limits':
      return vm.f.is_control_domain ? ['Halted', 'Running'] : ['Halted']
    case 'changing_shadow_memory': case 'changing_NVRAM': case 'make_into_template': case 'provision': case 'start': case 'start_on': case 'create_vtpm':
      return ['Halted']
    case 'unpause':
      return ['Paused']
    case 'csvm': case 'resume': case 'resume_on':
      return ['Suspended']
    case 'awaiting_memory_live': case 'call_plugin': case 'clean_reboot': case 'clean_shutdown': case 'changing_memory_live':
    case 'changing_shadow_memory_live': case 'changing_VCPUs_live': case 'data_source_op': case 'pause': case 'pool_migrate':
    case 'send_sysrq': case 'send_trigger': case 'snapshot_with_quiesce': case 'sysprep': case 'suspend':
      return ['Running']
    case 'changing_dynamic_range':
      return ['Halted', 'Running']
    case 'clone': case 'copy':
      // clone_suspended_vm_enabled is off by default
      return vm.f.is_a_snapshot ? ['Halted', 'Suspended'] : ['Halted']
    case 'create_template': case 'destroy': case 'export':
      return ['Halted', 'Suspended']
    case 'hard_reboot':
      return ['Paused', 'Running']
    case 'checkpoint': case 'get_boot_record': case 'shutdown': case 'hard_shutdown':
      return ['Paused', 'Suspended', 'Running']
    case 'migrate_send':
      return ['Halted', 'Suspended', 'Running']
    default:
      return ALL
  }
}

const lower = (s: PowerState) => s[0]!.toLowerCase() + s.slice(1)

/** VM_BAD_POWER_STATE [vm, expected (", "-joined, lower-case), actual]. */
export function badPowerState(vm: XObj<'VM'>, op: VmOp): XapiError {
  return new XapiError('VM_BAD_POWER_STATE', [vm.ref, allowedPowerStates(vm, op).map(lower).join(', '), lower(vm.f.power_state)])
}

function isAllowedConcurrently(op: VmOp, current: Array<[string, string]>): boolean {
  const ops = current.map(([, o]) => o)
  const group = (g: string[]) => g.includes(op) && ops.every((o) => g.includes(o))
  if (group(['clone', 'copy', 'export']) || group(['snapshot', 'checkpoint']) || group(['get_boot_record'])) return true
  if (op === 'hard_shutdown') return !ops.includes(op)
  if (op === 'hard_reboot') return !ops.some((o) => o === 'hard_shutdown' || o === 'hard_reboot')
  const pairs: Array<[string, VmOp]> = [['snapshot_with_quiesce', 'snapshot'], ['migrate_send', 'metadata_export'], ['migrate_send', 'clean_shutdown'], ['migrate_send', 'clean_reboot']]
  return pairs.some(([state, t]) => ops.length === 1 && ops[0] === state && t === op)
}

const TEMPLATE_OPS: VmOp[] = [
  'changing_dynamic_range', 'changing_static_range', 'changing_memory_limits', 'changing_shadow_memory', 'changing_VCPUs',
  'changing_NVRAM', 'clone', 'copy', 'export', 'metadata_export', 'provision',
]
const SNAPSHOT_OPS: VmOp[] = ['revert', 'clone', 'copy', 'export', 'destroy', 'hard_shutdown', 'metadata_export']
const CONTROL_DOMAIN_OPS: VmOp[] = [
  'data_source_op', 'changing_memory_live', 'awaiting_memory_live', 'metadata_export', 'changing_dynamic_range',
  'changing_memory_limits', 'changing_static_range', 'start', 'start_on', 'changing_VCPUs', 'destroy',
]

const isTrue = (m: Array<[string, string]>, k: string) => ['true', '1'].includes((mapGet(m, k) ?? '').toLowerCase())

/** The first reason op is not possible now, or undefined (check_operation_error). */
export function checkOperation(db: Db, vm: XObj<'VM'>, op: VmOp, strict: boolean): XapiError | undefined {
  const f = vm.f
  const ref = vm.ref
  const blocked = mapGet(f.blocked_operations as Array<[string, string]>, op)
  if (blocked !== undefined) return new XapiError('OPERATION_BLOCKED', [ref, blocked])
  if (!allowedPowerStates(vm, op).includes(f.power_state)) return badPowerState(vm, op)
  const current = f.current_operations as Array<[string, string]>
  if (current.length > 0 && !isAllowedConcurrently(op, current)) {
    const opsStr = current.length === 1 ? opString(current[0]![1] as VmOp) : `{${current.map(([, o]) => opString(o as VmOp)).join(',')}}`
    const refsStr = current.length === 1 ? current[0]![0] : `{${current.map(([t]) => t).join(',')}}`
    return new XapiError('OTHER_OPERATION_IN_PROGRESS', ['VM', ref, opsStr, refsStr])
  }
  if (f.is_a_template && !f.is_a_snapshot) {
    const isDefault = f.is_default_template || isTrue(f.other_config, 'default_template')
    if (!(TEMPLATE_OPS.includes(op) || ((op === 'destroy' || op === 'migrate_send') && !isDefault))) return new XapiError('VM_IS_TEMPLATE', [ref, opString(op)])
  }
  if (f.is_a_snapshot && !SNAPSHOT_OPS.includes(op)) return new XapiError('VM_IS_SNAPSHOT', [ref, opString(op)])
  if (op === 'provision' && !f.is_a_template) return new XapiError('PROVISION_ONLY_ALLOWED_ON_TEMPLATE', [])
  if (op === 'revert' && !f.is_a_snapshot) return new XapiError('REVERT_ONLY_ALLOWED_ON_SNAPSHOT', [])
  const metrics = db.tryGet(f.metrics, 'VM_metrics')
  const nomigrate = metrics ? metrics.f.nomigrate : isTrue(f.platform, 'nomigrate')
  const nested = metrics ? metrics.f.nested_virt : isTrue(f.platform, 'nested-virt')
  if (['suspend', 'checkpoint', 'pool_migrate', 'migrate_send'].includes(op) && strict && (nomigrate || nested)) return new XapiError('VM_IS_IMMOBILE', [ref])
  if (op === 'changing_dynamic_range' && nested && strict) return new XapiError('VM_IS_USING_NESTED_VIRT', [ref])
  const isDom0 = f.is_control_domain && f.domid === 0
  if ((op === 'changing_VCPUs' || op === 'destroy') && isDom0) return new XapiError('OPERATION_NOT_ALLOWED', ['This operation is not allowed on dom0'])
  if (f.is_control_domain && !CONTROL_DOMAIN_OPS.includes(op)) return new XapiError('OPERATION_NOT_ALLOWED', ['This operation is not allowed on a control domain'])
  const feature = checkFeature(db, vm, op, strict)
  if (feature) return feature
  if (op === 'snapshot_with_quiesce') return new XapiError('VM_SNAPSHOT_WITH_QUIESCE_NOT_SUPPORTED', [ref])
  if (['checkpoint', 'snapshot', 'suspend', 'snapshot_with_quiesce', 'pool_migrate'].includes(op)) {
    const flags = vmVdis(db, vm).map((vdi) => [mapGet(vdi.f.sm_config, 'on_boot') === 'reset', isTrue(vdi.f.sm_config, 'caching')])
    if (op === 'pool_migrate' ? flags.some(([r, c]) => r && c) : flags.some(([r]) => r)) return new XapiError('VDI_ON_BOOT_MODE_INCOMPATIBLE_WITH_OPERATION', [])
  }
  if (['suspend', 'snapshot', 'checkpoint', 'migrate_send', 'pool_migrate'].includes(op) && db.referrers('VUSB', 'VM', ref).length > 0) return new XapiError('VM_HAS_VUSBS', [ref])
  if (op === 'make_into_template') {
    if (db.tryGet(f.appliance)) return new XapiError('VM_IS_PART_OF_AN_APPLIANCE', [ref, f.appliance])
    if (db.tryGet(f.protection_policy)) return new XapiError('VM_ASSIGNED_TO_PROTECTION_POLICY', [ref, f.protection_policy])
    if (db.tryGet(f.snapshot_schedule)) return new XapiError('VM_ASSIGNED_TO_SNAPSHOT_SCHEDULE', [ref, f.snapshot_schedule])
  }
  if (op === 'query_services' && !isTrue(f.other_config, 'is_system_domain')) return new XapiError('NOT_SYSTEM_DOMAIN', [ref])
  if (op === 'create_vtpm') {
    const n = db.referrers('VTPM', 'VM', ref).length
    if (n > 0) return new XapiError('VTPM_MAX_AMOUNT_REACHED', [String(n)])
  }
  return undefined
}

/** The VDIs behind the VM's non-empty VBDs. */
export function vmVdis(db: Db, vm: XObj<'VM'>): Array<XObj<'VDI'>> {
  return db.referrers('VBD', 'VM', vm.ref).map((b) => db.tryGet(b.f.VDI, 'VDI')).filter((v): v is XObj<'VDI'> => v !== undefined)
}

const isLive = (vm: XObj<'VM'>) => vm.f.power_state === 'Running' || vm.f.power_state === 'Paused'

/** PV drivers are known when the guest reported numeric major and minor versions. */
export function hasPvDrivers(db: Db, vm: XObj<'VM'>): boolean {
  const gm = db.tryGet(vm.f.guest_metrics, 'VM_guest_metrics')
  if (!gm) return false
  const v = gm.f.PV_drivers_version as Array<[string, string]>
  return /^-?\d+$/.test(mapGet(v, 'major') ?? '') && /^-?\d+$/.test(mapGet(v, 'minor') ?? '')
}

/** check_op_for_feature: a live HVM guest without PV drivers must advertise what the op needs. */
function checkFeature(db: Db, vm: XObj<'VM'>, op: VmOp, strict: boolean): XapiError | undefined {
  const live = isLive(vm)
  const metrics = db.tryGet(vm.f.metrics, 'VM_metrics')
  const bootedPv = !!metrics && ['pv', 'pv_in_pvh', 'pvh'].includes(metrics.f.current_domain_type)
  const implicit = !live || bootedPv || hasPvDrivers(db, vm)
  const gm = db.tryGet(vm.f.guest_metrics, 'VM_guest_metrics')
  const other = (gm?.f.other ?? []) as Array<[string, string]>
  const lacks = (feature: string) => mapGet(other, feature) !== '1'
  if (['suspend', 'checkpoint', 'pool_migrate', 'migrate_send'].includes(op) && live) {
    const reason = mapGet(other, 'data-cant-suspend-reason')
    if (reason !== undefined) return new XapiError('VM_NON_SUSPENDABLE', [vm.ref, reason])
    if (!implicit && strict && lacks('feature-suspend')) return new XapiError('VM_LACKS_FEATURE', [vm.ref])
    return undefined
  }
  if (implicit) return undefined
  if (op === 'clean_shutdown' && strict && lacks('feature-shutdown') && lacks('feature-poweroff')) return new XapiError('VM_LACKS_FEATURE', [vm.ref])
  if (op === 'clean_reboot' && strict && lacks('feature-shutdown') && lacks('feature-reboot')) return new XapiError('VM_LACKS_FEATURE', [vm.ref])
  if (op === 'changing_VCPUs_live' && lacks('feature-vcpu-hotplug')) return new XapiError('VM_LACKS_FEATURE', [vm.ref])
  return undefined
}

/** assert_operation_valid: raises the first reason op is not possible (permissive, strict=false). */
export function assertOperation(db: Db, vm: XObj<'VM'>, op: VmOp, strict = false): void {
  const e = checkOperation(db, vm, op, strict)
  if (e) throw e
}

/** update_allowed_operations: every listable op that passes the strict checks, in reverse enum order. */
export function allowedOperations(db: Db, vm: XObj<'VM'>): VmOp[] {
  const allowed: VmOp[] = []
  for (const op of VM_OPS) if (!IGNORED_OPS.includes(op) && !checkOperation(db, vm, op, true)) allowed.unshift(op)
  return allowed
}
export function updateAllowedOperations(db: Db, vm: XObj<'VM'>): void {
  db.set(vm, { allowed_operations: allowedOperations(db, vm) as XObj<'VM'>['f']['allowed_operations'] })
}
