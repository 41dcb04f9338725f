// SM (storage manager) driver records of a fresh host, as xapi registers them at start-up
// (storage_access.ml on_xapi_start → xapi_sm.ml create_from_query_result).
//
// Source data: DRIVER_INFO / CAPABILITIES / CONFIGURATION of each SMAPIv1 plugin, xapi-project/sm v3.2.12
// (XenServer 8) and xcp-ng/sm 3.2.12-8.3 (XCP-ng 8.3; the drivers both ship are identical).
// What xapi does with them:
//  * only plugins present as executables in /opt/xensource/sm AND named in xapi.conf `sm-plugins` are
//    registered: SHMSR is deleted by sm's Makefile and there is no RawHBASR, so `shm`/`rawhba` (listed in
//    sm-plugins) have no record; XCP-ng adds cephfs glusterfs xfs zfs largeblock (its xapi.conf patch);
//  * type = lower-cased file prefix (LVMSR → lvm, ISCSISR → iscsi), driver_filename = /opt/xensource/sm/<prefix>SR;
//  * sm's util.sr_get_driver_info adds VDI_ACTIVATE/VDI_DEACTIVATE when ATOMIC_PAUSE is present; xapi drops
//    capabilities it does not know (ATOMIC_PAUSE), parses "CAP/n" versions (default 1) and sorts them by name:
//    `features` is that sorted map, `capabilities` its keys;
//  * records are created in alphabetical order of type.
// `features` below is written as "NAME" (version 1) or "NAME/n".
import type { XMap } from '../values'
import type { Profile } from '../world/fresh-host'

export interface SmDriver {
  type: string
  /** Registered on XCP-ng 8.3 only. */
  xcpngOnly: boolean
  /** Executable name prefix in /opt/xensource/sm (…SR). */
  file: string
  name_label: string
  name_description: string
  vendor: string
  copyright: string
  version: string
  required_api_version: string
  features: string
  configuration: XMap
}

export const SM_DRIVERS: SmDriver[] = [
  {
    type: 'cephfs', xcpngOnly: true, file: 'CephFS',
    name_label: 'CephFS VHD',
    name_description: 'SR plugin which stores disks as VHD files on a CephFS storage',
    vendor: 'Vates SAS', copyright: '(C) 2020 Vates SAS', version: '1.0', required_api_version: '1.0',
    features: 'SR_PROBE SR_UPDATE VDI_ACTIVATE VDI_ATTACH VDI_CLONE VDI_CREATE VDI_DEACTIVATE VDI_DELETE VDI_DETACH VDI_GENERATE_CONFIG VDI_MIRROR VDI_RESET_ON_BOOT/2 VDI_RESIZE VDI_SNAPSHOT VDI_UPDATE',
    configuration: [['server', 'Ceph server(s) (required, ex: "192.168.0.12" or "10.10.10.10,10.10.10.26")'], ['serverpath', 'Ceph FS path (required, ex: "/")'], ['serverport', 'ex: 6789'], ['options', 'Ceph FS client name, and secretfile (required, ex: "name=admin,secretfile=/etc/ceph/admin.secret")']],
  },
  {
    type: 'dummy', xcpngOnly: false, file: 'Dummy',
    name_label: 'dummy',
    name_description: 'SR plugin which manages fake data',
    vendor: 'Citrix Systems Inc', copyright: '(C) 2008 Citrix Systems Inc', version: '1.0', required_api_version: '1.1',
    features: 'SR_PROBE VDI_ACTIVATE VDI_ATTACH VDI_CLONE VDI_CREATE VDI_DEACTIVATE VDI_DELETE VDI_DETACH VDI_INTRODUCE VDI_MIRROR VDI_RESIZE VDI_SNAPSHOT',
    configuration: [],
  },
  {
    type: 'ext', xcpngOnly: false, file: 'EXT',
    name_label: 'Local EXT3 VHD',
    name_description: 'SR plugin which represents disks as VHD files stored on a local EXT3 filesystem, created inside an LVM volume',
    vendor: 'Citrix Systems Inc', copyright: '(C) 2008 Citrix Systems Inc', version: '1.0', required_api_version: '1.0',
    features: 'SR_PROBE SR_SUPPORTS_LOCAL_CACHING SR_UPDATE THIN_PROVISIONING VDI_ACTIVATE VDI_ATTACH VDI_CLONE VDI_CONFIG_CBT VDI_CREATE VDI_DEACTIVATE VDI_DELETE VDI_DETACH VDI_GENERATE_CONFIG VDI_MIRROR VDI_READ_CACHING VDI_RESET_ON_BOOT/2 VDI_RESIZE VDI_SNAPSHOT VDI_UPDATE',
    configuration: [['device', 'local device path (required) (e.g. /dev/sda3)']],
  },
  {
    type: 'file', xcpngOnly: false, file: 'File',
    name_label: 'Local Path VHD',
    name_description: 'SR plugin which represents disks as VHD files stored on a local path',
    vendor: 'Citrix Systems Inc', copyright: '(C) 2008 Citrix Systems Inc', version: '1.0', required_api_version: '1.0',
    features: 'SR_PROBE SR_UPDATE THIN_PROVISIONING VDI_ACTIVATE VDI_ATTACH VDI_CLONE VDI_CONFIG_CBT VDI_CREATE VDI_DEACTIVATE VDI_DELETE VDI_DETACH VDI_GENERATE_CONFIG VDI_MIRROR VDI_RESIZE VDI_SNAPSHOT',
    configuration: [['location', 'local directory path (required)']],
  },
  {
    type: 'glusterfs', xcpngOnly: true, file: 'GlusterFS',
    name_label: 'GlusterFS VHD',
    name_description: 'SR plugin which stores disks as VHD files on a GlusterFS storage',
    vendor: 'Vates SAS', copyright: '(C) 2020 Vates SAS', version: '1.0', required_api_version: '1.0',
    features: 'SR_PROBE SR_UPDATE VDI_ACTIVATE VDI_ATTACH VDI_CLONE VDI_CREATE VDI_DEACTIVATE VDI_DELETE VDI_DETACH VDI_GENERATE_CONFIG VDI_MIRROR VDI_RESET_ON_BOOT/2 VDI_RESIZE VDI_SNAPSHOT VDI_UPDATE',
    configuration: [['server', 'Full path to share on gluster server (required, ex: "192.168.0.12:/gv0")'], ['backupservers', 'list of servers separated by ":"'], ['fetchattempts', 'number of attempts to fetch files before switching to the backup server']],
  },
  {
    type: 'hba', xcpngOnly: false, file: 'HBA',
    name_label: 'HBA LUN-per-VDI driver',
    name_description: 'SR plugin which represents LUNs as VDIs sourced by hardware HBA adapters, e.g. hardware-based iSCSI or FC support',
    vendor: 'Citrix Systems Inc', copyright: '(C) 2008 Citrix Systems Inc', version: '1.0', required_api_version: '1.0',
    features: 'SR_PROBE VDI_ATTACH VDI_CREATE VDI_DELETE VDI_DETACH VDI_INTRODUCE',
    configuration: [['type', 'HBA type (optional) (e.g. FC, iSCSI, SAS etc..)']],
  },
  {
    type: 'iscsi', xcpngOnly: false, file: 'ISCSI',
    name_label: 'iSCSI',
    name_description: 'Base ISCSI SR driver, provides a LUN-per-VDI. Does not support creation of VDIs but accesses existing LUNs on a target.',
    vendor: 'Citrix Systems Inc', copyright: '(C) 2008 Citrix Systems Inc', version: '1.0', required_api_version: '1.0',
    features: 'SR_PROBE VDI_ATTACH VDI_CREATE VDI_DELETE VDI_DETACH VDI_INTRODUCE',
    configuration: [['target', 'IP address or hostname of the iSCSI target (required)'], ['targetIQN', 'The IQN of the target LUN group to be attached (required)'], ['chapuser', 'The username to be used during CHAP authentication (optional)'], ['chappassword', 'The password to be used during CHAP authentication (optional)'], ['incoming_chapuser', 'The incoming username to be used during bi-directional CHAP authentication (optional)'], ['incoming_chappassword', 'The incoming password to be used during bi-directional CHAP authentication (optional)'], ['port', 'The network port number on which to query the target (optional)'], ['multihomed', 'Enable multi-homing to this target, true or false (optional, defaults to same value as host.other_config:multipathing)'], ['force_tapdisk', 'Force use of tapdisk, true or false (optional, defaults to false)']],
  },
  {
    type: 'iso', xcpngOnly: false, file: 'ISO',
    name_label: 'ISO',
    name_description: 'Handles CD images stored as files in iso format',
    vendor: 'Citrix Systems Inc', copyright: '(C) 2008 Citrix Systems Inc', version: '1.0', required_api_version: '1.0',
    features: 'SR_ATTACH SR_DETACH SR_SCAN VDI_ATTACH VDI_CREATE VDI_DELETE VDI_DETACH',
    configuration: [['location', 'path to mount (required) (e.g. server:/path)'], ['options', 'extra options to pass to mount (e.g. \'-o ro\')'], ['type', 'cifs (SMB) or nfs_iso'], ['nfsversion', 'NFS protocol version - 3, 4, 4.0, 4.1'], ['vers', 'SMB version, default version 3'], ['username', 'Username to authenticate to SMB share with, can be domain\\username'], ['cifspassword_secret', 'Secret ID containing the password to authenticate to SMB'], ['cifspassword', 'Password to authenticate to SMB, (deprecated see cifspassword_secret)']],
  },
  {
    type: 'largeblock', xcpngOnly: true, file: 'LargeBlock',
    name_label: 'Large Block SR',
    name_description: 'SR plugin which emulates a 512 bytes disk on top of a 4KiB device then create a EXT SR',
    vendor: 'Vates', copyright: '(C) 2024 Vates', version: '1.0', required_api_version: '1.0',
    features: 'SR_PROBE SR_SUPPORTS_LOCAL_CACHING SR_UPDATE THIN_PROVISIONING VDI_ACTIVATE VDI_ATTACH VDI_CLONE VDI_CONFIG_CBT VDI_CREATE VDI_DEACTIVATE VDI_DELETE VDI_DETACH VDI_GENERATE_CONFIG VDI_MIRROR VDI_READ_CACHING VDI_RESET_ON_BOOT/2 VDI_RESIZE VDI_SNAPSHOT VDI_UPDATE',
    configuration: [['device', 'local device path (required) (e.g. /dev/sda3)']],
  },
  {
    type: 'lvm', xcpngOnly: false, file: 'LVM',
    name_label: 'Local VHD on LVM',
    name_description: 'SR plugin which represents disks as VHD disks on Logical Volumes within a locally-attached Volume Group',
    vendor: 'XenSource Inc', copyright: '(C) 2008 XenSource Inc', version: '1.0', required_api_version: '1.0',
    features: 'SR_PROBE SR_TRIM SR_UPDATE VDI_ACTIVATE VDI_ATTACH VDI_CLONE VDI_CONFIG_CBT VDI_CREATE VDI_DEACTIVATE VDI_DELETE VDI_DETACH VDI_MIRROR VDI_RESET_ON_BOOT/2 VDI_RESIZE VDI_SNAPSHOT VDI_UPDATE',
    configuration: [['device', 'local device path (required) (e.g. /dev/sda3)']],
  },
  {
    type: 'lvmofcoe', xcpngOnly: false, file: 'LVMoFCoE',
    name_label: 'LVHD over FCoE',
    name_description: 'SR plugin which represents disks as VHDs on Logical     Volumes within a Volume Group created on a FCoE LUN',
    vendor: 'Citrix Systems Inc', copyright: '(C) 2015 Citrix Systems Inc', version: '1.0', required_api_version: '1.0',
    features: 'SR_METADATA SR_PROBE SR_TRIM SR_UPDATE VDI_ACTIVATE VDI_ATTACH VDI_CLONE VDI_CONFIG_CBT VDI_CREATE VDI_DEACTIVATE VDI_DELETE VDI_DETACH VDI_GENERATE_CONFIG VDI_MIRROR VDI_RESET_ON_BOOT/2 VDI_RESIZE VDI_SNAPSHOT VDI_UPDATE',
    configuration: [['SCSIid', 'The scsi_id of the destination LUN'], ['allocation', 'Valid values are thick or thin(optional,                 defaults to thick)']],
  },
  {
    type: 'lvmohba', xcpngOnly: false, file: 'LVMoHBA',
    name_label: 'LVHD over FC',
    name_description: 'SR plugin which represents disks as VHDs on Logical Volumes within a Volume Group created on an HBA LUN, e.g. hardware-based iSCSI or FC support',
    vendor: 'Citrix Systems Inc', copyright: '(C) 2008 Citrix Systems Inc', version: '1.0', required_api_version: '1.0',
    features: 'SR_METADATA SR_PROBE SR_TRIM SR_UPDATE VDI_ACTIVATE VDI_ATTACH VDI_CLONE VDI_CONFIG_CBT VDI_CREATE VDI_DEACTIVATE VDI_DELETE VDI_DETACH VDI_GENERATE_CONFIG VDI_MIRROR VDI_RESET_ON_BOOT/2 VDI_RESIZE VDI_SNAPSHOT VDI_UPDATE',
    configuration: [['SCSIid', 'The scsi_id of the destination LUN'], ['allocation', 'Valid values are thick or thin (optional, defaults to thick)']],
  },
  {
    type: 'lvmoiscsi', xcpngOnly: false, file: 'LVMoISCSI',
    name_label: 'LVHD over iSCSI',
    name_description: 'SR plugin which represents disks as Logical Volumes within a Volume Group created on an iSCSI LUN',
    vendor: 'Citrix Systems Inc', copyright: '(C) 2008 Citrix Systems Inc', version: '1.0', required_api_version: '1.0',
    features: 'SR_METADATA SR_PROBE SR_TRIM SR_UPDATE VDI_ACTIVATE VDI_ATTACH VDI_CLONE VDI_CONFIG_CBT VDI_CREATE VDI_DEACTIVATE VDI_DELETE VDI_DETACH VDI_GENERATE_CONFIG VDI_MIRROR VDI_RESET_ON_BOOT/2 VDI_RESIZE VDI_SNAPSHOT VDI_UPDATE',
    configuration: [['SCSIid', 'The scsi_id of the destination LUN'], ['target', 'IP address or hostname of the iSCSI target'], ['targetIQN', 'The IQN of the target LUN group to be attached'], ['chapuser', 'The username to be used during CHAP authentication'], ['chappassword', 'The password to be used during CHAP authentication'], ['incoming_chapuser', 'The incoming username to be used during bi-directional CHAP authentication (optional)'], ['incoming_chappassword', 'The incoming password to be used during bi-directional CHAP authentication (optional)'], ['port', 'The network port number on which to query the target'], ['multihomed', 'Enable multi-homing to this target, true or false (optional, defaults to same value as host.other_config:multipathing)'], ['usediscoverynumber', 'The specific iscsi record index to use. (optional)'], ['allocation', 'Valid values are thick or thin (optional, defaults to thick)']],
  },
  {
    type: 'nfs', xcpngOnly: false, file: 'NFS',
    name_label: 'NFS VHD',
    name_description: 'SR plugin which stores disks as VHD files on a remote NFS filesystem',
    vendor: 'Citrix Systems Inc', copyright: '(C) 2008 Citrix Systems Inc', version: '1.0', required_api_version: '1.0',
    features: 'SR_CACHING SR_PROBE SR_UPDATE THIN_PROVISIONING VDI_ACTIVATE VDI_ATTACH VDI_CLONE VDI_CONFIG_CBT VDI_CREATE VDI_DEACTIVATE VDI_DELETE VDI_DETACH VDI_GENERATE_CONFIG VDI_MIRROR VDI_READ_CACHING VDI_RESET_ON_BOOT/2 VDI_RESIZE VDI_SNAPSHOT VDI_UPDATE',
    configuration: [['server', 'hostname or IP address of NFS server (required)'], ['serverpath', 'path on remote server (required)'], ['nfsversion', 'NFS protocol version - 3, 4, 4.0, 4.1']],
  },
  {
    type: 'smb', xcpngOnly: false, file: 'SMB',
    name_label: 'SMB VHD',
    name_description: 'SR plugin which stores disks as VHD files on a remote SMB filesystem',
    vendor: 'Citrix Systems Inc', copyright: '(C) 2015 Citrix Systems Inc', version: '1.0', required_api_version: '1.0',
    features: 'SR_CACHING SR_PROBE SR_UPDATE THIN_PROVISIONING VDI_ACTIVATE VDI_ATTACH VDI_CLONE VDI_CONFIG_CBT VDI_CREATE VDI_DEACTIVATE VDI_DELETE VDI_DETACH VDI_GENERATE_CONFIG VDI_MIRROR VDI_READ_CACHING VDI_RESET_ON_BOOT/2 VDI_RESIZE VDI_SNAPSHOT VDI_UPDATE',
    configuration: [['server', 'Full path to share root on SMB server (required)'], ['username', 'The username to be used during SMB authentication'], ['password', 'The password to be used during SMB authentication']],
  },
  {
    type: 'udev', xcpngOnly: false, file: 'udev',
    name_label: 'udev',
    name_description: 'SR plugin which represents devices plugged in via udev as VDIs',
    vendor: 'Citrix Systems Inc', copyright: '(C) 2008 Citrix Systems Inc', version: '1.0', required_api_version: '1.1',
    features: 'SR_UPDATE VDI_ATTACH VDI_DETACH VDI_INTRODUCE VDI_UPDATE',
    configuration: [['location', 'path to mount (required) (e.g. server:/path)']],
  },
  {
    type: 'xfs', xcpngOnly: true, file: 'XFS',
    name_label: 'Local XFS VHD',
    name_description: 'SR plugin which represents disks as VHD files stored on a local XFS filesystem, created inside an LVM volume',
    vendor: 'Vates SAS', copyright: '(C) 2019 Vates SAS', version: '1.0', required_api_version: '1.0',
    features: 'SR_PROBE SR_SUPPORTS_LOCAL_CACHING SR_UPDATE THIN_PROVISIONING VDI_ACTIVATE VDI_ATTACH VDI_CLONE VDI_CONFIG_CBT VDI_CREATE VDI_DEACTIVATE VDI_DELETE VDI_DETACH VDI_GENERATE_CONFIG VDI_MIRROR VDI_READ_CACHING VDI_RESET_ON_BOOT/2 VDI_RESIZE VDI_SNAPSHOT VDI_UPDATE',
    configuration: [['device', 'local device path (required) (e.g. /dev/sda3)']],
  },
  {
    type: 'zfs', xcpngOnly: true, file: 'ZFS',
    name_label: 'Local ZFS VHD',
    name_description: 'SR plugin which represents disks as VHD files stored on a ZFS disk',
    vendor: 'Vates SAS', copyright: '(C) 2020 Vates SAS', version: '1.0', required_api_version: '1.0',
    features: 'SR_UPDATE THIN_PROVISIONING VDI_ACTIVATE VDI_ATTACH VDI_CLONE VDI_CONFIG_CBT VDI_CREATE VDI_DEACTIVATE VDI_DELETE VDI_DETACH VDI_GENERATE_CONFIG VDI_MIRROR VDI_RESIZE VDI_SNAPSHOT',
    configuration: [['location', 'local ZFS directory path (required)']],
  },]

export const SM_DIR = '/opt/xensource/sm'

/** The drivers registered on a fresh host of the profile, in creation order. */
export function smDrivers(profile: Profile): SmDriver[] {
  return SM_DRIVERS.filter((d) => profile === 'xcp-ng-8.3' || !d.xcpngOnly)
}

/** "SR_PROBE VDI_RESET_ON_BOOT/2" → [["SR_PROBE", 1], ["VDI_RESET_ON_BOOT", 2]] */
export function smFeatures(d: SmDriver): XMap<number> {
  return d.features.split(' ').map((f) => {
    const [name, v] = f.split('/')
    return [name!, v ? Number(v) : 1]
  })
}
