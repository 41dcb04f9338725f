// SR rules: SR.get_supported_types (xapi_sr.ml → sm.ml supported_drivers), the single host an SR is attached to
// (records.ml get_sr_host), the SM capabilities of an SR (xapi_sr_operations.ml features_of_sr), SR operation
// checks and allowed_operations (xapi_sr_operations.ml valid_operations / update_allowed_operations), the PBD an
// SR operation runs through (message_forwarding.ml choose_pbd_for_sr, sm.ml assert_pbd_is_plugged) and the space
// accounting the SM drivers do on VDI create/destroy/resize/snapshot (xapi-project/sm v3.2.12: SR._db_update,
// LVHDSR._updateStats, FileSR._update). Reference: xapi-model.md §11. Re-expressed from the sources.
import type { Db, XObj } from './db'
import { XapiError } from './errors'
import { enumValues } from './schema'
import { NULL_REF, mapGet, type Ref } from './values'

// ---------------------------------------------------------------------------------------------------------
// OCaml's Hashtbl, enough to know the order Hashtbl.fold visits string keys in (runtime/hash.c caml_hash with
// count 10, limit 100, seed 0 — the table is not randomised — and stdlib hashtbl.ml).

const mul32 = (a: number, b: number) => Math.imul(a, b) >>> 0
const rotl32 = (x: number, n: number) => ((x << n) | (x >>> (32 - n))) >>> 0

function mix(h: number, d: number): number {
  d = mul32(d, 0xcc9e2d51)
  d = rotl32(d, 15)
  d = mul32(d, 0x1b873593)
  h = (h ^ d) >>> 0
  h = rotl32(h, 13)
  return (mul32(h, 5) + 0xe6546b64) >>> 0
}

/** caml_hash's FINAL_MIX, then the 30-bit result Hashtbl.hash returns. */
function finalMix(h: number): number {
  h ^= h >>> 16
  h = mul32(h, 0x85ebca6b)
  h ^= h >>> 13
  h = mul32(h, 0xc2b2ae35)
  h ^= h >>> 16
  return (h >>> 0) & 0x3fffffff
}

/** Hashtbl.hash of an OCaml string (its bytes are UTF-8 here). */
export function ocamlStringHash(s: string): number {
  const b = Buffer.from(s, 'utf8')
  let h = 0
  let i = 0
  for (; i + 4 <= b.length; i += 4) h = mix(h, b.readUInt32LE(i))
  const rest = b.length & 3
  if (rest > 0) {
    let w = 0
    if (rest === 3) w = b[i + 2]! << 16
    if (rest >= 2) w |= b[i + 1]! << 8
    w |= b[i]!
    h = mix(h, w >>> 0)
  }
  h = (h ^ b.length) >>> 0
  return finalMix(h)
}

/**
 * The keys of a Hashtbl.create 10 table filled by Hashtbl.replace in `inserted` order, as
 * `Hashtbl.fold (fun k _ acc -> k :: acc)` returns them: buckets from last to first, each bucket's keys in
 * insertion order. The table starts with 16 buckets and doubles whenever it holds more than twice as many
 * keys as buckets (the resize keeps each bucket's order).
 */
export function ocamlHashtblFoldKeys(inserted: string[], hash: (k: string) => number = ocamlStringHash): string[] {
  const keys = [...new Set(inserted)]
  let size = 16
  while (keys.length > 2 * size) size *= 2
  const buckets: string[][] = Array.from({ length: size }, () => [])
  for (const k of keys) buckets[hash(k) & (size - 1)]!.push(k)
  return buckets.reverse().flat()
}

/**
 * The integer OCaml represents a constant polymorphic variant `tag by (runtime/hash.c caml_hash_variant): a
 * 223-based hash of the name, truncated to 31 bits and sign-extended. Enum values such as `vdi_create are
 * such variants, so this decides both Hashtbl order and Stdlib.compare order of operation sets.
 */
export function ocamlVariantHash(tag: string): number {
  let accu = 0n
  for (const c of Buffer.from(tag, 'utf8')) accu = (223n * accu + BigInt(c)) & 0xffffffffn
  // the tagged value 2·accu+1, kept to 32 bits and sign-extended, then untagged
  let tagged = (2n * accu + 1n) & 0xffffffffn
  if (tagged >= 0x80000000n) tagged -= 0x100000000n
  return Number(tagged >> 1n)
}

/** Hashtbl.hash of an OCaml int (caml_hash_mix_intnat of the tagged value, then FINAL_MIX). */
export function ocamlIntHash(n: number): number {
  const tagged = Number((2n * BigInt(n) + 1n) & 0xffffffffn) >>> 0
  return finalMix(mix(0, tagged))
}

/**
 * The keys of an operations table keyed by enum values (`Hashtbl.create 10` filled with Hashtbl.replace in
 * `inserted` order), as `Hashtbl.fold (fun k _ acc -> k :: acc)` lists them — the order xapi stores
 * SR/VBD/VIF allowed_operations in.
 */
export function ocamlVariantHashtblFold<T extends string>(inserted: readonly T[]): T[] {
  return ocamlHashtblFoldKeys([...inserted], (k) => ocamlIntHash(ocamlVariantHash(k))) as T[]
}

/** Set.elements of a set of enum values: ascending Stdlib.compare, i.e. by variant hash (VDI allowed_operations). */
export function ocamlVariantSetElements<T extends string>(members: readonly T[]): T[] {
  return [...new Set(members)].sort((a, b) => ocamlVariantHash(a) - ocamlVariantHash(b))
}

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
export function srCapabilities(db: Db, sr: XObj<'SR'>): Set<SmCapability> {
  const sm = smOf(db, sr)
  const known = new Set<string>(KNOWN_SM_CAPABILITIES)
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
  if (db.referrers('VDI', 'SR', sr.ref).some((v) => v.f.managed && v.f.type !== 'rrd')) setErrors('SR_NOT_EMPTY', [], ['destroy'])
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
