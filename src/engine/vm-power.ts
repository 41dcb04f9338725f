// VM power operations: start / start_on, clean and hard shutdown, clean and hard reboot, pause / unpause, suspend,
// resume / resume_on and power_state_reset, as the coordinator's message forwarding layer (message_forwarding.ml:
// operation checks, device marking, placement, messages) and the host's xapi (xapi_vm.ml, xapi_xenops.ml: what
// xenopsd's events write back) run them. The domain itself is xenopsd-simulator-like: every request succeeds at
// once. Reference: xapi-model.md §4 (power states, §4.3 observable effects), §5 (memory, placement), §16
// (messages). Re-expressed from xen-api at the reference commit.
import type { Db, Derived, XObj } from './db'
import { attachNetwork } from './network'
import { XapiError } from './errors'
import { computeFreeMemory, hostCpuVendor, hostGuestFeatureset, isHostLive } from './host'
import { vmDescription, vmMessage } from './message'
import { chooseHostForVm } from './placement'
import { createSuspendImage, destroySuspendImage } from './suspend-image'
import { assertVbdOperation, attachVbd, detachVbd, updateVmVbdOperations } from './vbd'
import { assertVifOperation, attachVif, detachVif, updateVmVifOperations } from './vif'
import { assertCanBootHere, considerGenericBiosStrings, ensureDomainTypeIsSpecified, startMemoryBytes, updateMemoryOverhead } from './vm'
import { assertOperation, updateAllowedOperations } from './vm-lifecycle'
import { applyBalloon, assertPinnedAtStaticMax, assertPoolFeature, platformFlag } from './vm-memory'
import { deleteGuestMetrics, ensureGuestMetrics, guestAgentReports, reportedNetworks } from './guest-metrics'
import { NULL_REF, mapDel, mapGet, mapSet, xapiDate, type Ref, type XMap } from './values'

type PowerState = XObj<'VM'>['f']['power_state']

// ---------------------------------------------------------------------------------------------------------
// The power state and what goes with it (xapi_vm_lifecycle.ml force_state_reset*).

/**
 * force_state_reset_keep_current_operations: the new power state and, for Halted/Suspended, no domain —
 * except during a checkpoint, which keeps the suspended domain's host (`keepResidence`).
 */
function setPowerState(db: Db, vm: XObj<'VM'>, state: PowerState, keepResidence = false): void {
  db.set(vm, { power_state: state })
  if (state === 'Suspended') removePendingGuidance(db, vm, ['restart_device_model'])
  if (state === 'Halted') {
    for (const vbd of db.referrers('VBD', 'VM', vm.ref)) {
      detachVbd(db, vbd)
      if (vbd.f.current_operations.length > 0) db.set(vbd, { current_operations: [] })
    }
    for (const vif of db.referrers('VIF', 'VM', vm.ref)) {
      detachVif(db, vif)
      if (vif.f.current_operations.length > 0) db.set(vif, { current_operations: [] })
    }
    for (const vusb of db.referrers('VUSB', 'VM', vm.ref)) db.set(vusb, { currently_attached: false, current_operations: [] })
    for (const vgpu of db.referrers('VGPU', 'VM', vm.ref)) db.set(vgpu, { currently_attached: false })
    db.set(vm, { requires_reboot: false })
    removePendingGuidance(db, vm, ['restart_device_model', 'restart_vm'])
  }
  if (state === 'Halted' || (state === 'Suspended' && !keepResidence)) {
    db.set(vm, { resident_on: NULL_REF, scheduled_to_be_resident_on: NULL_REF, domid: -1 })
    for (const vgpu of db.referrers('VGPU', 'VM', vm.ref)) db.set(vgpu, { resident_on: NULL_REF, scheduled_to_be_resident_on: NULL_REF, PCI: NULL_REF })
  }
  updateAllowedOperations(db, vm)
}

/** force_state_reset: as above, and any operation in progress is forgotten. */
export function forceStateReset(db: Db, vm: XObj<'VM'>, state: PowerState, keepResidence = false): void {
  if (vm.f.current_operations.length > 0) db.set(vm, { current_operations: [] })
  setPowerState(db, vm, state, keepResidence)
}

export function removePendingGuidance(db: Db, vm: XObj<'VM'>, gs: Array<XObj<'VM'>['f']['pending_guidances'][number]>): void {
  if (vm.f.pending_guidances.some((g) => gs.includes(g))) db.set(vm, { pending_guidances: vm.f.pending_guidances.filter((g) => !gs.includes(g)) })
}

/** What message forwarding refreshes after every power operation: the VBDs (and their VDIs) and the VIFs. */
function refreshDevices(db: Db, vm: XObj<'VM'>): void {
  updateVmVbdOperations(db, vm)
  updateVmVifOperations(db, vm)
}

// ---------------------------------------------------------------------------------------------------------
// The domain as xenopsd reports it.

const hvmDomain = (vm: XObj<'VM'>) => vm.f.domain_type !== 'pv'
/**
 * The highest domid of the pool's VMs, kept per Db (Db.derived) so that a boot does not read every VM: the stored VMs'
 * highest comes from the store's index (skipping those this transaction changed), the changed ones' as they are now.
 */
class Domids implements Derived {
  /** the VMs this transaction changed: their domid now */
  private byVm = new Map<Ref, number>()
  private count = new Map<number, number>()
  private stale = new Set<Ref>()
  private max = 0
  /** the stored VM with the highest domid among those not changed (null: none; undefined: to be looked up) */
  private stored: { ref: Ref; domid: number } | null | undefined
  constructor(private readonly db: Db) {
    for (const vm of db.changedOf('VM')) this.stale.add(vm.ref)
  }
  changed(o: XObj): void {
    if (o.cls !== 'VM') return
    this.stale.add(o.ref)
    if (this.stored?.ref === o.ref) this.stored = undefined
  }
  highest(): number {
    let recompute = false
    for (const ref of this.stale) {
      const old = this.byVm.get(ref)
      if (old !== undefined) {
        const c = this.count.get(old)! - 1
        if (c > 0) this.count.set(old, c)
        else {
          this.count.delete(old)
          if (old === this.max) recompute = true
        }
        this.byVm.delete(ref)
      }
      const vm = this.db.tryGet(ref, 'VM')
      if (!vm) continue
      const d = vm.f.domid
      this.byVm.set(ref, d)
      this.count.set(d, (this.count.get(d) ?? 0) + 1)
      if (d > this.max) this.max = d
    }
    this.stale.clear()
    if (recompute) {
      this.max = 0
      for (const d of this.count.keys()) if (d > this.max) this.max = d
    }
    if (this.stored === undefined) this.stored = this.db.store.highestDomid(this.db.scope, (r) => this.db.touched(r)) ?? null
    return Math.max(this.max, this.stored?.domid ?? 0)
  }
}

/** domid: the highest a domain has now, plus one (dom0 is 0), as xenopsd-simulator allocates them. */
export const nextDomid = (db: Db) => db.derived('vm-power.domids', () => new Domids(db)).highest() + 1

/**
 * The consoles xenopsd reports (an rfb console for every guest, plus the vt100 text console of a PV guest), synced
 * as update_vm does: consoles whose protocol and URI went away are destroyed, new ones are created with location
 * https://<host address>/console?uuid=<console uuid>.
 */
export function syncConsoles(db: Db, vm: XObj<'VM'>, host: XObj<'host'> | undefined): void {
  const uri = host ? `https://${host.f.address}/console` : ''
  const wanted: Array<'rfb' | 'vt100'> = !host ? [] : vm.f.domain_type === 'hvm' ? ['rfb'] : ['rfb', 'vt100']
  const current = db.referrers('console', 'VM', vm.ref)
  const base = (loc: string) => (loc.includes('?') ? loc.slice(0, loc.indexOf('?')) : loc)
  for (const c of current) if (!(wanted.includes(c.f.protocol as 'rfb') && base(c.f.location) === uri)) db.destroy(c)
  for (const protocol of wanted) {
    if (current.some((c) => c.f.protocol === protocol && base(c.f.location) === uri)) continue
    const uuid = db.ids.uuid()
    db.create('console', { uuid, protocol, location: `${uri}?uuid=${uuid}`, VM: vm.ref, other_config: [] })
  }
}

/** Xapi_network.attach_for_vm: the bridges of the VM's networks come up on the host (network.ts). */
export function attachNetworks(db: Db, vm: XObj<'VM'>, host: XObj<'host'>): void {
  for (const vif of db.referrers('VIF', 'VM', vm.ref)) {
    const net = db.tryGet(vif.f.network, 'network')
    if (net?.f.managed) attachNetwork(db, net, host)
  }
}

/** update_vm for a domain that (re)appeared: domain type, flags, vCPUs, balloon, RTC offset, xenstore data, CPU flags. */
function domainRunning(db: Db, vm: XObj<'VM'>, host: XObj<'host'>): void {
  const m = db.tryGet(vm.f.metrics, 'VM_metrics')
  if (m) {
    db.set(m, {
      current_domain_type: vm.f.domain_type, hvm: hvmDomain(vm), nomigrate: platformFlag(vm, 'nomigrate'), nested_virt: platformFlag(vm, 'nested-virt'),
      VCPUs_number: vm.f.VCPUs_at_startup,
    })
  }
  syncConsoles(db, vm, host)
  applyBalloon(db, vm)
  // an HVM domain's RTC offset (platform:timeoffset, "0" by default) is written back in front of the platform keys
  if (vm.f.domain_type === 'hvm') {
    const offset = mapGet(vm.f.platform, 'timeoffset') ?? '0'
    db.set(vm, { platform: mapSet(mapDel(vm.f.platform, 'timeoffset'), 'timeoffset', offset) })
  }
  // the domain's vm-data subtree as xenopsd lists it
  const data = vm.f.xenstore_data.filter(([k]) => k !== 'vm-data')
  db.set(vm, { xenstore_data: [...data.reverse(), ['vm-data', '']] })
  db.set(vm, { last_boot_CPU_flags: [['vendor', hostCpuVendor(host)], ['features', hostGuestFeatureset(host, vm.f.domain_type !== 'pv')]] })
}

/** The domain went away (halted or suspended): xenopsd reports a domain-less VM (xenops_utils.halted_vm). */
function domainGone(db: Db, vm: XObj<'VM'>, state: 'Halted' | 'Suspended'): void {
  const m = db.tryGet(vm.f.metrics, 'VM_metrics')
  if (m) {
    const patch: Partial<XObj<'VM_metrics'>['f']> = { VCPUs_number: 0, hvm: false, nomigrate: false, nested_virt: false }
    // a suspended VM keeps the domain type it will resume into
    if (state === 'Halted') patch.current_domain_type = 'unspecified'
    db.set(m, patch)
  }
  syncConsoles(db, vm, undefined)
  db.set(vm, { memory_target: 0 })
  // the featureset of a domain-less VM is empty (a suspended VM keeps the one it will resume with)
  if (state === 'Halted' && vm.f.last_boot_CPU_flags.length > 0) {
    db.set(vm, { last_boot_CPU_flags: [['vendor', mapGet(vm.f.last_boot_CPU_flags, 'vendor') ?? ''], ['features', '']] })
  }
}

/**
 * Xapi_xenops.start on `host` and the events that follow: devices attached (every VBD of an HVM guest, the
 * non-empty ones of a PV guest; every VIF) with their Linux names, networks up, the domain running (or paused) with
 * a new domid, VM_metrics filled, consoles created, and the guest agent's first report.
 */
function bootDomain(db: Db, vm: XObj<'VM'>, host: XObj<'host'>, paused: boolean, previousNetworks: XMap): void {
  const hvm = vm.f.domain_type === 'hvm'
  for (const vbd of db.referrers('VBD', 'VM', vm.ref)) if (hvm || !vbd.f.empty) attachVbd(db, vbd)
  for (const vif of db.referrers('VIF', 'VM', vm.ref)) attachVif(db, vif)
  attachNetworks(db, vm, host)
  const domid = nextDomid(db)
  db.set(vm, { resident_on: host.ref, scheduled_to_be_resident_on: NULL_REF, domid })
  setPowerState(db, vm, paused ? 'Paused' : 'Running')
  domainRunning(db, vm, host)
  const m = db.tryGet(vm.f.metrics, 'VM_metrics')
  if (m) db.set(m, { start_time: xapiDate(db.clock.now()) })
  removePendingGuidance(db, vm, ['restart_device_model', 'restart_vm'])
  if (paused) ensureGuestMetrics(db, vm)
  else guestAgentReports(db, vm, previousNetworks)
}

/** The domain shut down: devices detached, no domain, consoles gone, VM_metrics reset (guest metrics are kept). */
function haltDomain(db: Db, vm: XObj<'VM'>): void {
  setPowerState(db, vm, 'Halted')
  domainGone(db, vm, 'Halted')
}

/** squeezed's reservation for a new domain: HOST_NOT_ENOUGH_FREE_MEMORY [needed KiB, free KiB] when it cannot fit. */
function reserveMemory(db: Db, vm: XObj<'VM'>, host: XObj<'host'>): void {
  const needed = startMemoryBytes(vm)
  const free = computeFreeMemory(db, host, vm.ref)
  if (free < needed) throw new XapiError('HOST_NOT_ENOUGH_FREE_MEMORY', [String(Math.ceil(needed / 1024)), String(Math.floor(free / 1024))])
}

// ---------------------------------------------------------------------------------------------------------
// Start.

export interface StartOptions {
  paused?: boolean
  force?: boolean
  /** start_on / resume_on: this host (no placement) */
  host?: XObj<'host'>
}

/** The VBD and VIF `attach` checks message forwarding makes while marking the devices (with_vbds/vifs_marked). */
function markDevices(db: Db, vm: XObj<'VM'>, vifs: boolean): void {
  for (const vbd of db.referrers('VBD', 'VM', vm.ref)) assertVbdOperation(db, vbd, 'attach')
  if (!vifs) return
  for (const vif of db.referrers('VIF', 'VM', vm.ref)) {
    try {
      assertVifOperation(db, vif, 'attach')
    } catch (e) {
      if (e instanceof XapiError) throw new XapiError('OPERATION_NOT_ALLOWED', ['Failed to lock all VIFs'])
      throw e
    }
  }
}

/** The checks VM.start_on / resume_on make on the given host before anything else. */
function assertTargetHost(vm: XObj<'VM'>, host: XObj<'host'>): void {
  if (vm.f.is_control_domain && vm.f.affinity !== NULL_REF && vm.f.affinity !== host.ref) {
    throw new XapiError('OPERATION_NOT_ALLOWED', ['Cannot boot a control domain on a host different from its affinity'])
  }
}

/** Xapi_xenops.firmware_of_vm: HVM-boot-params firmware is bios (the default) or uefi. */
function firmwareOf(vm: XObj<'VM'>): 'bios' | 'uefi' {
  const fw = mapGet(vm.f.HVM_boot_params, 'firmware')
  if (fw === undefined || fw === 'bios') return 'bios'
  if (fw === 'uefi') return 'uefi'
  throw new XapiError('INVALID_VALUE', ["HVM-boot-params['firmware']", fw])
}

/** What Xapi_vm.start settles in the platform keys: a device model for HVM guests, secureboot=auto resolved. */
function settlePlatform(db: Db, vm: XObj<'VM'>, firmware: 'bios' | 'uefi'): void {
  const dflt = firmware === 'uefi' ? 'qemu-upstream-uefi' : 'qemu-upstream-compat'
  let platform = vm.f.platform
  if (vm.f.domain_type === 'hvm' && mapGet(platform, 'device-model') === undefined) platform = [['device-model', dflt], ...platform]
  else platform = platform.map(([k, v]): [string, string] => (k === 'device-model' && v === 'qemu-trad' ? [k, dflt] : [k, v]))
  if (mapGet(platform, 'secureboot') === 'auto') {
    const pool = db.all('pool')[0]
    platform = [['secureboot', String((pool?.f.uefi_certificates ?? '') !== '')], ...mapDel(platform, 'secureboot')]
  }
  if (JSON.stringify(platform) !== JSON.stringify(vm.f.platform)) db.set(vm, { platform })
}

/** Xapi_vm.start on the chosen host (the local part of VM.start / start_on). */
function localStart(db: Db, vm: XObj<'VM'>, host: XObj<'host'>, paused: boolean, force: boolean): void {
  if (vm.f.ha_restart_priority === 'restart') db.set(vm, { ha_always_run: true })
  settlePlatform(db, vm, firmwareOf(vm))
  if (!force && platformFlag(vm, 'nested-virt')) {
    assertPinnedAtStaticMax({ static_min: vm.f.memory_static_min, dynamic_min: vm.f.memory_dynamic_min, target: vm.f.memory_target, dynamic_max: vm.f.memory_dynamic_max, static_max: vm.f.memory_static_max }, 'nested virt')
  }
  const previous = reportedNetworks(db, vm)
  deleteGuestMetrics(db, vm)
  if (vm.f.has_vendor_device && vm.f.hardware_platform_version < 2) db.set(vm, { hardware_platform_version: 2 })
  reserveMemory(db, vm, host)
  bootDomain(db, vm, host, paused, previous)
}

/**
 * VM.start (placement on any suitable host) or VM.start_on (opts.host). Returns the host. Errors as xapi raises
 * them: LICENCE_RESTRICTION, the `start`/`start_on` operation checks, the device checks, NO_HOSTS_AVAILABLE or the
 * host's assert_can_boot_here failure, HOST_NOT_ENOUGH_FREE_MEMORY. Message VM_STARTED.
 */
export function startVm(db: Db, vm: XObj<'VM'>, opts: StartOptions = {}): XObj<'host'> {
  assertPoolFeature(db, 'restrict_vm_start', 'VM_start', true)
  if (opts.host) {
    assertTargetHost(vm, opts.host)
    if (opts.host.f.current_operations.some(([, op]) => op === 'evacuate')) throw new XapiError('HOST_EVACUATE_IN_PROGRESS', [opts.host.ref])
  }
  assertOperation(db, vm, opts.host ? 'start_on' : 'start', true)
  markDevices(db, vm, true)
  ensureDomainTypeIsSpecified(db, vm)
  updateMemoryOverhead(db, vm)
  considerGenericBiosStrings(db, vm)
  let host: XObj<'host'>
  if (opts.host) {
    assertCanBootHere(db, vm, opts.host)
    host = opts.host
  } else host = db.tryGet(vm.f.scheduled_to_be_resident_on, 'host') ?? chooseHostForVm(db, vm)
  // HA overcommit protection (message_forwarding.ml check_vm_preserves_ha_plan)
  if (db.all('pool')[0]?.f.ha_enabled) (require('./ha') as typeof import('./ha')).checkVmPreservesHaPlan(db, vm, host)
  localStart(db, vm, host, opts.paused ?? false, opts.force ?? false)
  updateAllowedOperations(db, vm)
  refreshDevices(db, vm)
  vmMessage(db, vm, 'VM_STARTED', `${vmDescription(vm)} started on host: ${host.f.name_label} (uuid: ${host.f.uuid})`)
  return host
}

// ---------------------------------------------------------------------------------------------------------
// Shutdown and reboot.

/** VM.clean_shutdown: the guest shuts down (HA stops restarting it). Message VM_SHUTDOWN "… shutdown". */
export function cleanShutdown(db: Db, vm: XObj<'VM'>): void {
  assertOperation(db, vm, 'clean_shutdown', true)
  db.set(vm, { ha_always_run: false })
  haltDomain(db, vm)
  vmMessage(db, vm, 'VM_SHUTDOWN', `${vmDescription(vm)} shutdown`)
  refreshDevices(db, vm)
}

/**
 * What VM.hard_shutdown does to the VM, without the operation check or message (VM.clone uses it on a copy
 * that came out running): a running or paused domain is destroyed; a suspended VM loses its suspend image
 * (failures are logged and the image forgotten) and is reset to Halted.
 */
export function hardShutdownLocal(db: Db, vm: XObj<'VM'>): void {
  db.set(vm, { ha_always_run: false })
  if (vm.f.power_state === 'Suspended') {
    try {
      destroySuspendImage(db, vm)
    } catch (e) {
      if (!(e instanceof XapiError)) throw e
    }
    db.set(vm, { suspend_VDI: NULL_REF })
    forceStateReset(db, vm, 'Halted')
  } else if (vm.f.power_state !== 'Halted') haltDomain(db, vm)
}

/**
 * VM.hard_shutdown: the check (Paused, Suspended or Running); a suspended VM needs a host that sees its disks'
 * SRs (NO_HOSTS_AVAILABLE otherwise); then the shutdown and the message "… shutdown forcibly".
 */
export function hardShutdown(db: Db, vm: XObj<'VM'>): void {
  assertOperation(db, vm, 'hard_shutdown', true)
  if (vm.f.power_state === 'Suspended') {
    const srs = db.referrers('VBD', 'VM', vm.ref).filter((b) => !b.f.empty).map((b) => db.tryGet(b.f.VDI, 'VDI')?.f.SR)
    const canSee = (h: XObj<'host'>) => {
      const plugged = new Set(db.referrers('PBD', 'host', h.ref).filter((p) => p.f.currently_attached).map((p) => p.f.SR))
      return srs.every((sr) => sr !== undefined && plugged.has(sr)) && isHostLive(db, h)
    }
    if (!db.all('host').some(canSee)) throw new XapiError('NO_HOSTS_AVAILABLE', [])
  }
  hardShutdownLocal(db, vm)
  vmMessage(db, vm, 'VM_SHUTDOWN', `${vmDescription(vm)} shutdown forcibly`)
  refreshDevices(db, vm)
}

/**
 * xenopsd's VM.reboot: the domain is destroyed and built again on the same host with a new domid and start time,
 * unpaused; the stale guest metrics go and the guest agent reports afresh.
 */
function rebootDomain(db: Db, vm: XObj<'VM'>): void {
  const host = db.get(vm.f.resident_on, 'host')
  const previous = reportedNetworks(db, vm)
  db.set(vm, { domid: nextDomid(db) })
  if (vm.f.power_state !== 'Running') setPowerState(db, vm, 'Running')
  domainRunning(db, vm, host)
  const m = db.tryGet(vm.f.metrics, 'VM_metrics')
  if (m) db.set(m, { start_time: xapiDate(db.clock.now()) })
  removePendingGuidance(db, vm, ['restart_device_model', 'restart_vm'])
  deleteGuestMetrics(db, vm)
  guestAgentReports(db, vm, previous)
  updateAllowedOperations(db, vm)
}

/** VM.clean_reboot (Running). Message VM_REBOOTED "… rebooted cleanly". */
export function cleanReboot(db: Db, vm: XObj<'VM'>): void {
  assertOperation(db, vm, 'clean_reboot', true)
  markDevices(db, vm, true)
  if (vm.f.has_vendor_device && vm.f.hardware_platform_version < 2) db.set(vm, { hardware_platform_version: 2 })
  rebootDomain(db, vm)
  vmMessage(db, vm, 'VM_REBOOTED', `${vmDescription(vm)} rebooted cleanly`)
  refreshDevices(db, vm)
}

/** VM.hard_reboot (Running or Paused; a paused VM comes back running). Message VM_REBOOTED "… rebooted forcibly". */
export function hardReboot(db: Db, vm: XObj<'VM'>): void {
  assertOperation(db, vm, 'hard_reboot', true)
  markDevices(db, vm, true)
  rebootDomain(db, vm)
  vmMessage(db, vm, 'VM_REBOOTED', `${vmDescription(vm)} rebooted forcibly`)
  refreshDevices(db, vm)
}

// ---------------------------------------------------------------------------------------------------------
// Pause, suspend, resume.

/** VM.pause (Running → Paused). Message VM_PAUSED. */
export function pauseVm(db: Db, vm: XObj<'VM'>): void {
  assertOperation(db, vm, 'pause', true)
  setPowerState(db, vm, 'Paused')
  vmMessage(db, vm, 'VM_PAUSED', `${vmDescription(vm)} paused`)
  refreshDevices(db, vm)
}

/** VM.unpause (Paused → Running); a guest started paused boots now and its agent reports. Message VM_UNPAUSED. */
export function unpauseVm(db: Db, vm: XObj<'VM'>): void {
  assertOperation(db, vm, 'unpause', true)
  setPowerState(db, vm, 'Running')
  guestAgentReports(db, vm, reportedNetworks(db, vm))
  updateAllowedOperations(db, vm)
  vmMessage(db, vm, 'VM_UNPAUSED', `${vmDescription(vm)} unpaused`)
  refreshDevices(db, vm)
}

/** The domain-level state xenopsd hands back when a domain suspends (VM.last_booted_record after suspend). */
function suspendedDomainRecord(db: Db, vm: XObj<'VM'>): string {
  const m = db.tryGet(vm.f.metrics, 'VM_metrics')
  const started = m ? Date.parse(m.f.start_time.replace(/^(\d{4})(\d\d)(\d\d)T/, '$1-$2-$3T')) / 1000 : 0
  return JSON.stringify({
    version: 2,
    last_start_time: Number.isFinite(started) ? started : 0,
    nomigrate: m?.f.nomigrate ?? false,
    nested_virt: m?.f.nested_virt ?? false,
    suspend_memory_bytes: 0,
    qemu_vbds: [],
    qemu_vifs: [],
    pci_msitranslate: true,
    pci_power_mgmt: false,
    pv_drivers_detected: !!db.tryGet(vm.f.guest_metrics, 'VM_guest_metrics')?.f.PV_drivers_detected,
    platformdata: Object.fromEntries(vm.f.platform),
    attached_vdis: [],
  })
}

/**
 * VM.suspend (Running): the memory image is written to a new "Suspend image" VDI on the suspend SR (VM_NO_SUSPEND_SR,
 * SR_SUSPEND_SPACE_INSUFFICIENT), the domain goes away (devices stay attached, resident_on cleared), the domain-level
 * state is kept in last_booted_record. Message VM_SUSPENDED.
 */
export function suspendVm(db: Db, vm: XObj<'VM'>): void {
  assertOperation(db, vm, 'suspend', true)
  db.set(vm, { ha_always_run: false })
  createSuspendImage(db, vm)
  db.set(vm, { last_booted_record: suspendedDomainRecord(db, vm) })
  setPowerState(db, vm, 'Suspended')
  domainGone(db, vm, 'Suspended')
  vmMessage(db, vm, 'VM_SUSPENDED', `${vmDescription(vm)} suspended`)
  refreshDevices(db, vm)
}

/**
 * VM.resume (placement as for start) or VM.resume_on (opts.host): the domain comes back from the suspend image
 * (same start time, guest metrics kept), which is then destroyed. VM_HAS_NO_SUSPEND_VDI ["VM", vm] without an
 * image. Message VM_RESUMED.
 */
export function resumeVm(db: Db, vm: XObj<'VM'>, opts: StartOptions = {}): XObj<'host'> {
  assertOperation(db, vm, opts.host ? 'resume_on' : 'resume', true)
  markDevices(db, vm, false)
  ensureDomainTypeIsSpecified(db, vm)
  let host: XObj<'host'>
  if (opts.host) {
    assertCanBootHere(db, vm, opts.host)
    host = opts.host
  } else host = db.tryGet(vm.f.scheduled_to_be_resident_on, 'host') ?? chooseHostForVm(db, vm)
  if (db.all('pool')[0]?.f.ha_enabled) (require('./ha') as typeof import('./ha')).checkVmPreservesHaPlan(db, vm, host)
  if (vm.f.ha_restart_priority === 'restart') db.set(vm, { ha_always_run: true })
  if (!db.tryGet(vm.f.suspend_VDI, 'VDI')) {
    forceStateReset(db, vm, 'Halted')
    throw new XapiError('VM_HAS_NO_SUSPEND_VDI', ['VM', vm.ref])
  }
  reserveMemory(db, vm, host)
  const paused = opts.paused ?? false
  for (const vbd of db.referrers('VBD', 'VM', vm.ref)) if (vm.f.domain_type === 'hvm' || !vbd.f.empty) attachVbd(db, vbd)
  for (const vif of db.referrers('VIF', 'VM', vm.ref)) attachVif(db, vif)
  attachNetworks(db, vm, host)
  db.set(vm, { resident_on: host.ref, scheduled_to_be_resident_on: NULL_REF, domid: nextDomid(db) })
  setPowerState(db, vm, paused ? 'Paused' : 'Running')
  domainRunning(db, vm, host)
  if (paused) ensureGuestMetrics(db, vm)
  else guestAgentReports(db, vm, reportedNetworks(db, vm))
  destroySuspendImage(db, vm)
  updateAllowedOperations(db, vm)
  refreshDevices(db, vm)
  vmMessage(db, vm, 'VM_RESUMED', `${vmDescription(vm)} resumed on host: ${host.f.name_label} (uuid: ${host.f.uuid})`)
  return host
}

// ---------------------------------------------------------------------------------------------------------
// power_state_reset.

/**
 * VM.power_state_reset (no operation checks, not forwarded: it runs on the coordinator): refused for a control domain
 * (CANNOT_RESET_CONTROL_DOMAIN [vm]); for a live VM, refused when its domain still runs here (DOMAIN_EXISTS [vm] —
 * a paused domain is not "running" to xenopsd) or its host is alive (HOST_IS_LIVE [host]). Then Halted, as
 * force_state_reset leaves it: devices detached, no domain (consoles, metrics and any suspend image untouched).
 */
export function powerStateReset(db: Db, vm: XObj<'VM'>): void {
  if (vm.f.is_control_domain) throw new XapiError('CANNOT_RESET_CONTROL_DOMAIN', [vm.ref])
  if (vm.f.power_state === 'Running' || vm.f.power_state === 'Paused') {
    const localhost = db.all('pool')[0]?.f.master
    const resident = vm.f.resident_on
    if (resident === localhost) {
      if (vm.f.power_state === 'Running') throw new XapiError('DOMAIN_EXISTS', [vm.ref])
    } else {
      const h = db.tryGet(resident, 'host')
      if (h && isHostLive(db, h)) throw new XapiError('HOST_IS_LIVE', [resident])
    }
  }
  forceStateReset(db, vm, 'Halted')
}
