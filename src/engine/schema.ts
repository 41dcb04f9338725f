// The datamodel: which fields each class has, their types and defaults (src/tables/schema.json).
import { table } from './tables'
import { EPOCH, NULL_REF } from './values'
import type { ClassName } from './model.generated'

export interface FieldDef {
  name: string
  type: string
  qualifier: 'RW' | 'RO/constructor' | 'RO/runtime'
  default?: string
}
interface Schema {
  classes: Record<string, FieldDef[]>
  enums: Record<string, string[]>
}
// The build splits schema.json into one file per class (schema/<class>.json), the class list and the enums, so
// that a command parses only the classes it touches (issue 6).
let classes: Set<string> | undefined
/** The datamodel's class names, in schema order. */
export function classNames(): string[] {
  return table<string[]>('schema/classes.json')
}
export function fieldsOf(cls: ClassName): FieldDef[] {
  if (!hasClass(cls)) throw new Error(`unknown class ${cls}`)
  return table<FieldDef[]>(`schema/${cls}.json`)
}
export function hasClass(cls: string): cls is ClassName {
  classes ??= new Set(classNames())
  return classes.has(cls)
}
export function enumValues(name: string): string[] | undefined {
  const enums = table<Schema['enums']>('schema/enums.json')
  return Object.prototype.hasOwnProperty.call(enums, name) ? enums[name] : undefined
}

/**
 * Reverse links: fields the datamodel shows as sets but that xapi computes from the forward field of
 * another class (xapi-model.md §2). They are never stored.
 */
export const REVERSE: Record<string, [ClassName, string]> = {
  'VM.consoles': ['console', 'VM'], 'VM.VIFs': ['VIF', 'VM'], 'VM.VBDs': ['VBD', 'VM'], 'VM.VUSBs': ['VUSB', 'VM'],
  'VM.crash_dumps': ['crashdump', 'VM'], 'VM.VTPMs': ['VTPM', 'VM'], 'VM.snapshots': ['VM', 'snapshot_of'],
  'VM.children': ['VM', 'parent'], 'VM.VGPUs': ['VGPU', 'VM'],
  'VMPP.VMs': ['VM', 'protection_policy'], 'VMSS.VMs': ['VM', 'snapshot_schedule'], 'VM_appliance.VMs': ['VM', 'appliance'],
  'VM_group.VMs': ['VM', 'groups'],
  'host.resident_VMs': ['VM', 'resident_on'], 'host.PIFs': ['PIF', 'host'], 'host.crashdumps': ['host_crashdump', 'host'],
  'host.patches': ['host_patch', 'host'], 'host.PBDs': ['PBD', 'host'], 'host.host_CPUs': ['host_cpu', 'host'],
  'host.PCIs': ['PCI', 'host'], 'host.PGPUs': ['PGPU', 'host'], 'host.PUSBs': ['PUSB', 'host'], 'host.features': ['Feature', 'host'],
  'host.certificates': ['Certificate', 'host'],
  'network.VIFs': ['VIF', 'network'], 'network.PIFs': ['PIF', 'network'],
  'PIF.bond_master_of': ['Bond', 'master'], 'PIF.VLAN_slave_of': ['VLAN', 'tagged_PIF'],
  'PIF.tunnel_access_PIF_of': ['tunnel', 'access_PIF'], 'PIF.tunnel_transport_PIF_of': ['tunnel', 'transport_PIF'],
  'PIF.sriov_physical_PIF_of': ['network_sriov', 'physical_PIF'], 'PIF.sriov_logical_PIF_of': ['network_sriov', 'logical_PIF'],
  'Bond.slaves': ['PIF', 'bond_slave_of'], 'SR.VDIs': ['VDI', 'SR'], 'SR.PBDs': ['PBD', 'SR'], 'VDI.VBDs': ['VBD', 'VDI'],
  'VDI.crash_dumps': ['crashdump', 'VDI'], 'VDI.snapshots': ['VDI', 'snapshot_of'], 'task.subtasks': ['task', 'subtask_of'],
  'pool_patch.host_patches': ['host_patch', 'pool_patch'], 'GPU_group.PGPUs': ['PGPU', 'GPU_group'], 'GPU_group.VGPUs': ['VGPU', 'GPU_group'],
  'PGPU.resident_VGPUs': ['VGPU', 'resident_on'], 'VGPU_type.VGPUs': ['VGPU', 'type'],
  'PVS_site.cache_storage': ['PVS_cache_storage', 'site'], 'PVS_site.servers': ['PVS_server', 'site'], 'PVS_site.proxies': ['PVS_proxy', 'site'],
  'USB_group.PUSBs': ['PUSB', 'USB_group'], 'USB_group.VUSBs': ['VUSB', 'USB_group'], 'Cluster.cluster_hosts': ['Cluster_host', 'cluster'],
  'Host_driver.variants': ['Driver_variant', 'driver'], 'Rate_limit.callers': ['Caller', 'rate_limit'],
}

/** Reads a datamodel default as the JSON dump writes it: `""`-quoted strings, `{}` sets and maps. */
function parseDefaultString(d: string): string {
  return d.length >= 2 && d.startsWith('"') && d.endsWith('"') ? d.slice(1, -1) : d
}
function parseDefaultMap(d: string): Array<[string, string]> {
  const out: Array<[string, string]> = []
  for (const m of d.matchAll(/"((?:[^"\\]|\\.)*)" -> "((?:[^"\\]|\\.)*)"/g)) out.push([m[1]!, m[2]!])
  return out
}
function parseDefaultSet(d: string): string[] {
  const inner = d.replace(/^\{|\}$/g, '').trim()
  return inner === '' ? [] : inner.split(/,\s*/).map(parseDefaultString)
}

/** The value a field takes when its creator does not give one (xapi-model.md §19). */
export function defaultValue(f: FieldDef): unknown {
  const t = f.type
  const d = f.default
  if (/ map$/.test(t)) return d ? parseDefaultMap(d) : []
  if (/ set$/.test(t)) {
    const v = d ? parseDefaultSet(d) : []
    return /^(int|float) set$/.test(t) ? v.map(Number) : v
  }
  if (/ ref$/.test(t)) return d && d.startsWith('OpaqueRef:') ? d : NULL_REF
  if (t === 'int' || t === 'float') return d !== undefined ? Number(d) : 0
  if (t === 'bool') return d === 'true'
  if (t === 'datetime') return d && /^\d{8}T/.test(d) ? d : EPOCH
  if (t.startsWith('enum ')) {
    if (d !== undefined) return d
    return enumValues(t.slice(5))?.[0] ?? ''
  }
  return d === undefined ? '' : parseDefaultString(d)
}

/**
 * The stored fields of a class (reverse links left out) with their defaults, computed once per class: Db.create
 * makes thousands of objects of a class when a large world is built. Defaults that are lists come back as fresh
 * copies (objects never share one).
 */
const stored = new Map<string, Array<[string, unknown]>>()
export function storedFieldDefaults(cls: ClassName): Array<[string, unknown]> {
  let s = stored.get(cls)
  if (!s) {
    s = fieldsOf(cls).filter((d) => !REVERSE[`${cls}.${d.name}`]).map((d): [string, unknown] => [d.name, d.name === 'uuid' ? undefined : defaultValue(d)])
    stored.set(cls, s)
  }
  return s
}
export const freshDefault = (v: unknown): unknown => (Array.isArray(v) ? v.map((x: unknown) => (Array.isArray(x) ? [...x] : x)) : v)
