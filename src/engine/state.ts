// Whole-world operations for xesim itself: reset, save to a file, load from a file.
import { existsSync, mkdtempSync, renameSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { WorldStateError } from './errors'
import { openDatabase, type SqliteDb } from './sqlite'
import { checkVersion, openStore, SCHEMA_VERSION, worldFile, type Store } from './store'
import { buildWorld, withWorld, type BuildOptions } from './world'
import { dataDir, PIECE, readVdiRange, vdiExtents, vdisWithData, VdiWriter } from './vdi-data'

/** Recreates the default world. A world that cannot be opened is moved aside, never deleted. */
export function resetWorld(home: string, opts: BuildOptions): { movedAside?: string } {
  let store: Store
  let movedAside: string | undefined
  try {
    store = openStore(home)
    store.begin(true)
    if (store.hasSchema()) checkVersion(store, true)
    store.rollback()
  } catch (e) {
    if (!(e instanceof WorldStateError)) throw e
    const file = worldFile(home)
    movedAside = `${file}.unreadable-${new Date().toISOString().replace(/[:.]/g, '-')}`
    renameSync(file, movedAside)
    for (const x of ['-wal', '-shm']) if (existsSync(file + x)) renameSync(file + x, movedAside + x)
    store = openStore(home)
  }
  try {
    store.begin(true)
    if (store.hasSchema()) store.clear()
    else store.createSchema()
    buildWorld(store, opts)
    store.commit()
    // the old world's disk contents go with it
    rmSync(dataDir(home), { recursive: true, force: true })
  } catch (e) {
    store.rollback()
    throw e
  } finally {
    store.close()
  }
  return { movedAside }
}

/**
 * Writes a consistent copy of the world to `file` (refusing to overwrite it): the database, and the disks' bytes
 * (vdi-data) in a table of the copy, vdi_data(uuid, offset, bytes), in pieces of at most 1 MiB of the ranges
 * written. Writers wait meanwhile, so the rows and the bytes are of one moment.
 */
export async function saveWorld(home: string, file: string): Promise<void> {
  if (existsSync(file)) throw new Error(`${file} already exists; xesim does not overwrite files`)
  await withWorld(home, false, () => undefined)
  const lock = openStore(home)
  const store = openStore(home)
  let created = false
  try {
    lock.begin(true)
    store.db.prepare('VACUUM INTO ?').run(file)
    created = true
    const out = openDatabase(file, { mustExist: true, timeout: 0 })
    try {
      out.exec('BEGIN')
      out.exec('CREATE TABLE vdi_data (uuid TEXT NOT NULL, offset INTEGER NOT NULL, bytes BLOB NOT NULL, PRIMARY KEY (uuid, offset))')
      saveVdiData(home, out)
      out.exec('COMMIT')
    } finally {
      out.close()
    }
  } catch (e) {
    if (created) rmSync(file, { force: true })
    throw e
  } finally {
    lock.rollback()
    lock.close()
    store.close()
  }
}

function saveVdiData(home: string, out: SqliteDb): void {
  const put = out.prepare('INSERT INTO vdi_data (uuid, offset, bytes) VALUES (?, ?, ?)')
  for (const uuid of vdisWithData(home)) {
    const extents = vdiExtents(home, uuid)
    for (const [a, b] of extents) {
      for (let p = a; p < b; p += PIECE) {
        const bytes = readVdiRange(home, uuid, p, Math.min(PIECE, b - p), extents)
        if (bytes) put.run(uuid, p, bytes)
      }
    }
  }
}

/** Writes the saved disks' bytes under `staging` (its vdi-data directory); a file saved without them has none. */
function loadVdiData(db: SqliteDb, staging: string): void {
  const has = db.prepare("SELECT 1 FROM src.sqlite_master WHERE type = 'table' AND name = 'vdi_data'").get()
  if (!has) return
  let writer: VdiWriter | undefined
  let current: string | undefined
  try {
    for (const row of db.prepare('SELECT uuid, offset, bytes FROM src.vdi_data ORDER BY uuid, offset').iterate() as IterableIterator<{ uuid: string; offset: number; bytes: Buffer }>) {
      if (row.uuid !== current) {
        writer?.close()
        current = row.uuid
        writer = new VdiWriter(staging, row.uuid)
      }
      writer!.write(row.offset, row.bytes)
    }
  } finally {
    writer?.close()
  }
}

/** Replaces the world with the one saved in `file` (validated first; migrated if older). */
export function loadWorld(home: string, file: string): void {
  if (!existsSync(file)) throw new Error(`${file} does not exist`)
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Database = require('better-sqlite3')
  let version: number
  try {
    const src = new Database(file, { readonly: true, fileMustExist: true })
    try {
      version = Number((src.prepare("SELECT value FROM meta WHERE key='schema_version'").get() as { value: string }).value)
      src.prepare('SELECT count(*) FROM objects').get()
    } finally {
      src.close()
    }
  } catch (e) {
    throw new Error(`${file} is not an xesim world (${(e as Error).message})`)
  }
  if (!Number.isInteger(version) || version < 1 || version > SCHEMA_VERSION) throw new Error(`${file} has an unsupported world version (${version})`)
  const store = openStore(home)
  const staging = mkdtempSync(join(home, '.loading-'))
  try {
    store.db.prepare('ATTACH DATABASE ? AS src').run(file)
    store.begin(true)
    if (!store.hasSchema()) store.createSchema()
    store.db.exec('DELETE FROM objects; DELETE FROM meta;')
    // a world saved before pools had scopes is all one pool (the migration to version 2 says so too)
    const cols = version >= 2 ? 'ref, cls, uuid, data, scope' : 'ref, cls, uuid, data'
    store.db.exec(`INSERT INTO objects(${cols}) SELECT ${cols} FROM src.objects ORDER BY rowid`)
    store.db.exec('INSERT INTO meta(key, value) SELECT key, value FROM src.meta')
    checkVersion(store, true)
    // the disks' bytes: the saved ones (none from a file saved without them), never the old world's
    loadVdiData(store.db, staging)
    const old = join(staging, 'old')
    if (existsSync(dataDir(home))) renameSync(dataDir(home), old)
    if (existsSync(dataDir(staging))) renameSync(dataDir(staging), dataDir(home))
    try {
      store.commit()
    } catch (e) {
      rmSync(dataDir(home), { recursive: true, force: true })
      if (existsSync(old)) renameSync(old, dataDir(home))
      throw e
    }
  } catch (e) {
    store.rollback()
    throw e
  } finally {
    rmSync(staging, { recursive: true, force: true })
    try {
      store.db.exec('DETACH DATABASE src')
    } catch {
      /* not attached */
    }
    store.close()
  }
}
