// High availability: Pool.enable_ha / disable_ha (xapi_ha.ml enable / disable, xha_statefile.ml,
// xha_metadata_vdi.ml), the failover planner (xapi_ha_vm_failover.ml with binpack.ml and agility.ml), the pool's
// HA status fields (ha_plan_exists_for, ha_overcommitted) and the VM/pool setters that consult the plan
// (VM.set_ha_restart_priority / set_ha_always_run, Pool.set_ha_host_failures_to_tolerate,
// Pool.ha_compute_max_host_failures_to_tolerate and its hypothetical variant). Re-expressed from xen-api at the
// reference commit; no xHA daemon is modelled: every live, enabled host is in the liveset and sees the statefile.
import type { Db, XObj } from './db'
import { XapiError } from './errors'
import { createMessage } from './message'
import { mapGet, NULL_REF, type Ref, type XMap } from './values'
import { assertCanBootHere, requiredMemoryBytes } from './vm'
import { createVdi, updateVdiAllowedOperations } from './vdi'
import { srFreeSpace, smOf } from './sr'

type Host = XObj<'host'>
type Vm = XObj<'VM'>
type Sr = XObj<'SR'>

const poolOf = (db: Db): XObj<'pool'> => {
  const p = db.all('pool')[0]
  if (!p) throw new XapiError('INTERNAL_ERROR', ['Failure: hd'])
  return p
}

// ---------------------------------------------------------------------------------------------------------
// Pool operations (xapi_pool_helpers.ml): which of the pool's operations are allowed.

/** all_operations: the blocking operations, then the waiting ones (the datamodel's pool_allowed_operations). */
const POOL_OPS = [
  'ha_enable', 'ha_disable', 'cluster_create', 'designate_new_master', 'tls_verification_enable', 'configure_repositories',
  'sync_updates', 'apply_updates', 'cert_refresh', 'exchange_certificates_on_join', 'exchange_ca_certificates_on_join',
  'copy_primary_host_certs', 'eject', 'get_updates',
] as const
type PoolOp = (typeof POOL_OPS)[number]
const BLOCKING: Array<[PoolOp, string]> = [
  ['ha_enable', 'HA_ENABLE_IN_PROGRESS'], ['ha_disable', 'HA_DISABLE_IN_PROGRESS'], ['cluster_create', 'CLUSTER_CREATE_IN_PROGRESS'],
  ['designate_new_master', 'DESIGNATE_NEW_MASTER_IN_PROGRESS'], ['tls_verification_enable', 'TLS_VERIFICATION_ENABLE_IN_PROGRESS'],
  ['configure_repositories', 'CONFIGURE_REPOSITORIES_IN_PROGRESS'], ['sync_updates', 'SYNC_UPDATES_IN_PROGRESS'],
  ['apply_updates', 'APPLY_UPDATES_IN_PROGRESS'],
]

/** compute_valid_operations: the reason op may not run now, or undefined. */
function poolOpError(db: Db, pool: XObj<'pool'>, op: PoolOp): XapiError | undefined {
  const current = pool.f.current_operations as Array<[string, string]>
  const blocking = BLOCKING.find(([o]) => current.some(([, c]) => c === o))
  const waiting = current.find(([, c]) => !BLOCKING.some(([o]) => o === c))
  const other = () => new XapiError('OTHER_OPERATION_IN_PROGRESS', ['pool', pool.ref, ...(waiting ? [waiting[1], waiting[0]] : [])])
  if (blocking) return BLOCKING.some(([o]) => o === op) ? new XapiError(blocking[1], []) : other()
  if (waiting) return other()
  if (pool.f.ha_enabled && (op === 'ha_enable' || op === 'tls_verification_enable')) return new XapiError('HA_IS_ENABLED', [])
  if (!pool.f.ha_enabled && op === 'ha_disable') return new XapiError('HA_NOT_ENABLED', [])
  return undefined
}

/** Xapi_pool_helpers.assert_operation_valid. */
export function assertPoolOperation(db: Db, op: PoolOp): void {
  const e = poolOpError(db, poolOf(db), op)
  if (e) throw e
}

/** Xapi_pool_helpers.update_allowed_operations. */
export function updatePoolAllowedOperations(db: Db): void {
  const pool = poolOf(db)
  const value = POOL_OPS.filter((op) => poolOpError(db, pool, op) === undefined)
  db.set(pool, { allowed_operations: value as unknown as XObj<'pool'>['f']['allowed_operations'] })
}

// ---------------------------------------------------------------------------------------------------------
// Memory (memory_check.ml) and agility (agility.ml).

type Policy = 'dynamic_min' | 'dynamic_max' | 'static_max'
const chosen = (vm: Vm, p: Policy) => (p === 'dynamic_min' ? vm.f.memory_dynamic_min : p === 'dynamic_max' ? vm.f.memory_dynamic_max : vm.f.memory_static_max)

/** total_memory_of_vm: vm_compute_start_memory under the policy (main + shadow). */
const totalMemoryOfVm = (vm: Vm, p: Policy) => requiredMemoryBytes(vm.f, chosen(vm, p))

/** host_compute_free_memory_with_policy: guest memory minus each resident/scheduled VM's policy memory + overhead. */
function hostFreeMemory(db: Db, host: Host, p: Policy): number {
  const metrics = db.tryGet(host.f.metrics, 'host_metrics')
  const maxGuest = (metrics?.f.memory_total ?? 0) - host.f.memory_overhead
  const vms = [...db.referrers('VM', 'resident_on', host.ref), ...db.referrers('VM', 'scheduled_to_be_resident_on', host.ref)]
  let used = 0
  for (const vm of vms) used += chosen(vm, p) + vm.f.memory_overhead
  return Math.max(0, maxGuest - used)
}

const isLive = (db: Db, h: Host) => !!db.tryGet(h.f.metrics, 'host_metrics')?.f.live

/** is_sr_properly_shared: shared, and every enabled host has a plugged PBD. */
export function isSrProperlyShared(db: Db, sr: Sr): boolean {
  if (!sr.f.shared) return false
  const plugged = new Set(db.referrers('PBD', 'SR', sr.ref).filter((p) => p.f.currently_attached).map((p) => p.f.host))
  return db.all('host').filter((h) => h.f.enabled).every((h) => plugged.has(h.ref))
}

/** is_network_properly_shared: every enabled host has a PIF (not a bond slave) on the network. */
export function isNetworkProperlyShared(db: Db, net: XObj<'network'>): boolean {
  const hosts = new Set(db.referrers('PIF', 'network', net.ref).filter((p) => !db.tryGet(p.f.bond_slave_of, 'Bond')).map((p) => p.f.host))
  return db.all('host').filter((h) => h.f.enabled).every((h) => hosts.has(h.ref))
}

/** vm_assert_agile: no vGPU / VUSB, every disk on a properly shared SR, every VIF on a properly shared network. */
export function assertVmAgile(db: Db, vm: Vm): void {
  const refs = (name: string) => (db.field(vm, name) as Ref[] | undefined) ?? []
  if (refs('VGPUs').length > 0) throw new XapiError('VM_HAS_VGPU', [vm.ref])
  if (refs('VUSBs').length > 0) throw new XapiError('VM_HAS_VUSBS', [vm.ref])
  for (const vbdRef of refs('VBDs')) {
    const vbd = db.tryGet(vbdRef, 'VBD')
    if (!vbd || vbd.f.empty) continue
    const vdi = db.tryGet(vbd.f.VDI, 'VDI')
    const sr = vdi && db.tryGet(vdi.f.SR, 'SR')
    if (!sr || !isSrProperlyShared(db, sr)) throw new XapiError('HA_CONSTRAINT_VIOLATION_SR_NOT_SHARED', [vdi?.f.SR ?? NULL_REF])
  }
  for (const vifRef of refs('VIFs')) {
    const vif = db.tryGet(vifRef, 'VIF')
    if (!vif) continue
    const net = db.tryGet(vif.f.network, 'network')
    if (!net || !isNetworkProperlyShared(db, net)) throw new XapiError('HA_CONSTRAINT_VIOLATION_NETWORK_NOT_SHARED', [vif.f.network])
  }
}

function isAgile(db: Db, vm: Vm): boolean {
  try {
    assertVmAgile(db, vm)
    return true
  } catch (e) {
    if (e instanceof XapiError) return false
    throw e
  }
}

// ---------------------------------------------------------------------------------------------------------
// binpack.ml: the configuration, the two heuristics.

interface Config {
  /** live hosts and their free memory */
  hosts: Array<[Ref, number]>
  /** VMs and their memory requirements */
  vms: Array<[Ref, number]>
  /** current VM locations */
  placement: Array<[Ref, Ref]>
  totalHosts: number
  numFailures: number
}

class Stop extends Error {}

/** Descending by size; List.sort is stable. */
const bySizeDesc = <T>(xs: Array<[T, number]>) => [...xs].sort((a, b) => b[1] - a[1])

/** biggest_fit_decreasing: each thing (largest first) into the biggest bin, if it fits; bins kept sorted. */
function biggestFitDecreasing(things: Array<[Ref, number]>, bins: Array<[Ref, number]>): Array<[Ref, Ref]> {
  const mapping: Array<[Ref, Ref]> = []
  let sorted = bySizeDesc(bins)
  for (const [id, size] of bySizeDesc(things)) {
    const first = sorted[0]
    if (!first) continue
    const remaining = first[1] - size
    if (remaining < 0) continue
    const rest = sorted.slice(1)
    // insert: before the first bin that is not bigger
    const i = rest.findIndex((b) => remaining >= b[1])
    sorted = i < 0 ? [...rest, [first[0], remaining]] : [...rest.slice(0, i), [first[0], remaining], ...rest.slice(i)]
    mapping.unshift([id, first[0]])
  }
  return mapping
}

const memOf = (vms: Array<[Ref, number]>, vm: Ref) => {
  const e = vms.find(([v]) => v === vm)
  if (!e) throw new Error('Not_found')
  return e[1]
}

/** account: each host's memory minus what the plan puts on it. */
function account(hosts: Array<[Ref, number]>, vms: Array<[Ref, number]>, plan: Array<[Ref, Ref]>): Array<[Ref, number]> {
  return hosts.map(([h, m]) => [h, m - plan.filter(([, host]) => host === h).reduce((s, [vm]) => s + memOf(vms, vm), 0)])
}

function applyPlan(c: Config, plan: Array<[Ref, Ref]>): Config {
  const hosts = account(c.hosts, c.vms, plan)
  const untouched = c.placement.filter(([vm]) => !plan.some(([v]) => v === vm))
  return { ...c, hosts, placement: [...plan, ...untouched] }
}

function checkConfiguration(c: Config): void {
  for (const [vm, host] of c.placement) {
    if (!c.vms.some(([v]) => v === vm)) throw new Error('VM not found')
    if (!c.hosts.some(([h]) => h === host)) throw new Error('Host not found')
  }
  if (c.numFailures > c.totalHosts) throw new Error('num_failures > total_hosts')
  if (c.numFailures < 0) throw new Error('num_failures < 0')
}

const packFailed = (c: Config, failed: Ref[]) => biggestFitDecreasing(failed.map((vm) => [vm, memOf(c.vms, vm)]), c.hosts)

function triviallyNeverPossible(c: Config): boolean {
  return c.hosts.length < c.numFailures || (c.hosts.length === c.numFailures && c.vms.length > 0)
}

function simulateFailure(c: Config, dead: Ref): Config {
  const failed = c.placement.filter(([, h]) => h === dead).map(([vm]) => vm)
  const alive = { ...c, hosts: c.hosts.filter(([h]) => h !== dead) }
  const plan = packFailed(alive, failed)
  if (plan.length !== failed.length) throw new Stop()
  const hosts = account(alive.hosts, c.vms, plan)
  const placement = c.placement.map(([vm, h]): [Ref, Ref] => [vm, plan.find(([v]) => v === vm)?.[1] ?? h])
  return { ...alive, hosts, placement, numFailures: c.numFailures - 1 }
}

function combinations<T>(l: T[], n: number): T[][] {
  if (n === 0) return [[]]
  if (l.length === 0) return []
  const [x, ...xs] = l
  return [...combinations(xs, n), ...combinations(xs, n - 1).map((z) => [x!, ...z])]
}
function permutations<T>(l: T[]): T[][] {
  if (l.length <= 1) return [l]
  return l.flatMap((x, i) => permutations([...l.slice(0, i), ...l.slice(i + 1)]).map((p) => [x, ...p]))
}

/** bin_pack_every_combination: every order of every combination of r failures leaves a full plan. */
function exhaustivePossible(c: Config): boolean {
  try {
    if (triviallyNeverPossible(c)) throw new Stop()
    for (const combo of combinations(c.hosts.map(([h]) => h), c.numFailures)) {
      for (const perm of permutations(combo)) perm.reduce(simulateFailure, c)
    }
    return true
  } catch (e) {
    if (e instanceof Stop) return false
    throw e
  }
}

/** approximate_bin_pack: every VM as big as the biggest, the biggest hosts fail, the fullest hosts' VMs move. */
function approximatePossible(c: Config): boolean {
  if (triviallyNeverPossible(c)) return false
  if (c.vms.length === 0) return true
  const maxVm = c.vms.reduce((m, [, s]) => Math.max(m, s), 0)
  const capacity = c.hosts.map(([, s]) => Math.trunc(s / maxVm)).sort((a, b) => b - a)
  const left = capacity.slice(c.numFailures).reduce((a, b) => a + b, 0)
  const perHost = c.hosts.map(([h]) => c.placement.filter(([, x]) => x === h).length).sort((a, b) => b - a)
  const moving = perHost.slice(0, c.numFailures).reduce((a, b) => a + b, 0)
  return moving <= left
}

const factorial = (n: number): number => (n <= 1 ? 1 : n * factorial(n - 1))
function binomial(n: number, r: number): number {
  let v = 1
  for (let i = 1; i <= r; i++) v = (v * (n - r + i)) / i
  return Math.round(v)
}

/** choose_heuristic: exhaustive while nCr × r! < 3500 (and n ≤ 32), else the approximation. */
function planAlwaysPossible(c: Config): boolean {
  const n = c.totalHosts
  const r = c.numFailures
  const exhaustive = n <= 32 && binomial(n, r) * factorial(r) < 3500
  return exhaustive ? exhaustivePossible(c) : approximatePossible(c)
}

// ---------------------------------------------------------------------------------------------------------
// xapi_ha_vm_failover.ml: restart plans.

/** Helpers.vm_should_always_run. */
export const isProtected = (vm: Vm) => vm.f.ha_always_run && vm.f.ha_restart_priority === 'restart'

/** all_protected_vms. */
export const allProtectedVms = (db: Db): Vm[] => db.all('VM').filter(isProtected)

/** A counterfactual change to plan for (configuration_change). */
export interface Change {
  numFailures?: number
  newVmsToProtect?: Vm[]
  hostsToDisable?: Ref[]
  /** [host, vm]: VMs leaving / arriving on hosts */
  leaving?: Array<[Ref, Vm]>
  arriving?: Array<[Ref, Vm]>
}

/** get_live_set: enabled hosts whose metrics say live. */
export function liveSet(db: Db): Ref[] {
  return db.all('host').filter((h) => h.f.enabled && isLive(db, h)).map((h) => h.ref)
}

type Plan = 'all' | 'excluding_non_agile' | 'none'

/** compute_restart_plan: place the offline protected VMs, then the configuration for further planning. */
function computeRestartPlan(db: Db, protectedVms: Vm[], live: Ref[], change: Change, n: number) {
  const numFailures = change.numFailures ?? n
  const resident = new Map<Ref, Ref>()
  let toRun = [...protectedVms, ...(change.newVmsToProtect ?? [])]
  for (const vm of toRun) resident.set(vm.ref, vm.f.resident_on)
  for (const [, vm] of change.leaving ?? []) if (toRun.some((v) => v.ref === vm.ref)) resident.set(vm.ref, NULL_REF)
  for (const [host, vm] of change.arriving ?? []) if (toRun.some((v) => v.ref === vm.ref)) resident.set(vm.ref, host)
  const hosts = [...db.all('host')].sort((a, b) => (a.f.uuid < b.f.uuid ? -1 : a.f.uuid > b.f.uuid ? 1 : 0))
  const totalHosts = hosts.length
  const liveHosts = hosts.filter((h) => h.f.enabled && !(change.hostsToDisable ?? []).includes(h.ref) && isLive(db, h) && live.includes(h.ref))
  const liveRefs = liveHosts.map((h) => h.ref)
  toRun = [...toRun].sort((a, b) => (a.f.uuid < b.f.uuid ? -1 : a.f.uuid > b.f.uuid ? 1 : 0))
  const agile = toRun.filter((vm) => isAgile(db, vm))
  const notAgile = toRun.filter((vm) => !agile.includes(vm))
  const accountedTo = (vm: Vm): Ref | undefined => {
    const r = resident.get(vm.ref) ?? vm.f.resident_on
    if (liveRefs.includes(r)) return r
    if (liveRefs.includes(vm.f.scheduled_to_be_resident_on)) return vm.f.scheduled_to_be_resident_on
    return undefined
  }
  const memOfChange = (vm: Vm) => totalMemoryOfVm(vm, vm.f.is_control_domain ? 'dynamic_max' : 'static_max')
  let hostsMem: Array<[Ref, number]> = liveHosts.map((h) => {
    const arriving = (change.arriving ?? []).filter(([x]) => x === h.ref).reduce((s, [, vm]) => s + memOfChange(vm), 0)
    const leaving = (change.leaving ?? []).filter(([x]) => x === h.ref).reduce((s, [, vm]) => s + memOfChange(vm), 0)
    return [h.ref, hostFreeMemory(db, h, 'static_max') + leaving - arriving]
  })
  const vmsMem: Array<[Ref, number]> = toRun.map((vm) => [vm.ref, totalMemoryOfVm(vm, 'static_max')])
  // non-agile VMs are pinned to the first host (by uuid) they could boot on
  const pinned: Array<[Ref, Ref]> = []
  for (const vm of notAgile) {
    const h = hosts.find((host) => {
      try {
        assertCanBootHere(db, vm, host, { memoryCheck: false })
        return true
      } catch (e) {
        if (e instanceof XapiError) return false
        throw e
      }
    })
    if (h) pinned.push([vm.ref, h.ref])
  }
  const nonAgilePlan = pinned.filter(([vm]) => accountedTo(db.get(vm, 'VM')) === undefined)
  hostsMem = account(hostsMem, vmsMem, nonAgilePlan)
  const agileMem: Array<[Ref, number]> = agile.map((vm) => [vm.ref, memOf(vmsMem, vm.ref)])
  const placement: Array<[Ref, Ref]> = []
  const failed: Ref[] = []
  for (const vm of agile) {
    const h = accountedTo(vm)
    if (h) placement.push([vm.ref, h])
    else failed.push(vm.ref)
  }
  let config: Config = { hosts: hostsMem, vms: agileMem, placement, totalHosts, numFailures }
  checkConfiguration(config)
  const agilePlan = packFailed(config, failed)
  const restarted = new Set(agilePlan.map(([vm]) => vm))
  const notRestarted = toRun.filter((vm) => accountedTo(vm) === undefined && !restarted.has(vm.ref))
  config = applyPlan(config, agilePlan)
  checkConfiguration(config)
  return { plan: [...nonAgilePlan, ...agilePlan], config, notRestarted, nonAgileExist: notAgile.length > 0 }
}

/** plan_for_n_failures. */
function planForNFailures(db: Db, protectedVms: Vm[], n: number, change: Change = {}, live = liveSet(db)): Plan {
  try {
    const r = computeRestartPlan(db, protectedVms, live, change, n)
    if (r.notRestarted.length > 0) return 'none'
    checkConfiguration(r.config)
    if (!planAlwaysPossible(r.config)) return 'none'
    return r.nonAgileExist ? 'excluding_non_agile' : 'all'
  } catch (e) {
    if (e instanceof XapiError || e instanceof Stop || e instanceof Error) return 'none'
    throw e
  }
}

/** Helpers.bisect: the largest n in [lower, upper] for which the monotonic f holds (lower if none). */
function bisect(f: (n: number) => boolean, lower: number, upper: number): number {
  while (upper - lower >= 2) {
    const mid = Math.floor((upper + lower) / 2)
    if (f(mid)) lower = mid
    else upper = mid
  }
  return f(upper) ? upper : lower
}

/** compute_max_host_failures_to_tolerate: bisect over 0..(number of hosts). */
export function computeMaxHostFailuresToTolerate(db: Db, protectedVms = allProtectedVms(db), live = liveSet(db)): number {
  return bisect((n) => planForNFailures(db, protectedVms, n, {}, live) === 'all', 0, db.all('host').length)
}

const HA_POOL_OVERCOMMITTED = 3
const HA_POOL_DROP_IN_PLAN_EXISTS_FOR = 3

/** mark_pool_as_overcommitted: ha_plan_exists_for drops to what is possible; the transition is announced. */
function markPoolAsOvercommitted(db: Db, live: Ref[]): boolean {
  const pool = poolOf(db)
  const overcommitted = pool.f.ha_overcommitted
  const plannedFor = pool.f.ha_plan_exists_for
  const toTolerate = pool.f.ha_host_failures_to_tolerate
  const max = computeMaxHostFailuresToTolerate(db, allProtectedVms(db), live)
  if (plannedFor !== max) {
    db.set(pool, { ha_plan_exists_for: Math.min(toTolerate, max) })
    if (max < plannedFor) createMessage(db, 'HA_POOL_DROP_IN_PLAN_EXISTS_FOR', HA_POOL_DROP_IN_PLAN_EXISTS_FOR, 'Pool', pool.f.uuid, String(max))
  }
  if (!overcommitted) {
    db.set(pool, { ha_overcommitted: true })
    createMessage(db, 'HA_POOL_OVERCOMMITTED', HA_POOL_OVERCOMMITTED, 'Pool', pool.f.uuid,
      `The failover tolerance for pool '${pool.f.name_label}' has dropped and the initially specified number of host failures to tolerate can no longer be guaranteed`)
  }
  return plannedFor !== max || !overcommitted
}

/** update_pool_status: ha_overcommitted and ha_plan_exists_for from a plan for ha_host_failures_to_tolerate. */
export function updatePoolStatus(db: Db, live = liveSet(db)): boolean {
  const pool = poolOf(db)
  const overcommitted = pool.f.ha_overcommitted
  const toTolerate = pool.f.ha_host_failures_to_tolerate
  const plannedFor = pool.f.ha_plan_exists_for
  const plan = planForNFailures(db, allProtectedVms(db), toTolerate, {}, live)
  if (plan === 'all') {
    if (overcommitted) db.set(pool, { ha_overcommitted: false })
    if (plannedFor !== toTolerate) db.set(pool, { ha_plan_exists_for: toTolerate })
    return overcommitted || plannedFor !== toTolerate
  }
  return markPoolAsOvercommitted(db, live)
}

/** assert_configuration_change_preserves_ha_plan: only a plan that exists now and would break is refused. */
export function assertChangePreservesHaPlan(db: Db, change: Change): void {
  const pool = poolOf(db)
  if (!pool.f.ha_enabled || pool.f.ha_allow_overcommit) return
  const live = liveSet(db)
  const n = pool.f.ha_plan_exists_for
  const vms = allProtectedVms(db)
  if (planForNFailures(db, vms, n, {}, live) !== 'all') return
  if (planForNFailures(db, vms, n, change, live) !== 'all') throw new XapiError('HA_OPERATION_WOULD_BREAK_FAILOVER_PLAN', [])
}

/** assert_host_disable_preserves_ha_plan (Host.disable, Host.evacuate). */
export function assertHostDisablePreservesHaPlan(db: Db, host: Host): void {
  assertChangePreservesHaPlan(db, { hostsToDisable: [host.ref] })
}

/**
 * message_forwarding.ml check_vm_preserves_ha_plan (VM.start / start_on / resume / resume_on placement): a VM
 * about to become protected must fit the plan as a new protected VM; any other arrives on the host.
 */
export function checkVmPreservesHaPlan(db: Db, vm: Vm, host: Host): void {
  if (vm.f.ha_restart_priority === 'restart' && !vm.f.ha_always_run) assertChangePreservesHaPlan(db, { newVmsToProtect: [vm] })
  else assertChangePreservesHaPlan(db, { arriving: [[host.ref, vm]] })
}

// ---------------------------------------------------------------------------------------------------------
// Setters and the pool's planning calls.

const VALID_PRIORITIES = ['restart', 'best-effort', '']

/** VM.set_ha_restart_priority (xapi_vm.ml): validated; becoming "restart" must keep the plan; a running VM's
 *  ha_always_run follows at once. */
export function setHaRestartPriority(db: Db, vm: Vm, value: string): void {
  if (!VALID_PRIORITIES.includes(value)) throw new XapiError('INVALID_VALUE', ['ha_restart_priority', value])
  const current = vm.f.ha_restart_priority
  if (current !== 'restart' && value === 'restart') {
    if (vm.f.power_state !== 'Halted') assertChangePreservesHaPlan(db, { newVmsToProtect: [vm] })
    if (poolOf(db).f.ha_enabled) updatePoolStatus(db)
  }
  if (current !== value) {
    db.set(vm, { ha_restart_priority: value })
    if (vm.f.power_state === 'Running') db.set(vm, { ha_always_run: value === 'restart' })
  }
}

/** VM.set_ha_always_run (deprecated): true means restart priority "restart", false means "". */
export function setHaAlwaysRun(db: Db, vm: Vm, value: boolean): void {
  setHaRestartPriority(db, vm, value ? 'restart' : '')
}

/** Pool.set_ha_host_failures_to_tolerate. */
export function setHaHostFailuresToTolerate(db: Db, value: number): void {
  if (value < 0) throw new XapiError('INVALID_VALUE', ['ha_host_failures_to_tolerate', String(value)])
  const pool = poolOf(db)
  if (pool.f.ha_plan_exists_for > 0) assertChangePreservesHaPlan(db, { numFailures: value })
  db.set(pool, { ha_host_failures_to_tolerate: value })
  updatePoolStatus(db)
}

/** Pool.ha_compute_max_host_failures_to_tolerate: the number; with HA on the pool's status follows. */
export function haComputeMaxHostFailuresToTolerate(db: Db): number {
  const n = computeMaxHostFailuresToTolerate(db)
  const pool = poolOf(db)
  if (pool.f.ha_enabled) {
    const wanted = pool.f.ha_host_failures_to_tolerate
    const overcommitted = wanted > n
    if (pool.f.ha_overcommitted !== overcommitted) db.set(pool, { ha_overcommitted: overcommitted })
    const current = pool.f.ha_plan_exists_for
    if (current !== n) {
      db.set(pool, { ha_plan_exists_for: Math.min(wanted, n) })
      if (n < current) createMessage(db, 'HA_POOL_DROP_IN_PLAN_EXISTS_FOR', HA_POOL_DROP_IN_PLAN_EXISTS_FOR, 'Pool', pool.f.uuid, String(n))
    }
  }
  return n
}

/** Pool.ha_compute_hypothetical_max_host_failures_to_tolerate: as if exactly these VMs had these priorities. */
export function haComputeHypotheticalMaxHostFailuresToTolerate(db: Db, configuration: Array<[Vm, string]>): number {
  for (const [, pri] of configuration) if (!VALID_PRIORITIES.includes(pri)) throw new XapiError('INVALID_VALUE', ['ha_restart_priority', pri])
  const vms = configuration.filter(([, pri]) => pri === 'restart').map(([vm]) => vm)
  return computeMaxHostFailuresToTolerate(db, vms)
}

/**
 * Pool.ha_compute_vm_failover_plan: where the failed VMs would restart if the failed hosts died — a binpack of
 * their memory (dynamic_min, static_max for PVH) onto the other live hosts' free memory
 * (compute_evacuation_plan; no anti-affinity groups are modelled). VMs left out get their agility error, or
 * HOST_NOT_ENOUGH_FREE_MEMORY.
 */
export function haComputeVmFailoverPlan(db: Db, failedHosts: Host[], failedVms: Vm[]): Array<[Vm, { host?: Host; error?: string }]> {
  const failed = new Set(failedHosts.map((h) => h.ref))
  const all = db.all('host')
  const live = all.filter((h) => isLive(db, h) && !failed.has(h.ref))
  const errors = failedVms.map((vm): [Vm, string] => {
    try {
      assertVmAgile(db, vm)
      return [vm, 'HOST_NOT_ENOUGH_FREE_MEMORY']
    } catch (e) {
      if (e instanceof XapiError) return [vm, e.code]
      throw e
    }
  })
  const hosts: Array<[Ref, number]> = live.map((h) => [h.ref, hostFreeMemory(db, h, 'dynamic_min')])
  const vmSize = (vm: Vm) => totalMemoryOfVm(vm, vm.f.domain_type === 'pv_in_pvh' || vm.f.domain_type === 'pvh' ? 'static_max' : 'dynamic_min')
  const plan = biggestFitDecreasing(failedVms.map((vm) => [vm.ref, vmSize(vm)]), hosts)
  const planned = new Set(plan.map(([vm]) => vm))
  return [
    ...errors.filter(([vm]) => !planned.has(vm.ref)).map(([vm, error]): [Vm, { error: string }] => [vm, { error }]),
    ...plan.map(([vm, h]): [Vm, { host: Host }] => [db.get(vm, 'VM'), { host: db.get(h, 'host') }]),
  ]
}

// ---------------------------------------------------------------------------------------------------------
// Enabling and disabling HA.

/** The SR types the xhad cluster stack accepts for its statefile (its ha_supported_srs file). */
const XHAD_SUPPORTED_SRS = ['lvmoiscsi', 'lvmohba', 'lvmofcoe', 'nfs', 'smb', 'cifs']

/** Xha_statefile.minimum_statefile_size: a 4 KiB global section and 4 KiB for each of 64 hosts. */
const STATEFILE_SIZE = 4096 + 64 * 4096
const MiB = 1024 * 1024
/** Redo_log.minimum_vdi_size: 4 GB in 4 MiB units, less two units. */
const REDO_LOG_SIZE = (Math.floor(4_000_000_000 / (4 * MiB)) - 2) * 4 * MiB
const roundTo = (n: number, align: number) => Math.ceil(n / align) * align
/** minimum_sr_size: both, rounded up to 4 MiB. */
const MINIMUM_SR_SIZE = roundTo(STATEFILE_SIZE, 4 * MiB) + roundTo(REDO_LOG_SIZE, 4 * MiB)

/** ha_fits_sr: an existing VDI of the type and size, else undefined (refused when the SR lacks the room). */
function haFitsSr(db: Db, sr: Sr, type: string, minimum: number): XObj<'VDI'> | undefined {
  const found = db.referrers('VDI', 'SR', sr.ref).find((v) => v.f.type === type && v.f.virtual_size >= minimum)
  if (found) return found
  if (srFreeSpace(sr) < MINIMUM_SR_SIZE) throw new XapiError('SR_SOURCE_SPACE_INSUFFICIENT', [sr.ref])
  return undefined
}

/** check_sr_can_host_statefile: every host has a PBD, all plugged; the type suits xhad; the driver can attach
 *  offline; an existing statefile, or room for one. */
function checkSrCanHostStatefile(db: Db, sr: Sr): XObj<'VDI'> | undefined {
  const pbds = db.referrers('PBD', 'SR', sr.ref)
  const connected = new Set(pbds.map((p) => p.f.host))
  if (connected.size < db.all('host').length) throw new XapiError('SR_NO_PBDS', [sr.ref])
  if (pbds.some((p) => !p.f.currently_attached)) throw new XapiError('SR_NO_PBDS', [sr.ref])
  if (!XHAD_SUPPORTED_SRS.includes(sr.f.type)) throw new XapiError('INCOMPATIBLE_STATEFILE_SR', [sr.f.type])
  const sm = smOf(db, sr)
  if (!sm) throw new XapiError('INTERNAL_ERROR', [`SR does not have corresponding SM record: ${sr.ref} ${sr.f.type}`])
  const features = sm.f.features.map(([k]) => k)
  if (!features.includes('VDI_GENERATE_CONFIG') && !features.includes('VDI_ATTACH_OFFLINE')) throw new XapiError('SR_OPERATION_NOT_SUPPORTED', [sr.ref])
  return haFitsSr(db, sr, 'ha_statefile', STATEFILE_SIZE)
}

function canHostStatefile(db: Db, sr: Sr): boolean {
  try {
    checkSrCanHostStatefile(db, sr)
    haFitsSr(db, sr, 'redo_log', REDO_LOG_SIZE)
    return true
  } catch (e) {
    if (e instanceof XapiError) return false
    throw e
  }
}

/** Pool.enable_ha (xapi_ha.ml enable, under the pool's ha_enable operation). */
export function enableHa(db: Db, heartbeatSrs: Sr[], configuration: XMap): void {
  assertPoolOperation(db, 'ha_enable')
  const pool = poolOf(db)
  if (pool.f.ha_enabled) throw new XapiError('HA_IS_ENABLED', [])
  // Pool_features.assert_enabled HA: "enable_xha" is a positive flag
  if (mapGet(pool.f.restrictions, 'enable_xha') !== 'true') throw new XapiError('LICENCE_RESTRICTION', ['HA'])
  const pifs = db.all('PIF')
  const unplugged = pifs.filter((p) => p.f.disallow_unplug && !p.f.currently_attached)
  if (unplugged.length > 0) throw new XapiError('REQUIRED_PIF_IS_UNPLUGGED', unplugged.map((p) => p.ref))
  // PIFs with an IP configuration that may be unplugged: a warning message, not an error
  const loose = pifs.filter((p) => p.f.ip_configuration_mode !== 'None' && !db.tryGet(p.f.bond_slave_of, 'Bond') && !(p.f.disallow_unplug || p.f.management))
  if (loose.length > 0) {
    const lines = ['A possible network anomaly was found. The following hosts possibly have storage PIFs that are not dedicated:',
      ...loose.map((p) => `${db.tryGet(p.f.host, 'host')?.f.name_label ?? ''}: ${p.f.device} (uuid: ${p.f.uuid})`)]
    createMessage(db, 'IP_CONFIGURED_PIF_CAN_UNPLUG', 3, 'Pool', pool.f.uuid, lines.join('\n'))
  }
  for (const h of db.all('host')) if (!isLive(db, h)) throw new XapiError('HOST_OFFLINE', [h.ref])
  db.set(pool, { ha_cluster_stack: 'xhad' })
  const possible = heartbeatSrs.length > 0 ? heartbeatSrs : db.all('SR').filter((sr) => canHostStatefile(db, sr))
  const sr = possible[0]
  if (!sr) throw new XapiError('CANNOT_CREATE_STATE_FILE', [])
  const statefile = checkSrCanHostStatefile(db, sr) ?? (() => {
    haFitsSr(db, sr, 'redo_log', REDO_LOG_SIZE)
    return createVdi(db, {
      sr, name_label: 'Statefile for HA', name_description: 'Used for storage heartbeating', virtual_size: STATEFILE_SIZE,
      type: 'ha_statefile', sharable: true, read_only: false, sm_config: [['type', 'raw']],
    })
  })()
  const metadata = db.referrers('VDI', 'SR', sr.ref).find((v) => v.f.type === 'redo_log' && v.f.virtual_size >= REDO_LOG_SIZE) ??
    createVdi(db, {
      sr, name_label: 'Metadata for HA', name_description: 'Used for master failover', virtual_size: REDO_LOG_SIZE,
      type: 'redo_log', sharable: true, read_only: false, sm_config: [['type', 'raw']],
    })
  db.set(pool, { ha_statefiles: [statefile.ref], ha_configuration: configuration, ha_plan_exists_for: 0 })
  updatePoolStatus(db)
  // Host.preconfigure_ha on every host, then the liveset: each sees the statefile and its peers
  const hosts = db.all('host')
  for (const h of hosts) db.set(h, { ha_statefiles: [statefile.ref] })
  for (const h of hosts) db.set(h, { ha_network_peers: hosts.map((x) => x.f.uuid) })
  db.set(pool, { ha_enabled: true })
  for (const v of [metadata, statefile]) updateVdiAllowedOperations(db, v)
  updatePoolAllowedOperations(db)
}

/** Pool.disable_ha: the pool state becomes invalid, the daemons stop; the statefile VDIs stay for next time. */
export function disableHa(db: Db): void {
  assertPoolOperation(db, 'ha_disable')
  const pool = poolOf(db)
  if (!pool.f.ha_enabled) throw new XapiError('HA_NOT_ENABLED', [])
  db.set(pool, { ha_plan_exists_for: 0, ha_enabled: false })
  for (const ref of pool.f.ha_statefiles) {
    const v = db.tryGet(ref, 'VDI')
    if (v) updateVdiAllowedOperations(db, v)
  }
  for (const v of db.all('VDI')) if (v.f.type === 'redo_log') updateVdiAllowedOperations(db, v)
  updatePoolAllowedOperations(db)
}
