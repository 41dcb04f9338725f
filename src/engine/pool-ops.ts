// Pool-level operations: the coordinator role (Pool.designate_new_master, emergency_transition_to_master,
// emergency_reset_master, recover_slaves), Pool.sync_database, and the database backup and restore behind
// pool-dump-database / pool-restore-database (pool_db_backup.ml). Re-expressed from xen-api's xapi_pool.ml,
// xapi_pool_transition.ml, message_forwarding.ml and dbsync_master.ml at the reference commit.
//
// xe always talks to the pool's coordinator (its "localhost").
import type { Db, XObj } from './db'
import { XapiError } from './errors'
import { createMessage } from './message'
import { assertPoolOperation, updatePoolAllowedOperations } from './ha'
import { hasClass, fieldsOf, REVERSE } from './schema'
import { table } from './tables'
import type { ClassName } from './model.generated'
import { EPOCH, NULL_REF, type Ref } from './values'

type Host = XObj<'host'>

export function thePool(db: Db): XObj<'pool'> {
  const p = db.all('pool')[0]
  if (!p) throw new XapiError('INTERNAL_ERROR', ['Failure: hd'])
  return p
}

/** Helpers.get_localhost for forwarded calls: the coordinator, where xe's session ends up. */
export const localhost = (db: Db): Host => db.get(thePool(db).f.master, 'host')

/**
 * The host xe itself talks to (xe -s; without it the world's first host), for the commands xe never forwards
 * to the coordinator (Neverforward: pool-emergency-transition-to-master, pool-emergency-reset-master).
 */
export function hostTalkedTo(db: Db): Host {
  const { currentTarget } = require('./world') as typeof import('./world')
  const { findServer, isLocalhost } = require('./world/pools') as typeof import('./world/pools')
  const server = currentTarget().server
  const row = findServer(db.store, isLocalhost(server) ? 'localhost' : server!)
  return (row && db.byUuid('host', row.uuid)) || localhost(db)
}

/** Pool_role.is_master () on the host xe talks to. */
export const talksToCoordinator = (db: Db): boolean => hostTalkedTo(db).ref === thePool(db).f.master

/** An OCaml Failure raised in the server: INTERNAL_ERROR with Printexc.to_string's `Failure("…")`. */
const failure = (msg: string) => new XapiError('INTERNAL_ERROR', [`Failure(${JSON.stringify(msg)})`])

const isLive = (db: Db, h: Host) => !!db.tryGet(h.f.metrics, 'host_metrics')?.f.live

/** Api_messages.pool_master_transition. */
const POOL_MASTER_TRANSITION = 4

/**
 * Pool.designate_new_master (message_forwarding.ml, xapi_pool.ml): under the pool's designate_new_master
 * operation, forwarded to the host (HOST_OFFLINE unless live). On the coordinator itself it does nothing;
 * elsewhere HA must be off (HA_IS_ENABLED), the database is synced, and after the two-phase commit the new
 * coordinator's dbsync makes it pool.master, marks it live and announces POOL_MASTER_TRANSITION.
 */
export function designateNewMaster(db: Db, host: Host): void {
  const pool = thePool(db)
  assertPoolOperation(db, 'designate_new_master')
  if (host.ref !== pool.f.master && !isLive(db, host)) throw new XapiError('HOST_OFFLINE', [host.ref])
  if (host.ref === pool.f.master) return
  if (pool.f.ha_enabled) throw new XapiError('HA_IS_ENABLED', [])
  db.set(pool, { last_update_sync: EPOCH })
  syncDatabase(db)
  // dbsync_master on the new coordinator: set_master_pool_reference, set_master_live
  db.set(pool, { master: host.ref })
  const metrics = db.tryGet(host.f.metrics, 'host_metrics')
  if (metrics && !metrics.f.live) db.set(metrics, { live: true })
  createMessage(db, 'POOL_MASTER_TRANSITION', POOL_MASTER_TRANSITION, 'Host', host.f.uuid, '')
  updatePoolAllowedOperations(db)
}

/** Pool.sync_database: the database is flushed to every host (nothing observable changes). */
export function syncDatabase(_db: Db): void {}

/** Localdb ha_armed: HA is armed on every host while the pool has it enabled. */
const haArmed = (db: Db) => thePool(db).f.ha_enabled

/**
 * Pool.emergency_transition_to_master on the host xe talks to: refused while HA is armed; a member restarts as
 * the coordinator (its dbsync makes it pool.master, live, and announces POOL_MASTER_TRANSITION); the
 * coordinator stays the coordinator.
 */
export function emergencyTransitionToMaster(db: Db): void {
  if (haArmed(db)) throw new XapiError('HA_IS_ENABLED', [])
  const me = hostTalkedTo(db)
  const pool = thePool(db)
  if (me.ref === pool.f.master) return
  db.set(pool, { master: me.ref })
  const metrics = db.tryGet(me.f.metrics, 'host_metrics')
  if (metrics && !metrics.f.live) db.set(metrics, { live: true })
  createMessage(db, 'POOL_MASTER_TRANSITION', POOL_MASTER_TRANSITION, 'Host', me.f.uuid, '')
  updatePoolAllowedOperations(db)
}

/** Helpers.gethostbyname: an IP address, or a name the pool knows (a host's hostname or address). */
function resolveAddress(db: Db, name: string): string {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(name) || (name.includes(':') && /^[0-9a-fA-F:.]+$/.test(name))) return name
  const h = db.all('host').find((x) => x.f.hostname === name || x.f.address === name || x.f.name_label === name)
  if (h) return h.f.address
  throw failure(`Couldn't resolve hostname: ${name}`)
}

/**
 * Pool.emergency_reset_master: refused while HA is armed; the address must resolve; the host would restart as a
 * member of that coordinator (the database does not change until it does).
 */
export function emergencyResetMaster(db: Db, masterAddress: string): void {
  if (haArmed(db)) throw new XapiError('HA_IS_ENABLED', [])
  resolveAddress(db, masterAddress)
}

/**
 * Pool.recover_slaves: every other host is told to reset its coordinator to this one; the hosts that answered
 * (live, HA not armed) are returned, the last one first.
 */
export function recoverSlaves(db: Db): Host[] {
  const me = localhost(db)
  const recovered: Host[] = []
  for (const h of db.all('host')) {
    if (h.ref === me.ref) continue
    if (!isLive(db, h) || haArmed(db)) continue
    recovered.unshift(h)
  }
  return recovered
}

// ---------------------------------------------------------------------------------------------------------
// Database backup and restore (pool_db_backup.ml). The dump is xesim's own format: JSON of every object of the
// pool's database, in creation order, with the datamodel's schema version; restore checks it and replaces the
// database with it, as the restarted xapi would.

export const DUMP_FORMAT = 'xesim-pool-database'
export const DUMP_VERSION = 1
/** Tables that are not part of xapi's persistent database (tasks, sessions) or not in it at all (messages). */
const NOT_DUMPED = new Set(['task', 'session', 'message', 'event', 'user'])

export interface DbDump {
  format: string
  version: number
  profile: string
  objects: Array<[string, string, Record<string, unknown>]>
}

/** The persistent classes of the datamodel, in its order. */
const dumpedClasses = (): ClassName[] =>
  Object.keys(table<{ classes: Record<string, unknown> }>('schema.json').classes).filter((c) => !NOT_DUMPED.has(c)) as ClassName[]

/** Every persistent object of the pool, class by class in creation order: [class, ref, fields]. */
export function dumpDatabase(db: Db, profile: string): DbDump {
  const objects: DbDump['objects'] = []
  for (const cls of dumpedClasses()) for (const o of db.all(cls)) objects.push([o.cls, o.ref, o.f as Record<string, unknown>])
  return { format: DUMP_FORMAT, version: DUMP_VERSION, profile, objects }
}

/** Version_check and the XML reader's own failures: what a backup must be to be restored here. */
export function parseDump(text: string, profile: string): DbDump {
  let d: unknown
  try {
    d = JSON.parse(text)
  } catch (e) {
    throw failure(`the database backup could not be parsed: ${(e as Error).message}`)
  }
  const bad = (why: string) => failure(`the database backup is invalid: ${why}`)
  if (typeof d !== 'object' || d === null || Array.isArray(d)) throw bad('not an object')
  const dump = d as Partial<DbDump>
  if (dump.format !== DUMP_FORMAT) throw bad('not an xesim pool database')
  if (dump.version !== DUMP_VERSION || dump.profile !== profile) throw new XapiError('RESTORE_INCOMPATIBLE_VERSION', [])
  if (!Array.isArray(dump.objects)) throw bad('no objects')
  const refs = new Set<string>()
  const uuids = new Set<string>()
  let pools = 0
  for (const entry of dump.objects as unknown[]) {
    if (!Array.isArray(entry) || entry.length !== 3) throw bad('malformed object entry')
    const [cls, ref, f] = entry as [unknown, unknown, unknown]
    if (typeof cls !== 'string' || !hasClass(cls) || NOT_DUMPED.has(cls)) throw bad(`unknown class ${String(cls)}`)
    if (typeof ref !== 'string' || !ref.startsWith('OpaqueRef:') || ref === NULL_REF || refs.has(ref)) throw bad(`bad or repeated reference ${String(ref)}`)
    refs.add(ref)
    if (typeof f !== 'object' || f === null || Array.isArray(f)) throw bad(`fields of ${ref}`)
    const known = new Set(fieldsOf(cls).filter((x) => !REVERSE[`${cls}.${x.name}`]).map((x) => x.name))
    for (const k of Object.keys(f)) if (!known.has(k)) throw bad(`unknown field ${cls}.${k}`)
    for (const k of known) if (!(k in f)) throw bad(`missing field ${cls}.${k}`)
    const uuid = (f as { uuid?: unknown }).uuid
    if (known.has('uuid')) {
      if (typeof uuid !== 'string' || uuids.has(uuid)) throw bad(`bad or repeated uuid in ${ref}`)
      uuids.add(uuid)
    }
    if (cls === 'pool') pools++
  }
  if (pools !== 1) throw bad('the backup must hold exactly one pool')
  const pool = dump.objects.find(([c]) => c === 'pool')!
  const master = (pool[2] as { master?: string }).master
  if (!dump.objects.some(([c, r]) => c === 'host' && r === master)) throw bad('the pool coordinator is not in the backup')
  return dump as DbDump
}

/**
 * Restores a backup (restore_from_xml, prepare_database_for_restore, then the restarted coordinator's dbsync):
 * every member host but the backup's coordinator is forgotten with its PIFs (and what only it owned); the
 * coordinator takes this host's uuid and control domain uuid; its physical PIFs take this host's MACs by device
 * (RESTORE_TARGET_MISSING_DEVICE), the management interface stays on this host's management device
 * (RESTORE_TARGET_MGMT_IF_NOT_IN_BACKUP); guests left resident on forgotten hosts are halted. With dryRun the
 * checks run and nothing changes.
 */
export function restoreDatabase(db: Db, dump: DbDump, dryRun: boolean): void {
  const me = localhost(db)
  const myDom0 = db.tryGet(me.f.control_domain, 'VM')
  const myPifs = db.referrers('PIF', 'host', me.ref)
  const macByDevice = new Map(myPifs.filter((p) => p.f.physical).map((p) => [p.f.device, p.f.MAC]))
  const mgmt = myPifs.filter((p) => p.f.management)
  const mgmtDev = mgmt.length === 1 ? mgmt[0]!.f.device : undefined

  // the backup, prepared in memory first
  const objs = dump.objects.map(([cls, ref, f]) => ({ cls: cls as ClassName, ref, f: JSON.parse(JSON.stringify(f)) as Record<string, unknown> }))
  const pool = objs.find((o) => o.cls === 'pool')!
  const master = pool.f.master as Ref
  const gone = new Set(objs.filter((o) => o.cls === 'host' && o.ref !== master).map((o) => o.ref))
  const masterObj = objs.find((o) => o.ref === master)!
  const masterPifs = objs.filter((o) => o.cls === 'PIF' && o.f.host === master)
  const inBackup: string[] = []
  let foundMgmt = false
  for (const p of masterPifs) {
    const device = p.f.device as string
    inBackup.unshift(device)
    const isMgmt = device === mgmtDev
    p.f.management = isMgmt
    if (isMgmt) foundMgmt = true
    if (p.f.physical) {
      const mac = macByDevice.get(device)
      if (mac === undefined) throw new XapiError('RESTORE_TARGET_MISSING_DEVICE', [device])
      p.f.MAC = mac
    }
  }
  if (!foundMgmt && mgmtDev !== undefined) throw new XapiError('RESTORE_TARGET_MGMT_IF_NOT_IN_BACKUP', inBackup)
  if (dryRun) return

  // this host's uuid and control domain uuid (the members having been removed, nothing else holds them); at
  // restart dbsync refreshes what the machine reports (refresh_localhost_info, set_master_ip)
  Object.assign(masterObj.f, { uuid: me.f.uuid, hostname: me.f.hostname, address: me.f.address, software_version: me.f.software_version, cpu_info: me.f.cpu_info })
  const dom0 = objs.find((o) => o.ref === masterObj.f.control_domain)
  if (dom0 && myDom0) dom0.f.uuid = myDom0.f.uuid

  // the forgotten members and what only they owned (the database GC: PIFs, PBDs, host_cpus, metrics, their
  // control domains); guests resident there are reset to Halted (dbsync reset_vms_running_on_missing_hosts)
  const drop = new Set<string>(gone)
  for (const o of objs) {
    if (typeof o.f.host === 'string' && gone.has(o.f.host) && o.cls !== 'VM') drop.add(o.ref)
    if (o.cls === 'VM' && o.f.is_control_domain && gone.has(o.f.resident_on as string)) drop.add(o.ref)
  }
  for (const h of objs.filter((o) => gone.has(o.ref))) drop.add(h.f.metrics as string)
  for (const o of objs) {
    if (o.cls === 'PIF_metrics' && objs.some((p) => drop.has(p.ref) && p.cls === 'PIF' && p.f.metrics === o.ref)) drop.add(o.ref)
    if ((o.cls === 'VBD' || o.cls === 'VIF' || o.cls === 'console') && drop.has(o.f.VM as string)) drop.add(o.ref)
    if (o.cls === 'VM_metrics' && objs.some((v) => drop.has(v.ref) && v.cls === 'VM' && v.f.metrics === o.ref)) drop.add(o.ref)
  }
  for (const o of objs) {
    if (o.cls !== 'VM' || drop.has(o.ref)) continue
    if (gone.has(o.f.resident_on as string) || gone.has(o.f.scheduled_to_be_resident_on as string)) {
      Object.assign(o.f, { resident_on: NULL_REF, scheduled_to_be_resident_on: NULL_REF, power_state: 'Halted', domid: -1 })
    }
  }

  // the database is replaced: every persistent object goes, the backup's come back in their order
  for (const cls of dumpedClasses()) for (const o of db.all(cls)) db.destroy(o)
  for (const o of objs) {
    if (drop.has(o.ref)) continue
    db.create(o.cls, o.f as never, o.ref)
  }
}
