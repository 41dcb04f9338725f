// The default world: everything a freshly installed standalone XenServer 8 / XCP-ng 8.3 host contains
// (reference: xapi-fresh-host.md). Objects are created in the order xapi and the first-boot scripts create
// them: host and pool (dbsync), CPUs and control domain (create_misc.ml), networks and PIFs, SM plugins,
// the tools SR (XCP-ng), storage-init's SRs, the guest templates, then the user and RBAC roles.
// Randomness comes from db.ids and time from db.clock only, so a seeded world is reproducible.
import type { Db, XObj } from '../db'
import { EPOCH, NULL_REF, xapiDate, type Ref, type XMap } from '../values'
import {
  type ProductInfo, CPU, DEFAULT_TEMPLATE_ALLOWED_OPS, DISK, DOM0_ALLOWED_OPS, DOM0_ROOT_FS, HOST_ALLOWED_OPS, NIC, POOL_ALLOWED_OPS,
  PRODUCTS, XCPNG_TOOLS_ISO, XEN_CAPABILITIES, hostBiosStrings, restrictionsOf,
} from '../data/host'
import { SM_DIR, smDrivers, smFeatures } from '../data/sm'
import { updateSrAllowedOperations } from '../sr'
import { defaultTemplates, templateFields } from '../data/templates'
import { createRoles } from '../data/rbac'

export type Profile = 'xenserver-8' | 'xcp-ng-8.3'

export interface HostSpec {
  profile: Profile
  hostname: string
  address: string
  netmask: string
  gateway: string
  dns: string
  /** logical CPUs */
  cpus: number
  memoryBytes: number
}

const MiB = 1024 * 1024
const GiB = 1024 * MiB

export function defaultHostSpec(profile: Profile): HostSpec {
  return {
    profile,
    hostname: profile === 'xenserver-8' ? 'xenserver-01' : 'xcp-ng-01',
    address: '10.0.0.10',
    netmask: '255.255.255.0',
    gateway: '10.0.0.1',
    dns: '10.0.0.1',
    cpus: 16,
    memoryBytes: 64 * GiB,
  }
}

/** dom0 memory chosen by the installer (python-libs xcp/dom0.py default_memory_v3): 1 GiB + 5 % of host
 *  memory (+256 MiB of slack for what Xen hides), rounded down to 16 MiB, at most 8 GiB. */
function dom0MemoryBytes(hostBytes: number): number {
  const mib = Math.floor((hostBytes / 1024 + 256 * 1024) / 1024)
  return Math.min((1024 + Math.floor(mib * 0.05)) & ~0xf, 8192) * MiB
}
/** dom0 vCPUs (xcp/dom0.py default_vcpus): all host CPUs up to 16 (8 below 4 GiB of dom0 memory, 4 below 2). */
function dom0Vcpus(hostCpus: number, dom0Bytes: number): number {
  const cap = dom0Bytes < 2 * GiB ? 4 : dom0Bytes < 4 * GiB ? 8 : 16
  return Math.max(1, Math.min(hostCpus, cap))
}
/** VM.memory_overhead (xapi-idl memory.ml overhead_mib): extra + shadow + per-vCPU pages, in whole MiB. */
function memoryOverhead(domainType: 'hvm' | 'pv', staticMax: number, vcpus: number, shadowMultiplier = 1): number {
  const staticMaxMiB = Math.ceil(staticMax / MiB)
  const shadow = Math.max(1, Math.floor(Math.ceil((256 * vcpus + 2 * staticMaxMiB) / 256) * shadowMultiplier))
  const extra = domainType === 'hvm' ? 2 : 1
  return (extra + shadow + Math.ceil((38 * vcpus) / 256)) * MiB
}
/** OCaml's string_of_float for a whole number of seconds, as xapi writes boot_time/agent_start_time. */
const unixTimeString = (seconds: number) => `${seconds}.`

/** What the creation steps share: the world, the spec, and refs of objects that others point at before they exist. */
interface Ctx {
  db: Db
  spec: HostSpec
  product: ProductInfo
  now: Date
  host: Ref
  dom0: Ref
  localSr: Ref
  dom0Memory: number
  hex(bytes: number): string
}

/** What building one host needs: its refs are drawn first, in this order, so seeded worlds stay identical. */
function hostContext(db: Db, spec: HostSpec): Ctx {
  return {
    db,
    spec,
    product: PRODUCTS[spec.profile],
    now: db.clock.now(),
    host: db.ids.ref(),
    dom0: db.ids.ref(),
    localSr: db.ids.ref(),
    dom0Memory: dom0MemoryBytes(spec.memoryBytes),
    hex: (bytes) => db.ids.bytes(bytes).toString('hex'),
  }
}

export function installHost(db: Db, spec: HostSpec): { pool: XObj<'pool'>; host: XObj<'host'> } {
  const c = hostContext(db, spec)
  const host = createHost(c)
  const pool = createPool(c)
  createControlDomain(c)
  createNetworking(c)
  createStorage(c)
  createTemplates(c)
  db.create('user', { short_name: 'root', fullname: 'superuser', other_config: [] })
  createRoles(db)
  return { pool, host }
}

/**
 * A host that has joined the pool, as it looks after xapi's pool join (xapi-model.md §14): its own host record,
 * metrics, CPUs, control domain with its consoles, its three local SRs with their PBDs, and its PIFs eth0..ethN
 * on the pool's existing xenbr<N> networks (one network per device pool-wide). No pool object of its own; the
 * pool's default SR is not touched.
 */
export function joinMemberHost(db: Db, spec: HostSpec): XObj<'host'> {
  const c = hostContext(db, spec)
  const host = createHost(c)
  createControlDomain(c)
  const byBridge = new Map(db.all('network').map((n) => [n.f.bridge, n.ref]))
  const macBase = db.ids.bytes(3).readUIntBE(0, 3)
  for (let port = 0; port < NIC.ports; port++) {
    const network = byBridge.get(`xenbr${port}`)
    if (!network) throw new Error(`the pool has no network on xenbr${port}`)
    createPif(c, port, network, macBase)
  }
  createLocalSrs(c)
  return host
}

const sockets = (spec: HostSpec) => (spec.cpus > 32 ? 2 : 1)

/** The host, its metrics and CPUs (dbsync_slave.ml create_localhost / refresh_localhost_info, create_misc.ml). */
function createHost(c: Ctx): XObj<'host'> {
  const { db, spec, product, now } = c
  const seconds = Math.floor(now.getTime() / 1000)
  // Xen heap/frame table (~1/128 of RAM), crash kernel and Xen itself; dom0 is accounted separately
  const overhead = (Math.ceil(spec.memoryBytes / MiB / 128) + 288) * MiB
  const metrics = db.create('host_metrics', {
    memory_total: spec.memoryBytes,
    memory_free: spec.memoryBytes - overhead - c.dom0Memory,
    live: true,
    last_updated: xapiDate(now),
    other_config: [],
  })
  // firstboot sets other-config:iscsi_iqn (iqn.<year-month>.com.example:<8 hex>); every xapi start then
  // re-adds boot_time and agent_start_time in front of it
  const date = xapiDate(now)
  const iqn = `iqn.${date.slice(0, 4)}-${date.slice(4, 6)}.com.example:${c.hex(4)}`
  const host = db.create(
    'host',
    {
      uuid: db.ids.uuid(),
      name_label: spec.hostname,
      name_description: 'Default install',
      memory_overhead: overhead,
      allowed_operations: [...HOST_ALLOWED_OPS],
      API_version_major: 2,
      API_version_minor: 21,
      API_version_vendor: 'XenSource',
      API_version_vendor_implementation: [],
      enabled: true,
      software_version: product.softwareVersion,
      other_config: [
        ['agent_start_time', unixTimeString(seconds - 60)],
        ['boot_time', unixTimeString(seconds - 120)],
        ['iscsi_iqn', iqn],
      ],
      capabilities: XEN_CAPABILITIES,
      cpu_configuration: [],
      sched_policy: 'credit',
      supported_bootloaders: ['pygrub', 'eliloader'],
      logging: [],
      suspend_image_sr: c.localSr,
      crash_dump_sr: c.localSr,
      cpu_info: [
        ['cpu_count', String(spec.cpus)],
        ['socket_count', String(sockets(spec))],
        ['threads_per_core', String(CPU.threadsPerCore)],
        ['nr_nodes', String(sockets(spec))],
        ['vendor', CPU.vendor],
        ['speed', CPU.speed],
        ['modelname', CPU.modelname],
        ['family', String(CPU.family)],
        ['model', String(CPU.model)],
        ['stepping', CPU.stepping],
        ['flags', CPU.flags],
        ['features_pv', CPU.features_pv],
        ['features_hvm', CPU.features_hvm],
        ['features_hvm_host', CPU.features_hvm_host],
        ['features_pv_host', CPU.features_pv_host],
      ],
      hostname: spec.hostname,
      address: spec.address,
      metrics: metrics.ref,
      license_params: restrictionsOf(product),
      external_auth_type: '',
      external_auth_service_name: '',
      external_auth_configuration: [],
      edition: product.edition,
      license_server: [['address', 'localhost'], ['port', '27000']],
      bios_strings: hostBiosStrings(c.hex(4).toUpperCase().slice(0, 7)),
      power_on_mode: '',
      power_on_config: [],
      local_cache_sr: NULL_REF,
      chipset_info: [['iommu', 'true']],
      ssl_legacy: false,
      guest_VCPUs_params: [],
      display: 'enabled',
      virtual_hardware_platform_versions: [0, 1, 2],
      control_domain: c.dom0,
      iscsi_iqn: iqn,
      multipathing: false,
      uefi_certificates: '',
      editions: product.editions,
      tls_verification_enabled: true,
      last_software_update: EPOCH,
      https_only: false,
      latest_synced_updates_applied: 'unknown',
      numa_affinity_policy: 'default_policy',
      last_update_hash: '',
      ssh_enabled: true,
      ssh_enabled_timeout: 0,
      ssh_expiry: EPOCH,
      console_idle_timeout: 0,
      ssh_auto_mode: product.sshAutoMode,
      secure_boot: false,
      max_cstate: '',
      ntp_mode: 'Factory',
      ntp_custom_servers: [],
      timezone: 'UTC',
    },
    c.host,
  )
  for (let i = 0; i < spec.cpus; i++) {
    db.create('host_cpu', {
      host: c.host,
      number: i,
      vendor: CPU.vendor,
      speed: Math.floor(Number(CPU.speed)),
      modelname: CPU.modelname,
      family: CPU.family,
      model: CPU.model,
      stepping: CPU.stepping,
      flags: CPU.flags,
      features: '',
      utilisation: 0,
      other_config: [],
    })
  }
  return host
}

/** The pool (dbsync_master.ml create_pool_record; storage-init sets default-SR; create_pool_cpuinfo). */
function createPool(c: Ctx): XObj<'pool'> {
  return c.db.create('pool', {
    name_label: '',
    name_description: '',
    master: c.host,
    default_SR: c.localSr,
    suspend_image_SR: NULL_REF,
    crash_dump_SR: NULL_REF,
    other_config: [['memory-ratio-hvm', '0.25'], ['memory-ratio-pv', '0.25']],
    ha_cluster_stack: 'xhad',
    wlb_url: '',
    wlb_username: '',
    vswitch_controller: '',
    restrictions: restrictionsOf(c.product),
    allowed_operations: [...POOL_ALLOWED_OPS],
    // Map_check.setf puts each merged key in front
    cpu_info: [
      ['features_hvm_host', CPU.features_hvm_host],
      ['features_pv_host', CPU.features_pv_host],
      ['socket_count', String(sockets(c.spec))],
      ['cpu_count', String(c.spec.cpus)],
      ['vendor', CPU.vendor],
    ],
    uefi_certificates: '',
    custom_uefi_certificates: '',
    tls_verification_enabled: true,
    client_certificate_auth_name: '',
    repository_proxy_url: '',
    repository_proxy_username: '',
  })
}

/** dom0, its metrics and its two consoles (create_misc.ml ensure_domain_zero_records). */
function createControlDomain(c: Ctx): void {
  const { db, spec } = c
  const memory = c.dom0Memory
  const vcpus = dom0Vcpus(spec.cpus, memory)
  const metrics = db.create('VM_metrics', {
    ...vmMetricsCommon(),
    memory_actual: memory,
    VCPUs_number: vcpus,
    VCPUs_utilisation: Array.from({ length: vcpus }, (_, i): [string, number] => [String(i + 1), 0]),
    current_domain_type: 'pv',
  })
  db.create(
    'VM',
    {
      ...vmCommon(),
      uuid: db.ids.uuid(),
      name_label: `Control domain on host: ${spec.hostname}`,
      name_description: 'The domain which manages physical devices and manages other domains',
      allowed_operations: [...DOM0_ALLOWED_OPS],
      power_state: 'Running',
      is_a_template: false,
      resident_on: c.host,
      affinity: c.host,
      memory_overhead: memoryOverhead('pv', memory, vcpus),
      memory_target: memory,
      memory_static_max: memory,
      memory_dynamic_max: memory,
      memory_dynamic_min: memory,
      memory_static_min: memory,
      VCPUs_max: vcpus,
      VCPUs_at_startup: vcpus,
      actions_after_shutdown: 'destroy',
      actions_after_reboot: 'destroy',
      actions_after_crash: 'destroy',
      HVM_boot_policy: '',
      HVM_boot_params: [],
      platform: [],
      other_config: [],
      domid: 0,
      domarch: 'x64',
      is_control_domain: true,
      metrics: metrics.ref,
      recommendations: '',
      version: 0,
      generation_id: '',
      domain_type: 'pv',
    },
    c.dom0,
  )
  for (const protocol of ['rfb', 'vt100'] as const) {
    const ref = db.ids.ref()
    db.create('console', { protocol, location: `https://${spec.address}/console?ref=${ref}`, VM: c.dom0, other_config: [] }, ref)
  }
}

/** One bridge and physical PIF per NIC (xapi_pif.ml introduce; eth0 is the management interface), and the
 *  host internal management network (create_networks.ml). */
function createNetworking(c: Ctx): void {
  const { db, spec } = c
  const macBase = db.ids.bytes(3).readUIntBE(0, 3)
  for (let port = 0; port < NIC.ports; port++) {
    const network = db.create('network', {
      name_label: `Pool-wide network associated with eth${port}`,
      name_description: '',
      allowed_operations: [],
      MTU: 1500,
      other_config: [],
      bridge: `xenbr${port}`,
      managed: true,
      default_locking_mode: 'unlocked',
      purpose: [],
    })
    createPif(c, port, network.ref, macBase)
  }
  db.create('network', {
    name_label: 'Host internal management network',
    name_description: 'Network on which guests will be assigned a private link-local IP address which can be used to talk XenAPI',
    allowed_operations: [],
    MTU: 1500,
    other_config: [
      ['is_guest_installer_network', 'true'],
      ['is_host_internal_management_network', 'true'],
      ['ip_begin', '169.254.0.1'],
      ['ip_end', '169.254.255.254'],
      ['netmask', '255.255.0.0'],
    ],
    bridge: 'xenapi',
    managed: true,
    default_locking_mode: 'unlocked',
    purpose: [],
  })
}


/** A physical PIF (and its metrics) of the context's host on `network`; eth0 is the management interface. */
function createPif(c: Ctx, port: number, network: Ref, macBase: number): void {
  const { db, spec } = c
  const up = port === 0
    const metrics = db.create('PIF_metrics', {
      io_read_kbs: 0,
      io_write_kbs: 0,
      carrier: up,
      vendor_id: NIC.vendor_id,
      vendor_name: NIC.vendor_name,
      device_id: NIC.device_id,
      device_name: NIC.device_name,
      speed: up ? NIC.speed : 0,
      duplex: up,
      pci_bus_path: NIC.pciBusPath(port),
      last_updated: xapiDate(c.now),
      other_config: [],
    })
    const mac = ((macBase + port) & 0xffffff).toString(16).padStart(6, '0').match(/../g)!.join(':')
    db.create('PIF', {
      device: `eth${port}`,
      network,
      host: c.host,
      MAC: `${NIC.ouiPrefix}:${mac}`,
      MTU: 1500,
      VLAN: -1,
      metrics: metrics.ref,
      physical: true,
      currently_attached: up,
      ip_configuration_mode: up ? 'Static' : 'None',
      IP: up ? spec.address : '',
      netmask: up ? spec.netmask : '',
      gateway: up ? spec.gateway : '',
      DNS: up ? spec.dns : '',
      bond_slave_of: NULL_REF,
      VLAN_master_of: NULL_REF,
      management: up,
      other_config: [],
      disallow_unplug: false,
      ipv6_configuration_mode: 'None',
      IPv6: [],
      ipv6_gateway: '',
      primary_address_type: 'IPv4',
      managed: true,
      properties: [['gro', 'on']],
      capabilities: [],
      // nm.ml sets it from pool.igmp_snooping_enabled when the PIF is brought up
      igmp_snooping_status: up ? 'disabled' : 'unknown',
      PCI: NULL_REF,
    })
}

interface SrSpec {
  ref?: Ref
  name_label: string
  name_description: string
  type: string
  content_type: string
  shared: boolean
  other_config: XMap
  sm_config: XMap
  /** physical_size, physical_utilisation, virtual_allocation */
  sizes: [number, number, number]
  device_config: XMap
  is_tools_sr?: boolean
}

/** SM records (storage_access.ml on_xapi_start), the tools SR (XCP-ng) and storage-init's three SRs, each
 *  with one attached PBD. */
function createStorage(c: Ctx): void {
  const { db, spec } = c
  for (const d of smDrivers(spec.profile)) {
    const f = smFeatures(d)
    db.create('SM', {
      name_label: d.name_label,
      name_description: d.name_description,
      type: d.type,
      vendor: d.vendor,
      copyright: d.copyright,
      version: d.version,
      required_api_version: d.required_api_version,
      configuration: d.configuration,
      capabilities: f.map(([k]) => k),
      features: f,
      other_config: [],
      driver_filename: `${SM_DIR}/${d.file}SR`,
      required_cluster_stack: [],
      supported_image_formats: [],
    })
  }
  const sr = (x: SrSpec) => makeSr(c, x)

  if (spec.profile === 'xcp-ng-8.3') {
    // dbsync_master.ml create_tools_sr (xapi.conf create-tools-sr=true on XCP-ng); an ISOSR scan sizes it from
    // dom0's root filesystem and finds the tools ISO
    const name = `${c.product.brand} Tools`
    const dir = '/opt/xensource/packages/iso'
    const tools = sr({
      name_label: name,
      name_description: `${name} ISOs`,
      type: 'iso',
      content_type: 'iso',
      shared: true,
      other_config: [
        ['xensource_internal', 'true'],
        ['xenserver_tools_sr', 'true'],
        ['i18n-key', 'xenserver-tools'],
        ['i18n-original-value-name_label', name],
        ['i18n-original-value-name_description', `${name} ISOs`],
      ],
      sm_config: [],
      sizes: [DOM0_ROOT_FS.sizeBytes, DOM0_ROOT_FS.usedBytes, DOM0_ROOT_FS.sizeBytes],
      device_config: [['path', dir], ['location', dir], ['legacy_mode', 'true']],
      is_tools_sr: true,
    })
    db.create('VDI', {
      name_label: XCPNG_TOOLS_ISO.filename,
      name_description: '',
      allowed_operations: [],
      SR: tools.ref,
      virtual_size: XCPNG_TOOLS_ISO.sizeBytes,
      physical_utilisation: XCPNG_TOOLS_ISO.sizeBytes,
      type: 'user',
      sharable: false,
      read_only: true,
      other_config: [],
      storage_lock: false,
      location: XCPNG_TOOLS_ISO.filename,
      managed: true,
      missing: false,
      parent: NULL_REF,
      xenstore_data: [],
      // ISOSR: version/build parsed from the file name ("guest-tools.iso" has neither), xs-tools marks the current one
      sm_config: [['xs-tools-version', ''], ['xs-tools-build', '0'], ['xs-tools', 'true']],
      is_a_snapshot: false,
      snapshot_of: NULL_REF,
      snapshot_time: EPOCH,
      tags: [],
      allow_caching: false,
      on_boot: 'persist',
      metadata_of_pool: NULL_REF,
      metadata_latest: false,
      is_tools_iso: true,
      cbt_enabled: false,
    })
  }

  createLocalSrs(c)
}

/** storage-init's three SRs of a host: Local storage, Removable storage, DVD drives. */
function createLocalSrs(c: Ctx): void {
  const sr = (x: SrSpec) => makeSr(c, x)
  // storage-init (xenserver-firstboot): sr-create, then one `sr-param-set other-config:<k>=<v>` per key,
  // each of which puts its key in front (add_to_other_config)
  const wwn = DISK.wwnPrefix + c.hex(8)
  const partitionBytes = DISK.sizeBytes - DISK.systemPartitionsBytes - 2 * MiB
  const vgBytes = Math.floor((partitionBytes - MiB) / (4 * MiB)) * 4 * MiB
  sr({
    ref: c.localSr,
    name_label: 'Local storage',
    name_description: '',
    type: 'lvm',
    content_type: 'user',
    shared: false,
    other_config: [['i18n-original-value-name_label', 'Local storage'], ['i18n-key', 'local-storage']],
    // LVHDSR attach: the metadata sync writes allocation + use_vhd, then the device serial is added
    sm_config: [['allocation', 'thick'], ['use_vhd', 'true'], ['devserial', `scsi-${wwn}`]],
    sizes: [vgBytes, DISK.lvmMetadataVolumeBytes, 0],
    device_config: [['device', `/dev/disk/by-id/scsi-${wwn}-part${DISK.partition}`]],
  })
  sr({
    name_label: 'Removable storage',
    name_description: '',
    type: 'udev',
    content_type: 'disk',
    shared: false,
    other_config: [['i18n-original-value-name_label', 'Removable storage'], ['i18n-key', 'local-hotplug-disk']],
    sm_config: [['type', 'block']],
    sizes: [0, 0, 0],
    device_config: [['location', '/dev/xapi/block']],
  })
  sr({
    name_label: 'DVD drives',
    name_description: 'Physical DVD drives',
    type: 'udev',
    content_type: 'iso',
    shared: false,
    other_config: [
      ['i18n-original-value-name_description', 'Physical DVD drives'],
      ['i18n-original-value-name_label', 'DVD drives'],
      ['i18n-key', 'local-hotplug-cd'],
    ],
    sm_config: [['type', 'cd']],
    sizes: [0, 0, 0],
    device_config: [['location', '/dev/xapi/cd']],
  })
}

/** An SR with one attached PBD on the context's host. */
function makeSr(c: Ctx, s: SrSpec): XObj<'SR'> {
  const { db } = c
  const isTools = s.is_tools_sr ?? false
  const o = db.create(
    'SR',
    {
      name_label: s.name_label,
      name_description: s.name_description,
      allowed_operations: [],
      physical_size: s.sizes[0],
      physical_utilisation: s.sizes[1],
      virtual_allocation: s.sizes[2],
      type: s.type,
      content_type: s.content_type,
      shared: s.shared,
      other_config: s.other_config,
      tags: [],
      sm_config: s.sm_config,
      local_cache_enabled: false,
      introduced_by: NULL_REF,
      clustered: false,
      is_tools_sr: isTools,
    },
    s.ref,
  )
  db.create('PBD', { host: c.host, SR: o.ref, device_config: s.device_config, currently_attached: true, other_config: [] })
  // SR.allowed_operations as xapi computes them for the plugged SR (xapi_sr_operations.ml)
  updateSrAllowedOperations(db, o)
  return o
}

/** The default templates: create-guest-templates → /import_metadata?restore=true → VM.set_is_default_template. */
function createTemplates(c: Ctx): void {
  const { db } = c
  for (const t of defaultTemplates(c.spec.profile)) {
    const f = templateFields(t)
    const metrics = db.create('VM_metrics', {
      ...vmMetricsCommon(),
      memory_actual: 0,
      VCPUs_number: 0,
      VCPUs_utilisation: [['0', 0]],
      current_domain_type: 'unspecified',
    })
    db.create('VM', {
      ...vmCommon(),
      ...f,
      allowed_operations: [...DEFAULT_TEMPLATE_ALLOWED_OPS],
      power_state: 'Halted',
      is_a_template: true,
      is_default_template: true,
      resident_on: NULL_REF,
      affinity: NULL_REF,
      memory_overhead: memoryOverhead('hvm', f.memory_static_max, f.VCPUs_max),
      memory_target: 0,
      actions_after_shutdown: 'destroy',
      actions_after_reboot: 'restart',
      actions_after_crash: 'restart',
      // the import drops default_template and puts import_task in front; set_is_default_template then
      // puts default_template=true in front
      other_config: [['default_template', 'true'], ['import_task', db.ids.ref()], ['mac_seed', db.ids.uuid()], ...f.other_config],
      domid: -1,
      domarch: '',
      is_control_domain: false,
      metrics: metrics.ref,
      version: 1,
    })
  }
}

/** VM fields every VM of the fresh host has with the same value (Db.VM.create arguments in create_misc.ml / xapi_vm.ml). */
function vmCommon() {
  return {
    current_operations: [],
    user_version: 1,
    is_default_template: false,
    suspend_VDI: NULL_REF,
    scheduled_to_be_resident_on: NULL_REF,
    VCPUs_params: [],
    actions_after_softreboot: 'soft_reboot' as const,
    PV_bootloader: '',
    PV_kernel: '',
    PV_ramdisk: '',
    PV_args: '',
    PV_bootloader_args: '',
    PV_legacy_args: '',
    HVM_shadow_multiplier: 1,
    PCI_bus: '',
    last_boot_CPU_flags: [],
    guest_metrics: NULL_REF,
    last_booted_record: '',
    xenstore_data: [],
    ha_always_run: false,
    ha_restart_priority: '',
    is_a_snapshot: false,
    snapshot_of: NULL_REF,
    snapshot_time: EPOCH,
    transportable_snapshot_id: '',
    blobs: [],
    tags: [],
    blocked_operations: [],
    snapshot_info: [],
    snapshot_metadata: '',
    parent: NULL_REF,
    bios_strings: [],
    protection_policy: NULL_REF,
    is_snapshot_from_vmpp: false,
    snapshot_schedule: NULL_REF,
    is_vmss_snapshot: false,
    appliance: NULL_REF,
    start_delay: 0,
    shutdown_delay: 0,
    order: 0,
    attached_PCIs: [],
    suspend_SR: NULL_REF,
    hardware_platform_version: 0,
    has_vendor_device: false,
    requires_reboot: false,
    reference_label: '',
    NVRAM: [],
    pending_guidances: [],
    pending_guidances_recommended: [],
    pending_guidances_full: [],
    groups: [],
    secureboot_certificates_state: 'ok' as const,
  }
}

/** VM_metrics fields of a VM that has never run (VM.create / create_domain_zero_metrics_record). */
function vmMetricsCommon() {
  return {
    VCPUs_CPU: [],
    VCPUs_params: [],
    VCPUs_flags: [],
    state: [],
    start_time: EPOCH,
    install_time: EPOCH,
    last_updated: EPOCH,
    other_config: [],
    hvm: false,
    nested_virt: false,
    nomigrate: false,
  }
}
