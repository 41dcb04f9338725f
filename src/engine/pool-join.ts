// Pool.join / join_force and Pool.eject across the pools of one world (xapi_pool.ml join_common, pre_join_checks,
// update_non_vm_metadata, eject / eject_self; message_forwarding.ml Pool.eject; create_misc.ml
// create_pool_cpuinfo). A joining host's own records (host, metrics, CPUs, control domain, local SRs with their
// PBDs and VDIs, physical PIFs, its halted guests) move into the coordinator's database, its PIFs and guests'
// VIFs landing on the pool's networks of the same bridge; what only its old database held (pool object, SM
// records, default templates, roles …) goes. An ejected host leaves the pool and comes back as a freshly
// installed standalone host of its own pool (its hardware identity — uuids, MACs, BIOS strings — kept).
import type { Db, XObj } from './db'
import { XapiError } from './errors'
import type { ClassName } from './model.generated'
import { createPbdRecord } from './pbd'
import { thePool } from './pool-ops'
import { updatePoolAllowedOperations } from './ha'
import { table } from './tables'
import { mapGet, type Ref, type XMap } from './values'
import type { Session } from './world'
import { findServer, rootPassword } from './world/pools'

type Host = XObj<'host'>

const allClasses = (): ClassName[] => Object.keys(table<{ classes: Record<string, unknown> }>('schema.json').classes) as ClassName[]
const master = (db: Db): Host => db.get(thePool(db).f.master, 'host')
const managementPif = (db: Db, h: Host) => db.referrers('PIF', 'host', h.ref).find((p) => p.f.management)
const isLive = (db: Db, h: Host) => !!db.tryGet(h.f.metrics, 'host_metrics')?.f.live
/** Pool_features.is_enabled for a negative restrict_ flag of the pool. */
const restricted = (db: Db, key: string) => mapGet(thePool(db).f.restrictions, key) === 'true'

export interface JoinArgs {
  masterAddress: string
  username: string
  password: string
  force: boolean
}

/** The coordinator's pool as the joiner's xapi reaches it: connection, coordinator check, login. */
function remotePool(session: Session, a: JoinArgs): Db {
  const row = findServer(session.store, a.masterAddress)
  // nothing answers at that address (rpc: Connection_reset)
  if (!row) throw new XapiError('JOINING_HOST_CONNECTION_FAILED', [])
  const db = session.pool(row.scope)
  const coordinator = master(db)
  // Session.login_with_password on a member
  if (coordinator.f.uuid !== row.uuid) throw new XapiError('HOST_IS_SLAVE', [coordinator.f.address])
  if (a.username !== 'root' || a.password !== rootPassword(session.store, coordinator.f.uuid)) {
    throw new XapiError('SESSION_AUTHENTICATION_FAILED', [a.username, 'Authentication failure'])
  }
  return db
}

/** Xapi_pool.get_compatibility_name: product_brand, else platform_name. */
const compatibilityName = (sv: XMap) => mapGet(sv, 'product_brand') ?? mapGet(sv, 'platform_name')

/** pre_join_checks, in xapi's order (the checks of features xesim does not model pass). */
function preJoinChecks(me: Db, remote: Db, force: boolean): void {
  const self = master(me)
  const coordinator = master(remote)
  const remoteHosts = remote.all('host')
  if (restricted(me, 'restrict_pool_size') && remoteHosts.length >= 3) throw new XapiError('LICENCE_RESTRICTION', ['Pool_size'])
  if (!managementPif(me, self)) throw new XapiError('HOST_STILL_BOOTING', [])
  if (thePool(me).f.ha_enabled) throw new XapiError('HA_IS_ENABLED', [])
  if (thePool(remote).f.ha_enabled) throw new XapiError('HA_IS_ENABLED', [])
  if (coordinator.f.uuid === self.f.uuid) {
    throw new XapiError('OPERATION_NOT_ALLOWED', [me.all('host').length > 1 ? 'Host is already part of a pool' : 'Host cannot become slave of itself'])
  }
  if (me.all('host').length > 1) throw new XapiError('JOINING_HOST_CANNOT_BE_MASTER_OF_OTHER_HOSTS', [])
  const vms = me.all('VM')
  if (vms.some((v) => !v.f.is_control_domain && v.f.power_state === 'Running')) throw new XapiError('JOINING_HOST_CANNOT_HAVE_RUNNING_VMS', [])
  if (vms.some((v) => v.f.current_operations.length > 0)) throw new XapiError('JOINING_HOST_CANNOT_HAVE_VMS_WITH_CURRENT_OPERATIONS', [])
  const [mine, theirs] = [self.f.software_version, coordinator.f.software_version]
  if (mapGet(mine, 'platform_version') !== mapGet(theirs, 'platform_version') || compatibilityName(mine) !== compatibilityName(theirs)) {
    throw new XapiError('HOSTS_NOT_COMPATIBLE', [])
  }
  if (!force) {
    const fields = (sv: XMap) => [mapGet(sv, 'xapi') ?? '', compatibilityName(sv) ?? '', mapGet(sv, 'git_id') ?? '', mapGet(sv, 'xs:linux') === undefined ? 'not present' : 'installed'].join('\0')
    if (fields(mine) !== fields(theirs)) throw new XapiError('HOSTS_NOT_HOMOGENEOUS', ['Software version differs'])
    if (mapGet(self.f.cpu_info, 'vendor') !== mapGet(thePool(remote).f.cpu_info, 'vendor')) throw new XapiError('HOSTS_NOT_HOMOGENEOUS', ['CPUs differ'])
  }
  if (me.all('SR').some((sr) => sr.f.shared && !sr.f.is_tools_sr)) throw new XapiError('JOINING_HOST_CANNOT_CONTAIN_SHARED_SRS', [])
  if (me.all('Bond').length > 0) throw new XapiError('POOL_JOINING_HOST_HAS_BONDS', [])
  if (me.all('tunnel').length > 0) throw new XapiError('POOL_JOINING_HOST_HAS_TUNNELS', [])
  if (me.all('network_sriov').length > 0) throw new XapiError('POOL_JOINING_HOST_HAS_NETWORK_SRIOVS', [])
  for (const vlan of me.all('VLAN')) {
    if (!me.tryGet(vlan.f.untagged_PIF, 'PIF')?.f.management) throw new XapiError('POOL_JOINING_HOST_HAS_NON_MANAGEMENT_VLANS', [])
  }
  const api = (h: Host) => `${h.f.API_version_major}.${h.f.API_version_minor}`
  if (api(self) !== api(coordinator)) throw new XapiError('POOL_JOINING_HOST_MUST_HAVE_SAME_API_VERSION', [api(self), api(coordinator)])
  const [s1, s2] = [mapGet(mine, 'db_schema') ?? '', mapGet(theirs, 'db_schema') ?? '']
  if (s1 === '' || s2 === '' || s1 !== s2) throw new XapiError('POOL_JOINING_HOST_MUST_HAVE_SAME_DB_SCHEMA', [s1, s2])
  if (thePool(me).f.tls_verification_enabled !== thePool(remote).f.tls_verification_enabled) {
    throw new XapiError('POOL_JOINING_HOST_TLS_VERIFICATION_MISMATCH', [])
  }
}

/** create_pool_cpuinfo: the hosts' CPU and socket counts summed, the vendor and feature sets kept. */
export function updatePoolCpuInfo(db: Db): void {
  const pool = thePool(db)
  const hosts = db.all('host')
  if (hosts.length === 0) return
  const sum = (k: string) => String(hosts.reduce((s, h) => s + Number(mapGet(h.f.cpu_info, k) ?? 0), 0))
  const info: XMap = pool.f.cpu_info.map(([k, v]): [string, string] => [k, k === 'cpu_count' || k === 'socket_count' ? sum(k) : v])
  db.set(pool, { cpu_info: info })
}

/**
 * Pool.join / join_force, run on the joining host (`me`: its pool): the checks, then its records move into the
 * coordinator's pool; the pool's shared SRs get a plugged PBD for it (as the new member plugs them at start).
 */
export function joinPool(session: Session, me: Db, a: JoinArgs): void {
  if (restricted(me, 'restrict_pooling')) throw new XapiError('LICENCE_RESTRICTION', [])
  const remote = remotePool(session, a)
  preJoinChecks(me, remote, a.force)
  const host = master(me)
  const coordinator = master(remote)

  // the joiner takes the coordinator's SSH and console settings
  me.set(host, {
    console_idle_timeout: coordinator.f.console_idle_timeout, ssh_enabled_timeout: coordinator.f.ssh_enabled_timeout,
    ssh_auto_mode: coordinator.f.ssh_auto_mode, ssh_enabled: coordinator.f.ssh_enabled, ssh_expiry: coordinator.f.ssh_expiry,
  })

  const moved = new Set<Ref>()
  const move = <C extends ClassName>(o: XObj<C> | undefined): XObj<C> | undefined => {
    if (!o || moved.has(o.ref)) return undefined
    moved.add(o.ref)
    return me.moveTo(remote, o) as XObj<C>
  }

  // networks: physical ones and the host internal management network join the pool's network of the same
  // bridge (created when missing); internal networks are recreated in the pool
  const netMap = new Map<Ref, Ref>()
  const poolByBridge = new Map(remote.all('network').map((n) => [n.f.bridge, n.ref]))
  for (const net of me.all('network')) {
    const pifs = me.referrers('PIF', 'network', net.ref)
    const physical = pifs.length > 0 && pifs[0]!.f.physical
    const himn = mapGet(net.f.other_config, 'is_host_internal_management_network') === 'true'
    const existing = physical || himn ? poolByBridge.get(net.f.bridge) : undefined
    if (existing) netMap.set(net.ref, existing)
    else {
      netMap.set(net.ref, net.ref)
      move(net)
    }
  }
  const mapNet = (r: Ref) => netMap.get(r) ?? r

  // the host, its metrics and CPUs
  const h = move(host)!
  move(me.tryGet(host.f.metrics, 'host_metrics'))
  for (const cpu of me.referrers('host_cpu', 'host', host.ref)) move(cpu)
  // physical PIFs (and their metrics) on the pool's networks
  for (const pif of me.referrers('PIF', 'host', host.ref).filter((p) => p.f.physical)) {
    const metrics = me.tryGet(pif.f.metrics, 'PIF_metrics')
    const p = move(pif)!
    remote.set(p, { network: mapNet(p.f.network) })
    move(metrics)
  }
  // SRs (the tools SR maps onto the pool's), their PBDs and VDIs
  const toolsSr = remote.all('SR').find((sr) => sr.f.is_tools_sr)
  const srMap = new Map<Ref, Ref>()
  // the tools ISOs are the pool's (create_or_get_sr_on_master finds the pool's tools SR)
  const vdiMap = new Map<Ref, Ref>()
  for (const sr of me.all('SR')) {
    if (sr.f.is_tools_sr && toolsSr) {
      srMap.set(sr.ref, toolsSr.ref)
      const theirs = remote.referrers('VDI', 'SR', toolsSr.ref)
      for (const v of me.referrers('VDI', 'SR', sr.ref)) {
        const same = theirs.find((t) => t.f.location === v.f.location) ?? theirs.find((t) => t.f.name_label === v.f.name_label)
        if (same) vdiMap.set(v.ref, same.ref)
      }
      continue
    }
    const vdis = me.referrers('VDI', 'SR', sr.ref)
    srMap.set(sr.ref, sr.ref)
    move(sr)
    for (const v of vdis) move(v)
  }
  for (const pbd of me.all('PBD')) {
    const sr = srMap.get(pbd.f.SR)
    if (!sr) continue
    if (sr !== pbd.f.SR && remote.referrers('PBD', 'SR', sr).some((p) => p.f.host === host.ref)) continue
    const p = move(pbd)!
    remote.set(p, { SR: sr })
  }
  // the control domain and the guests (not the default templates), with their devices
  for (const vm of me.all('VM')) {
    if (vm.f.is_a_template && vm.f.is_default_template) continue
    const related: Array<XObj | undefined> = [me.tryGet(vm.f.metrics, 'VM_metrics'), me.tryGet(vm.f.guest_metrics, 'VM_guest_metrics')]
    const vbds = me.referrers('VBD', 'VM', vm.ref)
    const vifs = me.referrers('VIF', 'VM', vm.ref)
    const consoles = me.referrers('console', 'VM', vm.ref)
    move(vm)
    for (const o of related) move(o)
    for (const vbd of vbds) {
      move(me.tryGet(vbd.f.metrics, 'VBD_metrics'))
      const b = move(vbd)!
      const iso = vdiMap.get(b.f.VDI)
      if (iso) remote.set(b, { VDI: iso })
    }
    for (const vif of vifs) {
      move(me.tryGet(vif.f.metrics, 'VIF_metrics'))
      const v = move(vif)!
      remote.set(v, { network: mapNet(v.f.network) })
    }
    for (const c of consoles) move(c)
  }
  // the joiner's own database is replaced by the pool's
  for (const cls of allClasses()) for (const o of me.all(cls)) me.destroy(o)

  // Host.create on the coordinator: the pool's CPU information; at start the member plugs the shared SRs
  updatePoolCpuInfo(remote)
  for (const sr of remote.all('SR')) {
    if (!sr.f.shared || sr.f.is_tools_sr) continue
    const pbds = remote.referrers('PBD', 'SR', sr.ref)
    if (pbds.some((p) => p.f.host === h.ref)) continue
    const model = pbds.find((p) => p.f.host === coordinator.ref) ?? pbds[0]
    createPbdRecord(remote, h, sr, model?.f.device_config ?? [], true)
  }
  updatePoolAllowedOperations(remote)
}

// ---------------------------------------------------------------------------------------------------------
// Pool.eject.

/** The VDIs pool-eject warns about: those of the SRs only this host sees, last found first (cli_operations.ml). */
export function ejectWarnings(db: Db, host: Host): string[] {
  const warnings: string[] = []
  for (const pbdRef of db.field(host, 'PBDs') as Ref[]) {
    const pbd = db.tryGet(pbdRef, 'PBD')
    const sr = pbd && db.tryGet(pbd.f.SR, 'SR')
    if (!sr) continue
    const others = (db.field(sr, 'PBDs') as Ref[]).map((r) => db.tryGet(r, 'PBD')?.f.host).filter((x) => x !== host.ref)
    if (others.length > 0) continue
    for (const vdiRef of db.field(sr, 'VDIs') as Ref[]) {
      const vdi = db.tryGet(vdiRef, 'VDI')
      if (vdi) warnings.unshift(`VDI: ${vdi.f.uuid} (${vdi.f.name_label})`)
    }
  }
  return warnings
}

/** The product a host runs, from its software version. */
function profileOf(h: Host): 'xenserver-8' | 'xcp-ng-8.3' {
  return mapGet(h.f.software_version, 'product_brand') === 'XenServer' ? 'xenserver-8' : 'xcp-ng-8.3'
}

/**
 * Pool.eject (message_forwarding.ml, xapi_pool.ml eject / eject_self): under the pool's eject operation; the
 * host must be live (HOST_OFFLINE) and not the coordinator (an unhandled Cannot_eject_master); HA must be off;
 * no guest may be resident and not halted. Its PBDs are unplugged, SRs only it sees forgotten with their VDIs,
 * its control domains destroyed, then the coordinator deletes the host (the database GC removes its PIFs, CPUs,
 * metrics and remaining PBDs). The host restarts as the coordinator of a new pool, freshly initialised.
 */
export function ejectHost(session: Session, db: Db, host: Host): Host {
  const pool = thePool(db)
  const busy = pool.f.current_operations.find(() => true)
  if (busy) throw new XapiError('OTHER_OPERATION_IN_PROGRESS', ['pool', pool.ref, busy[1], busy[0]])
  if (host.ref !== pool.f.master && !isLive(db, host)) throw new XapiError('HOST_OFFLINE', [host.ref])
  if (host.ref === pool.f.master) throw new XapiError('INTERNAL_ERROR', ['Xapi_pool.Cannot_eject_master'])
  if (pool.f.ha_enabled) throw new XapiError('HA_IS_ENABLED', [])
  if (pool.f.current_operations.some(([, op]) => op === 'apply_updates')) throw new XapiError('NOT_SUPPORTED_DURING_UPGRADE', [])
  for (const vm of db.referrers('VM', 'resident_on', host.ref)) {
    if (!vm.f.is_control_domain && vm.f.power_state !== 'Halted') throw new XapiError('OPERATION_NOT_ALLOWED', ['VM resident on host'])
  }
  // what the fresh install keeps: the hardware and the management configuration
  const mgmt = managementPif(db, host)
  const metrics = db.tryGet(host.f.metrics, 'host_metrics')
  const oldPifs = db.referrers('PIF', 'host', host.ref)
  const macs = new Map(oldPifs.filter((p) => p.f.physical).map((p) => [p.f.device, p.f.MAC]))
  const dom0Uuid = db.tryGet(host.f.control_domain, 'VM')?.f.uuid
  const spec = {
    profile: profileOf(host), hostname: host.f.hostname, address: mgmt?.f.IP || host.f.address, netmask: mgmt?.f.netmask ?? '255.255.255.0',
    gateway: mgmt?.f.gateway ?? '', dns: mgmt?.f.DNS ?? '', cpus: Number(mapGet(host.f.cpu_info, 'cpu_count') ?? 16),
    memoryBytes: metrics?.f.memory_total ?? 64 * 1024 ** 3,
  }
  const { uuid, bios_strings: bios, iscsi_iqn: iqn } = host.f

  // eject_self: unplug the PBDs, forget the SRs only this host sees, destroy its control domains
  const pbds = db.referrers('PBD', 'host', host.ref)
  const lonely = pbds.map((p) => db.get(p.f.SR, 'SR')).filter((sr) => db.referrers('PBD', 'SR', sr.ref).length === 1)
  for (const p of pbds) db.set(p, { currently_attached: false })
  const goneVdis = new Set<Ref>()
  for (const sr of lonely) {
    for (const v of db.referrers('VDI', 'SR', sr.ref)) {
      goneVdis.add(v.ref)
      db.destroy(v)
    }
    for (const p of db.referrers('PBD', 'SR', sr.ref)) db.destroy(p)
    db.destroy(sr)
  }
  for (const vm of db.all('VM')) {
    if (!vm.f.is_control_domain) continue
    const onHost = vm.f.resident_on === host.ref || vm.ref === host.f.control_domain
    if (!onHost) continue
    for (const c of db.referrers('console', 'VM', vm.ref)) db.destroy(c)
    for (const vbd of db.referrers('VBD', 'VM', vm.ref)) db.destroy(vbd)
    for (const vif of db.referrers('VIF', 'VM', vm.ref)) db.destroy(vif)
    const m = db.tryGet(vm.f.metrics, 'VM_metrics')
    if (m) db.destroy(m)
    db.destroy(vm)
  }
  // the coordinator: Db.Host.destroy; the GC takes what pointed at it
  for (const pif of oldPifs) {
    const m = db.tryGet(pif.f.metrics, 'PIF_metrics')
    if (m) db.destroy(m)
    db.destroy(pif)
  }
  for (const cpu of db.referrers('host_cpu', 'host', host.ref)) db.destroy(cpu)
  for (const p of db.referrers('PBD', 'host', host.ref)) db.destroy(p)
  for (const vbd of db.all('VBD')) if (!vbd.f.empty && goneVdis.has(vbd.f.VDI)) db.destroy(vbd)
  if (metrics) db.destroy(metrics)
  db.destroy(host)
  updatePoolCpuInfo(db)
  updatePoolAllowedOperations(db)

  // the host restarts as the coordinator of a new pool, freshly initialised
  const { installHost } = require('./world/fresh-host') as typeof import('./world/fresh-host')
  const fresh = session.pool(session.newScope())
  const { host: h } = installHost(fresh, spec)
  fresh.set(h, { uuid, bios_strings: bios, iscsi_iqn: iqn, other_config: h.f.other_config.map(([k, v]): [string, string] => [k, k === 'iscsi_iqn' ? iqn : v]) })
  const dom0 = fresh.tryGet(h.f.control_domain, 'VM')
  if (dom0 && dom0Uuid) fresh.set(dom0, { uuid: dom0Uuid })
  for (const p of fresh.referrers('PIF', 'host', h.ref)) {
    const mac = macs.get(p.f.device)
    if (mac) fresh.set(p, { MAC: mac })
  }
  return h
}
