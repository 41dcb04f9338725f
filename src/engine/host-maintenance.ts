// Taking a host in and out of service: Host.disable / Host.enable as the coordinator forwards them
// (message_forwarding.ml) and the host runs them (xapi_host.ml disable, enable, assert_safe_to_reenable); the host
// operations table they refresh is host-ops.ts's (xapi_host_helpers.ml valid_operations).
// Reference: xapi-model.md §13. Re-expressed from xen-api at the reference commit.
import type { Db, XObj } from './db'
import { XapiError } from './errors'
import { assertHostOperation, assertHostReachable, setHostAutoEnable, updateHostAllowedOperations } from './host-ops'

/** assert_host_disable_preserves_ha_plan: with HA on, a host whose loss would break the failover plan
 *  (HA_OPERATION_WOULD_BREAK_FAILOVER_PLAN) stays enabled (ha.ts, loaded only then). */
export function assertHaPlanKept(db: Db, host: XObj<'host'>): void {
  if (db.all('pool')[0]?.f.ha_enabled) (require('./ha') as typeof import('./ha')).assertHostDisablePreservesHaPlan(db, host)
}

/**
 * Host.disable(host, auto_enable): the host accepts no new VMs. Forwarded to the host (HOST_OFFLINE when it is not
 * live; with HA on, first HA_OPERATION_WOULD_BREAK_FAILOVER_PLAN); an enabled host becomes disabled, and with auto_enable=false its local database remembers not to enable
 * it again when it boots (host-ops.ts bootHost) until Host.enable. The allowed operations then include reboot,
 * shutdown, apply_updates.
 */
export function disableHost(db: Db, host: XObj<'host'>, autoEnable = true): void {
  assertHaPlanKept(db, host)
  assertHostReachable(db, host)
  if (host.f.enabled) {
    db.set(host, { enabled: false })
    if (!autoEnable) setHostAutoEnable(db, host, false)
  }
  updateHostAllowedOperations(db, host)
}

/**
 * Host.enable: the `enable` operation check, forwarded to the host (HOST_OFFLINE), and for a disabled host the
 * re-enable checks of assert_safe_to_reenable (pending mandatory guidances:
 * HOST_PENDING_MANDATORY_GUIDANCE_NOT_EMPTY [host]); then enabled, and enabled again after reboots.
 */
export function enableHost(db: Db, host: XObj<'host'>): void {
  assertHostOperation(db, host, 'enable')
  assertHostReachable(db, host)
  if (!host.f.enabled) {
    if (host.f.pending_guidances.length > 0) throw new XapiError('HOST_PENDING_MANDATORY_GUIDANCE_NOT_EMPTY', [host.ref])
    setHostAutoEnable(db, host, true)
    db.set(host, { enabled: true })
  }
  updateHostAllowedOperations(db, host)
}
