// A pool overview for people and machines (xesim status): hosts with their memory, the guests with
// where they run and what their guest agent reports, the SRs with their space. Read-only.
import type { Db } from './db'
import { computeFreeMemory } from './host'
import { NULL_REF, type Ref } from './values'

export interface HostStatus {
  uuid: string
  'name-label': string
  /** Whether the host is its pool's master. */
  master: boolean
  enabled: boolean
  live: boolean
  'memory-total': number
  /** Memory_check's free memory (memory-free-computed): total less the host's and its VMs' needs. */
  'memory-free': number
  'memory-used': number
}
export interface VmStatus {
  uuid: string
  'name-label': string
  'power-state': string
  /** The host it runs on (name-label), '' when it runs nowhere. */
  host: string
  'host-uuid': string
  /** Bytes: what the domain has (memory-actual) while it runs, else what it is configured to get. */
  memory: number
  VCPUs: number
  /** Addresses the guest agent reports (VM_guest_metrics.networks), each once, in its order. */
  IPs: string[]
}
export interface SrStatus {
  uuid: string
  'name-label': string
  type: string
  shared: boolean
  'physical-size': number
  'physical-utilisation': number
}
export interface PoolStatus {
  pools: Array<{ uuid: string; 'name-label': string; master: string }>
  hosts: HostStatus[]
  vms: VmStatus[]
  srs: SrStatus[]
}

const byName = <T extends { 'name-label': string }>(a: T, b: T) => a['name-label'].localeCompare(b['name-label'])

/** The addresses in a guest's networks map ("0/ip", "0/ipv4/0", "0/ipv6/1" …), without repeats. */
export function guestAddresses(networks: Array<[string, string]>): string[] {
  const out: string[] = []
  for (const [k, v] of networks) if (/(^|\/)ip(v[46]\/\d+)?$/.test(k) && v && !out.includes(v)) out.push(v)
  return out
}

export function poolStatus(db: Db): PoolStatus {
  const masters = new Set<Ref>(db.all('pool').map((p) => p.f.master))
  const hostName = (ref: Ref) => db.tryGet(ref, 'host')
  const hosts: HostStatus[] = db.all('host').map((h) => {
    const m = db.tryGet(h.f.metrics, 'host_metrics')
    const total = m?.f.memory_total ?? 0
    const free = m ? computeFreeMemory(db, h) : 0
    return {
      uuid: h.f.uuid,
      'name-label': h.f.name_label,
      master: masters.has(h.ref),
      enabled: h.f.enabled,
      live: !!m?.f.live,
      'memory-total': total,
      'memory-free': free,
      'memory-used': Math.max(0, total - free),
    }
  })
  const vms: VmStatus[] = db
    .all('VM')
    .filter((v) => !v.f.is_a_template && !v.f.is_a_snapshot && !v.f.is_control_domain)
    .map((v) => {
      const running = v.f.power_state !== 'Halted'
      const metrics = db.tryGet(v.f.metrics, 'VM_metrics')
      const gm = db.tryGet(v.f.guest_metrics, 'VM_guest_metrics')
      const host = v.f.resident_on !== NULL_REF ? hostName(v.f.resident_on) : undefined
      return {
        uuid: v.f.uuid,
        'name-label': v.f.name_label,
        'power-state': v.f.power_state.toLowerCase(),
        host: host?.f.name_label ?? '',
        'host-uuid': host?.f.uuid ?? '',
        memory: running && metrics ? metrics.f.memory_actual : v.f.memory_static_max,
        VCPUs: running && metrics ? metrics.f.VCPUs_number : v.f.VCPUs_at_startup,
        IPs: gm ? guestAddresses(gm.f.networks) : [],
      }
    })
  const srs: SrStatus[] = db.all('SR').map((s) => ({
    uuid: s.f.uuid,
    'name-label': s.f.name_label,
    type: s.f.type,
    shared: s.f.shared,
    'physical-size': s.f.physical_size,
    'physical-utilisation': s.f.physical_utilisation,
  }))
  const pools = db.all('pool').map((p) => ({ uuid: p.f.uuid, 'name-label': p.f.name_label, master: hostName(p.f.master)?.f.uuid ?? '' }))
  return { pools, hosts: hosts.sort(byName), vms: vms.sort(byName), srs: srs.sort(byName) }
}

/** The overview of every pool of a world (xesim host-add makes more than one), the first host's pool first. */
export function worldStatus(pools: Db[]): PoolStatus {
  const all = pools.map(poolStatus)
  return { pools: all.flatMap((s) => s.pools), hosts: all.flatMap((s) => s.hosts), vms: all.flatMap((s) => s.vms), srs: all.flatMap((s) => s.srs) }
}
