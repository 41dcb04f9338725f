// VM rules that xe's records read through API calls (records.ml vm_record): the devices still free for new
// VBDs/VIFs (VM.get_allowed_VBD_devices / get_allowed_VIF_devices), the hosts the VM could boot on
// (VM.get_possible_hosts with the checks of xapi_vm_helpers.ml assert_can_boot_here) and the memory model
// those checks use (xapi-idl memory.ml, memory_check.ml). Re-expressed from xen-api at the reference commit.
import type { Db, XObj } from './db'
import { XapiError } from './errors'
import { NULL_REF, mapGet, type Ref } from './values'
import { computeFreeMemory } from './host'
import { freeVbdDevices } from './vbd'
import { assertCanSeeNetworks } from './network'

type DomainType = 'hvm' | 'pv' | 'pv_in_pvh' | 'pvh'

// ---------------------------------------------------------------------------------------------------------
// Free device numbers.

/**
 * VM.get_allowed_VBD_devices: the disk numbers (0–254; 0–255 for a control domain) not taken by an existing
 * VBD's device or userdevice, read both as an HVM and as a PV device name (vbd.ts device numbers).
 */
export function allowedVbdDevices(db: Db, vm: XObj<'VM'>): string[] {
  return (freeVbdDevices(db, vm, 'Disk') ?? []).map((d) => String(d[1]))
}

/** VM.get_allowed_VIF_devices: "0"–"15" minus the devices of the VM's VIFs. */
export function allowedVifDevices(db: Db, vm: XObj<'VM'>): string[] {
  const used = new Set(db.referrers('VIF', 'VM', vm.ref).map((v) => v.f.device))
  return Array.from({ length: 16 }, (_, i) => String(i)).filter((d) => !used.has(d))
}

// ---------------------------------------------------------------------------------------------------------
// Memory model (xapi-idl memory.ml): what a domain needs on top of its guest memory, in MiB.

const MiB = 1024 * 1024
const mibOfBytesUsed = (b: number) => Math.ceil(b / MiB)
const mibOfPagesUsed = (p: number) => Math.ceil(p / 256)

interface MemoryModel {
  extraInternal: number
  extraExternal: number
  shim(staticMaxMib: number): number
}
const MODELS: Record<'hvm' | 'linux' | 'pv_in_pvh', MemoryModel> = {
  hvm: { extraInternal: 1, extraExternal: 1, shim: () => 0 },
  linux: { extraInternal: 0, extraExternal: 1, shim: () => 0 },
  pv_in_pvh: { extraInternal: 1, extraExternal: 1, shim: (s) => 23 + Math.floor(s / 90) },
}

function shadowMib(staticMaxMib: number, vcpus: number, multiplier: number): number {
  const total = mibOfPagesUsed(256 * vcpus + 2 * staticMaxMib)
  return Math.max(1, Math.trunc(total * multiplier))
}
function overheadMib(m: MemoryModel, staticMaxMib: number, vcpus: number, multiplier: number): number {
  return m.extraInternal + m.extraExternal + shadowMib(staticMaxMib, vcpus, multiplier) + mibOfPagesUsed(38 * vcpus) + m.shim(staticMaxMib)
}

/** OCaml's string_of_float: "%.12g", with a '.' added when the result looks like an integer. */
export function ocamlStringOfFloat(v: number): string {
  if (Number.isNaN(v)) return 'nan'
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf'
  let s = v !== 0 && Math.abs(v) < 1e-4 ? v.toExponential(11) : v.toPrecision(12)
  if (s.includes('e')) {
    const [m, e] = s.split('e')
    const mant = m!.includes('.') ? m!.replace(/0+$/, '').replace(/\.$/, '') : m!
    const exp = Number(e)
    s = `${mant}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`
  } else if (s.includes('.')) s = s.replace(/0+$/, '').replace(/\.$/, '')
  return /^-?[0-9]+$/.test(s) ? s + '.' : s
}

/** Helpers.check_domain_type: "unspecified" is an internal error. */
function checkDomainType(t: string): DomainType {
  if (t === 'unspecified') throw new XapiError('INTERNAL_ERROR', ['unspecified domain type'])
  return t as DomainType
}

/** Helpers.domain_type: the running domain's type (VM_metrics) unless the VM is Halted. */
function currentDomainType(db: Db, vm: XObj<'VM'>): DomainType {
  if (vm.f.power_state === 'Halted') return checkDomainType(vm.f.domain_type)
  const m = db.get(vm.f.metrics, 'VM_metrics')
  return checkDomainType(m.f.current_domain_type)
}

/** The fields the memory model reads (a VM record, or a what-if copy of one as maximise_memory makes). */
export type MemoryFields = Pick<XObj<'VM'>['f'], 'domain_type' | 'memory_static_max' | 'VCPUs_max' | 'HVM_shadow_multiplier'>

const modelOf = (dt: DomainType) => (dt === 'pv' ? MODELS.linux : dt === 'pv_in_pvh' ? MODELS.pv_in_pvh : MODELS.hvm)

/**
 * Memory_check.vm_compute_required_memory: the host memory (normal + shadow, bytes) a domain with guestBytes of
 * guest memory needs — the guest memory in MiB (rounded up) plus the overhead; PV guests use multiplier 1.0.
 */
export function requiredMemoryBytes(f: MemoryFields, guestBytes: number): number {
  const dt = checkDomainType(f.domain_type)
  const targetMib = Math.ceil(Math.ceil(guestBytes / 1024) / 1024)
  const multiplier = dt === 'pv' ? 1.0 : f.HVM_shadow_multiplier
  return (targetMib + overheadMib(modelOf(dt), mibOfBytesUsed(f.memory_static_max), f.VCPUs_max, multiplier)) * MiB
}

/**
 * Memory_check.vm_compute_start_memory: bytes the host must have free to start the VM (the guest's
 * dynamic_min — static_max for PV-in-PVH — plus the domain overhead).
 */
export function startMemoryBytes(vm: XObj<'VM'>): number {
  const dt = checkDomainType(vm.f.domain_type)
  return requiredMemoryBytes(vm.f, dt === 'pv_in_pvh' ? vm.f.memory_static_max : vm.f.memory_dynamic_min)
}

/**
 * Memory_check.vm_compute_memory_overhead (VM.compute_memory_overhead, the value VM.memory_overhead caches):
 * the model's overhead in whole MiB, with the record's shadow multiplier whatever the domain type.
 */
export function memoryOverheadBytes(f: MemoryFields): number {
  const dt = checkDomainType(f.domain_type)
  return overheadMib(modelOf(dt), mibOfBytesUsed(f.memory_static_max), f.VCPUs_max, f.HVM_shadow_multiplier) * MiB
}

/** Xapi_vm_helpers.update_memory_overhead. */
export function updateMemoryOverhead(db: Db, vm: XObj<'VM'>): void {
  db.set(vm, { memory_overhead: memoryOverheadBytes(vm.f) })
}

// ---------------------------------------------------------------------------------------------------------
// assert_can_boot_here and get_possible_hosts.

/** validate_basic_parameters: VCPUs, memory constraints, shadow multiplier, actions after crash. */
export function validateBasicParameters(db: Db, vm: XObj<'VM'>): void {
  const f = vm.f
  if (f.VCPUs_max < 1) throw new XapiError('INVALID_VALUE', ['VCPUs_max', String(f.VCPUs_max)])
  if (f.VCPUs_at_startup < 1) throw new XapiError('INVALID_VALUE', ['VCPUs-at-startup', String(f.VCPUs_at_startup)])
  if (f.VCPUs_at_startup > f.VCPUs_max) throw new XapiError('VALUE_NOT_SUPPORTED', ['VCPUs-at-startup', String(f.VCPUs_at_startup), 'value greater than VCPUs-max'])
  // Vm_memory_constraints.transform: only inverted static or dynamic ranges cannot be coerced
  if (f.memory_static_max < f.memory_static_min || f.memory_dynamic_max < f.memory_dynamic_min) throw new XapiError('MEMORY_CONSTRAINT_VIOLATION', [])
  if (f.HVM_shadow_multiplier < 1) throw new XapiError('INVALID_VALUE', ['HVM_shadow_multiplier', ocamlStringOfFloat(f.HVM_shadow_multiplier)])
  const fld = 'VM.actions_after_crash'
  if (f.actions_after_crash === 'rename_restart') {
    throw new XapiError('VALUE_NOT_SUPPORTED', [fld, 'rename_restart', 'option would leak a domain; VMs and not domains are managed by this API'])
  }
  if ((f.actions_after_crash === 'coredump_and_destroy' || f.actions_after_crash === 'coredump_and_restart') && currentDomainType(db, vm) !== 'pv') {
    throw new XapiError('VALUE_NOT_SUPPORTED', [fld, f.actions_after_crash, 'cannot invoke a coredump of an HVM, PVH or PV-in-PVH domain'])
  }
}

function isHostLive(db: Db, host: XObj<'host'>): boolean {
  const m = db.tryGet(host.f.metrics, 'host_metrics')
  return !!m && m.f.live
}

/** assert_can_see_SRs: every SR holding one of the VM's disks (and its suspend image) is plugged on the host. */
function assertCanSeeSrs(db: Db, vm: XObj<'VM'>, host: XObj<'host'>): void {
  const vdis = db.referrers('VBD', 'VM', vm.ref).filter((v) => !v.f.empty).map((v) => v.f.VDI)
  if (vm.f.power_state === 'Suspended' && vm.f.suspend_VDI !== NULL_REF) vdis.push(vm.f.suspend_VDI)
  const required = vdis.map((v) => db.get(v, 'VDI').f.SR)
  const plugged = new Set(db.referrers('PBD', 'host', host.ref).filter((p) => p.f.currently_attached).map((p) => p.f.SR))
  const missing = required.filter((sr) => !plugged.has(sr))
  if (missing.length > 0) throw new XapiError('VM_REQUIRES_SR', [vm.ref, missing[0]!])
}

/**
 * Xapi_vm_helpers.assert_can_boot_here (without the CPUID check, as get_possible_hosts runs it). The GPU,
 * PCI and SR-IOV capacity checks are not modelled yet: the default world has no such devices. Placement's
 * second pass leaves the memory check out (`memoryCheck: false`).
 */
export function assertCanBootHere(db: Db, vm: XObj<'VM'>, host: XObj<'host'>, opts: { memoryCheck?: boolean; srCheck?: boolean } = {}): void {
  validateBasicParameters(db, vm)
  if (!isHostLive(db, host)) throw new XapiError('HOST_NOT_LIVE', [])
  if (vm.f.is_control_domain && vm.f.affinity !== NULL_REF && vm.f.affinity !== host.ref) {
    throw new XapiError('OPERATION_NOT_ALLOWED', ['Cannot boot a control domain on a host different from its affinity'])
  }
  const localLiveMigration = vm.f.power_state === 'Running' && vm.f.resident_on === host.ref
  if (!vm.f.is_control_domain && !localLiveMigration && !host.f.enabled) throw new XapiError('HOST_DISABLED', [host.ref])
  const versions = host.f.virtual_hardware_platform_versions
  if (!versions.includes(vm.f.hardware_platform_version)) {
    throw new XapiError('VM_HOST_INCOMPATIBLE_VIRTUAL_HARDWARE_PLATFORM_VERSION', [
      host.ref, `[${versions.join('; ')}]`, vm.ref, String(vm.f.hardware_platform_version),
    ])
  }
  if (opts.srCheck !== false) assertCanSeeSrs(db, vm, host)
  assertCanSeeNetworks(db, vm, host, db.referrers('VIF', 'VM', vm.ref).map((v) => v.f.network))
  // assert_usbs_available: each VUSB's group must have its (first) PUSB on this host
  for (const vusb of db.referrers('VUSB', 'VM', vm.ref)) {
    const pusb = db.referrers('PUSB', 'USB_group', vusb.f.USB_group)[0]
    if (!pusb || pusb.f.host !== host.ref) throw new XapiError('OPERATION_NOT_ALLOWED', [`VUSB ${vusb.ref} is not available on Host ${host.ref}`])
  }
  if (currentDomainType(db, vm) !== 'pv' && !host.f.capabilities.some((c) => c.includes('hvm'))) throw new XapiError('VM_HVM_REQUIRED', [vm.ref])
  // memory (Memory_check with the ballooning-aware policy)
  if (opts.memoryCheck !== false) assertEnoughMemory(db, vm, host)
  // assert_enough_pcpus
  const pcpus = Number(mapGet(host.f.cpu_info, 'cpu_count') ?? 0)
  if (vm.f.VCPUs_max > pcpus) {
    const unrestricted = (mapGet(vm.f.platform, 'vcpu-unrestricted') ?? '').toLowerCase()
    if (unrestricted !== 'true' && unrestricted !== '1') throw new XapiError('HOST_NOT_ENOUGH_PCPUS', [String(vm.f.VCPUs_max), String(pcpus)])
  }
}

/** assert_enough_memory_available: HOST_NOT_ENOUGH_FREE_MEMORY [needed bytes, available bytes]. */
export function assertEnoughMemory(db: Db, vm: XObj<'VM'>, host: XObj<'host'>): void {
  const available = computeFreeMemory(db, host, vm.ref)
  const required = startMemoryBytes(vm)
  if (available < required) throw new XapiError('HOST_NOT_ENOUGH_FREE_MEMORY', [String(required), String(available)])
}

/** VM.get_possible_hosts: the host it is scheduled on, else every live host that passes assert_can_boot_here. */
export function possibleHosts(db: Db, vm: XObj<'VM'>): Ref[] {
  if (vm.f.scheduled_to_be_resident_on !== NULL_REF) return [vm.f.scheduled_to_be_resident_on]
  return db.all('host').filter((h) => {
    try {
      assertCanBootHere(db, vm, h)
      return isHostLive(db, h)
    } catch {
      return false
    }
  }).map((h) => h.ref)
}

// ---------------------------------------------------------------------------------------------------------
// BIOS strings (records.ml bios-strings set_map, xapi_vm.ml set_bios_strings, constants.ml).

/** The BIOS string keys a user may set (Constants.settable_vm_bios_string_keys). */
export const SETTABLE_BIOS_STRING_KEYS = [
  'bios-vendor', 'bios-version', 'system-manufacturer', 'system-product-name', 'system-version', 'system-serial-number',
  'baseboard-manufacturer', 'baseboard-product-name', 'baseboard-version', 'baseboard-serial-number', 'baseboard-asset-tag',
  'baseboard-location-in-chassis', 'enclosure-asset-tag',
]
/** Constants.generic_bios_strings (with the standard type 11 strings). */
const GENERIC_BIOS_STRINGS: Array<[string, string]> = [
  ['bios-vendor', 'Xen'], ['bios-version', ''], ['system-manufacturer', 'Xen'], ['system-product-name', 'HVM domU'],
  ['system-version', ''], ['system-serial-number', ''], ['baseboard-manufacturer', ''], ['baseboard-product-name', ''],
  ['baseboard-version', ''], ['baseboard-serial-number', ''], ['baseboard-asset-tag', ''], ['baseboard-location-in-chassis', ''],
  ['enclosure-asset-tag', ''], ['hp-rombios', ''], ['oem-1', 'Xen'], ['oem-2', 'MS_VM_CERT/SHA1/bdbeb6e0a816d43fa6d3fe8aaef04c2bad9d3e3d'],
]

/**
 * VM.set_bios_strings: only while the VM has none; each key settable and each value 1–512 printable ASCII
 * characters; the result is the generic strings with the given ones substituted.
 */
export function setBiosStrings(db: Db, vm: XObj<'VM'>, pairs: Array<[string, string]>): void {
  if (vm.f.bios_strings.length > 0) throw new XapiError('VM_BIOS_STRINGS_ALREADY_SET', [])
  for (const [k, v] of pairs) {
    if (!SETTABLE_BIOS_STRING_KEYS.includes(k)) throw new XapiError('INVALID_VALUE', [k, 'Unknown key'])
    const len = Buffer.byteLength(v, 'utf8')
    if (len === 0) throw new XapiError('INVALID_VALUE', [k, 'Value provided is empty'])
    if (len > 512) throw new XapiError('INVALID_VALUE', [k, `${v} has length more than 512 characters`])
    if ([...Buffer.from(v, 'utf8')].some((c) => c < 32 || c >= 127)) throw new XapiError('INVALID_VALUE', [k, `${v} has non-printable ASCII characters`])
  }
  const value = GENERIC_BIOS_STRINGS.map(([k, v]): [string, string] => [k, pairs.find(([pk]) => pk === k)?.[1] ?? v])
  db.set(vm, { bios_strings: value })
}

// ---------------------------------------------------------------------------------------------------------
// What VM.start settles before placement (xapi_vm_helpers.ml).

/** ensure_domain_type_is_specified: an "unspecified" domain type is derived from HVM_boot_policy ("" → pv). */
export function ensureDomainTypeIsSpecified(db: Db, vm: XObj<'VM'>): void {
  if (vm.f.domain_type === 'unspecified') db.set(vm, { domain_type: vm.f.HVM_boot_policy === '' ? 'pv' : 'hvm' })
}

/** consider_generic_bios_strings: a VM without BIOS strings gets the generic ones (Constants.generic_bios_strings). */
export function considerGenericBiosStrings(db: Db, vm: XObj<'VM'>): void {
  if (vm.f.bios_strings.length === 0) db.set(vm, { bios_strings: GENERIC_BIOS_STRINGS.map(([k, v]): [string, string] => [k, v]) })
}
