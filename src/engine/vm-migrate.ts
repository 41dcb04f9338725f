// Moving running VMs between the hosts of a pool: VM.pool_migrate as the coordinator forwards it
// (message_forwarding.ml pool_migrate: CPU check, the pool_migrate operation, the destination checked with
// assert_can_boot_here and reserved) and the hosts run it (xapi_vm_migrate.ml pool_migrate / pool_migrate_complete);
// and Host.evacuate with its plan (xapi_host.ml compute_evacuation_plan_no_wlb, evacuate,
// get_vms_which_prevent_evacuation; xapi_ha_vm_failover.ml / binpack.ml: biggest-fit-decreasing by free memory).
// The domain moves at once (xenopsd-simulator-like). Reference: xapi-model.md §5.4, §5.6, §13.
// Re-expressed from xen-api at the reference commit.
import type { Db, XObj } from './db'
import { XapiError } from './errors'
import { computeFreeMemory, hostCpuVendor, hostGuestFeatureset } from './host'
import { assertHaPlanKept } from './host-maintenance'
import { assertHostOperation, updateHostAllowedOperations } from './host-ops'
import { vmMessage } from './message'
import { updateVmVbdOperations } from './vbd'
import { updateVmVifOperations } from './vif'
import { assertCanBootHere, requiredMemoryBytes, startMemoryBytes } from './vm'
import { accountVdiWrite, createVdi, destroyVdi } from './vdi'
import { copyVdiData, homeOf, vdiExtents, vdiPlace } from './vdi-data'
import { assertOperation, checkOperation, updateAllowedOperations } from './vm-lifecycle'
import { assertPoolFeature } from './vm-memory'
import { attachNetworks, nextDomid, removePendingGuidance, syncConsoles } from './vm-power'
import { RefHashtbl } from './ocaml-hashtbl'
import { mapGet, NULL_REF, type Ref } from './values'

export interface MigrateOptions {
  /** skip the CPU compatibility check and the strict operation checks */
  force?: boolean
  /** Host.evacuate's network= option: the destination must have an address on it */
  network?: XObj<'network'>
}

/** CPU feature words ("0123abcd-…") of the VM are all present in the host's (Xenopsd.HOST.is_compatible). */
function featuresSubset(vm: string, host: string): boolean {
  const words = (s: string) => s.split('-').map((w) => BigInt(`0x${w || '0'}`))
  try {
    const h = words(host)
    return words(vm).every((w, i) => (w & ~(h[i] ?? 0n)) === 0n)
  } catch {
    return false
  }
}

/**
 * Cpuid_helpers.assert_vm_is_compatible for a live VM: the CPU it last booted on has the host's vendor and no
 * feature the host lacks; VM_INCOMPATIBLE_WITH_THIS_HOST [vm, host, reason].
 */
function assertCpuCompatible(vm: XObj<'VM'>, host: XObj<'host'>): void {
  if (vm.f.power_state === 'Halted') return
  const fail = (msg: string) => new XapiError('VM_INCOMPATIBLE_WITH_THIS_HOST', [vm.ref, host.ref, msg])
  const vendor = mapGet(vm.f.last_boot_CPU_flags, 'vendor')
  if (vendor !== undefined && vendor !== hostCpuVendor(host)) throw fail('VM last booted on a host which had a CPU from a different vendor.')
  const features = mapGet(vm.f.last_boot_CPU_flags, 'features')
  if (features !== undefined && !featuresSubset(features, hostGuestFeatureset(host, vm.f.domain_type !== 'pv'))) {
    throw fail("VM last booted on a CPU with features this host's CPU does not have.")
  }
}

/** Xapi_network_attach_helpers.assert_valid_ip_configuration_on_network_for_host. */
function assertAddressOnNetwork(db: Db, net: XObj<'network'>, host: XObj<'host'>): void {
  const pif = db.referrers('PIF', 'network', net.ref).find((p) => p.f.host === host.ref)
  if (!pif) throw new XapiError('PIF_NOT_PRESENT', [host.ref, net.ref])
  if (!pif.f.currently_attached) throw new XapiError('REQUIRED_PIF_IS_UNPLUGGED', [pif.ref])
  const ip = pif.f.primary_address_type === 'IPv6' ? (pif.f.IPv6[0] ?? '') : pif.f.IP
  if (ip === '') throw new XapiError('INTERFACE_HAS_NO_IP', [pif.ref])
}

/**
 * VM.pool_migrate(vm, host, options): live migration to another (or the same: "localhost migration") host of the
 * pool. Unless forced, the CPU check; the `pool_migrate` operation check (strict unless forced: Running only,
 * VM_IS_IMMOBILE, VM_LACKS_FEATURE, …); the destination passes assert_can_boot_here (HOST_NOT_LIVE, HOST_DISABLED,
 * VM_REQUIRES_SR, VM_REQUIRES_NETWORK, HOST_NOT_ENOUGH_FREE_MEMORY with the VM counted there too, …) and its
 * `vm_migrate` operation check; the Xen_motion licence. Then the domain moves: resident_on, a new domid, consoles
 * served by the destination, its networks attached there; guest metrics and start time travel with the guest.
 * Message VM_MIGRATED.
 */
export function poolMigrate(db: Db, vm: XObj<'VM'>, host: XObj<'host'>, opts: MigrateOptions = {}): void {
  const force = opts.force ?? false
  if (!force) assertCpuCompatible(vm, host)
  const source = db.tryGet(vm.f.resident_on, 'host')
  assertOperation(db, vm, 'pool_migrate', !force)
  // reserve_memory_for_vm: the destination's checks (no CPU check here), then its vm_migrate operation check
  assertCanBootHere(db, vm, host)
  if (db.all('pool')[0]?.f.ha_enabled) (require('./ha') as typeof import('./ha')).checkVmPreservesHaPlan(db, vm, host)
  assertHostOperation(db, host, 'vm_migrate')
  // Xapi_vm_migrate.pool_migrate on the source host
  assertPoolFeature(db, 'restrict_xen_motion', 'Xen_motion')
  if (opts.network) assertAddressOnNetwork(db, opts.network, host)
  // the domain moves; pool_migrate_complete on the destination
  moveDomain(db, vm, host)
  updateAllowedOperations(db, vm)
  updateHostAllowedOperations(db, host)
  migratedMessage(db, vm, source ?? host, host)
  updateVmVbdOperations(db, vm)
  updateVmVifOperations(db, vm)
}

// ---------------------------------------------------------------------------------------------------------
// Host evacuation.

/** Each VM's plan — the host it goes to, or why it cannot go anywhere — in xapi's Hashtbl (keyed by VM). */
export type EvacuationPlan = RefHashtbl<{ host: XObj<'host'> } | { error: XapiError }>

/** vm_memory (xapi_ha_vm_failover.ml): what the VM needs on a host, dynamic_min for HVM/PV, static_max for PVH. */
function evacuationMemory(vm: XObj<'VM'>): number {
  const pvh = vm.f.domain_type === 'pvh' || vm.f.domain_type === 'pv_in_pvh'
  return requiredMemoryBytes(vm.f, pvh ? vm.f.memory_static_max : vm.f.memory_dynamic_min)
}

/**
 * Binpack.biggest_fit_decreasing: biggest VM first into the host with most room; VMs that do not fit are left out.
 * The mapping comes back last-placed first (it is built by consing).
 */
function biggestFitDecreasing(vms: Array<[XObj<'VM'>, number]>, hosts: Array<[XObj<'host'>, number]>): Array<[Ref, XObj<'host'>]> {
  const things = [...vms].sort((a, b) => b[1] - a[1])
  let bins = [...hosts].sort((a, b) => b[1] - a[1])
  const plan: Array<[Ref, XObj<'host'>]> = []
  for (const [vm, size] of things) {
    const first = bins[0]
    if (!first || first[1] - size < 0) continue
    const rest = bins.slice(1)
    const i = rest.findIndex(([, free]) => first[1] - size >= free)
    const entry: [XObj<'host'>, number] = [first[0], first[1] - size]
    bins = i < 0 ? [...rest, entry] : [...rest.slice(0, i), entry, ...rest.slice(i)]
    plan.unshift([vm.ref, first[0]])
  }
  return plan
}

const errorOf = (e: unknown): XapiError => {
  if (e instanceof XapiError) return e
  throw e
}

/**
 * compute_evacuation_plan_no_wlb: the targets are the other enabled hosts. Without any, every user VM resident on
 * the host gets NO_HOSTS_AVAILABLE [vm]. With HA on, VMs it does not protect get HOST_EVACUATE_VM_NOT_HA_PROTECTED
 * [vm]. Otherwise each VM must pass assert_can_boot_here (no memory check) on
 * every target and the strict `pool_migrate` operation check; those that do are packed by memory
 * (HOST_NOT_ENOUGH_FREE_MEMORY [vm] for those that fit nowhere) and checked again on their host.
 */
export function evacuationPlan(db: Db, host: XObj<'host'>): EvacuationPlan {
  const targets = db.all('host').filter((h) => h.f.enabled && h.ref !== host.ref)
  const vms = db.referrers('VM', 'resident_on', host.ref).filter((v) => !v.f.is_control_domain)
  const plan: EvacuationPlan = new RefHashtbl()
  if (targets.length === 0) {
    for (const vm of vms) plan.replace(vm.ref, { error: new XapiError('NO_HOSTS_AVAILABLE', [vm.ref]) })
    return plan
  }
  // with HA on, only protected VMs (ha_always_run with restart priority) may move: the others must be suspended
  const ha = !!db.all('pool')[0]?.f.ha_enabled
  const isProtected = (vm: XObj<'VM'>) => !ha || (vm.f.ha_always_run && vm.f.ha_restart_priority === 'restart')
  for (const vm of vms) if (!isProtected(vm)) plan.replace(vm.ref, { error: new XapiError('HOST_EVACUATE_VM_NOT_HA_PROTECTED', [vm.ref]) })
  const migratable = vms.filter(isProtected).filter((vm) => {
    try {
      for (const t of targets) {
        assertCpuCompatible(vm, t)
        assertCanBootHere(db, vm, t, { memoryCheck: false })
      }
      return true
    } catch (e) {
      plan.replace(vm.ref, { error: errorOf(e) })
      return false
    }
  })
  for (const vm of vms) {
    const e = checkOperation(db, vm, 'pool_migrate', true)
    if (e) plan.replace(vm.ref, { error: e })
  }
  const packed = biggestFitDecreasing(migratable.map((v) => [v, evacuationMemory(v)]), targets.map((h) => [h, computeFreeMemory(db, h)]))
  const placed = new Set(packed.map(([ref]) => ref))
  for (const vm of migratable) if (!placed.has(vm.ref)) plan.replace(vm.ref, { error: new XapiError('HOST_NOT_ENOUGH_FREE_MEMORY', [vm.ref]) })
  for (const [ref, target] of packed) {
    const vm = db.get(ref, 'VM')
    try {
      assertCpuCompatible(vm, target)
      assertCanBootHere(db, vm, target, { memoryCheck: false })
    } catch (e) {
      plan.replace(ref, { error: errorOf(e) })
    }
    if (!plan.has(ref)) plan.replace(ref, { host: target })
  }
  return plan
}

/** Host.get_vms_which_prevent_evacuation: each VM that cannot move, with [code, ...params] (a Hashtbl.fold: reversed). */
export function vmsWhichPreventEvacuation(db: Db, host: XObj<'host'>): Array<[XObj<'VM'>, string[]]> {
  const out: Array<[XObj<'VM'>, string[]]> = []
  for (const [ref, p] of evacuationPlan(db, host).entries()) if ('error' in p) out.unshift([db.get(ref, 'VM'), [p.error.code, ...p.error.params]])
  return out
}

/**
 * Host.evacuate(host, network, batch_size): with HA on, the failover plan must survive the host's loss; the
 * `evacuate` host operation check; the plan, whose first error is
 * raised before anything moves; with a network, every destination must have an address on it; then each VM is
 * pool-migrated (live) to its planned host. The host is not disabled by this (xe's callers disable it first).
 */
export function evacuateHost(db: Db, host: XObj<'host'>, network?: XObj<'network'>): void {
  assertHaPlanKept(db, host)
  assertHostOperation(db, host, 'evacuate')
  const plan = evacuationPlan(db, host)
  const entries = plan.entries()
  for (const [, p] of entries) if ('error' in p) throw p.error
  if (network) for (const t of new Set(entries.map(([, p]) => ('host' in p ? p.host : host)))) assertAddressOnNetwork(db, network, t)
  for (const [ref, p] of entries) {
    const vm = db.get(ref, 'VM')
    if (!('host' in p)) continue
    try {
      poolMigrate(db, vm, p.host, { network })
    } catch (e) {
      // a VM that stopped running meanwhile is skipped (VM_BAD_POWER_STATE), any other failure ends the evacuation
      if (!(e instanceof XapiError && e.code === 'VM_BAD_POWER_STATE')) throw e
    }
  }
  const left = db.referrers('VM', 'resident_on', host.ref).filter((v) => !v.f.is_control_domain).length
  if (left > 0) throw new XapiError('INTERNAL_ERROR', [`evacuate: ${left} VMs are still resident on ${host.ref}`])
}

// ---------------------------------------------------------------------------------------------------------
// Storage migration: VM.migrate_send (xapi_vm_migrate.ml assert_can_migrate, migrate_send'), within the pool or
// to another pool of the world (its own Db). Disks are copied to their mapped SRs (bytes included) and the
// sources destroyed; the VM itself moves (or, with copy, a halted VM is copied) to the destination pool.

export interface MigrateSendArgs {
  /** the destination pool's Db (the source's own Db: intra-pool storage migration) */
  dst: Db
  host: XObj<'host'>
  /** VDI (source pool) → SR (destination pool) */
  vdiMap: Array<[Ref, XObj<'SR'>]>
  /** VIF (source pool) → network (destination pool) */
  vifMap: Array<[Ref, XObj<'network'>]>
  copy?: boolean
  force?: boolean
}

/** The VDIs migrate_send moves: those of the non-empty disk (not CD) VBDs (vdi_filter). */
function movedVdis(db: Db, vm: XObj<'VM'>): Array<XObj<'VDI'>> {
  return db.referrers('VBD', 'VM', vm.ref).filter((b) => !b.f.empty && b.f.type !== 'CD').map((b) => db.get(b.f.VDI, 'VDI'))
}

/** A new VDI like `vdi` in `sr` of `dst` with the same bytes (the mirror's end result). */
function copyDisk(src: Db, dst: Db, vdi: XObj<'VDI'>, sr: XObj<'SR'>): XObj<'VDI'> {
  const made = createVdi(dst, {
    sr, name_label: vdi.f.name_label, name_description: vdi.f.name_description, virtual_size: vdi.f.virtual_size, type: vdi.f.type,
    sharable: vdi.f.sharable, read_only: vdi.f.read_only, other_config: vdi.f.other_config, xenstore_data: vdi.f.xenstore_data, sm_config: [], tags: vdi.f.tags,
  })
  copyVdiData(homeOf(src), vdiPlace(src, vdi), vdiPlace(dst, made), vdi.f.virtual_size)
  accountVdiWrite(dst, made, vdiExtents(homeOf(dst), made.f.uuid))
  return made
}

/**
 * infer_vif_map over the VIFs of the VM and of its snapshots: every VIF mapped, or mapped through another VIF with
 * the same MAC; VIF_NOT_IN_MAP [vif].
 */
function inferVifMap(db: Db, vms: Array<XObj<'VM'>>, map: Array<[Ref, XObj<'network'>]>): Map<Ref, XObj<'network'>> {
  const out = new Map<Ref, XObj<'network'>>()
  for (const vif of vms.flatMap((vm) => db.referrers('VIF', 'VM', vm.ref))) {
    const direct = map.find(([r]) => r === vif.ref)
    const viaMac = map.find(([r]) => db.tryGet(r, 'VIF')?.f.MAC === vif.f.MAC)
    const net = (direct ?? viaMac)?.[1]
    if (!net) throw new XapiError('VIF_NOT_IN_MAP', [vif.ref])
    out.set(vif.ref, net)
  }
  return out
}

/**
 * VM.migrate_send(vm, dest, live, vdi_map, vif_map, options): the `migrate_send` operation check (strict unless
 * forced); every disk VDI mapped (VDI_NOT_IN_MAP [vdi]). Within the pool: the destination passes
 * assert_can_boot_here without the SR check, no VIF mapping (OPERATION_NOT_ALLOWED), no copy; disks on another SR
 * move there and the VM moves host as pool_migrate does. To another pool: copy only for a halted VM
 * (VM_BAD_POWER_STATE), the destination enabled (HOST_DISABLED) with room for a running VM, every VIF mapped
 * (VIF_NOT_IN_MAP, the snapshots' VIFs too); the VM with its snapshots, devices, metrics and messages leave this
 * pool's database for the other's, disks (the snapshots' and suspend images too, extraVdiMap) copied onto their SRs
 * and the sources destroyed; with copy, a new halted VM is made there (without snapshots) and nothing here
 * changes. A VDI with on-boot=reset is refused (VDI_ON_BOOT_MODE_INCOMPATIBLE_WITH_OPERATION). Returns the VM in
 * the destination pool.
 */
export function migrateSend(src: Db, vm: XObj<'VM'>, a: MigrateSendArgs): XObj<'VM'> {
  const force = a.force ?? false
  const intra = a.dst === src
  assertOperation(src, vm, 'migrate_send', !force)
  const disks = movedVdis(src, vm)
  for (const vdi of disks) if (!a.vdiMap.some(([r]) => r === vdi.ref)) throw new XapiError('VDI_NOT_IN_MAP', [vdi.ref])
  const target = (vdi: XObj<'VDI'>) => a.vdiMap.find(([r]) => r === vdi.ref)![1]
  if (intra) {
    if (!force) assertCpuCompatible(vm, a.host)
    if (vm.f.power_state !== 'Halted') assertCanBootHere(src, vm, a.host, { memoryCheck: true, srCheck: false })
    if (a.vifMap.length > 0) throw new XapiError('OPERATION_NOT_ALLOWED', ['VIF mapping is not allowed for intra-pool migration -all VIFs must be on the same network'])
    if (a.copy) throw new XapiError('OPERATION_NOT_ALLOWED', ['Copy mode is disallowed on intra pool storage migration, try efficient alternatives, for example, VM.copy/clone.'])
    assertNoResetOnBoot(disks)
    for (const vdi of disks) {
      const sr = target(vdi)
      if (sr.ref === vdi.f.SR) continue
      const made = copyDisk(src, src, vdi, sr)
      for (const vbd of src.referrers('VBD', 'VDI', vdi.ref).filter((b) => b.f.VM === vm.ref)) src.set(vbd, { VDI: made.ref })
      if (src.referrers('VBD', 'VDI', vdi.ref).length === 0) destroyVdi(src, vdi)
    }
    const from = src.tryGet(vm.f.resident_on, 'host')
    if (vm.f.power_state === 'Running' || vm.f.power_state === 'Paused') {
      moveDomain(src, vm, a.host)
      // a live intra-pool migration is announced as pool_migrate's is
      if (from) migratedMessage(src, vm, from, a.host)
    }
    updateAllowedOperations(src, vm)
    updateVmVbdOperations(src, vm)
    updateVmVifOperations(src, vm)
    return vm
  }
  const dst = a.dst
  const live = vm.f.power_state === 'Running' || vm.f.power_state === 'Paused'
  if (!force && a.copy && vm.f.power_state !== 'Halted') throw new XapiError('VM_BAD_POWER_STATE', [vm.ref, 'halted', vm.f.power_state.toLowerCase()])
  if (!a.host.f.enabled) throw new XapiError('HOST_DISABLED', [a.host.ref])
  const snapshots = src.withField('VM', 'snapshot_of', vm.ref)
  const vifs = inferVifMap(src, [vm, ...snapshots], a.vifMap)
  assertNoResetOnBoot(disks)
  if (live) {
    const needed = startMemoryBytes(vm)
    const free = computeFreeMemory(dst, a.host)
    if (free < needed) throw new XapiError('HOST_NOT_ENOUGH_FREE_MEMORY', [String(needed), String(free)])
  }
  // the VM's snapshots go along (not with copy): their disks and the suspend images go where extra_vdi_map puts them
  const carriedVms = a.copy ? [] : snapshots
  const extra = extraVdiMap(src, dst, a, vm, carriedVms)
  const newVdis = new Map(disks.map((vdi) => [vdi.ref, copyDisk(src, dst, vdi, target(vdi))]))
  for (const [vdi, sr] of extra) {
    const made = copyDisk(src, dst, vdi, sr)
    if (vdi.f.is_a_snapshot) dst.set(made, { is_a_snapshot: true, snapshot_time: vdi.f.snapshot_time, snapshot_of: newVdis.get(vdi.f.snapshot_of)?.ref ?? NULL_REF })
    newVdis.set(vdi.ref, made)
  }
  let moved: XObj<'VM'>
  if (a.copy) {
    moved = dst.create('VM', { ...structuredClone(vm.f), uuid: dst.ids.uuid(), allowed_operations: [], current_operations: [], metrics: NULL_REF, guest_metrics: NULL_REF })
    moved = dst.get(moved.ref, 'VM')
    dst.set(moved, { metrics: dst.create('VM_metrics', { ...structuredClone(src.get(vm.f.metrics, 'VM_metrics').f), uuid: dst.ids.uuid() }).ref })
    for (const vbd of src.referrers('VBD', 'VM', vm.ref)) {
      const m = src.tryGet(vbd.f.metrics, 'VBD_metrics')
      dst.create('VBD', { ...structuredClone(vbd.f), uuid: dst.ids.uuid(), VM: moved.ref, metrics: m ? dst.create('VBD_metrics', { ...structuredClone(m.f), uuid: dst.ids.uuid() }).ref : NULL_REF })
    }
    for (const vif of src.referrers('VIF', 'VM', vm.ref)) {
      const m = src.tryGet(vif.f.metrics, 'VIF_metrics')
      dst.create('VIF', { ...structuredClone(vif.f), uuid: dst.ids.uuid(), VM: moved.ref, metrics: m ? dst.create('VIF_metrics', { ...structuredClone(m.f), uuid: dst.ids.uuid() }).ref : NULL_REF })
    }
  } else {
    // the VM and its snapshots, with their devices and metrics; the VM's messages follow it (send_messages)
    for (const v of [vm, ...carriedVms]) {
      const carried = ([
        ...src.referrers('VBD', 'VM', v.ref).flatMap((b) => [b, src.tryGet(b.f.metrics, 'VBD_metrics')]),
        ...src.referrers('VIF', 'VM', v.ref).flatMap((x) => [x, src.tryGet(x.f.metrics, 'VIF_metrics')]),
        ...src.referrers('VTPM', 'VM', v.ref),
        src.tryGet(v.f.metrics, 'VM_metrics'), src.tryGet(v.f.guest_metrics, 'VM_guest_metrics'),
      ] as Array<XObj | undefined>).filter((o): o is XObj => o !== undefined)
      for (const c of src.referrers('console', 'VM', v.ref)) src.destroy(c)
      for (const o of carried) src.moveTo(dst, o)
    }
    for (const m of src.all('message')) if (m.f.cls === 'VM' && m.f.obj_uuid === vm.f.uuid) src.moveTo(dst, m)
    for (const snapshot of carriedVms) src.moveTo(dst, snapshot)
    moved = src.moveTo(dst, vm) as XObj<'VM'>
  }
  const dom0 = dst.referrers('VM', 'resident_on', a.host.ref).find((v) => v.f.is_control_domain)
  // the VM (and its snapshots) as the destination pool has them: their disks, networks, no links into the source pool
  const together = new Set([moved.ref, ...carriedVms.map((x) => x.ref)])
  for (const v of [moved, ...carriedVms.map((x) => dst.get(x.ref, 'VM'))]) {
    for (const vbd of dst.referrers('VBD', 'VM', v.ref)) {
      const made = newVdis.get(vbd.f.VDI)
      if (made) dst.set(vbd, { VDI: made.ref })
      else if (!vbd.f.empty) dst.set(vbd, { VDI: NULL_REF, empty: true, currently_attached: vbd.f.type === 'CD' && vbd.f.currently_attached })
    }
    for (const vtpm of dst.referrers('VTPM', 'VM', v.ref)) if (vtpm.f.backend !== NULL_REF) dst.set(vtpm, { backend: dom0?.ref ?? NULL_REF })
    for (const vif of dst.referrers('VIF', 'VM', v.ref)) dst.set(vif, { network: vifs.get(a.copy ? (src.referrers('VIF', 'VM', vm.ref).find((x) => x.f.device === vif.f.device)?.ref ?? '') : vif.ref)!.ref })
    dst.set(v, {
      affinity: NULL_REF, suspend_SR: NULL_REF, suspend_VDI: newVdis.get(v.f.suspend_VDI)?.ref ?? NULL_REF,
      // the snapshot chain holds among the VMs that went together
      parent: !a.copy && together.has(v.f.parent) ? v.f.parent : NULL_REF, appliance: NULL_REF, groups: [],
      protection_policy: NULL_REF, snapshot_schedule: NULL_REF, resident_on: NULL_REF, scheduled_to_be_resident_on: NULL_REF,
    } as Partial<XObj<'VM'>['f']>)
  }
  if (!a.copy && live) moveDomain(dst, moved, a.host)
  updateAllowedOperations(dst, moved)
  updateVmVbdOperations(dst, moved)
  updateVmVifOperations(dst, moved)
  if (!a.copy) for (const vdi of [...disks, ...extra.map(([v]) => v)]) destroyVdi(src, vdi)
  return moved
}

/** Storage migration refuses a VM with a VDI whose on-boot mode is reset (VDI_ON_BOOT_MODE_INCOMPATIBLE_WITH_OPERATION). */
function assertNoResetOnBoot(disks: Array<XObj<'VDI'>>): void {
  for (const vdi of disks) if (vdi.f.on_boot === 'reset') throw new XapiError('VDI_ON_BOOT_MODE_INCOMPATIBLE_WITH_OPERATION', [vdi.ref])
}

/**
 * extra_vdi_map: where the disks of the snapshots and the suspend images go. A VDI in the map goes there; a
 * snapshot's disk goes where the disk it is a snapshot of goes; a suspend image to the destination pool's suspend
 * image SR (the pool's, else the host's), else its default SR; anything else to the default SR; VDI_NOT_IN_MAP
 * [vdi] when there is none.
 */
function extraVdiMap(src: Db, dst: Db, a: MigrateSendArgs, vm: XObj<'VM'>, snapshots: Array<XObj<'VM'>>): Array<[XObj<'VDI'>, XObj<'SR'>]> {
  const mapped = (r: Ref) => a.vdiMap.find(([x]) => x === r)?.[1]
  const pool = dst.all('pool')[0]
  const defaultSr = dst.tryGet(pool?.f.default_SR ?? NULL_REF, 'SR')
  const suspendSr = dst.tryGet(pool?.f.suspend_image_SR ?? NULL_REF, 'SR') ?? dst.tryGet(a.host.f.suspend_image_sr, 'SR')
  const suspends = [vm, ...snapshots].filter((v) => v.f.power_state === 'Suspended').map((v) => src.tryGet(v.f.suspend_VDI, 'VDI')).filter((v): v is XObj<'VDI'> => !!v)
  const snapshotDisks = snapshots.flatMap((s) => movedVdis(src, s))
  const out: Array<[XObj<'VDI'>, XObj<'SR'>]> = []
  for (const vdi of [...suspends, ...snapshotDisks]) {
    if (out.some(([v]) => v.ref === vdi.ref)) continue
    const isSuspend = suspends.includes(vdi)
    const sr = mapped(vdi.ref) ?? mapped(vdi.f.snapshot_of) ?? (isSuspend ? suspendSr ?? defaultSr : defaultSr)
    if (!sr) throw new XapiError('VDI_NOT_IN_MAP', [vdi.ref])
    out.push([vdi, sr])
  }
  return out
}

/** Message VM_MIGRATED "VM '<name>' (uuid: …) migrated from host '<name>' (uuid: …) to host '<name>' (uuid: …)". */
function migratedMessage(db: Db, vm: XObj<'VM'>, from: XObj<'host'>, to: XObj<'host'>): void {
  vmMessage(db, vm, 'VM_MIGRATED', `VM '${vm.f.name_label}' (uuid: ${vm.f.uuid}) migrated from host '${from.f.name_label}' (uuid: ${from.f.uuid}) to host '${to.f.name_label}' (uuid: ${to.f.uuid})`)
}

/** The domain moves to `host` (networks attached there, a new domid, consoles served from there). */
function moveDomain(db: Db, vm: XObj<'VM'>, host: XObj<'host'>): void {
  attachNetworks(db, vm, host)
  db.set(vm, { resident_on: host.ref, scheduled_to_be_resident_on: NULL_REF, domid: nextDomid(db) })
  syncConsoles(db, vm, host)
  removePendingGuidance(db, vm, ['restart_device_model'])
}
