// A VM's disks, CD drives and network interfaces as xe's VM-level verbs handle them: these verbs are compositions
// of API calls made by the CLI server (cli_operations.ml vm_disk_add, vm_disk_remove, vm_cd_add, vm_cd_insert,
// vm_cd_eject, vm_cd_remove, cd_list, create_vbd_and_plug), spanning VM, VBD, VDI and SR. The per-class rules
// they rely on stay in vdi.ts, vbd.ts and vif.ts. Reference: xe-cli-behaviour.md §9, xapi-model.md §9–§11.
// Re-expressed from xen-api at the reference commit.
import type { Db, XObj } from './db'
import { XapiError } from './errors'
import { createVbd, destroyVbd, plugVbd, type VbdCreateArgs } from './vbd'
import { cloneVdi, createVdi, destroyVdi } from './vdi'
import type { XMap } from './values'

/** The name (and description) vm-disk-add gives the VDIs it creates. */
export const XE_DISK_NAME = 'Created by xe'
/** Constants.owner_key: the VBD other_config key that makes vm-uninstall destroy the disk with the VM. */
export const OWNER_KEY = 'owner'
/** Constants._sm_vm_hint: the sm_config key telling the SM which VM a new VDI is for. */
export const SM_VM_HINT = 'vmhint'

// ---------------------------------------------------------------------------------------------------------
// Lookups.

/**
 * Cli_util.get_default_sr_uuid: the pool's default SR, or undefined when it is null or names no SR (the CLI
 * swallows the lookup failure).
 */
export function poolDefaultSr(db: Db): XObj<'SR'> | undefined {
  const pool = db.all('pool')[0]
  return pool ? db.tryGet(pool.f.default_SR, 'SR') : undefined
}

/** The VM's VBDs in the order VM.VBDs lists them. */
export function vmVbds(db: Db, vm: XObj<'VM'>): Array<XObj<'VBD'>> {
  return (db.field(vm, 'VBDs') as string[]).map((r) => db.get(r, 'VBD'))
}

/** The VM's VIFs in the order VM.VIFs lists them. */
export function vmVifs(db: Db, vm: XObj<'VM'>): Array<XObj<'VIF'>> {
  return (db.field(vm, 'VIFs') as string[]).map((r) => db.get(r, 'VIF'))
}

/** The VM's VBDs of one type (Disk for vm-disk-list, CD for vm-cd-list and vm-cd-eject). */
export function vmVbdsOfType(db: Db, vm: XObj<'VM'>, type: XObj<'VBD'>['f']['type']): Array<XObj<'VBD'>> {
  return vmVbds(db, vm).filter((b) => b.f.type === type)
}

/** The VM's empty CD drives (where vm-cd-insert can put a disc). */
export function emptyCdVbds(db: Db, vm: XObj<'VM'>): Array<XObj<'VBD'>> {
  return vmVbdsOfType(db, vm, 'CD').filter((b) => b.f.empty)
}

/** The VM's VBDs whose userdevice is exactly `device` (vm-disk-remove takes the first). */
export function vmVbdsWithUserdevice(db: Db, vm: XObj<'VM'>, device: string): Array<XObj<'VBD'>> {
  return vmVbds(db, vm).filter((b) => b.f.userdevice === device)
}

/** Whether the VDI lives in an SR whose content_type is "iso" (what xe calls a CD). */
export function isIsoVdi(db: Db, vdi: XObj<'VDI'>): boolean {
  return db.get(vdi.f.SR, 'SR').f.content_type === 'iso'
}

/** The CDs xe offers (cd-list): every VDI of every SR with content_type "iso", SR by SR. */
export function isoVdis(db: Db): Array<XObj<'VDI'>> {
  return db
    .all('SR')
    .filter((sr) => sr.f.content_type === 'iso')
    .flatMap((sr) => (db.field(sr, 'VDIs') as string[]).map((r) => db.get(r, 'VDI')))
}

/** VDI.get_by_name_label, kept to VDIs of ISO SRs (vm-cd-add, vm-cd-insert look CDs up by name this way). */
export function isoVdisNamed(db: Db, name: string): Array<XObj<'VDI'>> {
  return db.all('VDI').filter((v) => v.f.name_label === name && isIsoVdi(db, v))
}

/**
 * The VBDs vm-cd-remove matches for a cd-name: those whose VDI is in an ISO SR and has that name; a VBD whose
 * VDI cannot be read (an empty drive, or a forgotten VDI) matches the name "<EMPTY>". Every VBD type is considered.
 */
export function vmVbdsForCdName(db: Db, vm: XObj<'VM'>, name: string): Array<XObj<'VBD'>> {
  return vmVbds(db, vm).filter((b) => {
    const vdi = db.tryGet(b.f.VDI, 'VDI')
    const sr = vdi ? db.tryGet(vdi.f.SR, 'SR') : undefined
    if (!vdi || !sr) return name === '<EMPTY>'
    return sr.f.content_type === 'iso' && vdi.f.name_label === name
  })
}

// ---------------------------------------------------------------------------------------------------------
// Compositions.

/**
 * create_vbd_and_plug: VBD.create (never empty), then VBD.plug; an API error from the plug (VM not running, no
 * hot-plug support, an HVM CD drive, …) is ignored and leaves the VBD unplugged. Returns the VBD.
 */
export function createVbdAndPlug(db: Db, args: Omit<VbdCreateArgs, 'empty'>): XObj<'VBD'> {
  const vbd = createVbd(db, { ...args, empty: false })
  try {
    plugVbd(db, vbd)
  } catch (e) {
    if (!(e instanceof XapiError)) throw e
  }
  return vbd
}

export interface AddDiskArgs {
  sr: XObj<'SR'>
  /** bytes, as parsed from disk-size */
  size: number
  /** the userdevice of the new VBD */
  device: string
}

/**
 * vm-disk-add on one VM: a user VDI named (and described) "Created by xe" in `sr`, with sm_config vmhint=<vm uuid>;
 * then an owner VBD (other_config owner="", RW Disk, not bootable, unpluggable) hot-plugged if the VM can take it.
 * If the VBD cannot be created the new VDI is destroyed and the error raised.
 */
export function addVmDisk(db: Db, vm: XObj<'VM'>, a: AddDiskArgs): { vdi: XObj<'VDI'>; vbd: XObj<'VBD'> } {
  const vdi = createVdi(db, {
    sr: a.sr, name_label: XE_DISK_NAME, name_description: XE_DISK_NAME, virtual_size: a.size, type: 'user',
    sharable: false, read_only: false, other_config: [], xenstore_data: [], sm_config: [[SM_VM_HINT, vm.f.uuid]], tags: [],
  })
  try {
    const vbd = createVbdAndPlug(db, {
      vm, vdi, userdevice: a.device, bootable: false, mode: 'RW', type: 'Disk', unpluggable: true,
      other_config: [[OWNER_KEY, '']] as XMap,
    })
    return { vdi, vbd }
  } catch (e) {
    destroyVdi(db, vdi)
    throw e
  }
}

/**
 * vm-disk-remove of one VBD: VBD.destroy (refused while attached), then VDI.destroy of the VDI it pointed at —
 * an empty drive has none, which VDI.destroy reports as HANDLE_INVALID.
 */
export function removeVmDisk(db: Db, vbd: XObj<'VBD'>): void {
  const vdiRef = vbd.f.VDI
  destroyVbd(db, vbd)
  destroyVdi(db, db.get(vdiRef, 'VDI'))
}

/** vm-cd-add: a read-only CD VBD for the ISO VDI (not bootable, unpluggable), hot-plugged when possible. */
export function addVmCd(db: Db, vm: XObj<'VM'>, vdi: XObj<'VDI'>, device: string): XObj<'VBD'> {
  return createVbdAndPlug(db, { vm, vdi, userdevice: device, bootable: false, mode: 'RO', type: 'CD', unpluggable: true, other_config: [] })
}

/** xe vdi-clone: VDI.clone, then the optional new name and description (VDI.set_name_label / set_name_description). */
export function cloneVdiRenamed(db: Db, vdi: XObj<'VDI'>, name?: string, description?: string): XObj<'VDI'> {
  const copy = cloneVdi(db, vdi)
  if (name !== undefined) db.set(copy, { name_label: name })
  if (description !== undefined) db.set(copy, { name_description: description })
  return copy
}
