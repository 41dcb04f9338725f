// Host rules that xe's records reach through API calls: Host.compute_free_memory (memory_check.ml) and the
// host setters with their own checks (xapi_host.ml). Re-expressed from xen-api at the reference commit.
import type { Db, Derived, XObj } from './db'
import { XapiError } from './errors'
import { mapDel, mapSet, EPOCH, xapiDate, type Ref } from './values'

/**
 * Memory_check.host_compute_free_memory_with_maximum_compression: host memory minus its own overhead minus,
 * for every VM resident on it and every VM scheduled to be (counted again if both), dynamic_min + overhead;
 * never below 0. `ignoreScheduled` is left out of the scheduled list (a VM checking whether it can start).
 */
export function computeFreeMemory(db: Db, host: XObj<'host'>, ignoreScheduled?: Ref): number {
  const metrics = db.get(host.f.metrics, 'host_metrics')
  const maxGuest = metrics.f.memory_total - host.f.memory_overhead
  return Math.max(0, maxGuest - db.derived('host.memory', () => new HostMemory(db)).used(host.ref, ignoreScheduled))
}

/** Memory sums over the VMs resident on and scheduled to a host (a VM both is counted twice, as xapi does). */
export interface GuestMemory {
  dynamicMin: number
  overhead: number
  staticMax: number
  dynamicMax: number
}
const NONE: GuestMemory = { dynamicMin: 0, overhead: 0, staticMax: 0, dynamicMax: 0 }

/** guests: the sums over the host's resident and scheduled VMs (what Vm_placement's host summary adds up). */
export const hostGuestMemory = (db: Db, host: Ref): GuestMemory => db.derived('host.memory', () => new HostMemory(db)).guests(host)

interface Guest extends GuestMemory {
  resident: Ref
  scheduled: Ref
}

/**
 * What the VMs resident on and scheduled to each host take, kept per Db (Db.derived) so that a start does not add up
 * every VM on the host again: per host, the sums over the stored VMs (from the store's index), less the stored share
 * of each VM this transaction changed, plus its share now. Sums of whole bytes: exact in any order.
 */
class HostMemory implements Derived {
  private resident = new Map<Ref, GuestMemory>()
  private scheduled = new Map<Ref, GuestMemory>()
  /** the VMs this transaction changed: what they add now */
  private mine = new Map<Ref, Guest>()
  /** the VMs whose stored share is taken out */
  private out = new Set<Ref>()
  private stale = new Set<Ref>()
  constructor(private readonly db: Db) {
    for (const [by, sums] of [['resident_on', this.resident], ['scheduled_to_be_resident_on', this.scheduled]] as const) {
      for (const [host, dynamicMin, overhead, staticMax, dynamicMax] of db.store.vmMemoryBy(by, db.scope)) sums.set(host, { dynamicMin, overhead, staticMax, dynamicMax })
    }
    for (const vm of db.changedOf('VM')) this.takeOut(vm.ref)
    for (const ref of db.goneRefs()) this.takeOut(ref)
  }
  changed(o: XObj): void {
    if (o.cls === 'VM') this.takeOut(o.ref)
  }
  /** The VM's stored share leaves the sums (once); what it adds now is counted at the next refresh. */
  private takeOut(ref: Ref): void {
    this.stale.add(ref)
    if (this.out.has(ref)) return
    this.out.add(ref)
    const stored = this.db.isNew(ref) ? undefined : this.db.store.vmMemoryOf(ref, this.db.scope)
    if (stored) {
      const [resident, scheduled, dynamicMin, overhead, staticMax, dynamicMax] = stored
      this.apply({ resident, scheduled, dynamicMin, overhead, staticMax, dynamicMax }, -1)
    }
  }
  private apply(g: Guest, sign: 1 | -1): void {
    add(this.resident, g.resident, g, sign)
    add(this.scheduled, g.scheduled, g, sign)
  }
  private refresh(): void {
    for (const ref of this.stale) {
      const old = this.mine.get(ref)
      if (old) {
        this.apply(old, -1)
        this.mine.delete(ref)
      }
      const vm = this.db.tryGet(ref, 'VM')
      if (!vm) continue
      const f = vm.f
      const now = { resident: f.resident_on, scheduled: f.scheduled_to_be_resident_on, dynamicMin: f.memory_dynamic_min, overhead: f.memory_overhead, staticMax: f.memory_static_max, dynamicMax: f.memory_dynamic_max }
      this.mine.set(ref, now)
      this.apply(now, 1)
    }
    this.stale.clear()
  }
  used(host: Ref, ignoreScheduled?: Ref): number {
    this.refresh()
    const r = this.resident.get(host) ?? NONE
    const s = this.scheduled.get(host) ?? NONE
    let used = r.dynamicMin + r.overhead + s.dynamicMin + s.overhead
    const ignored = ignoreScheduled === undefined ? undefined : this.share(ignoreScheduled)
    if (ignored && ignored.scheduled === host) used -= ignored.dynamicMin + ignored.overhead
    return used
  }
  /** What a VM adds now (as the sums count it). */
  private share(ref: Ref): Guest | undefined {
    const mine = this.mine.get(ref)
    if (mine || this.out.has(ref)) return mine
    const stored = this.db.store.vmMemoryOf(ref, this.db.scope)
    if (!stored) return undefined
    const [resident, scheduled, dynamicMin, overhead, staticMax, dynamicMax] = stored
    return { resident, scheduled, dynamicMin, overhead, staticMax, dynamicMax }
  }
  guests(host: Ref): GuestMemory {
    this.refresh()
    const r = this.resident.get(host) ?? NONE
    const s = this.scheduled.get(host) ?? NONE
    return { dynamicMin: r.dynamicMin + s.dynamicMin, overhead: r.overhead + s.overhead, staticMax: r.staticMax + s.staticMax, dynamicMax: r.dynamicMax + s.dynamicMax }
  }
}
function add(m: Map<Ref, GuestMemory>, host: Ref, g: GuestMemory, sign: 1 | -1): void {
  const t = m.get(host) ?? { ...NONE }
  t.dynamicMin += sign * g.dynamicMin
  t.overhead += sign * g.overhead
  t.staticMax += sign * g.staticMax
  t.dynamicMax += sign * g.dynamicMax
  m.set(host, t)
}

// ---------------------------------------------------------------------------------------------------------
// Setters (Host.set_* in xapi_host.ml). Values arrive parsed.

/** Host.set_https_only (outside CC/FIPS mode): the firewall follows, then the field. */
export function setHttpsOnly(db: Db, host: XObj<'host'>, value: boolean): void {
  db.set(host, { https_only: value })
}

/** Host.set_ssh_enabled_timeout: 0–172800 s; while SSH is enabled the expiry moves to now + timeout (0: none). */
export function setSshEnabledTimeout(db: Db, host: XObj<'host'>, value: bigint): void {
  if (value < 0n || value > 172800n) throw new XapiError('INVALID_VALUE', ['ssh_enabled_timeout', value.toString()])
  db.set(host, { ssh_enabled_timeout: Number(value) })
  if (host.f.ssh_enabled) {
    const expiry = value === 0n ? EPOCH : xapiDate(new Date(db.clock.now().getTime() + Number(value) * 1000))
    db.set(host, { ssh_expiry: expiry })
  }
}

/** Host.set_console_idle_timeout: any non-negative number of seconds (written to the shell profile). */
export function setConsoleIdleTimeout(db: Db, host: XObj<'host'>, value: bigint): void {
  if (value < 0n) throw new XapiError('INVALID_VALUE', ['console_timeout', value.toString()])
  db.set(host, { console_idle_timeout: Number(value) })
}

/** Host.set_ssh_auto_mode: the field, then the ssh monitor service follows. */
export function setSshAutoMode(db: Db, host: XObj<'host'>, value: boolean): void {
  db.set(host, { ssh_auto_mode: value })
}

/** Host.set_iscsi_iqn: not empty; other_config:iscsi_iqn is kept in step (removed, then re-added in front). */
export function setIscsiIqn(db: Db, host: XObj<'host'>, value: string): void {
  if (value === '') throw new XapiError('INVALID_VALUE', ['value', value])
  const oc = mapDel(host.f.other_config, 'iscsi_iqn')
  db.set(host, { iscsi_iqn: value, other_config: mapSet(oc, 'iscsi_iqn', value) })
}

/** Host.set_multipathing: the field and other_config:multipathing, kept in step. */
export function setMultipathing(db: Db, host: XObj<'host'>, value: boolean): void {
  const oc = mapDel(host.f.other_config, 'multipathing')
  db.set(host, { multipathing: value, other_config: mapSet(oc, 'multipathing', String(value)) })
}

/** Host.set_ssl_legacy: legacy SSL is gone; false is accepted and changes nothing. */
export function setSslLegacy(_db: Db, _host: XObj<'host'>, value: boolean): void {
  if (value) throw new XapiError('VALUE_NOT_SUPPORTED', ['value', 'true', 'Legacy SSL support has been removed'])
}

/** Host.set_uefi_certificates: always refused. */
export function setUefiCertificates(): void {
  throw new XapiError('OPERATION_NOT_ALLOWED', ['To set UEFI certificates use: `Pool.set_custom_uefi_certificates`'])
}

/** Host.set_max_cstate: "" (unlimited), "N" or "N,M" with N in {0, 1} (Xapi_host_max_cstate.of_string). */
export function setMaxCstate(db: Db, host: XObj<'host'>, value: string): void {
  const parts = value.split(',')
  const int = (s: string) => (/^[+-]?[0-9]+$/.test(s) ? Number(s) : NaN)
  let cstate: number | undefined
  if (parts.length === 1 && parts[0] === '') cstate = undefined
  else if (parts.length <= 2) {
    const nums = parts.map(int)
    if (nums.some((n) => Number.isNaN(n) || n < 0)) throw new XapiError('INVALID_VALUE', ['max_cstate', value])
    cstate = nums[0]
  } else throw new XapiError('INVALID_VALUE', ['max_cstate', value])
  if (cstate !== undefined && cstate !== 0 && cstate !== 1) {
    throw new XapiError('VALUE_NOT_SUPPORTED', ['max_cstate', value, 'Only C0, C1 and unlimited are supported for max-cstate'])
  }
  db.set(host, { max_cstate: value })
}

/** Host.set_ntp_mode: Custom needs custom servers (Factory always has the factory list). */
export function setNtpMode(db: Db, host: XObj<'host'>, value: XObj<'host'>['f']['ntp_mode']): void {
  if (host.f.ntp_mode !== value && value === 'Custom' && host.f.ntp_custom_servers.length === 0) {
    throw new XapiError('INVALID_NTP_CONFIG', ["Can't set ntp_mode to Custom when ntp_custom_servers is empty"])
  }
  db.set(host, { ntp_mode: value })
}

/** Host.set_ntp_custom_servers: may not become empty while in Custom mode. */
export function setNtpCustomServers(db: Db, host: XObj<'host'>, value: string[]): void {
  if (host.f.ntp_mode === 'Custom' && value.length === 0) {
    throw new XapiError('INVALID_NTP_CONFIG', ["Can't set ntp_custom_servers empty when ntp_mode is Custom"])
  }
  db.set(host, { ntp_custom_servers: value })
}

// ---------------------------------------------------------------------------------------------------------
// What VM placement and VM.power_state_reset ask of a host (xapi_vm_helpers.ml, xapi_host.ml).

/** is_host_live / Xapi_host.is_host_alive (no HA liveset is modelled): the host_metrics say live. */
export function isHostLive(db: Db, host: XObj<'host'>): boolean {
  const m = db.tryGet(host.f.metrics, 'host_metrics')
  return !!m && m.f.live
}

/** Whether an evacuation is under way on the host (a VM may not be started there). */
export function isHostEvacuating(host: XObj<'host'>): boolean {
  return host.f.current_operations.some(([, op]) => op === 'evacuate')
}

/** The host's CPU vendor (cpu_info "vendor"), as VM.last_boot_CPU_flags records it. */
export function hostCpuVendor(host: XObj<'host'>): string {
  return host.f.cpu_info.find(([k]) => k === 'vendor')?.[1] ?? ''
}

/** The CPU featureset a guest of this kind boots with on the host (cpu_info features_hvm / features_pv). */
export function hostGuestFeatureset(host: XObj<'host'>, hvm: boolean): string {
  const key = hvm ? 'features_hvm' : 'features_pv'
  return host.f.cpu_info.find(([k]) => k === key)?.[1] ?? ''
}
