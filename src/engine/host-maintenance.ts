// Taking a host in and out of service: Host.disable / Host.enable as the coordinator forwards them
// (message_forwarding.ml) and the host runs them (xapi_host.ml disable, enable, assert_safe_to_reenable), and the
// host operations table (xapi_host_helpers.ml valid_operations / update_allowed_operations) they refresh.
// Reference: xapi-model.md §13. Re-expressed from xen-api at the reference commit.
import type { Db, XObj } from './db'
import { XapiError } from './errors'
import { isHostLive } from './host'

export type HostOp = XObj<'host'>['f']['allowed_operations'][number]

/** host_allowed_operations in datamodel order (the order xapi fills its table in). */
const HOST_OPS: HostOp[] = ['provision', 'evacuate', 'shutdown', 'reboot', 'power_on', 'vm_start', 'vm_resume', 'vm_migrate', 'apply_updates', 'enable']

/**
 * The order xapi lists the allowed operations in: its table is an OCaml Hashtbl of 16 buckets filled in enum order
 * and folded into a list, which comes out as below (the fresh host's order, data/host.ts HOST_ALLOWED_OPS, is this
 * order without reboot, shutdown, apply_updates and power_on).
 */
const LISTED_ORDER: HostOp[] = ['vm_migrate', 'provision', 'vm_resume', 'apply_updates', 'enable', 'power_on', 'reboot', 'evacuate', 'vm_start', 'shutdown']

const CREATING: HostOp[] = ['provision', 'vm_resume', 'vm_migrate']
const REMOVING: HostOp[] = ['evacuate', 'reboot', 'shutdown']

/** valid_operations: why op cannot run on the host now, or undefined. */
export function hostOperationError(db: Db, host: XObj<'host'>, op: HostOp): XapiError | undefined {
  const current = host.f.current_operations as unknown as Array<[string, HostOp]>
  const find = (p: (o: HostOp) => boolean) => current.find(([, o]) => p(o))
  const inProgress = ([task, o]: [string, HostOp]) => new XapiError('OTHER_OPERATION_IN_PROGRESS', ['host', host.ref, o, task])
  if (op !== 'power_on') {
    const removing = find((o) => REMOVING.includes(o))
    const creating = find((o) => CREATING.includes(o))
    if (CREATING.includes(op) && removing) return inProgress(removing)
    if (REMOVING.includes(op) && creating) return inProgress(creating)
  }
  const exclusive: Array<[HostOp, HostOp[]]> = [['reboot', ['shutdown', 'apply_updates']], ['shutdown', ['reboot', 'apply_updates']], ['apply_updates', ['reboot', 'shutdown', 'enable']], ['provision', ['provision']]]
  for (const [running, blocked] of exclusive) {
    const t = find((o) => o === running)
    if (t && blocked.includes(op)) return inProgress(t)
  }
  if (host.f.enabled && ['reboot', 'shutdown', 'apply_updates'].includes(op)) return new XapiError('HOST_NOT_DISABLED', [])
  if (op === 'power_on') {
    if (isHostLive(db, host)) return new XapiError('HOST_IS_LIVE', [host.ref])
    if (host.f.power_on_mode === '') return new XapiError('HOST_POWER_ON_MODE_DISABLED', [])
  }
  return undefined
}

export function assertHostOperation(db: Db, host: XObj<'host'>, op: HostOp): void {
  const e = hostOperationError(db, host, op)
  if (e) throw e
}

/** update_allowed_operations: every operation that is possible now, in xapi's listing order. */
export function updateHostAllowedOperations(db: Db, host: XObj<'host'>): void {
  const ops = LISTED_ORDER.filter((op) => HOST_OPS.includes(op) && !hostOperationError(db, host, op))
  if (JSON.stringify(ops) !== JSON.stringify(host.f.allowed_operations)) db.set(host, { allowed_operations: ops })
}

/** do_op_on's check_live: a call forwarded to a member that is not live fails with HOST_OFFLINE [host]. */
export function assertReachable(db: Db, host: XObj<'host'>): void {
  const coordinator = db.all('pool')[0]?.f.master
  if (host.ref !== coordinator && !isHostLive(db, host)) throw new XapiError('HOST_OFFLINE', [host.ref])
}

/**
 * Host.disable(host, auto_enable): the host accepts no new VMs. Forwarded to the host (HOST_OFFLINE when it is not
 * live); an enabled host becomes disabled (auto_enable=false only tells the host's local database not to re-enable
 * it when xapi restarts — not modelled). The allowed operations then include reboot, shutdown, apply_updates.
 */
export function disableHost(db: Db, host: XObj<'host'>): void {
  assertReachable(db, host)
  if (host.f.enabled) db.set(host, { enabled: false })
  updateHostAllowedOperations(db, host)
}

/**
 * Host.enable: the `enable` operation check, forwarded to the host (HOST_OFFLINE), and for a disabled host the
 * re-enable checks of assert_safe_to_reenable (pending mandatory guidances:
 * HOST_PENDING_MANDATORY_GUIDANCE_NOT_EMPTY [host]); then enabled.
 */
export function enableHost(db: Db, host: XObj<'host'>): void {
  assertHostOperation(db, host, 'enable')
  assertReachable(db, host)
  if (!host.f.enabled) {
    if (host.f.pending_guidances.length > 0) throw new XapiError('HOST_PENDING_MANDATORY_GUIDANCE_NOT_EMPTY', [host.ref])
    db.set(host, { enabled: true })
  }
  updateHostAllowedOperations(db, host)
}
