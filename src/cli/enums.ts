// Enum rendering and the value parsers that `<class>-param-set` (and a few commands) apply to user text.
//
// Sources (xen-api at the reference commit):
// - ocaml/xapi-cli-server/record_util.ml: the hand-written ("shadowing") *_to_string / *_of_string functions,
//   Record_util.bool_of_string and bytes_of_string.
// - ocaml/idl/ocaml_backend/ocaml_utils.ml (ocaml_to_string_of_enum / ocaml_of_string_of_enum) via gen_api.ml:
//   every other Record_util.<enum>_to_string prints the datamodel name unchanged, and every other
//   <enum>_of_string lower-cases (ASCII) its input, matches the lower-cased names and otherwise raises
//   Record_failure "Expected one of '<N1>', '<N2>', ..., got <lower-cased input>".
// - ocaml/xapi-cli-server/records.ml: safe_i64_of_string, safe_bool_of_string, string_of_float and which
//   setter uses which parser; cli_operations.ml: the p_set handler that turns Failure "int_of_string" /
//   Failure "float_of_string" / Invalid_argument "bool_of_string" into "Parameter <k> must be ...".
// - OCaml runtime: Int64.of_string (ints.c), float_of_string (floats.c), Scanf "%Ld %s" (scanf.ml).
//
// Values are the datamodel (wire) names the engine stores, e.g. `Halted`, `coredump_and_destroy`,
// `balance-slb`, `pv_in_pvh`.

import { CliFailure } from './failure'
import { XapiError } from '../engine/errors'

// ---------------------------------------------------------------------------------------------------------
// Datamodel enums at the reference commit (ocaml/idl/datamodel*.ml), in declaration order. The order matters:
// it is the order of the names in the generated "Expected one of ..." message.

export const DATAMODEL_ENUMS: Readonly<Record<string, readonly string[]>> = {
  task_status_type: ['pending', 'success', 'failure', 'cancelling', 'cancelled'],
  livepatch_status: ['ok_livepatch_complete', 'ok_livepatch_incomplete', 'ok'],
  update_after_apply_guidance: ['restartHVM', 'restartPV', 'restartHost', 'restartXAPI'],
  after_apply_guidance: ['restartHVM', 'restartPV', 'restartHost', 'restartXAPI'],
  network_operations: ['attaching'],
  network_default_locking_mode: ['unlocked', 'disabled'],
  network_purpose: ['nbd', 'insecure_nbd'],
  ip_configuration_mode: ['None', 'DHCP', 'Static'],
  ipv6_configuration_mode: ['None', 'DHCP', 'Static', 'Autoconf'],
  primary_address_type: ['IPv4', 'IPv6'],
  pif_igmp_status: ['enabled', 'disabled', 'unknown'],
  bond_mode: ['balance-slb', 'active-backup', 'lacp'],
  tunnel_protocol: ['gre', 'vxlan'],
  vif_ipv4_configuration_mode: ['None', 'Static', 'DHCP'],
  vif_ipv6_configuration_mode: ['None', 'Static', 'Autoconf'],
  vif_operations: ['attach', 'plug', 'unplug'],
  vif_locking_mode: ['network_default', 'locked', 'unlocked', 'disabled'],
  sr_health: ['healthy', 'recovering', 'unreachable', 'unavailable'],
  vdi_type: ['system', 'user', 'ephemeral', 'suspend', 'crashdump', 'ha_statefile', 'metadata', 'redo_log', 'rrd', 'pvs_cache', 'cbt_metadata'],
  vdi_operations: [
    'clone',
    'copy',
    'resize',
    'resize_online',
    'snapshot',
    'mirror',
    'destroy',
    'forget',
    'update',
    'force_unlock',
    'generate_config',
    'enable_cbt',
    'disable_cbt',
    'data_destroy',
    'list_changed_blocks',
    'set_on_boot',
    'blocked',
    'revert_to',
    'revert_from',
  ],
  storage_operations: [
    'scan',
    'destroy',
    'forget',
    'plug',
    'unplug',
    'update',
    'vdi_create',
    'vdi_introduce',
    'vdi_destroy',
    'vdi_resize',
    'vdi_clone',
    'vdi_snapshot',
    'vdi_mirror',
    'vdi_enable_cbt',
    'vdi_disable_cbt',
    'vdi_data_destroy',
    'vdi_list_changed_blocks',
    'vdi_set_on_boot',
    'vdi_blocked',
    'vdi_copy',
    'vdi_force_unlock',
    'vdi_forget',
    'vdi_generate_config',
    'vdi_resize_online',
    'vdi_update',
    'vdi_revert',
    'pbd_create',
    'pbd_destroy',
  ],
  host_allowed_operations: ['provision', 'evacuate', 'shutdown', 'reboot', 'power_on', 'vm_start', 'vm_resume', 'vm_migrate', 'apply_updates', 'enable'],
  pool_allowed_operations: [
    'ha_enable',
    'ha_disable',
    'cluster_create',
    'designate_new_master',
    'configure_repositories',
    'sync_updates',
    'sync_bundle',
    'get_updates',
    'apply_updates',
    'tls_verification_enable',
    'cert_refresh',
    'exchange_certificates_on_join',
    'exchange_ca_certificates_on_join',
    'copy_primary_host_certs',
    'eject',
    'exchange_crls_on_join',
  ],
  hello_return: ['ok', 'unknown_host', 'cannot_talk_back'],
  on_boot: ['reset', 'persist'],
  vbd_mode: ['RO', 'RW'],
  vbd_type: ['CD', 'Disk', 'Floppy'],
  vbd_operations: ['attach', 'eject', 'insert', 'plug', 'unplug', 'unplug_force', 'pause', 'unpause'],
  console_protocol: ['vt100', 'rfb', 'rdp'],
  tristate_type: ['yes', 'no', 'unspecified'],
  vmss_type: ['snapshot', 'checkpoint', 'snapshot_with_quiesce'],
  vmss_frequency: ['hourly', 'daily', 'weekly'],
  vm_appliance_operation: ['start', 'clean_shutdown', 'hard_shutdown', 'shutdown'],
  event_operation: ['add', 'del', 'mod'],
  cls: ['VM', 'Host', 'SR', 'Pool', 'VMPP', 'VMSS', 'PVS_proxy', 'VDI', 'Certificate'],
  sriov_configuration_mode: ['sysfs', 'modprobe', 'manual', 'unknown'],
  pci_dom0_access: ['enabled', 'disable_on_reboot', 'disabled', 'enable_on_reboot'],
  allocation_algorithm: ['breadth_first', 'depth_first'],
  vgpu_type_implementation: ['passthrough', 'nvidia', 'nvidia_sriov', 'gvt_g', 'mxgpu'],
  pvs_proxy_status: ['stopped', 'initialised', 'caching', 'incompatible_write_cache_mode', 'incompatible_protocol_version'],
  sdn_controller_protocol: ['ssl', 'pssl'],
  vusb_operations: ['attach', 'plug', 'unplug'],
  certificate_type: ['ca', 'host', 'host_internal', 'pinned'],
  certificate_purpose: ['licensing', 'ldaps'],
  cluster_operation: ['add', 'remove', 'enable', 'disable', 'destroy'],
  cluster_host_operation: ['enable', 'disable', 'destroy'],
  update_guidances: [
    'reboot_host',
    'reboot_host_on_livepatch_failure',
    'reboot_host_on_kernel_livepatch_failure',
    'reboot_host_on_xen_livepatch_failure',
    'restart_toolstack',
    'restart_device_model',
    'restart_vm',
  ],
  host_ntp_mode: ['DHCP', 'Custom', 'Factory', 'Disabled'],
  host_numa_affinity_policy: ['any', 'best_effort', 'default_policy'],
  latest_synced_updates_applied_state: ['yes', 'no', 'unknown'],
  host_display: ['enabled', 'disable_on_reboot', 'disabled', 'enable_on_reboot'],
  host_sched_gran: ['core', 'cpu', 'socket'],
  telemetry_frequency: ['daily', 'weekly', 'monthly'],
  update_sync_frequency: ['daily', 'weekly'],
  pool_guest_secureboot_readiness: ['ready', 'ready_no_dbx', 'not_ready'],
  origin: ['remote', 'bundle', 'remote_pool'],
  on_crash_behaviour: ['destroy', 'coredump_and_destroy', 'restart', 'coredump_and_restart', 'preserve', 'rename_restart'],
  on_softreboot_behavior: ['soft_reboot', 'destroy', 'restart', 'preserve'],
  on_normal_exit: ['destroy', 'restart'],
  vm_power_state: ['Halted', 'Paused', 'Running', 'Suspended'],
  domain_type: ['hvm', 'pv', 'pv_in_pvh', 'pvh', 'unspecified'],
  update_status: ['yes', 'no', 'unspecified'],
  vm_uefi_mode: ['setup', 'user'],
  vm_secureboot_certificates_state: ['ok', 'update_available', 'update_on_boot'],
  vm_secureboot_readiness: ['not_supported', 'disabled', 'first_boot', 'ready', 'ready_no_dbx', 'setup_mode', 'certs_incomplete'],
  placement_policy: ['anti_affinity', 'normal'],
  persistence_backend: ['xapi'],
  vtpm_operations: ['destroy'],
}

// ---------------------------------------------------------------------------------------------------------
// Small OCaml helpers.

/** String.lowercase_ascii: only A-Z change. */
export function lowercaseAscii(s: string): string {
  return s.replace(/[A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 32))
}

/** String.uncapitalize_ascii: the first character, if it is A-Z, becomes lower case. */
function uncapitalizeAscii(s: string): string {
  return s.length > 0 && s[0]! >= 'A' && s[0]! <= 'Z' ? lowercaseAscii(s[0]!) + s.slice(1) : s
}

/** The function name at the end of a spec such as `enum via Record_util.on_normal_exit_to_string`. */
function fnOfSpec(spec: string): string {
  const m = /([A-Za-z0-9_]+)\s*$/.exec(spec)
  if (!m) throw new Error(`enums: cannot read a function name from spec '${spec}'`)
  return m[1]!
}

// ---------------------------------------------------------------------------------------------------------
// Rendering: the hand-written to_string functions of record_util.ml, keyed by the stored (wire) name.

const ON_NORMAL_EXIT: Record<string, string> = { destroy: 'Destroy', restart: 'Restart' }
const ON_CRASH: Record<string, string> = {
  destroy: 'Destroy',
  coredump_and_destroy: 'Core dump and destroy',
  restart: 'Restart',
  coredump_and_restart: 'Core dump and restart',
  preserve: 'Preserve',
  rename_restart: 'Rename restart',
}
const ON_SOFTREBOOT: Record<string, string> = { destroy: 'Destroy', restart: 'Restart', preserve: 'Preserve', soft_reboot: 'Soft reboot' }
const VDI_TYPE: Record<string, string> = {
  system: 'System',
  user: 'User',
  ephemeral: 'Ephemeral',
  suspend: 'Suspend',
  crashdump: 'Crashdump',
  ha_statefile: 'HA statefile',
  metadata: 'Metadata',
  redo_log: 'Redo log',
  rrd: 'rrd',
  pvs_cache: 'PVS cache',
  cbt_metadata: 'CBT metadata',
}
const BOND_MODE: Record<string, string> = { 'balance-slb': 'balance-slb', 'active-backup': 'active-backup', lacp: 'lacp' }
const ALLOCATION_ALGORITHM: Record<string, string> = { depth_first: 'depth-first', breadth_first: 'breadth-first' }
const PVS_PROXY_STATUS: Record<string, string> = {
  stopped: 'stopped',
  initialised: 'initialised',
  caching: 'caching',
  incompatible_write_cache_mode: 'incompatible-write-cache-mode',
  incompatible_protocol_version: 'incompatible-protocol-version',
}
const TRISTATE: Record<string, string> = { yes: 'true', no: 'false', unspecified: 'unspecified' }
const DOMAIN_TYPE: Record<string, string> = { hvm: 'hvm', pv: 'pv', pv_in_pvh: 'pv-in-pvh', pvh: 'pvh', unspecified: 'unspecified' }
const PLACEMENT_POLICY: Record<string, string> = { normal: 'normal', anti_affinity: 'anti-affinity' }
const CONSOLE_PROTOCOL: Record<string, string> = { vt100: 'VT100', rfb: 'RFB', rdp: 'RDP' }
const VBD_MODE_LOWER: Record<string, string> = { RO: 'ro', RW: 'rw' }
const TASK_ALLOWED_OPERATIONS: Record<string, string> = { cancel: 'Cancel', destroy: 'Destroy' }
const HOST_OPERATION: Record<string, string> = {
  provision: 'provision',
  evacuate: 'evacuate',
  shutdown: 'shutdown',
  reboot: 'reboot',
  power_on: 'power_on',
  vm_start: 'VM.start',
  vm_resume: 'VM.resume',
  vm_migrate: 'VM.migrate',
  apply_updates: 'apply_updates',
  enable: 'enable',
}
const SR_OPERATION: Record<string, string> = {
  scan: 'scan',
  destroy: 'destroy',
  forget: 'forget',
  plug: 'plug',
  unplug: 'unplug',
  update: 'update',
  vdi_create: 'VDI.create',
  vdi_introduce: 'VDI.introduce',
  vdi_destroy: 'VDI.destroy',
  vdi_resize: 'VDI.resize',
  vdi_clone: 'VDI.clone',
  vdi_snapshot: 'VDI.snapshot',
  vdi_mirror: 'VDI.mirror',
  vdi_enable_cbt: 'VDI.enable_cbt',
  vdi_disable_cbt: 'VDI.disable_cbt',
  vdi_set_on_boot: 'VDI.set_on_boot',
  vdi_data_destroy: 'VDI.data_destroy',
  vdi_list_changed_blocks: 'VDI.list_changed_blocks',
  vdi_blocked: 'VDI.blocked',
  vdi_copy: 'VDI.copy',
  vdi_force_unlock: 'VDI.force_unlock',
  vdi_forget: 'VDI.forget',
  vdi_generate_config: 'VDI.generate_config',
  vdi_resize_online: 'VDI.resize_online',
  vdi_update: 'VDI.update',
  vdi_revert: 'VDI.revert',
  pbd_create: 'PBD.create',
  pbd_destroy: 'PBD.destroy',
}
/** record_util.ml vm_operation_table: (wire name of the operation, text xe uses). */
export const VM_OPERATION_TABLE: ReadonlyArray<readonly [string, string]> = [
  ['assert_operation_valid', 'assertoperationvalid'],
  ['changing_dynamic_range', 'changing_dynamic_range'],
  ['changing_static_range', 'changing_static_range'],
  ['changing_shadow_memory', 'changing_shadow_memory'],
  ['clean_reboot', 'clean_reboot'],
  ['clean_shutdown', 'clean_shutdown'],
  ['clone', 'clone'],
  ['snapshot', 'snapshot'],
  ['checkpoint', 'checkpoint'],
  ['snapshot_with_quiesce', 'snapshot_with_quiesce'],
  ['copy', 'copy'],
  ['revert', 'revert'],
  ['reverting', 'reverting'],
  ['provision', 'provision'],
  ['destroy', 'destroy'],
  ['export', 'export'],
  ['metadata_export', 'metadata_export'],
  ['import', 'import'],
  ['get_boot_record', 'get_boot_record'],
  ['data_source_op', 'data_sources_op'],
  ['hard_reboot', 'hard_reboot'],
  ['hard_shutdown', 'hard_shutdown'],
  ['migrate_send', 'migrate_send'],
  ['pause', 'pause'],
  ['resume', 'resume'],
  ['resume_on', 'resume_on'],
  ['changing_VCPUs_live', 'changing_VCPUs_live'],
  ['changing_NVRAM', 'changing_NVRAM'],
  ['start', 'start'],
  ['start_on', 'start_on'],
  ['shutdown', 'shutdown'],
  ['suspend', 'suspend'],
  ['unpause', 'unpause'],
  ['update_allowed_operations', 'update_allowed_operations'],
  ['make_into_template', 'make_into_template'],
  ['send_sysrq', 'send_sysrq'],
  ['send_trigger', 'send_trigger'],
  ['changing_memory_live', 'changing_memory_live'],
  ['awaiting_memory_live', 'awaiting_memory_live'],
  ['changing_shadow_memory_live', 'changing_shadow_memory_live'],
  ['pool_migrate', 'pool_migrate'],
  ['power_state_reset', 'power_state_reset'],
  ['csvm', 'csvm'],
  ['call_plugin', 'call_plugin'],
  ['create_vtpm', 'create_vtpm'],
  ['sysprep', 'sysprep'],
]

/** The hand-written renderers. Any other Record_util.<enum>_to_string prints the stored name unchanged. */
const SHADOWED_RENDER: Record<string, (v: string) => string> = {
  on_normal_exit_to_string: table('on_normal_exit_to_string', ON_NORMAL_EXIT),
  on_crash_behaviour_to_string: table('on_crash_behaviour_to_string', ON_CRASH),
  on_softreboot_behaviour_to_string: table('on_softreboot_behaviour_to_string', ON_SOFTREBOOT),
  vdi_type_to_string: table('vdi_type_to_string', VDI_TYPE),
  bond_mode_to_string: table('bond_mode_to_string', BOND_MODE),
  allocation_algorithm_to_string: table('allocation_algorithm_to_string', ALLOCATION_ALGORITHM),
  pvs_proxy_status_to_string: table('pvs_proxy_status_to_string', PVS_PROXY_STATUS),
  tristate_to_string: table('tristate_to_string', TRISTATE),
  domain_type_to_string: table('domain_type_to_string', DOMAIN_TYPE),
  vm_placement_policy_to_string: table('vm_placement_policy_to_string', PLACEMENT_POLICY),
  protocol_to_string: table('protocol_to_string', CONSOLE_PROTOCOL),
  vbd_mode_to_string: table('vbd_mode_to_string', VBD_MODE_LOWER),
  task_allowed_operations_to_string: table('task_allowed_operations_to_string', TASK_ALLOWED_OPERATIONS),
  host_operation_to_string: table('host_operation_to_string', HOST_OPERATION),
  sr_operation_to_string: table('sr_operation_to_string', SR_OPERATION),
  // String.uncapitalize_ascii of the generated (identity) vm_power_state_to_string.
  vm_power_state_to_lowercase_string: uncapitalizeAscii,
  // Operations missing from the table print "(unknown operation)".
  vm_operation_to_string: (v) => VM_OPERATION_TABLE.find(([op]) => op === v)?.[1] ?? '(unknown operation)',
  // = host_display_to_string, which is generated: identity.
  pci_dom0_access_to_string: (v) => v,
}

function table(fn: string, t: Record<string, string>): (v: string) => string {
  return (v) => {
    if (!Object.prototype.hasOwnProperty.call(t, v)) throw new Error(`enums: ${fn} has no case for '${v}'`)
    return t[v]!
  }
}

/** Generated to_string functions exist for every datamodel enum: `<enum>_to_string` (enum name uncapitalised). */
function isGeneratedToString(fn: string): boolean {
  const m = /^(.+)_to_string$/.exec(fn)
  return !!m && Object.prototype.hasOwnProperty.call(DATAMODEL_ENUMS, m[1]!)
}

/** The text xe prints for a stored enum value, per the field's render spec (the exact Record_util function). */
export function renderEnum(renderSpec: string, value: string): string {
  const fn = fnOfSpec(renderSpec)
  const shadow = SHADOWED_RENDER[fn]
  if (shadow) return shadow(value)
  // Generated (ocaml_utils.ml ocaml_to_string_of_enum): the datamodel name itself. The rpc-based
  // cluster(_host)_operation_to_string of record_util.ml print the wire name too.
  if (isGeneratedToString(fn) || fn === 'cluster_operation_to_string' || fn === 'cluster_host_operation_to_string') return value
  throw new Error(`enums: unsupported render spec '${renderSpec}'`)
}

// ---------------------------------------------------------------------------------------------------------
// Parsing enums.

function recordFailure(msg: string): CliFailure {
  return new CliFailure(msg)
}

/** The generated `<enum>_of_string` (ocaml_utils.ml ocaml_of_string_of_enum). */
function generatedOfString(enumName: string, text: string): string {
  const names = DATAMODEL_ENUMS[enumName]!
  const s = lowercaseAscii(text)
  for (const n of names) if (lowercaseAscii(n) === s) return n
  throw recordFailure(`Expected one of ${names.map((n) => `'${n}'`).join(', ')}, got ${s}`)
}

/** The hand-written parsers of record_util.ml. */
const SHADOWED_PARSE: Record<string, (text: string) => string> = {
  allocation_algorithm_of_string: (text) => {
    const s = lowercaseAscii(text)
    if (s === 'depth-first') return 'depth_first'
    if (s === 'breadth-first') return 'breadth_first'
    throw recordFailure(`Invalid allocation algorithm. Got ${s}`)
  },
  domain_type_of_string: (text) => {
    const s = lowercaseAscii(text)
    const m: Record<string, string> = { hvm: 'hvm', pv: 'pv', 'pv-in-pvh': 'pv_in_pvh', pvh: 'pvh' }
    if (Object.prototype.hasOwnProperty.call(m, s)) return m[s]!
    throw recordFailure(`Invalid domain type. Got ${s}`)
  },
  bond_mode_of_string: (text) => {
    const s = lowercaseAscii(text)
    if (s === 'balance-slb' || s === '') return 'balance-slb'
    if (s === 'active-backup') return 'active-backup'
    if (s === 'lacp') return 'lacp'
    throw recordFailure(`Invalid bond mode. Got ${s}`)
  },
  vm_placement_policy_of_string: (text) => {
    const s = lowercaseAscii(text)
    if (s === 'normal') return 'normal'
    if (s === 'anti-affinity') return 'anti_affinity'
    throw recordFailure(`Invalid VM placement policy, got ${s}`)
  },
  // Not an <enum>_of_string: the message shows the text as typed.
  string_to_vdi_onboot: (text) => {
    const s = lowercaseAscii(text)
    if (s === 'persist') return 'persist'
    if (s === 'reset') return 'reset'
    throw recordFailure(`Expected 'persist' or 'reset', got ${text}`)
  },
  // Raises an API error, not a Record_failure.
  string_to_vm_operation: (text) => {
    const hit = VM_OPERATION_TABLE.find(([, s]) => s === text)
    if (!hit) throw new XapiError('INVALID_VALUE', ['blocked_operation', text])
    return hit[0]
  },
}

/**
 * Parses user text for a settable enum field per its set-parse spec; returns the stored (wire) name, or throws
 * CliFailure (real xe: Record_failure, printed `Error: <message>`, exit 1). `string_to_vm_operation` throws
 * XapiError INVALID_VALUE instead, as xapi does.
 */
export function parseEnum(parseSpec: string, text: string): string {
  const fn = fnOfSpec(parseSpec)
  const shadow = SHADOWED_PARSE[fn]
  if (shadow) return shadow(text)
  const m = /^(.+)_of_string$/.exec(fn)
  if (m && Object.prototype.hasOwnProperty.call(DATAMODEL_ENUMS, m[1]!)) return generatedOfString(m[1]!, text)
  throw new Error(`enums: unsupported parse spec '${parseSpec}'`)
}

// ---------------------------------------------------------------------------------------------------------
// Booleans.

/**
 * cli_operations.ml bool_of_string (get_bool_param): Record_util.bool_of_string, case-insensitive
 * (ASCII), wrapped so the message names the parameter.
 */
export function parseBoolLoose(param: string, text: string): boolean {
  const s = lowercaseAscii(text)
  if (s === 'true' || s === 't' || s === 'yes' || s === 'y' || s === '1') return true
  if (s === 'false' || s === 'f' || s === 'no' || s === 'n' || s === '0') return false
  throw recordFailure(`Failed to parse parameter '${param}': Expected 'true','t','yes','y','1','false','f','no','n','0' got ${text}`)
}

/** Stdlib.bool_of_string: exactly "true" or "false"; undefined otherwise (OCaml raises Invalid_argument). */
export function ocamlBoolOfString(text: string): boolean | undefined {
  return text === 'true' ? true : text === 'false' ? false : undefined
}

/**
 * records.ml safe_bool_of_string (set-parse spec `bool (OCaml bool_of_string: exactly "true"/"false")`):
 * strict, Record_failure naming the field string hard-coded in records.ml (which is the field name).
 */
export function parseBoolStrict(param: string, text: string): boolean {
  const b = ocamlBoolOfString(text)
  if (b === undefined) throw recordFailure(`Failed to parse parameter '${param}': expecting a boolean (true or false)`)
  return b
}

/**
 * A setter calling Stdlib.bool_of_string directly (set-parse spec `bool`): the Invalid_argument reaches
 * p_set, which reports `Parameter <k> must be a boolean (true or false)`, k being the param-set key.
 */
export function parseBoolRaw(key: string, text: string): boolean {
  const b = ocamlBoolOfString(text)
  if (b === undefined) throw new CliFailure(`Parameter ${key} must be a boolean (true or false)`)
  return b
}

// ---------------------------------------------------------------------------------------------------------
// Integers.

const U64_MAX = (1n << 64n) - 1n
const I64_LIMIT = 1n << 63n

function digitValue(c: string | undefined): number {
  if (c === undefined) return -1
  if (c >= '0' && c <= '9') return c.charCodeAt(0) - 48
  if (c >= 'A' && c <= 'F') return c.charCodeAt(0) - 55
  if (c >= 'a' && c <= 'f') return c.charCodeAt(0) - 87
  return -1
}

/**
 * OCaml's Int64.of_string (runtime ints.c): optional '-' or '+'; optional 0x/0X (hex), 0o/0O (octal),
 * 0b/0B (binary) or 0u/0U (decimal) prefix, which make the literal unsigned (0..2^64-1, wrapped into
 * int64); '_' allowed after the first digit; no spaces; the whole string must be a number; signed decimal
 * must fit -2^63..2^63-1. Returns undefined where OCaml raises Failure "Int64.of_string".
 */
export function ocamlInt64OfString(text: string): bigint | undefined {
  let i = 0
  let neg = false
  if (text[i] === '-') {
    neg = true
    i++
  } else if (text[i] === '+') i++
  let base = 10
  let signed = true
  if (text[i] === '0') {
    const prefix = (text[i + 1] ?? '').toLowerCase()
    const prefixBase: Record<string, number> = { x: 16, o: 8, b: 2, u: 10 }
    if (Object.prototype.hasOwnProperty.call(prefixBase, prefix)) {
      base = prefixBase[prefix]!
      signed = false
      i += 2
    }
  }
  let d = digitValue(text[i])
  if (d < 0 || d >= base) return undefined
  let res = BigInt(d)
  const b = BigInt(base)
  for (i++; i < text.length; i++) {
    const c = text[i]
    if (c === '_') continue
    d = digitValue(c)
    if (d < 0 || d >= base) break
    res = res * b + BigInt(d)
    if (res > U64_MAX) return undefined
  }
  if (i !== text.length) return undefined
  if (signed) {
    if (!neg && res >= I64_LIMIT) return undefined
    if (neg && res > I64_LIMIT) return undefined
  }
  return BigInt.asIntN(64, neg ? -res : res)
}

/**
 * records.ml safe_i64_of_string (most `int64` setters): Record_failure
 * `Failed to parse parameter '<field>': expecting an integer`, <field> being the string records.ml passes
 * (the field name, except VIF trunks which passes "value").
 */
export function parseInt64Big(param: string, text: string): bigint {
  const v = ocamlInt64OfString(text)
  if (v === undefined) throw recordFailure(`Failed to parse parameter '${param}': expecting an integer`)
  return v
}
export function parseInt64(param: string, text: string): number {
  return Number(parseInt64Big(param, text))
}

/**
 * A setter calling Int64.of_string directly (network MTU, pool ha-host-failures-to-tolerate,
 * ext-auth-cache-size, ext-auth-cache-expiry). OCaml raises Failure "Int64.of_string", which p_set does not
 * catch (it only converts Failure "int_of_string"), so xapi_cli.ml's exception_handler reports it as
 * INTERNAL_ERROR with message `Failure: Int64.of_string`.
 */
export function parseInt64RawBig(_key: string, text: string): bigint {
  const v = ocamlInt64OfString(text)
  if (v === undefined) throw new XapiError('INTERNAL_ERROR', ['Failure: Int64.of_string'])
  return v
}
export function parseInt64Raw(key: string, text: string): number {
  return Number(parseInt64RawBig(key, text))
}

// ---------------------------------------------------------------------------------------------------------
// Floats.

const C_SPACE = '[ \\t\\n\\v\\f\\r]*'
const RE_DEC = new RegExp(`^${C_SPACE}([+-]?(?:[0-9]+\\.?[0-9]*|\\.[0-9]+)(?:[eE][+-]?[0-9]+)?)$`)
const RE_INF = new RegExp(`^${C_SPACE}([+-]?)(?:inf|infinity)$`, 'i')
const RE_NAN = new RegExp(`^${C_SPACE}([+-]?)nan(?:\\([0-9A-Za-z_]*\\))?$`, 'i')
const RE_STRTOD_HEX = new RegExp(`^${C_SPACE}([+-]?)0[xX]([0-9a-fA-F]*(?:\\.[0-9a-fA-F]*)?)(?:[pP]([+-]?[0-9]+))?$`)
const RE_OCAML_HEX = /^([+-]?)0[xX]([0-9a-fA-F]*(?:\.[0-9a-fA-F]*)?)(?:[pP][ \t\n\v\f\r]*([+-]?[0-9]+))?$/

/** x * 2^n, in steps that stay exact while the result is a normal double. */
function ldexp(x: number, n: number): number {
  for (; n > 1000; n -= 1000) x *= Math.pow(2, 1000)
  for (; n < -1000; n += 1000) x *= Math.pow(2, -1000)
  return x * Math.pow(2, n)
}

/** mant (hex digits with at most one '.') * 2^exp, rounded to the nearest double. */
function hexFloat(neg: boolean, mant: string, exp: string | undefined): number | undefined {
  const dot = mant.indexOf('.')
  const digits = mant.replace('.', '')
  if (digits.length === 0) return undefined
  const frac = dot < 0 ? 0 : mant.length - dot - 1
  const e = (exp === undefined ? 0 : Number(exp)) - 4 * frac
  const m = BigInt('0x' + digits)
  let v: number
  if (m === 0n) v = 0
  else {
    const bits = m.toString(2).length
    if (bits + e > 1100) v = Infinity
    else if (bits + e < -1200) v = 0
    else if (e >= 0) v = Number(m << BigInt(e))
    else {
      // Keep 64 significant bits plus a sticky bit, let Number() round once, then scale exactly.
      const drop = Math.max(0, bits - 64)
      let q = m >> BigInt(drop)
      if (q << BigInt(drop) !== m) q |= 1n
      v = ldexp(Number(q), e + drop)
    }
  }
  return neg ? -v : v
}

/**
 * OCaml's float_of_string (runtime floats.c): every '_' is dropped first; [+-]0x... is read by OCaml's own
 * hexadecimal parser; anything else by C strtod in the C locale (leading white space allowed, trailing
 * not; decimal with optional exponent, inf/infinity, nan/nan(...), hexadecimal). Returns undefined where
 * OCaml raises Failure "float_of_string".
 */
export function ocamlFloatOfString(text: string): number | undefined {
  const s = text.replace(/_/g, '')
  if (s.length === 0) return undefined
  const h = RE_OCAML_HEX.exec(s)
  if (h) return hexFloat(h[1] === '-', h[2]!, h[3])
  if (/^[+-]?0[xX]/.test(s)) return undefined
  let m = RE_DEC.exec(s)
  if (m) return Number(m[1]!.startsWith('+') ? m[1]!.slice(1) : m[1]!)
  m = RE_INF.exec(s)
  if (m) return m[1] === '-' ? -Infinity : Infinity
  m = RE_NAN.exec(s)
  if (m) return NaN
  m = RE_STRTOD_HEX.exec(s)
  if (m) return hexFloat(m[1] === '-', m[2]!, m[3])
  return undefined
}

/**
 * Every float setter (VM HVM-shadow-multiplier, rate-limit burst-size / fill-rate) calls float_of_string
 * directly; p_set turns its Failure "float_of_string" into `Parameter <k> must be a floating-point number`.
 */
export function parseFloatParam(param: string, text: string): number {
  const v = ocamlFloatOfString(text)
  if (v === undefined) throw new CliFailure(`Parameter ${param} must be a floating-point number`)
  return v
}

// ---------------------------------------------------------------------------------------------------------
// Byte sizes.

const SCANF_SPACE = new Set([' ', '\t', '\n', '\r'])
const BYTE_SUFFIX: Record<string, bigint> = {
  bytes: 1n,
  b: 1n,
  '': 1n,
  kib: 1n << 10n,
  kb: 1n << 10n,
  k: 1n << 10n,
  mib: 1n << 20n,
  mb: 1n << 20n,
  m: 1n << 20n,
  gib: 1n << 30n,
  gb: 1n << 30n,
  g: 1n << 30n,
  tib: 1n << 40n,
  tb: 1n << 40n,
  t: 1n << 40n,
}

/**
 * The inner Record_util.bytes_of_string: Scanf.sscanf str "%Ld %s". The number is an optional sign then
 * decimal digits ('_' ignored after the first digit), with no leading space; then any run of
 * space/tab/newline/CR; then the suffix is the next run of other characters; whatever follows is ignored.
 * Negative sizes are rejected; the multiplication wraps like Int64.mul. Undefined on any failure.
 */
export function bytesOfString(text: string): bigint | undefined {
  let i = 0
  let tok = ''
  if (text[i] === '+' || text[i] === '-') tok += text[i++]
  const c0 = text[i]
  if (c0 === undefined || c0 < '0' || c0 > '9') return undefined
  for (; i < text.length; i++) {
    const c = text[i]!
    if (c >= '0' && c <= '9') tok += c
    else if (c !== '_') break
  }
  const size = ocamlInt64OfString(tok.startsWith('+') ? tok.slice(1) : tok)
  if (size === undefined) return undefined
  while (i < text.length && SCANF_SPACE.has(text[i]!)) i++
  let suffix = ''
  while (i < text.length && !SCANF_SPACE.has(text[i]!)) suffix += text[i++]
  if (size < 0n) return undefined
  const key = lowercaseAscii(suffix)
  if (!Object.prototype.hasOwnProperty.call(BYTE_SUFFIX, key)) return undefined
  return BigInt.asIntN(64, size * BYTE_SUFFIX[key]!)
}

/**
 * Record_util.bytes_of_string field x: Record_failure
 * `Failed to parse field '<field>': expecting an integer (possibly with suffix KiB, MiB, GiB, TiB), got '<x>'`.
 */
export function parseBytesBig(param: string, text: string): bigint {
  const v = bytesOfString(text)
  if (v === undefined) {
    throw recordFailure(`Failed to parse field '${param}': expecting an integer (possibly with suffix KiB, MiB, GiB, TiB), got '${text}'`)
  }
  return v
}
export function parseBytes(param: string, text: string): number {
  return Number(parseBytesBig(param, text))
}

// ---------------------------------------------------------------------------------------------------------
// Floats as xe prints them.

/**
 * Records.string_of_float: Printf.sprintf "%.3f" (glibc printf): exact decimal expansion of the double,
 * ties to even; "-0.000" for negative zero and for small negatives; "inf", "-inf"; "nan" or "-nan"
 * according to the sign bit.
 */
export function xeFloat(v: number): string {
  const dv = new DataView(new ArrayBuffer(8))
  dv.setFloat64(0, v)
  const negBit = (dv.getUint8(0) & 0x80) !== 0
  const sign = negBit ? '-' : ''
  if (Number.isNaN(v)) return sign + 'nan'
  if (!Number.isFinite(v)) return sign + 'inf'
  // v = mant * 2^exp exactly.
  const hi = dv.getUint32(0) & 0x7fffffff
  const lo = dv.getUint32(4)
  const bexp = hi >>> 20
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo)
  let exp: number
  if (bexp === 0) exp = -1074
  else {
    mant |= 1n << 52n
    exp = bexp - 1075
  }
  let q: bigint
  if (exp >= 0) q = (mant << BigInt(exp)) * 1000n
  else {
    const num = mant * 1000n
    const den = 1n << BigInt(-exp)
    q = num / den
    const r2 = (num % den) * 2n
    if (r2 > den || (r2 === den && (q & 1n) === 1n)) q += 1n
  }
  const digits = q.toString().padStart(4, '0')
  return `${sign}${digits.slice(0, -3)}.${digits.slice(-3)}`
}

// ---------------------------------------------------------------------------------------------------------
// Which parser a settable scalar field uses (records.ml), keyed by CLI field name. Field names are enough:
// no settable field name uses different parsers in different classes.

/** Setters that call Stdlib.bool_of_string directly (spec `bool`). */
export const RAW_BOOL_FIELDS: ReadonlySet<string> = new Set([
  'ha-allow-overcommit',
  'ha-reboot-vm-on-internal-shutdown',
  'wlb-enabled',
  'wlb-verify-cert',
  'igmp-snooping-enabled',
  'https-only',
  'migration-compression',
  'coordinator-bias',
  'auto-update-vm-secureboot-certificates',
  'ext-auth-cache-enabled',
  'ha-always-run',
  'allow-caching',
])
/** Setters that call Int64.of_string directly (spec `int64`, but not safe_i64_of_string). */
export const RAW_INT64_FIELDS: ReadonlySet<string> = new Set(['MTU', 'ha-host-failures-to-tolerate', 'ext-auth-cache-size', 'ext-auth-cache-expiry'])

export type SetValue = string | number | boolean | number[]

/**
 * The value a `<class>-param-set` setter computes from `text` for field `field` with set-parse spec `sp`
 * (from src/tables/records/*.json), throwing exactly what xe reports. `uuid of X` specs are not handled
 * here (they need the database).
 */
export function parseForSet(field: string, sp: string, text: string): SetValue {
  if (sp.startsWith('enum via ')) return parseEnum(sp, text)
  if (sp === 'int64') {
    if (RAW_INT64_FIELDS.has(field)) return parseInt64Raw(field, text)
    // VIF trunks: List.map (safe_i64_of_string "value") (get_words ',' value)
    if (field === 'trunks') return text === '' ? [] : text.split(',').map((w) => parseInt64('value', w))
    return parseInt64(field, text)
  }
  if (sp === 'float') return parseFloatParam(field, text)
  if (sp === 'bool') return RAW_BOOL_FIELDS.has(field) ? parseBoolRaw(field, text) : parseBoolStrict(field, text)
  if (sp.startsWith('bool (')) return parseBoolStrict(field, text)
  if (sp.startsWith('bytes')) return parseBytes(field, text)
  throw new Error(`enums: parseForSet does not handle set-parse spec '${sp}'`)
}
