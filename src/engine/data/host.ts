// Data describing a freshly installed host: build-time product strings per profile, the emulated hardware
// (one CPU model, NICs, boot disk, BIOS) and licence/feature tables. Values marked "emulated" are realistic
// stand-ins for what a real machine reports; the rest is transcribed from the sources named.
import type { XMap } from '../values'
import type { Profile } from '../world/fresh-host'

/** Build-time product settings (the /etc/xensource-inventory and build values xapi reports). */
export interface ProductInfo {
  brand: string
  /** host.software_version, in xapi's key order (create_misc.ml make_software_version; empty values omitted). */
  softwareVersion: XMap
  /** host.edition and host.editions (licence daemon) */
  edition: string
  editions: string[]
  /** Feature flags (features.ml names) a fresh host is restricted from. */
  restricted: string[]
  /** host.ssh_auto_mode default (xapi.conf ssh-auto-mode) */
  sshAutoMode: boolean
}

// xapi 26.1.x is the branch both products ship (XCP-ng 8.3: xcp-ng-rpms/xapi SPECS/xapi.spec Version 26.1.3);
// git_id is what follows "<major>.<minor>." in the version (xapi_version.ml); db_schema 5.793 is
// Datamodel_common.schema_minor_vsn at v26.1.x; xencenter_min/max = API version 2.21.
const tailKeys = (build: string, xen: string): XMap => [
  ['xapi_build', build],
  ['xen', xen],
  ['linux', '4.19.0+1'],
  ['xencenter_min', '2.21'],
  ['xencenter_max', '2.21'],
  ['network_backend', 'openvswitch'],
  ['db_schema', '5.793'],
]

export const PRODUCTS: Record<Profile, ProductInfo> = {
  // xenserver-release 8.4.0 ("XenServer 8"): PRODUCT_VERSION 8.4.0, text "8", PLATFORM_VERSION 3.4.0.
  // build_number, date, dbv and the xen package release are emulated.
  'xenserver-8': {
    brand: 'XenServer',
    softwareVersion: [
      ['product_version', '8.4.0'],
      ['product_version_text', '8'],
      ['product_version_text_short', '8'],
      ['platform_name', 'XCP'],
      ['platform_version', '3.4.0'],
      ['product_brand', 'XenServer'],
      ['xapi', '26.1'],
      ['build_number', '8.4.0'],
      ['git_id', '5'],
      ['hostname', 'localhost'],
      ['date', '20260305T10:12:41Z'],
      ['dbv', '2025.1126'],
      ...tailKeys('26.1.5', '4.17.6-2'),
    ],
    // an unlicensed XenServer 8 runs the Trial Edition: Premium features on a pool of at most three hosts,
    // without rolling pool upgrade (XenServer 8 licensing overview)
    edition: 'trial',
    editions: ['trial', 'standard', 'premium'],
    restricted: ['restrict_rpu', 'restrict_pool_size'],
    sshAutoMode: false,
  },
  // xcp-ng-rpms/xcp-ng-release SPECS/xcp-ng-release.spec: PRODUCT_VERSION 8.3.0, PRODUCT_VERSION_TEXT(_SHORT)
  // 8.3, PLATFORM_VERSION 3.4.0, BUILD_NUMBER 8.3.0; xapi 26.1.3. XCP-ng's licence daemon reports
  // dbv 0.0.1 and edition "xcp-ng" with every feature enabled. date and the xen release are emulated.
  'xcp-ng-8.3': {
    brand: 'XCP-ng',
    softwareVersion: [
      ['product_version', '8.3.0'],
      ['product_version_text', '8.3'],
      ['product_version_text_short', '8.3'],
      ['platform_name', 'XCP'],
      ['platform_version', '3.4.0'],
      ['product_brand', 'XCP-ng'],
      ['xapi', '26.1'],
      ['build_number', '8.3.0'],
      ['git_id', '3'],
      ['hostname', 'localhost'],
      ['date', '20260209T17:40:12Z'],
      ['dbv', '0.0.1'],
      ...tailKeys('26.1.3', '4.17.5-23'),
    ],
    edition: 'xcp-ng',
    editions: ['xcp-ng'],
    restricted: [],
    sshAutoMode: false,
  },
}

/**
 * Licence feature flags in features.ml order (`props_of_feature`); all "restrict_*" flags are negative
 * (true = restricted) except enable_xha. pool.restrictions / host.license_params are this list.
 */
export const FEATURE_FLAGS = [
  'restrict_vlan', 'restrict_qos', 'restrict_pool_attached_storage', 'restrict_netapp', 'restrict_equalogic',
  'restrict_pooling', 'enable_xha', 'restrict_marathon', 'restrict_email_alerting', 'restrict_historical_performance',
  'restrict_wlb', 'restrict_rbac', 'restrict_dmc', 'restrict_checkpoint', 'restrict_cpu_masking', 'restrict_connection',
  'platform_filter', 'regular_nag_dialog', 'restrict_vmpr', 'restrict_vmss', 'restrict_intellicache', 'restrict_gpu',
  'restrict_dr', 'restrict_vif_locking', 'restrict_storage_xen_motion', 'restrict_vgpu', 'restrict_integrated_gpu_passthrough',
  'restrict_vss', 'restrict_guest_agent_auto_update', 'restrict_pci_device_for_auto_update', 'restrict_xen_motion',
  'restrict_guest_ip_setting', 'restrict_ad', 'restrict_nested_virt', 'restrict_live_patching', 'restrict_set_vcpus_number_live',
  'restrict_pvs_proxy', 'restrict_igmp_snooping', 'restrict_rpu', 'restrict_pool_size', 'restrict_cbt', 'restrict_usb_passthrough',
  'restrict_network_sriov', 'restrict_corosync', 'restrict_cluster_address', 'restrict_zstd_export', 'restrict_pool_secret_rotation',
  'restrict_certificate_verification', 'restrict_updates', 'restrict_internal_repo_access', 'restrict_vtpm', 'restrict_vm_groups',
  'restrict_vm_start', 'restrict_vm_appliance_start',
]

/** The flag map for a product: every feature enabled except `restricted`. */
export function restrictionsOf(p: ProductInfo): XMap {
  return FEATURE_FLAGS.map((f) => {
    const restricted = p.restricted.includes(f)
    return [f, String(f === 'enable_xha' ? !restricted : restricted)]
  })
}

// --- emulated hardware: a 1-socket Intel Cascade Lake server (Dell PowerEdge R640 class) -----------------

export const CPU = {
  vendor: 'GenuineIntel',
  modelname: 'Intel(R) Xeon(R) Silver 4208 CPU @ 2.10GHz',
  family: 6,
  model: 85,
  stepping: '7',
  /** cpu_info:speed is the /proc/cpuinfo MHz string; host_cpu.speed its integer part */
  speed: '2095.078',
  threadsPerCore: 2,
  /** /proc/cpuinfo flags as seen from the PV control domain (Xen 4.17, Linux 4.19) */
  flags:
    'fpu de tsc msr pae mce cx8 apic sep mca cmov pat clflush acpi mmx fxsr sse sse2 ht syscall nx pdpe1gb rdtscp lm constant_tsc arch_perfmon rep_good nopl nonstop_tsc cpuid tsc_known_freq pni pclmulqdq monitor est ssse3 fma cx16 sse4_1 sse4_2 movbe popcnt aes xsave avx f16c rdrand hypervisor lahf_lm abm 3dnowprefetch cpuid_fault ssbd ibrs ibpb stibp fsgsbase bmi1 hle avx2 bmi2 erms rtm avx512f avx512dq rdseed adx clflushopt clwb avx512cd avx512bw avx512vl xsaveopt xsavec xgetbv1 pku ospke avx512_vnni md_clear arch_capabilities',
  // Xen featuresets (CPU_policy.to_string: 32-bit words joined by '-'); the HVM guest set matches a real
  // Intel featureset captured in xen-api's sdk-gen component tests, the others are derived from it.
  features_pv:
    '1fc9cbf5-f6f83203-2991cbf5-00000123-00000007-d19ae7ab-00000008-00000000-00101000-9c000400-00000000-00000000-00000000-00000000-00000000-00000000-04000000-00000000-00000000-00000000-00000000-00000000',
  features_hvm:
    '1fcbfbff-f7fa3203-2c100800-00000021-00000001-000007ab-00000000-00000000-00101000-bc000400-00000000-00000000-00000000-00000000-00000000-00000000-04000000-00000000-00000000-00000000-00000000-00000000',
  features_hvm_host:
    '1fcbfbff-f7fa3223-2d93fbff-00000423-0000000f-d19ffffb-00000008-00000000-00101000-bc000400-00000000-00000000-00000000-00000000-00000000-00000000-0c000000-00000000-00000000-00000000-00000000-00000000',
  features_pv_host:
    '1fc9cbf5-f6f83203-2991cbf5-00000123-0000000f-d19ffffb-00000008-00000000-00101000-9c000400-00000000-00000000-00000000-00000000-00000000-00000000-0c000000-00000000-00000000-00000000-00000000-00000000',
}

/** Xen's capability string "xen-3.0-x86_64 hvm-3.0-x86_32 hvm-3.0-x86_32p hvm-3.0-x86_64 " split on ' ' (xapi keeps the trailing ""). */
export const XEN_CAPABILITIES = ['xen-3.0-x86_64', 'hvm-3.0-x86_32', 'hvm-3.0-x86_32p', 'hvm-3.0-x86_64', '']

/** A quad-port Intel I350 (PIF_metrics of eth0..eth3). MACs: this OUI + random bytes, consecutive per port. */
export const NIC = {
  ports: 4,
  ouiPrefix: 'a0:36:9f',
  vendor_id: '8086',
  vendor_name: 'Intel Corporation',
  device_id: '1521',
  device_name: 'I350 Gigabit Network Connection',
  speed: 1000,
  pciBusPath: (port: number) => `0000:01:00.${port}`,
}

/**
 * Boot disk: a 500 GB (500107862016-byte) RAID virtual disk, /dev/disk/by-id/scsi-3<wwn>. The installer's
 * GPT layout (18 GiB root, 18 GiB backup, 512 MiB EFI, 4 GiB log, 1 GiB swap) leaves partition 3 for the
 * local SR; an LVM VG's size is whole 4 MiB extents after 1 MiB of alignment and 4 MiB of LVM metadata.
 */
export const DISK = {
  sizeBytes: 500107862016,
  wwnPrefix: '36d0946606c82a200',
  partition: 3,
  systemPartitionsBytes: (18 + 18 + 4 + 1) * 1024 ** 3 + 512 * 1024 ** 2,
  /** LVHD: the 4 MiB MGT (metadata) volume is the only LV of an empty SR */
  lvmMetadataVolumeBytes: 4 * 1024 ** 2,
}

/** dom0's root filesystem (18 GiB ext4) that holds /opt/xensource/packages/iso — sizes of the tools SR. */
export const DOM0_ROOT_FS = { sizeBytes: 18_945_626_112, usedBytes: 2_793_541_632 }

/** The XCP-ng tools ISO in /opt/xensource/packages/iso (xcp-ng-pv-tools); size emulated. */
export const XCPNG_TOOLS_ISO = { filename: 'guest-tools.iso', sizeBytes: 17_143_808 }

/**
 * host.bios_strings (bios_strings.ml: type 0/1/2 dmidecode strings, the two standard OEM strings,
 * the machine's type-11 strings, hp-rombios ""). `serial` comes from the world's ids.
 */
export function hostBiosStrings(serial: string): XMap {
  return [
    ['bios-vendor', 'Dell Inc.'],
    ['bios-version', '2.21.2'],
    ['system-manufacturer', 'Dell Inc.'],
    ['system-product-name', 'PowerEdge R640'],
    ['system-version', ''],
    ['system-serial-number', serial],
    ['baseboard-manufacturer', 'Dell Inc.'],
    ['baseboard-product-name', '0H28RR'],
    ['baseboard-version', 'A06'],
    ['baseboard-serial-number', `.${serial}.CNFCP0099J0123.`],
    ['oem-1', 'Xen'],
    ['oem-2', 'MS_VM_CERT/SHA1/bdbeb6e0a816d43fa6d3fe8aaef04c2bad9d3e3d'],
    ['oem-3', 'Dell System'],
    ['oem-4', '5[0000]'],
    ['hp-rombios', ''],
  ]
}

// --- allowed_operations as xapi computes them for the fresh objects ---------------------------------------
// Host and SR ops are collected from an OCaml Hashtbl (16 buckets, keys inserted in enum order) and listed in
// reverse bucket order; these are the resulting orders, checked against a real udev SR's
// ['vdi_introduce','unplug','plug','pbd_create','update','pbd_destroy','vdi_clone','scan'].

/** An enabled, live host without power-on mode: all but reboot/shutdown/apply_updates/power_on. */
export const HOST_ALLOWED_OPS = ['vm_migrate', 'provision', 'vm_resume', 'enable', 'evacuate', 'vm_start'] as const

/** xapi_pool_helpers.ml: every pool op in its list order, minus ha_disable (HA is off). */
export const POOL_ALLOWED_OPS = [
  'ha_enable', 'cluster_create', 'designate_new_master', 'tls_verification_enable', 'configure_repositories',
  'sync_updates', 'apply_updates', 'cert_refresh', 'exchange_certificates_on_join', 'exchange_ca_certificates_on_join',
  'copy_primary_host_certs', 'eject', 'get_updates',
] as const

/** xapi_vm_lifecycle.ml folds over vm_operations in enum order, so the lists come out reversed. */
export const DOM0_ALLOWED_OPS = ['metadata_export', 'changing_static_range', 'changing_dynamic_range'] as const
export const DEFAULT_TEMPLATE_ALLOWED_OPS = [
  'metadata_export', 'export', 'changing_NVRAM', 'changing_shadow_memory', 'changing_static_range',
  'changing_dynamic_range', 'provision', 'copy', 'clone',
] as const
