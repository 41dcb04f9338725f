// The storage and device core: SR capabilities, operations and space accounting (xapi-model.md §11), VDI verbs
// (§3, §11.3, §11.4), VBD rules (§9, §4.3) and VIF rules (§10). Each test builds a fresh in-memory default world.
import assert from 'node:assert/strict'
import BetterSqlite3 from 'better-sqlite3'
import { Db, type XObj } from '../../src/engine/db'
import { XapiError } from '../../src/engine/errors'
import { SeededIds, VirtualClock } from '../../src/engine/ids'
import { Store } from '../../src/engine/store'
import { SEEDED_EPOCH } from '../../src/engine/world'
import { defaultHostSpec, installHost, type Profile } from '../../src/engine/world/fresh-host'
import { NULL_REF, mapGet, type XMap } from '../../src/engine/values'
import {
  accountSrSpace, assertSrCapability, smError, srAllowedOperations, srCapabilities, srOperationError, srOperationPbd,
  updateSrAllowedOperations,
} from '../../src/engine/sr'
import { ocamlVariantHashtblFold, ocamlVariantSetElements } from '../../src/engine/ocaml-hashtbl'
import {
  LVHD_THIN_LV, cloneVdi, copyVdi, createVdi, destroyVdi, forgetVdi, lvhdFullLvSize, resizeVdi, roundVhdSize, snapshotVdi,
  vdiAllowedOperations, vdiOperationError, vhdFileSize, type VdiCreateArgs,
} from '../../src/engine/vdi'
import {
  assertAttachable, attachVbd, createVbd, destroyVbd, detachVbd, ejectVbd, freeVbdDevices, insertVbd, linuxDeviceName, plugVbd,
  setVbdMode, unplugVbd, updateVmVbdOperations, vbdAllowedOperations, vbdOperationError,
} from '../../src/engine/vbd'
import {
  attachVif, createVif, destroyVif, detachVif, generateMac, isValidMac, plugVif, randomMac, unplugVif, updateVmVifOperations,
  vifAllowedOperations, vifOperationError,
} from '../../src/engine/vif'

const MiB = 1024 * 1024
const GiB = 1024 * MiB
const SEED = 'a1b2c3d4-0000-4000-8000-000000000000'

function world(profile: Profile = 'xenserver-8'): Db {
  const store = new Store(new BetterSqlite3(':memory:'), ':memory:')
  store.createSchema()
  const db = new Db(store, new SeededIds(7), new VirtualClock(SEEDED_EPOCH))
  installHost(db, defaultHostSpec(profile))
  return db
}

const srNamed = (db: Db, name: string) => db.all('SR').find((s) => s.f.name_label === name)!
const local = (db: Db) => srNamed(db, 'Local storage')
const host = (db: Db) => db.all('host')[0]!
const network = (db: Db) => db.all('network')[0]!

/** Throws unless fn raises exactly this XAPI error. */
function throwsXapi(fn: () => unknown, code: string, params?: string[]): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof XapiError, `expected XapiError, got ${String(e)}`)
    assert.equal(e.code, code)
    if (params) assert.deepEqual(e.params, params)
    return true
  })
}

interface VmOpts {
  power?: XObj<'VM'>['f']['power_state']
  domain?: 'hvm' | 'pv'
  pvDrivers?: boolean
  seed?: string | null
}

/** A VM made from a default template's fields; Running/Paused/Suspended ones get a domain and metrics. */
function makeVm(db: Db, o: VmOpts = {}): XObj<'VM'> {
  const tpl = db.all('VM').find((v) => v.f.name_label === 'Debian Bookworm 12')!
  const power = o.power ?? 'Halted'
  const domain = o.domain ?? 'hvm'
  const live = power !== 'Halted'
  const metrics = db.create('VM_metrics', { current_domain_type: live ? domain : 'unspecified', memory_actual: 0, VCPUs_number: 0 })
  let gm = NULL_REF
  if (o.pvDrivers) {
    gm = db.create('VM_guest_metrics', { PV_drivers_version: [['major', '9'], ['minor', '1']], PV_drivers_detected: true, can_use_hotplug_vbd: 'unspecified', can_use_hotplug_vif: 'unspecified' }).ref
  }
  return db.create('VM', {
    ...tpl.f,
    uuid: db.ids.uuid(),
    name_label: 'vm',
    is_a_template: false,
    is_default_template: false,
    other_config: o.seed === null ? [] : [['mac_seed', o.seed ?? SEED]],
    power_state: power,
    domain_type: domain,
    resident_on: live && power !== 'Suspended' ? host(db).ref : NULL_REF,
    domid: live && power !== 'Suspended' ? 5 : -1,
    metrics: metrics.ref,
    guest_metrics: gm,
    current_operations: [],
  })
}

/** An extra SR with one plugged PBD on the host. */
function makeSr(db: Db, type: string, o: { size?: number; sm_config?: XMap; shared?: boolean } = {}): XObj<'SR'> {
  const sr = db.create('SR', {
    name_label: type, name_description: '', type, content_type: type === 'iso' ? 'iso' : 'user', shared: o.shared ?? false,
    physical_size: o.size ?? 100 * GiB, physical_utilisation: 0, virtual_allocation: 0, sm_config: o.sm_config ?? [], other_config: [],
    tags: [], current_operations: [], allowed_operations: [], introduced_by: NULL_REF, is_tools_sr: false,
  })
  db.create('PBD', { host: host(db).ref, SR: sr.ref, device_config: [], currently_attached: true, other_config: [] })
  updateSrAllowedOperations(db, sr)
  return sr
}

const disk = (db: Db, size = 10 * GiB, extra: Partial<VdiCreateArgs> = {}) =>
  createVdi(db, { sr: local(db), name_label: 'disk', virtual_size: size, ...extra })

describe('storage core: SRs (xapi-model.md §11.1)', () => {
  it('§11.1 the fresh world stores the SR allowed_operations xapi computes, in Hashtbl order', () => {
    for (const profile of ['xenserver-8', 'xcp-ng-8.3'] as const) {
      const db = world(profile)
      for (const sr of db.all('SR')) assert.deepEqual(srAllowedOperations(db, sr), sr.f.allowed_operations, sr.f.name_label)
    }
  })

  it('§11.1 the udev DVD SR lists exactly the real host\'s operations in its order', () => {
    const db = world()
    assert.deepEqual(srNamed(db, 'DVD drives').f.allowed_operations, ['vdi_introduce', 'unplug', 'plug', 'pbd_create', 'update', 'pbd_destroy', 'vdi_clone', 'scan'])
    // the ordering helpers: Hashtbl.fold over variant keys, Set.elements by variant hash
    assert.deepEqual(ocamlVariantHashtblFold(['attach', 'plug', 'unplug']), ['attach', 'unplug', 'plug'])
    assert.deepEqual(ocamlVariantSetElements(['clone', 'copy', 'destroy']), ['copy', 'clone', 'destroy'])
  })

  it('§11.1 capabilities come from the SR type\'s SM record; missing ones are SR_OPERATION_NOT_SUPPORTED [sr]', () => {
    const db = world()
    const sr = local(db)
    assert.ok(srCapabilities(db, sr).has('VDI_SNAPSHOT'))
    assert.ok(!srCapabilities(db, sr).has('VDI_RESIZE_ONLINE'))
    assertSrCapability(db, sr, 'VDI_CREATE')
    const udev = srNamed(db, 'Removable storage')
    throwsXapi(() => assertSrCapability(db, udev, 'VDI_CREATE'), 'SR_OPERATION_NOT_SUPPORTED', [udev.ref])
  })

  it('§11.1 destroy/forget: SR_HAS_PBD while plugged, SR_NOT_EMPTY with managed VDIs, SR_HAS_NO_PBDS without PBDs', () => {
    const db = world()
    const sr = local(db)
    throwsXapi(() => { throw srOperationError(db, sr, 'destroy') }, 'SR_HAS_PBD', [sr.ref])
    throwsXapi(() => { throw srOperationError(db, sr, 'forget') }, 'SR_HAS_PBD', [sr.ref])
    disk(db)
    const pbd = db.referrers('PBD', 'SR', sr.ref)[0]!
    db.set(pbd, { currently_attached: false })
    assert.equal(srOperationError(db, sr, 'forget'), undefined)
    throwsXapi(() => { throw srOperationError(db, sr, 'destroy') }, 'SR_NOT_EMPTY', [])
    db.destroy(pbd)
    throwsXapi(() => { throw srOperationError(db, sr, 'destroy') }, 'SR_HAS_NO_PBDS', [sr.ref])
  })

  it('§11.1 a running SR operation blocks all others (named "VDI.create"); only plug runs alongside plug', () => {
    const db = world()
    const sr = local(db)
    db.set(sr, { current_operations: [['OpaqueRef:task-1', 'vdi_create']] })
    throwsXapi(() => { throw srOperationError(db, sr, 'scan') }, 'OTHER_OPERATION_IN_PROGRESS', ['SR', sr.ref, 'VDI.create', 'OpaqueRef:task-1'])
    throwsXapi(() => { throw srOperationError(db, sr, 'plug') }, 'OTHER_OPERATION_IN_PROGRESS', ['SR', sr.ref, 'VDI.create', 'OpaqueRef:task-1'])
    db.set(sr, { current_operations: [['OpaqueRef:task-2', 'plug']] })
    assert.equal(srOperationError(db, sr, 'plug'), undefined)
    throwsXapi(() => { throw srOperationError(db, sr, 'unplug') }, 'OTHER_OPERATION_IN_PROGRESS', ['SR', sr.ref, 'plug', 'OpaqueRef:task-2'])
    updateSrAllowedOperations(db, sr)
    assert.deepEqual(sr.f.allowed_operations, ['plug'])
  })

  it('§11.2 SR operations go through a plugged PBD, else SR_HAS_NO_PBDS [sr]', () => {
    const db = world()
    const sr = local(db)
    assert.equal(srOperationPbd(db, sr).f.SR, sr.ref)
    db.set(db.referrers('PBD', 'SR', sr.ref)[0]!, { currently_attached: false })
    throwsXapi(() => srOperationPbd(db, sr), 'SR_HAS_NO_PBDS', [sr.ref])
    throwsXapi(() => disk(db), 'SR_HAS_NO_PBDS', [sr.ref])
  })

  it('§11.3 SM failures are SR_BACKEND_FAILURE_<n> ["", description [opterr=…], ""]; accounting stays within the SR', () => {
    assert.deepEqual([smError('SRNoSpace').code, smError('SRNoSpace').params], ['SR_BACKEND_FAILURE_44', ['', 'There is insufficient space', '']])
    assert.deepEqual(smError('VDISize', 'shrinking not allowed').params, ['', 'VDI Invalid size [opterr=shrinking not allowed]', ''])
    const db = world()
    const sr = local(db)
    accountSrSpace(db, sr, { virtual: -5, physical: -10 * GiB })
    assert.equal(sr.f.virtual_allocation, 0)
    assert.equal(sr.f.physical_utilisation, 0)
  })
})

describe('storage core: VDIs (xapi-model.md §11.3, §11.4, §3)', () => {
  it('§11.3 sizes round up to 2 MiB (at least one block); thick LVM allocates VHD + metadata in 4 MiB extents', () => {
    assert.equal(roundVhdSize(1), 2 * MiB)
    assert.equal(roundVhdSize(0), 2 * MiB)
    assert.equal(roundVhdSize(10 * GiB + 1), 10 * GiB + 2 * MiB)
    assert.equal(lvhdFullLvSize(10 * GiB), 10766778368)
    assert.equal(LVHD_THIN_LV, 8 * MiB)
    assert.equal(vhdFileSize(10 * GiB), 24576)
  })

  it('§11.3 VDI.create on LVM: rounded size, LV-sized physical_utilisation, vdi_type added to sm_config, SR stats', () => {
    const db = world()
    const sr = local(db)
    const used = sr.f.physical_utilisation
    const v = createVdi(db, {
      sr, name_label: 'data', name_description: 'd', virtual_size: 10 * GiB - 5, sm_config: [['vmhint', 'x']],
      other_config: [['k', 'v']], tags: ['t'], sharable: false, xenstore_data: [['a', 'b']],
    })
    assert.equal(v.f.virtual_size, 10 * GiB)
    assert.equal(v.f.physical_utilisation, 10766778368)
    assert.equal(v.f.location, v.f.uuid)
    assert.deepEqual(v.f.sm_config, [['vmhint', 'x'], ['vdi_type', 'vhd']])
    assert.deepEqual([v.f.other_config, v.f.tags, v.f.xenstore_data], [[['k', 'v']], ['t'], [['a', 'b']]])
    assert.deepEqual([v.f.type, v.f.managed, v.f.read_only, v.f.on_boot, v.f.snapshot_time], ['user', true, false, 'persist', '19700101T00:00:00Z'])
    assert.equal(sr.f.virtual_allocation, 10 * GiB)
    assert.equal(sr.f.physical_utilisation, used + 10766778368)
    // raw LVs: sm_config:type=raw
    const raw = createVdi(db, { sr, virtual_size: 3 * MiB, sm_config: [['type', 'raw']] })
    assert.deepEqual([raw.f.virtual_size, raw.f.physical_utilisation], [4 * MiB, 4 * MiB])
    assert.deepEqual(raw.f.sm_config, [['type', 'raw'], ['vdi_type', 'aio']])
  })

  it('§11.3 VDI.create limits: > 2040 GiB or negative → SR_BACKEND_FAILURE_79; too big for the VG → SR_BACKEND_FAILURE_44', () => {
    const db = world()
    const msg = ['', 'VDI Invalid size [opterr=VDI size must be between 1 MB and 2088960 MB]', '']
    throwsXapi(() => disk(db, 2041 * GiB), 'SR_BACKEND_FAILURE_79', msg)
    throwsXapi(() => disk(db, -1), 'SR_BACKEND_FAILURE_79', msg)
    throwsXapi(() => disk(db, 2000 * GiB), 'SR_BACKEND_FAILURE_44', ['', 'There is insufficient space', ''])
    throwsXapi(() => createVdi(db, { sr: local(db), virtual_size: MiB, sm_config: [['type', 'qcow']] }), 'SR_BACKEND_FAILURE_78', ['', 'VDI Creation failed [opterr=bad type]', ''])
    throwsXapi(() => disk(db, GiB, { name_label: 'a\u0001b' }), 'SR_BACKEND_FAILURE_447')
    assert.equal(local(db).f.virtual_allocation, 0)
  })

  it('§11.4 VDI.create refusals in xapi order: SR capability (udev, tools SR), cbt_metadata type', () => {
    const db = world()
    const udev = srNamed(db, 'Removable storage')
    throwsXapi(() => createVdi(db, { sr: udev, virtual_size: GiB }), 'SR_OPERATION_NOT_SUPPORTED', [udev.ref])
    throwsXapi(() => disk(db, GiB, { type: 'cbt_metadata' }), 'VDI_INCOMPATIBLE_TYPE', ['', 'CBT metadata'])
    const xcp = world('xcp-ng-8.3')
    const tools = xcp.all('SR').find((s) => s.f.is_tools_sr)!
    throwsXapi(() => createVdi(xcp, { sr: tools, virtual_size: GiB }), 'SR_OPERATION_NOT_SUPPORTED', [tools.ref])
  })

  it('§11.3 thin SRs: a VHD file on ext is tiny, ISO VDIs are <uuid>.img files, dummy VDIs are their size', () => {
    const db = world()
    const ext = makeSr(db, 'ext')
    const v = createVdi(db, { sr: ext, virtual_size: 10 * GiB, sm_config: [['vmhint', 'x'], ['key_hash', 'h']] })
    assert.deepEqual([v.f.virtual_size, v.f.physical_utilisation], [10 * GiB, 24576])
    assert.deepEqual(v.f.sm_config, [['key_hash', 'h']])
    assert.deepEqual([ext.f.virtual_allocation, ext.f.physical_utilisation], [10 * GiB, 24576])
    const iso = makeSr(db, 'iso')
    const i = createVdi(db, { sr: iso, name_label: 'my.iso', virtual_size: 12345, read_only: true })
    assert.equal(i.f.location, `${i.f.uuid}.img`)
    assert.deepEqual([i.f.virtual_size, i.f.physical_utilisation, i.f.read_only], [12345, 0, false])
    assert.deepEqual(i.f.sm_config, [['created', '2026-1-1:0:0:0']])
    const named = createVdi(db, { sr: iso, virtual_size: 1, sm_config: [['path', 'boot.iso']] })
    assert.equal(named.f.location, 'boot.iso')
    throwsXapi(() => createVdi(db, { sr: iso, virtual_size: 1, sm_config: [['path', 'boot.iso']] }), 'SR_BACKEND_FAILURE_43')
  })

  it('§11.4 allowed_operations: xapi\'s rules, listed in Set (variant) order', () => {
    const db = world()
    const v = disk(db)
    assert.deepEqual(v.f.allowed_operations, ['copy', 'clone', 'forget', 'update', 'resize', 'snapshot', 'destroy'])
    const vm = makeVm(db, { power: 'Running', domain: 'pv' })
    const vbd = createVbd(db, { vm, vdi: v, userdevice: '1', mode: 'RO' })
    db.set(vbd, { currently_attached: true })
    assert.deepEqual(vdiAllowedOperations(db, v), ['copy', 'clone', 'snapshot'], 'read-only attachments still allow copy')
    db.set(vbd, { mode: 'RW' })
    assert.deepEqual(vdiAllowedOperations(db, v), ['clone', 'snapshot'])
    throwsXapi(() => { throw vdiOperationError(db, v, 'destroy') }, 'VDI_IN_USE', [v.ref, 'destroy'])
    db.set(v, { current_operations: [['OpaqueRef:t', 'clone']] })
    throwsXapi(() => { throw vdiOperationError(db, v, 'snapshot') }, 'OTHER_OPERATION_IN_PROGRESS', ['VDI', v.ref, 'clone', 'OpaqueRef:t'])
  })

  it('§11.4 VDI.destroy: deletes the VBDs, clears suspend_VDI, frees the space (§3 cascade)', () => {
    const db = world()
    const sr = local(db)
    const before = [sr.f.physical_utilisation, sr.f.virtual_allocation]
    const v = disk(db)
    const vm = makeVm(db)
    const vbd = createVbd(db, { vm, vdi: v, userdevice: '0' })
    const suspended = makeVm(db, { power: 'Suspended' })
    db.set(suspended, { suspend_VDI: v.ref })
    destroyVdi(db, v)
    assert.equal(db.tryGet(v.ref), undefined)
    assert.equal(db.tryGet(vbd.ref), undefined)
    assert.equal(db.tryGet(vbd.f.metrics), undefined)
    assert.equal(suspended.f.suspend_VDI, NULL_REF)
    assert.deepEqual([sr.f.physical_utilisation, sr.f.virtual_allocation], before)
  })

  it('§11.4 VDI.destroy refusals: VDI_IN_USE while attached, SR_OPERATION_NOT_SUPPORTED for udev, VDI_NOT_MANAGED', () => {
    const db = world()
    const v = disk(db)
    const vm = makeVm(db, { power: 'Running', domain: 'pv' })
    const vbd = createVbd(db, { vm, vdi: v, userdevice: '0' })
    db.set(vbd, { currently_attached: true })
    throwsXapi(() => destroyVdi(db, v), 'VDI_IN_USE', [v.ref, 'destroy'])
    const udev = srNamed(db, 'DVD drives')
    const dvd = db.create('VDI', { SR: udev.ref, name_label: 'DVD', location: '/dev/xapi/cd/sr0', read_only: true, managed: true, type: 'user' })
    throwsXapi(() => destroyVdi(db, dvd), 'SR_OPERATION_NOT_SUPPORTED', [udev.ref])
    assert.equal(vdiOperationError(db, dvd, 'forget'), undefined)
    db.set(vbd, { currently_attached: false })
    snapshotVdi(db, v)
    const base = db.all('VDI').find((x) => x.f.name_label === 'base copy')!
    throwsXapi(() => destroyVdi(db, base), 'VDI_NOT_MANAGED', [base.ref])
    const rrd = disk(db, GiB, { type: 'rrd' })
    throwsXapi(() => destroyVdi(db, rrd), 'VDI_HAS_RRDS', [rrd.ref])
    throwsXapi(() => forgetVdi(db, rrd), 'VDI_HAS_RRDS', [rrd.ref])
    // the tools SR's ISOs can be copied and forgotten, never destroyed
    const xcp = world('xcp-ng-8.3')
    const tools = xcp.all('SR').find((x) => x.f.is_tools_sr)!
    const iso = xcp.referrers('VDI', 'SR', tools.ref)[0]!
    throwsXapi(() => destroyVdi(xcp, iso), 'SR_OPERATION_NOT_SUPPORTED', [tools.ref])
    assert.deepEqual(vdiAllowedOperations(xcp, iso), ['copy', 'forget'])
  })

  it('§11.3 VDI.snapshot on LVM: a hidden read-only "base copy" parent, a thin snapshot leaf, +virtual size', () => {
    const db = world()
    const sr = local(db)
    const v = disk(db, 10 * GiB, { name_label: 'root', name_description: 'desc', sm_config: [['vmhint', 'x']], tags: ['a'] })
    const phys = sr.f.physical_utilisation
    const snap = snapshotVdi(db, v)
    assert.deepEqual([snap.f.is_a_snapshot, snap.f.snapshot_of, snap.f.snapshot_time], [true, v.ref, '20260101T00:00:00Z'])
    assert.deepEqual([snap.f.name_label, snap.f.name_description, snap.f.tags, snap.f.type], ['root', 'desc', ['a'], 'user'])
    assert.equal(snap.f.physical_utilisation, LVHD_THIN_LV)
    const base = db.all('VDI').find((x) => x.f.name_label === 'base copy')!
    assert.deepEqual([base.f.managed, base.f.read_only, base.f.physical_utilisation, base.f.virtual_size], [false, true, LVHD_THIN_LV, 10 * GiB])
    assert.deepEqual(base.f.sm_config, [['vmhint', 'x'], ['vdi_type', 'vhd']])
    assert.deepEqual(v.f.sm_config, [['vmhint', 'x'], ['vdi_type', 'vhd'], ['vhd-parent', base.f.uuid]])
    assert.deepEqual(snap.f.sm_config, v.f.sm_config)
    assert.equal(sr.f.virtual_allocation, 20 * GiB)
    assert.equal(sr.f.physical_utilisation, phys + 2 * LVHD_THIN_LV)
    assert.deepEqual(db.field(v, 'snapshots'), [snap.ref])
    // a second snapshot of the unwritten leaf links to the same base copy
    const snap2 = snapshotVdi(db, v)
    assert.equal(mapGet(snap2.f.sm_config, 'vhd-parent'), base.f.uuid)
    assert.equal(db.all('VDI').filter((x) => x.f.name_label === 'base copy').length, 1)
    // once the snapshots are gone the GC coalesces the base copy away
    destroyVdi(db, snap)
    destroyVdi(db, snap2)
    assert.equal(db.all('VDI').length, 1)
    assert.deepEqual(v.f.sm_config, [['vmhint', 'x'], ['vdi_type', 'vhd']])
    assert.deepEqual([sr.f.physical_utilisation, sr.f.virtual_allocation], [phys, 10 * GiB])
  })

  it('§11.4 VDI.snapshot refusals: VDI_IS_SHARABLE, VDI_ON_BOOT_MODE_INCOMPATIBLE_WITH_OPERATION, SR_BACKEND_FAILURE_44', () => {
    const db = world()
    const v = disk(db)
    db.set(v, { sharable: true })
    throwsXapi(() => snapshotVdi(db, v), 'VDI_IS_SHARABLE', [v.ref])
    db.set(v, { sharable: false, on_boot: 'reset' })
    throwsXapi(() => snapshotVdi(db, v), 'VDI_ON_BOOT_MODE_INCOMPATIBLE_WITH_OPERATION', [])
    throwsXapi(() => copyVdi(db, v, { sr: local(db) }), 'VDI_ON_BOOT_MODE_INCOMPATIBLE_WITH_OPERATION', [])
    db.set(v, { on_boot: 'persist' })
    const sr = local(db)
    db.set(sr, { physical_utilisation: sr.f.physical_size - 8 * MiB })
    throwsXapi(() => snapshotVdi(db, v), 'SR_BACKEND_FAILURE_44')
    const dvd = srNamed(db, 'DVD drives')
    const cd = db.create('VDI', { SR: dvd.ref, location: '/dev/xapi/cd/sr0', managed: true, type: 'user' })
    throwsXapi(() => snapshotVdi(db, cd), 'SR_OPERATION_NOT_SUPPORTED', [dvd.ref])
  })

  it('§11.3 VDI.clone on thick LVM: a fully allocated writable leaf, is_a_snapshot false, snapshot_time set', () => {
    const db = world()
    const sr = local(db)
    const v = disk(db, 4 * GiB, { other_config: [['owner', '']] })
    const phys = sr.f.physical_utilisation
    const c = cloneVdi(db, v)
    assert.deepEqual([c.f.is_a_snapshot, c.f.snapshot_of, c.f.snapshot_time], [false, NULL_REF, '20260101T00:00:00Z'])
    assert.equal(c.f.physical_utilisation, lvhdFullLvSize(4 * GiB))
    assert.deepEqual(c.f.other_config, [['owner', '']])
    assert.equal(sr.f.physical_utilisation, phys + LVHD_THIN_LV + lvhdFullLvSize(4 * GiB))
    assert.equal(sr.f.virtual_allocation, 8 * GiB)
  })

  it('§11.3 VHD files: snapshot on ext keeps the original\'s file as the base copy', () => {
    const db = world()
    const ext = makeSr(db, 'ext')
    const v = createVdi(db, { sr: ext, virtual_size: GiB })
    const s = snapshotVdi(db, v)
    const base = db.referrers('VDI', 'SR', ext.ref).find((x) => !x.f.managed)!
    assert.deepEqual(base.f.sm_config, [])
    assert.deepEqual(s.f.sm_config, [['vhd-parent', base.f.uuid]])
    assert.deepEqual(v.f.sm_config, [['vhd-parent', base.f.uuid]])
    assert.equal(ext.f.virtual_allocation, 2 * GiB)
  })

  it('§11.4 VDI.copy: a new VDI like the source (read-write, no sm_config); into: VDI_READONLY, VDI_TOO_SMALL', () => {
    const db = world()
    const v = disk(db, GiB, { name_label: 'src', read_only: true, sm_config: [['vmhint', 'x']] })
    const ext = makeSr(db, 'ext')
    const c = copyVdi(db, v, { sr: ext })
    assert.deepEqual([c.f.name_label, c.f.virtual_size, c.f.read_only, c.f.SR], ['src', GiB, false, ext.ref])
    assert.deepEqual(c.f.sm_config, [])
    const small = createVdi(db, { sr: ext, virtual_size: 10 * MiB })
    throwsXapi(() => copyVdi(db, v, { into: small }), 'VDI_TOO_SMALL', [small.ref, String(GiB)])
    const ro = createVdi(db, { sr: ext, virtual_size: 2 * GiB, read_only: true })
    throwsXapi(() => copyVdi(db, v, { into: ro }), 'VDI_READONLY', [ro.ref])
  })

  it('§11.4 VDI.resize: grows rounded (thick LVM allocates it), refuses shrinking and attached VDIs', () => {
    const db = world()
    const sr = local(db)
    const v = disk(db, GiB)
    const phys = sr.f.physical_utilisation
    resizeVdi(db, v, 2 * GiB + 1)
    assert.equal(v.f.virtual_size, 2 * GiB + 2 * MiB)
    assert.equal(v.f.physical_utilisation, lvhdFullLvSize(2 * GiB + 2 * MiB))
    assert.equal(sr.f.physical_utilisation, phys - lvhdFullLvSize(GiB) + lvhdFullLvSize(2 * GiB + 2 * MiB))
    assert.equal(sr.f.virtual_allocation, 2 * GiB + 2 * MiB)
    throwsXapi(() => resizeVdi(db, v, GiB), 'SR_BACKEND_FAILURE_79', ['', 'VDI Invalid size [opterr=shrinking not allowed]', ''])
    throwsXapi(() => resizeVdi(db, v, 3 * GiB, true), 'SR_OPERATION_NOT_SUPPORTED', [sr.ref])
    const vm = makeVm(db, { power: 'Running', domain: 'pv' })
    db.set(createVbd(db, { vm, vdi: v, userdevice: '0' }), { currently_attached: true })
    throwsXapi(() => resizeVdi(db, v, 3 * GiB), 'VDI_IN_USE', [v.ref, 'resize'])
  })

  it('§3 VDI.forget drops only the record; its VBDs stay', () => {
    const db = world()
    const sr = local(db)
    const v = disk(db)
    const vbd = createVbd(db, { vm: makeVm(db), vdi: v, userdevice: '0' })
    forgetVdi(db, v)
    assert.equal(db.tryGet(v.ref), undefined)
    assert.ok(db.tryGet(vbd.ref))
    assert.equal(sr.f.virtual_allocation, 10 * GiB, 'the data is still there')
  })
})

describe('storage core: VBDs (xapi-model.md §9, §4.3)', () => {
  it('§4.3 userdevice N plugs as xvd + base-26 letter (IDE disks too); device names keep their bus', () => {
    assert.deepEqual(['0', '1', '25', '26', '27', 'hdb', 'sdc', 'xvdd2', 'd3'].map((d) => linuxDeviceName(d)), ['xvda', 'xvdb', 'xvdz', 'xvdaa', 'xvdab', 'xvdb', 'sdc', 'xvdd2', 'xvdd'])
    assert.equal(linuxDeviceName('2', true), 'xvdc')
    throwsXapi(() => linuxDeviceName('bogus'), 'INVALID_DEVICE', ['bogus'])
  })

  it('§9 VBD.create: autodetect takes the lowest free number; a number collides with its hd/xvd names', () => {
    const db = world()
    const vm = makeVm(db)
    const a = createVbd(db, { vm, vdi: disk(db), userdevice: 'autodetect', bootable: true, unpluggable: false })
    assert.equal(a.f.userdevice, '0')
    const b = createVbd(db, { vm, vdi: disk(db), userdevice: 'hdb' })
    assert.equal(createVbd(db, { vm, vdi: disk(db), userdevice: 'autodetect' }).f.userdevice, '2')
    for (const d of ['1', 'hdb', 'xvdc', '2']) throwsXapi(() => createVbd(db, { vm, vdi: disk(db, GiB), userdevice: d }), 'DEVICE_ALREADY_EXISTS', [d])
    assert.ok(db.tryGet(b.f.metrics, 'VBD_metrics'))
    assert.deepEqual([a.f.device, a.f.currently_attached, a.f.bootable, a.f.unpluggable, a.f.mode], ['', false, true, false, 'RW'])
    assert.equal(freeVbdDevices(db, vm, 'Disk')!.length, 255 - 3)
    // xapi's quirk: on an HVM guest "xvdb" does not use up IDE disk 1, so autodetect offers "1" and then refuses it
    const hvm = makeVm(db)
    createVbd(db, { vm: hvm, vdi: disk(db, GiB), userdevice: '0' })
    createVbd(db, { vm: hvm, vdi: disk(db, GiB), userdevice: 'xvdb' })
    throwsXapi(() => createVbd(db, { vm: hvm, vdi: disk(db, GiB), userdevice: 'autodetect' }), 'DEVICE_ALREADY_EXISTS', ['1'])
    const pv = makeVm(db, { domain: 'pv' })
    createVbd(db, { vm: pv, vdi: disk(db, GiB), userdevice: 'xvda' })
    assert.equal(createVbd(db, { vm: pv, vdi: disk(db, GiB), userdevice: 'autodetect' }).f.userdevice, '1')
  })

  it('§9 VBD.create checks in xapi order with their exact errors', () => {
    const db = world()
    const vm = makeVm(db)
    const v = disk(db)
    const ha = disk(db, GiB, { type: 'ha_statefile' })
    throwsXapi(() => createVbd(db, { vm, vdi: ha, userdevice: '0' }), 'VDI_INCOMPATIBLE_TYPE', [ha.ref, 'HA statefile'])
    throwsXapi(() => createVbd(db, { vm, vdi: v, userdevice: '3', type: 'CD', mode: 'RW' }), 'VBD_CDS_MUST_BE_READONLY', [])
    throwsXapi(() => createVbd(db, { vm, userdevice: '3', type: 'Disk', mode: 'RO', empty: true }), 'VBD_NOT_REMOVABLE_MEDIA', ['in constructor'])
    const ro = disk(db, GiB, { read_only: true })
    throwsXapi(() => createVbd(db, { vm, vdi: ro, userdevice: '1', mode: 'RW' }), 'VDI_READONLY', [ro.ref])
    throwsXapi(() => createVbd(db, { vm, vdi: v, userdevice: 'xyz' }), 'INVALID_DEVICE', ['xyz'])
    const pv = makeVm(db, { domain: 'pv' })
    throwsXapi(() => createVbd(db, { vm: pv, vdi: v, userdevice: 'autodetect', type: 'Floppy', mode: 'RO' }), 'NOT_IMPLEMENTED', ["VBD of type 'floppy' is not supported on PV domain"])
    assert.equal(createVbd(db, { vm, vdi: ro, userdevice: 'autodetect', type: 'Floppy', mode: 'RO' }).f.userdevice, 'fda')
    db.set(vm, { current_operations: [['OpaqueRef:m', 'pool_migrate']] })
    throwsXapi(() => createVbd(db, { vm, vdi: v, userdevice: '5' }), 'OTHER_OPERATION_IN_PROGRESS', ['VM', vm.ref, 'pool_migrate', 'OpaqueRef:m'])
    // device and currently_attached are honoured for Suspended VMs only
    const susp = makeVm(db, { power: 'Suspended' })
    const s = createVbd(db, { vm: susp, vdi: v, userdevice: '0', device: 'xvda', currently_attached: true })
    assert.deepEqual([s.f.device, s.f.currently_attached], ['xvda', true])
    const h = createVbd(db, { vm: makeVm(db), vdi: v, userdevice: '0', device: 'xvda', currently_attached: true })
    assert.deepEqual([h.f.device, h.f.currently_attached], ['', false])
  })

  it('§9 allowed_operations for the idle cases, in Hashtbl order', () => {
    const db = world()
    const vm = makeVm(db)
    const d = createVbd(db, { vm, vdi: disk(db), userdevice: '0', unpluggable: false })
    assert.deepEqual(d.f.allowed_operations, ['attach'])
    const cd = createVbd(db, { vm, userdevice: '3', type: 'CD', mode: 'RO', empty: true })
    assert.deepEqual(cd.f.allowed_operations, ['attach', 'insert'])
    const pv = makeVm(db, { power: 'Running', domain: 'pv' })
    const p = createVbd(db, { vm: pv, vdi: disk(db), userdevice: '1' })
    db.set(p, { currently_attached: true })
    assert.deepEqual(vbdAllowedOperations(db, p), ['attach', 'unpause', 'unplug', 'unplug_force', 'pause'])
  })

  it('§9 VBD.plug/unplug: Running only, device name set, DEVICE_ALREADY_ATTACHED/DETACHED, VBD_NOT_UNPLUGGABLE', () => {
    const db = world()
    const halted = makeVm(db)
    const h = createVbd(db, { vm: halted, vdi: disk(db), userdevice: '0' })
    throwsXapi(() => plugVbd(db, h), 'VM_BAD_POWER_STATE', [halted.ref, 'running', 'halted'])
    const vm = makeVm(db, { power: 'Running', domain: 'pv' })
    const v = createVbd(db, { vm, vdi: disk(db), userdevice: '1' })
    plugVbd(db, v)
    assert.deepEqual([v.f.currently_attached, v.f.device], [true, 'xvdb'])
    throwsXapi(() => plugVbd(db, v), 'DEVICE_ALREADY_ATTACHED', [v.ref])
    unplugVbd(db, v)
    assert.equal(v.f.currently_attached, false)
    throwsXapi(() => unplugVbd(db, v), 'DEVICE_ALREADY_DETACHED', [v.ref])
    const fixed = createVbd(db, { vm, vdi: disk(db), userdevice: '2', unpluggable: false })
    plugVbd(db, fixed)
    throwsXapi(() => unplugVbd(db, fixed), 'VBD_NOT_UNPLUGGABLE', [fixed.ref])
  })

  it('§9 hot-plug on HVM needs PV drivers; HVM disks must be RW; CDs are never hot-plugged', () => {
    const db = world()
    const bare = makeVm(db, { power: 'Running', domain: 'hvm' })
    const b = createVbd(db, { vm: bare, vdi: disk(db), userdevice: '1' })
    throwsXapi(() => plugVbd(db, b), 'VM_MISSING_PV_DRIVERS', [bare.ref])
    const vm = makeVm(db, { power: 'Running', domain: 'hvm', pvDrivers: true })
    const ro = createVbd(db, { vm, vdi: disk(db), userdevice: '1', mode: 'RO' })
    throwsXapi(() => plugVbd(db, ro), 'DISK_VBD_MUST_BE_READWRITE_FOR_HVM', [ro.ref])
    const cd = createVbd(db, { vm, userdevice: '3', type: 'CD', mode: 'RO', empty: true })
    throwsXapi(() => plugVbd(db, cd), 'OPERATION_NOT_ALLOWED', ['HVM CDROMs cannot be hotplugged/unplugged, only inserted or ejected'])
    const ok = createVbd(db, { vm, vdi: disk(db), userdevice: '4' })
    plugVbd(db, ok)
    assert.equal(ok.f.device, 'xvde')
  })

  it('§9 sharing: a non-sharable VDI written by one running VM cannot be attached elsewhere (VDI_IN_USE [vdi])', () => {
    const db = world()
    const v = disk(db)
    const a = makeVm(db, { power: 'Running', domain: 'pv' })
    plugVbd(db, createVbd(db, { vm: a, vdi: v, userdevice: '1' }))
    const other = createVbd(db, { vm: makeVm(db), vdi: v, userdevice: '1' })
    throwsXapi(() => assertAttachable(db, other), 'VDI_IN_USE', [v.ref])
    db.set(v, { sharable: true })
    assertAttachable(db, other)
    db.set(v, { sharable: false })
    assert.equal(vbdOperationError(db, other, 'attach')?.code, 'VDI_IN_USE')
  })

  it('§3 VBD.destroy: refused while attached with xapi\'s text; removes the metrics', () => {
    const db = world()
    const vm = makeVm(db, { power: 'Running', domain: 'pv' })
    const v = createVbd(db, { vm, vdi: disk(db), userdevice: '1' })
    plugVbd(db, v)
    throwsXapi(() => destroyVbd(db, v), 'OPERATION_NOT_ALLOWED', [`VBD '${v.f.uuid}' still attached to '${vm.f.uuid}'`])
    unplugVbd(db, v)
    destroyVbd(db, v)
    assert.equal(db.tryGet(v.ref), undefined)
    assert.equal(db.tryGet(v.f.metrics), undefined)
    throwsXapi(() => setVbdMode(db, createVbd(db, { vm, vdi: disk(db), userdevice: '2' }), 'RO'), 'VM_BAD_POWER_STATE', [vm.ref, 'halted', 'running'])
  })

  it('§9 VBD.insert/eject: CDs only, media state checks, refused while Suspended', () => {
    const db = world()
    const vm = makeVm(db)
    const iso = makeSr(db, 'iso')
    const media = createVdi(db, { sr: iso, virtual_size: 100 })
    const cd = createVbd(db, { vm, userdevice: '3', type: 'CD', mode: 'RO', empty: true })
    throwsXapi(() => ejectVbd(db, cd), 'VBD_IS_EMPTY', [cd.ref])
    insertVbd(db, cd, media)
    assert.deepEqual([cd.f.empty, cd.f.VDI, cd.f.allowed_operations], [false, media.ref, ['attach', 'eject']])
    throwsXapi(() => insertVbd(db, cd, media), 'VBD_NOT_EMPTY', [cd.ref])
    ejectVbd(db, cd)
    assert.deepEqual([cd.f.empty, cd.f.VDI], [true, NULL_REF])
    const d = createVbd(db, { vm, vdi: disk(db), userdevice: '0' })
    throwsXapi(() => insertVbd(db, d, media), 'VBD_NOT_REMOVABLE_MEDIA', [d.ref])
    const susp = makeVm(db, { power: 'Suspended' })
    const scd = createVbd(db, { vm: susp, userdevice: '3', type: 'CD', mode: 'RO', empty: true })
    throwsXapi(() => insertVbd(db, scd, media), 'VM_BAD_POWER_STATE', [susp.ref, 'halted, running', 'suspended'])
  })
})

describe('storage core: VM devices at start and shutdown (xapi-model.md §4.3)', () => {
  it('§4.3 started devices: VBDs attached as xvd<letter> (IDE disks too), VIFs attached, allowed ops refreshed', () => {
    const db = world()
    const vm = makeVm(db, { domain: 'hvm', pvDrivers: true })
    const v = disk(db)
    const root = createVbd(db, { vm, vdi: v, userdevice: '0', unpluggable: false })
    const data = createVbd(db, { vm, vdi: disk(db, GiB), userdevice: '5' })
    const nic = createVif(db, { vm, network: network(db), device: '0' })
    db.set(vm, { power_state: 'Running', resident_on: host(db).ref, domid: 3 })
    db.set(db.get(vm.f.metrics, 'VM_metrics'), { current_domain_type: 'hvm' })
    for (const b of [root, data]) attachVbd(db, b)
    attachVif(db, nic)
    updateVmVbdOperations(db, vm)
    updateVmVifOperations(db, vm)
    assert.deepEqual([root.f.device, data.f.device, root.f.currently_attached], ['xvda', 'xvdf', true])
    assert.deepEqual(root.f.allowed_operations, ['attach', 'unpause', 'pause'])
    assert.deepEqual(data.f.allowed_operations, ['attach', 'unpause', 'unplug', 'unplug_force', 'pause'])
    assert.deepEqual(v.f.allowed_operations, ['clone', 'snapshot'])
    assert.deepEqual(nic.f.allowed_operations, ['attach', 'unplug'])
    // shutdown: detached, the device name stays
    for (const b of [root, data]) detachVbd(db, b)
    detachVif(db, nic)
    db.set(vm, { power_state: 'Halted', resident_on: NULL_REF, domid: -1 })
    updateVmVbdOperations(db, vm)
    updateVmVifOperations(db, vm)
    assert.deepEqual([root.f.device, root.f.currently_attached, root.f.allowed_operations], ['xvda', false, ['attach']])
    assert.deepEqual(v.f.allowed_operations, ['copy', 'clone', 'forget', 'update', 'resize', 'snapshot', 'destroy'])
    assert.deepEqual(nic.f.allowed_operations, ['attach'])
  })
})

describe('storage core: VIFs (xapi-model.md §10)', () => {
  it('§10 MACs derive from mac_seed by chained MD5 (locally administered, unicast)', () => {
    // expected values computed independently with Python's hashlib
    assert.equal(generateMac(SEED, 0), '66:6b:a1:55:42:5d')
    assert.equal(generateMac(SEED, 1), '96:9c:99:6a:1d:30')
    assert.equal(generateMac(SEED, 15), '4a:c7:7e:6e:95:cb')
    assert.ok(isValidMac('AA:bb:0c:1D:ee:0f'))
    assert.ok(!isValidMac('aa:bb:cc:dd:ee') && !isValidMac('aa:bb:cc:dd:ee:fg') && !isValidMac('aaa:b:cc:dd:ee:ff'))
  })

  it('§10 VIF.create: MAC_autogenerated from the seed, the network MTU, VIF_metrics; "random" repeats one byte', () => {
    const db = world()
    const vm = makeVm(db)
    const v = createVif(db, { vm, network: network(db), device: '0' })
    assert.deepEqual([v.f.MAC, v.f.MAC_autogenerated, v.f.MTU, v.f.locking_mode, v.f.allowed_operations], ['66:6b:a1:55:42:5d', true, 1500, 'network_default', ['attach']])
    assert.ok(db.tryGet(v.f.metrics, 'VIF_metrics'))
    const given = createVif(db, { vm, network: network(db), device: '1', mac: 'AA:BB:CC:DD:EE:FF' })
    assert.deepEqual([given.f.MAC, given.f.MAC_autogenerated], ['AA:BB:CC:DD:EE:FF', false])
    const r = randomMac(db)
    assert.match(r, /^([0-9a-f]{2}):([0-9a-f]{2}):\2:\2:\2:\2$/)
    assert.equal(parseInt(r.slice(0, 2), 16) & 3, 2)
  })

  it('§10 VIF.create refusals: INVALID_DEVICE, MAC_INVALID, DEVICE_ALREADY_EXISTS', () => {
    const db = world()
    const vm = makeVm(db)
    for (const d of ['-1', 'x', '1a', '', ' 1']) throwsXapi(() => createVif(db, { vm, network: network(db), device: d }), 'INVALID_DEVICE', [d])
    throwsXapi(() => createVif(db, { vm, network: network(db), device: '0', mac: 'zz:zz:zz:zz:zz:zz' }), 'MAC_INVALID', ['zz:zz:zz:zz:zz:zz'])
    const seedless = makeVm(db, { seed: null })
    throwsXapi(() => createVif(db, { vm: seedless, network: network(db), device: '0' }), 'MAC_INVALID', [''])
    createVif(db, { vm, network: network(db), device: '1' })
    throwsXapi(() => createVif(db, { vm, network: network(db), device: '01' }), 'DEVICE_ALREADY_EXISTS', ['01'])
    assert.equal(createVif(db, { vm, network: network(db), device: '1_6' }).f.device, '1_6', 'Scanf %u accepts digit separators')
  })

  it('§10 plug/unplug only while Running; dom0 cannot hot-plug; VIF.destroy refused while attached to a running VM', () => {
    const db = world()
    const halted = makeVm(db)
    const h = createVif(db, { vm: halted, network: network(db), device: '0' })
    throwsXapi(() => plugVif(db, h), 'VM_BAD_POWER_STATE', [halted.ref, 'running', 'halted'])
    const vm = makeVm(db, { power: 'Running', domain: 'pv' })
    const v = createVif(db, { vm, network: network(db), device: '0' })
    assert.equal(v.f.currently_attached, false, 'a VIF created on a running VM is not plugged')
    assert.deepEqual(v.f.allowed_operations, ['attach', 'plug'])
    plugVif(db, v)
    assert.deepEqual([v.f.currently_attached, v.f.allowed_operations], [true, ['attach', 'unplug']])
    throwsXapi(() => plugVif(db, v), 'DEVICE_ALREADY_ATTACHED', [v.ref])
    throwsXapi(() => destroyVif(db, v), 'OPERATION_NOT_ALLOWED', ['VIF currently attached to a running VM'])
    unplugVif(db, v)
    throwsXapi(() => unplugVif(db, v), 'DEVICE_ALREADY_DETACHED', [v.ref])
    destroyVif(db, v)
    assert.equal(db.tryGet(v.f.metrics), undefined)
    const dom0 = db.all('VM').find((x) => x.f.is_control_domain)!
    const d = createVif(db, { vm: dom0, network: network(db), device: '0', mac: 'fe:ff:ff:ff:ff:ff' })
    throwsXapi(() => plugVif(db, d), 'OPERATION_NOT_ALLOWED', ['Control domain does not support hotplug'])
    db.set(d, { current_operations: [['OpaqueRef:a', 'plug'], ['OpaqueRef:b', 'unplug']] })
    throwsXapi(() => { throw vifOperationError(db, d, 'attach') }, 'OTHER_OPERATION_IN_PROGRESS', ['VIF', d.ref, '{unplug; plug}', '{OpaqueRef:b; OpaqueRef:a}'])
    assert.deepEqual(vifAllowedOperations(db, d), [])
  })

  it('§10 HVM guests need PV drivers to hot-plug VIFs (VM_MISSING_PV_DRIVERS)', () => {
    const db = world()
    const bare = makeVm(db, { power: 'Running', domain: 'hvm' })
    const v = createVif(db, { vm: bare, network: network(db), device: '0' })
    throwsXapi(() => plugVif(db, v), 'VM_MISSING_PV_DRIVERS', [bare.ref])
    const vm = makeVm(db, { power: 'Running', domain: 'hvm', pvDrivers: true })
    const w = createVif(db, { vm, network: network(db), device: '0' })
    plugVif(db, w)
    assert.equal(w.f.currently_attached, true)
  })
})
