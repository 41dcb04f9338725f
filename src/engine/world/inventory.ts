// Seeded inventories (`xesim init`): a pool of N hosts sharing an NFS SR, with M guests spread over them.
// The first host is the freshly installed one (fresh-host.ts installHost); hosts 2..N are pool members as they
// look after xapi's pool join (xapi-model.md §14, fresh-host.ts joinMemberHost). Guests are made with the
// engine's own paths (vm-install: VM.copy/clone + provision; vif.ts VIF.create; vm-power VM.start_on), so every
// object has exactly the fields those operations give it. All randomness comes from db.ids (the world's seed).
import type { Db, XObj } from '../db'
import { createSr } from '../sr'
import { updatePoolCpuInfo } from '../pool-join'
import { installVm } from '../vm-install'
import { createVif } from '../vif'
import { startVm } from '../vm-power'
import { computeFreeMemory } from '../host'
import { startMemoryBytes } from '../vm'
import { defaultHostSpec, installHost, joinMemberHost, type HostSpec, type Profile } from './fresh-host'

export interface InventoryOptions {
  profile: Profile
  hosts: number
  vms: number
  /** the shared SR's type; 'none' keeps the guests' disks on the coordinator's local storage */
  sharedSr: 'nfs' | 'none'
}

const GiB = 1024 * 1024 * 1024
const TiB = 1024 * GiB

/** Kinds of guests: name prefix, templates to pick from, share of the inventory, tags. */
const ROLES: Array<{ prefix: string; templates: string[]; weight: number; team: string }> = [
  { prefix: 'web', templates: ['Ubuntu Noble Numbat 24.04', 'Debian Bookworm 12', 'Ubuntu Jammy Jellyfish 22.04'], weight: 6, team: 'frontend' },
  { prefix: 'app', templates: ['Debian Bookworm 12', 'Rocky Linux 9', 'Ubuntu Noble Numbat 24.04'], weight: 5, team: 'platform' },
  { prefix: 'db', templates: ['Red Hat Enterprise Linux 9', 'Rocky Linux 9', 'Debian Bookworm 12'], weight: 3, team: 'data' },
  { prefix: 'cache', templates: ['Debian Bookworm 12', 'Ubuntu Noble Numbat 24.04'], weight: 2, team: 'platform' },
  { prefix: 'mq', templates: ['Red Hat Enterprise Linux 9', 'Debian Bookworm 12'], weight: 1, team: 'data' },
  { prefix: 'lb', templates: ['Debian Bookworm 12'], weight: 1, team: 'netops' },
  { prefix: 'ci', templates: ['Ubuntu Jammy Jellyfish 22.04', 'Ubuntu Noble Numbat 24.04'], weight: 2, team: 'devtools' },
  { prefix: 'mon', templates: ['Debian Bookworm 12', 'Rocky Linux 9'], weight: 1, team: 'sre' },
  { prefix: 'win-ad', templates: ['Windows Server 2022 (64-bit)', 'Windows Server 2019 (64-bit)'], weight: 1, team: 'it' },
  { prefix: 'win-sql', templates: ['Windows Server 2022 (64-bit)', 'Windows Server 2025'], weight: 1, team: 'data' },
  { prefix: 'win-rds', templates: ['Windows Server 2022 (64-bit)'], weight: 1, team: 'it' },
]
const ENVS: Array<[string, number]> = [['prod', 6], ['staging', 2], ['dev', 2]]

function pick<T>(db: Db, items: Array<[T, number]>): T {
  const total = items.reduce((s, [, w]) => s + w, 0)
  let r = db.ids.random() * total
  for (const [x, w] of items) {
    r -= w
    if (r < 0) return x
  }
  return items[items.length - 1]![0]
}

/** The spec of host i (0-based): xenserver-01, -02, … at 10.0.0.10, .11, …; memory sized for the workload. */
function hostSpec(profile: Profile, i: number, memoryBytes: number): HostSpec {
  const base = defaultHostSpec(profile)
  const stem = base.hostname.replace(/-\d+$/, '')
  return { ...base, hostname: `${stem}-${String(i + 1).padStart(2, '0')}`, address: `10.0.0.${10 + i}`, cpus: 32, memoryBytes }
}

/** Host memory: 64 GiB, or enough (a power of two) for about 4 GiB per guest running on it. */
function hostMemory(hosts: number, vms: number): number {
  const want = Math.ceil((vms * 0.8 * 4 * GiB) / hosts)
  let m = 64 * GiB
  while (m < want && m < 8 * TiB) m *= 2
  return m
}

/** Builds the inventory into an empty world (called by buildWorld). */
export function buildInventory(db: Db, o: InventoryOptions): void {
  // the operation checks build XapiErrors for every refused operation; their stack traces are never shown
  const limit = Error.stackTraceLimit
  Error.stackTraceLimit = 0
  try {
    build(db, o)
  } finally {
    Error.stackTraceLimit = limit
  }
}

function build(db: Db, o: InventoryOptions): void {
  const memory = hostMemory(o.hosts, o.vms)
  const { pool, host: master } = installHost(db, hostSpec(o.profile, 0, memory))
  const hosts: Array<XObj<'host'>> = [master]
  for (let i = 1; i < o.hosts; i++) hosts.push(joinMemberHost(db, hostSpec(o.profile, i, memory)))
  // as after each real join: the pool's CPU and socket counts are the hosts' sums
  if (o.hosts > 1) updatePoolCpuInfo(db)

  let guestSr: XObj<'SR'> = db.get(pool.f.default_SR, 'SR')
  if (o.sharedSr === 'nfs') {
    guestSr = createSr(db, {
      host: master, device_config: [['server', '10.0.0.5'], ['serverpath', '/export/xenpool']],
      physical_size: Math.max(4, Math.ceil((o.vms * 64 * GiB) / TiB)) * TiB,
      name_label: 'NFS storage', name_description: '', type: 'nfs', content_type: 'user', shared: true, sm_config: [],
    })
    db.set(pool, { default_SR: guestSr.ref })
  }

  const templates = new Map<string, XObj<'VM'>>()
  for (const vm of db.all('VM')) if (vm.f.is_a_template) templates.set(vm.f.name_label, vm)
  const xenbr0 = db.all('network').find((n) => n.f.bridge === 'xenbr0')!
  const counters = new Map<string, number>()
  // free memory per host, kept here so placement does not rescan every VM for each start
  const free = new Map(hosts.map((h) => [h.ref, computeFreeMemory(db, h)]))

  // only hosts that see the guests' SR can run them (all of them with NFS; the coordinator with 'none')
  const runners = hosts.filter((h) => db.referrers('PBD', 'host', h.ref).some((p) => p.f.SR === guestSr.ref && p.f.currently_attached))

  for (let n = 0; n < o.vms; n++) {
    const role = pick(db, ROLES.map((r): [typeof r, number] => [r, r.weight]))
    const count = (counters.get(role.prefix) ?? 0) + 1
    counters.set(role.prefix, count)
    const name = `${role.prefix}${String(count).padStart(2, '0')}`
    const templateName = role.templates[Math.floor(db.ids.random() * role.templates.length)]!
    const template = templates.get(templateName)
    if (!template) throw new Error(`no template named ${templateName}`)
    const vm = installVm(db, template, { name, suspendSr: template.f.suspend_SR, srUuid: guestSr.f.uuid })
    const env = pick(db, ENVS)
    db.set(vm, { tags: [`env:${env}`, `team:${role.team}`, `role:${role.prefix.replace(/^win-/, '')}`] })
    createVif(db, { vm, network: xenbr0, device: '0' })
    // mostly running: placed on the host with the most free memory (as VM.start's placement prefers)
    if (db.ids.random() < 0.8) {
      const need = startMemoryBytes(vm) + vm.f.memory_overhead
      let best: XObj<'host'> | undefined
      for (const h of runners) if ((free.get(h.ref) ?? 0) >= need && (!best || free.get(h.ref)! > free.get(best.ref)!)) best = h
      if (best) {
        startVm(db, vm, { host: best })
        free.set(best.ref, free.get(best.ref)! - vm.f.memory_dynamic_min - vm.f.memory_overhead)
      }
    }
  }
}
