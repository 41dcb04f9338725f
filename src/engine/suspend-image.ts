// The memory image of a suspended or checkpointed VM (xapi_xenops.ml suspend, helpers.ml
// choose_suspend_sr): a "Suspend image" VDI of type suspend on the suspend SR, referenced by
// VM.suspend_VDI. Shared by VM.suspend (vm-power) and VM.checkpoint (vm-clone).
import type { Db, XObj } from './db'
import { XapiError } from './errors'
import { createVdi, destroyVdi } from './vdi'
import { NULL_REF, type Ref } from './values'

/** An SR usable from host: it exists and has a currently attached PBD there. */
function srForHost(db: Db, sr: Ref, host: Ref): XObj<'SR'> | undefined {
  const s = db.tryGet(sr, 'SR')
  if (!s) return undefined
  return db.referrers('PBD', 'SR', s.ref).some((p) => p.f.host === host && p.f.currently_attached) ? s : undefined
}

/** choose_suspend_sr: VM.suspend_SR, else pool.suspend_image_SR, else the host's suspend_image_sr. */
export function chooseSuspendSr(db: Db, vm: XObj<'VM'>, host: Ref = vm.f.resident_on): XObj<'SR'> {
  const pool = db.all('pool')[0]
  const hostObj = db.tryGet(host, 'host')
  const sr =
    srForHost(db, vm.f.suspend_SR, host) ??
    srForHost(db, pool?.f.suspend_image_SR ?? NULL_REF, host) ??
    srForHost(db, hostObj?.f.suspend_image_sr ?? NULL_REF, host)
  if (!sr) throw new XapiError('VM_NO_SUSPEND_SR', [vm.ref])
  return sr
}

/** static_max × 1.2 × 1.05 + 100 MiB (plus vGPU framebuffers), as xapi sizes the image. */
export function suspendImageSize(db: Db, vm: XObj<'VM'>): number {
  const vgpu = db.referrers('VGPU', 'VM', vm.ref).reduce((n, g) => n + (db.tryGet(g.f.type, 'VGPU_type')?.f.framebuffer_size ?? 0), 0)
  return Math.trunc(vm.f.memory_static_max * 1.2 * 1.05) + vgpu + 104857600
}

/** Creates the image on the suspend SR and points VM.suspend_VDI at it. */
export function createSuspendImage(db: Db, vm: XObj<'VM'>, host: Ref = vm.f.resident_on): XObj<'VDI'> {
  const sr = chooseSuspendSr(db, vm, host)
  const size = suspendImageSize(db, vm)
  let vdi: XObj<'VDI'>
  try {
    vdi = createVdi(db, {
      sr, name_label: 'Suspend image', name_description: 'Suspend image', virtual_size: size, type: 'suspend',
      sm_config: [['vmhint', vm.f.uuid], ['initial_allocation', String(size)]],
    })
  } catch (e) {
    if (e instanceof XapiError && e.code === 'SR_BACKEND_FAILURE_44') throw new XapiError('SR_SUSPEND_SPACE_INSUFFICIENT', [sr.ref])
    throw e
  }
  db.set(vm, { suspend_VDI: vdi.ref })
  return vdi
}

/** Destroys the VM's suspend image (resume, hard shutdown of a suspended VM) and clears suspend_VDI. */
export function destroySuspendImage(db: Db, vm: XObj<'VM'>): void {
  const vdi = db.tryGet(vm.f.suspend_VDI, 'VDI')
  if (vdi) destroyVdi(db, vdi)
  db.set(vm, { suspend_VDI: NULL_REF })
}
