#!/usr/bin/env node
// Transcribes the facts xesim needs from ../shared/reference (names, codes, messages, field lists)
// into compact tables under src/tables/. Run by hand when the reference changes; the output is
// committed so that a checkout builds without the reference beside it.
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const ref = process.argv[2] ?? path.resolve(root, '../shared/reference')
const out = path.join(root, 'src/tables')
const load = (f) => JSON.parse(fs.readFileSync(path.join(ref, f), 'utf8'))
const write = (f, v) => {
  fs.mkdirSync(path.dirname(path.join(out, f)), { recursive: true })
  fs.writeFileSync(path.join(out, f), JSON.stringify(v) + '\n')
}

// ---- datamodel: classes, fields, enums (+ fields added after the JSON snapshot, xapi-model.md §0)
const dm = load('xapi-datamodel.json')
const added = {
  VM: [['groups', 'VM_group ref set', 'RO/runtime', '{}'], ['secureboot_certificates_state', 'enum vm_secureboot_certificates_state', 'RO/runtime', 'ok']],
  VIF: [['trunks', 'int set', 'RO/constructor', '{}']],
  VM_metrics: [['numa_optimised', 'bool', 'RO/runtime', 'false'], ['numa_nodes', 'int', 'RO/runtime', '0'], ['numa_node_memory', '(int -> int) map', 'RO/runtime', '{}']],
  VM_guest_metrics: [['netbios_name', '(string -> string) map', 'RO/runtime', '{}'], ['services', '(string -> string) map', 'RO/runtime', '{}']],
  host: [['ssh_enabled', 'bool', 'RO/runtime', 'true'], ['ssh_enabled_timeout', 'int', 'RO/runtime', '0'], ['ssh_expiry', 'datetime', 'RO/runtime', '19700101T00:00:00Z'],
    ['console_idle_timeout', 'int', 'RO/runtime', '0'], ['ssh_auto_mode', 'bool', 'RO/runtime', 'false'], ['secure_boot', 'bool', 'RO/runtime', 'false'],
    ['max_cstate', 'string', 'RO/runtime', ''], ['ntp_mode', 'enum host_ntp_mode', 'RO/runtime', 'Factory'], ['ntp_custom_servers', 'string set', 'RO/runtime', '{}'],
    ['timezone', 'string', 'RO/runtime', 'UTC']],
  pool: [['ext_auth_cache_enabled', 'bool', 'RO/runtime', 'false'], ['ext_auth_cache_size', 'int', 'RO/runtime', '50'], ['ext_auth_cache_expiry', 'int', 'RO/runtime', '300'],
    ['recommendations', '(string -> string) map', 'RO/runtime', '{}'], ['license_server', '(string -> string) map', 'RO/runtime', '{}'],
    ['ha_reboot_vm_on_internal_shutdown', 'bool', 'RO/runtime', 'true'], ['limit_console_sessions', 'bool', 'RO/runtime', 'false'],
    ['vm_console_idle_timeout', 'int', 'RO/runtime', '0'], ['auto_update_vm_secureboot_certificates', 'bool', 'RO/runtime', 'false']],
  SM: [['supported_image_formats', 'string set', 'RO/runtime', '{}']],
  Cluster: [['cluster_stack_version', 'string', 'RO/constructor', ''], ['expected_hosts', 'int', 'RO/runtime', '0']],
  Certificate: [['fingerprint_sha256', 'string', 'RO/constructor', ''], ['fingerprint_sha1', 'string', 'RO/constructor', ''], ['purpose', 'string set', 'RO/runtime', '{}']],
  Repository: [['origin', 'enum origin', 'RO/constructor', 'remote'], ['certificate', 'string', 'RO/runtime', '']],
}
const newClasses = {
  VM_group: [['uuid', 'string', 'RO/runtime'], ['name_label', 'string', 'RW', ''], ['name_description', 'string', 'RW', ''],
    ['placement', 'enum placement_policy', 'RO/constructor', 'normal'], ['VMs', 'VM ref set', 'RO/runtime', '{}']],
  Host_driver: [['uuid', 'string', 'RO/runtime'], ['host', 'host ref', 'RO/constructor'], ['name', 'string', 'RO/constructor', ''], ['friendly_name', 'string', 'RO/constructor', ''],
    ['variants', 'Driver_variant ref set', 'RO/runtime', '{}'], ['active_variant', 'Driver_variant ref', 'RO/runtime'], ['selected_variant', 'Driver_variant ref', 'RO/runtime'],
    ['type', 'string', 'RO/constructor', ''], ['description', 'string', 'RO/constructor', ''], ['info', 'string', 'RO/constructor', '']],
  Driver_variant: [['uuid', 'string', 'RO/runtime'], ['name', 'string', 'RO/constructor', ''], ['driver', 'Host_driver ref', 'RO/constructor'], ['version', 'string', 'RO/constructor', ''],
    ['hardware_present', 'bool', 'RO/constructor', 'false'], ['priority', 'float', 'RO/constructor', '0'], ['status', 'string', 'RO/constructor', '']],
  Caller: [['uuid', 'string', 'RO/runtime'], ['name_label', 'string', 'RW', ''], ['name_description', 'string', 'RW', ''], ['user_agent', 'string', 'RO/constructor', ''],
    ['client_ip', 'string', 'RO/constructor', ''], ['last_access', 'datetime', 'RO/runtime', '19700101T00:00:00Z'], ['groups', 'string set', 'RO/runtime', '{}'], ['rate_limit', 'Rate_limit ref', 'RO/runtime']],
  Rate_limit: [['uuid', 'string', 'RO/runtime'], ['name_label', 'string', 'RW', ''], ['name_description', 'string', 'RW', ''], ['callers', 'Caller ref set', 'RO/runtime', '{}'],
    ['burst_size', 'float', 'RO/constructor', '0'], ['fill_rate', 'float', 'RO/constructor', '0']],
}
const addedEnums = {
  vm_secureboot_certificates_state: ['ok', 'update_available', 'update_applied', 'not_applicable'],
  host_ntp_mode: ['Factory', 'DHCP', 'Custom', 'Disabled'],
  placement_policy: ['normal', 'anti_affinity'],
  origin: ['remote', 'bundle', 'remote_pool'],
}
const schema = { classes: {}, enums: {} }
const conv = ([name, type, qualifier, dflt]) => (dflt === undefined ? { name, type, qualifier } : { name, type, qualifier, default: dflt })
for (const c of dm) {
  const fields = c.fields.map((f) => (f.default === undefined ? { name: f.name, type: f.type, qualifier: f.qualifier } : { name: f.name, type: f.type, qualifier: f.qualifier, default: f.default }))
  for (const a of added[c.name] ?? []) if (!fields.some((f) => f.name === a[0])) fields.push(conv(a))
  schema.classes[c.name] = fields
  for (const e of c.enums ?? []) schema.enums[e.name] = e.values
}
for (const [n, fs_] of Object.entries(newClasses)) schema.classes[n] = fs_.map(conv)
Object.assign(schema.enums, addedEnums)
write('schema.json', schema)

// ---- record classes (one file each, so `xe vm-list` loads only the vm table)
const recs = load('xe-records.json')
const prefixes = Object.keys(schema.classes).map((n) => [n[0].toLowerCase() + n.slice(1) + '_', n]).sort((a, b) => b[0].length - a[0].length)
function resolveApi(a) {
  for (const [p, n] of prefixes) {
    if (a.startsWith(p) && schema.classes[n].some((f) => f.name === a.slice(p.length))) return [n, a.slice(p.length)]
  }
  return null
}
const renderCode = (r) => r // kept verbatim: the CLI maps these strings to renderers
const recordIndex = {}
for (const c of recs) {
  if (c.class === null) continue
  const fields = c.fields.map((f) => {
    const o = { n: f.name, k: f.kind, a: f.annotation, r: f.render }
    if (f.rw) o.rw = 1
    if (f.hidden) o.h = 1
    if (f.expensive) o.x = 1
    if (f.deprecated) o.d = 1
    if (f.add) o.add = 1
    if (f.remove) o.rm = 1
    if (f.clear) o.c = f.clear
    if (f.set_parse) o.sp = f.set_parse
    if (f.param_set_key) o.psk = f.param_set_key
    if (f.settable_keys) o.sk = f.settable_keys
    if (f.special_values) o.sv = f.special_values
    if (f.case_insensitive_match) o.ci = 1
    const api = f.api_fields.map(resolveApi)
    if (api.length) o.api = api.map((x, i) => x ?? ['?', f.api_fields[i]])
    return o
  })
  const t = {
    class: c.class,
    filters: c.list_default_filters,
    defaults: c.list_default_fields,
    allByDefault: c.list_prints_all_fields_by_default,
    fields,
  }
  write(`records/${c.class}.json`, t)
  recordIndex[c.class] = fields.map((f) => f.n)
}
write('records/index.json', recordIndex)

// ---- commands
const cmds = load('xe-commands.json')
write('commands.json', cmds.map((c) => {
  const o = { name: c.name, reqd: c.reqd, optn: c.optn, flags: c.flags }
  if (c.selectors) o.selectors = c.selectors
  if (c.selector_calls) o.calls = c.selector_calls.map(({ helper, kind, include_control_domain, include_templates, multiple_allowed, ignore_params }) =>
    ({ helper, kind, dom0: include_control_domain, templates: include_templates, multiple: multiple_allowed, ignore: ignore_params }))
  if (c.generated) o.class = c.class
  if (c.pseudo) o.pseudo = true
  if (c.implementation.startsWith('With_fd')) o.fd = true
  return o
}))

// ---- errors: code -> [param names, description]
const errs = load('xapi-errors.json')
const em = {}
for (const e of errs) em[e.code] = e.description === undefined ? [e.params] : [e.params, e.description]
write('errors.json', em)
console.log(`tables written to ${path.relative(root, out)}: ${Object.keys(schema.classes).length} classes, ${recs.length} record classes, ${cmds.length} commands, ${errs.length} errors`)
