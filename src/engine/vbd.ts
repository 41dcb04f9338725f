// VBD rules: device numbers (xapi-idl device_number.ml, xapi_vm_helpers.ml allowed_VBD_devices), the operation
// checks and allowed_operations (xapi_vbd_helpers.ml valid_operations), VBD.create/destroy (xapi_vbd.ml,
// xapi_vbd_helpers.ml destroy), plug/unplug/insert/eject as message_forwarding.ml, xapi_vbd.ml and
// xapi_xenops.ml carry them out, and VBD.assert_attachable. Reference: xapi-model.md §3, §4.3, §9.
// Re-expressed from xen-api at the reference commit.
import type { Db, XObj } from './db'
import { XapiError } from './errors'
import { ocamlVariantHash, ocamlVariantHashtblFold } from './ocaml-hashtbl'
import { updateVdiAllowedOperations, VDI_TYPE_STRING } from './vdi'
import { hasPvDrivers } from './vm-lifecycle'
import { EPOCH, NULL_REF, mapGet, type Ref, type XMap } from './values'

export type VbdOp = XObj<'VBD'>['f']['allowed_operations'][number]
type VbdType = XObj<'VBD'>['f']['type']
type VbdMode = XObj<'VBD'>['f']['mode']
type PowerState = XObj<'VM'>['f']['power_state']

// ---------------------------------------------------------------------------------------------------------
// Device numbers (device_number.ml): a disk is (bus, disk, partition).

export type Bus = 'Xen' | 'Scsi' | 'Floppy' | 'Ide'
export type DeviceNumber = readonly [Bus, number, number]

const MAX_OF: Record<Bus, [number, number]> = { Xen: [(1 << 20) - 1, 15], Scsi: [15, 15], Floppy: [2, 0], Ide: [19, 63] }

function makeDevice(bus: Bus, disk: number, partition: number): DeviceNumber | undefined {
  const [dmax, pmax] = MAX_OF[bus]
  return disk >= 0 && disk <= dmax && partition >= 0 && partition <= pmax ? [bus, disk, partition] : undefined
}

/** OCaml int_of_string_opt (63-bit ints; sign, 0x/0o/0b/0u prefixes and '_' separators). */
export function ocamlIntOfString(s: string): number | undefined {
  const m = /^([+-]?)(0[xX][0-9a-fA-F][0-9a-fA-F_]*|0[oO][0-7][0-7_]*|0[bB][01][01_]*|0[uU][0-9][0-9_]*|[0-9][0-9_]*)$/.exec(s)
  if (!m) return undefined
  const body = m[2]!.replace(/_/g, '')
  const p = body.slice(0, 2).toLowerCase()
  const v = p === '0x' || p === '0o' || p === '0b' ? BigInt(body.toLowerCase()) : p === '0u' ? BigInt(body.slice(2)) : BigInt(body)
  const n = m[1] === '-' ? -v : v
  if (n > (1n << 62n) - 1n || n < -(1n << 62n)) return undefined
  return Number(n)
}

/** Device_number.of_disk_number: an HVM guest's first four disks are IDE, everything else is xvd. */
export function deviceOfDiskNumber(hvm: boolean, n: number): DeviceNumber | undefined {
  return makeDevice(hvm && n < 4 ? 'Ide' : 'Xen', n, 0)
}

/**
 * Device_number.of_linux_device: xvd/sd/fd/hd + base-26 letters (from 1) + optional partition digits, or
 * d<N>[p<M>]. Like xapi, the letters are not range-checked ("xvd" alone is disk −1).
 */
export function deviceOfLinuxName(x: string): DeviceNumber | undefined {
  const b26 = (rest: string): [number, number] | undefined => {
    const m = /^([a-z]*)(.*)$/.exec(rest)!
    let v = 0
    for (const c of m[1]!) v = v * 26 + (c.charCodeAt(0) - 96)
    if (m[2] === '') return [v - 1, 0]
    if (!/^[0-9]+$/.test(m[2]!)) return undefined
    const p = Number(m[2])
    return Number.isSafeInteger(p) ? [v - 1, p] : undefined
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
export function deviceOfString(hvm: boolean, s: string): DeviceNumber | undefined {
  const n = ocamlIntOfString(s)
  const d = n === undefined ? undefined : deviceOfDiskNumber(hvm, n)
  return d ?? deviceOfLinuxName(s)
}

/** Device_number.string_of_int26: 0 → a, 25 → z, 26 → aa. */
function int26(x: number): string {
  const high = Math.floor(x / 26) - 1
  const low = (x % 26) + 1
  return (high === -1 ? '' : int26(high)) + String.fromCharCode(96 + low)
}

/** Device_number.to_linux_device: IDE disks are named xvd too. */
export function deviceToLinuxName([bus, disk, partition]: DeviceNumber): string {
  const prefix = bus === 'Scsi' ? 'sd' : bus === 'Floppy' ? 'fd' : 'xvd'
  return `${prefix}${int26(disk)}${partition === 0 ? '' : partition}`
}

/**
 * The Linux device name a VBD gets when plugged (xapi_xenops.ml MD.of_vbd: the userdevice read as a device
 * number for the VM's domain type, then to_linux_device): userdevice N → xvd + base-26 letter.
 * INVALID_DEVICE [userdevice] if it does not parse.
 */
export function linuxDeviceName(userdevice: string, hvm = false): string {
  const d = deviceOfString(hvm, userdevice)
  if (!d) throw new XapiError('INVALID_DEVICE', [userdevice])
  return deviceToLinuxName(d)
}

const sameDevice = (a: DeviceNumber, b: DeviceNumber) => a[0] === b[0] && a[1] === b[1] && a[2] === b[2]

/** possible_VBD_devices_of_string: the device numbers a string may mean (read as HVM, then as PV). */
export function possibleVbdDevices(s: string): DeviceNumber[] {
  return [deviceOfString(true, s), deviceOfString(false, s)].filter((d): d is DeviceNumber => d !== undefined)
}

/** all_used_VBD_devices: every reading of every VBD's device and userdevice. */
export function usedVbdDevices(db: Db, vm: XObj<'VM'>): DeviceNumber[] {
  const vbds = db.referrers('VBD', 'VM', vm.ref)
  return [...vbds.map((b) => b.f.device), ...vbds.map((b) => b.f.userdevice)].flatMap(possibleVbdDevices)
}

/** Helpers.will_have_qemu: HVM guests get a device model. */
const willHaveQemu = (vm: XObj<'VM'>) => vm.f.domain_type === 'hvm'

/**
 * allowed_VBD_devices: the free device numbers for a new VBD of this type — 0–254 (0–255 for a PV control
 * domain), fda/fdb for floppies on HVM guests; floppies on PV guests are unsupported (undefined).
 */
export function freeVbdDevices(db: Db, vm: XObj<'VM'>, type: VbdType): DeviceNumber[] | undefined {
  const hvm = willHaveQemu(vm)
  let all: DeviceNumber[]
  if (type === 'Floppy') {
    if (!hvm) return undefined
    all = [0, 1].map((n) => makeDevice('Floppy', n, 0)!)
  } else {
    const last = !hvm && vm.f.is_control_domain ? 255 : 254
    all = []
    for (let n = 0; n <= last; n++) all.push(deviceOfDiskNumber(hvm, n)!)
  }
  const used = usedVbdDevices(db, vm)
  return all.filter((d) => !used.some((u) => sameDevice(u, d)))
}

/** xapi_vbd_helpers.ml valid_device: "autodetect", a device name, or (not for floppies) any integer. */
function validDevice(dev: string, type: VbdType): boolean {
  if (dev === 'autodetect' || deviceOfString(false, dev)) return true
  return type !== 'Floppy' && ocamlIntOfString(dev) !== undefined
}

// ---------------------------------------------------------------------------------------------------------
// Operation checks (xapi_vbd_helpers.ml valid_operations).

const ALL_OPS: readonly VbdOp[] = ['attach', 'eject', 'unplug', 'unplug_force', 'insert', 'plug', 'pause', 'unpause']
const lower = (s: PowerState) => s[0]!.toLowerCase() + s.slice(1)

/** VBD.reserved and VIF.reserved are internal to xapi (not in the datamodel dump); engine code may set them. */
export const isReserved = (o: XObj<'VBD'> | XObj<'VIF'>) => !!(o.f as { reserved?: boolean }).reserved

/** Helpers.domain_type: the running domain's type (VM_metrics) unless Halted; "unspecified" is an internal error. */
export function vmDomainType(db: Db, vm: XObj<'VM'>): 'hvm' | 'pv' | 'pvh' | 'pv_in_pvh' {
  const t = vm.f.power_state === 'Halted' ? vm.f.domain_type : (db.tryGet(vm.f.metrics, 'VM_metrics')?.f.current_domain_type ?? 'unspecified')
  if (t === 'unspecified') throw new XapiError('INTERNAL_ERROR', ['unspecified domain type'])
  return t
}

/**
 * The hot-plug verdict for a running HVM guest (shared by VBDs and VIFs): an explicit can_use_hotplug_* claim,
 * else PV drivers (VM_MISSING_PV_DRIVERS [vm] without them).
 */
export function hvmHotplugError(db: Db, vm: XObj<'VM'>, kind: 'vbd' | 'vif'): XapiError | undefined {
  const gm = db.tryGet(vm.f.guest_metrics, 'VM_guest_metrics')
  const missing = () => (hasPvDrivers(db, vm) ? undefined : new XapiError('VM_MISSING_PV_DRIVERS', [vm.ref]))
  if (!gm) return missing()
  const claim = kind === 'vbd' ? gm.f.can_use_hotplug_vbd : gm.f.can_use_hotplug_vif
  if (claim === 'yes') return undefined
  if (claim === 'no') return new XapiError('OPERATION_NOT_ALLOWED', [`VM states it does not support ${kind.toUpperCase()} hotplug.`])
  if (gm.f.PV_drivers_detected) return undefined
  return missing()
}

/** Sorts (task, op) pairs as List.sort_uniq by Stdlib.compare on the op does. */
const byOp = (ops: Array<[string, string]>) => [...ops].sort((a, b) => ocamlVariantHash(a[1]) - ocamlVariantHash(b[1]))

/**
 * valid_operations: the error refusing each operation (undefined = possible). `expensive` adds the VDI sharing
 * checks (always made when an operation is asserted, left out of allowed_operations).
 */
function vbdOperationTable(db: Db, vbd: XObj<'VBD'>, expensive: boolean): Map<VbdOp, XapiError | undefined> {
  const ref = vbd.ref
  const table = new Map<VbdOp, XapiError | undefined>(ALL_OPS.map((op) => [op, undefined]))
  const setErrors = (code: string, params: string[], ops: readonly VbdOp[]) => {
    for (const op of ops) if (table.get(op) === undefined) table.set(op, new XapiError(code, params))
  }
  const vm = db.get(vbd.f.VM, 'VM')
  const current = byOp(vbd.f.current_operations as Array<[string, string]>)
  const parallel: VbdOp[] = ['pause', 'unpause']
  if (current.length > 0) {
    const [task, op] = current[0]!
    setErrors('OTHER_OPERATION_IN_PROGRESS', ['VBD', ref, op, task], ALL_OPS.filter((o) => !parallel.includes(o)))
  }
  const serial = current.find(([, op]) => !parallel.includes(op as VbdOp))
  if (serial) setErrors('OTHER_OPERATION_IN_PROGRESS', ['VBD', ref, serial[1], serial[0]], ['pause'])
  const notAttach = current.find(([, op]) => op !== 'attach' && !parallel.includes(op as VbdOp))
  if (notAttach) setErrors('OTHER_OPERATION_IN_PROGRESS', ['VBD', ref, notAttach[1], notAttach[0]], ['unpause'])
  if (!vbd.f.unpluggable) setErrors('VBD_NOT_UNPLUGGABLE', [ref], ['unplug', 'unplug_force'])
  if (vbd.f.type !== 'CD') setErrors('VBD_NOT_REMOVABLE_MEDIA', [ref], ['insert', 'eject'])
  if (vbd.f.empty) setErrors('VBD_IS_EMPTY', [ref], ['eject'])
  else setErrors('VBD_NOT_EMPTY', [ref], ['insert'])
  const power = vm.f.power_state
  const plugged = vbd.f.currently_attached || isReserved(vbd)
  if (power === 'Running' && plugged) setErrors('DEVICE_ALREADY_ATTACHED', [ref], ['plug'])
  else if (power === 'Running') setErrors('DEVICE_ALREADY_DETACHED', [ref], ['unplug', 'unplug_force'])
  else {
    const bad: VbdOp[] = power === 'Paused' ? ['plug', 'unplug', 'unplug_force'] : ['pause', 'unpause', 'plug', 'unplug', 'unplug_force']
    setErrors('VM_BAD_POWER_STATE', [vm.ref, 'running', lower(power)], bad)
  }
  for (const [, op] of vm.f.current_operations as Array<[string, string]>) {
    if (['clean_shutdown', 'hard_shutdown', 'suspend', 'pause'].includes(op)) {
      setErrors('OPERATION_NOT_ALLOWED', [`Current operation on VM:${vm.ref} is ${op}`], ['plug', 'unplug'])
    }
  }
  const domainType = vmDomainType(db, vm)
  if (power === 'Running' && domainType === 'hvm') {
    const plugOps: VbdOp[] = ['plug', 'unplug', 'unplug_force']
    const e = hvmHotplugError(db, vm, 'vbd')
    if (e) setErrors(e.code, e.params, plugOps)
    if (vbd.f.type === 'CD') setErrors('OPERATION_NOT_ALLOWED', ['HVM CDROMs cannot be hotplugged/unplugged, only inserted or ejected'], plugOps)
  }
  if (vbd.f.type === 'CD' && power === 'Suspended') setErrors('VM_BAD_POWER_STATE', [vm.ref, 'halted, running', 'suspended'], ['insert', 'eject'])
  if (!vbd.f.empty) {
    const vdi = db.get(vbd.f.VDI, 'VDI')
    if (!vdi.f.managed) setErrors('VDI_NOT_MANAGED', [ref], ALL_OPS)
    const busy = (vdi.f.current_operations as Array<[string, string]>).find(([, op]) => op !== 'mirror' && op !== 'copy')
    if (busy) setErrors('OTHER_OPERATION_IN_PROGRESS', ['VDI', vdi.ref, busy[1], busy[0]], ['attach', 'plug', 'insert'])
    if (!vbd.f.currently_attached && expensive) {
      const others = db.referrers('VBD', 'VDI', vdi.ref).filter((o) => {
        if (o.ref === ref) return false
        const ovm = db.tryGet(o.f.VM, 'VM')
        if (!ovm || ovm.f.power_state === 'Suspended' || ovm.f.is_control_domain) return false
        return o.f.currently_attached || isReserved(o) || o.f.current_operations.length > 0
      })
      const someoneWrites = others.some((o) => o.f.mode === 'RW')
      const needWrite = vbd.f.mode === 'RW'
      if (!vdi.f.sharable && !vm.f.is_control_domain && (someoneWrites || (needWrite && others.length > 0))) {
        setErrors('VDI_IN_USE', [vdi.ref], ['attach', 'insert', 'plug'])
      }
      if (needWrite && vdi.f.read_only) setErrors('VDI_READONLY', [vdi.ref], ['attach', 'insert', 'plug'])
    }
  }
  return table
}

/** The error Xapi_vbd_helpers.assert_operation_valid would raise for op (with the sharing checks), or undefined. */
export function vbdOperationError(db: Db, vbd: XObj<'VBD'>, op: VbdOp): XapiError | undefined {
  return vbdOperationTable(db, vbd, true).get(op)
}

export function assertVbdOperation(db: Db, vbd: XObj<'VBD'>, op: VbdOp): void {
  const e = vbdOperationError(db, vbd, op)
  if (e) throw e
}

/** VBD.allowed_operations as update_allowed_operations computes it (no sharing checks), in Hashtbl.fold order. */
export function vbdAllowedOperations(db: Db, vbd: XObj<'VBD'>): VbdOp[] {
  const table = vbdOperationTable(db, vbd, false)
  return ocamlVariantHashtblFold(ALL_OPS).filter((op) => table.get(op) === undefined)
}

export function updateVbdAllowedOperations(db: Db, vbd: XObj<'VBD'>): void {
  db.set(vbd, { allowed_operations: vbdAllowedOperations(db, vbd) })
}

/** The error that would refuse attaching this VBD (VBD.assert_attachable), or undefined. */
export function attachError(db: Db, vbd: XObj<'VBD'>): XapiError | undefined {
  return vbdOperationError(db, vbd, 'attach')
}

/** VBD.assert_attachable. */
export function assertAttachable(db: Db, vbd: XObj<'VBD'>): void {
  const e = attachError(db, vbd)
  if (e) throw e
}

// ---------------------------------------------------------------------------------------------------------
// VBD.create / VBD.destroy.

export interface VbdCreateArgs {
  vm: XObj<'VM'> | Ref
  /** ignored (may be NULL) when empty */
  vdi?: XObj<'VDI'> | Ref
  /** "autodetect", a disk number or a device name */
  userdevice: string
  bootable?: boolean
  mode?: VbdMode
  type?: VbdType
  unpluggable?: boolean
  empty?: boolean
  other_config?: XMap
  /** honoured only for a Suspended VM */
  device?: string
  /** honoured only for a Suspended VM */
  currently_attached?: boolean
  qos_algorithm_type?: string
  qos_algorithm_params?: XMap
}

const VDI_TYPES_FOR_VBDS = ['system', 'user', 'ephemeral', 'suspend', 'crashdump', 'metadata', 'rrd', 'pvs_cache']

/**
 * VBD.create with xapi's checks in order: the VDI's type (VDI_INCOMPATIBLE_TYPE [vdi, "<Type>"]), CDs read-only
 * (VBD_CDS_MUST_BE_READONLY), only CDs empty (VBD_NOT_REMOVABLE_MEDIA ["in constructor"]), RW on a read-only VDI
 * (VDI_READONLY), no migration in progress (OTHER_OPERATION_IN_PROGRESS), floppies only on HVM (NOT_IMPLEMENTED),
 * a valid device (INVALID_DEVICE), a unique device (DEVICE_ALREADY_EXISTS). "autodetect" takes the lowest free
 * disk number. Creates the VBD_metrics too; a VBD on a running VM is not plugged.
 */
export function createVbd(db: Db, a: VbdCreateArgs): XObj<'VBD'> {
  const vm = typeof a.vm === 'string' ? db.get(a.vm, 'VM') : a.vm
  const vdiRef = a.vdi === undefined ? NULL_REF : typeof a.vdi === 'string' ? a.vdi : a.vdi.ref
  const type = a.type ?? 'Disk'
  const mode = a.mode ?? 'RW'
  const empty = a.empty ?? false
  const suspended = vm.f.power_state === 'Suspended'
  if (!empty) {
    const vdi = db.get(vdiRef, 'VDI')
    if (!VDI_TYPES_FOR_VBDS.includes(vdi.f.type)) throw new XapiError('VDI_INCOMPATIBLE_TYPE', [vdi.ref, VDI_TYPE_STRING[vdi.f.type]])
  }
  if (type === 'CD' && mode !== 'RO') throw new XapiError('VBD_CDS_MUST_BE_READONLY', [])
  if (type !== 'CD' && empty) throw new XapiError('VBD_NOT_REMOVABLE_MEDIA', ['in constructor'])
  if (mode === 'RW' && db.get(vdiRef, 'VDI').f.read_only) throw new XapiError('VDI_READONLY', [vdiRef])
  const migrating = byOp(vm.f.current_operations as Array<[string, string]>).find(([, op]) => op === 'migrate_send' || op === 'pool_migrate')
  if (migrating) throw new XapiError('OTHER_OPERATION_IN_PROGRESS', ['VM', vm.ref, migrating[1], migrating[0]])
  const free = freeVbdDevices(db, vm, type)
  if (!free) throw new XapiError('NOT_IMPLEMENTED', ["VBD of type 'floppy' is not supported on PV domain"])
  if (!validDevice(a.userdevice, type)) throw new XapiError('INVALID_DEVICE', [a.userdevice])
  let userdevice = a.userdevice
  if (userdevice === 'autodetect') {
    const first = free[0]
    if (!first) throw new XapiError('INVALID_DEVICE', [a.userdevice])
    userdevice = type === 'Floppy' ? deviceToLinuxName(first) : String(first[1])
  }
  const wanted = possibleVbdDevices(userdevice)
  const used = usedVbdDevices(db, vm)
  if (wanted.some((w) => used.some((u) => sameDevice(u, w)))) throw new XapiError('DEVICE_ALREADY_EXISTS', [userdevice])
  const uuid = db.ids.uuid()
  const metrics = db.create('VBD_metrics', { io_read_kbs: 0, io_write_kbs: 0, last_updated: EPOCH, other_config: [] })
  // the SM driver may name a backend kind for the VDI (Xapi_globs.vbd_backend_key)
  let otherConfig = a.other_config ?? []
  const backend = db.tryGet(vdiRef, 'VDI') ? mapGet(db.get(vdiRef, 'VDI').f.sm_config, 'backend-kind') : undefined
  if (backend !== undefined) otherConfig = [['backend-kind', backend], ...otherConfig]
  const vbd = db.create('VBD', {
    uuid,
    allowed_operations: [],
    current_operations: [],
    VM: vm.ref,
    VDI: vdiRef,
    device: suspended ? (a.device ?? '') : '',
    userdevice,
    bootable: a.bootable ?? false,
    mode,
    type,
    unpluggable: a.unpluggable ?? true,
    storage_lock: false,
    empty,
    other_config: otherConfig,
    currently_attached: suspended ? (a.currently_attached ?? false) : false,
    status_code: 0,
    status_detail: '',
    runtime_properties: [],
    qos_algorithm_type: a.qos_algorithm_type ?? '',
    qos_algorithm_params: a.qos_algorithm_params ?? [],
    qos_supported_algorithms: [],
    metrics: metrics.ref,
  })
  updateVbdAllowedOperations(db, vbd)
  return vbd
}

/**
 * VBD.destroy: refused while attached or reserved (OPERATION_NOT_ALLOWED ["VBD '<uuid>' still attached to
 * '<vm uuid>'"]); deletes the VBD_metrics too. The VDI is untouched.
 */
export function destroyVbd(db: Db, vbd: XObj<'VBD'>): void {
  if (vbd.f.currently_attached || isReserved(vbd)) {
    const vm = db.tryGet(vbd.f.VM, 'VM')
    throw new XapiError('OPERATION_NOT_ALLOWED', [`VBD '${vbd.f.uuid}' still attached to '${vm?.f.uuid ?? ''}'`])
  }
  const m = db.tryGet(vbd.f.metrics, 'VBD_metrics')
  if (m) db.destroy(m)
  db.destroy(vbd)
}

/** VBD.set_mode: only while the VM is Halted (VM_BAD_POWER_STATE [vm, "halted", actual]). */
export function setVbdMode(db: Db, vbd: XObj<'VBD'>, mode: VbdMode): void {
  const vm = db.get(vbd.f.VM, 'VM')
  if (vm.f.power_state !== 'Halted') throw new XapiError('VM_BAD_POWER_STATE', [vm.ref, 'halted', lower(vm.f.power_state)])
  db.set(vbd, { mode })
}

// ---------------------------------------------------------------------------------------------------------
// plug / unplug / insert / eject (message_forwarding.ml, xapi_vbd.ml, xapi_xenops.ml).

/** What message forwarding does after a VBD operation: refresh the VBD's and its VDI's allowed operations. */
function refreshVbdAndVdi(db: Db, vbd: XObj<'VBD'>): void {
  updateVbdAllowedOperations(db, vbd)
  if (!vbd.f.empty) {
    const vdi = db.tryGet(vbd.f.VDI, 'VDI')
    if (vdi) updateVdiAllowedOperations(db, vdi)
  }
}

/**
 * What xapi records when xenopsd reports a VBD plugged (no checks): currently_attached and the Linux device
 * name (xvd + base-26 letter of the userdevice; a dom0 loopback VBD gets its blktap node). For VM.start and
 * resume, which attach the VM's devices without the hot-plug checks.
 */
export function attachVbd(db: Db, vbd: XObj<'VBD'>): void {
  attach(db, db.get(vbd.f.VM, 'VM'), vbd)
}

/** What xapi records when a VBD goes away with its domain (shutdown, suspend): not attached, not reserved. */
export function detachVbd(db: Db, vbd: XObj<'VBD'>): void {
  const patch: Partial<XObj<'VBD'>['f']> & { reserved?: boolean } = { currently_attached: false }
  if (isReserved(vbd)) patch.reserved = false
  db.set(vbd, patch)
}

/**
 * The device side of VM.update_allowed_operations (xapi_vm.ml) and message forwarding's update_vbd_operations:
 * every VBD of the VM and the VDI behind it. Call after a VM's power state or operations change.
 */
export function updateVmVbdOperations(db: Db, vm: XObj<'VM'>): void {
  for (const vbd of db.referrers('VBD', 'VM', vm.ref)) {
    try {
      updateVbdAllowedOperations(db, vbd)
      const vdi = vbd.f.empty ? undefined : db.tryGet(vbd.f.VDI, 'VDI')
      if (vdi) updateVdiAllowedOperations(db, vdi)
    } catch {
      // xapi logs and continues (log_exn_continue)
    }
  }
}

function attach(db: Db, vm: XObj<'VM'>, vbd: XObj<'VBD'>): void {
  if (vm.f.is_control_domain) {
    // loopback VBD in dom0: the device is the blktap node /dev/sm/backend/<sr>/<vdi>, without "/dev/"
    const vdi = db.tryGet(vbd.f.VDI, 'VDI')
    const sr = vdi ? db.tryGet(vdi.f.SR, 'SR') : undefined
    db.set(vbd, { device: `sm/backend/${sr?.f.uuid ?? ''}/${vdi?.f.uuid ?? ''}`, currently_attached: true })
    return
  }
  db.set(vbd, { currently_attached: true, device: linuxDeviceName(vbd.f.userdevice, vm.f.domain_type === 'hvm') })
}

/**
 * VBD.plug: the `plug` checks (VM Running, not already attached, hot-plug support, sharing), then an HVM guest's
 * disk must be RW (DISK_VBD_MUST_BE_READWRITE_FOR_HVM); the VBD becomes currently_attached with device xvd<letter>.
 */
export function plugVbd(db: Db, vbd: XObj<'VBD'>): void {
  assertVbdOperation(db, vbd, 'plug')
  const vm = db.get(vbd.f.VM, 'VM')
  if (!vm.f.is_control_domain) {
    const hvm = (db.tryGet(vm.f.metrics, 'VM_metrics')?.f.current_domain_type ?? vm.f.domain_type) === 'hvm'
    if (hvm && vbd.f.type !== 'CD' && vbd.f.mode === 'RO') throw new XapiError('DISK_VBD_MUST_BE_READWRITE_FOR_HVM', [vbd.ref])
  }
  attach(db, vm, vbd)
  refreshVbdAndVdi(db, vbd)
}

/** VBD.unplug / unplug_force: the checks of the operation (unpluggable, VM Running, attached), then detach. */
export function unplugVbd(db: Db, vbd: XObj<'VBD'>, force = false): void {
  assertVbdOperation(db, vbd, force ? 'unplug_force' : 'unplug')
  db.set(vbd, { currently_attached: false })
  refreshVbdAndVdi(db, vbd)
}

/** Xapi_vbd.assert_not_suspended for insert/eject. */
function assertNotSuspended(vm: XObj<'VM'>): void {
  if (vm.f.power_state === 'Suspended') throw new XapiError('VM_BAD_POWER_STATE', [vm.ref, 'halted, running', 'suspended'])
}

/**
 * VBD.insert: the `insert` checks (CD, empty, VDI sharing), then (assert_ok_to_insert) VM not Suspended, removable,
 * empty, VDI managed. On a Halted VM or an HVM guest the media just appears; a PV guest's drive is plugged.
 */
export function insertVbd(db: Db, vbd: XObj<'VBD'>, vdi: XObj<'VDI'>): void {
  assertVbdOperation(db, vbd, 'insert')
  const vm = db.get(vbd.f.VM, 'VM')
  assertNotSuspended(vm)
  if (vbd.f.type !== 'CD') throw new XapiError('VBD_NOT_REMOVABLE_MEDIA', [vbd.ref])
  if (!vbd.f.empty) throw new XapiError('VBD_NOT_EMPTY', [vbd.ref])
  if (!vdi.f.managed) throw new XapiError('VDI_NOT_MANAGED', [vdi.ref])
  db.set(vbd, { VDI: vdi.ref, empty: false })
  const running = vm.f.power_state !== 'Halted'
  const hvm = (db.tryGet(vm.f.metrics, 'VM_metrics')?.f.current_domain_type ?? vm.f.domain_type) === 'hvm'
  if (running && !hvm) attach(db, vm, vbd)
  refreshVbdAndVdi(db, vbd)
}

/** VBD.eject: the `eject` checks (CD, not empty), VM not Suspended; a PV guest's drive is unplugged first. */
export function ejectVbd(db: Db, vbd: XObj<'VBD'>): void {
  assertVbdOperation(db, vbd, 'eject')
  const vm = db.get(vbd.f.VM, 'VM')
  if (vbd.f.type !== 'CD') throw new XapiError('VBD_NOT_REMOVABLE_MEDIA', [vbd.ref])
  if (vbd.f.empty) throw new XapiError('VBD_IS_EMPTY', [vbd.ref])
  assertNotSuspended(vm)
  const vdi = db.tryGet(vbd.f.VDI, 'VDI')
  const running = vm.f.power_state !== 'Halted'
  const hvm = (db.tryGet(vm.f.metrics, 'VM_metrics')?.f.current_domain_type ?? vm.f.domain_type) === 'hvm'
  if (running && !hvm) db.set(vbd, { currently_attached: false })
  db.set(vbd, { empty: true, VDI: NULL_REF })
  updateVbdAllowedOperations(db, vbd)
  if (vdi) updateVdiAllowedOperations(db, vdi)
}
