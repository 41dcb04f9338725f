// Shared pieces of the field hooks (records.ml behaviour the tables cannot express).
import type { Db, XObj } from '../../engine/db'
import type { ClassName } from '../../engine/model.generated'
import { XapiError } from '../../engine/errors'
import { NULL_REF, type Ref } from '../../engine/values'
import { queryHostDs, queryVmDs } from '../../engine/rrd'
import { xeFloat } from '../enums'
import type { Field, Rec } from '../records'
import { refsOfUuids } from '../records'

export interface Hook {
  get?(rec: Rec, f: Field): string
  getSet?(rec: Rec, f: Field): string[]
  getMap?(rec: Rec, f: Field): Array<[string, string]>
  set?(rec: Rec, f: Field, text: string): void
  addToMap?(rec: Rec, f: Field, k: string, v: string): void
  removeFromMap?(rec: Rec, f: Field, k: string): void
  setMap?(rec: Rec, f: Field, pairs: Array<[string, string]>): void
  addToSet?(rec: Rec, f: Field, member: string): void
  removeFromSet?(rec: Rec, f: Field, member: string): void
}

// Fields the tables mark "computed" that need no hook: records.ml reads one field behind a `try … with _ ->
// "<not in database>"` (pif network-/host-uuid and -name-label, the PIF_metrics vendor/device fields, the
// PCI-backed pgpu/vgpu/pci fields, gpu-group/usb-group references, hostdriver host-uuid), prints a constructor
// name (vbd mode/type), a bool (cluster is-quorate), the raw reference (caller rate-limit) or the strings
// (caller groups). The generic path in records.ts does exactly that: a missing related object or null
// reference prints <not in database>.
export const NID = '<not in database>'
export const UNKNOWN = '<unknown>'

// ---------------------------------------------------------------------------------------------------------
// Small helpers.

export const obj = <C extends ClassName>(rec: Rec, _cls: C) => rec.obj as XObj<C>
export const related = <C extends ClassName>(db: Db, ref: Ref, cls: C) => db.tryGet(ref, cls)
export const semi = (xs: string[]) => xs.join('; ')
export const bool = (b: boolean) => (b ? 'true' : 'false')

/** Printf "%<width>.<digits>f" as glibc prints a double: exact binary value, ties to even. */
export function cFixed(v: number, digits: number, width = 0): string {
  let s: string
  if (!Number.isFinite(v)) s = Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf'
  else {
    const neg = v < 0 || Object.is(v, -0)
    const a = Math.abs(v)
    const [m, e] = frexpExact(a)
    const scale = 10n ** BigInt(digits)
    let q: bigint
    if (e >= 0) q = (m << BigInt(e)) * scale
    else {
      const num = m * scale
      const den = 1n << BigInt(-e)
      q = num / den
      const r2 = (num % den) * 2n
      if (r2 > den || (r2 === den && (q & 1n) === 1n)) q += 1n
    }
    const t = q.toString().padStart(digits + 1, '0')
    s = (neg ? '-' : '') + (digits > 0 ? `${t.slice(0, -digits)}.${t.slice(-digits)}` : t)
  }
  return s.padStart(width, ' ')
}
/** a = m * 2^e exactly (m a BigInt). */
export function frexpExact(a: number): [bigint, number] {
  const dv = new DataView(new ArrayBuffer(8))
  dv.setFloat64(0, a)
  const hi = dv.getUint32(0) & 0x7fffffff
  const lo = dv.getUint32(4)
  const bexp = hi >>> 20
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo)
  if (bexp === 0) return [mant, -1074]
  mant |= 1n << 52n
  return [mant, bexp - 1075]
}

/** OCaml's Printexc.to_string of an API error (Api_errors registers this printer). */
export const printServerError = (e: XapiError) => `Server_error(${e.code}, [ ${e.params.join('; ')} ])`

/** A `uuid of <X>` setter where "" means no object (records.ml: `if x = "" then Ref.null`). */
export function refOrNull(cls: string, field: string): Hook['set'] {
  return (rec, _f, text) => {
    const value = text === '' ? NULL_REF : (refsOfUuids(rec.db, cls, text, false) as Ref)
    rec.db.set(rec.obj, { [field]: value } as never)
  }
}

/** A host data source read as records.ml does for I/O rates: value / 1024 as %.3f, "<unknown>" on failure. */
export function hostRate(rec: Rec, name: (p: XObj<'PIF'>) => string): string {
  try {
    const pif = obj(rec, 'PIF')
    const h = rec.db.get(pif.f.host, 'host')
    return xeFloat(queryHostDs(rec.db, h, name(pif)) / 1024.0)
  } catch {
    return UNKNOWN
  }
}
/** The same for a VM data source of a VIF or VBD (VM.query_data_source refuses halted VMs: "<unknown>"). */
export function vmRate(rec: Rec, vmRef: Ref, name: string): string {
  try {
    return xeFloat(queryVmDs(rec.db, rec.db.get(vmRef, 'VM'), name) / 1024.0)
  } catch {
    return UNKNOWN
  }
}

/** A VM_metrics field with records.ml's fallback when the metrics object is missing (Option.fold ~none). */
export function vmMetric(none: string, render: (m: XObj<'VM_metrics'>) => string): Hook {
  return {
    get(rec) {
      const m = related(rec.db, obj(rec, 'VM').f.metrics, 'VM_metrics')
      return m ? render(m) : none
    },
  }
}

