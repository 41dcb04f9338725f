// The persistence boundary: one SQLite file per world ($XESIM_HOME/world.db), WAL mode.
// A command is one transaction: BEGIN IMMEDIATE takes the cross-process write lock up front, so
// parallel writers queue instead of losing updates; a killed writer's lock is released by SQLite.
import { closeSync, existsSync, mkdirSync, openSync, readSync } from 'node:fs'
import { join } from 'node:path'
import type BetterSqlite3 from 'better-sqlite3'
import { openDatabase, type SqliteDb } from './sqlite'
import { WorldStateError } from './errors'
import { NULL_REF } from './values'

export const SCHEMA_VERSION = 3
export const WORLD_FILE = 'world.db'

/** The scope of a world's first pool (every object of a world written before pools had scopes). */
export const FIRST_SCOPE = '1'

/**
 * MIGRATIONS[i - 1] takes a world from layout version i to i + 1. Version 1 is the first layout; version 2
 * scopes each object to a pool (several pools live in one world), every existing object joining the first;
 * version 3 indexes the fields of LINKS.
 */
const MIGRATIONS: Array<(s: Store) => void> = [
  // 1 → 2: a ref is unique within its pool (static refs such as the RBAC roles' repeat in every pool)
  (s) => {
    s.db.exec(`
      CREATE TABLE objects_v2(${OBJECTS_COLUMNS});
      INSERT INTO objects_v2(rowid, ref, cls, uuid, data) SELECT rowid, ref, cls, uuid, data FROM objects ORDER BY rowid;
      DROP TABLE objects;
      ALTER TABLE objects_v2 RENAME TO objects;
      ${OBJECTS_INDEXES}
    `)
  },
  // 2 → 3
  (s) => s.db.exec(LINK_INDEXES),
]

const OBJECTS_COLUMNS = `ref TEXT NOT NULL, cls TEXT NOT NULL, uuid TEXT, data TEXT NOT NULL, scope TEXT NOT NULL DEFAULT '${FIRST_SCOPE}'`
const OBJECTS_INDEXES = `
      CREATE UNIQUE INDEX objects_ref ON objects(ref, scope);
      CREATE INDEX objects_cls ON objects(cls, scope);
      CREATE INDEX objects_uuid ON objects(uuid);`

/**
 * Fields of the classes that grow with the number of guests, indexed (a partial index on the field's value per
 * class), so that the objects pointing at one object (a VM's VBDs, a host's resident VMs, an SR's VDIs, …) or
 * the VMs of one name are found without reading their whole class: Db.referrers and Db.withField use them.
 */
export const LINKS: ReadonlySet<string> = new Set([
  'VM.resident_on', 'VM.scheduled_to_be_resident_on', 'VM.power_state', 'VM.guest_metrics', 'VM.snapshot_of', 'VM.parent',
  'VM.suspend_VDI', 'VM.name_label', 'VBD.VM', 'VBD.VDI', 'VIF.VM', 'VIF.network', 'VIF.ipv4_configuration_mode', 'VDI.SR',
  'VDI.snapshot_of', 'VDI.location', 'console.VM', 'VUSB.VM', 'VTPM.VM', 'VGPU.VM', 'crashdump.VM', 'crashdump.VDI',
])
const field = (f: string) => `json_extract(data, '$.${f}')`
/**
 * The pool-wide figures the engine keeps per transaction (Db.derived: hosts' memory in use, the highest domid, the
 * addresses live guests report) start from these: each is read from its index alone (SQLite takes an indexed
 * expression from the index), not from every VM's record.
 */
const SCANS = {
  'VM memory': { cls: 'VM', cols: ['resident_on', 'memory_dynamic_min', 'memory_overhead', 'memory_static_max', 'memory_dynamic_max'].map(field) },
  'VM domids': { cls: 'VM', cols: [field('domid'), 'ref'] },
  'VM guests': { cls: 'VM', cols: [field('power_state'), 'ref', field('guest_metrics')] },
  'guest networks': { cls: 'VM_guest_metrics', cols: ['ref', field('networks')] },
} as const
const LINK_INDEXES = [
  ...[...LINKS].map((key) => {
    const [cls, f] = key.split('.') as [string, string]
    return `CREATE INDEX IF NOT EXISTS "by ${key}" ON objects(scope, ${field(f)}) WHERE cls = '${cls}';`
  }),
  ...Object.entries(SCANS).map(([name, { cls, cols }]) => `CREATE INDEX IF NOT EXISTS "${name}" ON objects(scope, ${cols.join(', ')}) WHERE cls = '${cls}';`),
].join('\n')

export interface Row {
  ref: string
  cls: string
  data: string
}

export class Store {
  private stmts = new Map<string, BetterSqlite3.Statement>()
  private inTx = false
  constructor(readonly db: SqliteDb, readonly file: string) {}

  private st(sql: string): BetterSqlite3.Statement {
    let s = this.stmts.get(sql)
    if (!s) {
      s = this.db.prepare(sql)
      this.stmts.set(sql, s)
    }
    return s
  }

  begin(write: boolean): void {
    if (write) beginImmediate(this.db)
    else this.db.exec('BEGIN')
    this.inTx = true
  }
  commit(): void {
    this.db.exec('COMMIT')
    this.inTx = false
  }
  rollback(): void {
    if (this.inTx) {
      this.inTx = false
      if (this.db.inTransaction) this.db.exec('ROLLBACK')
    }
  }
  close(): void {
    this.rollback()
    this.db.close()
  }

  hasSchema(): boolean {
    return this.st("SELECT 1 FROM sqlite_master WHERE type='table' AND name='meta'").get() !== undefined
  }
  createSchema(): void {
    this.db.exec(`
      CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE objects(${OBJECTS_COLUMNS});${OBJECTS_INDEXES}
      ${LINK_INDEXES}
    `)
    this.setMeta('schema_version', String(SCHEMA_VERSION))
  }
  /** Removes every object and setting (used by reset, inside a write transaction). */
  clear(): void {
    this.db.exec('DELETE FROM objects; DELETE FROM meta;')
    this.stmts.clear()
    this.setMeta('schema_version', String(SCHEMA_VERSION))
  }

  getMeta(key: string): string | undefined {
    const r = this.st('SELECT value FROM meta WHERE key=?').get(key) as { value: string } | undefined
    return r?.value
  }
  setMeta(key: string, value: string): void {
    this.st('INSERT INTO meta(key,value) VALUES(?,?) ON CONFLICT(key) DO UPDATE SET value=excluded.value').run(key, value)
  }
  allMeta(): Array<[string, string]> {
    return (this.st('SELECT key, value FROM meta ORDER BY key').all() as Array<{ key: string; value: string }>).map((r) => [r.key, r.value])
  }

  loadClass(cls: string, scope: string): Row[] {
    return this.st('SELECT ref, cls, data FROM objects WHERE cls=? AND scope=? ORDER BY rowid').all(cls, scope) as Row[]
  }
  loadRef(ref: string, scope: string): Row | undefined {
    return this.st('SELECT ref, cls, data FROM objects WHERE ref=? AND scope=?').get(ref, scope) as Row | undefined
  }
  findUuid(uuid: string, scope: string): Row[] {
    return this.st('SELECT ref, cls, data FROM objects WHERE uuid=? AND scope=? ORDER BY rowid').all(uuid, scope) as Row[]
  }
  /** The objects of a class whose field (one of LINKS) holds `value`, in creation order, with their rowid. */
  withField(key: string, value: string, scope: string): Array<Row & { rowid: number }> {
    return this.linked('rowid, ref, cls, data', key).all(scope, value) as Array<Row & { rowid: number }>
  }
  /** The refs of the objects of a class whose field (one of LINKS) holds `value`, in creation order. */
  refsWithField(key: string, value: string, scope: string): string[] {
    return this.linked('ref', key).pluck(true).all(scope, value) as string[]
  }
  /** SELECT cols of the objects of a pool (parameter 1) whose field, one of LINKS (the index "by <key>"), holds parameter 2. */
  private linked(cols: string, key: string): BetterSqlite3.Statement {
    const [cls, f] = key.split('.') as [string, string]
    return this.st(`SELECT ${cols} FROM objects WHERE cls = '${cls}' AND scope = ? AND ${field(f)} = ? ORDER BY rowid`)
  }
  rowidOf(ref: string, scope: string): number | undefined {
    return (this.st('SELECT rowid FROM objects WHERE ref=? AND scope=?').get(ref, scope) as { rowid: number } | undefined)?.rowid
  }
  /**
   * Per host, the memory of the pool's VMs whose `by` field names it: [host, Σ memory_dynamic_min, Σ memory_overhead,
   * Σ memory_static_max, Σ memory_dynamic_max]. Resident VMs are summed from the index "VM memory", in its order;
   * scheduled ones (a VM is, only while an operation places it) from their records.
   */
  vmMemoryBy(by: 'resident_on' | 'scheduled_to_be_resident_on', scope: string): Array<[string, number, number, number, number]> {
    const [, ...memory] = SCANS['VM memory'].cols
    const sums = memory.map((m) => `sum(${m})`).join(', ')
    const sql =
      by === 'resident_on'
        ? `SELECT ${field(by)}, ${sums} FROM objects INDEXED BY "VM memory" WHERE cls = 'VM' AND scope = ? GROUP BY ${field(by)}`
        : `SELECT ${field(by)}, ${sums} FROM objects WHERE cls = 'VM' AND scope = ? AND ${field(by)} <> '${NULL_REF}' GROUP BY 1`
    return this.st(sql).raw(true).all(scope) as Array<[string, number, number, number, number]>
  }
  /** A VM's memory as stored: [resident_on, scheduled_to_be_resident_on, memory_dynamic_min, memory_overhead, memory_static_max, memory_dynamic_max]. */
  vmMemoryOf(ref: string, scope: string): [string, string, number, number, number, number] | undefined {
    const cols = ['resident_on', 'scheduled_to_be_resident_on', 'memory_dynamic_min', 'memory_overhead', 'memory_static_max', 'memory_dynamic_max'].map(field)
    return this.st(`SELECT ${cols.join(', ')} FROM objects WHERE ref = ? AND scope = ? AND cls = 'VM'`).raw(true).get(ref, scope) as [string, string, number, number, number, number] | undefined
  }
  /** The stored VM with the highest domid that `skip` does not exclude, or undefined. */
  highestDomid(scope: string, skip: (ref: string) => boolean): { ref: string; domid: number } | undefined {
    const [domid, ref] = SCANS['VM domids'].cols
    const it = this.st(`SELECT ${ref}, ${domid} FROM objects INDEXED BY "VM domids" WHERE cls = 'VM' AND scope = ? ORDER BY ${domid} DESC`).raw(true).iterate(scope) as IterableIterator<[string, number]>
    for (const [r, d] of it) if (!skip(r)) return { ref: r, domid: d }
    return undefined
  }
  /** The VMs of the pool in one of `states` with their guest metrics' networks (JSON): [ref, networks]. */
  guestNetworks(scope: string, states: readonly string[]): Array<[string, string | null]> {
    const on = (t: string, f: string) => `json_extract(${t}.data, '$.${f}')`
    return this.st(
      `SELECT v.ref, ${on('g', 'networks')} FROM objects AS v INDEXED BY "VM guests" LEFT JOIN objects AS g INDEXED BY "guest networks"` +
        ` ON g.cls = 'VM_guest_metrics' AND g.scope = v.scope AND g.ref = ${on('v', 'guest_metrics')}` +
        ` WHERE v.cls = 'VM' AND v.scope = ? AND ${on('v', 'power_state')} IN (${states.map(() => '?').join(', ')})`,
    ).raw(true).all(scope, ...states) as Array<[string, string | null]>
  }
  /** Every object of a class in every pool, with its scope. */
  loadClassEverywhere(cls: string): Array<Row & { scope: string }> {
    return this.st('SELECT ref, cls, data, scope FROM objects WHERE cls=? ORDER BY rowid').all(cls) as Array<Row & { scope: string }>
  }
  /** Stores an object of pool `scope`: a new row, or new data (`from`: the pool it moves from). */
  put(ref: string, cls: string, uuid: string | null, data: string, isNew: boolean, scope: string, from = scope): void {
    if (isNew) this.st('INSERT INTO objects(ref, cls, uuid, data, scope) VALUES(?,?,?,?,?)').run(ref, cls, uuid, data, scope)
    else this.st('UPDATE objects SET uuid=?, data=?, scope=? WHERE ref=? AND scope=?').run(uuid, data, scope, ref, from)
  }
  del(ref: string, scope: string): void {
    this.st('DELETE FROM objects WHERE ref=? AND scope=?').run(ref, scope)
  }
}

export function worldFile(home: string): string {
  return join(home, WORLD_FILE)
}

function describe(e: unknown): string {
  const code = (e as { code?: string }).code
  if (code === 'SQLITE_NOTADB') return 'it is not an xesim world (not a database)'
  if (code === 'SQLITE_CORRUPT') return 'it is corrupt'
  if (code === 'SQLITE_CANTOPEN') return 'it cannot be opened'
  if (code === 'SQLITE_READONLY') return 'it is read-only'
  return (e as Error).message
}


/** The first 100 bytes of the world file; undefined when it is missing or empty (a new world). */
function readHeader(file: string): Buffer | undefined {
  let fd: number
  try {
    fd = openSync(file, 'r')
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT' ? undefined : Buffer.alloc(0)
  }
  try {
    const b = Buffer.alloc(100)
    const n = readSync(fd, b, 0, 100, 0)
    return n === 0 ? undefined : b.subarray(0, n)
  } catch {
    return Buffer.alloc(0)
  } finally {
    closeSync(fd)
  }
}

/** How long a writer waits for the world's write lock (then SQLITE_BUSY), as the busy timeout of every open. */
const LOCK_TIMEOUT_MS = 60000
let sleeper: Int32Array | undefined
/**
 * BEGIN IMMEDIATE, waiting for the write lock with short jittered polls (about 2 ms, growing to about 20 ms) instead
 * of SQLite's busy handler, whose sleeps grow to 100 ms: with many writers queued the lock would sit idle between
 * them (100 concurrent xe commands ran at ~20 updates/s); polls no more often than that leave the CPU to the writer
 * holding the lock (2 cores: 100 writers went from ~43 to ~46 updates/s).
 */
function beginImmediate(db: SqliteDb): void {
  db.exec('PRAGMA busy_timeout = 0')
  const limit = Error.stackTraceLimit
  try {
    const deadline = Date.now() + LOCK_TIMEOUT_MS
    for (let tries = 0; ; tries++) {
      if (tries > 0) {
        sleeper ??= new Int32Array(new SharedArrayBuffer(4))
        Atomics.wait(sleeper, 0, 0, Math.min(tries * 2, 20) * (0.5 + Math.random()))
        // a refused try is an exception: no stack trace for it
        Error.stackTraceLimit = 0
      }
      try {
        db.exec('BEGIN IMMEDIATE')
        return
      } catch (e) {
        if ((e as { code?: string }).code !== 'SQLITE_BUSY' || Date.now() >= deadline) throw e
      } finally {
        Error.stackTraceLimit = limit
      }
    }
  } finally {
    db.exec(`PRAGMA busy_timeout = ${LOCK_TIMEOUT_MS}`)
  }
}

/**
 * Opens (creating when missing or empty) the world in `home`. `init` fills a brand-new world inside
 * the creating transaction, so two processes racing on a fresh directory build it once.
 */
export function openStore(home: string): Store {
  const file = worldFile(home)
  const head = readHeader(file)
  const fresh = head === undefined
  if (fresh) mkdirSync(home, { recursive: true })
  // journal_mode is persistent: a world already in WAL mode (header bytes 18-19) is not asked again
  const wal = head !== undefined && head.length >= 20 && head.toString('latin1', 0, 16) === 'SQLite format 3\0' && head[18] === 2 && head[19] === 2
  let db: SqliteDb
  try {
    db = openDatabase(file, { mustExist: !fresh, timeout: LOCK_TIMEOUT_MS })
    if (!wal) db.pragma('journal_mode = WAL')
    db.exec('PRAGMA synchronous = NORMAL')
  } catch (e) {
    throw new WorldStateError(file, describe(e))
  }
  return new Store(db, file)
}

/** Checks the layout version inside an open transaction; migrates older worlds (needs a write tx). */
export function checkVersion(s: Store, write: boolean): 'ok' | 'needs-migration' {
  let v: number
  try {
    v = Number(s.getMeta('schema_version'))
  } catch (e) {
    throw new WorldStateError(s.file, describe(e))
  }
  if (!Number.isInteger(v) || v < 1) throw new WorldStateError(s.file, 'it has no valid schema version')
  if (v > SCHEMA_VERSION) throw new WorldStateError(s.file, `it was written by a newer xesim (schema ${v}, this xesim knows ${SCHEMA_VERSION})`)
  if (v === SCHEMA_VERSION) return 'ok'
  if (!write) return 'needs-migration'
  for (let i = v; i < SCHEMA_VERSION; i++) MIGRATIONS[i - 1]!(s)
  s.setMeta('schema_version', String(SCHEMA_VERSION))
  return 'ok'
}
export { describe as describeStoreError }
