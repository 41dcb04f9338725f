// VM.clone, VM.copy, VM.snapshot, VM.checkpoint and VM.revert: the common machinery of xapi_vm_clone.ml (disks,
// the new VM record, VBDs, VIFs, VGPUs, VTPMs, the suspend image), the checkpoint and revert logic of
// xapi_vm_snapshot.ml, the entry points of xapi_vm.ml and the checks and messages message_forwarding.ml adds.
// Reference: xapi-model.md §7. Re-expressed from xen-api at the reference commit.
//
// Each call runs inside one transaction: when it fails, everything it made is rolled back, which is also what
// xapi's own clean-up (safe_clone_disks deleting the disks made so far, VM.destroy of a half-made VM) achieves.
import type { Db, XObj } from './db'
import { XapiError } from './errors'
import { vmDescription, vmMessage } from './message'
import { createSuspendImage, destroySuspendImage } from './suspend-image'
import { srCapabilities } from './sr'
import { cloneVdi, copyVdi, destroyVdi, snapshotVdi } from './vdi'
import { destroyVbd, updateVbdAllowedOperations, updateVmVbdOperations } from './vbd'
import { createVif, destroyVif, updateVmVifOperations } from './vif'
import { assertOperation, updateAllowedOperations } from './vm-lifecycle'
import { forceStateReset, hardShutdown, hardShutdownLocal, nextDomid } from './vm-power'
import { createVm } from './vm-install'
import { EPOCH, NULL_REF, mapGet, mapHas, mapSet, xapiDate, type Ref, type XMap } from './values'

type PowerState = XObj<'VM'>['f']['power_state']
type VmFields = XObj<'VM'>['f']

/** Disk_op_clone | Disk_op_copy of SR option | Disk_op_snapshot | Disk_op_checkpoint. */
export type DiskOp = { kind: 'clone' } | { kind: 'copy'; sr?: XObj<'SR'> } | { kind: 'snapshot' } | { kind: 'checkpoint' }

const isSnapshotOp = (op: DiskOp) => op.kind === 'snapshot' || op.kind === 'checkpoint'

// ---------------------------------------------------------------------------------------------------------
// Disks (safe_clone_disks, clone_single_vdi).

interface ClonedDisk {
  vbd: XObj<'VBD'>
  /** the new VDI; the original for CDs; NULL for empty drives */
  vdi: Ref
}

function cloneSingleVdi(db: Db, op: DiskOp, vdi: XObj<'VDI'>): XObj<'VDI'> {
  switch (op.kind) {
    case 'clone':
      return cloneVdi(db, vdi)
    case 'copy':
      return copyVdi(db, vdi, { sr: op.sr ?? vdi.f.SR })
    default:
      return snapshotVdi(db, vdi)
  }
}

/** Empty drives stay empty, CDs keep their (ISO) VDI, every other disk is cloned, copied or snapshotted. */
function cloneDisks(db: Db, op: DiskOp, vbds: Array<XObj<'VBD'>>): ClonedDisk[] {
  return vbds.map((vbd) => {
    if (vbd.f.empty) return { vbd, vdi: NULL_REF }
    if (vbd.f.type === 'CD') return { vbd, vdi: vbd.f.VDI }
    return { vbd, vdi: cloneSingleVdi(db, op, db.get(vbd.f.VDI, 'VDI')).ref }
  })
}

// ---------------------------------------------------------------------------------------------------------
// Copies of device and metrics records (xapi_vbd_helpers.ml copy, xapi_vif_helpers.ml copy, xapi_vgpu.ml copy,
// xapi_vtpm.ml copy, xapi_vm_helpers.ml copy_metrics / copy_guest_metrics).

/** A VBD like `vbd` on `vm` backed by `vdi` (currently_attached and device are copied as they are). */
function copyVbd(db: Db, vbd: XObj<'VBD'>, vm: XObj<'VM'>, vdi: Ref): XObj<'VBD'> {
  const uuid = db.ids.uuid()
  const metrics = db.create('VBD_metrics', { io_read_kbs: 0, io_write_kbs: 0, last_updated: EPOCH, other_config: [] })
  const f = vbd.f
  const copy = db.create('VBD', {
    uuid, allowed_operations: [], current_operations: [], storage_lock: false, VM: vm.ref, VDI: vdi,
    empty: f.empty || vdi === NULL_REF, userdevice: f.userdevice, device: f.device, bootable: f.bootable, mode: f.mode,
    currently_attached: f.currently_attached, status_code: 0, type: f.type, unpluggable: f.unpluggable, status_detail: '',
    other_config: f.other_config, qos_algorithm_type: f.qos_algorithm_type, qos_algorithm_params: f.qos_algorithm_params,
    qos_supported_algorithms: [], runtime_properties: [], metrics: metrics.ref,
  })
  updateVbdAllowedOperations(db, copy)
  return copy
}

/** A VIF like `vif` on `vm`: the same MAC for snapshots, else one derived from the new VM's mac_seed. */
function copyVif(db: Db, vif: XObj<'VIF'>, vm: XObj<'VM'>, preserveMac: boolean): XObj<'VIF'> {
  const f = vif.f
  const copy = createVif(db, {
    vm, network: f.network, device: f.device, mac: preserveMac ? f.MAC : '', mtu: f.MTU, other_config: f.other_config,
    currently_attached: f.currently_attached, qos_algorithm_type: f.qos_algorithm_type, qos_algorithm_params: f.qos_algorithm_params,
    locking_mode: f.locking_mode, ipv4_allowed: f.ipv4_allowed, ipv6_allowed: f.ipv6_allowed,
  })
  // the internal create keeps currently_attached as given, whatever the VM's power state
  db.set(copy, {
    currently_attached: f.currently_attached, ipv4_configuration_mode: f.ipv4_configuration_mode, ipv4_addresses: f.ipv4_addresses, ipv4_gateway: f.ipv4_gateway,
    ipv6_configuration_mode: f.ipv6_configuration_mode, ipv6_addresses: f.ipv6_addresses, ipv6_gateway: f.ipv6_gateway, trunks: f.trunks,
  })
  return copy
}

function copyVgpu(db: Db, vgpu: XObj<'VGPU'>, vm: XObj<'VM'>): XObj<'VGPU'> {
  const f = vgpu.f
  return db.create('VGPU', {
    VM: vm.ref, GPU_group: f.GPU_group, device: f.device, currently_attached: f.currently_attached, other_config: f.other_config,
    type: f.type, resident_on: NULL_REF, scheduled_to_be_resident_on: NULL_REF, compatibility_metadata: f.compatibility_metadata,
    extra_args: '', PCI: NULL_REF,
  })
}

function copyVtpm(db: Db, vtpm: XObj<'VTPM'>, vm: XObj<'VM'>): XObj<'VTPM'> {
  const ref = db.ids.ref()
  return db.create('VTPM', {
    VM: vm.ref, backend: NULL_REF, persistence_backend: vtpm.f.persistence_backend, is_unique: vtpm.f.is_unique,
    is_protected: false, allowed_operations: [], current_operations: [],
  }, ref)
}

/** copy_metrics: a new VM_metrics with the source VM's values (or fresh ones when it has none). */
function copyMetrics(db: Db, vm: XObj<'VM'>): Ref {
  const m = db.tryGet(vm.f.metrics, 'VM_metrics')
  const ref = db.ids.ref()
  if (m) {
    const { uuid: _uuid, ...rest } = m.f
    return db.create('VM_metrics', rest, ref).ref
  }
  return db.create('VM_metrics', {
    memory_actual: 0, VCPUs_number: 0, VCPUs_utilisation: [['0', 0]], VCPUs_CPU: [], VCPUs_params: [], VCPUs_flags: [],
    start_time: EPOCH, install_time: EPOCH, state: [], last_updated: EPOCH, other_config: [], nomigrate: false, hvm: false,
    nested_virt: false, current_domain_type: 'unspecified', numa_optimised: false, numa_nodes: 0, numa_node_memory: [],
  }, ref).ref
}

/** copy_guest_metrics: a copy of the VM's guest metrics, or NULL. */
function copyGuestMetrics(db: Db, vm: XObj<'VM'>): Ref {
  const gm = db.tryGet(vm.f.guest_metrics, 'VM_guest_metrics')
  if (!gm) return NULL_REF
  const ref = db.ids.ref()
  const { uuid: _uuid, ...rest } = gm.f
  return db.create('VM_guest_metrics', rest, ref).ref
}

// ---------------------------------------------------------------------------------------------------------
// The new VM record (copy_vm_record).

/** fresh_genid: "" stays "" (no generation id); otherwise two random non-negative 63-bit numbers. */
export function freshGenerationId(db: Db, current: string): string {
  if (current === '') return ''
  const max = (1n << 63n) - 1n
  const draw = () => (db.ids.bytes(8).readBigUInt64LE(0) % max).toString()
  return `${draw()}:${draw()}`
}

/** snapshot_info: disk-snapshot-type then power-state-at-snapshot (nothing for clones). */
export function snapshotInfo(power: PowerState, isSnapshot: boolean): XMap {
  if (!isSnapshot) return []
  return [['disk-snapshot-type', 'crash_consistent'], ['power-state-at-snapshot', power]]
}

/** VM fields that live in other objects or are computed: never part of a snapshot's metadata. */
const REVERSE_FIELDS = ['consoles', 'VIFs', 'VBDs', 'VUSBs', 'crash_dumps', 'VTPMs', 'snapshots', 'children', 'VGPUs']

/** The source VM as a snapshot records it in snapshot_metadata (Helpers.vm_to_string: every stored field). */
function vmToString(vm: XObj<'VM'>): string {
  const o: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(vm.f)) if (!REVERSE_FIELDS.includes(k)) o[k] = v
  return JSON.stringify(o)
}

function copyVmRecord(db: Db, vm: XObj<'VM'>, op: DiskOp, newName: string, newPower: PowerState, info?: XMap): XObj<'VM'> {
  const src = vm.f
  const isSnap = isSnapshotOp(op)
  const uuid = db.ids.uuid()
  const ref = db.ids.ref()
  let other = src.other_config
  if (!isSnap) {
    const seed = db.ids.uuid()
    other = mapHas(other, 'mac_seed') ? other.map(([k, v]): [string, string] => [k, k === 'mac_seed' ? seed : v]) : [['mac_seed', seed], ...other]
  }
  other = other.filter(([k]) => k !== 'default_template' && k !== 'xensource_internal')
  if (src.is_a_template && !mapHas(other, 'base_template_name')) other = [['base_template_name', src.name_label], ...other]
  const metrics = copyMetrics(db, vm)
  const guestMetrics = copyGuestMetrics(db, vm)
  const fields: Partial<VmFields> = {
    uuid, power_state: newPower, allowed_operations: [], blocked_operations: [], name_label: newName, current_operations: [],
    name_description: src.name_description, user_version: src.user_version, is_a_template: isSnap || src.is_a_template,
    is_default_template: false, is_a_snapshot: isSnap, snapshot_of: isSnap ? vm.ref : NULL_REF,
    snapshot_time: isSnap ? xapiDate(db.clock.now()) : EPOCH, snapshot_info: info ?? snapshotInfo(src.power_state, isSnap),
    snapshot_metadata: isSnap ? vmToString(vm) : '', transportable_snapshot_id: '', parent: isSnap ? src.parent : NULL_REF,
    resident_on: NULL_REF, scheduled_to_be_resident_on: NULL_REF, affinity: src.affinity, memory_overhead: src.memory_overhead,
    memory_target: src.memory_target, memory_static_max: src.memory_static_max, memory_dynamic_max: src.memory_dynamic_max,
    memory_dynamic_min: src.memory_dynamic_min, memory_static_min: src.memory_static_min, VCPUs_max: src.VCPUs_max,
    VCPUs_at_startup: src.VCPUs_at_startup, VCPUs_params: src.VCPUs_params, actions_after_softreboot: src.actions_after_softreboot,
    actions_after_shutdown: src.actions_after_shutdown, actions_after_reboot: src.actions_after_reboot,
    actions_after_crash: src.actions_after_crash, HVM_boot_policy: src.HVM_boot_policy, HVM_boot_params: src.HVM_boot_params,
    HVM_shadow_multiplier: src.HVM_shadow_multiplier, suspend_VDI: NULL_REF, platform: src.platform, PV_kernel: src.PV_kernel,
    PV_ramdisk: src.PV_ramdisk, PV_args: src.PV_args, PV_bootloader: src.PV_bootloader, PV_bootloader_args: src.PV_bootloader_args,
    PV_legacy_args: src.PV_legacy_args, PCI_bus: src.PCI_bus, other_config: other, domid: -1, domarch: '',
    last_boot_CPU_flags: src.last_boot_CPU_flags, is_control_domain: src.is_control_domain, metrics, blobs: [],
    guest_metrics: guestMetrics, last_booted_record: src.last_booted_record, recommendations: src.recommendations,
    xenstore_data: src.xenstore_data, ha_restart_priority: src.ha_restart_priority, ha_always_run: false, tags: src.tags,
    bios_strings: src.bios_strings, protection_policy: NULL_REF, is_snapshot_from_vmpp: false, is_vmss_snapshot: false,
    snapshot_schedule: NULL_REF, appliance: NULL_REF, start_delay: 0, shutdown_delay: 0, order: 0, suspend_SR: NULL_REF, version: 0,
    generation_id: freshGenerationId(db, src.generation_id), hardware_platform_version: src.hardware_platform_version,
    has_vendor_device: src.has_vendor_device, requires_reboot: false, reference_label: src.reference_label,
    domain_type: src.domain_type, NVRAM: src.NVRAM, pending_guidances: [], pending_guidances_recommended: [],
    pending_guidances_full: [], secureboot_certificates_state: src.secureboot_certificates_state,
  }
  const created = db.create('VM', fields, ref)
  // a snapshot becomes the source's parent (VM.children of the snapshot)
  if (isSnap) db.set(vm, { parent: created.ref })
  return created
}

/**
 * Xapi_vm_clone.clone: disks first, then the VM record, VBDs (Disk VBDs gain other_config:owner so that
 * vm-uninstall takes their disks along), VIFs, VGPUs, VTPMs and the suspend image (none for snapshots).
 * The new VM is Suspended for a checkpoint of a Running/Suspended VM and for a clone/copy of a Suspended one,
 * else Halted.
 */
function cloneMachinery(db: Db, vm: XObj<'VM'>, op: DiskOp, newName: string, o: { info?: XMap; ignoreVdis?: Ref[] } = {}): XObj<'VM'> {
  let vbds = db.referrers('VBD', 'VM', vm.ref)
  const vifs = db.referrers('VIF', 'VM', vm.ref)
  const vgpus = db.referrers('VGPU', 'VM', vm.ref)
  const vtpms = db.referrers('VTPM', 'VM', vm.ref)
  const power = vm.f.power_state
  let newPower: PowerState = 'Halted'
  if (op.kind === 'checkpoint' && (power === 'Running' || power === 'Suspended')) newPower = 'Suspended'
  else if ((op.kind === 'clone' || op.kind === 'copy') && power === 'Suspended') newPower = 'Suspended'
  const isSnap = isSnapshotOp(op)
  if (isSnap && o.ignoreVdis) vbds = vbds.filter((b) => !o.ignoreVdis!.includes(b.f.VDI))
  const disks = cloneDisks(db, op, [...vbds])
  const created = copyVmRecord(db, vm, op, newName, newPower, o.info)
  for (const { vbd, vdi } of disks) {
    const copy = copyVbd(db, vbd, created, vdi)
    if (copy.f.type === 'Disk' && !mapHas(copy.f.other_config, 'owner')) db.set(copy, { other_config: mapSet(copy.f.other_config, 'owner', '') })
  }
  for (const vif of [...vifs]) copyVif(db, vif, created, isSnap)
  for (const vgpu of [...vgpus]) copyVgpu(db, vgpu, created)
  for (const vtpm of [...vtpms]) copyVtpm(db, vtpm, created)
  let suspend = NULL_REF
  if (vm.f.suspend_VDI !== NULL_REF && op.kind !== 'snapshot') suspend = cloneSingleVdi(db, op, db.get(vm.f.suspend_VDI, 'VDI')).ref
  db.set(created, { suspend_VDI: suspend })
  forceStateReset(db, created, newPower)
  updateVmVbdOperations(db, created)
  updateVmVifOperations(db, created)
  return created
}

// ---------------------------------------------------------------------------------------------------------
// Where the operation can run (message_forwarding.ml forward_to_access_srs).

const hostLive = (db: Db, h: XObj<'host'>) => !!db.tryGet(h.f.metrics, 'host_metrics')?.f.live

/**
 * A live host must have every SR the VM's disks (and, when Suspended, its suspend image) live on plugged;
 * otherwise NO_HOSTS_AVAILABLE.
 */
function assertSomeHostSeesSrs(db: Db, vm: XObj<'VM'>): void {
  const vdis = db.referrers('VBD', 'VM', vm.ref).filter((b) => !b.f.empty).map((b) => b.f.VDI)
  if (vm.f.power_state === 'Suspended' && vm.f.suspend_VDI !== NULL_REF) vdis.push(vm.f.suspend_VDI)
  const srs = vdis.map((v) => db.get(v, 'VDI').f.SR)
  const sees = (h: XObj<'host'>) => {
    const plugged = new Set(db.referrers('PBD', 'host', h.ref).filter((p) => p.f.currently_attached).map((p) => p.f.SR))
    return srs.every((sr) => plugged.has(sr))
  }
  if (!db.all('host').some((h) => sees(h) && hostLive(db, h))) throw new XapiError('NO_HOSTS_AVAILABLE', [])
}

// ---------------------------------------------------------------------------------------------------------
// The API calls.

/**
 * VM.clone: the clone check (Halted; snapshots also Suspended; templates allowed), a host that sees the VM's
 * SRs, then the copy with cloned disks. A clone of a snapshot that comes out Suspended is shut down at once.
 * xapi sends no message for a clone.
 */
export function cloneVm(db: Db, vm: XObj<'VM'>, newName: string): XObj<'VM'> {
  assertOperation(db, vm, 'clone', true)
  assertSomeHostSeesSrs(db, vm)
  const created = cloneMachinery(db, vm, { kind: 'clone' }, newName)
  if (vm.f.is_a_snapshot && created.f.power_state !== 'Halted') {
    hardShutdownLocal(db, created)
    updateAllowedOperations(db, created)
  }
  updateAllowedOperations(db, vm)
  return created
}

/**
 * VM.copy: the copy check, then — for a given SR — refused on an ISO SR (OPERATION_NOT_ALLOWED ["Cannot copy a
 * VM's disks to an ISO SR"]); every disk is copied into `sr`, or beside itself when no SR is given.
 * A copy of a snapshot that comes out Suspended is hard-shutdown (VM.hard_shutdown, with its message).
 */
export function copyVm(db: Db, vm: XObj<'VM'>, newName: string, sr?: XObj<'SR'>): XObj<'VM'> {
  assertOperation(db, vm, 'copy', true)
  if (sr && sr.f.content_type === 'iso') throw new XapiError('OPERATION_NOT_ALLOWED', ["Cannot copy a VM's disks to an ISO SR"])
  const created = cloneMachinery(db, vm, { kind: 'copy', sr }, newName)
  if (vm.f.is_a_snapshot && created.f.power_state !== 'Halted') hardShutdown(db, created)
  updateAllowedOperations(db, vm)
  return created
}

/**
 * VM.snapshot: the snapshot check (any power state; not templates — VM_IS_TEMPLATE — nor snapshots; VDIs with
 * on_boot=reset refused), then a Halted snapshot whose disks are VDI snapshots (VDIs in ignoreVdis skipped).
 * Message VM_SNAPSHOTTED "VM '<name>' (uuid: <uuid>) snapshotted, snapshot name: <new name>".
 */
export function snapshotVm(db: Db, vm: XObj<'VM'>, newName: string, ignoreVdis: Ref[] = []): XObj<'VM'> {
  assertOperation(db, vm, 'snapshot', true)
  assertSomeHostSeesSrs(db, vm)
  const snap = cloneMachinery(db, vm, { kind: 'snapshot' }, newName, { ignoreVdis })
  vmMessage(db, vm, 'VM_SNAPSHOTTED', `${vmDescription(vm)} snapshotted, snapshot name: ${newName}`)
  updateAllowedOperations(db, vm)
  return snap
}

/**
 * VM.checkpoint: the checkpoint check (Paused, Suspended or Running; a live HVM guest needs PV drivers or
 * feature-suspend), then the Checkpoint licence feature (LICENCE_RESTRICTION ["Checkpoint"]). A Running VM's
 * disks must all be on SRs that can snapshot (SR_OPERATION_NOT_SUPPORTED [vm]); it is suspended (a memory image on its suspend SR: VM_NO_SUSPEND_SR,
 * SR_SUSPEND_SPACE_INSUFFICIENT), snapshotted with its image, and resumed (the image goes, a new domain id).
 * The checkpoint is Suspended for a Running or Suspended VM (snapshot_info only records a Running one), else
 * Halted. Message VM_CHECKPOINTED "VM '<name>' (uuid: <uuid>) checkpointed, snapshot name: <new name>".
 */
export function checkpointVm(db: Db, vm: XObj<'VM'>, newName: string): XObj<'VM'> {
  assertOperation(db, vm, 'checkpoint', true)
  const power = vm.f.power_state
  if (power !== 'Running') assertSomeHostSeesSrs(db, vm)
  // xapi_vm.ml checkpoint, once the operation is under way
  const restrictions = db.all('pool')[0]?.f.restrictions ?? []
  if (mapGet(restrictions, 'restrict_checkpoint') === 'true') throw new XapiError('LICENCE_RESTRICTION', ['Checkpoint'])
  let info: XMap = []
  if (power === 'Running') {
    info = snapshotInfo(power, true)
    const srs: Ref[] = []
    for (const vbd of db.referrers('VBD', 'VM', vm.ref)) {
      if (vbd.f.type === 'CD') continue
      const vdi = db.tryGet(vbd.f.VDI, 'VDI')
      if (vdi && !srs.includes(vdi.f.SR)) srs.push(vdi.f.SR)
    }
    for (const sr of srs) {
      const s = db.get(sr, 'SR')
      if (!srCapabilities(db, s).has('VDI_SNAPSHOT')) throw new XapiError('SR_OPERATION_NOT_SUPPORTED', [vm.ref])
    }
    // the domain is suspended: its memory image is written, the VM stays on its host meanwhile
    createSuspendImage(db, vm)
    forceStateReset(db, vm, 'Suspended', true)
  }
  const snap = cloneMachinery(db, vm, { kind: 'checkpoint' }, newName, { info })
  if (power === 'Running') {
    // resumed from the image, in a new domain
    destroySuspendImage(db, vm)
    db.set(vm, { domid: nextDomid(db) })
    forceStateReset(db, vm, 'Running', true)
    updateVmVbdOperations(db, vm)
    updateVmVifOperations(db, vm)
  }
  vmMessage(db, vm, 'VM_CHECKPOINTED', `${vmDescription(vm)} checkpointed, snapshot name: ${newName}`)
  updateAllowedOperations(db, vm)
  return snap
}

// ---------------------------------------------------------------------------------------------------------
// VM.revert.

/** Fields a revert never takes from the snapshot's metadata (xapi_vm_snapshot.ml do_not_copy). */
const DO_NOT_COPY = [
  'uuid', 'ref', 'suspend_VDI', 'power_state', 'parent', 'current_operations', 'allowed_operations', 'metrics', 'guest_metrics',
  'resident_on', 'domid', 'protection_policy', 'snapshot_schedule', 'scheduled_to_be_resident_on', 'snapshots', 'tags', 'affinity',
  'groups', 'consoles', 'VBDs', 'VIFs', 'VGPUs', 'VUSBs', 'VTPMs', 'attached_PCIs', 'is_snapshot_from_vmpp', 'crash_dumps', 'children',
]
/** For snapshots made before snapshot_metadata existed: their own record, minus what makes them a snapshot. */
const EXTENDED_DO_NOT_COPY = [
  'name_label', 'is_a_snapshot', 'is_a_template', 'is_default_template', 'snapshot_of', 'snapshot_time', 'transportable_snapshot_id',
  'children', ...DO_NOT_COPY,
]

function parseMetadata(s: string): Record<string, unknown> {
  try {
    const o = JSON.parse(s) as unknown
    if (o && typeof o === 'object' && !Array.isArray(o)) return o as Record<string, unknown>
  } catch {
    // below
  }
  throw new XapiError('INVALID_VALUE', ['Invalid vm_string'])
}

/** ensure_domain_type_is_consistent: an unspecified domain type is derived from HVM_boot_policy. */
function ensureDomainType(meta: Record<string, unknown>): Record<string, unknown> {
  const dt = meta.domain_type
  if (dt !== undefined && dt !== 'unspecified') return meta
  const policy = meta.HVM_boot_policy
  if (typeof policy !== 'string') throw new XapiError('INVALID_VALUE', ['snapshot_metadata:HVM__boot_policy', 'null'])
  return { ...meta, domain_type: policy === '' ? 'pv' : 'hvm' }
}

/** copy_vm_fields: every metadata field but the excluded ones is written to dst; ha_always_run becomes false. */
function copyVmFields(db: Db, meta: Record<string, unknown>, dst: XObj<'VM'>, doNotCopy: string[]): void {
  const known = new Set(Object.keys(dst.f))
  const patch: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(meta)) {
    if (doNotCopy.includes(k) || REVERSE_FIELDS.includes(k) || !known.has(k)) continue
    patch[k] = k === 'ha_always_run' ? false : v
  }
  db.set(dst, patch as Partial<VmFields>)
}

/** revert_vm_fields: the VM takes the configuration the snapshot recorded. */
function revertVmFields(db: Db, snapshot: XObj<'VM'>, vm: XObj<'VM'>): void {
  const post = snapshot.f.snapshot_metadata !== ''
  const meta = post ? parseMetadata(snapshot.f.snapshot_metadata) : JSON.parse(vmToString(snapshot)) as Record<string, unknown>
  copyVmFields(db, ensureDomainType(meta), vm, post ? DO_NOT_COPY : EXTENDED_DO_NOT_COPY)
}

/**
 * create_vm_from_snapshot: the snapshot's VM no longer exists, so it is made again from the snapshot's record,
 * with the uuid and configuration the metadata recorded; the VM's other snapshots point at it again.
 * Any failure is VM_REVERT_FAILED [snapshot, old vm].
 */
function createVmFromSnapshot(db: Db, snapshot: XObj<'VM'>): XObj<'VM'> {
  const old = snapshot.f.snapshot_of
  try {
    const siblings = db.withField('VM', 'snapshot_of', old)
    const meta = parseMetadata(snapshot.f.snapshot_metadata)
    const s = snapshot.f
    const vm = createVm(db, {
      name_label: s.name_label, name_description: s.name_description, power_state: 'Halted', user_version: s.user_version,
      is_a_template: s.is_a_template, suspend_VDI: NULL_REF, affinity: s.affinity, memory_target: s.memory_target,
      memory_static_max: s.memory_static_max, memory_dynamic_max: s.memory_dynamic_max, memory_dynamic_min: s.memory_dynamic_min,
      memory_static_min: s.memory_static_min, VCPUs_params: s.VCPUs_params, VCPUs_max: s.VCPUs_max, VCPUs_at_startup: s.VCPUs_at_startup,
      actions_after_softreboot: s.actions_after_softreboot, actions_after_shutdown: s.actions_after_shutdown,
      actions_after_reboot: s.actions_after_reboot, actions_after_crash: s.actions_after_crash, PV_bootloader: s.PV_bootloader,
      PV_kernel: s.PV_kernel, PV_ramdisk: s.PV_ramdisk, PV_args: s.PV_args, PV_bootloader_args: s.PV_bootloader_args,
      PV_legacy_args: s.PV_legacy_args, HVM_boot_policy: s.HVM_boot_policy, HVM_boot_params: s.HVM_boot_params,
      HVM_shadow_multiplier: s.HVM_shadow_multiplier, platform: s.platform, PCI_bus: s.PCI_bus, other_config: s.other_config,
      last_boot_CPU_flags: s.last_boot_CPU_flags, last_booted_record: s.last_booted_record, recommendations: s.recommendations,
      xenstore_data: s.xenstore_data, ha_always_run: s.ha_always_run, ha_restart_priority: s.ha_restart_priority, tags: s.tags,
      appliance: s.appliance, start_delay: s.start_delay, shutdown_delay: s.shutdown_delay, order: s.order, suspend_SR: s.suspend_SR,
      version: s.version, generation_id: s.generation_id, hardware_platform_version: s.hardware_platform_version,
      has_vendor_device: s.has_vendor_device, reference_label: s.reference_label, domain_type: s.domain_type, NVRAM: s.NVRAM,
    })
    if (typeof meta.uuid === 'string') db.set(vm, { uuid: meta.uuid })
    copyVmFields(db, ensureDomainType(meta), vm, DO_NOT_COPY)
    for (const sib of siblings) db.set(sib, { snapshot_of: vm.ref })
    updateAllowedOperations(db, vm)
    return vm
  } catch {
    throw new XapiError('VM_REVERT_FAILED', [snapshot.ref, old])
  }
}

const byRef = <T extends XObj>(xs: T[]): T[] => [...xs].sort((a, b) => (a.ref < b.ref ? -1 : a.ref > b.ref ? 1 : 0))
const uniqSorted = (xs: Ref[]): Ref[] => [...new Set(xs)].sort()

/**
 * revert_vbds: the VM's disks that have a counterpart in the snapshot (and its suspend image) are destroyed
 * with their VBDs, disks without one are only detached (VBD destroyed), CD drives go; then the snapshot's disks
 * are cloned (other snapshots of the replaced disk now point at the clone), its CDs reused, its suspend image
 * cloned, and VBDs like the snapshot's are made. (No SM driver reverts VDIs in place: VDI.revert is refused.)
 */
function revertVbds(db: Db, snapshot: XObj<'VM'>, vm: XObj<'VM'>): void {
  const snapVbds = byRef(db.referrers('VBD', 'VM', snapshot.ref))
  const snapDisk = snapVbds.filter((b) => b.f.type === 'Disk')
  const snapCd = snapVbds.filter((b) => b.f.type !== 'Disk')
  const snapDisksOf = uniqSorted(snapDisk.map((b) => db.tryGet(b.f.VDI, 'VDI')?.f.snapshot_of ?? NULL_REF))
  const vmVbds = byRef(db.referrers('VBD', 'VM', vm.ref))
  const vmDisk = vmVbds.filter((b) => b.f.type === 'Disk')
  const vmCd = vmVbds.filter((b) => b.f.type !== 'Disk')
  const vmDisks = uniqSorted(vmDisk.map((b) => b.f.VDI))
  const withoutSnapshot = vmDisks.filter((d) => !snapDisksOf.includes(d))
  const toDestroy = uniqSorted([...vmDisks.filter((d) => !withoutSnapshot.includes(d)), vm.f.suspend_VDI])
  const vbdsToDestroy = byRef([...new Set([
    ...vmVbds.filter((b) => toDestroy.includes(b.f.VDI) || withoutSnapshot.includes(b.f.VDI)), ...vmCd,
  ])])
  for (const vbd of vbdsToDestroy) if (db.tryGet(vbd.ref, 'VBD')) destroyVbd(db, vbd)
  for (const ref of toDestroy) {
    const vdi = db.tryGet(ref, 'VDI')
    if (vdi && db.get(vdi.f.SR, 'SR').f.content_type !== 'iso') destroyVdi(db, vdi)
  }
  const previous = snapDisk.map((b) => db.tryGet(b.f.VDI, 'VDI')?.f.snapshot_of ?? NULL_REF)
  const cloned = cloneDisks(db, { kind: 'clone' }, snapDisk)
  const clonedCds = cloneDisks(db, { kind: 'clone' }, snapCd)
  cloned.forEach(({ vdi }, i) => {
    for (const other of db.all('VDI').filter((v) => v.f.snapshot_of === previous[i])) db.set(other, { snapshot_of: vdi })
  })
  const snapSuspend = db.tryGet(snapshot.f.suspend_VDI, 'VDI')
  const suspend = snapSuspend ? cloneVdi(db, snapSuspend).ref : NULL_REF
  for (const { vbd, vdi } of [...cloned, ...clonedCds]) copyVbd(db, vbd, vm, vdi)
  db.set(vm, { suspend_VDI: suspend })
}

/** Xapi_vm_snapshot.revert after the fields: devices, metrics, parent, VTPMs, then the snapshot's power state. */
function revertDevices(db: Db, snapshot: XObj<'VM'>, vm: XObj<'VM'>): void {
  const power = snapshot.f.power_state
  const snapVifs = db.referrers('VIF', 'VM', snapshot.ref)
  const snapVgpus = db.referrers('VGPU', 'VM', snapshot.ref)
  const vmVifs = [...db.referrers('VIF', 'VM', vm.ref)]
  const vmVgpus = [...db.referrers('VGPU', 'VM', vm.ref)]
  const vmVusbs = [...db.referrers('VUSB', 'VM', vm.ref)]
  revertVbds(db, snapshot, vm)
  for (const vif of vmVifs) if (db.tryGet(vif.ref, 'VIF')) destroyVif(db, vif)
  for (const vif of [...snapVifs]) copyVif(db, vif, vm, true)
  for (const vusb of vmVusbs) if (db.tryGet(vusb.ref, 'VUSB')) db.destroy(vusb)
  for (const vgpu of vmVgpus) if (db.tryGet(vgpu.ref, 'VGPU')) db.destroy(vgpu)
  for (const vgpu of [...snapVgpus]) copyVgpu(db, vgpu, vm)
  // guest metrics and metrics: the VM's go; copies of the snapshot's replace them when it has any
  const gm = db.tryGet(vm.f.guest_metrics, 'VM_guest_metrics')
  if (gm) db.destroy(gm)
  if (db.tryGet(snapshot.f.guest_metrics, 'VM_guest_metrics')) db.set(vm, { guest_metrics: copyGuestMetrics(db, snapshot) })
  const m = db.tryGet(vm.f.metrics, 'VM_metrics')
  if (m) db.destroy(m)
  if (db.tryGet(snapshot.f.metrics, 'VM_metrics')) db.set(vm, { metrics: copyMetrics(db, snapshot) })
  db.set(vm, { parent: snapshot.ref })
  for (const vtpm of [...db.referrers('VTPM', 'VM', vm.ref)]) db.destroy(vtpm)
  for (const vtpm of [...db.referrers('VTPM', 'VM', snapshot.ref)]) copyVtpm(db, vtpm, vm)
  forceStateReset(db, vm, power)
  updateVmVbdOperations(db, vm)
  updateVmVifOperations(db, vm)
}

/**
 * VM.revert (on a snapshot): its VM — made again from the snapshot's metadata if it was destroyed — must allow
 * `reverting`, the snapshot `revert`; a VM that is not Halted is hard-shutdown first (with its message). The VM
 * takes the snapshot's recorded configuration (name included) but keeps its uuid, tags, affinity and
 * snapshots; it gets a new generation id, the snapshot's disks (cloned), CDs, VIFs (same MACs), metrics, becomes
 * the snapshot's child and ends in the snapshot's power state. Failures other than SR_BACKEND_FAILURE_44/109 and
 * VDI_INCOMPATIBLE_TYPE are VM_REVERT_FAILED [snapshot, vm]. Message VM_SNAPSHOT_REVERTED.
 */
export function revertVm(db: Db, snapshot: XObj<'VM'>): XObj<'VM'> {
  const vm = db.tryGet(snapshot.f.snapshot_of, 'VM') ?? createVmFromSnapshot(db, snapshot)
  assertOperation(db, snapshot, 'revert', true)
  assertOperation(db, vm, 'reverting', true)
  if (snapshot.f.power_state === 'Suspended') {
    const vdi = db.get(snapshot.f.suspend_VDI, 'VDI')
    const pbd = db.referrers('PBD', 'SR', vdi.f.SR).find((p) => p.f.currently_attached)
    const host = pbd ? db.tryGet(pbd.f.host, 'host') : undefined
    if (!pbd) throw new XapiError('SR_HAS_NO_PBDS', [vdi.f.SR])
    if (!host || !hostLive(db, host)) throw new XapiError('HOST_NOT_LIVE', [pbd.f.host])
  }
  if (vm.f.power_state !== 'Halted') hardShutdown(db, vm)
  revertVmFields(db, snapshot, vm)
  db.set(vm, { generation_id: freshGenerationId(db, vm.f.generation_id) })
  try {
    revertDevices(db, snapshot, vm)
  } catch (e) {
    if (e instanceof XapiError && ['SR_BACKEND_FAILURE_44', 'SR_BACKEND_FAILURE_109', 'VDI_INCOMPATIBLE_TYPE'].includes(e.code)) throw e
    throw new XapiError('VM_REVERT_FAILED', [snapshot.ref, vm.ref])
  }
  updateAllowedOperations(db, snapshot)
  vmMessage(db, vm, 'VM_SNAPSHOT_REVERTED', `${vmDescription(vm)} reverted to snapshot: ${snapshot.f.name_label} (uuid ${snapshot.f.uuid})`)
  return vm
}
