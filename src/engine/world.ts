// A world: the store of one XESIM_HOME, opened for one transaction (one xe command).
// Load once, run, save once atomically (BEGIN IMMEDIATE … COMMIT), under SQLite's cross-process lock.
import { join } from 'node:path'
import { Db } from './db'
import { WorldStateError } from './errors'
import { cryptoIds, SeededIds, systemClock, VirtualClock, type Clock, type Ids } from './ids'
import { checkVersion, FIRST_SCOPE, openStore, worldFile, type Store } from './store'
import { findServer, isLocalhost, scopeOf, unreachable } from './world/pools'
import type { Profile } from './world/fresh-host'

export const PROFILES: Profile[] = ['xenserver-8', 'xcp-ng-8.3']
export const DEFAULT_PROFILE: Profile = 'xenserver-8'
/** The first second of a seeded world's virtual clock: 2026-01-01T00:00:00Z. */
export const SEEDED_EPOCH = 1767225600

/** $XESIM_HOME, else a per-user data directory. */
export function worldHome(env: NodeJS.ProcessEnv = process.env): string {
  if (env.XESIM_HOME) return env.XESIM_HOME
  const base = env.XDG_DATA_HOME || join(env.HOME || (require('node:os') as typeof import('node:os')).homedir(), '.local', 'share')
  return join(base, 'xesim')
}

export interface BuildOptions {
  profile?: Profile
  seed?: number
  /** `xesim init`: a pool of several hosts with guests instead of the freshly installed host */
  inventory?: { hosts: number; vms: number; sharedSr: 'nfs' | 'none' }
}

/** Parses XESIM_SEED / --seed: a non-negative integer. */
export function parseSeed(s: string | undefined): number | undefined {
  if (s === undefined || s === '') return undefined
  if (!/^\d+$/.test(s) || Number(s) > 0xffffffff) throw new Error(`invalid seed '${s}': expected an integer from 0 to 4294967295`)
  return Number(s)
}

function sources(s: Store): { ids: Ids; clock: Clock; seeded: SeededIds | undefined; vclock: VirtualClock | undefined } {
  const rng = s.getMeta('rng')
  if (rng === undefined) return { ids: cryptoIds, clock: systemClock, seeded: undefined, vclock: undefined }
  const seeded = new SeededIds(rng)
  const vclock = new VirtualClock(Number(s.getMeta('clock') ?? SEEDED_EPOCH))
  return { ids: seeded, clock: vclock, seeded, vclock }
}

/** Fills an empty store with the default world (a freshly installed host). */
export function buildWorld(s: Store, opts: BuildOptions): void {
  const profile = opts.profile ?? DEFAULT_PROFILE
  s.setMeta('profile', profile)
  if (opts.seed !== undefined) {
    s.setMeta('seed', String(opts.seed))
    s.setMeta('rng', new SeededIds(opts.seed).state)
    s.setMeta('clock', String(SEEDED_EPOCH))
  }
  s.setMeta('created', new Date().toISOString())
  const src = sources(s)
  const db = new Db(s, src.ids, src.clock)
  // Loaded only when a world is built: the template data is large and most commands never need it.
  if (opts.inventory) {
    const { buildInventory } = require('./world/inventory') as typeof import('./world/inventory')
    buildInventory(db, { profile, ...opts.inventory })
  } else {
    const { defaultHostSpec, installHost } = require('./world/fresh-host') as typeof import('./world/fresh-host')
    installHost(db, defaultHostSpec(profile))
  }
  db.flush()
  if (src.seeded) s.setMeta('rng', src.seeded.state)
}

export interface Session {
  /** The pool the command talks to (the pool of the host named by xe's -s, else of the first host). */
  db: Db
  store: Store
  /** Another pool's Db in the same transaction (created when the scope is new). */
  pool(scope: string): Db
  /** A scope for a new pool (xesim host-add, pool-eject). */
  newScope(): string
  /** Every pool's scope, in the order of their first host. */
  scopes(): string[]
}

/**
 * Which host xe talks to: xe's -s/server (undefined: the local host, 127.0.0.1), with the credentials and
 * the --nossl switch. Set by the CLI around each command (withTarget); engine tools use the local host.
 */
export interface Target {
  server?: string
  /** -p (the client's default: 443, or 80 without SSL) */
  port?: number
  username?: string
  password?: string
  nossl?: boolean
}
let target: Target = {}
export async function withTarget<T>(t: Target, fn: () => Promise<T>): Promise<T> {
  const before = target
  target = t
  try {
    return await fn()
  } finally {
    target = before
  }
}
export const currentTarget = (): Target => target

/**
 * Runs fn in one transaction on the world in `home`. A missing or empty world is created first
 * (seeded from XESIM_SEED when set). Changes are committed only if fn returns normally.
 */
export async function withWorld<T>(home: string, write: boolean, fn: (s: Session) => T | Promise<T>, env: NodeJS.ProcessEnv = process.env, keepOpen = false): Promise<T> {
  const store = takeKept(home) ?? openStore(home)
  let done = false
  try {
    try {
      store.begin(write)
      if (!store.hasSchema()) {
        if (!write) {
          store.rollback()
          store.begin(true)
        }
        if (!store.hasSchema()) {
          store.createSchema()
          buildWorld(store, { seed: parseSeed(env.XESIM_SEED) })
        }
      } else if (checkVersion(store, write) === 'needs-migration') {
        store.rollback()
        store.begin(true)
        checkVersion(store, true)
      }
    } catch (e) {
      if (e instanceof WorldStateError) throw e
      const code = (e as { code?: string }).code
      if (typeof code === 'string' && code.startsWith('SQLITE_')) throw new WorldStateError(store.file, code === 'SQLITE_NOTADB' ? 'it is not an xesim world (not a database)' : (e as Error).message)
      throw e
    }
    const src = sources(store)
    const dbs = new Map<string, Db>()
    const pool = (scope: string): Db => {
      let d = dbs.get(scope)
      if (!d) dbs.set(scope, (d = new Db(store, src.ids, src.clock, scope)))
      return d
    }
    const db = pool(scopeOf(store, target))
    const session: Session = {
      db,
      store,
      pool,
      newScope: () => {
        const n = Number(store.getMeta('scopes') ?? FIRST_SCOPE) + 1
        store.setMeta('scopes', String(n))
        return String(n)
      },
      scopes: () => [...new Set(store.loadClassEverywhere('host').map((r) => r.scope))],
    }
    const save = () => {
      if ([...dbs.values()].some((d) => d.hasChanges)) {
        for (const d of dbs.values()) d.flush()
        if (src.seeded && src.vclock) {
          store.setMeta('rng', src.seeded.state)
          store.setMeta('clock', String(src.vclock.seconds + 1))
        }
      }
      if (store.db.inTransaction) store.commit()
    }
    let result: T
    try {
      result = await fn(session)
    } catch (e) {
      // a failure that still keeps what succeeded (xe --multiple: each object is its own API call)
      if ((e as { commitChanges?: boolean }).commitChanges) save()
      throw e
    }
    save()
    done = true
    return result
  } catch (e) {
    store.rollback()
    throw e
  } finally {
    if (done && keepOpen) keep(store)
    else store.close()
  }
}

/** A store a finished withWorld kept open for the next one on the same world in this process (see assertReachable). */
let kept: Store | undefined
let closesAtExit = false
function keep(store: Store): void {
  kept?.close()
  kept = store
  if (!closesAtExit) process.once('exit', () => kept?.close())
  closesAtExit = true
}
function takeKept(home: string): Store | undefined {
  if (!kept || kept.file !== worldFile(home)) return undefined
  const store = kept
  kept = undefined
  return store
}

/** Throws the client's own error when no host of the world in $XESIM_HOME answers at `server` (xe -s; the local host always does). */
export async function assertReachable(server: string, nossl: boolean, port: number | undefined, env: NodeJS.ProcessEnv): Promise<void> {
  if (isLocalhost(server)) return
  // the world stays open for the command's own transaction (one open per command)
  const found = await withTarget({}, () => withWorld(worldHome(env), false, ({ store }) => findServer(store, server) !== undefined, env, true))
  if (!found) throw unreachable({ server, nossl, port })
}

/**
 * Waits until `check` holds on the world in `home`: checks now, then again after every change another
 * process commits (SQLite's data_version), polling cheaply. There is no timeout, as with xe event-wait.
 */
export async function waitForWorld(home: string, check: (db: Db) => boolean, pollMs = 20): Promise<void> {
  await withWorld(home, false, () => undefined) // create the world if it is new
  const store = openStore(home)
  let seen: unknown
  try {
    for (;;) {
      const version = store.db.pragma('data_version', { simple: true })
      if (version !== seen) {
        seen = version
        store.begin(false)
        try {
                if (check(new Db(store, cryptoIds, systemClock, scopeOf(store, target)))) return
        } finally {
          store.rollback()
        }
      }
      await new Promise((r) => setTimeout(r, pollMs))
    }
  } finally {
    store.close()
  }
}
