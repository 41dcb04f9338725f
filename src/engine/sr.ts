// SR rules: SR.get_supported_types (xapi_sr.ml → sm.ml supported_drivers), the single host an SR is attached to
// (records.ml get_sr_host), the SM capabilities of an SR (xapi_sr_operations.ml features_of_sr), SR operation
// checks and allowed_operations (xapi_sr_operations.ml valid_operations / update_allowed_operations), the PBD an
// SR operation runs through (message_forwarding.ml choose_pbd_for_sr, sm.ml assert_pbd_is_plugged) and the space
// accounting the SM drivers do on VDI create/destroy/resize/snapshot (xapi-project/sm v3.2.12: SR._db_update,
// LVHDSR._updateStats, FileSR._update). Reference: xapi-model.md §11. Re-expressed from the sources.
import { statSync } from 'node:fs'
import type { Db, XObj } from './db'
import { XapiError } from './errors'
import { createPbdRecord, plugPbd } from './pbd'
import { enumValues } from './schema'
import {
  assertSmDriver, canonicalDevice, fsStat, isoDirectory, listIsoImages, NETWORK_STORAGE_BYTES, smCreate, smFailure, smProbe, type IsoImage,
} from './sr-types'
import { dropForgottenSr, dropForgottenVdis, forgottenSrs, forgottenVdis, rememberSr, rememberVdis, storedVdi } from './sm-state'
import { NULL_REF, mapGet, mapHas, type Ref, type XMap } from './values'
import { dbForgetVdi, introduceVdiRecord, updateVdiAllowedOperations } from './vdi'
import { deleteVdiData, homeOf } from './vdi-data'
import { ocamlHashtblFoldKeys, ocamlVariantHash, ocamlVariantHashtblFold } from './ocaml-hashtbl'

/**
 * The order xapi registers SMAPIv1 plugins in: Sys.readdir of /opt/xensource/sm, i.e. the filesystem's
 * directory order. It only decides the order of names that share a hash bucket. This order reproduces the
 * supported-sr-types line of a real pool with these thirteen plugins
 * ("smb; lvm; iso; nfs; lvmofcoe; udev; hba; dummy; ext; lvmoiscsi; lvmohba; file; iscsi"); plugins not in it
 * follow in the order of their SM records.
 */
const PLUGIN_DIRECTORY_ORDER = ['smb', 'lvm', 'iso', 'nfs', 'lvmofcoe', 'udev', 'hba', 'dummy', 'ext', 'lvmoiscsi', 'lvmohba', 'file', 'iscsi']

/**
 * SR.get_supported_types: the SMAPIv1 drivers xapi registered at start-up (one SM record each, type = lower-cased
 * plugin name), in the order Hashtbl.fold visits xapi's driver table.
 */
export function supportedTypes(db: Db): string[] {
  const types = db.all('SM').map((sm) => sm.f.type.toLowerCase())
  const rank = (t: string) => {
    const i = PLUGIN_DIRECTORY_ORDER.indexOf(t)
    return i < 0 ? PLUGIN_DIRECTORY_ORDER.length : i
  }
  const registered = types.map((t, i) => [t, i] as const).sort((a, b) => rank(a[0]) - rank(b[0]) || a[1] - b[1]).map(([t]) => t)
  return ocamlHashtblFoldKeys(registered)
}

/** records.ml get_sr_host: the host of the SR's only PBD, NULL when it has none or several. */
export function srHost(db: Db, sr: XObj<'SR'>): Ref {
  const pbds = db.referrers('PBD', 'SR', sr.ref)
  return pbds.length === 1 ? pbds[0]!.f.host : NULL_REF
}

// ---------------------------------------------------------------------------------------------------------
// SM drivers and their capabilities (xapi_sr_operations.ml features_of_sr, smint.ml Feature).

/** The SM capability names xapi knows (smint.ml string_to_capability_table); others are dropped. */
export const KNOWN_SM_CAPABILITIES = [
  'SR_CREATE', 'SR_DELETE', 'SR_ATTACH', 'SR_DETACH', 'SR_SCAN', 'SR_PROBE', 'SR_UPDATE', 'SR_SUPPORTS_LOCAL_CACHING',
  'SR_METADATA', 'SR_TRIM', 'SR_MULTIPATH', 'SR_CACHING', 'SR_STATS', 'VDI_CREATE', 'VDI_DELETE', 'VDI_ATTACH', 'VDI_DETACH',
  'VDI_MIRROR', 'VDI_MIRROR_IN', 'VDI_RESIZE', 'VDI_RESIZE_ONLINE', 'VDI_CLONE', 'VDI_SNAPSHOT', 'VDI_ACTIVATE',
  'VDI_ACTIVATE_READONLY', 'VDI_DEACTIVATE', 'VDI_UPDATE', 'VDI_INTRODUCE', 'VDI_GENERATE_CONFIG', 'VDI_ATTACH_OFFLINE',
  'VDI_RESET_ON_BOOT', 'VDI_CONFIG_CBT', 'VDI_COMPOSE', 'LARGE_VDI', 'THIN_PROVISIONING', 'VDI_READ_CACHING', 'VDI_REVERT',
] as const
export type SmCapability = (typeof KNOWN_SM_CAPABILITIES)[number]

/** The SM record of the SR's type (the first one, as Db.SM.get_internal_records_where type = … does), if any. */
export function smOf(db: Db, sr: XObj<'SR'>): XObj<'SM'> | undefined {
  return db.all('SM').find((sm) => sm.f.type === sr.f.type)
}

/** features_of_sr: the SM's features that xapi knows, as SR.type's SM record lists them (none without SM record). */
let knownCapabilities: Set<string> | undefined
export function srCapabilities(db: Db, sr: XObj<'SR'>): Set<SmCapability> {
  const sm = smOf(db, sr)
  const known = (knownCapabilities ??= new Set<string>(KNOWN_SM_CAPABILITIES))
  return new Set((sm?.f.features ?? []).map(([k]) => k).filter((k): k is SmCapability => known.has(k)))
}

export function hasSrCapability(db: Db, sr: XObj<'SR'>, cap: SmCapability): boolean {
  return srCapabilities(db, sr).has(cap)
}

/** SR_OPERATION_NOT_SUPPORTED [sr] unless the SR's SM has the capability. */
export function assertSrCapability(db: Db, sr: XObj<'SR'>, cap: SmCapability): void {
  if (!hasSrCapability(db, sr, cap)) throw new XapiError('SR_OPERATION_NOT_SUPPORTED', [sr.ref])
}

// ---------------------------------------------------------------------------------------------------------
// SR operations (xapi_sr_operations.ml).

export type SrOp = XObj<'SR'>['f']['allowed_operations'][number]

/**
 * all_ops in xapi's list order: the order the operations table is filled in, which decides the order of
 * allowed_operations. HEAD also has vdi_revert, which the datamodel enum xe knows lacks; it takes part in the
 * table (and so in the ordering) but is never listed (no SM driver has VDI_REVERT).
 */
const SR_ALL_OPS = [
  'scan', 'destroy', 'forget', 'plug', 'unplug', 'vdi_create', 'vdi_destroy', 'vdi_resize', 'vdi_clone', 'vdi_snapshot',
  'vdi_mirror', 'vdi_enable_cbt', 'vdi_disable_cbt', 'vdi_data_destroy', 'vdi_list_changed_blocks', 'vdi_set_on_boot',
  'vdi_introduce', 'vdi_revert', 'update', 'pbd_create', 'pbd_destroy',
] as const
type SrTableOp = (typeof SR_ALL_OPS)[number]

/** sm_cap_table: operations that need an SM capability (vdi_clone is faked by xapi, so it needs none). */
const SR_OP_CAPABILITY: Partial<Record<SrTableOp, SmCapability>> = {
  vdi_create: 'VDI_CREATE', vdi_destroy: 'VDI_DELETE', vdi_resize: 'VDI_RESIZE', vdi_introduce: 'VDI_INTRODUCE',
  vdi_mirror: 'VDI_MIRROR', vdi_enable_cbt: 'VDI_CONFIG_CBT', vdi_disable_cbt: 'VDI_CONFIG_CBT', vdi_data_destroy: 'VDI_CONFIG_CBT',
  vdi_list_changed_blocks: 'VDI_CONFIG_CBT', vdi_set_on_boot: 'VDI_RESET_ON_BOOT', update: 'SR_UPDATE', vdi_revert: 'VDI_REVERT',
  vdi_snapshot: 'VDI_SNAPSHOT',
}

/** record_util.ml sr_operation_to_string: how OTHER_OPERATION_IN_PROGRESS names an SR operation. */
export function srOpString(op: string): string {
  if (op.startsWith('vdi_')) return `VDI.${op.slice(4)}`
  if (op.startsWith('pbd_')) return `PBD.${op.slice(4)}`
  return op
}

/** Stdlib.compare on (task, op) pairs by op: the first of List.sort_uniq's result. */
function firstByOp(ops: Array<[string, string]>): [string, string] | undefined {
  return [...ops].sort((a, b) => ocamlVariantHash(a[1]) - ocamlVariantHash(b[1]))[0]
}

/** valid_operations: the error refusing each operation (undefined = possible), checks in xapi's order. */
function srOperationTable(db: Db, sr: XObj<'SR'>): Map<SrTableOp, XapiError | undefined> {
  const table = new Map<SrTableOp, XapiError | undefined>(SR_ALL_OPS.map((op) => [op, undefined]))
  const setErrors = (code: string, params: string[], ops: readonly SrTableOp[]) => {
    for (const op of ops) if (table.has(op) && table.get(op) === undefined) table.set(op, new XapiError(code, params))
  }
  // check_sm_features (the tools SR never offers VDI create/delete)
  const caps = srCapabilities(db, sr)
  if (sr.f.is_tools_sr) {
    caps.delete('VDI_CREATE')
    caps.delete('VDI_DELETE')
  }
  setErrors('SR_OPERATION_NOT_SUPPORTED', [sr.ref], SR_ALL_OPS.filter((op) => SR_OP_CAPABILITY[op] && !caps.has(SR_OP_CAPABILITY[op]!)))
  // check_any_attached_pbds (CA-70294)
  const pbds = db.referrers('PBD', 'SR', sr.ref)
  if (pbds.some((p) => p.f.currently_attached)) setErrors('SR_HAS_PBD', [sr.ref], ['destroy', 'forget'])
  // check_no_pbds
  if (pbds.length === 0) setErrors('SR_HAS_NO_PBDS', [sr.ref], ['destroy'])
  // check_any_managed_vdis
  if (db.anyWithField('VDI', 'SR', sr.ref, (v) => v.f.managed && v.f.type !== 'rrd')) setErrors('SR_NOT_EMPTY', [], ['destroy'])
  // check_parallel_ops: only plug may run alongside other operations
  const current = sr.f.current_operations as Array<[string, string]>
  const first = firstByOp(current)
  if (first) {
    setErrors('OTHER_OPERATION_IN_PROGRESS', ['SR', sr.ref, srOpString(first[1]), first[0]], SR_ALL_OPS.filter((op) => op !== 'plug'))
    const blocking = [...current].sort((a, b) => ocamlVariantHash(a[1]) - ocamlVariantHash(b[1])).find(([, op]) => op !== 'plug')
    if (blocking) setErrors('OTHER_OPERATION_IN_PROGRESS', ['SR', sr.ref, srOpString(blocking[1]), blocking[0]], ['plug'])
  }
  return table
}

/** The error SR.assert_operation_valid would raise for op, or undefined. */
export function srOperationError(db: Db, sr: XObj<'SR'>, op: SrOp): XapiError | undefined {
  return srOperationTable(db, sr).get(op)
}

/** Xapi_sr_operations.assert_operation_valid (what message forwarding checks before marking the SR). */
export function assertSrOperation(db: Db, sr: XObj<'SR'>, op: SrOp): void {
  const e = srOperationError(db, sr, op)
  if (e) throw e
}

/** SR.allowed_operations as update_allowed_operations computes it, in xapi's (Hashtbl.fold) order. */
export function srAllowedOperations(db: Db, sr: XObj<'SR'>): SrOp[] {
  const table = srOperationTable(db, sr)
  const known = new Set(enumValues('storage_operations') ?? [])
  return ocamlVariantHashtblFold(SR_ALL_OPS).filter((op) => table.get(op) === undefined && known.has(op)) as SrOp[]
}

export function updateSrAllowedOperations(db: Db, sr: XObj<'SR'>): void {
  db.set(sr, { allowed_operations: srAllowedOperations(db, sr) })
}

// ---------------------------------------------------------------------------------------------------------
// Where SR operations run (message_forwarding.ml choose_pbd_for_sr; sm.ml get_my_pbd_for_sr).

/**
 * The plugged PBD an SR operation is forwarded through: for a shared SR the coordinator's, else any plugged
 * one. None → SR_HAS_NO_PBDS [sr] (what VDI operations on an unplugged SR report).
 */
export function srOperationPbd(db: Db, sr: XObj<'SR'>): XObj<'PBD'> {
  const plugged = db.referrers('PBD', 'SR', sr.ref).filter((p) => p.f.currently_attached)
  let chosen: XObj<'PBD'> | undefined
  if (sr.f.shared) {
    const master = db.all('pool')[0]?.f.master
    chosen = plugged.find((p) => p.f.host === master)
  } else chosen = plugged[0]
  if (!chosen) throw new XapiError('SR_HAS_NO_PBDS', [sr.ref])
  return chosen
}

/** Sm.assert_pbd_is_plugged on the host the operation runs on: SR_HAS_NO_PBDS [sr] unless a PBD there is attached. */
export function assertPbdIsPlugged(db: Db, sr: XObj<'SR'>, host?: Ref): void {
  const pbds = db.referrers('PBD', 'SR', sr.ref).filter((p) => host === undefined || p.f.host === host)
  if (!pbds.some((p) => p.f.currently_attached)) throw new XapiError('SR_HAS_NO_PBDS', [sr.ref])
}

// ---------------------------------------------------------------------------------------------------------
// SM errors (XE_SR_ERRORCODES.xml; xs_errors.XenError; sm_exec.ml turns an XML-RPC fault into
// SR_BACKEND_FAILURE_<code> ["", "<description>[ [opterr=…]]", "<stderr>"]).

export const SM_ERRORS = {
  Unimplemented: [38, 'The requested method is not supported/implemented'],
  SRNoSpace: [44, 'There is insufficient space'],
  VDIExists: [43, 'The VDI already exists'],
  VDIUnavailable: [46, 'The VDI is not available'],
  VDIType: [66, 'Invalid VDI type'],
  VDICreate: [78, 'VDI Creation failed'],
  VDISize: [79, 'VDI Invalid size'],
  VDIDelete: [80, 'Failed to mark VDI hidden'],
  VDIClone: [81, 'Failed to clone VDI'],
  VDISnapshot: [82, 'Failed to snapshot VDI'],
  SnapshotChainTooLong: [109, 'The snapshot chain is too long'],
  VDIResize: [110, 'VDI resize failed'],
  IllegalXMLChar: [447, 'Illegal XML character.'],
} as const satisfies Record<string, readonly [number, string]>

/** An SM driver error as xapi reports it. (38 means "not implemented" to xapi; callers map it themselves.) */
export function smError(name: keyof typeof SM_ERRORS, opterr?: string): XapiError {
  const [code, description] = SM_ERRORS[name]
  const message = opterr === undefined ? description : `${description} [opterr=${opterr}]`
  return new XapiError(`SR_BACKEND_FAILURE_${code}`, ['', message, ''])
}

// ---------------------------------------------------------------------------------------------------------
// Storage back ends and space accounting.

/** How an SR type's driver stores VDIs (the SM driver family of xapi-project/sm and xcp-ng/sm). */
export type SrBackend = 'lvhd' | 'file' | 'iso' | 'udev' | 'lun' | 'dummy' | 'other'

const BACKENDS: Record<string, SrBackend> = {
  lvm: 'lvhd', lvmoiscsi: 'lvhd', lvmohba: 'lvhd', lvmofcoe: 'lvhd',
  ext: 'file', nfs: 'file', smb: 'file', file: 'file', xfs: 'file', zfs: 'file', cephfs: 'file', glusterfs: 'file', largeblock: 'file',
  iso: 'iso', udev: 'udev', iscsi: 'lun', hba: 'lun', rawhba: 'lun', dummy: 'dummy',
}

export function srBackend(sr: XObj<'SR'>): SrBackend {
  return BACKENDS[sr.f.type] ?? 'other'
}

/**
 * Provisioning of VDI data: LVHD SRs are thick unless sm_config:allocation=thin (LVHDSR.load), VHD-file SRs
 * thin, ISO/udev/LUN SRs hold files or devices whose size is their own.
 */
export function srProvisioning(sr: XObj<'SR'>): 'thick' | 'thin' | 'none' {
  const b = srBackend(sr)
  if (b === 'lvhd') return mapGet(sr.f.sm_config, 'allocation') === 'thin' ? 'thin' : 'thick'
  if (b === 'file') return 'thin'
  return 'none'
}

/** Free space as the SM sees it (LVM: VG free extents = physical_size − physical_utilisation). */
export function srFreeSpace(sr: XObj<'SR'>): number {
  return Math.max(0, sr.f.physical_size - sr.f.physical_utilisation)
}

/** LVHDSR._ensureSpaceAvailable: SR_BACKEND_FAILURE_44 ["", "There is insufficient space", ""] when short. */
export function assertSrSpace(sr: XObj<'SR'>, bytes: number): void {
  if (srFreeSpace(sr) < bytes) throw smError('SRNoSpace')
}

/**
 * The SM's stats update after a VDI operation (SR._db_update): virtual_allocation moves by the virtual size
 * added or removed, physical_utilisation by the space allocated or freed (never below 0 nor above the size).
 */
export function accountSrSpace(db: Db, sr: XObj<'SR'>, delta: { virtual?: number; physical?: number }): void {
  const patch: Partial<XObj<'SR'>['f']> = {}
  if (delta.virtual) patch.virtual_allocation = Math.max(0, sr.f.virtual_allocation + delta.virtual)
  if (delta.physical) {
    let used = Math.max(0, sr.f.physical_utilisation + delta.physical)
    if (sr.f.physical_size > 0) used = Math.min(used, sr.f.physical_size)
    patch.physical_utilisation = used
  }
  if (Object.keys(patch).length > 0) db.set(sr, patch)
}

// ---------------------------------------------------------------------------------------------------------
// The SR lifecycle: SR.create / introduce / forget / destroy / scan / update / probe (xapi_sr.ml, message_forwarding.ml
// SR module, storage_access.ml create_sr / destroy_sr, storage_smapiv1.ml; the drivers' side in sr-types.ts).
// Reference: xapi-model.md §3 (SR.forget / SR.destroy cascades), §11.1–§11.2; xe-cli-behaviour.md §9 (sr-create).

export interface SrCreateArgs {
  host: XObj<'host'>
  device_config: XMap
  physical_size: number
  name_label: string
  name_description: string
  type: string
  content_type: string
  shared: boolean
  sm_config: XMap
}

export interface SrIntroduceArgs {
  uuid: string
  name_label: string
  name_description: string
  type: string
  content_type: string
  shared: boolean
  sm_config: XMap
}

/** Xapi_sr.introduce: the record only (SR_UUID_EXISTS [uuid]); sizes unknown (-1) until attached. */
export function introduceSr(db: Db, a: SrIntroduceArgs): XObj<'SR'> {
  const uuid = a.uuid === '' ? db.ids.uuid() : a.uuid
  if (db.byUuid('SR', uuid)) throw new XapiError('SR_UUID_EXISTS', [uuid])
  const sr = db.create('SR', {
    uuid, name_label: a.name_label, name_description: a.name_description, allowed_operations: [], current_operations: [],
    virtual_allocation: 0, physical_utilisation: -1, physical_size: -1, content_type: a.content_type, type: a.type.toLowerCase(),
    shared: a.shared, other_config: [], sm_config: a.sm_config, blobs: [], tags: [], local_cache_enabled: false,
    introduced_by: NULL_REF, clustered: false, is_tools_sr: false,
  })
  updateSrAllowedOperations(db, sr)
  return sr
}

/** Whether the SR's storage keeps VDIs of its own (forgotten ones come back on SR.scan). */
const keepsForgottenVdis = (sr: XObj<'SR'>) => !['iso', 'udev', 'dummy'].includes(sr.f.type)

/** The device or LUN a forgotten SR of a block-based type lives on (a new SR there overwrites it). */
function blockIdentity(type: string, dc: XMap): string | undefined {
  if (type === 'lvm' || type === 'ext') {
    const d = mapGet(dc, 'device')
    return d === undefined ? undefined : d.split(',').map(canonicalDevice).sort().join(',')
  }
  if (type === 'lvmoiscsi' || type === 'lvmohba') return mapGet(dc, 'SCSIid')
  return undefined
}

/** Forgets the leftovers of forgotten SRs that a new SR was just created over (their VDI bytes go too). */
function overwriteForgotten(db: Db, type: string, dc: XMap): void {
  const id = blockIdentity(type, dc)
  if (id === undefined) return
  const home = homeOf(db)
  for (const s of forgottenSrs(db)) {
    const sid = blockIdentity(s.type, s.device_config)
    if (sid === undefined || !sid.split(',').some((d) => id.split(',').includes(d))) continue
    for (const v of forgottenVdis(db, s.uuid)) deleteVdiData(home, v.uuid)
    dropForgottenSr(db, s.uuid, true)
  }
}

/**
 * SR.create: the record, then its PBDs — one per host of the pool when shared (coordinator first), else one for
 * `host` — then the SM driver creates the SR (its device-config errors; SR_UNKNOWN_DRIVER for unregistered types)
 * and every PBD is plugged; the new SR reports its sizes.
 */
export function createSr(db: Db, a: SrCreateArgs): XObj<'SR'> {
  const sr = introduceSr(db, { uuid: db.ids.uuid(), ...a })
  const master = db.all('pool')[0]?.f.master
  const hosts = a.shared ? [...db.all('host').filter((h) => h.ref === master), ...db.all('host').filter((h) => h.ref !== master)] : [a.host]
  const pbds = hosts.map((h) => createPbdRecord(db, h, sr, a.device_config))
  assertSmDriver(db, sr.f.type)
  const made = smCreate({ db, type: sr.f.type, device_config: a.device_config, sm_config: a.sm_config, host: a.host, sr, physical_size: a.physical_size })
  if (made.sm_config && made.sm_config.length > 0) {
    const keys = new Set(made.sm_config.map(([k]) => k))
    db.set(sr, { sm_config: [...made.sm_config, ...a.sm_config.filter(([k]) => !keys.has(k))] })
  }
  if (made.stat) db.set(sr, made.stat)
  overwriteForgotten(db, sr.f.type, a.device_config)
  for (const p of pbds) plugPbd(db, p)
  updateSrAllowedOperations(db, sr)
  return sr
}

function assertAllPbdsUnplugged(db: Db, sr: XObj<'SR'>): void {
  if (db.referrers('PBD', 'SR', sr.ref).some((p) => p.f.currently_attached)) throw new XapiError('SR_HAS_PBD', [sr.ref])
}

/** Xapi_sr.really_forget: PBDs, VDI records (their VBDs are left pointing at nothing) and the SR record. */
function reallyForget(db: Db, sr: XObj<'SR'>): void {
  for (const p of [...db.referrers('PBD', 'SR', sr.ref)]) db.destroy(p)
  for (const v of [...db.referrers('VDI', 'SR', sr.ref)]) db.destroy(v)
  db.destroy(sr)
}

/**
 * SR.forget: every PBD must be unplugged (SR_HAS_PBD); the records go, the storage keeps the SR and its VDIs
 * (sr-probe finds it, sr-introduce + pbd-create + pbd-plug + sr-scan bring it back).
 */
export function forgetSr(db: Db, sr: XObj<'SR'>): void {
  assertSrOperation(db, sr, 'forget')
  assertAllPbdsUnplugged(db, sr)
  if (keepsForgottenVdis(sr)) {
    const pbd = db.referrers('PBD', 'SR', sr.ref)[0]
    rememberSr(db, {
      uuid: sr.f.uuid, type: sr.f.type, content_type: sr.f.content_type, name_label: sr.f.name_label, name_description: sr.f.name_description,
      shared: sr.f.shared, sm_config: sr.f.sm_config, device_config: pbd?.f.device_config ?? [], physical_size: sr.f.physical_size,
      physical_utilisation: sr.f.physical_utilisation,
    })
    rememberVdis(db, sr.f.uuid, db.referrers('VDI', 'SR', sr.ref).map((v) => storedVdi(db, v)))
  }
  reallyForget(db, sr)
}

/**
 * SR.destroy: refused while a PBD is attached (SR_HAS_PBD), without PBDs (SR_HAS_NO_PBDS), with managed VDIs
 * (SR_NOT_EMPTY), with other-config:indestructible=true (SR_INDESTRUCTIBLE) or while a host uses it as its local
 * cache (SR_IS_CACHE_SR); the SM driver refuses an SR still holding volumes (forgotten VDIs too: SR_NOT_EMPTY).
 * The storage and every record go.
 */
export function destroySr(db: Db, sr: XObj<'SR'>): void {
  assertSrOperation(db, sr, 'destroy')
  assertAllPbdsUnplugged(db, sr)
  if (mapGet(sr.f.other_config, 'indestructible') === 'true') throw new XapiError('SR_INDESTRUCTIBLE', [sr.ref])
  const cache = db.all('host').find((h) => h.f.local_cache_sr === sr.ref)
  if (cache) throw new XapiError('SR_IS_CACHE_SR', [cache.ref])
  const backend = srBackend(sr)
  const vdis = db.referrers('VDI', 'SR', sr.ref)
  const forgotten = forgottenVdis(db, sr.f.uuid)
  if ((backend === 'lvhd' || backend === 'file') && (vdis.some((v) => v.f.type !== 'rrd') || forgotten.length > 0)) {
    throw new XapiError('SR_NOT_EMPTY', [])
  }
  const home = homeOf(db)
  for (const v of vdis) deleteVdiData(home, v.f.uuid)
  for (const v of forgotten) deleteVdiData(home, v.uuid)
  dropForgottenSr(db, sr.f.uuid, true)
  reallyForget(db, sr)
}

/** SR.update: needs an attached PBD (SR_HAS_NO_PBDS); the SM refreshes the SR's sizes. */
export function updateSr(db: Db, sr: XObj<'SR'>): void {
  srOperationPbd(db, sr)
  if (sr.f.type === 'udev') {
    const sum = db.referrers('VDI', 'SR', sr.ref).reduce((n, v) => n + v.f.virtual_size, 0)
    db.set(sr, { physical_size: sum, physical_utilisation: sum, virtual_allocation: sum })
  }
  db.set(sr, { clustered: false })
}

const ISO_UUID_NAME = /^([0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12})\.(iso|img)/i

/** ISOVDI: names and tools-ISO version keys of an image file (legacy mode recognises the tools ISOs). */
function isoVdiNaming(file: string, legacy: boolean): { name_label: string; sm_config: XMap } {
  if (legacy && (file.startsWith('xs-tools') || file.startsWith('guest-tools'))) {
    const vsn = file.slice(file.indexOf('tools') + 'tools'.length, file.length - '.iso'.length).replace(/^-+|-+$/g, '')
    const i = vsn.indexOf('-')
    const [version, build] = i < 0 ? [vsn, '0'] : [vsn.slice(0, i), vsn.slice(i + 1)]
    return { name_label: file.startsWith('xs-') ? 'xs-tools.iso' : 'guest-tools.iso', sm_config: [['xs-tools-version', version], ['xs-tools-build', build]] }
  }
  return { name_label: file, sm_config: [] }
}

/**
 * SR.scan: the SR must allow scan and have an attached PBD (SR_HAS_NO_PBDS). The storage is reconciled with the
 * records: an ISO library's image files appear as read-only VDIs named after them (a file named <uuid>.iso keeps
 * that uuid) and VDIs whose file is gone are forgotten (a CD drive holding one is emptied); a block or file SR gets
 * its forgotten VDIs back. virtual_allocation becomes the sum of the VDIs' virtual sizes.
 */
export function scanSr(db: Db, sr: XObj<'SR'>): void {
  assertSrOperation(db, sr, 'scan')
  const pbd = srOperationPbd(db, sr)
  let stat: { physical_size: number; physical_utilisation: number } | undefined
  const vdis = () => db.referrers('VDI', 'SR', sr.ref)
  switch (sr.f.type) {
    case 'iso': {
      if (sr.f.is_tools_sr) break // the tools ISOs of dom0 are emulated, not read from this machine
      const dc = pbd.f.device_config
      const dir = isoDirectory(dc)
      let images: IsoImage[] = []
      if (dir !== undefined) {
        let isDir = false
        try {
          isDir = statSync(dir).isDirectory()
        } catch {
          isDir = false
        }
        if (!isDir) throw smFailure('SRUnavailable', `no such directory ${dir}`)
        images = listIsoImages(dir)
        stat = fsStat(dir)
      } else stat = { physical_size: NETWORK_STORAGE_BYTES, physical_utilisation: 0 }
      const byLocation = new Map(vdis().map((v) => [v.f.location, v]))
      const onDisk = new Set(images.map((i) => i.name))
      for (const v of vdis()) if (!onDisk.has(v.f.location)) dbForgetVdi(db, v)
      for (const img of images) {
        const have = byLocation.get(img.name)
        if (have) {
          const created = mapHas(have.f.sm_config, 'created')
          const patch: Partial<XObj<'VDI'>['f']> = {}
          if (have.f.virtual_size !== img.size) patch.virtual_size = img.size
          if (have.f.physical_utilisation !== img.size) patch.physical_utilisation = img.size
          if (have.f.read_only !== !created) patch.read_only = !created
          if (Object.keys(patch).length > 0) db.set(have, patch)
          continue
        }
        const m = ISO_UUID_NAME.exec(img.name)
        const uuid = m && !db.byUuid('VDI', m[1]!.toLowerCase()) ? m[1]!.toLowerCase() : db.ids.uuid()
        const naming = isoVdiNaming(img.name, dir !== undefined)
        introduceVdiRecord(db, sr, {
          uuid, name_label: naming.name_label, name_description: '', type: 'user', read_only: true, location: img.name,
          virtual_size: img.size, physical_utilisation: img.size, sm_config: naming.sm_config,
        })
      }
      break
    }
    case 'udev':
      // no removable device is plugged into the emulated host
      for (const v of vdis()) dbForgetVdi(db, v)
      stat = { physical_size: 0, physical_utilisation: 0 }
      break
    case 'dummy':
      stat = { physical_size: 2000000000000, physical_utilisation: 0 }
      break
    default: {
      const present = new Set(vdis().map((v) => v.f.location))
      const back: string[] = []
      for (const s of forgottenVdis(db, sr.f.uuid)) {
        back.push(s.uuid)
        if (present.has(s.location) || db.byUuid('VDI', s.uuid)) continue
        const { snapshot_of_uuid, ...f } = s
        const v = db.create('VDI', { ...f, SR: sr.ref, snapshot_of: db.byUuid('VDI', snapshot_of_uuid)?.ref ?? NULL_REF })
        present.add(s.location)
        updateVdiAllowedOperations(db, v)
      }
      dropForgottenVdis(db, sr.f.uuid, back)
    }
  }
  const patch: Partial<XObj<'SR'>['f']> = { virtual_allocation: vdis().reduce((n, v) => n + v.f.virtual_size, 0), clustered: false }
  if (stat) Object.assign(patch, stat)
  if (mapHas(sr.f.other_config, 'dirty')) patch.other_config = sr.f.other_config.filter(([k]) => k !== 'dirty')
  db.set(sr, patch)
  updateSrAllowedOperations(db, sr)
}

/** SR.probe on `host`: the driver's XML (its device-config errors otherwise). */
export function probeSr(db: Db, host: XObj<'host'>, type: string, device_config: XMap, sm_config: XMap): string {
  return smProbe({ db, type: type.toLowerCase(), device_config, sm_config, host })
}
