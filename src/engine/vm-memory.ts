// VM memory and VCPU settings (xapi_vm.ml, message_forwarding.ml, xapi_vm_memory_constraints.ml,
// vm_memory_constraints.ml, xapi_xenops.ml set_vcpus, memory_check.ml). Reference: xapi-model.md §4 (setter ↔
// operation), §5.1 (constraints), §5.2 (overhead). Each setter first asserts its VM operation as xapi's
// with_vm_operation does (strict checks: power state, templates, control domains…), then applies xapi's own
// checks in order. Re-expressed from xen-api at the reference commit.
import type { Db, XObj } from './db'
import { XapiError } from './errors'
import { computeFreeMemory } from './host'
import { assertOperation } from './vm-lifecycle'
import { ocamlStringOfFloat, requiredMemoryBytes, updateMemoryOverhead } from './vm'
import { mapGet } from './values'

const MiB = 1024 * 1024

/**
 * Pool_features.is_enabled for a negative licence flag of pool.restrictions ("restrict_…" = "true" means
 * restricted); a flag the pool does not list is enabled only for the features xapi enables when unknown.
 */
export function poolFeatureEnabled(db: Db, restrictKey: string, enabledWhenUnknown = false): boolean {
  const v = mapGet(db.all('pool')[0]?.f.restrictions ?? [], restrictKey)
  if (v === 'true') return false
  if (v === 'false') return true
  return enabledWhenUnknown
}

/** Pool_features.assert_enabled: LICENCE_RESTRICTION [feature name]. */
export function assertPoolFeature(db: Db, restrictKey: string, feature: string, enabledWhenUnknown = false): void {
  if (!poolFeatureEnabled(db, restrictKey, enabledWhenUnknown)) throw new XapiError('LICENCE_RESTRICTION', [feature])
}

/** Vm_platform.is_true: "true"/"1" (any case) or "false"/"0", else the default. */
export function platformFlag(vm: XObj<'VM'>, key: string, dflt = false): boolean {
  const v = mapGet(vm.f.platform, key)?.toLowerCase()
  if (v === 'true' || v === '1') return true
  if (v === 'false' || v === '0') return false
  return dflt
}

// ---------------------------------------------------------------------------------------------------------
// Constraints (§5.1).

export interface MemoryConstraints {
  static_min: number
  dynamic_min: number
  target: number
  dynamic_max: number
  static_max: number
}

const constraintsOf = (vm: XObj<'VM'>): MemoryConstraints => ({
  static_min: vm.f.memory_static_min,
  dynamic_min: vm.f.memory_dynamic_min,
  target: vm.f.memory_target,
  dynamic_max: vm.f.memory_dynamic_max,
  static_max: vm.f.memory_static_max,
})

/** Xapi_vm_lifecycle.nested_virt: the running domain's flag (VM_metrics) when there are metrics, else the platform key. */
function nestedVirt(db: Db, vm: XObj<'VM'>): boolean {
  const m = db.tryGet(vm.f.metrics, 'VM_metrics')
  return m ? m.f.nested_virt : platformFlag(vm, 'nested-virt')
}

/** assert_valid_and_pinned_at_static_max: static_min ≤ dynamic_min = dynamic_max = static_max. */
export function assertPinnedAtStaticMax(c: MemoryConstraints, reason: string): void {
  if (!(c.static_min <= c.dynamic_min && c.dynamic_min === c.dynamic_max && c.dynamic_max === c.static_max)) {
    throw new XapiError('MEMORY_CONSTRAINT_VIOLATION_MAXPIN', [reason])
  }
}

/**
 * Vm_memory_constraints.assert_valid_for_current_context: pinned at static_max without dynamic memory control
 * (licence), for control domains and under nested virtualisation; otherwise in order.
 */
export function assertMemoryConstraints(db: Db, vm: XObj<'VM'>, c: MemoryConstraints): void {
  if (!poolFeatureEnabled(db, 'restrict_dmc')) assertPinnedAtStaticMax(c, 'DMC disabled')
  else if (vm.f.is_control_domain) assertPinnedAtStaticMax(c, 'control domain')
  else if (nestedVirt(db, vm)) assertPinnedAtStaticMax(c, 'nested virt')
  else if (!(c.static_min <= c.dynamic_min && c.dynamic_min <= c.dynamic_max && c.dynamic_max <= c.static_max)) {
    throw new XapiError('MEMORY_CONSTRAINT_VIOLATION_ORDER', [])
  }
}

/** A running control domain's new memory or VCPU settings take effect at its next boot. */
function flagControlDomainReboot(db: Db, vm: XObj<'VM'>): void {
  if (vm.f.is_control_domain && vm.f.power_state === 'Running') db.set(vm, { requires_reboot: true })
}

// ---------------------------------------------------------------------------------------------------------
// The balloon: what squeezed gives a running domain.

/**
 * squeezed's target for a running domain: its dynamic_max when the host has the room, else as much above
 * dynamic_min as the host has free (the host's free memory already counts every domain at its dynamic_min).
 */
export function balloonTarget(db: Db, vm: XObj<'VM'>): number {
  const host = db.tryGet(vm.f.resident_on, 'host')
  if (!host) return vm.f.memory_dynamic_max
  return Math.max(vm.f.memory_dynamic_min, Math.min(vm.f.memory_dynamic_max, vm.f.memory_dynamic_min + computeFreeMemory(db, host)))
}

/** xenopsd reports the new balloon target (VM.memory_target) and rrdd the memory the domain now has (memory_actual). */
export function applyBalloon(db: Db, vm: XObj<'VM'>): void {
  const target = balloonTarget(db, vm)
  db.set(vm, { memory_target: target })
  const m = db.tryGet(vm.f.metrics, 'VM_metrics')
  if (m) db.set(m, { memory_actual: target })
}

// ---------------------------------------------------------------------------------------------------------
// Memory setters.

/**
 * VM.set_memory_limits (operation changing_memory_limits: Halted, or Running for a control domain): the four
 * values checked together, then stored with target = dynamic_min; the overhead is recomputed.
 */
export function setMemoryLimits(db: Db, vm: XObj<'VM'>, l: { static_min: number; static_max: number; dynamic_min: number; dynamic_max: number }): void {
  assertOperation(db, vm, 'changing_memory_limits', true)
  const c: MemoryConstraints = { ...l, target: l.dynamic_min }
  assertMemoryConstraints(db, vm, c)
  db.set(vm, { memory_static_min: c.static_min, memory_dynamic_min: c.dynamic_min, memory_target: c.target, memory_dynamic_max: c.dynamic_max, memory_static_max: c.static_max })
  updateMemoryOverhead(db, vm)
  flagControlDomainReboot(db, vm)
}

/** VM.set_memory: set_memory_limits with static_min unchanged and static_max = dynamic_min = dynamic_max = value. */
export function setMemory(db: Db, vm: XObj<'VM'>, value: number): void {
  setMemoryLimits(db, vm, { static_min: vm.f.memory_static_min, static_max: value, dynamic_min: value, dynamic_max: value })
}

/** VM.set_memory_static_range (operation changing_static_range): the static range checked with the dynamic one. */
export function setMemoryStaticRange(db: Db, vm: XObj<'VM'>, min: number, max: number): void {
  assertOperation(db, vm, 'changing_static_range', true)
  assertMemoryConstraints(db, vm, { ...constraintsOf(vm), static_min: min, static_max: max })
  db.set(vm, { memory_static_min: min, memory_static_max: max })
  updateMemoryOverhead(db, vm)
  flagControlDomainReboot(db, vm)
}
export const setMemoryStaticMax = (db: Db, vm: XObj<'VM'>, value: number) => setMemoryStaticRange(db, vm, vm.f.memory_static_min, value)
export const setMemoryStaticMin = (db: Db, vm: XObj<'VM'>, value: number) => setMemoryStaticRange(db, vm, value, vm.f.memory_static_max)

/**
 * VM.set_memory_dynamic_range (operation changing_dynamic_range: Halted or Running). On a running VM the host must
 * first fit a larger dynamic_min (HOST_NOT_ENOUGH_FREE_MEMORY [increase KiB, available KiB]); then the constraints,
 * then target = dynamic_min is stored and a running domain is ballooned into the new range.
 */
export function setMemoryDynamicRange(db: Db, vm: XObj<'VM'>, min: number, max: number): void {
  assertOperation(db, vm, 'changing_dynamic_range', true)
  const running = vm.f.power_state === 'Running'
  if (running) {
    const host = db.get(vm.f.resident_on, 'host')
    const available = computeFreeMemory(db, host)
    const change = vm.f.memory_dynamic_min - min
    if (available + change < 0) throw new XapiError('HOST_NOT_ENOUGH_FREE_MEMORY', [String(Math.trunc(-change / 1024)), String(Math.trunc(available / 1024))])
  } else if (vm.f.power_state !== 'Halted') {
    throw new XapiError('INTERNAL_ERROR', ['assertion_failure: set_memory_dynamic_range: power_state should be Halted or Running'])
  }
  assertMemoryConstraints(db, vm, { ...constraintsOf(vm), dynamic_min: min, target: min, dynamic_max: max })
  db.set(vm, { memory_target: min, memory_dynamic_min: min, memory_dynamic_max: max })
  if (running) applyBalloon(db, vm)
}
export const setMemoryDynamicMax = (db: Db, vm: XObj<'VM'>, value: number) => setMemoryDynamicRange(db, vm, vm.f.memory_dynamic_min, value)
export const setMemoryDynamicMin = (db: Db, vm: XObj<'VM'>, value: number) => setMemoryDynamicRange(db, vm, value, vm.f.memory_dynamic_max)

/**
 * VM.wait_memory_target_live (operation awaiting_memory_live): returns once memory_actual is within 1 MiB of the
 * balloon target — at once here, the emulated balloon reaching its target immediately — and records it.
 */
export function waitMemoryTargetLive(db: Db, vm: XObj<'VM'>): void {
  assertOperation(db, vm, 'awaiting_memory_live', true)
  const m = db.tryGet(vm.f.metrics, 'VM_metrics')
  if (m) db.set(m, { memory_actual: vm.f.memory_target })
}

/** VM.set_HVM_shadow_multiplier (operation changing_shadow_memory): at least 1 (INVALID_VALUE ["multiplier", v]). */
export function setHvmShadowMultiplier(db: Db, vm: XObj<'VM'>, value: number): void {
  assertOperation(db, vm, 'changing_shadow_memory', true)
  if (!(value >= 1)) throw new XapiError('INVALID_VALUE', ['multiplier', ocamlStringOfFloat(value)])
  db.set(vm, { HVM_shadow_multiplier: value })
  updateMemoryOverhead(db, vm)
}

/**
 * VM.maximise_memory: the largest static_max (rounded down to a MiB) whose start footprint — guest memory at
 * static_max plus overhead, with 64 vCPUs when approximate — fits in total bytes (Helpers.bisect).
 */
export function maximiseMemory(vm: XObj<'VM'>, total: number, approximate: boolean): number {
  const vcpus = approximate ? 64 : vm.f.VCPUs_max
  const fits = (s: number) => requiredMemoryBytes({ ...vm.f, VCPUs_max: vcpus, memory_static_max: s }, s) <= total
  let lower = 0
  let upper = total
  while (upper - lower >= 2) {
    const mid = Math.floor((upper + lower) / 2)
    if (fits(mid)) lower = mid
    else upper = mid
  }
  const max = fits(upper) ? upper : lower
  return Math.floor(max / MiB) * MiB
}

// ---------------------------------------------------------------------------------------------------------
// VCPUs.

const vcpuRule = 'VCPU values must satisfy: 0 < VCPUs_at_startup ≤ VCPUs_max'

/**
 * VM.set_VCPUs_max (operation changing_VCPUs: Halted, or Running for a control domain other than dom0): at least 1
 * and at least VCPUs_at_startup (INVALID_VALUE [rule, value]); the overhead is recomputed.
 */
export function setVcpusMax(db: Db, vm: XObj<'VM'>, value: number): void {
  assertOperation(db, vm, 'changing_VCPUs', true)
  if (value < 1 || value < vm.f.VCPUs_at_startup) throw new XapiError('INVALID_VALUE', [vcpuRule, String(value)])
  db.set(vm, { VCPUs_max: value })
  updateMemoryOverhead(db, vm)
  flagControlDomainReboot(db, vm)
}

/** VM.set_VCPUs_at_startup (no operation lock): not on dom0; 1 ≤ value ≤ VCPUs_max; the overhead is recomputed. */
export function setVcpusAtStartup(db: Db, vm: XObj<'VM'>, value: number): void {
  if (vm.f.is_control_domain && vm.f.domid === 0) throw new XapiError('OPERATION_NOT_ALLOWED', ['set_VCPUs_at_startup is not allowed on dom0'])
  if (value < 1 || value > vm.f.VCPUs_max) throw new XapiError('INVALID_VALUE', [vcpuRule, String(value)])
  db.set(vm, { VCPUs_at_startup: value })
  updateMemoryOverhead(db, vm)
}

/**
 * VM.set_VCPUs_number_live (operation changing_VCPUs_live, Running): the Live_set_vcpus licence feature, then
 * xenopsd accepts 1 ≤ n ≤ VCPUs_max (INVALID_VALUE [rule, VCPUs_max]); VCPUs_at_startup and VM_metrics.VCPUs_number
 * follow, and the overhead is recomputed.
 */
export function setVcpusNumberLive(db: Db, vm: XObj<'VM'>, n: number): void {
  assertOperation(db, vm, 'changing_VCPUs_live', true)
  assertPoolFeature(db, 'restrict_set_vcpus_number_live', 'Live_set_vcpus')
  if (n <= 0 || n > vm.f.VCPUs_max) throw new XapiError('INVALID_VALUE', ['VCPU values must satisfy: 0 < VCPUs ≤ VCPUs_max', String(vm.f.VCPUs_max)])
  db.set(vm, { VCPUs_at_startup: n })
  const m = db.tryGet(vm.f.metrics, 'VM_metrics')
  if (m) db.set(m, { VCPUs_number: n })
  updateMemoryOverhead(db, vm)
}
