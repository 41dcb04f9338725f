// Pool rules that xe's records reach through API calls: Pool.get_license_state (xapi_pool.ml,
// xapi_pool_license.ml, license_check.ml) and the pool-wide setters that apply a host setter on every host
// (Pool.set_https_only, the Ssh module's set_ssh_enabled_timeout / set_console_idle_timeout / set_ssh_auto_mode).
import type { Db, XObj } from './db'
import { XapiError } from './errors'
import { mapGet, type XMap } from './values'

/**
 * Pool.get_license_state: the lowest edition any host runs (by the licence daemon's edition order) and the
 * earliest expiry among the hosts on that edition ("never" when none expires).
 */
export function licenseState(db: Db): XMap {
  const hosts = db.all('host')
  // V6_client.get_editions: the daemon's editions in order; every host reports the same list (host.editions)
  const order = new Map<string, number>()
  for (const h of hosts) h.f.editions.forEach((e, i) => order.has(e) || order.set(e, i))
  const ranked = hosts.filter((h) => order.has(h.f.edition)).sort((a, b) => order.get(a.f.edition)! - order.get(b.f.edition)!)
  // List.hd of an empty list: OCaml's Failure "hd"
  if (ranked.length === 0) throw new XapiError('INTERNAL_ERROR', ['Failure: hd'])
  const edition = ranked[0]!.f.edition
  const expiries = hosts
    .filter((h) => h.f.edition === edition)
    .map((h) => mapGet(h.f.license_params, 'expiry'))
    .map((e) => (e === undefined || e === 'never' ? undefined : e))
  // None sorts after every date; the earliest date wins
  const dates = expiries.filter((e): e is string => e !== undefined).sort()
  const expiry = dates[0]
  // License_check.serialize_expiry: no date, or the "never" date (2100-01-01), prints "never"
  return [['edition', edition], ['expiry', expiry === undefined || expiry === '21000101T00:00:00Z' ? 'never' : expiry]]
}

/**
 * Applies `action` to every host, collecting the hosts where it failed: Pool's Ssh.operate, which then raises
 * `error` with their refs (last host first).
 */
export function onEveryHost(db: Db, error: string, action: (h: XObj<'host'>) => void): void {
  const failed: string[] = []
  for (const h of db.all('host')) {
    try {
      action(h)
    } catch {
      failed.unshift(h.ref)
    }
  }
  if (failed.length > 0) throw new XapiError(error, failed)
}

/**
 * records.ml get_consistent_field_or_default: a host field shown at pool level, "<inconsistent>" when the
 * hosts disagree.
 */
export function consistentHostField(db: Db, read: (h: XObj<'host'>) => string): string {
  const values = db.all('host').map(read)
  if (values.length === 0) return '<inconsistent>'
  return values.every((v) => v === values[0]) ? values[0]! : '<inconsistent>'
}
