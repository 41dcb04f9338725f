// VM export (export.ml): which objects an export holds (update_table: the VM, its VIFs and their networks,
// its VBDs, their VDIs and SRs, vGPUs, vTPMs, metrics, hosts it points at, and with snapshot metadata its
// snapshots and parent), how each record is written (make_vm, make_vbd, …: references to exported objects
// become `Ref:<n>`, others NULL or left as they are), the ova.xml header, and the stream: ova.xml, then the
// disks (stream_vdi.ml send_all), as a task with the VM locked for `export` / `metadata_export`.
// Reference: xe-cli-behaviour.md §8, xapi-model.md §15. Re-expressed from xen-api at the reference commit.
import { Db, type XObj } from './db'
import { openStore } from './store'
import { cryptoIds, systemClock } from './ids'
import { XapiError } from './errors'
import { fieldsOf, defaultValue, REVERSE } from './schema'
import { assertOperation, updateAllowedOperations, type VmOp } from './vm-lifecycle'
import { updateVmVbdOperations } from './vbd'
import { updateVmVifOperations } from './vif'
import { withWorld } from './world'
import { withTask, type TaskHandle } from './task'
import { mapGet, NULL_REF, EPOCH, type Ref } from './values'
import { rpcOfRecord, rpcOfValue, rString, rInt, rStruct, rpcToXml, type Rpc } from './xmlrpc'
import { diskStore, XvaWriter, type ByteSink, type Progress } from './xva'
import type { ClassName } from './model.generated'

/** Xapi_globs.export_vsn: exports carry inline checksums. */
export const EXPORT_VSN = 2

export interface ExportOptions {
  /** metadata=true: ova.xml only (export_metadata, always preserving the power state) */
  metadataOnly: boolean
  preservePowerState: boolean
  /** include-snapshots (metadata exports only) */
  includeSnapshots: boolean
  /** excluded-device-types as given (metadata exports only) */
  excludedDeviceTypes: string
}

// ---------------------------------------------------------------------------------------------------------
// The table of exported objects (update_table).

/** Internal reference → export id ("Ref:<n>"); ids count up across the exports of one command, as xapi's counter. */
export class ExportTable {
  readonly ids = new Map<Ref, string>()
  constructor(private counter: { n: number }) {}
  add(r: Ref): void {
    if (!this.ids.has(r)) this.ids.set(r, `Ref:${this.counter.n++}`)
  }
  has(r: Ref): boolean {
    return this.ids.has(r)
  }
  /** lookup: the export id, or NULL for objects outside the export. */
  lookup(r: Ref): Ref {
    return this.ids.get(r) ?? NULL_REF
  }
  /** filter: the export ids of the members that are in the export. */
  filter(rs: Ref[]): Ref[] {
    return rs.map((r) => this.lookup(r)).filter((r) => r !== NULL_REF)
  }
}

type Device = 'vif' | 'vbd' | 'vgpu' | 'vtpm'
const DEVICES: Device[] = ['vif', 'vbd', 'vgpu', 'vtpm']

/**
 * Importexport.Devicetype.of_string over excluded-device-types (comma-separated, case-insensitive; "" is none).
 * An unknown type fails as xapi does: Failure "Importexport.Devicetype.of_string: Type '<x>' not one of [...]".
 */
export function parseExcludedDevices(s: string): Device[] {
  if (s === '') return []
  return s.split(',').map((x) => {
    const d = x.toLowerCase() as Device
    if (!DEVICES.includes(d)) {
      throw new XapiError('INTERNAL_ERROR', [`Failure(${JSON.stringify(`Importexport.Devicetype.of_string: Type '${x}' not one of [${DEVICES.join('; ')}]`)})`])
    }
    return d
  })
}

const valid = (db: Db, r: Ref) => db.tryGet(r) !== undefined
const refs = (db: Db, o: XObj, field: string) => db.field(o, field) as Ref[]

function updateTable(db: Db, t: ExportTable, vmRef: Ref, o: { includeSnapshots: boolean; preservePowerState: boolean; excluded: Device[] }): void {
  const vm = db.tryGet(vmRef, 'VM')
  if (!vm || t.has(vmRef)) return
  t.add(vm.ref)
  const addVdi = (v: Ref) => {
    t.add(v)
    t.add(db.get(v, 'VDI').f.SR)
  }
  if (!o.excluded.includes('vif')) {
    for (const r of refs(db, vm, 'VIFs')) {
      const vif = db.tryGet(r, 'VIF')
      if (!vif) continue
      t.add(r)
      t.add(vif.f.network)
    }
  }
  if (!o.excluded.includes('vbd')) {
    for (const r of refs(db, vm, 'VBDs')) {
      const vbd = db.tryGet(r, 'VBD')
      if (!vbd) continue
      t.add(r)
      if (!vbd.f.empty) addVdi(vbd.f.VDI)
    }
  }
  if (!o.excluded.includes('vgpu')) {
    for (const r of refs(db, vm, 'VGPUs')) {
      const g = db.tryGet(r, 'VGPU')
      if (!g) continue
      t.add(r)
      t.add(g.f.type)
      t.add(g.f.GPU_group)
    }
  }
  const vifs = refs(db, vm, 'VIFs')
  for (const p of db.all('PVS_proxy')) {
    if (!vifs.includes(p.f.VIF)) continue
    t.add(p.ref)
    t.add(p.f.site)
  }
  if (!o.excluded.includes('vtpm')) for (const r of refs(db, vm, 'VTPMs')) if (valid(db, r)) t.add(r)
  if (o.includeSnapshots) for (const s of refs(db, vm, 'snapshots')) updateTable(db, t, s, { ...o, includeSnapshots: false })
  if (o.preservePowerState && vm.f.power_state === 'Suspended' && valid(db, vm.f.suspend_VDI)) addVdi(vm.f.suspend_VDI)
  t.add(vm.f.metrics)
  t.add(vm.f.guest_metrics)
  t.add(vm.f.resident_on)
  t.add(vm.f.affinity)
  if (o.includeSnapshots && valid(db, vm.f.parent)) updateTable(db, t, vm.f.parent, { ...o, includeSnapshots: false })
}

// ---------------------------------------------------------------------------------------------------------
// The records (make_host, make_vm, …, make_all).

interface ExportObj {
  cls: string
  id: string
  snapshot: Rpc
}

/** get_record: every field, reverse links computed, fields an older world lacks at their default. */
function record(db: Db, o: XObj): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const d of fieldsOf(o.cls)) {
    const v = REVERSE[`${o.cls}.${d.name}`] ? db.field(o, d.name) : (o.f as Record<string, unknown>)[d.name]
    out[d.name] = v === undefined ? defaultValue(d) : v
  }
  return out
}

function makeObj(db: Db, t: ExportTable, cls: ClassName, o: XObj, patch: (r: Record<string, unknown>) => void): ExportObj {
  const r = record(db, o)
  patch(r)
  return { cls, id: t.lookup(o.ref), snapshot: rpcOfRecord(cls, r) }
}

function makeAll(db: Db, t: ExportTable, o: { withSnapshotMetadata: boolean; preservePowerState: boolean }): ExportObj[] {
  const inTable = <C extends ClassName>(cls: C) => db.all(cls).filter((x) => t.has(x.ref))
  const lk = (r: unknown) => t.lookup(r as Ref)
  const fl = (r: unknown) => t.filter(r as Ref[])
  const pps = o.preservePowerState
  const wsm = o.withSnapshotMetadata
  const out: ExportObj[] = []
  for (const h of inTable('host')) {
    out.push(makeObj(db, t, 'host', h, (r) => {
      for (const k of ['PIFs', 'PBDs', 'PGPUs', 'PCIs', 'host_CPUs', 'license_params', 'blobs', 'external_auth_configuration', 'patches', 'crashdumps', 'logging',
        'supported_bootloaders', 'cpu_configuration', 'other_config', 'capabilities', 'software_version', 'ha_statefiles', 'ha_network_peers', 'tags']) r[k] = []
      r.external_auth_type = ''
      r.external_auth_service_name = ''
      r.metrics = NULL_REF
      r.sched_policy = ''
      r.crash_dump_sr = lk(r.crash_dump_sr)
      r.suspend_image_sr = lk(r.suspend_image_sr)
      r.resident_VMs = fl(r.resident_VMs)
    }))
  }
  for (const vm of inTable('VM')) {
    out.push(makeObj(db, t, 'VM', vm, (r) => {
      r.power_state = pps ? r.power_state : 'Halted'
      r.suspend_VDI = pps ? lk(r.suspend_VDI) : NULL_REF
      r.is_a_snapshot = wsm ? r.is_a_snapshot : false
      r.snapshot_of = wsm ? lk(r.snapshot_of) : NULL_REF
      r.snapshots = wsm ? r.snapshots : []
      r.snapshot_time = wsm ? r.snapshot_time : EPOCH
      r.transportable_snapshot_id = wsm ? r.transportable_snapshot_id : ''
      r.parent = wsm ? lk(r.parent) : NULL_REF
      r.current_operations = []
      r.allowed_operations = []
      r.VIFs = fl(r.VIFs)
      r.VBDs = fl(r.VBDs)
      r.VGPUs = fl(r.VGPUs)
      r.crash_dumps = []
      r.VTPMs = fl(r.VTPMs)
      r.resident_on = lk(r.resident_on)
      r.affinity = lk(r.affinity)
      r.consoles = []
      r.metrics = lk(r.metrics)
      r.guest_metrics = lk(r.guest_metrics)
      r.protection_policy = NULL_REF
      r.blobs = []
    }))
  }
  for (const m of inTable('VM_metrics')) out.push(makeObj(db, t, 'VM_metrics', m, () => undefined))
  for (const m of inTable('VM_guest_metrics')) out.push(makeObj(db, t, 'VM_guest_metrics', m, () => undefined))
  for (const vbd of inTable('VBD')) {
    out.push(makeObj(db, t, 'VBD', vbd, (r) => {
      r.currently_attached = pps ? r.currently_attached : false
      r.VDI = lk(r.VDI)
      r.VM = lk(r.VM)
      r.metrics = NULL_REF
      r.current_operations = []
      r.allowed_operations = []
    }))
  }
  for (const vif of inTable('VIF')) {
    out.push(makeObj(db, t, 'VIF', vif, (r) => {
      r.currently_attached = pps ? r.currently_attached : false
      r.network = lk(r.network)
      r.VM = lk(r.VM)
      r.metrics = NULL_REF
      r.current_operations = []
      r.allowed_operations = []
    }))
  }
  for (const n of inTable('network')) {
    out.push(makeObj(db, t, 'network', n, (r) => {
      r.VIFs = fl(r.VIFs)
      r.PIFs = []
      r.current_operations = []
      r.allowed_operations = []
    }))
  }
  for (const v of inTable('VDI')) {
    out.push(makeObj(db, t, 'VDI', v, (r) => {
      r.VBDs = fl(r.VBDs)
      r.crash_dumps = []
      r.SR = lk(r.SR)
      r.current_operations = []
      r.allowed_operations = []
    }))
  }
  for (const s of inTable('SR')) {
    out.push(makeObj(db, t, 'SR', s, (r) => {
      r.VDIs = fl(r.VDIs)
      r.PBDs = []
      r.current_operations = []
      r.allowed_operations = []
    }))
  }
  for (const x of inTable('VGPU_type')) out.push(makeObj(db, t, 'VGPU_type', x, () => undefined))
  for (const g of inTable('VGPU')) {
    out.push(makeObj(db, t, 'VGPU', g, (r) => {
      r.currently_attached = pps ? r.currently_attached : false
      r.GPU_group = lk(r.GPU_group)
      r.type = lk(r.type)
      r.VM = lk(r.VM)
    }))
  }
  for (const g of inTable('GPU_group')) {
    out.push(makeObj(db, t, 'GPU_group', g, (r) => {
      r.VGPUs = fl(r.VGPUs)
      r.PGPUs = []
    }))
  }
  for (const p of inTable('PVS_proxy')) {
    out.push(makeObj(db, t, 'PVS_proxy', p, (r) => {
      r.site = lk(r.site)
      r.VIF = lk(r.VIF)
      r.currently_attached = false
    }))
  }
  for (const s of inTable('PVS_site')) {
    out.push(makeObj(db, t, 'PVS_site', s, (r) => {
      r.cache_storage = []
      r.servers = []
      r.proxies = fl(r.proxies)
    }))
  }
  for (const v of inTable('VTPM')) {
    // a hand-made record carrying the vTPM's contents (xesim keeps none)
    out.push({
      cls: 'VTPM', id: t.lookup(v.ref),
      snapshot: rStruct([
        ["vTPM'_VM", rString(t.lookup(v.f.VM))], ["vTPM'_uuid", rString(v.f.uuid)], ["vTPM'_is_unique", rpcOfValue('bool', v.f.is_unique)],
        ["vTPM'_is_protected", rpcOfValue('bool', v.f.is_protected)], ["vTPM'_content", rString('')],
      ]),
    })
  }
  return out
}

/** Importexport.this_version: the coordinator's software version, xapi's version and the export format version. */
function versionRpc(db: Db): Rpc {
  const pool = db.all('pool')[0]
  const host = pool ? db.tryGet(pool.f.master, 'host') : undefined
  const sv = (host?.f.software_version ?? []) as Array<[string, string]>
  const get = (k: string) => mapGet(sv, k) ?? ''
  const [major, minor] = get('xapi').split('.').map((x) => Number(x) || 0)
  return rStruct([
    ['hostname', rString(get('hostname'))], ['date', rString(get('date'))], ['product_version', rString(get('product_version'))],
    ['product_brand', rString(get('product_brand'))], ['build_number', rString(get('build_number'))],
    ['xapi_major', rInt(major ?? 0)], ['xapi_minor', rInt(minor ?? 0)], ['export_vsn', rInt(EXPORT_VSN)],
  ])
}

/** vm_metadata: the table and ova.xml for some VMs. */
export function vmMetadata(db: Db, vms: Ref[], o: { withSnapshotMetadata: boolean; preservePowerState: boolean; excluded: Device[]; counter: { n: number } }): { table: ExportTable; xml: string } {
  const table = new ExportTable(o.counter)
  for (const vm of vms) updateTable(db, table, vm, { includeSnapshots: o.withSnapshotMetadata, preservePowerState: o.preservePowerState, excluded: o.excluded })
  const objects = makeAll(db, table, o)
  const header = rStruct([
    ['version', versionRpc(db)],
    ['objects', { k: 'array', v: objects.map((x) => rStruct([['class', rString(x.cls)], ['id', rString(x.id)], ['snapshot', x.snapshot]])) }],
  ])
  return { table, xml: rpcToXml(header) }
}

// ---------------------------------------------------------------------------------------------------------
// The export itself.

export interface DiskToSend {
  prefix: string
  vdiUuid: string
  size: number
}
export interface ExportPlan {
  xml: string
  /** ova.xml's modification time (seconds since the epoch) */
  mtime: number
  disks: DiskToSend[]
}

/**
 * export: the disks streamed are those of the VM's non-CD VBDs (plus the suspend image when the power state is
 * preserved), not on ISO SRs, that are in the export, with the VDI's virtual size.
 */
function disksToSend(db: Db, vm: XObj<'VM'>, table: ExportTable, preservePowerState: boolean): DiskToSend[] {
  let vdis: Ref[] = db.referrers('VBD', 'VM', vm.ref).filter((b) => b.f.type !== 'CD').map((b) => b.f.VDI)
  if (vm.f.power_state === 'Suspended' && preservePowerState) vdis = [vm.f.suspend_VDI, ...vdis]
  return vdis
    .filter((r) => {
      const vdi = db.get(r, 'VDI')
      return db.get(vdi.f.SR, 'SR').f.content_type !== 'iso'
    })
    .filter((r) => table.has(r))
    .map((r) => {
      const vdi = db.get(r, 'VDI')
      return { prefix: table.lookup(r), vdiUuid: vdi.f.uuid, size: vdi.f.virtual_size }
    })
}

/** lock_vm: the operation must be valid now (strict checks); the task is recorded in current_operations. */
function lockVm(db: Db, vm: XObj<'VM'>, task: Ref, op: VmOp): void {
  assertOperation(db, vm, op, true)
  db.set(vm, { current_operations: [[task, op], ...(vm.f.current_operations as Array<[string, string]>)] as XObj<'VM'>['f']['current_operations'] })
  refreshVm(db, vm)
}
function unlockVm(db: Db, vm: XObj<'VM'>, task: Ref): void {
  db.set(vm, { current_operations: (vm.f.current_operations as Array<[string, string]>).filter(([t]) => t !== task) as XObj<'VM'>['f']['current_operations'] })
  refreshVm(db, vm)
}
function refreshVm(db: Db, vm: XObj<'VM'>): void {
  updateAllowedOperations(db, vm)
  updateVmVbdOperations(db, vm)
  updateVmVifOperations(db, vm)
}

/** What the export handler does before any byte is sent: lock the VM, then compute the metadata. */
export function beginExport(db: Db, vmRef: Ref, task: Ref, o: ExportOptions, counter: { n: number }): ExportPlan {
  const excluded = o.metadataOnly ? parseExcludedDevices(o.excludedDeviceTypes) : []
  const vm = db.get(vmRef, 'VM')
  lockVm(db, vm, task, o.metadataOnly ? 'metadata_export' : 'export')
  const mtime = Math.floor(db.clock.now().getTime() / 1000)
  if (o.metadataOnly) {
    const { xml } = vmMetadata(db, [vm.ref], { withSnapshotMetadata: o.includeSnapshots, preservePowerState: true, excluded, counter })
    return { xml, mtime, disks: [] }
  }
  const { table, xml } = vmMetadata(db, [vm.ref], { withSnapshotMetadata: false, preservePowerState: o.preservePowerState, excluded: [], counter })
  return { xml, mtime, disks: disksToSend(db, vm, table, o.preservePowerState) }
}

/** Writes the XVA of a plan: ova.xml, the disks in prefix order, the end of the tar. */
export async function writeExport(home: string, plan: ExportPlan, out: ByteSink, progress: Progress): Promise<void> {
  const w = new XvaWriter(out)
  await w.member('ova.xml', Buffer.from(plan.xml, 'utf8'), plan.mtime)
  const disks = [...plan.disks].sort((a, b) => Buffer.compare(Buffer.from(a.prefix), Buffer.from(b.prefix)))
  for (const d of disks) await w.disk(d.prefix, d.size, diskStore().source({ home, vdiUuid: d.vdiUuid, virtualSize: d.size }), progress)
  await w.end()
}

/**
 * Task progress for a stream (Stream_vdi.made_progress): the fraction of the disks' bytes covered; a cancelled
 * task is noticed at the next checkpoint (at most every `everyMs`).
 */
export function taskProgress(t: TaskHandle, total: number, everyMs = 200): Progress {
  let done = 0
  let lastCheck = Date.now()
  return {
    async advance(bytes) {
      done += bytes
      if (total > 0) await t.progress(Math.min(1, done / total))
      const now = Date.now()
      if (now - lastCheck >= everyMs) {
        lastCheck = now
        await t.checkCancelled()
      }
    },
  }
}

/**
 * One VM export as xe runs it: a task "Export of VM" (description: the VM's uuid) exists while it runs; the VM is
 * locked and the metadata computed; then `open` (the client side) gives the stream the XVA is written to.
 */
export async function runExport(home: string, vmRef: Ref, vmUuid: string, o: ExportOptions, counter: { n: number }, open: () => Promise<ByteSink>): Promise<void> {
  await withTask(home, 'Export of VM', async (t) => {
    let scope = ''
    const plan = await withWorld(home, true, ({ db }) => {
      scope = db.scope
      return beginExport(db, vmRef, t.ref, o, counter)
    })
    const unlock = (db: Db) => {
      const vm = db.tryGet(vmRef, 'VM')
      if (vm) unlockVm(db, vm, t.ref)
    }
    // a process that ends mid-stream (stdout closed by its reader) still releases the VM and the task
    const release = onExitSync(home, scope, (db) => {
      unlock(db)
      const task = db.tryGet(t.ref, 'task')
      if (task) db.destroy(task)
    })
    try {
      const out = await open()
      const total = plan.disks.reduce((n, d) => n + d.size, 0)
      await writeExport(home, plan, out, taskProgress(t, total))
    } finally {
      release()
      await withWorld(home, true, ({ db }) => unlock(db))
    }
  }, vmUuid)
}

/**
 * Runs fn in one synchronous transaction if the process exits (process.exit) before the returned function is
 * called; better-sqlite3 being synchronous, this works from an 'exit' handler. Gives up quietly if the world is
 * busy.
 */
function onExitSync(home: string, scope: string, fn: (db: Db) => void): () => void {
  const handler = () => {
    try {
      const store = openStore(home)
      try {
        store.db.pragma('busy_timeout = 500')
        store.begin(true)
        const db = new Db(store, cryptoIds, systemClock, scope)
        fn(db)
        db.flush()
        store.commit()
      } finally {
        store.close()
      }
    } catch {
      // nothing more can be done on the way out
    }
  }
  process.once('exit', handler)
  return () => void process.removeListener('exit', handler)
}
