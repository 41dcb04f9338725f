// The default VM templates of a fresh host: what `create-guest-templates` (xenserver/guest-templates-json)
// imports into xapi at first boot.
//
// Sources: guest-templates-json v2.0.15 (json/*.json + guesttemplates/blank_template.py, loader.py), the
// XCP-ng 8.3 package (xcp-ng-rpms/guest-templates-json branch 8.3: upstream 2.0.15 + 10 extra JSONs), and
// xapi's /import_metadata handler (import.ml). `derived_from` chains are resolved here, i.e. each row is
// the template as xapi stores it. Installed by default: subpackages data-linux, data-windows, data-other
// (data-pv, i.e. the PV templates, is not installed).
//
// How the JSON becomes a VM record (the rules the rows rely on):
//  * memory: static_min = min_memory, static_max = dynamic_min = dynamic_max = 2 × min_memory; target 0;
//  * VCPUs_max = VCPUs_at_startup (1, Windows 2, Oracle Linux 8 2), VCPUs_params {};
//  * platform: the JSON `platform` keys in inheritance order, then nx/acpi/apic/pae/hpet added by the
//    loader's defaults; keys whose value is null/"" (UEFI templates' "device-model": null) are dropped;
//  * other_config as imported: [mac_seed (random), <family keys>, disks, <extra keys>]; the import
//    strips default_template and prepends import_task, then VM.set_is_default_template prepends
//    default_template="true" — see fresh-host.ts;
//  * disks/recommendations XML: written by python3's minidom on dom0 (Python 3.6, which serialises
//    attributes sorted by name), hence `<disk bootable=".." device="0" size=".." sr="" type="system"/>`
//    and `<restriction max="255" property="number-of-vbds"/>`;
//  * has_vendor_device is never copied from the JSON (blank_template.py blacklists it): false on every
//    template; the Windows recommendation has-vendor-device=true is what vm-install applies;
//  * generation_id: "0:0" for Windows (base-windows.json), "" otherwise (templates keep it on import);
//  * HVM_boot_policy "BIOS order", so domain_type hvm; actions after shutdown/reboot/crash:
//    destroy/restart/restart; user_version 1; version 1 (a restore-import increments the exported 0).
import type { XMap } from '../values'
import type { Profile } from '../world/fresh-host'

const DESC = {
  LINUX:
    'To use this template from the CLI, install your VM using vm-install, then set other-config-install-repository to the path to your network repository, e.g. http://<server>/<path> or nfs:server:/<path>',
  SLE: 'Template that allows VM installation from SLES-based distros. To use this template from the CLI, install your VM using vm-install, then watch the virtual display in XenCenter, and fill in the prompts.',
  OTHER: 'Template which allows VM installation from install media',
}
const windowsDescription = (name: string) =>
  `Clones of this template will automatically provision their storage when first booted and then reconfigure themselves with the optimal settings for ${name}.`

const LINUX_UEFI_PLATFORM: XMap = [
  ['vga', 'std'], ['videoram', '8'], ['viridian', 'false'], ['device_id', '0001'], ['secureboot', 'auto'],
  ['nx', 'true'], ['acpi', '1'], ['apic', 'true'], ['pae', 'true'], ['hpet', 'true'],
]
const LINUX_BIOS_PLATFORM: XMap = [
  ['vga', 'std'], ['videoram', '8'], ['viridian', 'false'], ['device_id', '0001'], ['device-model', 'qemu-upstream-compat'],
  ['secureboot', 'false'], ['nx', 'true'], ['acpi', '1'], ['apic', 'true'], ['pae', 'true'], ['hpet', 'true'],
]
const WINDOWS_PLATFORM: XMap = [
  ['cores-per-socket', '2'], ['device_id', '0002'], ['viridian', 'true'], ['viridian_time_ref_count', 'true'],
  ['viridian_reference_tsc', 'true'], ['viridian_apic_assist', 'true'], ['viridian_crash_ctl', 'true'], ['viridian_stimer', 'true'],
  ['secureboot', 'auto'], ['vga', 'std'], ['videoram', '8'], ['nx', 'true'], ['acpi', '1'], ['apic', 'true'], ['pae', 'true'], ['hpet', 'true'],
]
const OTHER_PLATFORM: XMap = [
  ['viridian', 'true'], ['secureboot', 'false'], ['nx', 'true'], ['acpi', '1'], ['apic', 'true'], ['pae', 'true'], ['hpet', 'true'],
]

/** `<restrictions>` XML; every variant shares the number-of-vbds/vifs tail. */
const restrictions = (fields: string) =>
  `<restrictions>${fields}<restriction max="255" property="number-of-vbds"/><restriction max="7" property="number-of-vifs"/></restrictions>`
const r = (field: string, attr: string, value: string) => `<restriction field="${field}" ${attr}="${value}"/>`
const MAX_1536G = r('memory-static-max', 'max', '1649267441664')
const LINUX_GPU = r('allow-gpu-passthrough', 'value', '1') + r('allow-vgpu', 'value', '1') + r('allow-network-sriov', 'value', '1')
const boot = (bios: string, uefi: string, sb: string) =>
  r('supports-bios', 'value', bios) + r('supports-uefi', 'value', uefi) + r('supports-secure-boot', 'value', sb)
const WIN_HEAD = MAX_1536G + r('vcpus-min', 'min', '2') + r('vcpus-max', 'max', '64') + r('has-vendor-device', 'value', 'true')

export type FamilyName = 'LINUX_UEFI' | 'LINUX_BIOS' | 'OTHER' | 'WINDOWS' | 'WINDOWS_10' | 'WINDOWS_11'

export const RECOMMENDATIONS: Record<FamilyName | 'WINDOWS_2025', string> = {
  LINUX_UEFI: restrictions(MAX_1536G + r('vcpus-max', 'max', '64') + r('has-vendor-device', 'value', 'false') + LINUX_GPU + boot('yes', 'yes', 'yes')),
  LINUX_BIOS: restrictions(MAX_1536G + r('vcpus-max', 'max', '64') + r('has-vendor-device', 'value', 'false') + LINUX_GPU + boot('yes', 'no', 'no')),
  OTHER: restrictions(r('memory-static-max', 'max', '137438953472') + r('vcpus-max', 'max', '64') + r('has-vendor-device', 'value', 'false') + boot('yes', 'yes', 'yes')),
  WINDOWS: restrictions(WIN_HEAD + r('allow-network-sriov', 'value', '1') + boot('yes', 'yes', 'yes')),
  WINDOWS_10: restrictions(WIN_HEAD + boot('yes', 'yes', 'yes')),
  WINDOWS_11: restrictions(WIN_HEAD + boot('no', 'yes', 'yes')),
  WINDOWS_2025: restrictions(WIN_HEAD + r('allow-network-sriov', 'value', '1') + boot('no', 'yes', 'yes')),
}

interface Family {
  platform: XMap
  HVM_boot_params: XMap
  /** other_config keys that precede `disks`. */
  otherConfig: XMap
  vcpus: number
  generation_id: string
  /** the `bootable` attribute of the provisioned disk */
  bootable: boolean
}
const LINUX_OC: XMap = [['linux_template', 'true'], ['install-methods', 'cdrom,nfs,http,ftp']]
const windows = (platform: XMap): Family => ({
  platform, HVM_boot_params: [['firmware', 'uefi'], ['order', 'cd']], otherConfig: [['install-methods', 'cdrom']],
  vcpus: 2, generation_id: '0:0', bootable: false,
})
export const FAMILIES: Record<FamilyName, Family> = {
  LINUX_UEFI: { platform: LINUX_UEFI_PLATFORM, HVM_boot_params: [['firmware', 'uefi'], ['order', 'cdn']], otherConfig: LINUX_OC, vcpus: 1, generation_id: '', bootable: true },
  LINUX_BIOS: { platform: LINUX_BIOS_PLATFORM, HVM_boot_params: [['firmware', 'bios'], ['order', 'cdn']], otherConfig: LINUX_OC, vcpus: 1, generation_id: '', bootable: true },
  OTHER: { platform: OTHER_PLATFORM, HVM_boot_params: [['firmware', 'bios'], ['order', 'cd']], otherConfig: [['install-methods', 'cdrom']], vcpus: 1, generation_id: '', bootable: true },
  WINDOWS: windows(WINDOWS_PLATFORM),
  WINDOWS_10: windows([...WINDOWS_PLATFORM, ['acpi_laptop_slate', '1']]),
  WINDOWS_11: windows([...WINDOWS_PLATFORM, ['acpi_laptop_slate', '1'], ['vtpm', 'true']]),
}

export interface TemplateDef {
  uuid: string
  name_label: string
  reference_label: string
  /** 'all': upstream guest-templates-json (both profiles); 'xcp-ng': one of XCP-ng 8.3's extra JSONs. */
  set: 'all' | 'xcp-ng'
  family: FamilyName
  /** recommendations variant when it differs from the family's */
  recommendations?: keyof typeof RECOMMENDATIONS
  description: string
  /** min_memory of the JSON (memory_static_min), MiB */
  memoryMiB: number
  /** VCPUs_max = VCPUs_at_startup, when not the family's */
  vcpus?: number
  /** size of the one provisioned system disk (device 0); none for "Other install media" */
  diskGiB?: number
  /** other_config keys after `disks` */
  extraOtherConfig?: XMap
}

/** Installed templates, sorted by name_label (the creation order used for the world). */
export const TEMPLATES: TemplateDef[] = [
  { uuid: '1d1fef56-2e79-49cb-97bb-ec5401096b0b', name_label: 'AlmaLinux 10', reference_label: 'almalinux-10',
    set: 'xcp-ng', family: 'LINUX_UEFI', description: DESC.LINUX, memoryMiB: 2048, diskGiB: 15 },
  { uuid: '7aa32be8-a06c-4ade-8a1d-49e51e03e9d2', name_label: 'AlmaLinux 8', reference_label: 'almalinux-8',
    set: 'xcp-ng', family: 'LINUX_BIOS', description: DESC.LINUX, memoryMiB: 2048, diskGiB: 10 },
  { uuid: '09d6b4cc-dd4b-4619-aacb-01576ccd5b0f', name_label: 'AlmaLinux 9', reference_label: 'almalinux-9',
    set: 'xcp-ng', family: 'LINUX_BIOS', description: DESC.LINUX, memoryMiB: 2048, diskGiB: 15 },
  { uuid: '11fd3dc9-96cc-49af-b091-a2ca7e94c589', name_label: 'CentOS 7 (deprecated)', reference_label: 'centos-7',
    set: 'all', family: 'LINUX_BIOS', description: DESC.LINUX, memoryMiB: 2048, diskGiB: 10 },
  { uuid: '203103c5-f257-4ef6-ac59-f3e7184c8b1b', name_label: 'CentOS Stream 10', reference_label: 'centos-10',
    set: 'all', family: 'LINUX_UEFI', description: DESC.LINUX, memoryMiB: 2048, diskGiB: 10 },
  { uuid: '6de5fcb6-aad9-42b6-8dce-865ae9b933f9', name_label: 'CentOS Stream 8', reference_label: 'centos-stream-8',
    set: 'xcp-ng', family: 'LINUX_BIOS', description: DESC.LINUX, memoryMiB: 2048, diskGiB: 15 },
  { uuid: 'a3d70e4d-c5ac-4dfb-999b-30a0a7efe546', name_label: 'CentOS Stream 9', reference_label: 'centos-9',
    set: 'all', family: 'LINUX_BIOS', description: DESC.LINUX, memoryMiB: 2048, diskGiB: 10 },
  { uuid: '07d91aaa-43f7-430a-bf84-0edb6714df0f', name_label: 'Debian Bookworm 12', reference_label: 'debian-12',
    set: 'all', family: 'LINUX_UEFI', description: DESC.LINUX, memoryMiB: 1024, diskGiB: 10 },
  { uuid: 'acfeecf4-4007-412b-8f13-6d61a6aee5bd', name_label: 'Debian Bullseye 11', reference_label: 'debian-11',
    set: 'all', family: 'LINUX_BIOS', description: DESC.LINUX, memoryMiB: 512, diskGiB: 10 },
  { uuid: 'bac315b4-66fd-4488-82f5-9808e927b4b9', name_label: 'Debian Buster 10 (deprecated)', reference_label: 'debian-10',
    set: 'all', family: 'LINUX_BIOS', description: DESC.LINUX, memoryMiB: 512, diskGiB: 10 },
  { uuid: '0f690a2c-2bf3-4bde-b5b6-3fd236adbc88', name_label: 'Debian Trixie 13', reference_label: 'debian-13',
    set: 'xcp-ng', family: 'LINUX_UEFI', description: DESC.LINUX, memoryMiB: 1024, diskGiB: 10 },
  { uuid: 'dfbd1201-329f-4c87-9f0c-78a6f5270ba0', name_label: 'Generic Linux BIOS', reference_label: 'generic-linux-bios',
    set: 'xcp-ng', family: 'LINUX_BIOS', description: DESC.LINUX, memoryMiB: 1024, diskGiB: 10 },
  { uuid: 'b73b736f-8dee-4bbe-9380-30d1e1854958', name_label: 'Generic Linux UEFI', reference_label: 'generic-linux-uefi',
    set: 'xcp-ng', family: 'LINUX_UEFI', description: DESC.LINUX, memoryMiB: 1024, diskGiB: 10 },
  { uuid: '9340090e-90ca-11ea-ab10-2e858157d830', name_label: 'Gooroom Platform 2.0', reference_label: 'gooroom-2',
    set: 'all', family: 'LINUX_BIOS', description: DESC.LINUX, memoryMiB: 1024, diskGiB: 10 },
  { uuid: '7279a78a-4756-4fc3-99f0-3e7694c0319e', name_label: 'NeoKylin Linux Server 7', reference_label: 'kylin-server-7',
    set: 'all', family: 'LINUX_BIOS', description: DESC.LINUX, memoryMiB: 1024, diskGiB: 10 },
  { uuid: '64310f80-396d-4096-bfae-3d2bdbb6e8b2', name_label: 'Oracle Linux 10', reference_label: 'oel-10',
    set: 'xcp-ng', family: 'LINUX_UEFI', description: DESC.LINUX, memoryMiB: 2048, diskGiB: 15 },
  { uuid: 'f873abe0-b138-4995-8f6f-498b423d234d', name_label: 'Oracle Linux 7 (deprecated)', reference_label: 'oel-7',
    set: 'all', family: 'LINUX_BIOS', description: DESC.LINUX, memoryMiB: 2048, diskGiB: 10 },
  { uuid: '6959dfe8-534c-4c58-8a8c-3c3792293543', name_label: 'Oracle Linux 8', reference_label: 'oel-8',
    set: 'all', family: 'LINUX_UEFI', description: DESC.LINUX, memoryMiB: 2048, vcpus: 2, diskGiB: 10 },
  { uuid: '609d03e9-d7aa-448b-b9bf-9a3f7c613506', name_label: 'Oracle Linux 9', reference_label: 'oel-9',
    set: 'xcp-ng', family: 'LINUX_BIOS', description: DESC.LINUX, memoryMiB: 2048, diskGiB: 15 },
  { uuid: '552bce37-51b2-445d-84f2-5f33fa112d7e', name_label: 'Other install media', reference_label: 'other-install-media',
    set: 'all', family: 'OTHER', description: DESC.OTHER, memoryMiB: 128 },
  { uuid: '7375046a-c05e-435b-9f04-5314a64e6a5e', name_label: 'Red Hat Enterprise Linux 10 (preview)', reference_label: 'rhel-10',
    set: 'all', family: 'LINUX_UEFI', description: DESC.LINUX, memoryMiB: 2048, diskGiB: 10 },
  { uuid: '03d30863-86a2-428e-94c8-88ddfcb8cd29', name_label: 'Red Hat Enterprise Linux 7 (deprecated)', reference_label: 'rhel-7',
    set: 'all', family: 'LINUX_BIOS', description: DESC.LINUX, memoryMiB: 2048, diskGiB: 10 },
  { uuid: '612863ed-900d-456d-b4b7-38b70915fd1f', name_label: 'Red Hat Enterprise Linux 8', reference_label: 'rhel-8',
    set: 'all', family: 'LINUX_UEFI', description: DESC.LINUX, memoryMiB: 2048, diskGiB: 10 },
  { uuid: '6c91b878-5095-421e-a914-224b3bb1088c', name_label: 'Red Hat Enterprise Linux 9', reference_label: 'rhel-9',
    set: 'all', family: 'LINUX_UEFI', description: DESC.LINUX, memoryMiB: 2048, diskGiB: 10 },
  { uuid: '651760be-61eb-42d2-b49b-6df2521266c5', name_label: 'Rocky Linux 10', reference_label: 'rocky-10',
    set: 'xcp-ng', family: 'LINUX_UEFI', description: DESC.LINUX, memoryMiB: 2048, diskGiB: 15 },
  { uuid: '6ce77bf9-ab30-4a1a-a757-011b52d89997', name_label: 'Rocky Linux 8', reference_label: 'rocky-8',
    set: 'all', family: 'LINUX_UEFI', description: DESC.LINUX, memoryMiB: 2048, diskGiB: 10 },
  { uuid: '1a647cf9-99c1-4e9c-b3b4-6b9989c530be', name_label: 'Rocky Linux 9', reference_label: 'rocky-9',
    set: 'all', family: 'LINUX_UEFI', description: DESC.LINUX, memoryMiB: 2048, diskGiB: 15 },
  { uuid: 'b5915805-d800-459d-826a-322dc9cf07e2', name_label: 'SUSE Linux Enterprise 15 (64-bit)', reference_label: 'sle-15-64bit',
    set: 'all', family: 'LINUX_UEFI', description: DESC.LINUX, memoryMiB: 1024, diskGiB: 8, extraOtherConfig: [['install-arch', 'x86_64']] },
  { uuid: '110ecfa7-0fe4-4b35-a247-0b0141a738ba', name_label: 'SUSE Linux Enterprise Server 12 SP5 (64-bit)', reference_label: 'sles-12-sp5-64bit',
    set: 'all', family: 'LINUX_BIOS', description: DESC.SLE, memoryMiB: 1024, diskGiB: 8, extraOtherConfig: [['install-arch', 'x86_64']] },
  { uuid: '4b116889-af64-42af-ba86-75dcb3cb7828', name_label: 'Scientific Linux 7 (deprecated)', reference_label: 'sl-7',
    set: 'all', family: 'LINUX_BIOS', description: DESC.LINUX, memoryMiB: 2048, diskGiB: 10 },
  { uuid: '2cf37285-57bc-4633-a24f-0c6c825dda66', name_label: 'Ubuntu Focal Fossa 20.04 (deprecated)', reference_label: 'ubuntu-20.04',
    set: 'all', family: 'LINUX_UEFI', description: DESC.LINUX, memoryMiB: 512, diskGiB: 10 },
  { uuid: 'df1a0e64-3799-482b-aa9f-1ed713c7dac5', name_label: 'Ubuntu Jammy Jellyfish 22.04', reference_label: 'ubuntu-22.04',
    set: 'all', family: 'LINUX_UEFI', description: DESC.LINUX, memoryMiB: 1024, diskGiB: 10 },
  { uuid: 'ff1f3e17-84d9-4d72-962d-571c4ceb527b', name_label: 'Ubuntu Noble Numbat 24.04', reference_label: 'ubuntu-24.04',
    set: 'all', family: 'LINUX_UEFI', description: DESC.LINUX, memoryMiB: 1024, diskGiB: 10 },
  { uuid: '7774689b-4ca1-4dea-8545-dddd6b64c17f', name_label: 'Windows 10 (64-bit)', reference_label: 'windows-10-64bit',
    set: 'all', family: 'WINDOWS_10', description: windowsDescription('Windows 10 (64-bit)'), memoryMiB: 2048, diskGiB: 32 },
  { uuid: '1f8728f9-6354-4a68-adc3-222c34f2bb94', name_label: 'Windows 11', reference_label: 'windows-11',
    set: 'all', family: 'WINDOWS_11', description: windowsDescription('Windows 11'), memoryMiB: 4096, diskGiB: 64 },
  { uuid: 'c15fab79-6cce-4e1f-916f-a64b98ff9e7d', name_label: 'Windows Server 2016 (64-bit)', reference_label: 'windows-server-2016-64bit',
    set: 'all', family: 'WINDOWS', description: windowsDescription('Windows Server 2016 (64-bit)'), memoryMiB: 1024, diskGiB: 32 },
  { uuid: 'd986ea98-09fa-4e9a-9ee6-e6c78119496f', name_label: 'Windows Server 2019 (64-bit)', reference_label: 'windows-server-2019-64bit',
    set: 'all', family: 'WINDOWS', description: windowsDescription('Windows Server 2019 (64-bit)'), memoryMiB: 1024, diskGiB: 32 },
  { uuid: '1c33af1c-e919-418c-ad45-85d7d6fb604a', name_label: 'Windows Server 2022 (64-bit)', reference_label: 'windows-server-2022-64bit',
    set: 'all', family: 'WINDOWS', description: windowsDescription('Windows Server 2022 (64-bit)'), memoryMiB: 1024, diskGiB: 32 },
  { uuid: '905ab443-e415-4d52-bfef-e14b147eac4e', name_label: 'Windows Server 2025', reference_label: 'windows-server-2025',
    set: 'all', family: 'WINDOWS', recommendations: 'WINDOWS_2025', description: windowsDescription('Windows Server 2025'), memoryMiB: 2048, diskGiB: 64 },
]

const MiB = 1024 * 1024
const GiB = 1024 * MiB

/** The `other-config:disks` XML of a template with one system disk. */
export const provisionXml = (sizeBytes: number, bootable: boolean) =>
  `<provision><disk bootable="${bootable}" device="0" size="${sizeBytes}" sr="" type="system"/></provision>`

/** A template's VM fields as xapi stores them after the import (other_config without the keys added at import). */
export interface TemplateFields {
  uuid: string
  name_label: string
  name_description: string
  reference_label: string
  memory_static_min: number
  memory_static_max: number
  memory_dynamic_min: number
  memory_dynamic_max: number
  VCPUs_max: number
  VCPUs_at_startup: number
  VCPUs_params: XMap
  platform: XMap
  HVM_boot_policy: string
  HVM_boot_params: XMap
  other_config: XMap
  recommendations: string
  has_vendor_device: boolean
  generation_id: string
  domain_type: 'hvm'
}

export function templateFields(t: TemplateDef): TemplateFields {
  const f: Family = FAMILIES[t.family]
  const vcpus = t.vcpus ?? f.vcpus
  const disks: XMap = t.diskGiB ? [['disks', provisionXml(t.diskGiB * GiB, f.bootable)]] : []
  return {
    uuid: t.uuid,
    name_label: t.name_label,
    name_description: t.description,
    reference_label: t.reference_label,
    memory_static_min: t.memoryMiB * MiB,
    memory_static_max: 2 * t.memoryMiB * MiB,
    memory_dynamic_min: 2 * t.memoryMiB * MiB,
    memory_dynamic_max: 2 * t.memoryMiB * MiB,
    VCPUs_max: vcpus,
    VCPUs_at_startup: vcpus,
    VCPUs_params: [],
    platform: f.platform,
    HVM_boot_policy: 'BIOS order',
    HVM_boot_params: f.HVM_boot_params,
    other_config: [...f.otherConfig, ...disks, ...(t.extraOtherConfig ?? [])],
    recommendations: RECOMMENDATIONS[t.recommendations ?? t.family],
    has_vendor_device: false,
    generation_id: f.generation_id,
    domain_type: 'hvm',
  }
}

/** The templates a fresh host of the profile has. */
export function defaultTemplates(profile: Profile): TemplateDef[] {
  return TEMPLATES.filter((t) => t.set === 'all' || profile === 'xcp-ng-8.3')
}
