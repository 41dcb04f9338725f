// Getting rid of VMs: VM.destroy (xapi_vm.ml destroy, xapi_vm_helpers.ml destroy), the power-state reset xapi
// applies when a domain goes away (xapi_vm_lifecycle.ml force_state_reset), VM.hard_shutdown as vm-uninstall,
// snapshot-destroy, clone and revert use it (xapi_vm.ml hard_shutdown + message_forwarding.ml), and the object set
// `xe vm-uninstall` destroys (cli_operations.ml vm_uninstall_common).
// Reference: xapi-model.md §3, §4.3; xe-cli-behaviour.md §9. Re-expressed from xen-api at the reference commit.
import type { Db, XObj } from './db'
import { XapiError, handleInvalid } from './errors'
import { vmDescription, vmMessage } from './message'
import { destroyVdi } from './vdi'
import { updateVmVbdOperations } from './vbd'
import { updateVmVifOperations } from './vif'
import { assertOperation, updateAllowedOperations } from './vm-lifecycle'
import { NULL_REF, mapGet, type Ref } from './values'

type PowerState = XObj<'VM'>['f']['power_state']

const without = <T>(xs: T[], x: T): T[] => xs.filter((y) => y !== x)

/**
 * force_state_reset: the VM's power state becomes `state`. Halted detaches every device (VBD, VIF, VGPU, VUSB;
 * reserved and current operations cleared) and clears requires_reboot; Halted — and Suspended unless a checkpoint
 * keeps the domain's host (`keepResidence`) — clears resident_on, scheduled_to_be_resident_on and domid.
 * The VM's current operations are cleared and its allowed operations recomputed.
 */
export function resetPowerState(db: Db, vm: XObj<'VM'>, state: PowerState, keepResidence = false): void {
  if (vm.f.current_operations.length > 0) db.set(vm, { current_operations: [] })
  db.set(vm, { power_state: state })
  if (state === 'Suspended') db.set(vm, { pending_guidances: without(vm.f.pending_guidances, 'restart_device_model') })
  if (state === 'Halted') {
    for (const vbd of db.referrers('VBD', 'VM', vm.ref)) {
      db.set(vbd, { currently_attached: false, current_operations: [], reserved: false } as Partial<XObj<'VBD'>['f']>)
    }
    for (const vif of db.referrers('VIF', 'VM', vm.ref)) {
      db.set(vif, { currently_attached: false, current_operations: [], reserved: false } as Partial<XObj<'VIF'>['f']>)
    }
    for (const vgpu of db.referrers('VGPU', 'VM', vm.ref)) db.set(vgpu, { currently_attached: false })
    for (const vusb of db.referrers('VUSB', 'VM', vm.ref)) db.set(vusb, { currently_attached: false, current_operations: [] })
    db.set(vm, {
      requires_reboot: false,
      pending_guidances: vm.f.pending_guidances.filter((g) => g !== 'restart_device_model' && g !== 'restart_vm'),
    })
  }
  if (state === 'Halted' || (state === 'Suspended' && !keepResidence)) {
    db.set(vm, { resident_on: NULL_REF, scheduled_to_be_resident_on: NULL_REF, domid: -1 })
    for (const vgpu of db.referrers('VGPU', 'VM', vm.ref)) db.set(vgpu, { resident_on: NULL_REF, scheduled_to_be_resident_on: NULL_REF, PCI: NULL_REF })
    // (PCI.attached_VMs is not in the datamodel this world is built from: only the VM side is kept)
    if (vm.f.attached_PCIs.length > 0) db.set(vm, { attached_PCIs: [] })
  }
  updateAllowedOperations(db, vm)
}

/** What xapi records when a VM's domain disappears: the consoles go and the VM is reset to Halted. */
export function domainGone(db: Db, vm: XObj<'VM'>): void {
  for (const c of [...db.referrers('console', 'VM', vm.ref)]) db.destroy(c)
  resetPowerState(db, vm, 'Halted')
}

/**
 * Xapi_vm.hard_shutdown without the operation check or message (what VM.clone uses on its own result):
 * ha_always_run cleared; a Suspended VM loses its suspend image (failures ignored, suspend_VDI forgotten);
 * a Running or Paused VM's domain is destroyed.
 */
export function hardShutdownLocal(db: Db, vm: XObj<'VM'>): void {
  db.set(vm, { ha_always_run: false })
  if (vm.f.power_state === 'Suspended') {
    const vdi = db.tryGet(vm.f.suspend_VDI, 'VDI')
    if (vdi) {
      try {
        destroyVdi(db, vdi)
      } catch {
        // log_exn_continue
      }
    }
    db.set(vm, { suspend_VDI: NULL_REF })
    resetPowerState(db, vm, 'Halted')
  } else if (vm.f.power_state === 'Running' || vm.f.power_state === 'Paused') {
    domainGone(db, vm)
  }
}

/**
 * VM.hard_shutdown as the API runs it (message_forwarding.ml): the hard_shutdown check (Paused, Suspended or
 * Running; VM_BAD_POWER_STATE otherwise), the shutdown, the devices' allowed operations, and the VM_SHUTDOWN
 * message "VM '<name>' (uuid: <uuid>) shutdown".
 */
export function hardShutdownVm(db: Db, vm: XObj<'VM'>): void {
  assertOperation(db, vm, 'hard_shutdown', true)
  hardShutdownLocal(db, vm)
  updateVmVbdOperations(db, vm)
  updateVmVifOperations(db, vm)
  vmMessage(db, vm, 'VM_SHUTDOWN', `${vmDescription(vm)} shutdown`)
}

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
    if (current.f.power_state !== 'Halted') hardShutdownVm(db, current)
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
