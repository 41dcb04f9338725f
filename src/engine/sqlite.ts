// The SQLite connection of a world: better-sqlite3's native addon behind the few methods the store uses
// (prepare, exec, pragma, close, inTransaction). Loading the addon directly spares every xe process the
// package's own JavaScript front (a dozen modules, ~3 ms); when the addon is not where an install puts it, or
// its interface is not the one this was written against (better-sqlite3 12), the package itself is used.
import { join } from 'node:path'
import type BetterSqlite3 from 'better-sqlite3'

export interface SqliteDb {
  prepare(sql: string): BetterSqlite3.Statement
  exec(sql: string): unknown
  pragma(source: string, options?: { simple?: boolean }): unknown
  close(): unknown
  readonly inTransaction: boolean
}

interface NativeDb {
  prepare(sql: string, owner: unknown, pragmaMode: boolean): BetterSqlite3.Statement
  exec(sql: string): void
  close(): void
  readonly inTransaction: boolean
}
interface Addon {
  Database: new (filename: string, given: string, anonymous: boolean, readonly: boolean, mustExist: boolean, timeout: number, verbose: null, buffer: null) => NativeDb
  setErrorConstructor(c: unknown): void
  isInitialized?: boolean
}

/** The errors the addon throws: a message and SQLite's code (SQLITE_BUSY, SQLITE_NOTADB, …). */
class SqliteError extends Error {
  constructor(message: string, readonly code: string) {
    super(message)
    this.name = 'SqliteError'
  }
}

class LeanDb implements SqliteDb {
  constructor(private readonly native: NativeDb) {}
  prepare(sql: string) {
    return this.native.prepare(sql, this, false)
  }
  exec(sql: string): this {
    this.native.exec(sql)
    return this
  }
  pragma(source: string, options?: { simple?: boolean }) {
    const stmt = this.native.prepare(`PRAGMA ${source}`, this, true)
    return options?.simple ? stmt.pluck().get() : stmt.all()
  }
  close(): this {
    this.native.close()
    return this
  }
  get inTransaction(): boolean {
    return this.native.inTransaction
  }
}

let addon: Addon | null | undefined
function leanAddon(): Addon | null {
  if (addon !== undefined) return addon
  addon = null
  try {
    // dist/src/engine → the package's build output, as npm installs it beside this one
    const a = require(join(__dirname, '..', '..', '..', 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node')) as Addon
    if (typeof a.Database === 'function' && typeof a.setErrorConstructor === 'function' && typeof a.Database.prototype.prepare === 'function') {
      if (!a.isInitialized) {
        a.setErrorConstructor(SqliteError)
        a.isInitialized = true
      }
      addon = a
    }
  } catch {
    // not there: the package finds its addon itself
  }
  return addon
}

/** Opens a database file (created unless mustExist) with a busy timeout in ms. */
export function openDatabase(file: string, o: { mustExist: boolean; timeout: number }): SqliteDb {
  const a = leanAddon()
  if (a) return new LeanDb(new a.Database(file, file, false, false, o.mustExist, o.timeout, null, null))
  const Database = require('better-sqlite3') as typeof BetterSqlite3
  return new Database(file, { fileMustExist: o.mustExist, timeout: o.timeout })
}
