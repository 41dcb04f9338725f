// Getting rid of VMs: VM.destroy (xapi_vm.ml destroy, xapi_vm_helpers.ml destroy) and the object set
// `xe vm-uninstall` destroys (cli_operations.ml vm_uninstall_common); running VMs are hard-shutdown first
// (vm-power.ts).
// Reference: xapi-model.md §3, §4.3; xe-cli-behaviour.md §9. Re-expressed from xen-api at the reference commit.
import type { Db, XObj } from './db'
import { XapiError, handleInvalid } from './errors'
import { destroyVdi } from './vdi'
import { assertOperation } from './vm-lifecycle'
import { NULL_REF, mapGet, type Ref } from './values'
import { hardShutdown } from './vm-power'

/**
 * VM.destroy: the destroy check (Halted or Suspended; VM_IS_TEMPLATE for default templates; the control domain
 * refused), children re-parented to the VM's parent, VTPMs (and their secrets), blobs, then — refused for
 * other_config:default_template=true (VM_CANNOT_DELETE_DEFAULT_TEMPLATE) — VBDs, VIFs (with their metrics),
 * VGPUs, VUSBs, VM_metrics, VM_guest_metrics and the VM itself. VDIs are never destroyed (not even the suspend
 * image); consoles left behind are removed as xapi's database GC would.
 */
export function destroyVm(db: Db, vm: XObj<'VM'>): void {
  assertOperation(db, vm, 'destroy', true)
  for (const child of [...db.referrers('VM', 'parent', vm.ref)]) db.set(child, { parent: vm.f.parent })
  for (const vtpm of [...db.referrers('VTPM', 'VM', vm.ref)]) db.destroy(vtpm)
  for (const [, blob] of vm.f.blobs) {
    const b = db.tryGet(blob, 'blob')
    if (b) db.destroy(b)
  }
  if (mapGet(vm.f.other_config, 'default_template') === 'true') throw new XapiError('VM_CANNOT_DELETE_DEFAULT_TEMPLATE', [])
  if (db.tryGet(vm.f.appliance, 'VM_appliance')) db.set(vm, { appliance: NULL_REF })
  for (const vbd of [...db.referrers('VBD', 'VM', vm.ref)]) {
    const m = db.tryGet(vbd.f.metrics, 'VBD_metrics')
    if (m) db.destroy(m)
    db.destroy(vbd)
  }
  for (const vif of [...db.referrers('VIF', 'VM', vm.ref)]) {
    const m = db.tryGet(vif.f.metrics, 'VIF_metrics')
    if (m) db.destroy(m)
    db.destroy(vif)
  }
  for (const vgpu of [...db.referrers('VGPU', 'VM', vm.ref)]) db.destroy(vgpu)
  const metrics = db.tryGet(vm.f.metrics, 'VM_metrics')
  if (metrics) db.destroy(metrics)
  const gm = db.tryGet(vm.f.guest_metrics, 'VM_guest_metrics')
  if (gm) db.destroy(gm)
  for (const vusb of [...db.referrers('VUSB', 'VM', vm.ref)]) db.destroy(vusb)
  for (const c of [...db.referrers('console', 'VM', vm.ref)]) db.destroy(c)
  db.destroy(vm)
}

// ---------------------------------------------------------------------------------------------------------
// xe vm-uninstall / template-uninstall / snapshot-uninstall.

export interface UninstallItem {
  vm: XObj<'VM'>
  /** VDIs behind the VM's VBDs whose other_config has the key "owner" */
  vdis: Ref[]
  suspendVdi: Ref
}

/** The text xe prints for a VDI: "VDI: <uuid> (<name>) " plus the warning when several VBDs use it. */
function vdiLine(db: Db, vdi: XObj<'VDI'>): string {
  const shared = db.referrers('VBD', 'VDI', vdi.ref).length > 1
  return `VDI: ${vdi.f.uuid} (${vdi.f.name_label}) ${shared ? ' ** WARNING: disk is shared by other VMs' : ''}`
}

/**
 * What vm-uninstall will destroy for each VM, and the lines it prints: "VM : <uuid> (<name>)", then one "VDI:"
 * line per owned disk and for the suspend image.
 */
export function uninstallPlan(db: Db, vms: Array<XObj<'VM'>>): { items: UninstallItem[]; lines: string[] } {
  const items: UninstallItem[] = []
  const lines: string[] = []
  for (const vm of vms) {
    const vdis: Ref[] = []
    for (const vbd of db.referrers('VBD', 'VM', vm.ref)) {
      const vdi = db.tryGet(vbd.f.VDI, 'VDI')
      if (vdi && vbd.f.other_config.some(([k]) => k === 'owner')) vdis.push(vdi.ref)
    }
    const suspend = db.tryGet(vm.f.suspend_VDI, 'VDI')
    lines.push(`VM : ${vm.f.uuid} (${vm.f.name_label})`)
    for (const v of vdis) lines.push(vdiLine(db, db.get(v, 'VDI')))
    if (suspend) lines.push(vdiLine(db, suspend))
    items.push({ vm, vdis, suspendVdi: suspend?.ref ?? NULL_REF })
  }
  return { items, lines }
}

/**
 * Destroys what uninstallPlan listed, VM by VM: a VM that is not Halted is hard-shutdown first, then VM.destroy,
 * then VDI.destroy of each owned disk (errors stop the command), then the suspend image (errors ignored).
 */
export function uninstall(db: Db, items: UninstallItem[]): void {
  for (const { vm, vdis, suspendVdi } of items) {
    const current = db.tryGet(vm.ref, 'VM')
    if (!current) throw handleInvalid('VM', vm.ref)
    if (current.f.power_state !== 'Halted') hardShutdown(db, current)
    destroyVm(db, current)
    for (const ref of vdis) {
      const vdi = db.tryGet(ref, 'VDI')
      if (!vdi) throw handleInvalid('VDI', ref)
      destroyVdi(db, vdi)
    }
    const s = db.tryGet(suspendVdi, 'VDI')
    if (s) {
      try {
        destroyVdi(db, s)
      } catch {
        // ignored, as xe does
      }
    }
  }
}
