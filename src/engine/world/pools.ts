// Several pools in one world. Each object belongs to the pool of one scope (a column of the store), as each
// real pool has its own xapi database; xe talks to the pool of the host named by -s (xe-cli-behaviour.md §6),
// a member forwarding to its master. Hosts are found by management address, hostname or name-label, the way a
// client reaches them by address or DNS name. Root passwords live in the world's meta table, never in xe's view.
import { UnreachableServer, XapiError } from '../errors'
import { FIRST_SCOPE, type Row, type Store } from '../store'
import type { Session, Target } from '../world'
import type { XObj } from '../db'
import type { Profile } from './fresh-host'

/** newcli.ml is_localhost: only this address is local (Unix socket, no SSL, trusted). */
export const isLocalhost = (server: string | undefined): boolean => server === undefined || server === '127.0.0.1'

/** The root password a host was installed with, when none is given: documented in the README. */
export const DEFAULT_PASSWORD = 'xenserver'
const passwordKey = (hostUuid: string) => `password:${hostUuid}`

export function rootPassword(store: Store, hostUuid: string): string {
  return store.getMeta(passwordKey(hostUuid)) ?? DEFAULT_PASSWORD
}
export function setRootPassword(store: Store, hostUuid: string, password: string): void {
  store.setMeta(passwordKey(hostUuid), password)
}

interface HostRow {
  scope: string
  uuid: string
  address: string
  hostname: string
  name_label: string
}
function hostRows(store: Store): HostRow[] {
  return store.loadClassEverywhere('host').map((r: Row & { scope: string }) => {
    const f = JSON.parse(r.data) as { uuid: string; address: string; hostname: string; name_label: string }
    return { scope: r.scope, uuid: f.uuid, address: f.address, hostname: f.hostname, name_label: f.name_label }
  })
}

/** The host a server name reaches: its address, hostname or name-label ('localhost': the first host). */
export function findServer(store: Store, server: string): HostRow | undefined {
  const rows = hostRows(store)
  if (server === 'localhost' || server === '::1') return rows[0]
  const name = server.replace(/^\[(.*)\]$/, '$1')
  return rows.find((h) => h.address === name) ?? rows.find((h) => h.hostname === name) ?? rows.find((h) => h.name_label === name)
}

/** What the thin client prints when nothing answers at `server` (newcli.ml main's handlers). */
export function unreachable(t: Target): UnreachableServer {
  const server = t.server!
  if (!t.nossl) return new UnreachableServer('Unable to contact server. Please check server and port settings.\n')
  // without SSL the client connects itself: a name that does not resolve, or an address that refuses
  if (/^[0-9.]+$/.test(server) || server.includes(':')) return new UnreachableServer('Error: Connection refused (calling connect )\n')
  return new UnreachableServer(`No addrinfo found for host: ${server}, port: ${t.port ?? 80}Host '${server}' not found.\n`)
}

/**
 * The scope of the pool a command talks to, after the login xapi does for a remote client
 * (Session.login_with_password: root and the pool master's password; local clients are trusted).
 */
export function scopeOf(store: Store, t: Target): string {
  if (isLocalhost(t.server)) {
    // a world that never had a second pool: no lookup at all
    if (store.getMeta('scopes') === undefined) return FIRST_SCOPE
    return hostRows(store)[0]?.scope ?? FIRST_SCOPE
  }
  const host = findServer(store, t.server!)
  if (!host) throw unreachable(t)
  const user = t.username ?? 'root'
  if (user === '') throw new XapiError('SESSION_AUTHENTICATION_FAILED', ['', 'Username/password must be specified'])
  const master = masterUuid(store, host.scope) ?? host.uuid
  if (user !== 'root' || t.password !== rootPassword(store, master)) {
    throw new XapiError('SESSION_AUTHENTICATION_FAILED', [user, 'Authentication failure'])
  }
  return host.scope
}

/** The uuid of a pool's master (its pool object's master field). */
function masterUuid(store: Store, scope: string): string | undefined {
  const pool = store.loadClass('pool', scope)[0]
  if (!pool) return undefined
  const master = (JSON.parse(pool.data) as { master: string }).master
  const row = store.loadRef(master, scope)
  return row ? (JSON.parse(row.data) as { uuid: string }).uuid : undefined
}

/** Every host of every pool: where it is, for xesim's own tools. */
export function worldHosts(store: Store): HostRow[] {
  return hostRows(store)
}

/** Why a new host cannot have this address or name (another host of the world has it), or undefined. */
export function isAddressTaken(store: Store, address: string, hostname: string): string | undefined {
  for (const h of hostRows(store)) {
    if (h.address === address) return `a host with address ${address} exists already (${h.hostname})`
    if (h.hostname === hostname || h.name_label === hostname) return `a host named ${hostname} exists already`
  }
  return undefined
}

/** What `xesim host-add` is given. */
export interface NewHost {
  nameLabel: string
  address: string
  password: string
  cpus?: number
  memoryBytes?: number
  profile: Profile
}

/**
 * Adds a freshly installed standalone host to the world: a new pool of its own (pool object, dom0, local SRs,
 * PIFs and networks, templates, SM, roles), exactly as the default world's first host, reachable by xe -s at
 * its address or name with root and `password`.
 */
export function addHost(session: Session, h: NewHost): XObj<'host'> {
  const why = isAddressTaken(session.store, h.address, h.nameLabel)
  if (why) throw new Error(why)
  const { defaultHostSpec, installHost } = require('./fresh-host') as typeof import('./fresh-host')
  const base = defaultHostSpec(h.profile)
  const subnet = h.address.split('.').slice(0, 3).join('.')
  const db = session.pool(session.newScope())
  const { host } = installHost(db, {
    ...base,
    hostname: h.nameLabel,
    address: h.address,
    gateway: `${subnet}.1`,
    dns: `${subnet}.1`,
    cpus: h.cpus ?? base.cpus,
    memoryBytes: h.memoryBytes ?? base.memoryBytes,
  })
  setRootPassword(session.store, host.f.uuid, h.password)
  return host
}
