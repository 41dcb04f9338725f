// VBD rules that xe's records reach through API calls: VBD.assert_attachable (xapi_vbd_helpers.ml
// valid_operations with the expensive VDI-sharing checks, asked about `attach`).
import type { Db, XObj } from './db'
import { XapiError } from './errors'

/**
 * The error that would refuse attaching this VBD, or undefined. Only the checks that concern `attach` are
 * made, in valid_operations' order (the first error recorded for an operation wins).
 */
export function attachError(db: Db, vbd: XObj<'VBD'>): XapiError | undefined {
  // any current operation precludes attach (the lowest-sorting one is reported)
  const ops = [...vbd.f.current_operations].sort((a, b) => (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
  if (ops.length > 0) return new XapiError('OTHER_OPERATION_IN_PROGRESS', ['VBD', vbd.ref, ops[0]![1], ops[0]![0]])
  if (vbd.f.empty) return undefined
  const vdi = db.get(vbd.f.VDI, 'VDI')
  if (!vdi.f.managed) return new XapiError('VDI_NOT_MANAGED', [vbd.ref])
  const busy = vdi.f.current_operations.find(([, op]) => op !== 'mirror' && op !== 'copy')
  if (busy) return new XapiError('OTHER_OPERATION_IN_PROGRESS', ['VDI', vdi.ref, busy[1], busy[0]])
  if (!vbd.f.currently_attached) {
    const vm = db.get(vbd.f.VM, 'VM')
    const others = db.referrers('VBD', 'VDI', vdi.ref).filter((o) => {
      if (o.ref === vbd.ref) return false
      const ovm = db.tryGet(o.f.VM, 'VM')
      if (!ovm || ovm.f.power_state === 'Suspended' || ovm.f.is_control_domain) return false
      return o.f.currently_attached || !!(o.f as { reserved?: boolean }).reserved || o.f.current_operations.length > 0
    })
    const someoneWrites = others.some((o) => o.f.mode === 'RW')
    const needWrite = vbd.f.mode === 'RW'
    if (!vdi.f.sharable && !vm.f.is_control_domain && (someoneWrites || (needWrite && others.length > 0))) return new XapiError('VDI_IN_USE', [vdi.ref])
    if (needWrite && vdi.f.read_only) return new XapiError('VDI_READONLY', [vdi.ref])
  }
  return undefined
}

/** VBD.assert_attachable. */
export function assertAttachable(db: Db, vbd: XObj<'VBD'>): void {
  const e = attachError(db, vbd)
  if (e) throw e
}
