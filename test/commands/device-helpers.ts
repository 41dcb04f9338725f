// Test fixtures for the device verbs, made through the engine inside withWorld (this branch has no vm-install or
// sr-create): VMs in a given power state, an ISO SR holding ISO images, a snapshot with a disk.
import type { Db, XObj } from '../../src/engine/db'
import { createVbd } from '../../src/engine/vbd'
import { createVdi, snapshotVdi } from '../../src/engine/vdi'
import { updateSrAllowedOperations } from '../../src/engine/sr'
import { updateAllowedOperations } from '../../src/engine/vm-lifecycle'
import { NULL_REF, type XMap } from '../../src/engine/values'
import { withWorld } from '../../src/engine/world'

export const MiB = 1024 * 1024
export const GiB = 1024 * MiB

export interface VmOpts {
  name?: string
  power?: 'Halted' | 'Running' | 'Suspended' | 'Paused'
  /** the guest's domain type (default hvm, like the Debian template) */
  domain?: 'hvm' | 'pv'
  /** guest metrics reporting PV drivers (HVM guests need them to hot-plug) */
  pvDrivers?: boolean
}

const host = (db: Db) => db.all('host')[0]!

/** A VM made from the Debian 12 template's fields, as VM.create would leave it (metrics, mac_seed, Halted), then put
 *  in the power state asked for: a Running or Paused VM is resident on the host with a domain. */
export function createVm(db: Db, o: VmOpts = {}): XObj<'VM'> {
  const tpl = db.all('VM').find((v) => v.f.name_label === 'Debian Bookworm 12')!
  const power = o.power ?? 'Halted'
  const domain = o.domain ?? 'hvm'
  const live = power === 'Running' || power === 'Paused'
  const metrics = db.create('VM_metrics', { current_domain_type: power === 'Halted' ? 'unspecified' : domain, memory_actual: 0, VCPUs_number: 0 })
  let gm = NULL_REF
  if (o.pvDrivers) {
    gm = db.create('VM_guest_metrics', {
      PV_drivers_version: [['major', '9'], ['minor', '1']], PV_drivers_detected: true, can_use_hotplug_vbd: 'unspecified', can_use_hotplug_vif: 'unspecified',
    }).ref
  }
  const vm = db.create('VM', {
    ...tpl.f,
    uuid: db.ids.uuid(),
    name_label: o.name ?? 'vm',
    name_description: '',
    is_a_template: false,
    is_default_template: false,
    other_config: [['mac_seed', db.ids.uuid()]],
    power_state: power,
    domain_type: domain,
    HVM_boot_policy: domain === 'hvm' ? 'BIOS order' : '',
    resident_on: live ? host(db).ref : NULL_REF,
    domid: live ? 1 : -1,
    metrics: metrics.ref,
    guest_metrics: gm,
    current_operations: [],
  })
  updateAllowedOperations(db, vm)
  return vm
}

/** Runs fn in a write transaction of the world in home. */
export function inWorld<T>(home: string, fn: (db: Db) => T): Promise<T> {
  return withWorld(home, true, ({ db }) => fn(db))
}

/** Makes a VM in the world; returns its uuid. */
export function makeVm(home: string, o: VmOpts = {}): Promise<string> {
  return inWorld(home, (db) => createVm(db, o).f.uuid)
}

/** An ISO library SR (type iso, content-type iso, shared) with a plugged PBD, holding ISO images of these names. */
export function makeIsoSr(home: string, isos: string[], name = 'ISO library'): Promise<{ sr: string; isos: string[] }> {
  return inWorld(home, (db) => {
    const sr = db.create('SR', {
      name_label: name, name_description: '', type: 'iso', content_type: 'iso', shared: true, physical_size: 100 * GiB,
      physical_utilisation: 0, virtual_allocation: 0, sm_config: [], other_config: [], tags: [], current_operations: [],
      allowed_operations: [], introduced_by: NULL_REF, is_tools_sr: false,
    })
    db.create('PBD', { host: host(db).ref, SR: sr.ref, device_config: [['location', '/srv/iso']] as XMap, currently_attached: true, other_config: [] })
    updateSrAllowedOperations(db, sr)
    const made = isos.map((n) => createVdi(db, { sr, name_label: n, virtual_size: 600 * MiB, sm_config: [['path', n]] }).f.uuid)
    return { sr: sr.f.uuid, isos: made }
  })
}

/** A snapshot of a Halted VM with one disk (userdevice 0): the VM, its disk snapshotted, the snapshot VM with an owner VBD. */
export function makeSnapshot(home: string): Promise<{ vm: string; snapshot: string; vdi: string }> {
  return inWorld(home, (db) => {
    const vm = createVm(db, { name: 'base' })
    const local = db.all('SR').find((s) => s.f.name_label === 'Local storage')!
    const disk = createVdi(db, { sr: local, name_label: 'root', virtual_size: 8 * GiB })
    createVbd(db, { vm, vdi: disk, userdevice: '0', bootable: true, other_config: [['owner', '']] })
    const snapVdi = snapshotVdi(db, disk)
    const snap = createVm(db, { name: 'base-snap' })
    db.set(snap, { is_a_snapshot: true, snapshot_of: vm.ref })
    createVbd(db, { vm: snap, vdi: snapVdi, userdevice: '0', bootable: true, other_config: [['owner', '']] })
    return { vm: vm.f.uuid, snapshot: snap.f.uuid, vdi: snapVdi.f.uuid }
  })
}
