// The SM drivers behind each SR type, as far as xapi can see them: how each driver validates its device-config
// (its load / create / attach / probe, xapi-project/sm v3.2.12: NFSSR.py, ISOSR.py, LVHDSR.py, EXTSR.py, FileSR.py,
// SMBSR.py, BaseISCSI.py + LVHDoISCSISR.py, LVHDoHBASR.py, udevSR.py, DummySR.py), the error each failure becomes
// (XE_SR_ERRORCODES.xml; sm_exec.ml turns a fault into SR_BACKEND_FAILURE_<code> ["", "<description>[ [opterr=…]]",
// "<stderr>"] — the driver's stderr carries the XML it prints while probing — except codes 16, 24, 39 and 144,
// which become SR_DEVICE_IN_USE, VDI_IN_USE, SR_NOT_EMPTY and VDI_MISSING), the XML sr-probe prints, and the
// sizes an attached SR reports.
//
// The world around the host is emulated, deterministically:
//  * every name that is a valid host name or IP address resolves and answers (NFS 3 and 4, SMB, iSCSI on 3260);
//  * an NFS server exports the paths its SRs were created on (none until then); an export holds the SRs
//    created there, forgotten ones included (sm-state.ts); an iSCSI target offers one LUN whose SCSIid derives
//    from the target; the host has no Fibre Channel HBA, so lvmohba probes list no device;
//  * local block devices are /dev/sd*, /dev/vd*, /dev/xvd*, /dev/nvme*, /dev/md*, /dev/mapper/* and
//    /dev/disk/by-*/*: /dev/sda is the system disk (its partitions 1 and 2 hold the system, 3 the local SR);
//  * a new device, LUN or export has `physical-size` bytes when sr-create gives one, else the size of the
//    system disk (local devices) or 1 TiB (network storage); a file SR lives on dom0's root filesystem;
//  * an ISO SR in legacy mode (device-config:legacy_mode=true) reads a real directory of this machine; remote
//    ISO libraries (NFS "server:/path", CIFS "//server/share") are empty.
import { existsSync, readdirSync, statSync, statfsSync } from 'node:fs'
import { join } from 'node:path'
import type { Db, XObj } from './db'
import { XapiError } from './errors'
import { DISK, DOM0_ROOT_FS } from './data/host'
import { forgottenSrs } from './sm-state'
import { mapGet, mapHas, type XMap } from './values'

const MiB = 1024 * 1024
const TiB = 1024 * 1024 * MiB
/** The size of an emulated network LUN or NFS/SMB export when sr-create gives no physical-size. */
export const NETWORK_STORAGE_BYTES = TiB
/** The size of an emulated local disk when sr-create gives no physical-size (the system disk's model). */
export const LOCAL_DISK_BYTES = DISK.sizeBytes

// ---------------------------------------------------------------------------------------------------------
// SM errors (XE_SR_ERRORCODES.xml, transcribed).

export const SM_ERROR_CODES = {
  InvalidArg: [1, 'Invalid argument'],
  SRInUse: [16, 'The SR device is currently in use'],
  InvalidDev: [19, 'No such device'],
  VDIInUse: [24, 'The VDI is currently in use'],
  Unimplemented: [38, 'The requested method is not supported/implemented'],
  SRNotEmpty: [39, 'The SR is not empty'],
  SRExists: [42, 'The SR already exists'],
  VDIExists: [43, 'The VDI already exists'],
  SRNoSpace: [44, 'There is insufficient space'],
  VDIUnavailable: [46, 'The VDI is not available'],
  SRUnavailable: [47, 'The SR is not available'],
  SRUnknownType: [48, 'Unknown repository type'],
  LVMMaster: [58, 'Logical Volume request must come from master'],
  FileSRCreate: [61, 'File SR creation error'],
  NFSVersion: [72, 'Required NFS server version unsupported'],
  NFSMount: [73, 'NFS mount error'],
  NFSAttached: [75, 'NFS mount point already attached'],
  VDICreate: [78, 'VDI Creation failed'],
  NFSCreate: [88, 'NFS SR creation error'],
  ConfigDeviceMissing: [90, 'The request is missing the device parameter'],
  ConfigLocationMissing: [94, 'The request is missing the location parameter'],
  ConfigTargetMissing: [95, 'The request is missing the target parameter'],
  ConfigTargetIQNMissing: [96, 'The request is missing or has an incorrect target IQN parameter'],
  ConfigISCSIIQNMissing: [97, 'Unable to retrieve the host configuration ISCSI IQN parameter'],
  ConfigServerPathMissing: [101, 'The request is missing the serverpath parameter'],
  ConfigServerMissing: [102, 'The request is missing the server parameter'],
  Rootdev: [105, 'Root system device, cannot be used for VM storage'],
  ConfigSCSIid: [107, 'The SCSIid parameter is missing or incorrect'],
  NFSTarget: [108, 'Unable to detect an NFS service on this target.'],
  SMBMount: [111, 'SMB mount error'],
  ConfigParamsMissing: [115, 'Not all required parameters specified.'],
  DNSError: [140, 'Incorrect DNS name, unable to resolve.'],
  ISCSITarget: [141, 'Unable to connect to ISCSI service on target'],
  ISCSIPort: [142, 'Incorrect value for iSCSI port, must be a number between 1 and 65535'],
  VDIMissing: [144, 'VDI could not be found'],
  SMGeneral: [202, 'General backend error'],
  ISOMountFailure: [222, 'Could not mount the directory specified in Device Configuration'],
  ISOLocationStringError: [225, 'Incorrect Location string format. String must be in the format SERVER:PATH for NFS targets, or \\\\SERVER\\PATH for CIFS targets'],
  ISOLocalPath: [226, 'Invalid local path'],
  ISOInvalidXeMountOptions: [228, 'Require "-o" along with xe-mount-iso-sr'],
} as const satisfies Record<string, readonly [number, string]>
export type SmErrorName = keyof typeof SM_ERROR_CODES

/** The API error an SM fault becomes (sm_exec.ml exec_xmlrpc). `stderr` is what the driver printed there. */
export function smFault(code: number, reason: string, stderr = ''): XapiError {
  switch (code) {
    case 16:
      return new XapiError('SR_DEVICE_IN_USE', [])
    case 24:
      return new XapiError('VDI_IN_USE', [])
    case 39:
      return new XapiError('SR_NOT_EMPTY', [])
    default:
      return new XapiError(`SR_BACKEND_FAILURE_${code}`, ['', reason, stderr])
  }
}

/** xs_errors.XenError(key, opterr) raised by a driver, as xapi reports it. */
export function smFailure(name: SmErrorName, opterr?: string, stderr = ''): XapiError {
  const [code, description] = SM_ERROR_CODES[name]
  return smFault(code, opterr === undefined ? description : `${description} [opterr=${opterr}]`, stderr)
}

/** A Python exception that is no XenError: SRCommand.run reports it as fault 1200 with its text. */
const pythonException = (text: string) => smFault(1200, text)

// ---------------------------------------------------------------------------------------------------------
// XML as the drivers print it (xml.dom.minidom toprettyxml: tab indent, one-text-child elements on one line).

export type Xml = { tag: string; text?: string; children?: Xml[] }
const el = (tag: string, ...children: Xml[]): Xml => ({ tag, children })
const tx = (tag: string, text: string | number): Xml => ({ tag, text: String(text) })
const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;').replace(/>/g, '&gt;')

export function prettyXml(root: Xml): string {
  const out: string[] = ['<?xml version="1.0" ?>\n']
  const walk = (n: Xml, indent: string) => {
    if (n.text !== undefined) out.push(`${indent}<${n.tag}>${escapeXml(n.text)}</${n.tag}>\n`)
    else if (!n.children || n.children.length === 0) out.push(`${indent}<${n.tag}/>\n`)
    else {
      out.push(`${indent}<${n.tag}>\n`)
      for (const c of n.children) walk(c, indent + '\t')
      out.push(`${indent}</${n.tag}>\n`)
    }
  }
  walk(root, '')
  return out.join('')
}
/** What print(dom.toprettyxml(), file=sys.stderr) leaves on the driver's stderr. */
const printed = (x: Xml) => prettyXml(x) + '\n'

// ---------------------------------------------------------------------------------------------------------
// The emulated surroundings.

const HOSTNAME = /^(?=.{1,253}\.?$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/
const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)$/

/** Whether getaddrinfo would resolve the name (a host name or an IP address). */
export function resolvable(name: string): boolean {
  if (IPV4.test(name) || HOSTNAME.test(name)) return true
  const v6 = name.replace(/^\[|\]$/g, '')
  return v6.includes(':') && /^[0-9A-Fa-f:.]+$/.test(v6)
}

/** util._testHost: the name must resolve (DNSError); every resolvable host answers. */
function testHost(name: string): void {
  if (!resolvable(name)) throw smFailure('DNSError')
}

const LOCAL_DEVICE = /^\/dev\/(?:sd[a-z]+\d*|vd[a-z]+\d*|xvd[a-z]+\d*|hd[a-z]+\d*|nvme\d+n\d+(?:p\d+)?|md\d+|mapper\/.+|disk\/by-[a-z-]+\/.+|xapi\/.+)$/

/** The name a local device path stands for (the system disk's by-id paths are /dev/sda…). */
export function canonicalDevice(dev: string): string {
  const m = /^\/dev\/disk\/by-id\/scsi-(\w+?)(?:-part(\d+))?$/.exec(dev)
  if (m && m[1]!.startsWith(DISK.wwnPrefix)) return `/dev/sda${m[2] ?? ''}`
  return dev
}

const deviceList = (v: string) => v.split(',')

/** The devices of the PBDs of `host` (util.test_hostPBD_devs), canonical. */
function devicesInUse(db: Db, host: XObj<'host'>, exceptSr?: XObj<'SR'>): Set<string> {
  const used = new Set<string>()
  for (const p of db.referrers('PBD', 'host', host.ref)) {
    if (exceptSr && p.f.SR === exceptSr.ref) continue
    const d = mapGet(p.f.device_config, 'device')
    if (d) for (const x of deviceList(d)) used.add(canonicalDevice(x))
  }
  return used
}

/** lvutil.createVG's checks of each device. */
function assertDevicesUsable(devices: string): void {
  for (const dev of deviceList(devices)) {
    const c = canonicalDevice(dev)
    if (['/dev/sda', '/dev/sda1', '/dev/sda2'].includes(c)) {
      throw smFailure('Rootdev', `Device ${dev} contains core system files, please use another device`)
    }
    if (!LOCAL_DEVICE.test(dev)) throw smFailure('InvalidDev', `Device ${dev} does not exist`)
  }
}

/** An LVM volume group over a device of `bytes`: whole 4 MiB extents after 1 MiB of alignment. */
export const vgSize = (bytes: number) => Math.max(0, Math.floor((bytes - MiB) / (4 * MiB)) * 4 * MiB)

const hex = (s: string) => (require('node:crypto') as typeof import('node:crypto')).createHash('sha256').update(s).digest('hex')

/** The emulated iSCSI target's IQN (one per target address). */
export const emulatedTargetIqn = (target: string) => `iqn.2026-01.org.xesim:${target.replace(/[^A-Za-z0-9.:-]/g, '-').toLowerCase()}`
/** The SCSIid of the emulated target's single LUN. */
export const emulatedLunScsiId = (target: string, iqn: string) => `36001405${hex(`${target}|${iqn}`).slice(0, 24)}`

interface SrOnStorage {
  uuid: string
  type: string
  device_config: XMap
  physical_size: number
}

/** Every SR the storage knows of: those in the database (through their PBDs) and forgotten ones. */
function srsOnStorage(db: Db): SrOnStorage[] {
  const seen = new Set<string>()
  const out: SrOnStorage[] = []
  for (const sr of db.all('SR')) {
    for (const p of db.referrers('PBD', 'SR', sr.ref)) {
      if (seen.has(sr.f.uuid)) break
      seen.add(sr.f.uuid)
      out.push({ uuid: sr.f.uuid, type: sr.f.type, device_config: p.f.device_config, physical_size: sr.f.physical_size })
    }
  }
  for (const s of forgottenSrs(db)) {
    if (seen.has(s.uuid)) continue
    seen.add(s.uuid)
    out.push({ uuid: s.uuid, type: s.type, device_config: s.device_config, physical_size: s.physical_size })
  }
  return out
}

/** The paths an emulated NFS server exports: where SRs (NFS, or NFS ISO libraries) were made on it. */
function nfsExports(db: Db, server: string, except?: XObj<'SR'>): string[] {
  const paths = new Set<string>()
  for (const s of srsOnStorage(db)) {
    if (s.uuid === except?.f.uuid) continue
    if (s.type === 'nfs' && mapGet(s.device_config, 'server') === server) paths.add(mapGet(s.device_config, 'serverpath') ?? '/')
    const loc = mapGet(s.device_config, 'location')
    if (s.type === 'iso' && loc && !mapHas(s.device_config, 'legacy_mode')) {
      const i = loc.indexOf(':')
      if (i > 0 && loc.slice(0, i) === server) paths.add(loc.slice(i + 1))
    }
  }
  return [...paths].sort()
}

// ---------------------------------------------------------------------------------------------------------
// The drivers.

export type SmCommand = 'sr_create' | 'sr_attach' | 'sr_probe' | 'sr_delete' | 'sr_scan' | 'sr_update' | 'sr_detach'

export interface SmCall {
  db: Db
  /** the SR type (lower case) */
  type: string
  device_config: XMap
  /** the SR's sm_config (or the probe's) */
  sm_config: XMap
  host: XObj<'host'>
  /** absent when probing */
  sr?: XObj<'SR'>
  /** sr-create's physical-size (0: unknown) */
  physical_size?: number
}

/** What an attached SR reports: its size and what is used of it (-1: nothing known yet). */
export interface SrStat {
  physical_size: number
  physical_utilisation: number
}

export interface SmDriver {
  /** SR.load: what every command checks first (probes have no SR). */
  load?(c: SmCall, cmd: SmCommand): void
  /** sr_create: validation and the new SR's sizes; `sm_config` gets the keys the driver adds. */
  create?(c: SmCall): { stat?: SrStat; sm_config?: XMap }
  /** sr_attach. */
  attach?(c: SmCall): void
  /** sr_probe: the XML text. Drivers without one fail as "not implemented". */
  probe?(c: SmCall): string
}

const dc = (c: SmCall, k: string) => mapGet(c.device_config, k)
const sizeOr = (c: SmCall, dflt: number) => (c.physical_size && c.physical_size > 0 ? c.physical_size : dflt)

/** SR.deviceCheck. */
function deviceOf(c: SmCall): string {
  const d = dc(c, 'device')
  if (d === undefined) throw smFailure('ConfigDeviceMissing')
  return d
}

/** The VG list an LVM probe prints (lvutil.srlist_toxml): SRs whose VG is on one of the devices. */
function vgProbe(c: SmCall, types: string[], devOf: (dconf: XMap) => string | undefined, devices: string): string {
  const srs = srsOnStorage(c.db).filter((s) => types.includes(s.type))
  // lvutil.scan_srlist: each queried device names the SR whose VG it holds
  const found = new Map<string, { sr: SrOnStorage; devs: string[] }>()
  for (const dev of deviceList(devices)) {
    const sr = srs.find((s) => (devOf(s.device_config) ?? '').split(',').some((d) => canonicalDevice(d) === canonicalDevice(dev)))
    if (!sr) continue
    const f = found.get(sr.uuid)
    if (f) f.devs.push(dev)
    else found.set(sr.uuid, { sr, devs: [dev] })
  }
  const entries = [...found.values()].map(({ sr, devs }) => el('SR', tx('UUID', sr.uuid), tx('Devlist', devs.join(',')), tx('size', Math.max(0, sr.physical_size))))
  return prettyXml(el('SRlist', ...entries))
}

/** LVHDSR: local LVM (also the base of lvmoiscsi / lvmohba). */
function lvhd(deviceFor: (c: SmCall) => string, diskBytes: number): SmDriver {
  return {
    load(c) {
      if (!c.sr) return // a probe
      const a = dc(c, 'allocation')
      if (a !== undefined && a !== 'thick' && a !== 'thin') throw smFailure('InvalidArg', "Allocation parameter must be one of ['thick', 'thin']")
    },
    create(c) {
      const devices = deviceFor(c)
      const used = devicesInUse(c.db, c.host, c.sr)
      if (deviceList(devices).some((d) => used.has(canonicalDevice(d)))) throw smFailure('SRInUse')
      assertDevicesUsable(devices)
      const allocation = mapGet(c.sm_config, 'allocation') ?? dc(c, 'allocation') ?? 'thick'
      const m = /^\/dev\/disk\/by-id\/(scsi-\w+?)(?:-part\d+)?$/.exec(deviceList(devices)[0]!)
      const sm: XMap = [['allocation', allocation], ['use_vhd', 'true']]
      if (m) sm.push(['devserial', m[1]!])
      return { stat: { physical_size: vgSize(sizeOr(c, diskBytes)), physical_utilisation: 4 * MiB }, sm_config: sm }
    },
  }
}

const lvmDriver: SmDriver = {
  ...lvhd(deviceOf, LOCAL_DISK_BYTES),
  probe: (c) => vgProbe(c, ['lvm'], (d) => mapGet(d, 'device'), deviceOf(c)),
}

const extDriver: SmDriver = {
  create(c) {
    const devices = deviceOf(c)
    const used = devicesInUse(c.db, c.host, c.sr)
    if (deviceList(devices).some((d) => used.has(canonicalDevice(d)))) throw smFailure('SRInUse')
    assertDevicesUsable(devices)
    return { stat: { physical_size: vgSize(sizeOr(c, LOCAL_DISK_BYTES)), physical_utilisation: 0 } }
  },
  probe: (c) => vgProbe(c, ['ext'], (d) => mapGet(d, 'device'), deviceOf(c)),
}

/** NFSSR. */
const nfsDriver: SmDriver = {
  load(c) {
    if (dc(c, 'server') === undefined) throw smFailure('ConfigServerMissing')
    const v = dc(c, 'nfsversion')
    if (v && !(v === '3' || v.startsWith('4'))) throw pythonException('Invalid nfsversion.')
  },
  create(c) {
    const server = dc(c, 'server')!
    testHost(server)
    nfsServerPath(c, true)
    return { stat: { physical_size: sizeOr(c, NETWORK_STORAGE_BYTES), physical_utilisation: 0 } }
  },
  attach(c) {
    nfsServerPath(c, false)
    testHost(dc(c, 'server')!)
  },
  probe(c) {
    const server = dc(c, 'server')!
    testHost(server)
    const path = nfsServerPath(c, true)
    const srs = srsOnStorage(c.db).filter((s) => s.type === 'nfs' && mapGet(s.device_config, 'server') === server && (mapGet(s.device_config, 'serverpath') ?? '') === path)
    return prettyXml(el('SRlist', ...srs.map((s) => el('SR', tx('UUID', s.uuid)))))
  },
}

/** NFSSR.validate_remotepath: without serverpath, a scan prints the server's exports on stderr. */
function nfsServerPath(c: SmCall, scan: boolean): string {
  const p = dc(c, 'serverpath')
  if (p !== undefined) return p
  const server = dc(c, 'server')!
  let stderr = ''
  if (scan) {
    const exports = nfsExports(c.db, server, c.sr).map((path) => el('Export', tx('Target', server), tx('Path', path), tx('Accesslist', '*')))
    stderr = printed(el('nfs-exports', ...exports))
  }
  throw smFailure('ConfigServerPathMissing', undefined, stderr)
}

/** SMBSR. */
const smbDriver: SmDriver = {
  load(c) {
    if (dc(c, 'server') === undefined) throw smFailure('ConfigServerMissing')
  },
  create: (c) => ({ stat: { physical_size: sizeOr(c, NETWORK_STORAGE_BYTES), physical_utilisation: 0 } }),
  probe(c) {
    const server = dc(c, 'server')!
    const srs = srsOnStorage(c.db).filter((s) => s.type === 'smb' && mapGet(s.device_config, 'server') === server)
    return prettyXml(el('SRlist', ...srs.map((s) => el('SR', tx('UUID', s.uuid)))))
  },
}

/** FileSR (type file): a directory of dom0's filesystem. */
const fileDriver: SmDriver = {
  load(c) {
    if (!dc(c, 'location')) throw smFailure('ConfigLocationMissing')
  },
  create(c) {
    // FileSR.create reports every failure, an existing non-empty directory included, as FileSRCreate
    const loc = dc(c, 'location')!
    if (srsOnStorage(c.db).some((s) => s.type === 'file' && s.uuid !== c.sr?.f.uuid && mapGet(s.device_config, 'location') === loc)) throw smFailure('FileSRCreate')
    return { stat: { physical_size: DOM0_ROOT_FS.sizeBytes, physical_utilisation: DOM0_ROOT_FS.usedBytes } }
  },
}

/** BaseISCSI.load + LVHDoISCSISR.load: target, the host's IQN, target IQN (else the IQNs), SCSIid (else the LUNs). */
function iscsiLoad(c: SmCall): void {
  const target = dc(c, 'target')
  if (!target) throw smFailure('ConfigTargetMissing')
  const local = dc(c, 'localIQN') ?? mapGet(c.host.f.other_config, 'iscsi_iqn')
  if (!local) throw smFailure('ConfigISCSIIQNMissing')
  const first = target.split(',')[0]!
  if (!resolvable(first)) throw smFailure('DNSError')
  let port = 3260
  const p = dc(c, 'port')
  if (p) {
    if (!/^\s*[+-]?\d+\s*$/.test(p)) throw smFailure('ISCSIPort')
    port = Number(p)
  }
  if (port > 65535 || port < 1) throw smFailure('ISCSIPort')
  const iqn = dc(c, 'targetIQN')
  if (!iqn) {
    const tgt = (i: number, addr: string, q: string) => el('TGT', tx('Index', i), tx('IPAddress', addr), ...(port !== 3260 ? [tx('Port', port)] : []), tx('TargetIQN', q))
    throw smFailure('ConfigTargetIQNMissing', undefined, printed(el('iscsi-target-iqns', tgt(0, first, emulatedTargetIqn(first)), tgt(1, target, '*'))))
  }
  if (!dc(c, 'SCSIid')) {
    const lun = el('LUN', tx('vendor', 'XESIM'), tx('serial', hex(`${first}|${iqn}|serial`).slice(0, 16)), tx('LUNid', 0), tx('size', NETWORK_STORAGE_BYTES), tx('SCSIid', emulatedLunScsiId(first, iqn)))
    throw smFailure('ConfigSCSIid', undefined, printed(el('iscsi-target', lun)))
  }
}

const scsiLvhd = lvhd(deviceOf, NETWORK_STORAGE_BYTES)

/** LVHDSR's device check compares devices; SAN SRs compare LUNs. Then the VG is made on the LUN. */
function createOnLun(c: SmCall): { stat?: SrStat; sm_config?: XMap } {
  const id = dc(c, 'SCSIid')!
  for (const p of c.db.referrers('PBD', 'host', c.host.ref)) {
    if (c.sr && p.f.SR === c.sr.ref) continue
    if (mapGet(p.f.device_config, 'SCSIid') === id) throw smFailure('SRInUse')
  }
  return scsiLvhd.create!({ ...c, device_config: [...c.device_config.filter(([k]) => k !== 'device'), ['device', `/dev/disk/by-scsid/${id}`]] })
}

/** LVHDoISCSISR: an LVM SR on the LUN named by SCSIid. */
const lvmoiscsiDriver: SmDriver = {
  load(c, cmd) {
    iscsiLoad(c)
    lvmDriver.load!(c, cmd)
  },
  create: createOnLun,
  probe: (c) => vgProbe(c, ['lvmoiscsi', 'lvmohba'], (d) => mapGet(d, 'SCSIid'), dc(c, 'SCSIid')!),
}

/** LVHDoHBASR: the host has no HBA, so a probe without SCSIid lists no device. */
const lvmohbaDriver: SmDriver = {
  load(c, cmd) {
    if (!dc(c, 'SCSIid')) throw smFailure('ConfigSCSIid', undefined, printed(el('Devlist')))
    lvmDriver.load!(c, cmd)
  },
  create: createOnLun,
  probe: (c) => vgProbe(c, ['lvmoiscsi', 'lvmohba'], (d) => mapGet(d, 'SCSIid'), dc(c, 'SCSIid')!),
}

/** ISOSR. */
const isoDriver: SmDriver = {
  load(c) {
    const location = dc(c, 'location')
    if (location === undefined) throw smFailure('ConfigLocationMissing')
    if (!mapHas(c.device_config, 'legacy_mode')) isoCheckTarget(c, location)
    const v = dc(c, 'nfsversion')
    if (v && !(v === '3' || v.startsWith('4'))) throw pythonException('Invalid nfsversion.')
  },
  create(c) {
    isoAttach(c)
    const type = dc(c, 'type')
    return { sm_config: type !== undefined ? [['iso_type', type]] : [] }
  },
  attach: (c) => isoAttach(c),
}

/** ISOSR._checkTargetStr (only with device-config:type). */
function isoCheckTarget(c: SmCall, location: string): void {
  const type = dc(c, 'type')
  if (type === undefined) return
  let tgt = ''
  if (type === 'cifs') {
    if (location.startsWith('//')) tgt = location.split('/')[2] ?? ''
    else if (location.startsWith('\\')) tgt = location.split('\\').find((x) => x !== '') ?? ''
    if (!tgt) throw smFailure('ISOLocationStringError')
  } else {
    if (!location.includes(':')) throw smFailure('ISOLocationStringError')
    tgt = location.split(':')[0]!
  }
  if (!resolvable(tgt)) throw smFailure('DNSError')
}

/** ISOSR.attach: legacy mode needs the local directory; NFS needs a server; CIFS without type needs "-o". */
function isoAttach(c: SmCall): void {
  const location = dc(c, 'location')!
  if (mapHas(c.device_config, 'legacy_mode')) {
    if (!existsSync(location)) throw smFailure('ISOLocalPath')
    return
  }
  const protocol = dc(c, 'type') ?? (location.includes(':/') ? 'nfs_iso' : 'cifs')
  if (protocol === 'nfs_iso') {
    const server = location.startsWith('[') ? location.slice(1, location.indexOf(']')) : location.split(':')[0]!
    testHost(server)
  } else if (protocol === 'cifs' && dc(c, 'type') === undefined) {
    const options = (dc(c, 'options') ?? '').split(' ')
    if (options[0] !== '-o' || options.length < 2) throw smFailure('ISOInvalidXeMountOptions')
  }
}

/** The directory an ISO SR's images are in, when it is a real one (legacy mode), plus iso_path. */
export function isoDirectory(device_config: XMap): string | undefined {
  if (!mapHas(device_config, 'legacy_mode')) return undefined
  const location = mapGet(device_config, 'location')
  if (location === undefined) return undefined
  let isoPath = mapGet(device_config, 'iso_path')
  if (isoPath === undefined) return location
  if (isoPath.startsWith('/')) isoPath = isoPath.slice(1)
  return join(location, isoPath)
}

export interface IsoImage {
  name: string
  size: number
}

/** ISOSR list_images: the *.iso and *.img files (case-insensitive) of the directory, directories excluded. */
export function listIsoImages(dir: string): IsoImage[] {
  const out: IsoImage[] = []
  for (const name of readdirSync(dir).sort()) {
    if (!/\.iso$|\.img$/i.test(name)) continue
    try {
      const st = statSync(join(dir, name))
      if (st.isDirectory()) continue
      out.push({ name, size: st.size })
    } catch {
      // a dangling link: os.stat fails, the VDI reads as size 0
      out.push({ name, size: 0 })
    }
  }
  return out
}

/** util.get_fs_size / get_fs_utilisation of a real directory. */
export function fsStat(dir: string): SrStat {
  const s = statfsSync(dir)
  return { physical_size: s.blocks * s.bsize, physical_utilisation: (s.blocks - s.bfree) * s.bsize }
}

/** udevSR: devices appear under `location` (none on the emulated host). */
const udevDriver: SmDriver = {
  load(c) {
    if (dc(c, 'location') === undefined) throw smFailure('ConfigLocationMissing')
  },
  create: () => ({ stat: { physical_size: 0, physical_utilisation: 0 } }),
}

/** DummySR: accepts everything; a probe makes up one SR of 1024 bytes. */
const dummyDriver: SmDriver = {
  probe(c) {
    // a made-up SR: its uuid derives from the device-config (a probe changes nothing, so no random draw is kept)
    const h = hex(`dummy|${JSON.stringify(c.device_config)}`)
    const uuid = `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`
    return prettyXml(el('SRlist', el('SR', tx('UUID', uuid), tx('Size', 1024))))
  },
}

const DRIVERS: Record<string, SmDriver> = {
  lvm: lvmDriver, ext: extDriver, nfs: nfsDriver, smb: smbDriver, file: fileDriver, lvmoiscsi: lvmoiscsiDriver, lvmohba: lvmohbaDriver,
  iso: isoDriver, udev: udevDriver, dummy: dummyDriver,
}

/** The driver of a type that has an SM record; other registered types behave as a driver without checks. */
export function smDriver(type: string): SmDriver {
  return DRIVERS[type] ?? {}
}

/** Storage_access.bind: SR_UNKNOWN_DRIVER [type] when no SM plugin of that type is registered. */
export function assertSmDriver(db: Db, type: string): void {
  if (!db.all('SM').some((sm) => sm.f.type === type)) throw new XapiError('SR_UNKNOWN_DRIVER', [type])
}

/** A probe's raw XML (SR.probe; drivers without probe fail as SMAPIv1's "not implemented" does). */
export function smProbe(c: SmCall): string {
  assertSmDriver(c.db, c.type)
  const d = smDriver(c.type)
  d.load?.(c, 'sr_probe')
  if (!d.probe) throw new XapiError('INTERNAL_ERROR', ['Smint.Not_implemented_in_backend'])
  return d.probe(c)
}

/** sr_create then the driver's checks; returns what the new SR reports. */
export function smCreate(c: SmCall): { stat?: SrStat; sm_config?: XMap } {
  const d = smDriver(c.type)
  d.load?.(c, 'sr_create')
  return d.create?.(c) ?? {}
}

/** sr_attach (PBD.plug). */
export function smAttach(c: SmCall): void {
  const d = smDriver(c.type)
  d.load?.(c, 'sr_attach')
  d.attach?.(c)
}

/** The SM stats of a new SR of this type when nothing else is known (sr-introduce + pbd-plug). */
export function defaultStat(c: SmCall): SrStat | undefined {
  switch (c.type) {
    case 'lvm':
      return { physical_size: vgSize(LOCAL_DISK_BYTES), physical_utilisation: 4 * MiB }
    case 'ext':
      return { physical_size: vgSize(LOCAL_DISK_BYTES), physical_utilisation: 0 }
    case 'lvmoiscsi':
    case 'lvmohba':
      return { physical_size: vgSize(NETWORK_STORAGE_BYTES), physical_utilisation: 4 * MiB }
    case 'nfs':
    case 'smb':
      return { physical_size: NETWORK_STORAGE_BYTES, physical_utilisation: 0 }
    case 'file':
      return { physical_size: DOM0_ROOT_FS.sizeBytes, physical_utilisation: DOM0_ROOT_FS.usedBytes }
    case 'udev':
      return { physical_size: 0, physical_utilisation: 0 }
    default:
      return undefined
  }
}
