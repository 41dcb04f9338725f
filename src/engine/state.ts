// Whole-world operations for xesim itself: reset, save to a file, load from a file.
import { existsSync, renameSync, rmSync } from 'node:fs'
import { WorldStateError } from './errors'
import { checkVersion, openStore, SCHEMA_VERSION, worldFile, type Store } from './store'
import { buildWorld, withWorld, type BuildOptions } from './world'
import { dataDir } from './vdi-data'

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

/** Writes a consistent copy of the world to `file` (refusing to overwrite it). */
export async function saveWorld(home: string, file: string): Promise<void> {
  if (existsSync(file)) throw new Error(`${file} already exists; xesim does not overwrite files`)
  await withWorld(home, false, () => undefined)
  const store = openStore(home)
  try {
    store.db.prepare('VACUUM INTO ?').run(file)
  } finally {
    store.close()
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
    store.commit()
  } catch (e) {
    store.rollback()
    throw e
  } finally {
    try {
      store.db.exec('DETACH DATABASE src')
    } catch {
      /* not attached */
    }
    store.close()
  }
}
