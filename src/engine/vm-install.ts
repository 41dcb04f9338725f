// Making VMs: VM.create (xapi_vm.ml create), VM.provision with the template's `other-config:disks` XML
// (xapi_templates.ml, xapi_vm.ml provision, message_forwarding.ml provision), and what `xe vm-install` does after
// choosing its template and SR (cli_operations.ml vm_install_real, cli_util.ml rewrite_provisioning_xml).
// Reference: xapi-model.md §3, §8; xe-cli-behaviour.md §9. Re-expressed from xen-api at the reference commit.
import type { Db, XObj } from './db'
import { XapiError } from './errors'
import { createVdi, type VdiType } from './vdi'
import { createVbd, ocamlIntOfString } from './vbd'
import { assertOperation, updateAllowedOperations } from './vm-lifecycle'
import { memoryOverheadBytes } from './vm'
import { cloneVm, copyVm } from './vm-clone'
import { EPOCH, NULL_REF, mapDel, mapGet, mapHas, xapiDate, type Ref } from './values'

type VmFields = XObj<'VM'>['f']

/** Xapi_globs.has_vendor_device: the virtual hardware platform version a vendor device needs. */
const HAS_VENDOR_DEVICE_VERSION = 2

/** update_vm_virtual_hardware_platform_version: a vendor device needs platform version 2. */
function updatePlatformVersion(db: Db, vm: XObj<'VM'>): void {
  const needed = vm.f.has_vendor_device ? HAS_VENDOR_DEVICE_VERSION : 0
  if (needed > vm.f.hardware_platform_version) db.set(vm, { hardware_platform_version: needed })
}

export type VmCreateArgs = Partial<VmFields> & Pick<VmFields, 'name_label'>

/**
 * VM.create: a VM_metrics record is made with it; other_config gets a random mac_seed unless it has one; the VM
 * is Halted unless a Suspended VM is given its suspend image, last boot record and CPU flags (else
 * VM_BAD_POWER_STATE [vm, "halted", "suspended"]); an unspecified domain_type is derived from HVM_boot_policy
 * ("" → pv, else hvm); memory_overhead and allowed_operations are computed. No devices are made.
 */
export function createVm(db: Db, a: VmCreateArgs): XObj<'VM'> {
  let other = a.other_config ?? []
  if (!mapHas(other, 'mac_seed')) other = [['mac_seed', db.ids.uuid()], ...other]
  const uuid = db.ids.uuid()
  const ref = db.ids.ref()
  const suspended = a.power_state === 'Suspended'
  const requestedType = a.domain_type ?? 'unspecified'
  const metricsRef = db.ids.ref()
  db.create('VM_metrics', {
    memory_actual: 0, VCPUs_number: 0, VCPUs_utilisation: [['0', 0]], VCPUs_CPU: [], VCPUs_params: [], VCPUs_flags: [], state: [],
    start_time: EPOCH, install_time: EPOCH, last_updated: EPOCH, other_config: [], hvm: false, nested_virt: false, nomigrate: false,
    current_domain_type: suspended ? requestedType : 'unspecified', numa_optimised: false, numa_nodes: 0, numa_node_memory: [],
  }, metricsRef)
  const domainType = requestedType === 'unspecified' ? ((a.HVM_boot_policy ?? '') === '' ? 'pv' : 'hvm') : requestedType
  const flags = suspended ? (a.last_boot_CPU_flags ?? []) : []
  const record = suspended ? (a.last_booted_record ?? '') : ''
  const suspendVdi = suspended ? (a.suspend_VDI ?? NULL_REF) : NULL_REF
  if (suspended && (flags.length === 0 || record === '' || suspendVdi === NULL_REF)) throw new XapiError('VM_BAD_POWER_STATE', [ref, 'halted', 'suspended'])
  const vm = db.create('VM', {
    name_label: a.name_label, name_description: a.name_description ?? '', user_version: a.user_version ?? 0,
    is_a_template: a.is_a_template ?? false, affinity: a.affinity ?? NULL_REF, memory_target: a.memory_target ?? 0,
    memory_static_max: a.memory_static_max ?? 0, memory_dynamic_max: a.memory_dynamic_max ?? 0, memory_dynamic_min: a.memory_dynamic_min ?? 0,
    memory_static_min: a.memory_static_min ?? 0, VCPUs_params: a.VCPUs_params ?? [], VCPUs_max: a.VCPUs_max ?? 0,
    VCPUs_at_startup: a.VCPUs_at_startup ?? 0, actions_after_softreboot: a.actions_after_softreboot ?? 'soft_reboot',
    actions_after_shutdown: a.actions_after_shutdown ?? 'destroy', actions_after_reboot: a.actions_after_reboot ?? 'restart',
    actions_after_crash: a.actions_after_crash ?? 'destroy', PV_bootloader: a.PV_bootloader ?? '', PV_kernel: a.PV_kernel ?? '',
    PV_ramdisk: a.PV_ramdisk ?? '', PV_args: a.PV_args ?? '', PV_bootloader_args: a.PV_bootloader_args ?? '',
    PV_legacy_args: a.PV_legacy_args ?? '', HVM_boot_policy: a.HVM_boot_policy ?? '', HVM_boot_params: a.HVM_boot_params ?? [],
    HVM_shadow_multiplier: a.HVM_shadow_multiplier ?? 1, platform: a.platform ?? [], PCI_bus: a.PCI_bus ?? '', other_config: other,
    recommendations: a.recommendations ?? '', xenstore_data: a.xenstore_data ?? [], ha_always_run: a.ha_always_run ?? false,
    ha_restart_priority: a.ha_restart_priority ?? '', tags: a.tags ?? [], appliance: a.appliance ?? NULL_REF,
    start_delay: a.start_delay ?? 0, shutdown_delay: a.shutdown_delay ?? 0, order: a.order ?? 0, suspend_SR: a.suspend_SR ?? NULL_REF,
    version: a.version ?? 0, generation_id: a.generation_id ?? '', hardware_platform_version: a.hardware_platform_version ?? 0,
    has_vendor_device: a.has_vendor_device ?? false, reference_label: a.reference_label ?? '', domain_type: domainType,
    NVRAM: a.NVRAM ?? [], uuid, power_state: suspended ? 'Suspended' : 'Halted', allowed_operations: [], current_operations: [],
    blocked_operations: [], is_default_template: false, transportable_snapshot_id: '', is_a_snapshot: false, snapshot_time: EPOCH,
    snapshot_of: NULL_REF, parent: NULL_REF, snapshot_info: [], snapshot_metadata: '', resident_on: NULL_REF,
    scheduled_to_be_resident_on: NULL_REF, memory_overhead: 0, suspend_VDI: suspendVdi, domid: -1, domarch: '',
    last_boot_CPU_flags: flags, is_control_domain: false, metrics: metricsRef, guest_metrics: NULL_REF, last_booted_record: record,
    blobs: [], bios_strings: [], protection_policy: NULL_REF, is_snapshot_from_vmpp: false, snapshot_schedule: NULL_REF,
    is_vmss_snapshot: false, requires_reboot: false, pending_guidances: [], pending_guidances_recommended: [],
    pending_guidances_full: [], secureboot_certificates_state: 'ok',
  }, ref)
  updateAllowedOperations(db, vm)
  db.set(vm, { memory_overhead: memoryOverheadBytes(vm.f) })
  updatePlatformVersion(db, vm)
  return vm
}

// ---------------------------------------------------------------------------------------------------------
// The provisioning XML (xapi_templates.ml): <provision><disk device="0" size="…" sr="…" bootable="true"
// type="system"/>…</provision>.

interface XmlElement {
  tag: string
  attrs: Array<[string, string]>
  children: Array<XmlElement | string>
}

/** Xapi_templates.Parse_failure as an API caller sees it. */
const parseFailure = () => new XapiError('INTERNAL_ERROR', ['Xapi_templates.Parse_failure'])

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }
const unescapeXml = (s: string) =>
  s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (m, e: string) =>
    e.startsWith('#x') ? String.fromCodePoint(parseInt(e.slice(2), 16)) : e.startsWith('#') ? String.fromCodePoint(Number(e.slice(1))) : (ENTITIES[e] ?? m))
const escapeXml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!)

/** A small XML reader, enough for provisioning fragments (elements, attributes, text; prolog and comments skipped). */
export function parseXml(s: string): XmlElement {
  let i = 0
  const fail = () => parseFailure()
  const skipMisc = () => {
    for (;;) {
      const ws = /^\s*/.exec(s.slice(i))![0]
      i += ws.length
      if (s.startsWith('<?', i)) {
        const e = s.indexOf('?>', i)
        if (e < 0) throw fail()
        i = e + 2
      } else if (s.startsWith('<!--', i)) {
        const e = s.indexOf('-->', i)
        if (e < 0) throw fail()
        i = e + 3
      } else return
    }
  }
  const element = (): XmlElement => {
    const m = /^<([A-Za-z_][\w.:-]*)/.exec(s.slice(i))
    if (!m) throw fail()
    i += m[0].length
    const el: XmlElement = { tag: m[1]!, attrs: [], children: [] }
    for (;;) {
      const a = /^\s+([A-Za-z_][\w.:-]*)\s*=\s*("([^"]*)"|'([^']*)')/.exec(s.slice(i))
      if (!a) break
      el.attrs.push([a[1]!, unescapeXml(a[3] ?? a[4] ?? '')])
      i += a[0].length
    }
    const end = /^\s*(\/?)>/.exec(s.slice(i))
    if (!end) throw fail()
    i += end[0].length
    if (end[1] === '/') return el
    for (;;) {
      const close = new RegExp(`^</${el.tag.replace(/[.]/g, '\\.')}\\s*>`).exec(s.slice(i))
      if (close) {
        i += close[0].length
        return el
      }
      if (s.startsWith('<!--', i)) {
        const e = s.indexOf('-->', i)
        if (e < 0) throw fail()
        i = e + 3
      } else if (s.startsWith('<', i)) el.children.push(element())
      else {
        const t = s.indexOf('<', i)
        if (t < 0) throw fail()
        const text = s.slice(i, t)
        if (text.trim() !== '') el.children.push(unescapeXml(text))
        i = t
      }
    }
  }
  skipMisc()
  const root = element()
  skipMisc()
  if (i !== s.length) throw fail()
  return root
}

/** Xml.to_string: attributes as name="value", empty elements as <tag .../>. */
function xmlToString(e: XmlElement): string {
  const attrs = e.attrs.map(([k, v]) => ` ${k}="${escapeXml(v)}"`).join('')
  if (e.children.length === 0) return `<${e.tag}${attrs}/>`
  return `<${e.tag}${attrs}>${e.children.map((c) => (typeof c === 'string' ? escapeXml(c) : xmlToString(c))).join('')}</${e.tag}>`
}

export interface ProvisionDisk {
  device: string
  size: number
  sr: string
  bootable: boolean
  type: VdiType
}

const PROVISION_TYPES: VdiType[] = ['system', 'user', 'ephemeral', 'suspend', 'crashdump']

/** disks_of_xml: device, size, sr and bootable are required; an unknown or missing type means system. */
export function parseProvisionDisks(xml: string): ProvisionDisk[] {
  const root = parseXml(xml)
  if (root.tag !== 'provision' || root.attrs.length > 0) throw parseFailure()
  return root.children.map((c) => {
    if (typeof c === 'string' || c.tag !== 'disk' || c.children.length > 0) throw parseFailure()
    const get = (k: string) => c.attrs.find(([a]) => a === k)?.[1]
    const [device, size, sr, bootable] = [get('device'), get('size'), get('sr'), get('bootable')]
    if (device === undefined || size === undefined || sr === undefined || bootable === undefined) throw parseFailure()
    const n = ocamlIntOfString(size)
    if (n === undefined) throw parseFailure()
    const t = get('type') as VdiType | undefined
    return { device, size: n, sr, bootable: bootable === 'true', type: t && PROVISION_TYPES.includes(t) ? t : 'system' }
  })
}

/** rewrite_provisioning_xml: every <disk>'s sr becomes `srUuid`; the rewritten `disks` key goes first. */
export function rewriteProvisioningXml(db: Db, vm: XObj<'VM'>, srUuid: string): void {
  const disks = mapGet(vm.f.other_config, 'disks')
  if (disks === undefined) return
  let root: XmlElement
  try {
    root = parseXml(disks)
  } catch {
    throw new XapiError('INTERNAL_ERROR', ['Xml.Error'])
  }
  if (root.tag === 'provision' && root.attrs.length === 0) {
    root = {
      ...root,
      children: root.children.map((c) =>
        typeof c !== 'string' && c.tag === 'disk' && c.children.length === 0 ? { ...c, attrs: c.attrs.map(([k, v]): [string, string] => [k, k === 'sr' ? srUuid : v]) } : c),
    }
  }
  db.set(vm, { other_config: [['disks', xmlToString(root)], ...mapDel(vm.f.other_config, 'disks')] })
}

/** Whether the recommendations XML has <restriction field="<field>" value="true"/>. */
export function isRecommended(recommendations: string, field: string): boolean {
  let root: XmlElement
  try {
    root = parseXml(recommendations)
  } catch {
    return false
  }
  const walk = (e: XmlElement): boolean | undefined => {
    const attr = (k: string) => e.attrs.find(([a]) => a === k)?.[1]
    if (e.tag === 'restriction' && attr('field') === field) return attr('value') === 'true'
    for (const c of e.children) {
      if (typeof c === 'string') continue
      const r = walk(c)
      if (r !== undefined) return r
    }
    return undefined
  }
  return walk(root) ?? false
}

// ---------------------------------------------------------------------------------------------------------
// VM.provision.

/** VM.set_is_a_template false: the VM's "install time" is now. */
function unmarkTemplate(db: Db, vm: XObj<'VM'>): void {
  const m = db.tryGet(vm.f.metrics, 'VM_metrics')
  if (m) db.set(m, { install_time: xapiDate(db.clock.now()) })
  db.set(vm, { is_a_template: false })
}

/**
 * VM.provision (templates only: PROVISION_ONLY_ALLOWED_ON_TEMPLATE; Halted): the VM stops being a template,
 * then each <disk> of other_config:disks becomes a VDI in its SR (UUID_INVALID ["sr", uuid] when unknown;
 * name "" then the VBD's userdevice, description "Created by template provisioner", sm_config vmhint=<vm uuid>)
 * and a RW Disk VBD owned by the VM (other_config:owner, unpluggable unless a system disk). The disks and
 * postinstall keys are removed afterwards.
 */
export function provisionVm(db: Db, vm: XObj<'VM'>): void {
  assertOperation(db, vm, 'provision', true)
  const xml = mapGet(vm.f.other_config, 'disks')
  const disks = xml === undefined ? [] : parseProvisionDisks(xml)
  unmarkTemplate(db, vm)
  if (disks.length > 0 || mapHas(vm.f.other_config, 'postinstall')) {
    for (const d of disks) {
      const sr = db.byUuid('SR', d.sr)
      if (!sr) throw new XapiError('UUID_INVALID', ['sr', d.sr])
      const vdi = createVdi(db, {
        sr, name_label: '', name_description: 'Created by template provisioner', virtual_size: d.size, type: d.type,
        sharable: false, read_only: false, other_config: [], xenstore_data: [], sm_config: [['vmhint', vm.f.uuid]], tags: [],
      })
      const vbd = createVbd(db, {
        vm, vdi, userdevice: d.device, bootable: d.bootable, mode: 'RW', type: 'Disk', unpluggable: d.type !== 'system',
        empty: false, qos_algorithm_type: '', qos_algorithm_params: [], other_config: [['owner', '']],
      })
      db.set(vdi, { name_label: vbd.f.userdevice })
    }
    db.set(vm, { other_config: mapDel(mapDel(vm.f.other_config, 'disks'), 'postinstall') })
  }
  updateAllowedOperations(db, vm)
}

// ---------------------------------------------------------------------------------------------------------
// xe vm-install.

/** VM.set_has_vendor_device: only while Halted (VM_BAD_POWER_STATE [vm, "halted", actual]). */
export function setHasVendorDevice(db: Db, vm: XObj<'VM'>, value: boolean): void {
  if (vm.f.power_state !== 'Halted') {
    const s = vm.f.power_state
    throw new XapiError('VM_BAD_POWER_STATE', [vm.ref, 'halted', s[0]!.toLowerCase() + s.slice(1)])
  }
  db.set(vm, { has_vendor_device: value })
  updatePlatformVersion(db, vm)
}

/** VM.copy_bios_strings: only once (VM_BIOS_STRINGS_ALREADY_SET); the VM also gets the host as its affinity. */
export function copyBiosStrings(db: Db, vm: XObj<'VM'>, host: XObj<'host'>): void {
  if (vm.f.bios_strings.length > 0) throw new XapiError('VM_BIOS_STRINGS_ALREADY_SET', [])
  db.set(vm, { bios_strings: host.f.bios_strings, affinity: host.ref })
}

export interface InstallOptions {
  name: string
  /** the SR named on the command line: the template is copied there (else cloned) */
  sr?: XObj<'SR'>
  suspendSr: Ref
  /** the SR every provisioned disk goes to ("" when none was found and the template has no disks) */
  srUuid: string
  /** a host uuid */
  copyBiosStringsFrom?: string
}

/**
 * vm_install_real after the CLI's choices: VM.copy to the SR (or VM.clone), name-description
 * "Installed via xe CLI", suspend-SR, the provisioning XML pointed at `srUuid`, has-vendor-device as the
 * template recommends (unless the pool's policy_no_vendor_device), VM.provision, and the BIOS strings of a host
 * if asked (UUID_INVALID for an unknown host). On failure the whole installation is undone.
 */
export function installVm(db: Db, template: XObj<'VM'>, o: InstallOptions): XObj<'VM'> {
  const vm = o.sr ? copyVm(db, template, o.name, o.sr) : cloneVm(db, template, o.name)
  db.set(vm, { name_description: 'Installed via xe CLI', suspend_SR: o.suspendSr })
  rewriteProvisioningXml(db, vm, o.srUuid)
  const pool = db.all('pool')[0]
  const wantDevice = isRecommended(template.f.recommendations, 'has-vendor-device') && !pool?.f.policy_no_vendor_device
  setHasVendorDevice(db, vm, wantDevice)
  provisionVm(db, vm)
  if (o.copyBiosStringsFrom !== undefined) copyBiosStrings(db, vm, db.getByUuid('host', o.copyBiosStringsFrom))
  return vm
}
