// The persistence boundary: one SQLite file per world ($XESIM_HOME/world.db), WAL mode.
// A command is one transaction: BEGIN IMMEDIATE takes the cross-process write lock up front, so
// parallel writers queue instead of losing updates; a killed writer's lock is released by SQLite.
import { closeSync, existsSync, mkdirSync, openSync, readSync } from 'node:fs'
import { join } from 'node:path'
import type BetterSqlite3 from 'better-sqlite3'
import { openDatabase, type SqliteDb } from './sqlite'
import { WorldStateError } from './errors'

export const SCHEMA_VERSION = 2
export const WORLD_FILE = 'world.db'

/** The scope of a world's first pool (every object of a world written before pools had scopes). */
export const FIRST_SCOPE = '1'

/**
 * MIGRATIONS[i - 1] takes a world from layout version i to i + 1. Version 1 is the first layout; version 2
 * scopes each object to a pool (several pools live in one world), every existing object joining the first.
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
]

const OBJECTS_COLUMNS = `ref TEXT NOT NULL, cls TEXT NOT NULL, uuid TEXT, data TEXT NOT NULL, scope TEXT NOT NULL DEFAULT '${FIRST_SCOPE}'`
const OBJECTS_INDEXES = `
      CREATE UNIQUE INDEX objects_ref ON objects(ref, scope);
      CREATE INDEX objects_cls ON objects(cls, scope);
      CREATE INDEX objects_uuid ON objects(uuid);`

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
