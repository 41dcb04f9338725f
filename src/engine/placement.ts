// Where VM.start and VM.resume run a VM when no host is given (xapi-model.md §5.5): xapi_vm_helpers.ml
// choose_host_for_vm_no_wlb / vm_can_run_on_host / rank_hosts_by_placement and xapi_vm_placement.ml +
// vm_placement.ml select_host (the affinity, definite, probable and possible host categories with a biased
// random choice that avoids the coordinator). Workload balancing, vGPU and SR-IOV ranking are not modelled.
// Randomness comes from db.ids, so seeded worlds choose the same hosts. Re-expressed from xen-api.
import type { Db, XObj } from './db'
import { XapiError } from './errors'
import { hostGuestMemory, isHostEvacuating, isHostLive } from './host'
import { assertCanBootHere } from './vm'
import { poolFeatureEnabled } from './vm-memory'
import { NULL_REF, type Ref } from './values'

/**
 * vm_can_run_on_host: the host is enabled (unless the VM is a control domain), live, passes
 * assert_can_boot_here (with or without the memory check) and is not being evacuated.
 */
export function vmCanRunOnHost(db: Db, vm: XObj<'VM'>, host: XObj<'host'>, memoryCheck: boolean): boolean {
  try {
    if (!vm.f.is_control_domain && !host.f.enabled) return false
    if (!isHostLive(db, host)) return false
    assertCanBootHere(db, vm, host, { memoryCheck })
    return !isHostEvacuating(host)
  } catch (e) {
    if (e instanceof XapiError) return false
    throw e
  }
}

/** Vm_placement's per-host summary: the guests' memory sums with the VM being placed counted in. */
interface Summary {
  host: XObj<'host'>
  isMaster: boolean
  staticMaxSum: number
  dynamicMinSum: number
  dynamicMaxSum: number
  availableSum: number
}

function summarise(db: Db, host: XObj<'host'>, extra: XObj<'VM'>): Summary {
  // the host's resident and scheduled guests (host.ts keeps their sums), and the VM being placed
  const g = hostGuestMemory(db, host.ref)
  const total = db.tryGet(host.f.metrics, 'host_metrics')?.f.memory_total ?? 0
  return {
    host,
    isMaster: db.all('pool')[0]?.f.master === host.ref,
    staticMaxSum: g.staticMax + extra.f.memory_static_max,
    dynamicMinSum: g.dynamicMin + extra.f.memory_dynamic_min,
    dynamicMaxSum: g.dynamicMax + extra.f.memory_dynamic_max,
    availableSum: total - host.f.memory_overhead - (g.overhead + extra.f.memory_overhead),
  }
}

type Category = (s: Summary) => number

/** bias_away_from_pool_master: the coordinator's value v becomes (v - 1) / 2 (integer division). */
const biased = (c: Category, masterBias: boolean): Category => (s) => {
  const v = c(s)
  return s.isMaster && masterBias ? Math.trunc((v - 1) / 2) : v
}
/** Hosts that need not compress their guests, valued by what is left after every static_max. */
const definite = (bias: boolean) => biased((s) => s.availableSum - s.staticMaxSum, bias)
/** Hosts that may need to compress, valued by what is left after every dynamic_max. */
const probable = (bias: boolean) => biased((s) => s.availableSum - s.dynamicMaxSum, bias)
/** Hosts that must compress, valued by the projected compression ratio (0–1000), -1 below every dynamic_min. */
const possible: Category = (s) => {
  if (s.availableSum >= s.dynamicMaxSum) return 1000
  if (s.availableSum < s.dynamicMinSum) return -1
  return Math.trunc((1000 * (s.availableSum - s.dynamicMinSum)) / (s.dynamicMaxSum - s.dynamicMinSum))
}
const affinity = (ids: Ref[]): Category => (s) => (ids.includes(s.host.ref) ? possible(s) : -1)

/** Vm_placement.select_host_from_summary over the given hosts; undefined when none validates. */
function selectHost(db: Db, vm: XObj<'VM'>, hosts: Array<XObj<'host'>>, validate: (h: XObj<'host'>) => boolean): XObj<'host'> | undefined {
  const pool = db.all('pool')[0]
  const bias = pool?.f.coordinator_bias ?? true
  const affinityIds = db.tryGet(vm.f.affinity, 'host') ? [vm.f.affinity] : []
  const random = () => {
    const x = db.ids.random()
    return x * x
  }
  let remaining = hosts.map((h) => summarise(db, h, vm))
  for (const category of [affinity(affinityIds), definite(bias), probable(bias), possible]) {
    if (remaining.length === 0) return undefined
    // evaluate, sort by value (highest first, stable), split at 0
    const valued = remaining.map((s) => ({ s, v: category(s) })).sort((a, b) => b.v - a.v)
    const within = valued.filter((x) => x.v >= 0).map((x) => x.s)
    remaining = valued.filter((x) => x.v < 0).map((x) => x.s)
    while (within.length > 0) {
      const i = Math.trunc(within.length * random())
      const [candidate] = within.splice(i, 1)
      if (validate(candidate!.host)) return candidate!.host
    }
  }
  return undefined
}

/**
 * The lists of equally good hosts, best first (select_host_from_ranked_lists): every host, or — for a VM of an
 * anti-affinity VM group (with the VM_groups licence feature) — the affinity host, then hosts by how few of the
 * group's VMs run (or are scheduled) there.
 */
function rankedHostLists(db: Db, vm: XObj<'VM'>): Array<Array<XObj<'host'>>> {
  const hosts = db.all('host')
  const group = poolFeatureEnabled(db, 'restrict_vm_groups')
    ? vm.f.groups.map((g) => db.tryGet(g, 'VM_group')).find((g) => g?.f.placement === 'anti_affinity')
    : undefined
  if (!group) return [hosts]
  const count = new Map<Ref, number>()
  for (const member of db.referrers('VM', 'groups', group.ref)) {
    const h = member.f.scheduled_to_be_resident_on !== NULL_REF ? member.f.scheduled_to_be_resident_on
      : member.f.power_state === 'Running' && member.f.resident_on !== NULL_REF ? member.f.resident_on : undefined
    if (h) count.set(h, (count.get(h) ?? 0) + 1)
  }
  const aff = db.tryGet(vm.f.affinity, 'host')
  const others = hosts.filter((h) => h.ref !== aff?.ref)
  const byCount = new Map<number, Array<XObj<'host'>>>()
  for (const h of others) {
    const n = count.get(h.ref) ?? 0
    byCount.set(n, [...(byCount.get(n) ?? []), h])
  }
  const ranked = [...byCount.keys()].sort((a, b) => a - b).map((n) => byCount.get(n)!)
  return aff ? [[aff], ...ranked] : ranked
}

/**
 * choose_host_for_vm (without workload balancing): the first ranked list with a host that can run the VM; if none
 * can with the memory check, any host that can without it (the start then fails on that host if the memory cannot
 * be reserved); NO_HOSTS_AVAILABLE [] when there is none at all.
 */
export function chooseHostForVm(db: Db, vm: XObj<'VM'>): XObj<'host'> {
  const lists = rankedHostLists(db, vm)
  for (const hosts of lists) {
    const h = selectHost(db, vm, hosts, (x) => vmCanRunOnHost(db, vm, x, true))
    if (h) return h
  }
  const h = selectHost(db, vm, lists.flat(), (x) => vmCanRunOnHost(db, vm, x, false))
  if (h) return h
  throw new XapiError('NO_HOSTS_AVAILABLE', [])
}

/**
 * What `xe vm-start` shows when no host is available (cli_operations.ml print_vm_host_report): for every host,
 * VM.assert_can_boot_here's verdict (undefined = it could start there).
 */
export function bootVerdicts(db: Db, vm: XObj<'VM'>): Array<{ host: XObj<'host'>; error?: XapiError }> {
  return db.all('host').map((host) => {
    try {
      // VM.assert_can_boot_here: a halted VM needs the VM_start licence feature first
      if (vm.f.power_state === 'Halted' && !poolFeatureEnabled(db, 'restrict_vm_start', true)) throw new XapiError('LICENCE_RESTRICTION', ['VM_start'])
      assertCanBootHere(db, vm, host)
      return { host }
    } catch (e) {
      if (e instanceof XapiError) return { host, error: e }
      throw e
    }
  })
}
