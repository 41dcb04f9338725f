// VIF rules: device and MAC checks, MAC generation from the VM's mac_seed (xapi_vif_helpers.ml gen_mac), the
// operation checks and allowed_operations (xapi_vif_helpers.ml valid_operations), VIF.create/destroy
// (xapi_vif.ml, xapi_vif_helpers.ml), plug/unplug (message_forwarding.ml, xapi_xenops.ml), move and the guest IP
// configuration (xapi_vif.ml).
// Reference: xapi-model.md §3, §10. Re-expressed from xen-api at the reference commit.
import type { Db, XObj } from './db'
import { XapiError } from './errors'
import { ocamlVariantHashtblFold } from './ocaml-hashtbl'
import { hvmHotplugError, vmDomainType, isReserved } from './vbd'
import { EPOCH, mapGet, type Ref, type XMap } from './values'
import { assertValidCidr, assertValidIp, parseCidr } from './ip'
import { assertCanSeeNetworks, attachNetwork } from './network'
import { guestAgentReports, reportedNetworks } from './guest-metrics'

export type VifOp = XObj<'VIF'>['f']['allowed_operations'][number]
type LockingMode = XObj<'VIF'>['f']['locking_mode']
type PowerState = XObj<'VM'>['f']['power_state']

// node:crypto costs ~3 ms to load; only VIF creation needs it.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const crypto = () => require('node:crypto') as typeof import('node:crypto')

// ---------------------------------------------------------------------------------------------------------
// Devices and MACs.

/**
 * valid_device: `Scanf.sscanf dev "%u%!"` — an unsigned decimal integer (digits, '_' after the first) and
 * nothing else. Returns its value (int_of_string), undefined when invalid.
 */
export function vifDeviceNumber(device: string): number | undefined {
  if (!/^[0-9][0-9_]*$/.test(device)) return undefined
  const n = BigInt(device.replace(/_/g, ''))
  return n < 1n << 62n ? Number(n) : undefined
}

/** record_util.ml mac_from_int_array: locally administered (bit 1 set), unicast (bit 0 clear), lower-case hex. */
function macFromBytes(bytes: number[]): string {
  const b = [...bytes]
  b[0] = (b[0]! | 0x2) & ~0x1
  return b.map((x) => x.toString(16).padStart(2, '0')).join(':')
}

/**
 * gen_mac (device, seed): MD5 applied 2·device + 1 times starting from the seed string (each round hashes the
 * previous 16-byte digest), then once more; the MAC is bytes 0–3 of the first digest and 1–2 of the second.
 */
export function generateMac(seed: string, device: number): string {
  const md5 = (b: Buffer) => crypto().createHash('md5').update(b).digest()
  let h = md5(Buffer.from(seed, 'utf8'))
  for (let i = 0; i < 2 * device; i++) h = md5(h)
  const h2 = md5(h)
  return macFromBytes([h[0]!, h[1]!, h[2]!, h[3]!, h2[1]!, h2[2]!])
}

/** Helpers.is_valid_MAC: six ':'-separated pairs of hex digits (either case). */
export function isValidMac(mac: string): boolean {
  const parts = mac.split(':')
  return parts.length === 6 && parts.every((p) => /^[0-9a-fA-F]{2}$/.test(p))
}

/**
 * xe vif-create mac=random (record_util.ml random_mac_local): `Array.make 6 (Random.int 0x100)` draws ONE byte
 * and repeats it six times, so real hosts give MACs like 36:37:37:37:37:37. The draw comes from db.ids.
 */
export function randomMac(db: Db): string {
  const r = Math.floor(db.ids.random() * 0x100) & 0xff
  return macFromBytes([r, r, r, r, r, r])
}

// ---------------------------------------------------------------------------------------------------------
// Operation checks (xapi_vif_helpers.ml valid_operations).

const ALL_OPS: readonly VifOp[] = ['attach', 'plug', 'unplug']
const lower = (s: PowerState) => s[0]!.toLowerCase() + s.slice(1)

/** Helpers.is_domain_zero: the control domain its host names as such. */
function isDomainZero(db: Db, vm: XObj<'VM'>): boolean {
  if (!vm.f.is_control_domain) return false
  const host = db.tryGet(vm.f.resident_on, 'host')
  return !!host && host.f.control_domain === vm.ref
}

/** Xapi_network_sriov_helpers.is_sriov_network: a network whose PIFs are SR-IOV logical PIFs. */
function isSriovNetwork(db: Db, network: Ref): boolean {
  return db.referrers('PIF', 'network', network).some((p) => db.referrers('network_sriov', 'logical_PIF', p.ref).length > 0)
}

function vifOperationTable(db: Db, vif: XObj<'VIF'>): Map<VifOp, XapiError | undefined> {
  const ref = vif.ref
  const table = new Map<VifOp, XapiError | undefined>(ALL_OPS.map((op) => [op, undefined]))
  const setErrors = (code: string, params: string[], ops: readonly VifOp[]) => {
    for (const op of ops) if (table.get(op) === undefined) table.set(op, new XapiError(code, params))
  }
  const vm = db.get(vif.f.VM, 'VM')
  const current = vif.f.current_operations as Array<[string, string]>
  if (current.length > 0) {
    // built with a left fold that prepends: the lists come out reversed
    const refs = current.map(([t]) => t).reverse()
    const types = current.map(([, op]) => op).reverse()
    setErrors('OTHER_OPERATION_IN_PROGRESS', ['VIF', ref, `{${types.join('; ')}}`, `{${refs.join('; ')}}`], ALL_OPS)
  }
  if (isDomainZero(db, vm)) setErrors('OPERATION_NOT_ALLOWED', ['Control domain does not support hotplug'], ['plug'])
  if (isSriovNetwork(db, vif.f.network)) setErrors('OPERATION_NOT_ALLOWED', ['Network SR-IOV VIF plug/unplug not allowed'], ['plug', 'unplug'])
  const power = vm.f.power_state
  const plugged = vif.f.currently_attached || isReserved(vif)
  if (power === 'Running' && plugged) setErrors('DEVICE_ALREADY_ATTACHED', [ref], ['plug'])
  else if (power === 'Running') setErrors('DEVICE_ALREADY_DETACHED', [ref], ['unplug'])
  else setErrors('VM_BAD_POWER_STATE', [vm.ref, 'running', lower(power)], ['plug', 'unplug'])
  for (const [, op] of vm.f.current_operations as Array<[string, string]>) {
    if (['clean_shutdown', 'hard_shutdown', 'suspend', 'pause'].includes(op)) {
      setErrors('OPERATION_NOT_ALLOWED', [`Current operation on VM:${vm.ref} is ${op}`], ['plug', 'unplug'])
    }
  }
  if (power === 'Running' && vmDomainType(db, vm) === 'hvm') {
    const e = hvmHotplugError(db, vm, 'vif')
    if (e) setErrors(e.code, e.params, ['plug', 'unplug'])
  }
  return table
}

/** The error Xapi_vif_helpers.assert_operation_valid would raise for op, or undefined. */
export function vifOperationError(db: Db, vif: XObj<'VIF'>, op: VifOp): XapiError | undefined {
  return vifOperationTable(db, vif).get(op)
}

export function assertVifOperation(db: Db, vif: XObj<'VIF'>, op: VifOp): void {
  const e = vifOperationError(db, vif, op)
  if (e) throw e
}

/** VIF.allowed_operations as update_allowed_operations computes it, in Hashtbl.fold order. */
export function vifAllowedOperations(db: Db, vif: XObj<'VIF'>): VifOp[] {
  const table = vifOperationTable(db, vif)
  return ocamlVariantHashtblFold(ALL_OPS).filter((op) => table.get(op) === undefined)
}

export function updateVifAllowedOperations(db: Db, vif: XObj<'VIF'>): void {
  db.set(vif, { allowed_operations: vifAllowedOperations(db, vif) })
}

// ---------------------------------------------------------------------------------------------------------
// VIF.create / VIF.destroy.

export interface VifCreateArgs {
  vm: XObj<'VM'> | Ref
  network: XObj<'network'> | Ref
  /** an unsigned decimal integer ("0".."15" are the ones get_allowed_VIF_devices offers) */
  device: string
  /** "" → derived from the VM's other_config:mac_seed; "random" → what `xe vif-create mac=random` sends */
  mac?: string
  /** default: the network's MTU (what xe vif-create passes) */
  mtu?: number
  other_config?: XMap
  /** honoured only for a Suspended VM */
  currently_attached?: boolean
  qos_algorithm_type?: string
  qos_algorithm_params?: XMap
  locking_mode?: LockingMode
  ipv4_allowed?: string[]
  ipv6_allowed?: string[]
}

/**
 * VIF.create with xapi's checks in order: locking needs the VIF_locking licence feature (LICENCE_RESTRICTION),
 * a valid device (INVALID_DEVICE), a MAC — derived from mac_seed when "" (MAC_autogenerated), else it must be
 * valid (MAC_INVALID) — and a device no other VIF of the VM has (DEVICE_ALREADY_EXISTS). Creates VIF_metrics;
 * a VIF on a running VM is not plugged.
 */
export function createVif(db: Db, a: VifCreateArgs): XObj<'VIF'> {
  const vm = typeof a.vm === 'string' ? db.get(a.vm, 'VM') : a.vm
  const network = typeof a.network === 'string' ? db.get(a.network, 'network') : a.network
  const lockingMode = a.locking_mode ?? 'network_default'
  const ipv4 = a.ipv4_allowed ?? []
  const ipv6 = a.ipv6_allowed ?? []
  let mac = a.mac ?? ''
  if (mac === 'random') mac = randomMac(db)
  const restrictions = db.all('pool')[0]?.f.restrictions ?? []
  if ((lockingMode === 'locked' || ipv4.length > 0 || ipv6.length > 0) && mapGet(restrictions, 'restrict_vif_locking') === 'true') {
    throw new XapiError('LICENCE_RESTRICTION', ['VIF_locking'])
  }
  const uuid = db.ids.uuid()
  const seed = mapGet(vm.f.other_config, 'mac_seed')
  const device = vifDeviceNumber(a.device)
  if (device === undefined) throw new XapiError('INVALID_DEVICE', [a.device])
  let autogenerated = false
  if (seed !== undefined && mac === '') {
    mac = generateMac(seed, device)
    autogenerated = true
  }
  if (!isValidMac(mac)) throw new XapiError('MAC_INVALID', [mac])
  if (db.referrers('VIF', 'VM', vm.ref).some((v) => vifDeviceNumber(v.f.device) === device)) throw new XapiError('DEVICE_ALREADY_EXISTS', [a.device])
  const metrics = db.create('VIF_metrics', { io_read_kbs: 0, io_write_kbs: 0, last_updated: EPOCH, other_config: [] })
  const vif = db.create('VIF', {
    uuid,
    allowed_operations: [],
    current_operations: [],
    device: a.device,
    network: network.ref,
    VM: vm.ref,
    MAC: mac,
    MTU: a.mtu ?? network.f.MTU,
    other_config: a.other_config ?? [],
    currently_attached: vm.f.power_state === 'Suspended' ? (a.currently_attached ?? false) : false,
    status_code: 0,
    status_detail: '',
    runtime_properties: [],
    qos_algorithm_type: a.qos_algorithm_type ?? '',
    qos_algorithm_params: a.qos_algorithm_params ?? [],
    qos_supported_algorithms: [],
    metrics: metrics.ref,
    MAC_autogenerated: autogenerated,
    locking_mode: lockingMode,
    ipv4_allowed: ipv4,
    ipv6_allowed: ipv6,
    ipv4_configuration_mode: 'None',
    ipv4_addresses: [],
    ipv4_gateway: '',
    ipv6_configuration_mode: 'None',
    ipv6_addresses: [],
    ipv6_gateway: '',
    trunks: [],
  })
  updateVifAllowedOperations(db, vif)
  return vif
}

/**
 * VIF.destroy: refused when the VM has a domain (domid ≠ -1) and the VIF is attached (OPERATION_NOT_ALLOWED
 * ["VIF currently attached to a running VM"]); deletes the VIF_metrics too.
 */
export function destroyVif(db: Db, vif: XObj<'VIF'>): void {
  const vm = db.tryGet(vif.f.VM, 'VM')
  if (vm && vm.f.domid !== -1 && vif.f.currently_attached) throw new XapiError('OPERATION_NOT_ALLOWED', ['VIF currently attached to a running VM'])
  const m = db.tryGet(vif.f.metrics, 'VIF_metrics')
  if (m) db.destroy(m)
  db.destroy(vif)
}

// ---------------------------------------------------------------------------------------------------------
// plug / unplug.

/** What xapi records when xenopsd reports a VIF plugged (no checks; for VM.start and resume). */
export function attachVif(db: Db, vif: XObj<'VIF'>): void {
  db.set(vif, { currently_attached: true })
}

/** What xapi records when a VIF goes away with its domain: not attached, not reserved. */
export function detachVif(db: Db, vif: XObj<'VIF'>): void {
  const patch: Partial<XObj<'VIF'>['f']> & { reserved?: boolean } = { currently_attached: false }
  if (isReserved(vif)) patch.reserved = false
  db.set(vif, patch)
}

/** The VIF side of VM.update_allowed_operations (xapi_vm.ml) / update_vif_operations. */
export function updateVmVifOperations(db: Db, vm: XObj<'VM'>): void {
  for (const vif of db.referrers('VIF', 'VM', vm.ref)) {
    try {
      updateVifAllowedOperations(db, vif)
    } catch {
      // xapi logs and continues
    }
  }
}

/** VIF.plug: the `plug` checks (VM Running, not attached, not dom0, hot-plug support), then attached. */
export function plugVif(db: Db, vif: XObj<'VIF'>): void {
  assertVifOperation(db, vif, 'plug')
  db.set(vif, { currently_attached: true })
  updateVifAllowedOperations(db, vif)
}

/** VIF.unplug / unplug_force (both checked as `unplug`), then detached. */
export function unplugVif(db: Db, vif: XObj<'VIF'>): void {
  assertVifOperation(db, vif, 'unplug')
  db.set(vif, { currently_attached: false })
  updateVifAllowedOperations(db, vif)
}

// ---------------------------------------------------------------------------------------------------------
// VIF.move and the guest IP configuration (xapi_vif.ml).

/** Xapi_vif.device_active: attached and the VM not suspended. */
export function vifDeviceActive(db: Db, vif: XObj<'VIF'>): boolean {
  const vm = db.get(vif.f.VM, 'VM')
  return vif.f.currently_attached && vm.f.power_state !== 'Suspended'
}

/**
 * Xapi_vif.move_internal: the VIF's network changes; an active VIF is moved by xenopsd to the new bridge, for which
 * the network is first attached on the VM's host (Xapi_network.attach_for_vif: its PIFs there come up).
 */
export function moveVifInternal(db: Db, vif: XObj<'VIF'>, network: XObj<'network'>, active = vifDeviceActive(db, vif)): void {
  db.set(vif, { network: network.ref })
  if (!active) return
  const vm = db.get(vif.f.VM, 'VM')
  const host = db.tryGet(vm.f.resident_on, 'host')
  if (host) attachNetwork(db, network, host)
}

/**
 * VIF.move: an active VIF's new network must be reachable from the VM's host (VM_REQUIRES_NETWORK is reported as
 * HOST_CANNOT_ATTACH_NETWORK [host, network]); a VIF with trunks needs a network without VLAN PIFs
 * (NETWORK_INCOMPATIBLE_WITH_TRUNKS).
 */
export function moveVif(db: Db, vif: XObj<'VIF'>, network: XObj<'network'>): void {
  const active = vifDeviceActive(db, vif)
  if (active) {
    const vm = db.get(vif.f.VM, 'VM')
    const host = db.get(vm.f.resident_on, 'host')
    try {
      assertCanSeeNetworks(db, vm, host, [network.ref])
    } catch (e) {
      if (e instanceof XapiError && e.code === 'VM_REQUIRES_NETWORK') throw new XapiError('HOST_CANNOT_ATTACH_NETWORK', [host.ref, network.ref])
      throw e
    }
  }
  if ((vif.f.trunks ?? []).length > 0 && db.referrers('PIF', 'network', network.ref).some((p) => p.f.VLAN !== -1)) {
    throw new XapiError('NETWORK_INCOMPATIBLE_WITH_TRUNKS', [network.ref])
  }
  moveVifInternal(db, vif, network, active)
}

type V4Mode = 'None' | 'Static' | 'DHCP'
type V6Mode = 'None' | 'Static' | 'Autoconf'

/** The locking mode in force: the network's default for network_default. */
function effectiveLockingMode(db: Db, vif: XObj<'VIF'>): string {
  return vif.f.locking_mode === 'network_default' ? db.get(vif.f.network, 'network').f.default_locking_mode : vif.f.locking_mode
}

/** assert_no_locking_mode_conflict: a locked VIF may only be given an address it is allowed. */
function assertNoLockingConflict(db: Db, vif: XObj<'VIF'>, kind: 'ipv4' | 'ipv6', address: string): void {
  if (effectiveLockingMode(db, vif) !== 'locked') return
  const allowed = kind === 'ipv4' ? vif.f.ipv4_allowed : vif.f.ipv6_allowed
  const c = parseCidr(kind, address)
  if (c && !allowed.includes(c.address)) throw new XapiError('ADDRESS_VIOLATES_LOCKING_CONSTRAINT', [address])
}

/** assert_has_feature_static_ip_setting: the guest's agent reported feature-static-ip-setting=1 (VM_LACKS_FEATURE). */
function assertStaticIpFeature(db: Db, vif: XObj<'VIF'>): void {
  const vm = db.get(vif.f.VM, 'VM')
  const gm = db.tryGet(vm.f.guest_metrics, 'VM_guest_metrics')
  if (!gm || mapGet(gm.f.other, 'feature-static-ip-setting') !== '1') throw new XapiError('VM_LACKS_FEATURE', [vm.ref])
}

/** Static guest IP setting is a licensed feature (Features.Guest_ip_setting, "GuestIP"). */
function assertGuestIpLicensed(db: Db): void {
  const restrictions = db.all('pool')[0]?.f.restrictions ?? []
  if (mapGet(restrictions, 'restrict_guest_ip_setting') === 'true') throw new XapiError('LICENCE_RESTRICTION', ['GuestIP'])
}

/** xenopsd passes an active VIF's configuration to the guest's agent, which applies it and reports its addresses. */
function guestApplies(db: Db, vif: XObj<'VIF'>): void {
  if (!vifDeviceActive(db, vif)) return
  const vm = db.get(vif.f.VM, 'VM')
  if (vm.f.power_state === 'Running') guestAgentReports(db, vm, reportedNetworks(db, vm))
}

/**
 * VIF.configure_ipv4 / configure_ipv6: Static needs the licence, a CIDR address of the family
 * (INVALID_CIDR_ADDRESS_SPECIFIED), one the locking allows, and a valid gateway if given; every mode needs a guest
 * agent with static IP setting. The VIF records [address] and the gateway; an active VIF's guest applies it.
 */
export function configureVifIp(db: Db, vif: XObj<'VIF'>, family: 'ipv4', mode: V4Mode, address: string, gateway: string): void
export function configureVifIp(db: Db, vif: XObj<'VIF'>, family: 'ipv6', mode: V6Mode, address: string, gateway: string): void
export function configureVifIp(db: Db, vif: XObj<'VIF'>, family: 'ipv4' | 'ipv6', mode: V4Mode | V6Mode, address: string, gateway: string): void {
  if (mode === 'Static') {
    assertGuestIpLicensed(db)
    assertValidCidr(family, 'address', address)
    assertNoLockingConflict(db, vif, family, address)
    if (gateway !== '') assertValidIp(family, 'gateway', gateway)
  }
  assertStaticIpFeature(db, vif)
  db.set(vif, { [`${family}_configuration_mode`]: mode, [`${family}_addresses`]: [address], [`${family}_gateway`]: gateway } as Partial<XObj<'VIF'>['f']>)
  guestApplies(db, vif)
}
