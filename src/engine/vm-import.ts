// VM import (import.ml): the XVA's ova.xml is read, each exported object is matched or created in handler order
// (host, SR, VDI, guest metrics, metrics, VM, network, VBD, VIF), then the disks are streamed into the new VDIs
// (stream_vdi.ml recv_all); on failure everything created is removed again unless forced. Metadata imports
// (metadata=true) match VDIs that already exist instead of creating and streaming them, and may be dry runs.
// Reference: xe-cli-behaviour.md §8, xapi-model.md §15. Re-expressed from xen-api at the reference commit.
import type { Db, XObj } from './db'
import { XapiError } from './errors'
import { updateAllowedOperations } from './vm-lifecycle'
import { memoryOverheadBytes } from './vm'
import { createVdi, destroyVdi } from './vdi'
import { createVbd, destroyVbd, updateVmVbdOperations } from './vbd'
import { createVif, destroyVif, updateVmVifOperations } from './vif'
import { withWorld } from './world'
import { taskProgress, EXPORT_VSN } from './vm-export'
import type { TaskHandle } from './task'
import { mapDel, mapGet, NULL_REF, EPOCH, type Ref, type XMap } from './values'
import { parseXmlRpc, recordOfRpc, hasMember, member, XmlRpcParseError, type Rpc } from './xmlrpc'
import { openXva, readDisks, readTarHeader, diskStore, FormatError, PrematureEof, UnexpectedFile, type OpenedXva } from './xva'
import type { ClassName } from './model.generated'

export interface ImportOptions {
  /** the SR new disks go to (full imports) */
  sr: Ref
  /** metadata=true: the disks exist already (import_metadata) */
  metadataOnly: boolean
  /** preserve=true: keep uuids and MACs (xapi's full_restore) */
  fullRestore: boolean
  force: boolean
  dryRun: boolean
  /** vdi:<uuid or SCSIid>=<uuid> (metadata imports) */
  vdiMap: Array<[string, string]>
}

type Rec = Record<string, unknown>
interface ExportedObj {
  cls: string
  id: string
  snapshot: Rpc
}
interface Version {
  xapiMajor: number
  xapiMinor: number
  exportVsn: number
}
interface Header {
  version: Version
  objects: ExportedObj[]
}

/** A non-API failure of the import code (Import.IFailure), mapped to its API error by with_error_handling. */
class IFailure extends Error {
  constructor(readonly code: string, readonly params: string[] = []) {
    super(code)
  }
}
const failedToFind = (id: string) => new IFailure('IMPORT_ERROR_FAILED_TO_FIND_OBJECT', [id])

// ---------------------------------------------------------------------------------------------------------
// ova.xml.

/** header_of_rpc: { version: {…}, objects: [{class, id, snapshot}] }. */
export function parseHeader(xml: string): Header {
  const r = parseXmlRpc(xml)
  const v = member(r, 'version')
  const objs = member(r, 'objects')
  if (!v || v.k !== 'struct' || !objs || objs.k !== 'array') throw new FormatError('Rpc.Runtime_error("header", _)')
  const int = (name: string, dflt?: number): number => {
    const x = member(v, name)
    if (!x) {
      if (dflt !== undefined) return dflt
      throw new FormatError(`Importexport.Failure(${JSON.stringify(`Failed to find key '${name}' in version data`)})`)
    }
    return x.k === 'int' || x.k === 'string' ? Number(x.v) : 0
  }
  for (const k of ['hostname', 'date', 'product_version', 'product_brand', 'build_number']) {
    if (!member(v, k)) throw new FormatError(`Importexport.Failure(${JSON.stringify(`Failed to find key '${k}' in version data`)})`)
  }
  const version = { xapiMajor: int('xapi_major'), xapiMinor: int('xapi_minor'), exportVsn: int('export_vsn', 0) }
  const objects = objs.v.map((o): ExportedObj => {
    const cls = member(o, 'class')
    const id = member(o, 'id')
    const snapshot = member(o, 'snapshot')
    if (!cls || cls.k !== 'string' || !id || id.k !== 'string' || !snapshot) throw new FormatError('Rpc.Runtime_error("obj", _)')
    return { cls: cls.v, id: id.v, snapshot }
  })
  return { version, objects }
}

// ---------------------------------------------------------------------------------------------------------
// The import state (import.ml `state`).

const IMPORT_TASK = 'import_task'
const MAC_SEED = 'mac_seed'

class State {
  /** (class, export id, new or matched reference), latest first */
  table: Array<[string, string, Ref]> = []
  createdVms: Array<[string, string, Ref]> = []
  /** what to remove if the import fails, latest first */
  cleanup: Array<(db: Db) => void> = []
  constructor(readonly exported: ExportedObj[]) {}

  lookup(x: string): Ref {
    const e = this.table.find(([, i]) => i === x)
    if (!e) throw failedToFind(x)
    return e[2]
  }
  exists(x: string): boolean {
    return this.table.some(([, i]) => i === x)
  }
  find(x: string): Rpc {
    const o = this.exported.find((e) => e.id === x)
    if (!o) throw failedToFind(x)
    return o.snapshot
  }
  add(cls: string, id: string, r: Ref): void {
    this.table.unshift([cls, id, r])
  }
}

interface Config {
  o: ImportOptions
  task: Ref
}

const rec = (cls: ClassName, r: Rpc): Rec => recordOfRpc(cls, r)
const str = (v: unknown) => v as string
const map = (v: unknown) => v as XMap
const dummyRef = (db: Db) => db.ids.ref()

/** get_vm_record: an unspecified domain type is derived from the HVM boot policy. */
function vmRecord(r: Rpc): Rec {
  const v = rec('VM', r)
  if (v.domain_type === 'unspecified') v.domain_type = v.HVM_boot_policy === '' ? 'pv' : 'hvm'
  return v
}

// ---------------------------------------------------------------------------------------------------------
// Handlers, in the order xapi runs them.

function handleHost(db: Db, _c: Config, s: State, x: ExportedObj): void {
  const h = db.byUuid('host', str(rec('host', x.snapshot).uuid))
  s.add(x.cls, x.id, h ? h.ref : NULL_REF)
}

function handleSr(db: Db, c: Config, s: State, x: ExportedObj): void {
  const sr = rec('SR', x.snapshot)
  if (c.o.metadataOnly) {
    const found = db.byUuid('SR', str(sr.uuid))
    if (found) s.add(x.cls, x.id, found.ref)
  } else if (sr.content_type !== 'iso') s.add(x.cls, x.id, c.o.sr)
}

function handleVdi(db: Db, c: Config, s: State, x: ExportedObj): void {
  const vdi = rec('VDI', x.snapshot)
  const originalSr = rec('SR', s.find(str(vdi.SR)))
  const all = db.all('VDI')
  if (originalSr.content_type === 'iso') {
    // best effort: a VDI with the same location on a (non-udev) ISO SR; otherwise the CD is ejected
    const isoSrs = db.all('SR').filter((sr) => sr.f.content_type === 'iso' && sr.f.type !== 'udev').map((sr) => sr.ref)
    const found = all.find((v) => v.f.location === vdi.location && isoSrs.includes(v.f.SR))
    if (found) s.add(x.cls, x.id, found.ref)
    return
  }
  if (c.o.metadataOnly) {
    const found = findExistingVdi(db, c, s, vdi)
    if (found) {
      s.add(x.cls, x.id, found.ref)
      if (!c.o.dryRun) syncVdiOtherConfig(db, found, map(vdi.other_config))
      return
    }
    if (c.o.force) return
    if (s.exists(str(vdi.SR))) throw new XapiError('VDI_LOCATION_MISSING', [s.lookup(str(vdi.SR)), str(vdi.location)])
    throw new XapiError('VDI_CONTENT_ID_MISSING', [])
  }
  if (c.o.dryRun) {
    s.add(x.cls, x.id, dummyRef(db))
    return
  }
  // a new VDI to stream into; the SM backend sees the import task in sm_config
  const sr = s.lookup(str(vdi.SR))
  const smConfig: XMap = [[IMPORT_TASK, c.task], ...mapDel(map(vdi.sm_config), IMPORT_TASK)]
  const created = createVdi(db, {
    sr, name_label: str(vdi.name_label), name_description: str(vdi.name_description), virtual_size: vdi.virtual_size as number,
    type: vdi.type as XObj<'VDI'>['f']['type'], sharable: vdi.sharable as boolean, read_only: vdi.read_only as boolean,
    other_config: map(vdi.other_config), xenstore_data: map(vdi.xenstore_data), sm_config: smConfig, tags: vdi.tags as string[],
  })
  s.cleanup.unshift((d) => {
    const v = d.tryGet(created.ref, 'VDI')
    if (v) destroyVdi(d, v)
  })
  s.add(x.cls, x.id, created.ref)
}

/** A metadata import's VDI: by the vdi: map (uuid or SCSIid), by SCSIid, by SR and location, by other_config:maps_to. */
function findExistingVdi(db: Db, c: Config, s: State, vdi: Rec): XObj<'VDI'> | undefined {
  const all = db.all('VDI')
  const scsiid = (sm: XMap) => mapGet(sm, 'SCSIid')
  const byUuid = (u: string) => all.find((v) => v.f.uuid === u)
  const byScsiid = (id: string) => all.find((v) => scsiid(v.f.sm_config) === id)
  const own = scsiid(map(vdi.sm_config))
  const dest = mapGet(c.o.vdiMap, str(vdi.uuid)) ?? (own !== undefined ? mapGet(c.o.vdiMap, own) : undefined)
  const mapped = dest !== undefined ? (byUuid(dest) ?? byScsiid(dest)) : own !== undefined ? byScsiid(own) : undefined
  if (mapped) return mapped
  if (s.exists(str(vdi.SR))) {
    const sr = s.lookup(str(vdi.SR))
    const atLocation = all.find((v) => v.f.location === vdi.location && v.f.SR === sr)
    if (atLocation) return atLocation
  }
  const mapsTo = mapGet(map(vdi.other_config), 'maps_to')
  return mapsTo !== undefined ? db.tryGet(mapsTo, 'VDI') : undefined
}

/** Xapi_globs.vdi_other_config_sync_keys: these keys follow the imported metadata. */
function syncVdiOtherConfig(db: Db, vdi: XObj<'VDI'>, imported: XMap): void {
  for (const key of ['config-drive']) {
    let oc = mapDel(vdi.f.other_config, key)
    const v = mapGet(imported, key)
    if (v !== undefined) oc = [[key, v], ...oc]
    db.set(vdi, { other_config: oc })
  }
}

function handleGuestMetrics(db: Db, c: Config, s: State, x: ExportedObj): void {
  if (c.o.dryRun) return s.add(x.cls, x.id, dummyRef(db))
  const g = rec('VM_guest_metrics', x.snapshot)
  const gm = db.create('VM_guest_metrics', { ...g, uuid: db.ids.uuid() } as Partial<XObj<'VM_guest_metrics'>['f']>)
  s.add(x.cls, x.id, gm.ref)
}

function handleMetrics(db: Db, c: Config, s: State, x: ExportedObj): void {
  if (c.o.dryRun) return s.add(x.cls, x.id, dummyRef(db))
  const m = rec('VM_metrics', x.snapshot)
  const vmm = db.create('VM_metrics', { ...m, uuid: db.ids.uuid() } as Partial<XObj<'VM_metrics'>['f']>)
  s.add(x.cls, x.id, vmm.ref)
}

type VmAction = { k: 'default_template'; t: Ref } | { k: 'replace'; vm: XObj<'VM'>; r: Rec } | { k: 'fail'; e: XapiError } | { k: 'skip' } | { k: 'clean'; r: Rec }

const isDefaultTemplate = (r: Rec) => r.is_default_template === true || (r.is_a_template === true && mapGet(map(r.other_config), 'default_template') === 'true')

function vmPrecheck(db: Db, c: Config, x: ExportedObj): VmAction {
  const r = vmRecord(x.snapshot)
  const template = typeof r.name_label === 'string' ? db.withField('VM', 'name_label', r.name_label)[0] : undefined
  if (isDefaultTemplate(r) && template) return { k: 'default_template', t: template.ref }
  const existing = db.byUuid('VM', str(r.uuid))
  if (c.o.fullRestore && existing) {
    // the VM it would replace must be halted (or is skipped when forced), and older unless forced
    if (existing.f.power_state !== 'Halted') {
      if (c.o.force) return { k: 'skip' }
      return { k: 'fail', e: new XapiError('VM_BAD_POWER_STATE', [existing.ref, 'Halted', existing.f.power_state]) }
    }
    if (existing.f.version >= (r.version as number) && !c.o.force) {
      return { k: 'fail', e: new XapiError('VM_TO_IMPORT_IS_NOT_NEWER_VERSION', [existing.ref, String(existing.f.version), String(r.version)]) }
    }
    return { k: 'replace', vm: existing, r }
  }
  if (!c.o.force) {
    r.is_default_template = false
    r.other_config = mapDel(map(r.other_config), 'default_template')
  }
  return { k: 'clean', r }
}

function handleVm(db: Db, c: Config, s: State, x: ExportedObj): void {
  const a = vmPrecheck(db, c, x)
  switch (a.k) {
    case 'skip':
      return
    case 'fail':
      throw a.e
    case 'default_template':
      s.add(x.cls, x.id, a.t)
      s.createdVms.unshift([x.cls, x.id, a.t])
      return
  }
  if (c.o.dryRun) return s.add(x.cls, x.id, dummyRef(db))
  if (a.k === 'replace') {
    for (const vif of [...db.referrers('VIF', 'VM', a.vm.ref)]) destroyVif(db, vif)
    for (const vbd of [...db.referrers('VBD', 'VM', a.vm.ref)]) destroyVbd(db, vbd)
    destroyVm(db, a.vm)
  }
  importVm(db, c, s, x, a.r)
}

/** Xapi_vm_helpers.fresh_genid: two random non-negative int64s, "" staying "". */
function freshGenid(db: Db, current: string): string {
  if (current === '') return ''
  const r = () => {
    const b = db.ids.bytes(8)
    b[7]! &= 0x7f
    return b.readBigUInt64LE(0) % 0x7fffffffffffffffn
  }
  return `${r()}:${r()}`
}

/** ensure_device_model_profile_present: HVM guests get platform:device-model (qemu-trad becomes the default). */
function ensureDeviceModel(platform: XMap, domainType: string, template: boolean): XMap {
  const dflt: [string, string] = ['device-model', 'qemu-upstream-compat']
  if (template) return platform
  if (domainType !== 'hvm' || mapGet(platform, 'device-model') !== undefined) {
    return platform.map(([k, v]) => (k === 'device-model' && v === 'qemu-trad' ? dflt : [k, v]))
  }
  return [dflt, ...platform]
}

/** VM.create (xapi_vm.ml create): the fields it takes from the record; everything else starts fresh. */
function createVm(db: Db, r: Rec): XObj<'VM'> {
  let oc = map(r.other_config)
  if (mapGet(oc, MAC_SEED) === undefined) oc = [[MAC_SEED, db.ids.uuid()], ...oc]
  const metrics = db.create('VM_metrics', {
    memory_actual: 0, VCPUs_number: 0, VCPUs_utilisation: [['0', 0]], VCPUs_CPU: [], VCPUs_params: [], VCPUs_flags: [], state: [],
    start_time: EPOCH, install_time: EPOCH, last_updated: EPOCH, other_config: [], hvm: false, nested_virt: false, nomigrate: false,
    current_domain_type: 'unspecified', numa_optimised: false, numa_nodes: 0, numa_node_memory: [],
  })
  const taken = [
    'name_label', 'name_description', 'user_version', 'is_a_template', 'affinity', 'memory_target', 'memory_static_max', 'memory_dynamic_max',
    'memory_dynamic_min', 'memory_static_min', 'VCPUs_params', 'VCPUs_max', 'VCPUs_at_startup', 'actions_after_softreboot', 'actions_after_shutdown',
    'actions_after_reboot', 'actions_after_crash', 'PV_bootloader', 'PV_kernel', 'PV_ramdisk', 'PV_args', 'PV_bootloader_args', 'PV_legacy_args',
    'HVM_boot_policy', 'HVM_boot_params', 'HVM_shadow_multiplier', 'platform', 'PCI_bus', 'recommendations', 'xenstore_data', 'ha_always_run',
    'ha_restart_priority', 'tags', 'appliance', 'start_delay', 'shutdown_delay', 'order', 'suspend_SR', 'version', 'generation_id',
    'hardware_platform_version', 'has_vendor_device', 'reference_label', 'domain_type', 'NVRAM',
  ]
  const fields: Rec = {}
  for (const k of taken) fields[k] = r[k]
  const vm = db.create('VM', {
    ...(fields as Partial<XObj<'VM'>['f']>),
    power_state: 'Halted', allowed_operations: [], current_operations: [], blocked_operations: [], is_default_template: false,
    transportable_snapshot_id: '', is_a_snapshot: false, snapshot_time: EPOCH, snapshot_of: NULL_REF, parent: NULL_REF, snapshot_info: [],
    snapshot_metadata: '', resident_on: NULL_REF, scheduled_to_be_resident_on: NULL_REF, memory_overhead: 0, suspend_VDI: NULL_REF,
    other_config: oc, domid: -1, domarch: '', last_boot_CPU_flags: [], is_control_domain: false, metrics: metrics.ref, guest_metrics: NULL_REF,
    last_booted_record: '', blobs: [], bios_strings: [], protection_policy: NULL_REF, is_snapshot_from_vmpp: false, snapshot_schedule: NULL_REF,
    is_vmss_snapshot: false, requires_reboot: false, pending_guidances: [], pending_guidances_recommended: [], pending_guidances_full: [],
    secureboot_certificates_state: 'ok', groups: [], attached_PCIs: [],
  })
  db.set(vm, { memory_overhead: memoryOverheadBytes(vm.f) })
  if (vm.f.has_vendor_device && vm.f.hardware_platform_version < 2) db.set(vm, { hardware_platform_version: 2 })
  updateAllowedOperations(db, vm)
  return vm
}

/** VM.destroy's cascade: devices and metrics go, children move to the parent; VDIs stay. */
function destroyVm(db: Db, vm: XObj<'VM'>): void {
  for (const vbd of [...db.referrers('VBD', 'VM', vm.ref)]) destroyVbd(db, vbd)
  for (const vif of [...db.referrers('VIF', 'VM', vm.ref)]) destroyVif(db, vif)
  for (const cls of ['VGPU', 'VUSB', 'VTPM'] as const) for (const o of [...db.referrers(cls, 'VM', vm.ref)]) db.destroy(o)
  for (const r of [vm.f.metrics, vm.f.guest_metrics]) {
    const o = db.tryGet(r)
    if (o) db.destroy(o)
  }
  for (const child of [...db.referrers('VM', 'parent', vm.ref)]) db.set(child, { parent: vm.f.parent })
  db.destroy(vm)
}

function importVm(db: Db, c: Config, s: State, x: ExportedObj, r0: Rec): void {
  const r = { ...r0 }
  let oc = map(r.other_config).filter(([k]) => k !== 'grant_api_access')
  if (!c.o.fullRestore) oc = [[MAC_SEED, db.ids.uuid()], ...mapDel(oc, MAC_SEED)]
  r.other_config = oc
  if (r.is_a_template !== true) r.generation_id = freshGenid(db, str(r.generation_id))
  if (!hasMember(x.snapshot, 'parent')) {
    // exported before dynamic memory control: the safe defaults
    const smax = r.memory_static_max as number
    Object.assign(r, { memory_static_min: Math.min(r.memory_static_min as number, smax), memory_dynamic_min: smax, memory_target: smax, memory_dynamic_max: smax })
  }
  if (!hasMember(x.snapshot, 'has_vendor_device')) r.has_vendor_device = false
  r.protection_policy = NULL_REF
  r.version = c.o.fullRestore ? (r.version as number) + 1 : 0
  r.appliance = NULL_REF
  if (['0', '1', '2', '3'].includes(str(r.ha_restart_priority))) {
    r.order = Number(r.ha_restart_priority)
    r.ha_restart_priority = 'restart'
  }
  r.platform = ensureDeviceModel(map(r.platform), str(r.domain_type), r.is_a_template === true)
  const vm = createVm(db, r)
  if (c.o.fullRestore) db.set(vm, { uuid: str(r.uuid) })
  s.cleanup.unshift((d) => {
    const v = d.tryGet(vm.ref, 'VM')
    if (!v) return
    d.set(v, { current_operations: [], power_state: 'Halted' })
    destroyVm(d, v)
  })
  db.set(vm, { last_booted_record: str(r.last_booted_record), last_boot_CPU_flags: map(r.last_boot_CPU_flags) })
  db.set(vm, { other_config: [[IMPORT_TASK, c.task], ...mapDel(vm.f.other_config, IMPORT_TASK)] })
  if (r.power_state === 'Suspended') {
    try {
      const vdi = s.lookup(str(r.suspend_VDI))
      db.set(vm, { power_state: 'Suspended', suspend_VDI: vdi })
      const m = db.tryGet(vm.f.metrics, 'VM_metrics')
      if (m) db.set(m, { current_domain_type: vm.f.domain_type })
    } catch (e) {
      if (!c.o.force) throw e
    }
  } else db.set(vm, { power_state: 'Halted' })
  const lookupOrNull = (id: unknown) => (s.exists(str(id)) ? s.lookup(str(id)) : NULL_REF)
  db.set(vm, {
    is_control_domain: r.is_control_domain as boolean,
    resident_on: lookupOrNull(r.resident_on),
    affinity: lookupOrNull(r.affinity),
    // the export's references: resolved once every VM exists (update_snapshot_and_parent_links)
    is_a_snapshot: r.is_a_snapshot as boolean,
    snapshot_info: map(r.snapshot_info),
    snapshot_of: str(r.snapshot_of),
    snapshot_time: str(r.snapshot_time),
    transportable_snapshot_id: str(r.transportable_snapshot_id),
  })
  if (!db.tryGet(vm.f.suspend_SR, 'SR')) db.set(vm, { suspend_SR: NULL_REF })
  db.set(vm, { parent: str(r.parent) })
  if (s.exists(str(r.metrics))) {
    const vmm = s.lookup(str(r.metrics))
    const replaced = db.tryGet(vm.f.metrics)
    db.set(vm, { metrics: vmm })
    if (replaced) db.destroy(replaced)
  }
  if (s.exists(str(r.guest_metrics))) db.set(vm, { guest_metrics: s.lookup(str(r.guest_metrics)) })
  db.set(vm, { bios_strings: map(r.bios_strings) })
  if (!c.o.force) db.set(vm, { current_operations: [[c.task, 'import']] })
  updateAllowedOperations(db, vm)
  s.add(x.cls, x.id, vm.ref)
  s.createdVms.unshift([x.cls, x.id, vm.ref])
}

/** Networks are matched by name, then by bridge; otherwise one is created like the exported one. */
function handleNetwork(db: Db, c: Config, s: State, x: ExportedObj): void {
  const n = rec('network', x.snapshot)
  const found = db.all('network').find((o) => o.f.name_label === n.name_label) ?? db.all('network').find((o) => o.f.bridge === n.bridge)
  if (found) return s.add(x.cls, x.id, found.ref)
  if (c.o.dryRun) return s.add(x.cls, x.id, dummyRef(db))
  const bridges = new Set(db.all('network').map((o) => o.f.bridge))
  let bridge = str(n.bridge)
  if (bridge === '') for (let i = 0; bridges.has((bridge = `xapi${i}`)); i++);
  else if (bridges.has(bridge)) throw new XapiError('BRIDGE_NAME_EXISTS', [bridge])
  const mtu = (n.MTU as number) <= 0 ? 1500 : (n.MTU as number)
  const net = db.create('network', {
    current_operations: [], allowed_operations: [], name_label: str(n.name_label), name_description: str(n.name_description), MTU: mtu, bridge,
    managed: n.managed as boolean, other_config: [[IMPORT_TASK, c.task], ...mapDel(map(n.other_config), IMPORT_TASK)], blobs: [],
    tags: n.tags as string[], purpose: [], default_locking_mode: 'unlocked', assigned_ips: [],
  })
  s.cleanup.unshift((d) => {
    const o = d.tryGet(net.ref, 'network')
    if (!o) return
    for (const vif of [...d.referrers('VIF', 'network', o.ref)]) destroyVif(d, vif)
    d.destroy(o)
  })
  s.add(x.cls, x.id, net.ref)
}

function handleVbd(db: Db, c: Config, s: State, x: ExportedObj): void {
  const b = rec('VBD', x.snapshot)
  const existing = c.o.fullRestore ? db.byUuid('VBD', str(b.uuid)) : undefined
  if (existing) {
    s.add(x.cls, x.id, existing.ref)
    s.add(x.cls, existing.ref, existing.ref)
    return
  }
  const vm = s.lookup(str(b.VM))
  const original = vmRecord(s.find(str(b.VM)))
  const hasQemu = original.domain_type === 'hvm'
  const vdiKnown = s.exists(str(b.VDI))
  if (b.currently_attached === true && !vdiKnown && !(b.type === 'CD' && hasQemu)) throw new IFailure('IMPORT_ERROR_ATTACHED_DISKS_NOT_FOUND')
  let vdi: Ref
  let empty = b.empty as boolean
  if (!vdiKnown && (b.type === 'CD' || b.type === 'Floppy')) {
    // the CD is ejected, unless it belongs to a suspended PV guest
    if (hasQemu || original.power_state !== 'Suspended') {
      vdi = NULL_REF
      empty = true
    } else vdi = str(b.VDI)
  } else if (!vdiKnown) return // a disk whose VDI was not found: left out
  else vdi = s.lookup(str(b.VDI))
  if (c.o.dryRun) return s.add(x.cls, x.id, dummyRef(db))
  const vbd = createVbd(db, {
    vm, vdi, userdevice: str(b.userdevice), bootable: b.bootable as boolean, mode: b.mode as XObj<'VBD'>['f']['mode'],
    type: b.type as XObj<'VBD'>['f']['type'], unpluggable: b.unpluggable as boolean, empty, other_config: map(b.other_config),
    device: '', currently_attached: false, qos_algorithm_type: str(b.qos_algorithm_type), qos_algorithm_params: map(b.qos_algorithm_params),
  })
  if (c.o.fullRestore) db.set(vbd, { uuid: str(b.uuid) })
  s.cleanup.unshift((d) => {
    const o = d.tryGet(vbd.ref, 'VBD')
    if (o) destroyVbd(d, o)
  })
  db.set(vbd, { currently_attached: b.currently_attached as boolean })
  s.add(x.cls, x.id, vbd.ref)
}

function handleVif(db: Db, c: Config, s: State, x: ExportedObj): void {
  const v = rec('VIF', x.snapshot)
  const existing = c.o.fullRestore ? db.byUuid('VIF', str(v.uuid)) : undefined
  if (existing) {
    s.add(x.cls, x.id, existing.ref)
    s.add(x.cls, existing.ref, existing.ref)
    return
  }
  const mac = c.o.fullRestore ? str(v.MAC) : ''
  const vm = s.lookup(str(v.VM))
  const oc = map(v.other_config)
  const net = mapGet(oc, 'maps_to') ?? s.lookup(str(v.network))
  const restrictions = db.all('pool')[0]?.f.restrictions ?? []
  let locking = v.locking_mode as XObj<'VIF'>['f']['locking_mode']
  let ipv4 = v.ipv4_allowed as string[]
  let ipv6 = v.ipv6_allowed as string[]
  if (mapGet(restrictions, 'restrict_vif_locking') === 'true') {
    if (locking === 'locked') locking = 'network_default'
    ipv4 = []
    ipv6 = []
  }
  if (c.o.dryRun) return s.add(x.cls, x.id, dummyRef(db))
  const vif = createVif(db, {
    vm, network: net, device: str(v.device), mac, mtu: v.MTU as number, other_config: mapDel(oc, 'maps_to'), currently_attached: false,
    qos_algorithm_type: str(v.qos_algorithm_type), qos_algorithm_params: map(v.qos_algorithm_params), locking_mode: locking, ipv4_allowed: ipv4, ipv6_allowed: ipv6,
  })
  if (c.o.fullRestore) db.set(vif, { uuid: str(v.uuid) })
  s.cleanup.unshift((d) => {
    const o = d.tryGet(vif.ref, 'VIF')
    if (o) destroyVif(d, o)
  })
  if (db.get(vm, 'VM').f.power_state !== 'Halted') db.set(vif, { currently_attached: v.currently_attached as boolean })
  s.add(x.cls, x.id, vif.ref)
}

const HANDLERS: Array<[string, (db: Db, c: Config, s: State, x: ExportedObj) => void]> = [
  ['host', handleHost], ['SR', handleSr], ['VDI', handleVdi], ['VM_guest_metrics', handleGuestMetrics], ['VM_metrics', handleMetrics],
  ['VM', handleVm], ['network', handleNetwork], ['VBD', handleVbd], ['VIF', handleVif],
]

/** update_snapshot_and_parent_links: export references in snapshot_of and parent become the imported VMs. */
function linkSnapshots(db: Db, s: State): void {
  for (const [cls, , r] of s.table) {
    if (cls !== 'VM') continue
    const vm = db.tryGet(r, 'VM')
    if (!vm) continue
    if (vm.f.is_a_snapshot && vm.f.snapshot_of !== NULL_REF) db.set(vm, { snapshot_of: s.lookup(vm.f.snapshot_of) })
    if (s.exists(vm.f.parent)) db.set(vm, { parent: s.lookup(vm.f.parent) })
  }
}

function handleAll(db: Db, c: Config, s: State): void {
  for (const [cls, handler] of HANDLERS) for (const x of s.exported.filter((o) => o.cls === cls)) handler(db, c, s, x)
  if (!c.o.dryRun) linkSnapshots(db, s)
}

/** with_error_handling: import failures and other exceptions as the API errors xapi reports. */
function asApiError(e: unknown): unknown {
  if (e instanceof XapiError) return e
  if (e instanceof IFailure) return new XapiError(e.code, e.params)
  if (e instanceof UnexpectedFile) return new XapiError('IMPORT_ERROR_UNEXPECTED_FILE', [e.expected, e.actual])
  if (e instanceof PrematureEof) return new XapiError('IMPORT_ERROR_PREMATURE_EOF', [])
  if (e instanceof FormatError || e instanceof XmlRpcParseError) return new XapiError('IMPORT_ERROR', [`INTERNAL_ERROR: [ ${e.message} ]`])
  return e
}
/** Outside with_error_handling (the metadata import's archive and header): an internal error. */
function asInternalError(e: unknown): unknown {
  if (e instanceof FormatError || e instanceof XmlRpcParseError) return new XapiError('INTERNAL_ERROR', [e.message])
  return e
}

/** Importexport.assert_compatible: exports from a newer xapi are refused. */
function assertCompatible(db: Db, v: Version): void {
  const pool = db.all('pool')[0]
  const host = pool ? db.tryGet(pool.f.master, 'host') : undefined
  const [major, minor] = (mapGet((host?.f.software_version ?? []) as XMap, 'xapi') ?? '0.0').split('.').map((n) => Number(n) || 0)
  if (major! < v.xapiMajor || (major === v.xapiMajor && minor! < v.xapiMinor)) throw new XapiError('IMPORT_INCOMPATIBLE_VERSION', [])
}

/** assert_can_restore_backup: a restored VM may not share its mac_seed with an unrelated VM. */
function assertCanRestoreBackup(db: Db, h: Header): void {
  const snapOf = (v: { is_a_snapshot: boolean; snapshot_of: string }): string | undefined => {
    if (v.snapshot_of.startsWith('Ref:')) {
      const o = h.objects.find((x) => x.cls === 'VM' && x.id === v.snapshot_of)
      return o ? str(vmRecord(o.snapshot).uuid) : undefined
    }
    return db.tryGet(v.snapshot_of, 'VM')?.f.uuid
  }
  const compatible = (a: { uuid: string; is_a_snapshot: boolean; snapshot_of: string }, b: { uuid: string; is_a_snapshot: boolean; snapshot_of: string }) => {
    if (!a.is_a_snapshot && !b.is_a_snapshot) return a.uuid === b.uuid
    if (a.is_a_snapshot && b.is_a_snapshot) {
      const x = snapOf(a)
      const y = snapOf(b)
      return x !== undefined && y !== undefined && x === y
    }
    return a.is_a_snapshot ? snapOf(a) === b.uuid : snapOf(b) === a.uuid
  }
  const importing = h.objects.filter((x) => x.cls === 'VM').map((x) => vmRecord(x.snapshot) as unknown as XObj<'VM'>['f'])
  for (const v of importing) {
    const mac = mapGet(v.other_config, MAC_SEED)
    if (mac === undefined) continue
    for (const e of db.all('VM')) {
      const mac2 = mapGet(e.f.other_config, MAC_SEED)
      if (mac2 === mac && !compatible(v, e.f)) throw new XapiError('DUPLICATE_MAC_SEED', [mac2])
    }
  }
}

/** non_cdrom_vdis: the disks to stream — VDIs of non-CD VBDs not on ISO SRs, and suspend images. */
function disksToStream(h: Header, s: State): Array<{ id: string; size: number }> {
  const vbds = h.objects.filter((x) => x.cls === 'VBD').map((x) => rec('VBD', x.snapshot))
  const diskVdis = vbds
    .filter((b) => b.type !== 'CD')
    .map((b) => str(b.VDI))
    .filter((id) => {
      const vdi = rec('VDI', s.find(id))
      return rec('SR', s.find(str(vdi.SR))).content_type !== 'iso'
    })
  return h.objects
    .filter((x) => x.cls === 'VDI' && (diskVdis.includes(x.id) || rec('VDI', x.snapshot).type === 'suspend'))
    .filter((x) => s.exists(x.id))
    .map((x) => ({ id: x.id, size: rec('VDI', x.snapshot).virtual_size as number }))
}

/** complete_import: the VMs leave the import operation; snapshots are only reported when nothing else was imported. */
function completeImport(db: Db, task: Ref, vmRefs: Ref[]): string[] {
  for (const r of vmRefs) {
    const vm = db.tryGet(r, 'VM')
    if (!vm) continue
    db.set(vm, { current_operations: (vm.f.current_operations as Array<[string, string]>).filter(([t]) => t !== task) as XObj<'VM'>['f']['current_operations'] })
    updateAllowedOperations(db, vm)
    updateVmVbdOperations(db, vm)
    updateVmVifOperations(db, vm)
  }
  const vms = vmRefs.map((r) => db.tryGet(r, 'VM')).filter((v): v is XObj<'VM'> => v !== undefined)
  const nonSnapshots = vms.filter((v) => !v.f.is_a_snapshot)
  return (nonSnapshots.length > 0 ? nonSnapshots : vms).map((v) => v.f.uuid)
}

/** Listext.setify: duplicates dropped, keeping the last occurrence. */
const setify = (xs: Ref[]) => xs.filter((x, i) => !xs.slice(i + 1).includes(x))

/**
 * Runs the import of `file` within task `t`; returns the uuids of the VMs imported (templates included;
 * snapshots only when nothing else was imported). Disk bytes go to the disk store's sinks.
 */
export async function importXva(home: string, file: string, o: ImportOptions, t: TaskHandle): Promise<string[]> {
  const c: Config = { o, task: t.ref }
  if (!o.metadataOnly) {
    await withWorld(home, false, ({ db }) => {
      if (db.get(o.sr, 'SR').f.content_type === 'iso') throw new XapiError('SR_OPERATION_NOT_SUPPORTED', [])
    })
  }
  let xva: OpenedXva | undefined
  try {
    let header: Header
    try {
      xva = await openXva(file)
      header = parseHeader(xva.xml)
    } catch (e) {
      throw o.metadataOnly ? asInternalError(e) : e
    }
    await withWorld(home, false, ({ db }) => {
      assertCompatible(db, header.version)
      if (o.fullRestore) assertCanRestoreBackup(db, header)
    })
    const s = new State(header.objects)
    // objects: created in one transaction; on failure it is rolled back (xapi's cleanup) unless forced
    let failure: unknown
    await withWorld(home, true, ({ db }) => {
      try {
        handleAll(db, c, s)
      } catch (e) {
        if (!o.force) throw e
        failure = e
      }
      if (!o.metadataOnly && failure === undefined) {
        const task = db.tryGet(t.ref, 'task')
        if (task) db.set(task, { other_config: [['object_creation', 'complete'], ...mapDel(task.f.other_config, 'object_creation')] })
      }
    })
    if (failure !== undefined) throw failure
    if (!o.metadataOnly) await streamDisks(home, xva, header, s, o, t)
    const refs = setify(s.createdVms.map(([, , r]) => r))
    return await withWorld(home, true, ({ db }) => completeImport(db, t.ref, refs))
  } catch (e) {
    throw asApiError(e)
  } finally {
    xva?.close()
  }
}

/** The disk stream of a full import; a failure removes what the import created (unless forced). */
async function streamDisks(home: string, xva: OpenedXva, h: Header, s: State, o: ImportOptions, t: TaskHandle): Promise<void> {
  try {
    const disks = disksToStream(h, s)
    const vdis = await withWorld(home, false, ({ db }) => disks.map((d) => ({ ...d, uuid: db.get(s.lookup(d.id), 'VDI').f.uuid })))
    const total = vdis.reduce((n, d) => n + d.size, 0)
    const computed = await readDisks(
      xva.reader,
      vdis.map((d) => ({ prefix: d.id, size: d.size, sink: diskStore().sink({ home, vdiUuid: d.uuid, virtualSize: d.size }) })),
      { inlineChecksums: h.version.exportVsn > 0, force: o.force, progress: taskProgress(t, total) },
    )
    // the last chance to cancel; from here on the task is not cancellable
    await t.checkCancelled()
    await withWorld(home, true, ({ db }) => {
      const task = db.tryGet(t.ref, 'task')
      if (task) db.set(task, { allowed_operations: [] })
    })
    if (h.version.exportVsn < EXPORT_VSN) await checkChecksumTable(xva, computed, o)
  } catch (e) {
    if (!o.force) {
      await withWorld(home, true, ({ db }) => {
        for (const undo of s.cleanup) {
          try {
            undo(db)
          } catch {
            // xapi logs and goes on with the next cleanup action
          }
        }
      })
    }
    throw e
  }
}

/**
 * Exports older than export_vsn 2 end with a table of checksums (an XML-RPC struct, file name → checksum): every
 * chunk's computed checksum must be in it (IMPORT_ERROR_SOME_CHECKSUMS_FAILED unless forced).
 */
async function checkChecksumTable(xva: OpenedXva, computed: Array<[string, string]>, o: ImportOptions): Promise<void> {
  const h = await readTarHeader(xva.reader)
  const xml = (await xva.reader.read(h.size)).toString('utf8')
  const table = parseXmlRpc(xml)
  if (table.k !== 'struct') throw new FormatError('Rpc.Runtime_error("string_to_string_map", _)')
  const expected = new Map(table.v.map(([k, v]) => [k, v.k === 'string' ? v.v : '']))
  const ok = computed.every(([name, csum]) => expected.get(name) === csum)
  if (!ok && !o.force) throw new IFailure('IMPORT_ERROR_SOME_CHECKSUMS_FAILED')
}
