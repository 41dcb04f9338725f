// Fixtures for the clone/snapshot/install/uninstall tests (test/vm-fixtures.ts serves the power tests): devices made through the engine (vif-create and
// vbd-create are other verbs), and a VM put in the Running state as xapi records a started domain (vm-start is
// another engineer's verb): power_state, resident_on, domid, current domain type, attached devices.
import type { Db, XObj } from '../src/engine/db'
import { withWorld } from '../src/engine/world'
import { createVdi } from '../src/engine/vdi'
import { attachVbd, createVbd, updateVmVbdOperations } from '../src/engine/vbd'
import { attachVif, createVif, updateVmVifOperations } from '../src/engine/vif'
import { updateAllowedOperations } from '../src/engine/vm-lifecycle'
import { createSuspendImage } from '../src/engine/suspend-image'
import { forceStateReset } from '../src/engine/vm-power'
import { xe } from './helpers'

export const GiB = 1024 * 1024 * 1024

/** Runs fn in a write transaction of the world. */
export const engine = <T>(home: string, fn: (db: Db) => T): Promise<T> => withWorld(home, true, ({ db }) => fn(db))

export const localSr = (db: Db) => db.all('SR').find((s) => s.f.name_label === 'Local storage')!
export const network0 = (db: Db) => db.all('network').find((n) => n.f.name_label === 'Pool-wide network associated with eth0')!
export const vmByUuid = (db: Db, uuid: string) => db.getByUuid('VM', uuid)

/** A data disk (VDI on Local storage and a RW Disk VBD), owned by the VM unless owner=false. */
export function addDisk(db: Db, vm: XObj<'VM'>, o: { device: string; size?: number; name?: string; owner?: boolean }): XObj<'VDI'> {
  const vdi = createVdi(db, { sr: localSr(db), name_label: o.name ?? `disk ${o.device}`, virtual_size: o.size ?? GiB })
  createVbd(db, { vm, vdi, userdevice: o.device, mode: 'RW', type: 'Disk', other_config: o.owner === false ? [] : [['owner', '']] })
  return vdi
}

/** A VIF on the eth0 network with its MAC derived from the VM's mac_seed. */
export function addVif(db: Db, vm: XObj<'VM'>, device = '0'): XObj<'VIF'> {
  return createVif(db, { vm, network: network0(db), device })
}

/** An empty CD drive. */
export function addEmptyCd(db: Db, vm: XObj<'VM'>, device = '3'): XObj<'VBD'> {
  return createVbd(db, { vm, userdevice: device, mode: 'RO', type: 'CD', empty: true })
}

/** What the guest agent reports once it runs: PV drivers 9.4 (so the VM may suspend, checkpoint, migrate). */
export function addGuestMetrics(db: Db, vm: XObj<'VM'>): void {
  const gm = db.create('VM_guest_metrics', {
    os_version: [['name', 'Debian GNU/Linux 12 (bookworm)']], PV_drivers_version: [['major', '9'], ['minor', '4'], ['micro', '0'], ['build', '1']],
    PV_drivers_up_to_date: true, memory: [], disks: [], networks: [['0/ip', '10.0.0.5']], other: [['feature-suspend', '1']],
    last_updated: '20260101T00:00:00Z', other_config: [], live: true, can_use_hotplug_vbd: 'yes', can_use_hotplug_vif: 'yes',
    PV_drivers_detected: true, netbios_name: [], services: [],
  })
  db.set(vm, { guest_metrics: gm.ref })
}

/** What xapi records once a VM's domain is running on the (only) host; with tools, its guest metrics too. */
export function setRunning(db: Db, vm: XObj<'VM'>, tools = true): void {
  if (tools) addGuestMetrics(db, vm)
  const host = db.all('host')[0]!
  const domid = db.all('VM').reduce((m, v) => Math.max(m, v.f.domid), 0) + 1
  db.set(vm, { power_state: 'Running', resident_on: host.ref, domid })
  const m = db.tryGet(vm.f.metrics, 'VM_metrics')
  if (m) db.set(m, { current_domain_type: vm.f.domain_type === 'unspecified' ? 'hvm' : vm.f.domain_type })
  for (const vbd of db.referrers('VBD', 'VM', vm.ref)) if (!vbd.f.empty) attachVbd(db, vbd)
  for (const vif of db.referrers('VIF', 'VM', vm.ref)) attachVif(db, vif)
  updateAllowedOperations(db, vm)
  updateVmVbdOperations(db, vm)
  updateVmVifOperations(db, vm)
}

/** A running VM suspended as xapi leaves it: a memory image on the suspend SR, no host, devices still attached. */
export function setSuspended(db: Db, vm: XObj<'VM'>): void {
  createSuspendImage(db, vm)
  db.set(vm, { last_booted_record: '(record)', last_boot_CPU_flags: [['vendor', 'GenuineIntel']] })
  forceStateReset(db, vm, 'Suspended')
}

/** `xe vm-install template="Debian Bookworm 12" new-name-label=<name>`; returns the new uuid. */
export async function installDebian(home: string, name: string): Promise<string> {
  const r = await xe(home, ['vm-install', 'template=Debian Bookworm 12', `new-name-label=${name}`])
  if (r.code !== 0) throw new Error(`vm-install failed: ${r.stderr}`)
  return r.stdout.trim()
}

/** One field of a VM as xe renders it. */
export async function vmParam(home: string, uuid: string, name: string, key?: string): Promise<string> {
  const r = await xe(home, ['vm-param-get', `uuid=${uuid}`, `param-name=${name}`, ...(key ? [`param-key=${key}`] : [])])
  if (r.code !== 0) throw new Error(`vm-param-get ${name}: ${r.stderr}`)
  return r.stdout.replace(/\n$/, '')
}
