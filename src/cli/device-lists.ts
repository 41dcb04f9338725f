// The VM-level device listings of xe (cli_operations.ml vm_disk_list_aux, vm_vif_list, cd_list) and the field
// selection they share (select_fields + print_field): `params=` (or vbd-params= / vdi-params=) names fields,
// `params=all` takes every field, the output keeps record order, and every field is computed — expensive ones too.
// Reference: xe-cli-behaviour.md §1.3 and §9 (vm-disk-list and vm-cd-list).
import type { XObj } from '../engine/db'
import { vmVbdsOfType } from '../engine/vm-devices'
import { CliFailure } from './failure'
import type { Param } from './args'
import type { XeContext } from './context'
import type { Record_ } from './printer'
import { recordClass, type Field, type Rec, type RecordClass } from './records'

/** choose_params: the first `params=` (split on ',', "all" = every field), else the defaults. [] means every field. */
function chooseParams(list: Param[], defaults: string[]): string[] {
  const p = list.find(([k]) => k === 'params')
  if (!p) return defaults
  return p[1] === 'all' ? [] : p[1].split(',')
}

/** select_fields: the fields chosen, in record order. */
function selectFields(cls: RecordClass, list: Param[], defaults: string[]): Field[] {
  const want = chooseParams(list, defaults)
  return want.length === 0 ? cls.fields : cls.fields.filter((f) => want.includes(f.name))
}

/** select_fields then print_field on one record: [key, value] pairs in record order. */
export function selectRecord(rec: Rec, list: Param[], defaults: string[]): Record_ {
  return selectFields(rec.cls, list, defaults).map((f) => [f.key, f.get(rec)])
}

/** The record of an object that is gone (a forgotten VDI): every field's getter fails with HANDLE_INVALID. */
function goneRecord(cls: RecordClass, list: Param[], defaults: string[]): Record_ {
  return selectFields(cls, list, defaults).map((f) => [f.key, '<invalid reference>'])
}

/** The parameters with one key renamed to `params` (vm_disk_list_aux's "vbd-params"/"vdi-params" hack). */
const renamed = (list: Param[], key: string): Param[] => list.map(([k, v]) => [k === key ? 'params' : k, v])

const VBD_DEFAULTS = ['uuid', 'vm-name-label', 'userdevice']
const CD_VBD_DEFAULTS = ['uuid', 'vm-name-label', 'userdevice', 'empty']
const VDI_DEFAULTS = ['uuid', 'name-label', 'virtual-size', 'sr-name-label']

/**
 * vm_disk_list_aux: for the VM's Disk (or CD) VBDs in VM.VBDs order, `Disk N VBD:` (`CD N VBD:`) and its record,
 * then — unless the drive is empty — `Disk N VDI:` and the VDI's record.
 */
export function printVmDisks(ctx: XeContext, vm: XObj<'VM'>, cd: boolean): void {
  const vbdCls = recordClass('vbd')
  const vdiCls = recordClass('vdi')
  const vbdParams = renamed(ctx.params.list, 'vbd-params')
  const vdiParams = renamed(ctx.params.list, 'vdi-params')
  const vbds = vmVbdsOfType(ctx.db, vm, cd ? 'CD' : 'Disk')
  vbds.forEach((vbd, n) => {
    const disk = `${cd ? 'CD' : 'Disk'} ${n}`
    ctx.out.msg(`${disk} VBD:`)
    ctx.out.table([selectRecord(vbdCls.rec(ctx.db, vbd), vbdParams, cd ? CD_VBD_DEFAULTS : VBD_DEFAULTS)])
    // only a drive with media has a VDI to show; a VDI that was forgotten shows <invalid reference> throughout
    if (vbd.f.empty) return
    const vdi = ctx.db.tryGet(vbd.f.VDI, 'VDI')
    ctx.out.msg(`${disk} VDI:`)
    ctx.out.table([vdi ? selectRecord(vdiCls.rec(ctx.db, vdi), vdiParams, VDI_DEFAULTS) : goneRecord(vdiCls, vdiParams, VDI_DEFAULTS)])
  })
}

/** get_snapshot_uuid: snapshot-uuid=, else uuid=. */
export function snapshotUuidParam(ctx: XeContext): string {
  const u = ctx.params.get('snapshot-uuid') ?? ctx.params.get('uuid')
  if (u === undefined) throw new CliFailure('Required parameter not found: snapshot-uuid or uuid.')
  return u
}

/** get_snapshotVM_by_uuid: VM.get_by_uuid, which must be a snapshot. */
export function snapshotByUuid(ctx: XeContext, uuid: string): XObj<'VM'> {
  const vm = ctx.db.getByUuid('VM', uuid)
  if (!vm.f.is_a_snapshot) throw new CliFailure(`This operation can only be performed on a VM snapshot. ${uuid} is not a VM snapshot.`)
  return vm
}
