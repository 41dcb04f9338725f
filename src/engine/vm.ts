// VM rules that xe's records read through API calls (records.ml vm_record): the devices still free for new
// VBDs/VIFs (VM.get_allowed_VBD_devices / get_allowed_VIF_devices), the hosts the VM could boot on
// (VM.get_possible_hosts with the checks of xapi_vm_helpers.ml assert_can_boot_here) and the memory model
// those checks use (xapi-idl memory.ml, memory_check.ml). Re-expressed from xen-api at the reference commit.
import type { Db, XObj } from './db'
import { XapiError } from './errors'
import { NULL_REF, mapGet, type Ref } from './values'
import { computeFreeMemory } from './host'

type DomainType = 'hvm' | 'pv' | 'pv_in_pvh' | 'pvh'

// ---------------------------------------------------------------------------------------------------------
// Device numbers (xapi-idl device_number.ml): a disk is (bus, disk, partition).

type Bus = 'Xen' | 'Scsi' | 'Floppy' | 'Ide'
type DeviceNumber = [Bus, number, number]

const MAX_OF: Record<Bus, [number, number]> = { Xen: [(1 << 20) - 1, 15], Scsi: [15, 15], Floppy: [2, 0], Ide: [19, 63] }

function makeDevice(bus: Bus, disk: number, partition: number): DeviceNumber | undefined {
  const [dmax, pmax] = MAX_OF[bus]
  return disk >= 0 && disk <= dmax && partition >= 0 && partition <= pmax ? [bus, disk, partition] : undefined
}

/** Device_number.of_disk_number: an HVM guest's first four disks are IDE, everything else is xvd. */
function ofDiskNumber(hvm: boolean, n: number): DeviceNumber | undefined {
  return makeDevice(hvm && n < 4 ? 'Ide' : 'Xen', n, 0)
}

/** OCaml int_of_string_opt (63-bit ints; sign, 0x/0o/0b/0u prefixes and '_' separators). */
function ocamlIntOfString(s: string): number | undefined {
  const m = /^([+-]?)(0[xX][0-9a-fA-F][0-9a-fA-F_]*|0[oO][0-7][0-7_]*|0[bB][01][01_]*|0[uU][0-9][0-9_]*|[0-9][0-9_]*)$/.exec(s)
  if (!m) return undefined
  const body = m[2]!.replace(/_/g, '')
  const p = body.slice(0, 2).toLowerCase()
  const v = p === '0x' || p === '0o' || p === '0b' ? BigInt(body.toLowerCase()) : p === '0u' ? BigInt(body.slice(2)) : BigInt(body)
  const n = m[1] === '-' ? -v : v
  if (n > (1n << 62n) - 1n || n < -(1n << 62n)) return undefined
  return Number(n)
}

/** Device_number.of_linux_device: xvd<letters>[N], sd…, fd…, hd… (base 26 from 1) and d<N>[p<M>]. */
function ofLinuxDevice(x: string): DeviceNumber | undefined {
  const b26 = (rest: string): [number, number] | undefined => {
    const m = /^([a-z]*)(.*)$/.exec(rest)!
    let v = 0
    for (const c of m[1]!) v = v * 26 + (c.charCodeAt(0) - 96)
    const disk = v - 1
    if (m[2] === '') return [disk, 0]
    if (!/^[0-9]+$/.test(m[2]!)) return undefined
    return [disk, Number(m[2])]
  }
  const prefixes: Array<[string, Bus]> = [['xvd', 'Xen'], ['sd', 'Scsi'], ['fd', 'Floppy'], ['hd', 'Ide']]
  for (const [p, bus] of prefixes) {
    if (x.startsWith(p)) {
      const r = b26(x.slice(p.length))
      return r ? [bus, r[0], r[1]] : undefined
    }
  }
  const d = /^d([0-9]+)(?:p([0-9]+))?$/.exec(x)
  if (d) return ['Xen', Number(d[1]), d[2] === undefined ? 0 : Number(d[2])]
  return undefined
}

/** Device_number.of_string: a disk number, else a Linux device name. */
function deviceOfString(hvm: boolean, s: string): DeviceNumber | undefined {
  const n = ocamlIntOfString(s)
  const d = n === undefined ? undefined : ofDiskNumber(hvm, n)
  return d ?? ofLinuxDevice(s)
}

const sameDevice = (a: DeviceNumber, b: DeviceNumber) => a[0] === b[0] && a[1] === b[1] && a[2] === b[2]

/** Helpers.will_have_qemu: only HVM guests get a device model. */
const willHaveQemu = (vm: XObj<'VM'>) => vm.f.domain_type === 'hvm'

/**
 * VM.get_allowed_VBD_devices: the disk numbers (0–254; 0–255 for a control domain) not taken by an existing
 * VBD's device or userdevice, read both as an HVM and as a PV device name.
 */
export function allowedVbdDevices(db: Db, vm: XObj<'VM'>): string[] {
  const hvm = willHaveQemu(vm)
  const last = !hvm && vm.f.is_control_domain ? 255 : 254
  const used: DeviceNumber[] = []
  for (const vbd of db.referrers('VBD', 'VM', vm.ref)) {
    for (const s of [vbd.f.device, vbd.f.userdevice]) {
      for (const h of [true, false]) {
        const d = deviceOfString(h, s)
        if (d) used.push(d)
      }
    }
  }
  const out: string[] = []
  for (let n = 0; n <= last; n++) {
    const d = ofDiskNumber(hvm, n)
    if (d && !used.some((u) => sameDevice(u, d))) out.push(String(d[1]))
  }
  return out
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

/**
 * Memory_check.vm_compute_start_memory: bytes the host must have free to start the VM (the guest's
 * dynamic_min — static_max for PV-in-PVH — plus the domain overhead).
 */
export function startMemoryBytes(vm: XObj<'VM'>): number {
  const dt = checkDomainType(vm.f.domain_type)
  const required = dt === 'pv_in_pvh' ? vm.f.memory_static_max : vm.f.memory_dynamic_min
  const targetMib = Math.ceil(Math.ceil(required / 1024) / 1024)
  const maxMib = mibOfBytesUsed(vm.f.memory_static_max)
  const model = dt === 'pv' ? MODELS.linux : dt === 'pv_in_pvh' ? MODELS.pv_in_pvh : MODELS.hvm
  const multiplier = dt === 'pv' ? 1.0 : vm.f.HVM_shadow_multiplier
  return (targetMib + overheadMib(model, maxMib, vm.f.VCPUs_max, multiplier)) * MiB
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

/** Xapi_network_attach_helpers.assert_can_see_named_networks for the VM's VIFs. */
function assertCanSeeNetworks(db: Db, vm: XObj<'VM'>, host: XObj<'host'>): void {
  const nets = db.referrers('VIF', 'VM', vm.ref).map((v) => v.f.network)
  const available = (netRef: Ref): boolean => {
    const net = db.tryGet(netRef, 'network')
    if (!net) return false
    const pifs = db.referrers('PIF', 'network', net.ref)
    if (pifs.length > 0) return pifs.some((p) => p.f.host === host.ref)
    if (mapGet(net.f.other_config, 'assume_network_is_shared') === 'true') return true
    if (!net.f.managed) return true
    // an internal network is pinned to the host of the running VMs already on it
    const hosts = db.referrers('VIF', 'network', net.ref)
      .map((v) => db.tryGet(v.f.VM, 'VM'))
      .filter((v): v is XObj<'VM'> => !!v && v.f.power_state === 'Running')
      .map((v) => v.f.resident_on)
    return hosts.length === 0 || hosts.includes(host.ref)
  }
  const missing = nets.filter((n) => !available(n))
  if (missing.length > 0) throw new XapiError('VM_REQUIRES_NET', [vm.ref, missing[0]!])
  // the network must be attachable here: its local PIF may not be a bond slave
  for (const n of nets) {
    const local = db.referrers('PIF', 'network', n).filter((p) => p.f.host === host.ref)
    if (local.some((p) => p.f.bond_slave_of !== NULL_REF)) throw new XapiError('HOST_CANNOT_ATTACH_NETWORK', [host.ref, n])
  }
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
 * PCI and SR-IOV capacity checks are not modelled yet: the default world has no such devices.
 */
export function assertCanBootHere(db: Db, vm: XObj<'VM'>, host: XObj<'host'>): void {
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
  assertCanSeeSrs(db, vm, host)
  assertCanSeeNetworks(db, vm, host)
  // assert_usbs_available: each VUSB's group must have its (first) PUSB on this host
  for (const vusb of db.referrers('VUSB', 'VM', vm.ref)) {
    const pusb = db.referrers('PUSB', 'USB_group', vusb.f.USB_group)[0]
    if (!pusb || pusb.f.host !== host.ref) throw new XapiError('OPERATION_NOT_ALLOWED', [`VUSB ${vusb.ref} is not available on Host ${host.ref}`])
  }
  if (currentDomainType(db, vm) !== 'pv' && !host.f.capabilities.some((c) => c.includes('hvm'))) throw new XapiError('VM_HVM_REQUIRED', [vm.ref])
  // memory (Memory_check with the ballooning-aware policy)
  const available = computeFreeMemory(db, host, vm.ref)
  const required = startMemoryBytes(vm)
  if (available < required) throw new XapiError('HOST_NOT_ENOUGH_FREE_MEMORY', [String(required), String(available)])
  // assert_enough_pcpus
  const pcpus = Number(mapGet(host.f.cpu_info, 'cpu_count') ?? 0)
  if (vm.f.VCPUs_max > pcpus) {
    const unrestricted = (mapGet(vm.f.platform, 'vcpu-unrestricted') ?? '').toLowerCase()
    if (unrestricted !== 'true' && unrestricted !== '1') throw new XapiError('HOST_NOT_ENOUGH_PCPUS', [String(vm.f.VCPUs_max), String(pcpus)])
  }
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

/**
 * Memory_check.vm_compute_memory_overhead (VM.memory_overhead, as VM.create and VM import set it): the domain
 * overhead for the VM's static_max, vCPUs and shadow multiplier, in bytes.
 */
export function memoryOverheadBytes(f: Pick<XObj<'VM'>['f'], 'memory_static_max' | 'VCPUs_max' | 'HVM_shadow_multiplier' | 'domain_type'>): number {
  const dt = checkDomainType(f.domain_type)
  const model = dt === 'pv' ? MODELS.linux : dt === 'pv_in_pvh' ? MODELS.pv_in_pvh : MODELS.hvm
  const multiplier = dt === 'pv' ? 1.0 : f.HVM_shadow_multiplier
  return overheadMib(model, mibOfBytesUsed(f.memory_static_max), f.VCPUs_max, multiplier) * MiB
}
