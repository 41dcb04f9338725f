// PBD rules: PBD.create / destroy / plug / unplug as message_forwarding.ml (the SR operation each is marked with:
// pbd_create, pbd_destroy, plug, unplug) and xapi_pbd.ml carry them out. Plugging attaches the SR through its
// SM driver (sr-types.ts), which validates the device-config; plugging the coordinator's PBD then refreshes the
// SR's sizes (SR.update). Reference: xapi-model.md §11.2 (PBD.plug / unplug, SR_NOT_SHARABLE, VDI_IN_USE), §3
// (PBD.destroy). Re-expressed from the sources.
import type { Db, XObj } from './db'
import { XapiError } from './errors'
import { assertSrOperation, updateSrAllowedOperations } from './sr'
import { defaultStat, smAttach } from './sr-types'
import { dropForgottenSr, forgottenSr } from './sm-state'
import type { Ref, XMap } from './values'

const masterOf = (db: Db): Ref => db.all('pool')[0]?.f.master ?? 'OpaqueRef:NULL'

/** Xapi_pbd.assert_no_srmaster_key: SRmaster is for the SM drivers only. */
function assertNoSrMasterKey(dc: XMap): void {
  const v = dc.find(([k]) => k === 'SRmaster')
  if (v) throw new XapiError('VALUE_NOT_SUPPORTED', ['SRmaster', v[1], 'This key is for internal use only'])
}

/**
 * Xapi_pbd.create_common: one PBD per (host, SR) (PBD_EXISTS [sr, host, pbd]); not attached. The record only —
 * callers mark the SR (createPbd does).
 */
export function createPbdRecord(db: Db, host: XObj<'host'>, sr: XObj<'SR'>, device_config: XMap, currently_attached = false): XObj<'PBD'> {
  const existing = db.referrers('PBD', 'SR', sr.ref).find((p) => p.f.host === host.ref)
  if (existing) throw new XapiError('PBD_EXISTS', [sr.ref, host.ref, existing.ref])
  assertNoSrMasterKey(device_config)
  return db.create('PBD', { host: host.ref, SR: sr.ref, device_config, currently_attached, other_config: [] })
}

/** PBD.create (xe pbd-create): the SR must allow pbd_create. */
export function createPbd(db: Db, host: XObj<'host'>, sr: XObj<'SR'>, device_config: XMap): XObj<'PBD'> {
  assertSrOperation(db, sr, 'pbd_create')
  const pbd = createPbdRecord(db, host, sr, device_config)
  updateSrAllowedOperations(db, sr)
  return pbd
}

/** PBD.destroy: refused while attached (OPERATION_NOT_ALLOWED ["PBD is currently attached"]). */
export function destroyPbd(db: Db, pbd: XObj<'PBD'>): void {
  const sr = db.get(pbd.f.SR, 'SR')
  assertSrOperation(db, sr, 'pbd_destroy')
  if (pbd.f.currently_attached) throw new XapiError('OPERATION_NOT_ALLOWED', ['PBD is currently attached'])
  db.destroy(pbd)
  updateSrAllowedOperations(db, sr)
}

/**
 * PBD.plug: nothing to do when attached; a non-shared SR may be attached to one host only (SR_NOT_SHARABLE
 * [sr, host]); the SM driver attaches it (its device-config errors). Plugging the coordinator's PBD refreshes the
 * SR's sizes: a reattached forgotten SR reports what it had, an introduced one what its storage holds.
 */
export function plugPbd(db: Db, pbd: XObj<'PBD'>): void {
  const sr = db.get(pbd.f.SR, 'SR')
  assertSrOperation(db, sr, 'plug')
  if (pbd.f.currently_attached) return
  const host = db.get(pbd.f.host, 'host')
  if (!sr.f.shared) {
    const other = db.referrers('PBD', 'SR', sr.ref).find((p) => p.f.currently_attached && p.f.host !== host.ref)
    if (other) throw new XapiError('SR_NOT_SHARABLE', [sr.ref, db.get(other.f.host, 'host').ref])
  }
  const call = { db, type: sr.f.type, device_config: pbd.f.device_config, sm_config: sr.f.sm_config, host, sr }
  smAttach(call)
  db.set(pbd, { currently_attached: true })
  if (pbd.f.host === masterOf(db) && sr.f.physical_size < 0) {
    const stored = forgottenSr(db, sr.f.uuid)
    const stat = stored ? { physical_size: stored.physical_size, physical_utilisation: stored.physical_utilisation } : defaultStat(call)
    if (stored) dropForgottenSr(db, sr.f.uuid, false)
    if (stat) db.set(sr, stat)
  }
  updateSrAllowedOperations(db, sr)
}

/**
 * The VDIs of the PBD's SR in use on its host (Xapi_pbd.get_active_vdis_by_pbd): attached or reserved, non-empty
 * VBDs of VMs resident there.
 */
function activeVdis(db: Db, pbd: XObj<'PBD'>): Ref[] {
  const out: Ref[] = []
  for (const vm of db.referrers('VM', 'resident_on', pbd.f.host)) {
    for (const vbd of db.referrers('VBD', 'VM', vm.ref).slice().reverse()) {
      const reserved = !!(vbd.f as { reserved?: boolean }).reserved
      if (!(vbd.f.currently_attached || reserved) || vbd.f.empty) continue
      const vdi = db.tryGet(vbd.f.VDI, 'VDI')
      if (vdi && vdi.f.SR === pbd.f.SR && vdi.f.type !== 'metadata') out.push(vdi.ref)
    }
  }
  return out
}

/**
 * PBD.unplug: a VDI operation in progress on the SR blocks it (OTHER_OPERATION_IN_PROGRESS); the SR must allow
 * unplug; nothing to do when detached; VDIs in use by VMs on that host refuse it (VDI_IN_USE [vdis…]).
 */
export function unplugPbd(db: Db, pbd: XObj<'PBD'>): void {
  const sr = db.get(pbd.f.SR, 'SR')
  for (const vdi of db.referrers('VDI', 'SR', sr.ref)) {
    const op = vdi.f.current_operations[0]
    if (op) throw new XapiError('OTHER_OPERATION_IN_PROGRESS', ['VDI', vdi.ref, op[1], op[0]])
  }
  assertSrOperation(db, sr, 'unplug')
  if (!pbd.f.currently_attached) return
  const vdis = activeVdis(db, pbd)
  if (vdis.length > 0) throw new XapiError('VDI_IN_USE', vdis)
  db.set(pbd, { currently_attached: false })
  updateSrAllowedOperations(db, sr)
}
