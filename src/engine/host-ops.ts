// Host power and lifecycle operations: Host.shutdown / reboot / power_on (xapi_host.ml shutdown_and_reboot_common,
// prepare_for_poweroff, power_on; message_forwarding.ml Host.*), Host.destroy and Host.declare_dead (xapi_host.ml
// precheck_destroy_declare_dead; db_gc_util.ml for what goes with a destroyed host), Host.set_hostname_live,
// Host.compute_memory_overhead, Host.call_plugin (xapi_plugins.ml), and the host allowed-operations table
// (xapi_host_helpers.ml valid_operations / update_allowed_operations / with_host_operation).
// Re-expressed from xen-api at the reference commit; no OCaml copied.
import type { Db, XObj } from './db'
import { XapiError } from './errors'
import { isHostLive } from './host'
import { plugPbd } from './pbd'
import { updateSrAllowedOperations } from './sr'
import { NULL_REF, mapDel, mapGet, xapiDate, type Ref } from './values'
import { cleanShutdown, forceStateReset, hardShutdown, powerStateReset } from './vm-power'

type Host = XObj<'host'>
export type HostOp = Host['f']['allowed_operations'][number]

/**
 * Every host operation in the order xapi's update_allowed_operations lists the allowed ones: its Hashtbl.fold
 * over a 10-entry table of the polymorphic variants (computed with OCaml's Hashtbl; a fresh enabled host gives
 * vm_migrate, provision, vm_resume, enable, evacuate, vm_start as real hosts report).
 */
const LISTED_ORDER: HostOp[] = ['vm_migrate', 'provision', 'vm_resume', 'apply_updates', 'enable', 'power_on', 'reboot', 'evacuate', 'vm_start', 'shutdown']
/** API.host_allowed_operations__all, the datamodel's order (the order errors are set in). */
const ALL_OPS: HostOp[] = ['provision', 'evacuate', 'shutdown', 'reboot', 'power_on', 'vm_start', 'vm_resume', 'vm_migrate', 'apply_updates', 'enable']
const CREATING: HostOp[] = ['provision', 'vm_resume', 'vm_migrate']
const REMOVING: HostOp[] = ['evacuate', 'reboot', 'shutdown']

const masterRef = (db: Db): Ref => db.all('pool')[0]?.f.master ?? NULL_REF

/**
 * valid_operations: for each host operation, the error that refuses it (undefined when allowed). Operations that
 * add VMs and operations that remove them exclude each other; reboot, shutdown and apply_updates exclude each
 * other and need the host disabled (HOST_NOT_DISABLED); power_on needs the host down (HOST_IS_LIVE [host]) and a
 * power_on_mode (HOST_POWER_ON_MODE_DISABLED). The power-on-host plugin is installed on every host. Clustered
 * SRs (CLUSTERED_SR_DEGRADED) are not modelled.
 */
export function hostOperationErrors(db: Db, host: Host): Map<HostOp, XapiError> {
  const errors = new Map<HostOp, XapiError>()
  const set = (code: string, params: string[], ops: HostOp[]) => {
    for (const op of ops) if (!errors.has(op)) errors.set(op, new XapiError(code, params))
  }
  const current = host.f.current_operations as Array<[string, HostOp]>
  const creating = current.find(([, op]) => CREATING.includes(op))
  const removing = current.find(([, op]) => REMOVING.includes(op))
  for (const op of ALL_OPS) {
    if (op === 'power_on') continue
    const other = CREATING.includes(op) ? removing : REMOVING.includes(op) ? creating : undefined
    if (other) set('OTHER_OPERATION_IN_PROGRESS', ['host', host.ref, other[1], other[0]], [op])
  }
  const exclusive: Array<[HostOp, HostOp[]]> = [
    ['reboot', ['shutdown', 'apply_updates']],
    ['shutdown', ['reboot', 'apply_updates']],
    ['apply_updates', ['reboot', 'shutdown', 'enable']],
    ['provision', ['provision']],
  ]
  for (const [running, blocked] of exclusive) {
    const found = current.find(([, op]) => op === running)
    if (found) set('OTHER_OPERATION_IN_PROGRESS', ['host', host.ref, running, found[0]], blocked)
  }
  if (host.f.enabled) set('HOST_NOT_DISABLED', [], ['reboot', 'shutdown', 'apply_updates'])
  if (isHostLive(db, host)) set('HOST_IS_LIVE', [host.ref], ['power_on'])
  if (host.f.power_on_mode === '') set('HOST_POWER_ON_MODE_DISABLED', [], ['power_on'])
  return errors
}

/** update_allowed_operations: the operations nothing refuses, in xapi's listing order. */
export function updateHostAllowedOperations(db: Db, host: Host): void {
  const errors = hostOperationErrors(db, host)
  const allowed = LISTED_ORDER.filter((op) => !errors.has(op))
  if (allowed.join() !== host.f.allowed_operations.join()) db.set(host, { allowed_operations: allowed })
}

/** assert_operation_valid: the error valid_operations holds for the operation, if any. */
export function assertHostOperation(db: Db, host: Host, op: HostOp): void {
  const e = hostOperationErrors(db, host).get(op)
  if (e) throw e
}

/**
 * do_op_on's live check (message_forwarding.ml check_live): a call forwarded to a host other than the
 * coordinator needs that host live, else HOST_OFFLINE [host].
 */
export function assertHostReachable(db: Db, host: Host): void {
  if (host.ref !== masterRef(db) && !isHostLive(db, host)) throw new XapiError('HOST_OFFLINE', [host.ref])
}

// ---------------------------------------------------------------------------------------------------------
// Going down and coming back.

/**
 * What a host does on its way down (prepare_for_poweroff): Vm_evacuation.ensure_no_vms stops the guests still
 * running or paused there (a clean shutdown where allowed, then a hard one for what is still live; guests with
 * other-config:auto_poweroff are left to power themselves off); every PBD of the host is unplugged. The
 * coordinator then marks the host dead (mark_host_as_dead: host_metrics.live=false) and refreshes its allowed
 * operations (the `shutdown entry keeps reboot, apply_updates and the VM-creating operations refused). The control
 * domain's record is left as it was (Running, resident on the host), as xapi leaves it.
 * xapi first tries to evacuate the guests that can move (Host.evacuate); here they are shut down.
 */
function goDown(db: Db, host: Host): void {
  // shutdown_and_reboot_common: a task ("Host is shutting down" / "Host is rebooting") records `shutdown on the host
  // and returns; the record stays after the task is gone, masking other operations until the host's xapi restarts
  db.set(host, { current_operations: [...host.f.current_operations, [db.ids.ref(), 'shutdown']] })
  const guests = () =>
    db.referrers('VM', 'resident_on', host.ref).filter((vm) => !vm.f.is_control_domain && (vm.f.power_state === 'Running' || vm.f.power_state === 'Paused'))
  const quiet = (f: () => void) => {
    try {
      f()
    } catch (e) {
      if (!(e instanceof XapiError)) throw e
    }
  }
  for (const vm of guests().filter((v) => mapGet(v.f.other_config, 'auto_poweroff') === undefined)) {
    if (vm.f.allowed_operations.includes('clean_shutdown')) quiet(() => cleanShutdown(db, vm))
  }
  for (const vm of guests()) quiet(() => hardShutdown(db, vm))
  const srs = new Set<Ref>()
  for (const pbd of db.referrers('PBD', 'host', host.ref)) {
    if (!pbd.f.currently_attached) continue
    db.set(pbd, { currently_attached: false })
    srs.add(pbd.f.SR)
  }
  for (const sr of srs) updateSrAllowedOperations(db, db.get(sr, 'SR'))
  markHostDead(db, host)
}

/** mark_host_as_dead: host_metrics.live=false and the allowed operations refreshed. */
function markHostDead(db: Db, host: Host): void {
  const m = db.tryGet(host.f.metrics, 'host_metrics')
  if (m) db.set(m, { live: false })
  updateHostAllowedOperations(db, host)
}

const unixTime = (db: Db) => `${Math.floor(db.clock.now().getTime() / 1000)}.`

/**
 * A host's xapi starting after a boot: the host reports live again (host_metrics live, last_updated); xapi's
 * start re-adds other-config boot_time and agent_start_time in front; guests still recorded as resident there
 * have no domain any more and are reset to Halted (dbsync); the control domain runs again with a fresh start
 * time; every PBD is plugged (failures are logged); the operations in progress are forgotten; the reboot_host guidances are satisfied. As
 * the system has just restarted, consider_enabling_host enables the host unless mandatory guidance is pending.
 */
export function bootHost(db: Db, host: Host): void {
  const now = xapiDate(db.clock.now())
  const m = db.tryGet(host.f.metrics, 'host_metrics')
  if (m) db.set(m, { live: true, last_updated: now })
  const t = unixTime(db)
  const oc = mapDel(mapDel(host.f.other_config, 'agent_start_time'), 'boot_time')
  db.set(host, { other_config: [['agent_start_time', t], ['boot_time', t], ...oc], current_operations: [] })
  for (const vm of db.referrers('VM', 'resident_on', host.ref)) {
    if (vm.f.is_control_domain) {
      const vmm = db.tryGet(vm.f.metrics, 'VM_metrics')
      if (vmm) db.set(vmm, { start_time: now })
    } else forceStateReset(db, vm, 'Halted')
  }
  for (const vm of db.referrers('VM', 'scheduled_to_be_resident_on', host.ref)) db.set(vm, { scheduled_to_be_resident_on: NULL_REF })
  const guidance = host.f.pending_guidances.filter((g) => !g.startsWith('reboot_host'))
  if (guidance.length !== host.f.pending_guidances.length) db.set(host, { pending_guidances: guidance })
  for (const pbd of db.referrers('PBD', 'host', host.ref)) {
    try {
      plugPbd(db, pbd)
    } catch (e) {
      if (!(e instanceof XapiError)) throw e
    }
  }
  if (host.f.pending_guidances.length === 0) db.set(host, { enabled: true })
  updateHostAllowedOperations(db, host)
}

/**
 * The checks Host.shutdown and Host.reboot share: with_host_operation's operation check (HOST_NOT_DISABLED while
 * enabled, OTHER_OPERATION_IN_PROGRESS), then do_op_on's live check (HOST_OFFLINE for a member that is down).
 */
function assertPowerOff(db: Db, host: Host, op: 'shutdown' | 'reboot'): void {
  assertHostOperation(db, host, op)
  assertHostReachable(db, host)
}

/**
 * Host.shutdown: a disabled host powers off. Its running guests are stopped and its PBDs unplugged on the way
 * down; the pool then sees it dead (live=false) and disabled. Shutting down the coordinator takes the pool's
 * API down with it in xapi; here the world stays usable, with the coordinator shown dead.
 */
export function shutdownHost(db: Db, host: Host): void {
  assertPowerOff(db, host, 'shutdown')
  goDown(db, host)
}

/**
 * Host.reboot: as Host.shutdown, then the host comes back (bootHost): live, PBDs plugged, enabled again (the
 * disable does not survive a reboot). On the coordinator the pool's API is away while it restarts, then the
 * same host is coordinator again; a member rejoins with Pool.hello. The end state is the same.
 */
export function rebootHost(db: Db, host: Host): void {
  assertPowerOff(db, host, 'reboot')
  goDown(db, host)
  bootHost(db, host)
}

/**
 * Host.power_on (run on the coordinator): the operation check (HOST_IS_LIVE, HOST_POWER_ON_MODE_DISABLED), then
 * the power-on-host plugin's main with remote_host_uuid, by power_on_mode: "wake-on-lan" wakes the host; "IPMI"
 * needs power_on_config power_on_ip, power_on_user and power_on_password_secret (a missing key fails in the
 * plugin: XENAPI_PLUGIN_FAILURE [main, KeyError, '<key>']); any other mode is a custom script module, which is
 * not installed (ModuleNotFoundError). The host boots (bootHost).
 */
export function powerOnHost(db: Db, host: Host): void {
  assertHostOperation(db, host, 'power_on')
  const mode = host.f.power_on_mode
  if (mode === 'IPMI') {
    for (const key of ['power_on_ip', 'power_on_user', 'power_on_password_secret']) {
      if (mapGet(host.f.power_on_config, key) === undefined) throw new XapiError('XENAPI_PLUGIN_FAILURE', ['main', 'KeyError', `'${key}'`])
    }
  } else if (mode !== 'wake-on-lan') {
    throw new XapiError('XENAPI_PLUGIN_FAILURE', ['main', 'ModuleNotFoundError', `No module named '${mode}'`])
  }
  bootHost(db, host)
}

// ---------------------------------------------------------------------------------------------------------
// Forgetting a host and declaring it dead.

/**
 * precheck_destroy_declare_dead: a host still alive (its metrics say live, and it answers) or the coordinator
 * itself is refused with HOST_IS_LIVE [host].
 */
function assertHostDead(db: Db, host: Host): void {
  if (isHostLive(db, host) || host.ref === masterRef(db)) throw new XapiError('HOST_IS_LIVE', [host.ref])
}

/**
 * Host.destroy (xe host-forget): the host must be dead and not the coordinator (HOST_IS_LIVE), HA off
 * (HA_IS_ENABLED), and no guest may be resident there (HOST_HAS_RESIDENT_VMS [host]). The host record goes, and
 * its control domains with it; the database GC then removes what pointed at the host (db_gc_util.ml): its PIFs
 * (with their metrics and the VLANs, tunnels, bonds and SR-IOV records they were masters of), PBDs, host CPUs,
 * metrics, patches, PCIs, PGPUs, PUSBs, features, certificates, cluster hosts and drivers, and the devices and
 * consoles of the destroyed control domains. Its local SRs stay, without PBDs.
 */
export function destroyHost(db: Db, host: Host): void {
  assertHostDead(db, host)
  const pool = db.all('pool')[0]
  if (pool?.f.ha_enabled) throw new XapiError('HA_IS_ENABLED', [])
  const resident = db.referrers('VM', 'resident_on', host.ref)
  if (resident.some((vm) => !vm.f.is_control_domain)) throw new XapiError('HOST_HAS_RESIDENT_VMS', [host.ref])
  const gone = (o: XObj | undefined) => {
    if (o) db.destroy(o)
  }
  for (const dom0 of resident) {
    for (const cls of ['VBD', 'VIF', 'VGPU', 'VUSB', 'VTPM', 'crashdump', 'console'] as const) {
      for (const o of [...db.referrers(cls, 'VM', dom0.ref)]) {
        if (cls === 'VBD') gone(db.tryGet((o as XObj<'VBD'>).f.metrics, 'VBD_metrics'))
        if (cls === 'VIF') gone(db.tryGet((o as XObj<'VIF'>).f.metrics, 'VIF_metrics'))
        db.destroy(o)
      }
    }
    gone(db.tryGet(dom0.f.metrics, 'VM_metrics'))
    gone(db.tryGet(dom0.f.guest_metrics, 'VM_guest_metrics'))
    db.destroy(dom0)
  }
  for (const pif of [...db.referrers('PIF', 'host', host.ref)]) {
    if (pif.f.VLAN_master_of === NULL_REF && db.referrers('tunnel', 'access_PIF', pif.ref).length === 0) gone(db.tryGet(pif.f.metrics, 'PIF_metrics'))
    gone(db.tryGet(pif.f.VLAN_master_of, 'VLAN'))
    for (const t of [...db.referrers('tunnel', 'access_PIF', pif.ref)]) db.destroy(t)
    for (const s of [...db.referrers('network_sriov', 'logical_PIF', pif.ref)]) db.destroy(s)
    for (const b of [...db.referrers('Bond', 'master', pif.ref)]) db.destroy(b)
    db.destroy(pif)
  }
  for (const cls of ['PBD', 'host_cpu', 'host_patch', 'PCI', 'PGPU', 'PUSB', 'Feature', 'Certificate', 'Cluster_host', 'Host_driver'] as const) {
    for (const o of [...db.referrers(cls, 'host', host.ref)]) db.destroy(o)
  }
  gone(db.tryGet(host.f.metrics, 'host_metrics'))
  db.destroy(host)
}

/**
 * Host.declare_dead: the same liveness check (HOST_IS_LIVE); every guest resident there is reset to Halted
 * through VM.power_state_reset; the host is disabled and its allowed operations refreshed.
 */
export function declareDead(db: Db, host: Host): void {
  assertHostDead(db, host)
  for (const vm of db.referrers('VM', 'resident_on', host.ref)) if (!vm.f.is_control_domain) powerStateReset(db, vm)
  db.set(host, { enabled: false })
  updateHostAllowedOperations(db, host)
}

// ---------------------------------------------------------------------------------------------------------
// Small calls.

/** Host.compute_memory_overhead (Memory_check.host_compute_memory_overhead): the stored memory_overhead. */
export function computeMemoryOverhead(host: Host): number {
  return host.f.memory_overhead
}

/**
 * Host.set_hostname_live (forwarded to the host: HOST_OFFLINE when it is down): the name may not be empty or
 * longer than 255 bytes, and may hold only letters, digits, '-' and '.', with no '-' at either end
 * (HOST_NAME_INVALID [reason]). The hostname field follows, and the control domain's name when it still has the
 * default "Control domain on host: <hostname>" form.
 */
export function setHostnameLive(db: Db, host: Host, hostname: string): void {
  assertHostReachable(db, host)
  if (hostname.length === 0) throw new XapiError('HOST_NAME_INVALID', ['hostname empty'])
  if (Buffer.byteLength(hostname) > 255) throw new XapiError('HOST_NAME_INVALID', ['hostname is too long'])
  if (hostname.startsWith('-') || hostname.endsWith('-') || !/^[A-Za-z0-9.-]*$/.test(hostname)) {
    throw new XapiError('HOST_NAME_INVALID', ['hostname contains invalid characters'])
  }
  db.set(host, { hostname })
  const stem = 'Control domain on host: '
  const dom0 = db.tryGet(host.f.control_domain, 'VM') ?? db.referrers('VM', 'resident_on', host.ref).find((v) => v.f.is_control_domain)
  if (dom0 && dom0.f.name_label.startsWith(stem) && dom0.f.name_label !== stem + hostname) db.set(dom0, { name_label: stem + hostname })
}

/** Python's repr() of a str, as a plugin's "%r" shows it. */
function pyRepr(s: string): string {
  const q = s.includes("'") && !s.includes('"') ? '"' : "'"
  let out = q
  for (const ch of s) {
    const c = ch.codePointAt(0)!
    if (ch === '\\') out += '\\\\'
    else if (ch === q) out += '\\' + q
    else if (ch === '\n') out += '\\n'
    else if (ch === '\r') out += '\\r'
    else if (ch === '\t') out += '\\t'
    else if (c < 0x20 || (c >= 0x7f && c <= 0xa0) || c === 0xad) out += '\\x' + c.toString(16).padStart(2, '0')
    else out += ch
  }
  return out + q
}

type Plugin = Record<string, (args: Array<[string, string]>) => string>

/**
 * The plugins modelled (xen-api python3/plugins): echo's main returns "args were: <repr of the args dict>"
 * (an args:sleep that is not an integer fails as the int() call does).
 */
const PLUGINS: Record<string, Plugin> = {
  echo: {
    main(args) {
      const sleep = args.find(([k]) => k === 'sleep')
      if (sleep && !/^\s*[+-]?\d+(_\d+)*\s*$/.test(sleep[1])) {
        throw new XapiError('XENAPI_PLUGIN_FAILURE', ['main', 'ValueError', `invalid literal for int() with base 10: ${pyRepr(sleep[1])}`])
      }
      return `args were: {${args.map(([k, v]) => `${pyRepr(k)}: ${pyRepr(v)}`).join(', ')}}`
    },
  },
}

/**
 * Host.call_plugin (forwarded: HOST_OFFLINE when the host is down): a plugin not installed in the host's plugin
 * directory is XENAPI_MISSING_PLUGIN [name]; a function the plugin does not dispatch is the plugin's own
 * UNKNOWN_XENAPI_PLUGIN_FUNCTION [fn] (XenAPIPlugin.dispatch). Only the plugins above are installed.
 */
export function callPlugin(db: Db, host: Host, plugin: string, fn: string, args: Array<[string, string]>): string {
  assertHostReachable(db, host)
  const p = Object.hasOwn(PLUGINS, plugin) ? PLUGINS[plugin] : undefined
  if (!p) throw new XapiError('XENAPI_MISSING_PLUGIN', [plugin])
  const f = Object.hasOwn(p, fn) ? p[fn] : undefined
  if (!f) throw new XapiError('UNKNOWN_XENAPI_PLUGIN_FUNCTION', [fn])
  return f(args)
}
