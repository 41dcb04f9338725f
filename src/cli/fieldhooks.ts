// Field behaviour the record tables cannot express: computed fields (records.ml `get` functions that
// do more than read one field) and setters with their own validation. Keyed "<datamodel class>.<cli field>"
// (the template and snapshot classes share the VM hooks). Rendering rules: xe-cli-behaviour.md §3.3.
import { createHash } from 'node:crypto'
import type { Db, XObj } from '../engine/db'
import type { ClassName } from '../engine/model.generated'
import { XapiError } from '../engine/errors'
import { addToMap, removeFromMap } from '../engine/fields'
import { NULL_REF, type Ref, type XMap } from '../engine/values'
import { queryHostDs, queryVmDs } from '../engine/rrd'
import { allowedVbdDevices, allowedVifDevices, possibleHosts, setBiosStrings, SETTABLE_BIOS_STRING_KEYS } from '../engine/vm'
import * as host from '../engine/host'
import { consistentHostField, licenseState, onEveryHost } from '../engine/pool'
import { srHost, supportedTypes } from '../engine/sr'
import { attachError } from '../engine/vbd'
import { CliFailure } from './failure'
import { parseBoolRaw, parseBoolStrict, parseEnum, parseInt64Big, xeFloat } from './enums'
import type { Field, Rec } from './records'
import { nameOf, refsOfUuids, uuidOf } from './records'

export interface Hook {
  get?(rec: Rec, f: Field): string
  getSet?(rec: Rec, f: Field): string[]
  getMap?(rec: Rec, f: Field): Array<[string, string]>
  set?(rec: Rec, f: Field, text: string): void
  addToMap?(rec: Rec, f: Field, k: string, v: string): void
  removeFromMap?(rec: Rec, f: Field, k: string): void
  setMap?(rec: Rec, f: Field, pairs: Array<[string, string]>): void
  addToSet?(rec: Rec, f: Field, member: string): void
  removeFromSet?(rec: Rec, f: Field, member: string): void
}

// Fields the tables mark "computed" that need no hook: records.ml reads one field behind a `try … with _ ->
// "<not in database>"` (pif network-/host-uuid and -name-label, the PIF_metrics vendor/device fields, the
// PCI-backed pgpu/vgpu/pci fields, gpu-group/usb-group references, hostdriver host-uuid), prints a constructor
// name (vbd mode/type), a bool (cluster is-quorate), the raw reference (caller rate-limit) or the strings
// (caller groups). The generic path in records.ts does exactly that: a missing related object or null
// reference prints <not in database>.

const NID = '<not in database>'
const UNKNOWN = '<unknown>'

// ---------------------------------------------------------------------------------------------------------
// Small helpers.

const obj = <C extends ClassName>(rec: Rec, _cls: C) => rec.obj as XObj<C>
const related = <C extends ClassName>(db: Db, ref: Ref, cls: C) => db.tryGet(ref, cls)
const semi = (xs: string[]) => xs.join('; ')
const bool = (b: boolean) => (b ? 'true' : 'false')

/** Printf "%<width>.<digits>f" as glibc prints a double: exact binary value, ties to even. */
function cFixed(v: number, digits: number, width = 0): string {
  let s: string
  if (!Number.isFinite(v)) s = Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf'
  else {
    const neg = v < 0 || Object.is(v, -0)
    const a = Math.abs(v)
    const [m, e] = frexpExact(a)
    const scale = 10n ** BigInt(digits)
    let q: bigint
    if (e >= 0) q = (m << BigInt(e)) * scale
    else {
      const num = m * scale
      const den = 1n << BigInt(-e)
      q = num / den
      const r2 = (num % den) * 2n
      if (r2 > den || (r2 === den && (q & 1n) === 1n)) q += 1n
    }
    const t = q.toString().padStart(digits + 1, '0')
    s = (neg ? '-' : '') + (digits > 0 ? `${t.slice(0, -digits)}.${t.slice(-digits)}` : t)
  }
  return s.padStart(width, ' ')
}
/** a = m * 2^e exactly (m a BigInt). */
function frexpExact(a: number): [bigint, number] {
  const dv = new DataView(new ArrayBuffer(8))
  dv.setFloat64(0, a)
  const hi = dv.getUint32(0) & 0x7fffffff
  const lo = dv.getUint32(4)
  const bexp = hi >>> 20
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo)
  if (bexp === 0) return [mant, -1074]
  mant |= 1n << 52n
  return [mant, bexp - 1075]
}

/** OCaml's Printexc.to_string of an API error (Api_errors registers this printer). */
const printServerError = (e: XapiError) => `Server_error(${e.code}, [ ${e.params.join('; ')} ])`

/** A `uuid of <X>` setter where "" means no object (records.ml: `if x = "" then Ref.null`). */
function refOrNull(cls: string, field: string): Hook['set'] {
  return (rec, _f, text) => {
    const value = text === '' ? NULL_REF : (refsOfUuids(rec.db, cls, text, false) as Ref)
    rec.db.set(rec.obj, { [field]: value } as never)
  }
}

/** A host data source read as records.ml does for I/O rates: value / 1024 as %.3f, "<unknown>" on failure. */
function hostRate(rec: Rec, name: (p: XObj<'PIF'>) => string): string {
  try {
    const pif = obj(rec, 'PIF')
    const h = rec.db.get(pif.f.host, 'host')
    return xeFloat(queryHostDs(rec.db, h, name(pif)) / 1024.0)
  } catch {
    return UNKNOWN
  }
}
/** The same for a VM data source of a VIF or VBD (VM.query_data_source refuses halted VMs: "<unknown>"). */
function vmRate(rec: Rec, vmRef: Ref, name: string): string {
  try {
    return xeFloat(queryVmDs(rec.db, rec.db.get(vmRef, 'VM'), name) / 1024.0)
  } catch {
    return UNKNOWN
  }
}

/** A VM_metrics field with records.ml's fallback when the metrics object is missing (Option.fold ~none). */
function vmMetric(none: string, render: (m: XObj<'VM_metrics'>) => string): Hook {
  return {
    get(rec) {
      const m = related(rec.db, obj(rec, 'VM').f.metrics, 'VM_metrics')
      return m ? render(m) : none
    },
  }
}

// ---------------------------------------------------------------------------------------------------------
// pool (records.ml pool_record)

const poolHooks: Record<string, Hook> = {
  // "" clears the reference; otherwise SR.get_by_uuid (UUID_INVALID for an unknown uuid)
  'default-SR': { set: refOrNull('SR', 'default_SR') },
  'crash-dump-SR': { set: refOrNull('SR', 'crash_dump_SR') },
  'suspend-image-SR': { set: refOrNull('SR', 'suspend_image_SR') },
  // SR.get_supported_types, joined with "; "
  'supported-sr-types': { get: (rec) => semi(supportedTypes(rec.db)) },
  'vswitch-controller': { get: (rec) => obj(rec, 'pool').f.vswitch_controller || '<not set>' },
  // Pool.get_license_state, rendered as a map
  'license-state': { get: (rec) => licenseState(rec.db).map(([k, v]) => `${k}: ${v}`).join('; ') },
  // true only if every host is https-only; setting it sets every host (Stdlib.bool_of_string)
  'https-only': {
    get: (rec) => bool(rec.db.all('host').every((h) => h.f.https_only)),
    set(rec, _f, text) {
      const value = parseBoolRaw('https-only', text)
      for (const h of rec.db.all('host')) host.setHttpsOnly(rec.db, h, value)
    },
  },
  // get_consistent_field_or_default over the hosts: "<inconsistent>" when they differ
  'ssh-enabled': { get: (rec) => consistentHostField(rec.db, (h) => bool(h.f.ssh_enabled)) },
  'ssh-enabled-timeout': {
    get: (rec) => consistentHostField(rec.db, (h) => String(h.f.ssh_enabled_timeout)),
    set(rec, _f, text) {
      const v = parseInt64Big('ssh-enabled-timeout', text)
      onEveryHost(rec.db, 'SET_SSH_TIMEOUT_PARTIALLY_FAILED', (h) => host.setSshEnabledTimeout(rec.db, h, v))
    },
  },
  'ssh-expiry': { get: (rec) => consistentHostField(rec.db, (h) => h.f.ssh_expiry) },
  'console-idle-timeout': {
    get: (rec) => consistentHostField(rec.db, (h) => String(h.f.console_idle_timeout)),
    set(rec, _f, text) {
      const v = parseInt64Big('console-idle-timeout', text)
      onEveryHost(rec.db, 'SET_CONSOLE_TIMEOUT_PARTIALLY_FAILED', (h) => host.setConsoleIdleTimeout(rec.db, h, v))
    },
  },
  'ssh-auto-mode': {
    get: (rec) => consistentHostField(rec.db, (h) => bool(h.f.ssh_auto_mode)),
    set(rec, _f, text) {
      const v = parseBoolStrict('ssh-auto-mode', text)
      onEveryHost(rec.db, 'SET_SSH_AUTO_MODE_PARTIALLY_FAILED', (h) => host.setSshAutoMode(rec.db, h, v))
    },
  },
}

// ---------------------------------------------------------------------------------------------------------
// host (records.ml host_record)

const hostOf = (rec: Rec) => obj(rec, 'host')

/** Host.patches: the uuid of each host_patch's pool_patch (Pool_patch.get_uuid: HANDLE_INVALID if dangling). */
function hostPatches(rec: Rec): string[] {
  return rec.db.referrers('host_patch', 'host', rec.obj.ref).map((hp) => rec.db.get(rec.db.get(hp.ref, 'host_patch').f.pool_patch, 'pool_patch').f.uuid)
}
/** Host.updates: Pool_update.get_uuid of each. */
function hostUpdates(rec: Rec): string[] {
  return hostOf(rec).f.updates.map((u) => rec.db.get(u, 'pool_update').f.uuid)
}

const hostHooks: Record<string, Hook> = {
  'suspend-image-sr-uuid': { set: refOrNull('SR', 'suspend_image_sr') },
  'crash-dump-sr-uuid': { set: refOrNull('SR', 'crash_dump_sr') },
  // Host.compute_free_memory (expensive)
  'memory-free-computed': { get: (rec) => String(host.computeFreeMemory(rec.db, hostOf(rec))) },
  patches: { get: (rec) => hostPatches(rec).join(', '), getSet: hostPatches },
  updates: { get: (rec) => hostUpdates(rec).join(', '), getSet: hostUpdates },
  'https-only': { set: (rec, _f, text) => host.setHttpsOnly(rec.db, hostOf(rec), parseBoolRaw('https-only', text)) },
  iscsi_iqn: { set: (rec, _f, text) => host.setIscsiIqn(rec.db, hostOf(rec), text) },
  multipathing: { set: (rec, _f, text) => host.setMultipathing(rec.db, hostOf(rec), parseBoolStrict('multipathing', text)) },
  'ssl-legacy': { set: (rec, _f, text) => host.setSslLegacy(rec.db, hostOf(rec), parseBoolStrict('ssl-legacy', text)) },
  'uefi-certificates': { set: () => host.setUefiCertificates() },
  'ssh-enabled-timeout': { set: (rec, _f, text) => host.setSshEnabledTimeout(rec.db, hostOf(rec), parseInt64Big('ssh-enabled-timeout', text)) },
  'console-idle-timeout': { set: (rec, _f, text) => host.setConsoleIdleTimeout(rec.db, hostOf(rec), parseInt64Big('console-idle-timeout', text)) },
  'ssh-auto-mode': { set: (rec, _f, text) => host.setSshAutoMode(rec.db, hostOf(rec), parseBoolStrict('ssh-auto-mode', text)) },
  'max-cstate': { set: (rec, _f, text) => host.setMaxCstate(rec.db, hostOf(rec), text) },
  'ntp-mode': {
    set: (rec, f, text) => host.setNtpMode(rec.db, hostOf(rec), parseEnum(f.spec.sp!, text) as XObj<'host'>['f']['ntp_mode']),
  },
  // split on ',', trimmed, empty names dropped
  'ntp-custom-servers': {
    set: (rec, _f, text) => host.setNtpCustomServers(rec.db, hostOf(rec), text.split(',').map((s) => s.trim()).filter((s) => s !== '')),
  },
}

// ---------------------------------------------------------------------------------------------------------
// patches and updates (records.ml pool_patch_record, pool_update_record): hosts by Host.get_uuid, guidance by
// name, both joined ", " (compatibility joiner)

const patchHooks: Record<string, Hook> = {
  // Host_patch.get_host of each host_patch, then Host.get_uuid (HANDLE_INVALID if one is gone)
  hosts: {
    getSet: (rec) => (rec.db.field(rec.obj, 'host_patches') as Ref[]).map((hp) => rec.db.get(rec.db.get(hp, 'host_patch').f.host, 'host').f.uuid),
  },
  'after-apply-guidance': { getSet: (rec) => [...obj(rec, 'pool_patch').f.after_apply_guidance] },
}
const updateHooks: Record<string, Hook> = {
  hosts: { getSet: (rec) => obj(rec, 'pool_update').f.hosts.map((h) => rec.db.get(h, 'host').f.uuid) },
  'after-apply-guidance': { getSet: (rec) => [...obj(rec, 'pool_update').f.after_apply_guidance] },
}

// ---------------------------------------------------------------------------------------------------------
// host_cpu: Host.query_data_source "cpu<N>" as %.3f (an idle host: 0.000), "<unknown>" on failure

const hostCpuHooks: Record<string, Hook> = {
  utilisation: {
    get(rec) {
      try {
        const c = obj(rec, 'host_cpu')
        return xeFloat(queryHostDs(rec.db, rec.db.get(c.f.host, 'host'), `cpu${c.f.number}`))
      } catch {
        return UNKNOWN
      }
    },
  },
}

// ---------------------------------------------------------------------------------------------------------
// VM, template, snapshot (records.ml vm_record)

const vmOf = (rec: Rec) => obj(rec, 'VM')

/** VCPUs-utilisation: "<n>: <cpu n as %.3f>" for each of VM_metrics.VCPUs_number vCPUs; [] if any query fails. */
function vcpusUtilisation(rec: Rec): Array<[string, string]> {
  const vm = vmOf(rec)
  const m = related(rec.db, vm.f.metrics, 'VM_metrics')
  const n = m ? m.f.VCPUs_number : 0
  try {
    return Array.from({ length: n }, (_, i): [string, string] => [String(i), xeFloat(queryVmDs(rec.db, vm, `cpu${i}`))])
  } catch {
    return []
  }
}

/** VM_metrics.numa_node_memory as "node: bytes" pairs. */
const numaPairs = (m: XObj<'VM_metrics'>): Array<[string, string]> =>
  ((m.f as { numa_node_memory?: XMap<number> }).numa_node_memory ?? []).map(([k, v]) => [String(k), String(v)])

const VCPUS_PARAMS_KEYS = ['weight', 'cap', 'mask']
const VM_OP_PARSER = 'enum via Record_util.string_to_vm_operation'

// The memory-*, VCPUs-*, HVM-shadow-multiplier, domain-type and actions-after-* setters keep the generic
// parse-then-store path: xapi's own checks for them (power state, memory constraints, VCPU limits, ...) belong
// to the VM lifecycle work, not to the record layer.
const vmHooks: Record<string, Hook> = {
  // VM.query_data_source "memory_target" (the balloon target): 0 for a VM that is not running (the call
  // fails with VM_BAD_POWER_STATE), "<unknown>" on any other failure
  'memory-target': {
    get(rec) {
      try {
        return String(Math.trunc(queryVmDs(rec.db, vmOf(rec), 'memory_target')))
      } catch (e) {
        return e instanceof XapiError && e.code === 'VM_BAD_POWER_STATE' ? '0' : UNKNOWN
      }
    },
  },
  // VM.get_allowed_VBD_devices / get_allowed_VIF_devices, [] if the call fails
  'allowed-VBD-devices': {
    getSet(rec) {
      try {
        return allowedVbdDevices(rec.db, vmOf(rec))
      } catch {
        return []
      }
    },
  },
  'allowed-VIF-devices': {
    getSet(rec) {
      try {
        return allowedVifDevices(rec.db, vmOf(rec))
      } catch {
        return []
      }
    },
  },
  // VM.get_possible_hosts as uuids (a display-only list: no get_set, so "( RO)")
  'possible-hosts': { get: (rec) => semi(possibleHosts(rec.db, vmOf(rec)).map((h) => uuidOf(rec.db, h))) },
  'VCPUs-utilisation': { getMap: vcpusUtilisation },
  // VM.get_cooperative always answers true (and records.ml says true when the call fails)
  cooperative: { get: () => 'true' },
  // the only quoted value xe prints (§3.3)
  'last-boot-record': { get: (rec) => `'${vmOf(rec).f.last_booted_record}'` },
  // VM_metrics fields that fall back to a plain value rather than <not in database>
  hvm: vmMetric('false', (m) => bool(m.f.hvm)),
  nomigrate: vmMetric('false', (m) => bool(m.f.nomigrate)),
  'nested-virt': vmMetric('false', (m) => bool(m.f.nested_virt)),
  'numa-optimised': vmMetric('false', (m) => bool(!!(m.f as { numa_optimised?: boolean }).numa_optimised)),
  'numa-nodes': vmMetric('0', (m) => String((m.f as { numa_nodes?: number }).numa_nodes ?? 0)),
  'numa-node-memory': {
    ...vmMetric('[]', (m) => numaPairs(m).map(([k, v]) => `${k}: ${v}`).join('; ')),
    getMap(rec) {
      const m = related(rec.db, vmOf(rec).f.metrics, 'VM_metrics')
      return m ? numaPairs(m) : []
    },
  },
  'start-time': vmMetric('<unknown time>', (m) => m.f.start_time),
  'install-time': vmMetric('<unknown time>', (m) => m.f.install_time),
  // only weight, cap and mask may be added (Record_failure otherwise)
  'VCPUs-params': {
    addToMap(rec, _f, k, v) {
      if (!VCPUS_PARAMS_KEYS.includes(k)) throw new CliFailure(`Failed to add parameter '${k}': expecting 'weight','cap' or 'mask'`)
      addToMap(rec.db, vmOf(rec), 'VCPUs_params', k, v)
    },
  },
  // set_map: every key of one command at once, each checked against the settable keys (Record_failure)
  'bios-strings': {
    setMap(rec, _f, pairs) {
      for (const [k] of pairs) {
        if (!SETTABLE_BIOS_STRING_KEYS.includes(k)) throw new CliFailure(`Unknown key '${k}': expecting ${SETTABLE_BIOS_STRING_KEYS.join(', ')}`)
      }
      setBiosStrings(rec.db, vmOf(rec), pairs)
    },
  },
  // keys are operation names as xe prints them (string_to_vm_operation: INVALID_VALUE for any other)
  'blocked-operations': {
    addToMap: (rec, _f, k, v) => addToMap(rec.db, vmOf(rec), 'blocked_operations', parseEnum(VM_OP_PARSER, k), v),
    removeFromMap: (rec, _f, k) => removeFromMap(rec.db, vmOf(rec), 'blocked_operations', parseEnum(VM_OP_PARSER, k)),
  },
  affinity: { set: refOrNull('host', 'affinity') },
  appliance: { set: refOrNull('VM_appliance', 'appliance') },
  // xapi also checks the VMSS feature and the policy's type (a later issue)
  'snapshot-schedule': { set: refOrNull('VMSS', 'snapshot_schedule') },
  // "" clears; otherwise comma-separated VM_group uuids (VM.set_groups' own checks: a later issue)
  groups: { set: (rec, _f, text) => rec.db.set(vmOf(rec), { groups: refsOfUuids(rec.db, 'VM_group', text, true) as Ref[] }) },
}

// ---------------------------------------------------------------------------------------------------------
// SR, PIF, VIF, VBD, VDI, network-sriov

const srHooks: Record<string, Hook> = {
  // "<shared>" with several PBDs, else the name of the only PBD's host (<not in database> with none)
  host: {
    get(rec) {
      const sr = obj(rec, 'SR')
      if (rec.db.referrers('PBD', 'SR', sr.ref).length > 1) return '<shared>'
      return nameOf(rec.db, srHost(rec.db, sr))
    },
  },
}

const pifMetrics = (rec: Rec) => related(rec.db, obj(rec, 'PIF').f.metrics, 'PIF_metrics')
const pifHooks: Record<string, Hook> = {
  // Host.query_data_source "pif_<device>_rx|tx" / 1024
  io_read_kbs: { get: (rec) => hostRate(rec, (p) => `pif_${p.f.device}_rx`) },
  io_write_kbs: { get: (rec) => hostRate(rec, (p) => `pif_${p.f.device}_tx`) },
  speed: {
    get(rec) {
      const m = pifMetrics(rec)
      return m ? `${m.f.speed} Mbit/s` : NID
    },
  },
  duplex: {
    get(rec) {
      const m = pifMetrics(rec)
      return !m ? NID : m.f.duplex ? 'full' : m.f.carrier ? 'half' : 'unknown'
    },
  },
}

const vifHooks: Record<string, Hook> = {
  io_read_kbs: { get: (rec) => vmRate(rec, obj(rec, 'VIF').f.VM, `vif_${obj(rec, 'VIF').f.device}_rx`) },
  io_write_kbs: { get: (rec) => vmRate(rec, obj(rec, 'VIF').f.VM, `vif_${obj(rec, 'VIF').f.device}_tx`) },
  // add/remove parse each member with safe_i64_of_string "value"
  trunks: {
    addToSet(rec, _f, member) {
      const v = Number(parseInt64Big('value', member))
      const vif = obj(rec, 'VIF')
      if (!vif.f.trunks.includes(v)) rec.db.set(vif, { trunks: [v, ...vif.f.trunks] })
    },
    removeFromSet(rec, _f, member) {
      const v = Number(parseInt64Big('value', member))
      const vif = obj(rec, 'VIF')
      rec.db.set(vif, { trunks: vif.f.trunks.filter((x) => x !== v) })
    },
  },
}

const vbdHooks: Record<string, Hook> = {
  'vdi-name-label': {
    get(rec) {
      const vbd = obj(rec, 'VBD')
      return vbd.f.empty ? '<EMPTY>' : nameOf(rec.db, vbd.f.VDI)
    },
  },
  // VBD.assert_attachable: "true", or "false (error: <the exception as OCaml prints it>)"
  attachable: {
    get(rec) {
      let e: XapiError | undefined
      try {
        e = attachError(rec.db, obj(rec, 'VBD'))
      } catch (x) {
        if (!(x instanceof XapiError)) throw x
        e = x
      }
      return e ? `false (error: ${printServerError(e)})` : 'true'
    },
  },
  io_read_kbs: { get: (rec) => vmRate(rec, obj(rec, 'VBD').f.VM, `vbd_${obj(rec, 'VBD').f.device}_read`) },
  io_write_kbs: { get: (rec) => vmRate(rec, obj(rec, 'VBD').f.VM, `vbd_${obj(rec, 'VBD').f.device}_write`) },
}

const vdiHooks: Record<string, Hook> = {
  // this pool's uuid for its own metadata VDIs; otherwise VDI.read_database_pool_uuid, which answers "" (shown
  // as <not in database>) unless the VDI was read as a foreign pool's database (not modelled)
  'metadata-of-pool': {
    get(rec) {
      const local = rec.db.all('pool')[0]
      const mine = obj(rec, 'VDI').f.metadata_of_pool
      return local && mine === local.ref ? local.f.uuid : NID
    },
  },
}

const sriovHooks: Record<string, Hook> = {
  // Network_sriov.get_remaining_capacity: the physical PIF's PCI virtual functions not attached to or
  // reserved for a VM; "<unknown>" when that cannot be read
  'remaining-capacity': {
    get(rec) {
      try {
        const pif = rec.db.get(obj(rec, 'network_sriov').f.physical_PIF, 'PIF')
        const pci = rec.db.get(pif.f.PCI, 'PCI')
        const vfs = (pci.f as { virtual_functions?: Ref[] }).virtual_functions ?? []
        const idle = vfs.filter((r) => {
          const vf = rec.db.get(r, 'PCI').f as { attached_VMs?: Ref[]; scheduled_to_be_attached_to?: Ref }
          return (vf.attached_VMs ?? []).length === 0 && (vf.scheduled_to_be_attached_to ?? NULL_REF) === NULL_REF
        })
        return String(idle.length)
      } catch {
        return UNKNOWN
      }
    },
  },
}

const networkHooks: Record<string, Hook> = {
  // members are parsed by network_purpose_of_string
  purpose: {
    addToSet(rec, f, member) {
      const v = parseEnum('enum via Record_util.network_purpose_of_string', member) as 'nbd' | 'insecure_nbd'
      const n = obj(rec, 'network')
      if (!n.f.purpose.includes(v)) rec.db.set(n, { purpose: [v, ...n.f.purpose] })
    },
    removeFromSet(rec, f, member) {
      const v = parseEnum('enum via Record_util.network_purpose_of_string', member)
      const n = obj(rec, 'network')
      rec.db.set(n, { purpose: n.f.purpose.filter((x) => x !== v) })
    },
  },
}

// ---------------------------------------------------------------------------------------------------------
// RBAC, schedules, GPUs, PCI, drivers, vTPM

const subjectHooks: Record<string, Hook> = {
  // Subject.get_roles, each by Role.get_name_label (<not in database> for one that cannot be read)
  roles: { getSet: (rec) => obj(rec, 'subject').f.roles.map((r) => related(rec.db, r, 'role')?.f.name_label ?? NID) },
}

const vmssHooks: Record<string, Hook> = {
  // VMSS.get_VMs, each by VM.get_uuid
  VMs: { getSet: (rec) => (rec.db.field(rec.obj, 'VMs') as Ref[]).map((r) => related(rec.db, r, 'VM')?.f.uuid ?? NID) },
}

/** PCI.dependencies shown by pci_id (PCI.get_record of each: HANDLE_INVALID if one is dangling). */
function pciDependencies(db: Db, pciRef: Ref): string[] {
  return db.get(pciRef, 'PCI').f.dependencies.map((d) => db.get(d, 'PCI').f.pci_id)
}

const pciHooks: Record<string, Hook> = {
  dependencies: { getSet: (rec) => pciDependencies(rec.db, rec.obj.ref) },
}
const pgpuHooks: Record<string, Hook> = {
  dependencies: { getSet: (rec) => pciDependencies(rec.db, obj(rec, 'PGPU').f.PCI) },
}

const gpuGroupHooks: Record<string, Hook> = {
  // GPU_group.get_enabled_VGPU_types / get_supported_VGPU_types (kept up to date from the group's PGPUs)
  'enabled-VGPU-types': { get: (rec) => semi(obj(rec, 'GPU_group').f.enabled_VGPU_types.map((r) => uuidOf(rec.db, r))) },
  'supported-VGPU-types': { get: (rec) => semi(obj(rec, 'GPU_group').f.supported_VGPU_types.map((r) => uuidOf(rec.db, r))) },
}

const vgpuTypeHooks: Record<string, Hook> = {
  'max-resolution': { get: (rec) => `${obj(rec, 'VGPU_type').f.max_resolution_x}x${obj(rec, 'VGPU_type').f.max_resolution_y}` },
}

const vgpuHooks: Record<string, Hook> = {
  // VGPU_type.get_model_name, <not in database> if the type cannot be read
  'type-model-name': { get: (rec) => related(rec.db, obj(rec, 'VGPU').f.type, 'VGPU_type')?.f.model_name ?? NID },
  // each key with the length of its value in bytes
  'compatibility-metadata': {
    get: (rec) => semi(obj(rec, 'VGPU').f.compatibility_metadata.map(([k, v]) => `${k}:(${Buffer.byteLength(v, 'utf8')} bytes)`)),
  },
}

/** The driver of a variant (Host_driver.get_record: HANDLE_INVALID if it is gone). */
const driverOf = (rec: Rec) => rec.db.get(obj(rec, 'Driver_variant').f.driver, 'Host_driver')
const variantHooks: Record<string, Hook> = {
  priority: { get: (rec) => cFixed(obj(rec, 'Driver_variant').f.priority, 1, 5) },
  active: { get: (rec) => bool(driverOf(rec).f.active_variant === rec.obj.ref) },
  selected: { get: (rec) => bool(driverOf(rec).f.selected_variant === rec.obj.ref) },
  'driver-name': { get: (rec) => driverOf(rec).f.name },
  'host-uuid': {
    get(rec) {
      try {
        return uuidOf(rec.db, driverOf(rec).f.host)
      } catch {
        return NID
      }
    },
  },
}

/** Host_driver.get_variants, highest priority first (a stable sort). */
function variantsOf(rec: Rec): Array<XObj<'Driver_variant'>> {
  return (rec.db.field(rec.obj, 'variants') as Ref[])
    .map((r) => rec.db.get(r, 'Driver_variant'))
    .map((v, i) => [v, i] as const)
    .sort((a, b) => b[0].f.priority - a[0].f.priority || a[1] - b[1])
    .map(([v]) => v)
}
const variantName = (rec: Rec, ref: Ref) => variantsOf(rec).find((v) => v.ref === ref)?.f.name ?? '<none>'
const hostDriverHooks: Record<string, Hook> = {
  'active-variant': { get: (rec) => variantName(rec, obj(rec, 'Host_driver').f.active_variant) },
  'selected-variant': { get: (rec) => variantName(rec, obj(rec, 'Host_driver').f.selected_variant) },
  variants: { get: (rec) => semi(variantsOf(rec).map((v) => `${v.f.name}/${v.f.version}`)) },
  'variants-dev-status': { get: (rec) => semi(variantsOf(rec).map((v) => `${v.f.name}=${v.f.status}`)) },
  'variants-uuid': { get: (rec) => semi(variantsOf(rec).map((v) => `${v.f.name}/${v.f.uuid}`)) },
  'variants-hw-present': { get: (rec) => semi(variantsOf(rec).filter((v) => v.f.hardware_present).map((v) => v.f.name)) },
}

const vtpmHooks: Record<string, Hook> = {
  // VTPM.get_contents (the value of its internal `contents` secret): its MD5 and its length in bytes
  secret: {
    get(rec) {
      const secretRef = (obj(rec, 'VTPM').f as { contents?: Ref }).contents ?? NULL_REF
      const value = rec.db.get(secretRef, 'secret').f.value
      return `MD5=${createHash('md5').update(value, 'utf8').digest('hex')} size=${Buffer.byteLength(value, 'utf8')} bytes`
    },
  },
}

const rateLimitHooks: Record<string, Hook> = {
  // the callers' references themselves (Ref.string_of), not their uuids
  callers: { getSet: (rec) => [...(rec.db.field(rec.obj, 'callers') as Ref[])] },
}

// ---------------------------------------------------------------------------------------------------------

function keyed(cls: string, hooks: Record<string, Hook>): Array<[string, Hook]> {
  return Object.entries(hooks).map(([k, h]) => [`${cls}.${k}`, h])
}

export const HOOKS: Record<string, Hook> = Object.fromEntries([
  ...keyed('pool', poolHooks),
  ...keyed('host', hostHooks),
  ...keyed('host_cpu', hostCpuHooks),
  ...keyed('pool_patch', patchHooks),
  ...keyed('pool_update', updateHooks),
  ...keyed('VM', vmHooks),
  ...keyed('SR', srHooks),
  ...keyed('PIF', pifHooks),
  ...keyed('VIF', vifHooks),
  ...keyed('VBD', vbdHooks),
  ...keyed('VDI', vdiHooks),
  ...keyed('network', networkHooks),
  ...keyed('network_sriov', sriovHooks),
  ...keyed('subject', subjectHooks),
  ...keyed('VMSS', vmssHooks),
  ...keyed('PCI', pciHooks),
  ...keyed('PGPU', pgpuHooks),
  ...keyed('GPU_group', gpuGroupHooks),
  ...keyed('VGPU_type', vgpuTypeHooks),
  ...keyed('VGPU', vgpuHooks),
  ...keyed('Driver_variant', variantHooks),
  ...keyed('Host_driver', hostDriverHooks),
  ...keyed('VTPM', vtpmHooks),
  ...keyed('Rate_limit', rateLimitHooks),
])

