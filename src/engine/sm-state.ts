// What the storage itself still holds once xapi has forgotten it: SR.forget and VDI.forget drop only database
// records, the volumes and files stay on the substrate (xapi-model.md §3: "VDI.forget: only the DB record; the data
// stays (re-appears on SR.scan)"; SR.forget: "data untouched"). xesim keeps those leftovers in the world's meta
// table, in the same transaction as the records: a forgotten SR can be found again by sr-probe, re-introduced
// (sr-introduce, pbd-create, pbd-plug) and its VDIs come back on sr-scan; sr-destroy (or a new SR created over the
// same device) removes them for good.
import type { Db, XObj } from './db'
import type { VDIFields } from './model.generated'
import type { XMap } from './values'

/** A VDI record as the storage describes it (its reverse links and SR dropped, snapshot_of as a uuid). */
export type StoredVdi = Omit<VDIFields, 'VBDs' | 'crash_dumps' | 'snapshots' | 'SR' | 'snapshot_of'> & { snapshot_of_uuid: string }

/** A forgotten SR: what its device or export still says about it. */
export interface StoredSr {
  uuid: string
  type: string
  content_type: string
  name_label: string
  name_description: string
  shared: boolean
  sm_config: XMap
  /** the device_config it was last attached with (where it lives) */
  device_config: XMap
  physical_size: number
  physical_utilisation: number
}

interface State {
  srs: StoredSr[]
  /** forgotten VDIs, by the uuid of their SR */
  vdis: Record<string, StoredVdi[]>
}

const KEY = 'xesim.storage.forgotten'

function load(db: Db): State {
  const raw = db.store.getMeta(KEY)
  if (!raw) return { srs: [], vdis: {} }
  try {
    const s = JSON.parse(raw) as State
    return { srs: s.srs ?? [], vdis: s.vdis ?? {} }
  } catch {
    return { srs: [], vdis: {} }
  }
}
function save(db: Db, s: State): void {
  for (const k of Object.keys(s.vdis)) if (s.vdis[k]!.length === 0) delete s.vdis[k]
  db.store.setMeta(KEY, JSON.stringify(s))
}

/** The storage's description of a VDI about to be forgotten. */
export function storedVdi(db: Db, vdi: XObj<'VDI'>): StoredVdi {
  const f = { ...(vdi.f as unknown as Record<string, unknown>) }
  for (const k of ['VBDs', 'crash_dumps', 'snapshots', 'SR', 'snapshot_of']) delete f[k]
  const of = db.tryGet(vdi.f.snapshot_of, 'VDI')
  return { ...(f as unknown as StoredVdi), allowed_operations: [], current_operations: [], snapshot_of_uuid: of?.f.uuid ?? '' }
}

/** Remembers VDIs of an SR that xapi forgets (their data stays). */
export function rememberVdis(db: Db, srUuid: string, vdis: StoredVdi[]): void {
  if (vdis.length === 0) return
  const s = load(db)
  const list = (s.vdis[srUuid] ?? []).filter((v) => !vdis.some((n) => n.uuid === v.uuid || n.location === v.location))
  s.vdis[srUuid] = [...list, ...vdis]
  save(db, s)
}

/** The forgotten VDIs of an SR (without removing them). */
export function forgottenVdis(db: Db, srUuid: string): StoredVdi[] {
  return load(db).vdis[srUuid] ?? []
}

/** Removes forgotten VDIs of an SR (found again by a scan, or destroyed). */
export function dropForgottenVdis(db: Db, srUuid: string, uuids?: string[]): void {
  const s = load(db)
  if (!s.vdis[srUuid]) return
  s.vdis[srUuid] = uuids ? s.vdis[srUuid]!.filter((v) => !uuids.includes(v.uuid)) : []
  save(db, s)
}

export function rememberSr(db: Db, sr: StoredSr): void {
  const s = load(db)
  s.srs = [...s.srs.filter((x) => x.uuid !== sr.uuid), sr]
  save(db, s)
}

export function forgottenSrs(db: Db): StoredSr[] {
  return load(db).srs
}

export function forgottenSr(db: Db, uuid: string): StoredSr | undefined {
  return load(db).srs.find((s) => s.uuid === uuid)
}

/** Forgets a forgotten SR for good (destroyed, re-introduced, or overwritten by a new SR); returns it. */
export function dropForgottenSr(db: Db, uuid: string, withVdis: boolean): StoredSr | undefined {
  const s = load(db)
  const sr = s.srs.find((x) => x.uuid === uuid)
  s.srs = s.srs.filter((x) => x.uuid !== uuid)
  if (withVdis) delete s.vdis[uuid]
  save(db, s)
  return sr
}
