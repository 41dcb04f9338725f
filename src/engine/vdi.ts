// VDI rules: which operations a VDI allows (xapi_vdi.ml check_operation_error / update_allowed_operations), and
// the VDI verbs as xapi and the SM drivers carry them out together — create, destroy, forget, snapshot, clone,
// copy, resize. The checks come in the order message_forwarding.ml makes them (SR operation, then VDI operation,
// then the PBD the call is forwarded through), then xapi_vdi.ml's own, then the SM driver's (xapi-project/sm
// v3.2.12: LVHDSR.py, FileSR.py, ISOSR.py, DummySR.py, LUNperVDI.py, vhdutil.py, lvhdutil.py).
// Reference: xapi-model.md §3 (cascades), §11. Re-expressed from the sources at the reference commit.
//
// Storage is emulated at the level the database shows: sizes, locations, sm_config keys, and the VHD trees the
// SM drivers build on snapshot/clone ("base copy" parents, sm_config:vhd-parent). Guest writes are not
// emulated: a VHD leaf counts as holding data only while a VBD has it attached read/write (see snapshot).
import { closeSync, existsSync, ftruncateSync, openSync } from 'node:fs'
import type { Db, XObj } from './db'
import { XapiError } from './errors'
import {
  accountSrSpace, assertPbdIsPlugged, assertSrOperation, assertSrSpace, smError, srBackend,
  srCapabilities, srOperationPbd, srProvisioning, updateSrAllowedOperations, type SmCapability,
} from './sr'
import { ocamlVariantSetElements } from './ocaml-hashtbl'
import { EPOCH, NULL_REF, mapGet, xapiDate, type Ref, type XMap } from './values'
import { copyVdiData, deletePlace, deleteVdiData, homeOf, isoImagePath, vdiExtents, vdiPlace } from './vdi-data'
import { rememberVdis, storedVdi } from './sm-state'

export type VdiOp = XObj<'VDI'>['f']['allowed_operations'][number]
export type VdiType = XObj<'VDI'>['f']['type']

const MiB = 1024 * 1024
const GiB = 1024 * MiB

// ---------------------------------------------------------------------------------------------------------
// Sizes (vhdutil.py, lvhdutil.py, lvutil.py).

/** vhdutil.MIN_VHD_SIZE / MAX_VHD_SIZE / VHD_BLOCK_SIZE; lvutil.LVM_SIZE_INCREMENT. */
export const VHD_MIN_SIZE = 2 * MiB
export const VHD_MAX_SIZE = 2040 * GiB
export const VHD_BLOCK_SIZE = 2 * MiB
export const LVM_EXTENT = 4 * MiB
/** lvhdutil.MSIZE: LVHD VHDs carry metadata for a 2 TiB virtual size (fast online resize). */
const LVHD_MSIZE = 2 * 1024 * 1024 * MiB
/** journaler.LV_SIZE: the clone and inflate journals a snapshot must have room for. */
const JOURNAL_LV = 4 * MiB

const roundUp = (unit: number, n: number) => Math.ceil(n / unit) * unit

/**
 * vhdutil.validate_and_round_vhd_size: a size in [0, 2040 GiB] rounded up to the 2 MiB block (at least one
 * block). xapi hands SM the size as an unsigned 64-bit number, so negative sizes are too big.
 */
export function roundVhdSize(size: number): number {
  if (size < 0 || size > VHD_MAX_SIZE) throw smError('VDISize', `VDI size must be between 1 MB and ${VHD_MAX_SIZE / MiB} MB`)
  return roundUp(VHD_BLOCK_SIZE, Math.max(size, VHD_MIN_SIZE))
}

/** vhdutil.calcOverheadEmpty: header, footers, BAT and BATMAP of an empty dynamic VHD. */
export function vhdOverheadEmpty(virtualSize: number): number {
  const sizeMb = Math.floor(virtualSize / MiB)
  let overhead = 3 * 1024 + Math.floor(sizeMb / 2) * 4
  overhead = roundUp(512, overhead)
  overhead += Math.floor(Math.floor(sizeMb / 2) / 8)
  return roundUp(4096, overhead)
}

/** vhdutil.calcOverheadBitmap: one 4 KiB sector bitmap per 2 MiB block. */
export function vhdOverheadBitmap(virtualSize: number): number {
  return Math.ceil(virtualSize / VHD_BLOCK_SIZE) * 4096
}

/** lvhdutil.calcSizeVHDLV: a fully inflated (thick) LVHD VDI's LV: data, bitmaps and 2 TiB-sized metadata, in 4 MiB extents. */
export function lvhdFullLvSize(virtualSize: number): number {
  return roundUp(LVM_EXTENT, virtualSize + vhdOverheadEmpty(LVHD_MSIZE) + vhdOverheadBitmap(virtualSize))
}

/** The LV of a deflated (thin) LVHD VHD: just its metadata, in 4 MiB extents (8 MiB). */
export const LVHD_THIN_LV = roundUp(LVM_EXTENT, vhdOverheadEmpty(LVHD_MSIZE))

/** The size of a freshly created (empty) VHD file on a file-based SR (approximated by SM's own estimate). */
export function vhdFileSize(virtualSize: number): number {
  return vhdOverheadEmpty(virtualSize)
}

// ---------------------------------------------------------------------------------------------------------
// Small helpers.

/** record_util.ml vdi_type_to_string (used in VDI_INCOMPATIBLE_TYPE). */
export const VDI_TYPE_STRING: Record<VdiType, string> = {
  system: 'System', user: 'User', ephemeral: 'Ephemeral', suspend: 'Suspend', crashdump: 'Crashdump',
  ha_statefile: 'HA statefile', metadata: 'Metadata', redo_log: 'Redo log', rrd: 'rrd', pvs_cache: 'PVS cache',
  cbt_metadata: 'CBT metadata',
}

/** A Python dict assignment on a map: an existing key keeps its place, a new one goes last. */
function dictSet(m: XMap, k: string, v: string): XMap {
  return m.some(([key]) => key === k) ? m.map(([key, val]) => [key, key === k ? v : val]) : [...m, [k, v]]
}
const dictDel = (m: XMap, k: string): XMap => m.filter(([key]) => key !== k)

/** VBD.reserved is internal to xapi (not in the datamodel dump); engine code may set it on a VBD. */
const isReserved = (o: XObj<'VBD'>) => !!(o.f as { reserved?: boolean }).reserved

const srOf = (db: Db, vdi: XObj<'VDI'>) => db.get(vdi.f.SR, 'SR')

/** Xapi_vdi_helpers.assert_managed. */
export function assertVdiManaged(vdi: XObj<'VDI'>): void {
  if (!vdi.f.managed) throw new XapiError('VDI_NOT_MANAGED', [vdi.ref])
}

/** util.isLegalXMLString: SM refuses names it cannot keep in its XML metadata. */
function isLegalXml(s: string): boolean {
  return !/[\u0000-\u0008\u000b-\u001f\u007f-\u0084\u0086-\u009f\ud800-\udfff\ufdd0-\ufddf\ufffe\uffff]/u.test(s) &&
    ![...s].some((c) => (c.codePointAt(0)! & 0xfffe) === 0xfffe)
}

// ---------------------------------------------------------------------------------------------------------
// Operation checks (xapi_vdi.ml).

/** feature_of_op: the SM capability an operation needs (none for forget, copy, force_unlock, blocked). */
const FEATURE_OF_OP: Partial<Record<VdiOp, SmCapability>> = {
  snapshot: 'VDI_SNAPSHOT', destroy: 'VDI_DELETE', resize: 'VDI_RESIZE', update: 'VDI_UPDATE', resize_online: 'VDI_RESIZE_ONLINE',
  generate_config: 'VDI_GENERATE_CONFIG', clone: 'VDI_CLONE', mirror: 'VDI_MIRROR', enable_cbt: 'VDI_CONFIG_CBT',
  disable_cbt: 'VDI_CONFIG_CBT', data_destroy: 'VDI_CONFIG_CBT', list_changed_blocks: 'VDI_CONFIG_CBT', set_on_boot: 'VDI_RESET_ON_BOOT',
}
/** Operations possible while a VBD has the VDI attached (even read-only). */
const LIVE_OPS: VdiOp[] = ['snapshot', 'resize_online', 'blocked', 'clone', 'mirror', 'enable_cbt', 'disable_cbt', 'data_destroy']
const NOT_FOR_CBT_METADATA: VdiOp[] = ['clone', 'copy', 'disable_cbt', 'enable_cbt', 'mirror', 'resize', 'resize_online', 'snapshot', 'set_on_boot']
/** The operations listed in allowed_operations (pre-Ely operations minus blocked and force_unlock). */
const LISTED_OPS: VdiOp[] = ['clone', 'copy', 'resize', 'resize_online', 'snapshot', 'destroy', 'forget', 'update', 'generate_config']

/** The first reason op is not possible on the VDI now, or undefined (check_operation_error). */
export function vdiOperationError(db: Db, vdi: XObj<'VDI'>, op: VdiOp): XapiError | undefined {
  const ref = vdi.ref
  const sr = srOf(db, vdi)
  const current = vdi.f.current_operations as Array<[string, string]>
  const haEnabled = !!db.all('pool')[0]?.f.ha_enabled
  const haVdi = vdi.f.type === 'ha_statefile' || vdi.f.type === 'redo_log'
  // 1. any current operation but copy excludes others (destroy may run under a mirror)
  const mirroring = op === 'destroy' && current.some(([, o]) => o === 'mirror')
  const busy = current.find(([, o]) => o !== 'copy')
  if (!mirroring && busy) return new XapiError('OTHER_OPERATION_IN_PROGRESS', ['VDI', ref, busy[1], busy[0]])
  // 2. resize needs a plugged PBD
  const plugged = db.referrers('PBD', 'SR', sr.ref).some((p) => p.f.currently_attached)
  if (!plugged && op === 'resize') return new XapiError('SR_HAS_NO_PBDS', [sr.ref])
  // 3. attached VBDs allow only "live" operations (copy also with read-only attachments)
  const vbds = db.referrers('VBD', 'VDI', ref)
  const active = vbds.filter((b) => b.f.currently_attached || isReserved(b))
  const activeRw = active.filter((b) => b.f.mode === 'RW')
  let blocked = LIVE_OPS.includes(op) ? false : op === 'copy' ? activeRw.length > 0 : active.length > 0
  if (blocked && op === 'list_changed_blocks') blocked = !active.every((b) => !!db.tryGet(b.f.VM, 'VM')?.f.is_a_snapshot)
  if (blocked) return new XapiError('VDI_IN_USE', [ref, op])
  const vbdBusy = vbds.find((b) => b.f.current_operations.length > 0)
  if (vbdBusy && op !== 'data_destroy') {
    const [task, vop] = vbdBusy.f.current_operations[0]!
    return new XapiError('OTHER_OPERATION_IN_PROGRESS', ['VDI', ref, vop, task])
  }
  // 4. the SM must support it
  const feature = FEATURE_OF_OP[op]
  if (feature && !srCapabilities(db, sr).has(feature)) return new XapiError('SR_OPERATION_NOT_SUPPORTED', [sr.ref])
  if (NOT_FOR_CBT_METADATA.includes(op) && vdi.f.type === 'cbt_metadata') return new XapiError('VDI_INCOMPATIBLE_TYPE', [ref, VDI_TYPE_STRING.cbt_metadata])
  if ((op === 'mirror' || op === 'set_on_boot') && vdi.f.cbt_enabled) return new XapiError('VDI_CBT_ENABLED', [ref])
  const reset = vdi.f.on_boot === 'reset'
  const checkDestroy = (): XapiError | undefined => {
    if (sr.f.type === 'udev') return new XapiError('VDI_IS_A_PHYSICAL_DEVICE', [ref])
    if (sr.f.is_tools_sr) return new XapiError('SR_OPERATION_NOT_SUPPORTED', [sr.ref])
    if (vdi.f.type === 'rrd') return new XapiError('VDI_HAS_RRDS', [ref])
    if (haEnabled && haVdi) return new XapiError('HA_IS_ENABLED', [])
    return undefined
  }
  switch (op) {
    case 'forget':
      if (haEnabled && haVdi) return new XapiError('HA_IS_ENABLED', [])
      if (vdi.f.type === 'rrd') return new XapiError('VDI_HAS_RRDS', [ref])
      return undefined
    case 'destroy':
      return checkDestroy()
    case 'data_destroy':
      if (!vdi.f.is_a_snapshot) return new XapiError('OPERATION_NOT_ALLOWED', [`VDI is not a snapshot: ${ref}`])
      if (!vdi.f.cbt_enabled) return new XapiError('VDI_NO_CBT_METADATA', [ref])
      return checkDestroy()
    case 'resize':
    case 'resize_online':
      return haEnabled && haVdi ? new XapiError('HA_IS_ENABLED', []) : undefined
    case 'snapshot':
      if (vdi.f.sharable) return new XapiError('VDI_IS_SHARABLE', [ref])
      if (reset) return new XapiError('VDI_ON_BOOT_MODE_INCOMPATIBLE_WITH_OPERATION', [])
      if (current.some(([, o]) => o === 'copy')) return new XapiError('OPERATION_NOT_ALLOWED', ['Snapshot operation not allowed during copy.'])
      return undefined
    case 'copy':
      if (reset) return new XapiError('VDI_ON_BOOT_MODE_INCOMPATIBLE_WITH_OPERATION', [])
      if (haVdi) {
        return new XapiError('OPERATION_NOT_ALLOWED', ["VDI containing HA statefile or redo log cannot be copied (check the VDI's allowed operations)."])
      }
      return undefined
    case 'enable_cbt':
    case 'disable_cbt':
      if (vdi.f.is_a_snapshot) return new XapiError('OPERATION_NOT_ALLOWED', [`VDI is a snapshot: ${ref}`])
      if (vdi.f.type !== 'user' && vdi.f.type !== 'system') return new XapiError('VDI_INCOMPATIBLE_TYPE', [ref, VDI_TYPE_STRING[vdi.f.type]])
      if (reset) return new XapiError('VDI_ON_BOOT_MODE_INCOMPATIBLE_WITH_OPERATION', [])
      return undefined
    default:
      return undefined
  }
}

/** Xapi_vdi.assert_operation_valid. */
export function assertVdiOperation(db: Db, vdi: XObj<'VDI'>, op: VdiOp): void {
  const e = vdiOperationError(db, vdi, op)
  if (e) throw e
}

/** VDI.allowed_operations as update_allowed_operations computes it: a Set, listed in Stdlib.compare order. */
export function vdiAllowedOperations(db: Db, vdi: XObj<'VDI'>): VdiOp[] {
  return ocamlVariantSetElements(LISTED_OPS.filter((op) => !vdiOperationError(db, vdi, op)))
}

export function updateVdiAllowedOperations(db: Db, vdi: XObj<'VDI'>): void {
  db.set(vdi, { allowed_operations: vdiAllowedOperations(db, vdi) })
}

// ---------------------------------------------------------------------------------------------------------
// Records as the SM drivers introduce them (VDI.py _db_introduce → xapi_vdi.ml introduce_dbonly).

interface Introduce {
  uuid: string
  name_label: string
  name_description: string
  type: VdiType
  read_only: boolean
  location: string
  managed?: boolean
  virtual_size: number
  physical_utilisation: number
  sm_config: XMap
  is_a_snapshot?: boolean
  snapshot_time?: string
  snapshot_of?: Ref
}

function introduce(db: Db, sr: XObj<'SR'>, r: Introduce): XObj<'VDI'> {
  // a new volume holds nothing yet: bytes some earlier world left under this uuid are not its own
  deleteVdiData(homeOf(db), r.uuid)
  const vdi = db.create('VDI', {
    uuid: r.uuid,
    name_label: r.name_label,
    name_description: r.name_description,
    allowed_operations: [],
    current_operations: [],
    SR: sr.ref,
    virtual_size: r.virtual_size,
    physical_utilisation: r.physical_utilisation,
    type: r.type,
    sharable: false,
    read_only: r.read_only,
    other_config: [],
    storage_lock: false,
    location: r.location,
    managed: r.managed ?? true,
    missing: false,
    parent: NULL_REF,
    xenstore_data: [],
    sm_config: r.sm_config,
    is_a_snapshot: r.is_a_snapshot ?? false,
    snapshot_of: r.snapshot_of ?? NULL_REF,
    snapshot_time: r.snapshot_time ?? EPOCH,
    tags: [],
    allow_caching: false,
    on_boot: 'persist',
    metadata_of_pool: NULL_REF,
    metadata_latest: false,
    is_tools_iso: false,
    cbt_enabled: false,
  })
  updateVdiAllowedOperations(db, vdi)
  return vdi
}

/** VDI.py SM_CONFIG_PASS_THROUGH_FIELDS: what every driver keeps of the caller's sm_config. */
function passThrough(smConfig: XMap): XMap {
  return smConfig.filter(([k, v]) => (k === 'base_mirror' || k === 'key_hash') && v !== '')
}

// ---------------------------------------------------------------------------------------------------------
// VDI.create.

export interface VdiCreateArgs {
  sr: XObj<'SR'> | Ref
  name_label?: string
  name_description?: string
  virtual_size: number
  type?: VdiType
  sharable?: boolean
  read_only?: boolean
  other_config?: XMap
  xenstore_data?: XMap
  sm_config?: XMap
  tags?: string[]
}

/** Python's `"%s-%s-%s:%s:%s:%s" % timetuple` (util._getDateString), dom0 time being UTC. */
function smDateString(d: Date): string {
  return `${d.getUTCFullYear()}-${d.getUTCMonth() + 1}-${d.getUTCDate()}:${d.getUTCHours()}:${d.getUTCMinutes()}:${d.getUTCSeconds()}`
}

/** The SM driver's vdi_create: validates and sizes the VDI, introduces its record, updates the SR's stats. */
function smCreate(db: Db, sr: XObj<'SR'>, a: Required<Pick<VdiCreateArgs, 'name_label' | 'name_description' | 'virtual_size' | 'read_only' | 'sm_config'>> & { type: VdiType }): XObj<'VDI'> {
  // SRCommand.py: names must be legal XML
  if (!isLegalXml(a.name_label) || !isLegalXml(a.name_description)) {
    throw smError('IllegalXMLChar', 'The name and/or description you supplied contains one or more unsupported characters. The name and/or description must contain valid XML characters. See http://www.w3.org/TR/2004/REC-xml-20040204/#charsets for more information.')
  }
  const backend = srBackend(sr)
  const requested = mapGet(a.sm_config, 'type')
  const base = { name_label: a.name_label, name_description: a.name_description, type: a.type, read_only: a.read_only }
  switch (backend) {
    case 'lvhd': {
      // LVHDVDI.load: sm_config:type picks raw LVs or VHDs
      if (requested !== undefined && requested !== 'raw' && requested !== 'vhd') throw smError('VDICreate', 'bad type')
      const raw = requested === 'raw'
      const size = roundVhdSize(a.virtual_size)
      const lv = raw ? roundUp(LVM_EXTENT, size) : srProvisioning(sr) === 'thin' ? LVHD_THIN_LV : lvhdFullLvSize(size)
      assertSrSpace(sr, lv)
      const uuid = db.ids.uuid()
      const vdi = introduce(db, sr, {
        ...base, uuid, location: uuid, virtual_size: raw ? lv : size, physical_utilisation: lv,
        sm_config: dictSet(a.sm_config, 'vdi_type', raw ? 'aio' : 'vhd'),
      })
      accountSrSpace(db, sr, { virtual: vdi.f.virtual_size, physical: lv })
      return vdi
    }
    case 'iso': {
      const path = mapGet(a.sm_config, 'path')
      if (path !== undefined && !/^[a-z0-9.-]+\.(iso|img)/i.test(path)) throw smError('VDICreate', `Invalid path "${path}"`)
      const uuid = db.ids.uuid()
      const location = path ?? `${uuid}.img`
      if (db.withField('VDI', 'location', location).some((v) => v.f.SR === sr.ref)) throw smError('VDIExists')
      // ISOVDI.create: in a library kept in a real directory, the image file is made (sparse, of the VDI's size)
      const file = isoImagePath(db, sr, location)
      if (file !== undefined) {
        if (existsSync(file)) throw smError('VDIExists')
        try {
          const fd = openSync(file, 'wx', 0o644)
          ftruncateSync(fd, Math.max(0, a.virtual_size))
          closeSync(fd)
        } catch {
          throw smError('VDICreate', `could not create file: "${file}"`)
        }
      }
      return introduce(db, sr, {
        ...base, uuid, read_only: false, location, virtual_size: a.virtual_size, physical_utilisation: 0,
        sm_config: dictSet(a.sm_config, 'created', smDateString(db.clock.now())),
      })
    }
    case 'dummy': {
      const uuid = db.ids.uuid()
      return introduce(db, sr, {
        ...base, uuid, location: uuid, virtual_size: a.virtual_size, physical_utilisation: a.virtual_size,
        sm_config: [['samplekey', 'This is a dummy SR VDI']],
      })
    }
    case 'lun': {
      // LUNperVDI: hand out the smallest unmanaged LUN that is big enough
      const luns = db.referrers('VDI', 'SR', sr.ref).filter((v) => !v.f.managed && v.f.virtual_size > 0 && v.f.virtual_size >= a.virtual_size)
      const lun = [...luns].sort((x, y) => x.f.virtual_size - y.f.virtual_size)[0]
      if (!lun) throw smError('SRNoSpace')
      db.set(lun, { managed: true })
      return lun
    }
    case 'udev':
      throw smError('Unimplemented')
    default: {
      // VHD files (FileSR and its derivatives)
      if (requested !== undefined && requested !== 'raw' && requested !== 'vhd') throw smError('VDIType', `Invalid VDI type ${requested}`)
      const uuid = db.ids.uuid()
      const raw = requested === 'raw'
      const size = raw ? a.virtual_size : roundVhdSize(a.virtual_size)
      const used = raw ? size : vhdFileSize(size)
      const vdi = introduce(db, sr, {
        ...base, uuid, location: uuid, virtual_size: size, physical_utilisation: used,
        sm_config: raw ? [['type', 'raw'], ...passThrough(a.sm_config)] : passThrough(a.sm_config),
      })
      accountSrSpace(db, sr, { virtual: size, physical: used })
      return vdi
    }
  }
}

/**
 * VDI.create: the SR must allow vdi_create (SR_OPERATION_NOT_SUPPORTED, also for the tools SR) and have a
 * plugged PBD (SR_HAS_NO_PBDS); type cbt_metadata is refused; then the SM driver creates it (size rounding and
 * limits, SR_BACKEND_FAILURE_79; space, SR_BACKEND_FAILURE_44) and xapi sets the fields SM does not own.
 */
export function createVdi(db: Db, args: VdiCreateArgs): XObj<'VDI'> {
  const sr = typeof args.sr === 'string' ? db.get(args.sr, 'SR') : args.sr
  const type = args.type ?? 'user'
  assertSrOperation(db, sr, 'vdi_create')
  const pbd = srOperationPbd(db, sr)
  if (type === 'cbt_metadata') throw new XapiError('VDI_INCOMPATIBLE_TYPE', ['', VDI_TYPE_STRING.cbt_metadata])
  assertPbdIsPlugged(db, sr, pbd.f.host)
  const vdi = smCreate(db, sr, {
    name_label: args.name_label ?? '', name_description: args.name_description ?? '', virtual_size: args.virtual_size,
    read_only: args.read_only ?? false, sm_config: args.sm_config ?? [], type,
  })
  db.set(vdi, { other_config: args.other_config ?? [], sharable: args.sharable ?? false, tags: args.tags ?? [], xenstore_data: args.xenstore_data ?? [] })
  updateVdiAllowedOperations(db, vdi)
  updateSrAllowedOperations(db, sr)
  return vdi
}

// ---------------------------------------------------------------------------------------------------------
// VHD trees (snapshot, clone, and the SM garbage collector).

const vhdParentLocation = (vdi: XObj<'VDI'>) => mapGet(vdi.f.sm_config, 'vhd-parent')

function vdiAt(db: Db, sr: XObj<'SR'>, location: string | undefined): XObj<'VDI'> | undefined {
  if (!location) return undefined
  return db.withField('VDI', 'location', location).find((v) => v.f.SR === sr.ref)
}

/** The length of the VHD chain ending at vdi (vhdutil.getDepth). */
function vhdDepth(db: Db, sr: XObj<'SR'>, vdi: XObj<'VDI'>): number {
  let depth = 1
  const seen = new Set<string>([vdi.ref])
  for (let p = vdiAt(db, sr, vhdParentLocation(vdi)); p && !seen.has(p.ref); p = vdiAt(db, sr, vhdParentLocation(p))) {
    seen.add(p.ref)
    depth++
  }
  return depth
}

const isRawVdi = (vdi: XObj<'VDI'>) => mapGet(vdi.f.sm_config, 'vdi_type') === 'aio' || mapGet(vdi.f.sm_config, 'type') === 'raw'

/**
 * Whether the leaf holds data of its own. A VHD without parent is a dynamic disk, which vhd-util always
 * snapshots onto; a differencing leaf that no guest has written to is skipped over (vhd-util snapshot links
 * the new children to its parent). Writes are not emulated: a leaf counts as written while attached RW.
 */
function leafHasData(db: Db, vdi: XObj<'VDI'>): boolean {
  if (!vhdParentLocation(vdi)) return true
  return db.referrers('VBD', 'VDI', vdi.ref).some((b) => (b.f.currently_attached || isReserved(b)) && b.f.mode === 'RW')
}

/** The keys a snapshot leaf inherits from the original's sm_config (LVHDVDI._createSnap). */
function inheritedSmConfig(sm: XMap): XMap {
  return sm.filter(([k]) => !['type', 'vdi_type', 'vhd-parent', 'paused', 'relinking', 'activating'].includes(k) && !k.startsWith('host_'))
}

type SnapKind = 'snapshot' | 'clone'

/**
 * SM vdi_snapshot / vdi_clone of a VHD leaf (LVHDVDI._snapshot, FileVDI._snapshot with SNAPSHOT_DOUBLE):
 * the original's data becomes a hidden, read-only "base copy" parent (unless the new children can link to
 * the existing parent), the original stays a leaf with its uuid, and a new leaf is introduced. Returns it.
 */
function vhdSnapshot(db: Db, sr: XObj<'SR'>, vdi: XObj<'VDI'>, kind: SnapKind): XObj<'VDI'> {
  const lvhd = srBackend(sr) === 'lvhd'
  if (isRawVdi(vdi)) throw smError('Unimplemented', 'Raw VDI, snapshot or clone not permitted')
  if (vhdDepth(db, sr, vdi) >= 30) throw smError('SnapshotChainTooLong')
  const size = vdi.f.virtual_size
  const attached = db.referrers('VBD', 'VDI', vdi.ref).some((b) => b.f.currently_attached)
  const target = leafHasData(db, vdi) ? undefined : vdiAt(db, sr, vhdParentLocation(vdi))
  const newBase = !target
  // uuids: LVHD draws the base's first, FileSR the new leaf's
  let baseUuid: string
  let leafUuid: string
  if (lvhd) {
    baseUuid = db.ids.uuid()
    leafUuid = db.ids.uuid()
  } else {
    leafUuid = db.ids.uuid()
    baseUuid = db.ids.uuid()
  }
  const parentLocation = target ? target.f.location : baseUuid
  let origUtil = vdi.f.physical_utilisation
  let leafUtil: number
  let baseUtil: number
  let physical: number
  if (lvhd) {
    const thick = srProvisioning(sr) === 'thick'
    const full = lvhdFullLvSize(size)
    let lvOrig = LVHD_THIN_LV
    let lvClone = LVHD_THIN_LV
    if (kind === 'snapshot' && attached) lvOrig = full
    if (thick) {
      if (!vdi.f.is_a_snapshot) lvOrig = full
      if (kind !== 'snapshot') lvClone = full
    }
    const lvBase = LVHD_THIN_LV
    assertSrSpace(sr, lvOrig + lvClone + 2 * JOURNAL_LV - (vdi.f.physical_utilisation - lvBase))
    physical = lvBase - vdi.f.physical_utilisation + lvOrig + lvClone - (newBase ? 0 : lvBase)
    origUtil = lvOrig
    leafUtil = lvClone
    baseUtil = lvBase
  } else {
    // the original file becomes the parent; two small differencing files are made
    leafUtil = vdi.f.physical_utilisation
    baseUtil = vdi.f.physical_utilisation
    physical = 2 * vhdFileSize(size) - (newBase ? 0 : vdi.f.physical_utilisation)
  }
  const origSm = vdi.f.sm_config
  const leafSm = lvhd
    ? dictSet(dictSet(inheritedSmConfig(origSm), 'vdi_type', 'vhd'), 'vhd-parent', parentLocation)
    : [['vhd-parent', parentLocation] as [string, string], ...origSm.filter(([k]) => k === 'key_hash')]
  const leaf = introduce(db, sr, {
    uuid: leafUuid, name_label: '', name_description: '', type: 'user', read_only: false, location: leafUuid,
    virtual_size: size, physical_utilisation: leafUtil, sm_config: leafSm,
  })
  if (newBase) {
    const grandparent = vhdParentLocation(vdi)
    const baseSm = lvhd
      ? origSm.filter(([k]) => k !== 'paused' && !k.startsWith('host_'))
      : grandparent ? [['vhd-parent', grandparent] as [string, string]] : []
    introduce(db, sr, {
      uuid: baseUuid, name_label: 'base copy', name_description: '', type: 'user', read_only: true, location: baseUuid,
      managed: false, virtual_size: size, physical_utilisation: baseUtil, sm_config: baseSm,
    })
  }
  // the original leaf now points at the (new or existing) parent; host_* and paused keys stay with it
  let sm: XMap = lvhd ? dictSet(dictSet(inheritedSmConfig(origSm), 'vdi_type', 'vhd'), 'vhd-parent', parentLocation) : dictSet(origSm, 'vhd-parent', parentLocation)
  if (lvhd) for (const [k, v] of origSm) if (k === 'paused' || k.startsWith('host_')) sm = dictSet(sm, k, v)
  db.set(vdi, { sm_config: sm, physical_utilisation: origUtil })
  accountSrSpace(db, sr, { virtual: size, physical })
  return leaf
}

/** SM snapshot/clone by driver family; returns the new VDI (its names and flags are set by xapi afterwards). */
function smSnapshot(db: Db, sr: XObj<'SR'>, vdi: XObj<'VDI'>, kind: SnapKind): XObj<'VDI'> {
  switch (srBackend(sr)) {
    case 'lvhd':
    case 'file':
    case 'other':
      return vhdSnapshot(db, sr, vdi, kind)
    case 'dummy': {
      const uuid = db.ids.uuid()
      return introduce(db, sr, {
        uuid, name_label: '', name_description: '', type: 'user', read_only: kind === 'snapshot', location: uuid,
        virtual_size: 0, physical_utilisation: 0, sm_config: [],
      })
    }
    default:
      throw smError('Unimplemented')
  }
}

/**
 * What the SM garbage collector does once a VDI of a VHD tree is gone (cleanup.py): a hidden base copy left
 * without children is deleted; one left with a single child is coalesced into it (the base copy record goes,
 * the child links to the base's own parent). Applied at once rather than ~30 s later.
 */
function collectVhdGarbage(db: Db, sr: XObj<'SR'>, parentLocation: string | undefined): void {
  const base = vdiAt(db, sr, parentLocation)
  if (!base || base.f.managed) return
  const children = db.referrers('VDI', 'SR', sr.ref).filter((v) => vhdParentLocation(v) === base.f.location)
  if (children.length > 1) return
  const grandparent = vhdParentLocation(base)
  if (children.length === 1) {
    const child = children[0]!
    const sm = grandparent ? dictSet(child.f.sm_config, 'vhd-parent', grandparent) : dictDel(child.f.sm_config, 'vhd-parent')
    db.set(child, { sm_config: sm })
  }
  db.destroy(base)
  accountSrSpace(db, sr, { physical: -base.f.physical_utilisation })
  if (children.length === 0) collectVhdGarbage(db, sr, grandparent)
}

// ---------------------------------------------------------------------------------------------------------
// VDI.snapshot / VDI.clone (xapi_vdi.ml snapshot_and_clone; storage_smapiv1.ml snapshot_and_clone).

function snapshotOrClone(db: Db, vdi: XObj<'VDI'>, kind: SnapKind): XObj<'VDI'> {
  const sr = srOf(db, vdi)
  assertSrOperation(db, sr, kind === 'snapshot' ? 'vdi_snapshot' : 'vdi_clone')
  assertVdiOperation(db, vdi, kind)
  const pbd = srOperationPbd(db, sr)
  assertPbdIsPlugged(db, sr, pbd.f.host)
  assertVdiManaged(vdi)
  let copy: XObj<'VDI'>
  try {
    copy = smSnapshot(db, sr, vdi, kind)
  } catch (e) {
    if (!(e instanceof XapiError && e.code === 'SR_BACKEND_FAILURE_38')) throw e
    // "Unimplemented": snapshot reports it, clone falls back to create + copy
    if (kind === 'snapshot') throw new XapiError('UNIMPLEMENTED_IN_SM_BACKEND', [sr.ref])
    const made = createVdi(db, {
      sr, name_label: vdi.f.name_label, name_description: vdi.f.name_description, virtual_size: vdi.f.virtual_size,
      type: vdi.f.type, sharable: vdi.f.sharable, read_only: vdi.f.read_only, other_config: vdi.f.other_config,
      xenstore_data: vdi.f.xenstore_data, sm_config: [], tags: [],
    })
    copyVdiData(homeOf(db), vdiPlace(db, vdi), vdiPlace(db, made))
    updateVdiAllowedOperations(db, made)
    updateVdiAllowedOperations(db, vdi)
    return made
  }
  // storage layer: names, snapshot time (set for clones too), is_a_snapshot
  db.set(copy, { name_label: vdi.f.name_label, name_description: vdi.f.name_description, snapshot_time: xapiDate(db.clock.now()), is_a_snapshot: kind === 'snapshot' })
  // xapi_vdi.ml: the metadata xapi owns is copied across
  db.set(copy, {
    type: vdi.f.type, sharable: vdi.f.sharable, other_config: vdi.f.other_config, xenstore_data: vdi.f.xenstore_data,
    on_boot: vdi.f.on_boot, allow_caching: vdi.f.allow_caching, tags: vdi.f.tags,
  })
  if (kind === 'snapshot') db.set(copy, { is_a_snapshot: true, snapshot_of: vdi.ref })
  copyVdiData(homeOf(db), vdiPlace(db, vdi), vdiPlace(db, copy))
  updateVdiAllowedOperations(db, copy)
  updateVdiAllowedOperations(db, vdi)
  updateSrAllowedOperations(db, sr)
  return copy
}

/**
 * VDI.snapshot: refused for sharable VDIs (VDI_IS_SHARABLE), on_boot=reset VDIs
 * (VDI_ON_BOOT_MODE_INCOMPATIBLE_WITH_OPERATION), SRs without VDI_SNAPSHOT (SR_OPERATION_NOT_SUPPORTED) and
 * unmanaged VDIs (VDI_NOT_MANAGED). The new VDI has is_a_snapshot, snapshot_of and snapshot_time set.
 */
export function snapshotVdi(db: Db, vdi: XObj<'VDI'>): XObj<'VDI'> {
  return snapshotOrClone(db, vdi, 'snapshot')
}

/** VDI.clone: a new writable VDI with the same contents (is_a_snapshot false, snapshot_time = now). */
export function cloneVdi(db: Db, vdi: XObj<'VDI'>): XObj<'VDI'> {
  return snapshotOrClone(db, vdi, 'clone')
}

// ---------------------------------------------------------------------------------------------------------
// VDI.destroy / VDI.forget.

/**
 * The SM driver's vdi_delete, then xapi's removal of the record: VHD drivers free the space and let the GC
 * tidy the tree; ISO, dummy and LUN drivers keep no stats (a LUN goes back to the SR's unmanaged pool and
 * reappears on SR.scan).
 */
function smDelete(db: Db, sr: XObj<'SR'>, vdi: XObj<'VDI'>): void {
  const backend = srBackend(sr)
  const parent = vhdParentLocation(vdi)
  const place = vdiPlace(db, vdi)
  db.destroy(vdi)
  deletePlace(homeOf(db), place)
  if (backend === 'lvhd' || backend === 'file' || backend === 'other') {
    accountSrSpace(db, sr, { virtual: -vdi.f.virtual_size, physical: -vdi.f.physical_utilisation })
    collectVhdGarbage(db, sr, parent)
  }
}

/**
 * VDI.destroy: the SR must allow vdi_destroy (SR_OPERATION_NOT_SUPPORTED: udev, ISO tools SR, …) and the VDI
 * destroy (VDI_IN_USE [vdi, "destroy"] while a VBD is attached or reserved; VDI_IS_A_PHYSICAL_DEVICE; VDI_HAS_RRDS);
 * unmanaged VDIs are refused (VDI_NOT_MANAGED). Afterwards every VBD of the VDI is deleted and VMs whose
 * suspend_VDI it was get NULL.
 */
export function destroyVdi(db: Db, vdi: XObj<'VDI'>): void {
  const sr = srOf(db, vdi)
  assertSrOperation(db, sr, 'vdi_destroy')
  assertVdiOperation(db, vdi, 'destroy')
  const pbd = srOperationPbd(db, sr)
  assertPbdIsPlugged(db, sr, pbd.f.host)
  assertVdiManaged(vdi)
  const vbds = db.referrers('VBD', 'VDI', vdi.ref)
  if (vbds.some((b) => b.f.currently_attached || isReserved(b))) throw new XapiError('VDI_IN_USE', [vdi.ref, 'destroy'])
  smDelete(db, sr, vdi)
  // the VBDs go at once (their metrics too, which xapi's GC would collect)
  for (const vbd of [...vbds]) {
    const m = db.tryGet(vbd.f.metrics, 'VBD_metrics')
    if (m) db.destroy(m)
    db.destroy(vbd)
  }
  for (const vm of [...db.referrers('VM', 'suspend_VDI', vdi.ref)]) db.set(vm, { suspend_VDI: NULL_REF })
  updateSrAllowedOperations(db, sr)
}

/** VDI.forget: only the database record goes (the data stays and reappears on SR.scan); VBDs keep pointing at it. */
export function forgetVdi(db: Db, vdi: XObj<'VDI'>): void {
  assertVdiOperation(db, vdi, 'forget')
  const sr = srOf(db, vdi)
  if (!['iso', 'udev', 'dummy'].includes(sr.f.type)) rememberVdis(db, sr.f.uuid, [storedVdi(db, vdi)])
  db.destroy(vdi)
}

/**
 * VDI.db_forget, as an SR scan calls it for a VDI whose volume or file is gone: the record goes, and a CD drive
 * holding it (its newest VBD, when that is a CD) is left empty (CA-419840).
 */
export function dbForgetVdi(db: Db, vdi: XObj<'VDI'>): void {
  const first = db.referrers('VBD', 'VDI', vdi.ref).at(-1)
  if (first && first.f.type === 'CD') db.set(first, { VDI: NULL_REF, empty: true })
  db.destroy(vdi)
}

/** A VDI record as an SM driver's scan introduces it (VDI.py _db_introduce). */
export function introduceVdiRecord(db: Db, sr: XObj<'SR'>, r: Introduce): XObj<'VDI'> {
  return introduce(db, sr, r)
}

export interface VdiIntroduceArgs {
  uuid: string
  sr: XObj<'SR'>
  name_label: string
  name_description: string
  type: VdiType
  sharable: boolean
  other_config: XMap
  xenstore_data: XMap
  sm_config: XMap
  location: string
}

/**
 * VDI.introduce: the SR must allow vdi_introduce (SR_OPERATION_NOT_SUPPORTED: only the dummy and udev drivers can)
 * and be attached (SR_HAS_NO_PBDS); the location must be new to the SR (LOCATION_NOT_UNIQUE [sr, location]). The
 * driver makes the record (a failure: INTERNAL_ERROR Vdi_does_not_exist), then xapi sets the fields it owns —
 * name and description only when given.
 */
export function introduceVdi(db: Db, a: VdiIntroduceArgs): XObj<'VDI'> {
  const sr = a.sr
  assertSrOperation(db, sr, 'vdi_introduce')
  const pbd = srOperationPbd(db, sr)
  assertPbdIsPlugged(db, sr, pbd.f.host)
  for (const v of db.withField('VDI', 'location', a.location)) {
    if (v.f.SR === sr.ref && v.f.uuid !== a.uuid) throw new XapiError('LOCATION_NOT_UNIQUE', [sr.ref, a.location])
  }
  const missing = () => new XapiError('INTERNAL_ERROR', [`Storage_interface.Storage_error(Vdi_does_not_exist(${JSON.stringify(a.location)}))`])
  if (db.referrers('VDI', 'SR', sr.ref).some((v) => v.f.uuid === a.uuid) || (srBackend(sr) !== 'dummy' && srBackend(sr) !== 'udev')) throw missing()
  // udevVDI.load: the device path is its name (a missing device reads as size 0); DummyVDI: size 0
  const vdi = introduce(db, sr, {
    uuid: a.uuid, name_label: srBackend(sr) === 'udev' ? a.location : '', name_description: '', type: 'user', read_only: false,
    location: a.location, virtual_size: 0, physical_utilisation: 0, sm_config: passThrough(a.sm_config),
  })
  db.set(vdi, { other_config: a.other_config, xenstore_data: a.xenstore_data, sharable: a.sharable, type: a.type })
  if (a.name_label !== '') db.set(vdi, { name_label: a.name_label })
  if (a.name_description !== '') db.set(vdi, { name_description: a.name_description })
  updateVdiAllowedOperations(db, vdi)
  updateSrAllowedOperations(db, sr)
  return vdi
}

/**
 * VDI.update: the VDI must allow update (the SM's VDI_UPDATE: SR_OPERATION_NOT_SUPPORTED otherwise; VDI_IN_USE
 * while attached) and its SR be attached (SR_HAS_NO_PBDS); the driver's view of the VDI is what the records
 * already say.
 */
export function updateVdi(db: Db, vdi: XObj<'VDI'>): void {
  const sr = srOf(db, vdi)
  assertVdiOperation(db, vdi, 'update')
  const pbd = srOperationPbd(db, sr)
  assertPbdIsPlugged(db, sr, pbd.f.host)
  updateVdiAllowedOperations(db, vdi)
}

// ---------------------------------------------------------------------------------------------------------
// VDI.copy.

export interface VdiCopyArgs {
  /** the SR a new VDI is created in (ignored when `into` is given) */
  sr?: XObj<'SR'> | Ref
  /** an existing VDI to copy into */
  into?: XObj<'VDI'> | Ref
}

/**
 * VDI.copy: into an existing VDI (must be writable — VDI_READONLY — and at least as large — VDI_TOO_SMALL
 * [dst, size]) or into a new VDI created in `sr` like the source (read_only false, sm_config {}, on_boot and
 * allow_caching copied). Refused for on_boot=reset sources and while written through a VBD.
 */
export function copyVdi(db: Db, vdi: XObj<'VDI'>, args: VdiCopyArgs): XObj<'VDI'> {
  assertVdiOperation(db, vdi, 'copy')
  assertVdiManaged(vdi)
  const into = typeof args.into === 'string' ? db.tryGet(args.into, 'VDI') : args.into
  let created: XObj<'VDI'> | undefined
  let dst: XObj<'VDI'>
  if (into) dst = into
  else {
    const sr = typeof args.sr === 'string' ? db.get(args.sr, 'SR') : args.sr
    if (!sr) throw new XapiError('HANDLE_INVALID', ['SR', NULL_REF])
    dst = created = createVdi(db, {
      sr, name_label: vdi.f.name_label, name_description: vdi.f.name_description, virtual_size: vdi.f.virtual_size,
      type: vdi.f.type, sharable: vdi.f.sharable, read_only: false, other_config: vdi.f.other_config,
      xenstore_data: vdi.f.xenstore_data, sm_config: [], tags: vdi.f.tags,
    })
    // (unreachable while VDI.copy refuses on_boot=reset sources, kept as xapi has it; failures are ignored)
    if (vdi.f.on_boot === 'reset' && !vdiOperationError(db, dst, 'set_on_boot')) db.set(dst, { on_boot: 'reset' })
    db.set(dst, { allow_caching: vdi.f.allow_caching })
  }
  try {
    if (dst.f.read_only) throw new XapiError('VDI_READONLY', [dst.ref])
    if (dst.f.virtual_size < vdi.f.virtual_size) throw new XapiError('VDI_TOO_SMALL', [dst.ref, String(vdi.f.virtual_size)])
  } catch (e) {
    if (created) destroyVdi(db, created)
    throw e
  }
  const dstPlace = vdiPlace(db, dst)
  copyVdiData(homeOf(db), vdiPlace(db, vdi), dstPlace, vdi.f.virtual_size)
  if (dstPlace.file === undefined) accountVdiWrite(db, dst, vdiExtents(homeOf(db), dst.f.uuid))
  updateVdiAllowedOperations(db, dst)
  return dst
}

// ---------------------------------------------------------------------------------------------------------
// VDI.resize / VDI.resize_online.

/** The SM driver's vdi_resize; returns the new virtual size. */
function smResize(db: Db, sr: XObj<'SR'>, vdi: XObj<'VDI'>, requested: number): number {
  const current = vdi.f.virtual_size
  switch (srBackend(sr)) {
    case 'lvhd': {
      if (requested < current) throw smError('VDISize', 'shrinking not allowed')
      const size = roundVhdSize(requested)
      if (size === current) return current
      const raw = isRawVdi(vdi)
      const lvOld = raw ? current : vdi.f.physical_utilisation
      let lvNew = raw ? roundUp(LVM_EXTENT, size) : lvhdFullLvSize(size)
      if (!raw && srProvisioning(sr) === 'thin') lvNew = lvOld
      assertSrSpace(sr, lvNew - lvOld)
      const newSize = raw ? lvNew : size
      db.set(vdi, { virtual_size: newSize, physical_utilisation: lvNew })
      accountSrSpace(db, sr, { virtual: newSize - current, physical: lvNew - lvOld })
      return newSize
    }
    case 'dummy':
      db.set(vdi, { virtual_size: requested, physical_utilisation: requested })
      return requested
    case 'lun':
    case 'iso':
    case 'udev':
      throw smError('Unimplemented')
    default: {
      if (isRawVdi(vdi)) throw new XapiError('INTERNAL_ERROR', ['Storage_interface.Storage_error(Unimplemented("VDI.resize"))'])
      if (requested < current) throw smError('VDISize', 'shrinking not allowed')
      if (requested === current) return current
      const size = roundVhdSize(requested)
      const used = vdi.f.physical_utilisation - vhdFileSize(current) + vhdFileSize(size)
      db.set(vdi, { virtual_size: size, physical_utilisation: used })
      accountSrSpace(db, sr, { virtual: size - current, physical: used - vdi.f.physical_utilisation })
      return size
    }
  }
}

/**
 * VDI.resize (offline; VDI_IN_USE [vdi, "resize"] while attached) or VDI.resize_online (needs the SM's
 * VDI_RESIZE_ONLINE). Shrinking → SR_BACKEND_FAILURE_79 "VDI Invalid size [opterr=shrinking not allowed]";
 * the size is rounded up to 2 MiB; thick LVM SRs need the extra space (SR_BACKEND_FAILURE_44).
 */
export function resizeVdi(db: Db, vdi: XObj<'VDI'>, size: number, online = false): void {
  const sr = srOf(db, vdi)
  assertSrOperation(db, sr, 'vdi_resize')
  assertVdiOperation(db, vdi, online ? 'resize_online' : 'resize')
  const pbd = srOperationPbd(db, sr)
  assertPbdIsPlugged(db, sr, pbd.f.host)
  assertVdiManaged(vdi)
  const newSize = smResize(db, sr, vdi, size)
  db.set(vdi, { virtual_size: newSize })
  updateVdiAllowedOperations(db, vdi)
  updateSrAllowedOperations(db, sr)
}

// ---------------------------------------------------------------------------------------------------------
// Space taken by written data.

/**
 * After bytes were written into a VDI (vdi-import): a VHD file grows by one block (its 512-byte sector bitmap and
 * 2 MiB of data) for each 2 MiB block holding data, and its SR's utilisation with it. LVM volumes (thick) and raw
 * images already hold their full size.
 */
export function accountVdiWrite(db: Db, vdi: XObj<'VDI'>, extents: Array<[number, number]>): void {
  const sr = srOf(db, vdi)
  const backend = srBackend(sr)
  if ((backend !== 'file' && backend !== 'other') || isRawVdi(vdi)) return
  const blocks = new Set<number>()
  for (const [a, b] of extents) for (let i = Math.floor(a / VHD_BLOCK_SIZE); i * VHD_BLOCK_SIZE < b; i++) blocks.add(i)
  const used = vhdFileSize(vdi.f.virtual_size) + blocks.size * (VHD_BLOCK_SIZE + 512)
  if (used <= vdi.f.physical_utilisation) return
  accountSrSpace(db, sr, { physical: used - vdi.f.physical_utilisation })
  db.set(vdi, { physical_utilisation: used })
}
