// Parsing a param-set value per the field's set-parse spec (records.ml setters, via enums.ts).
import type { Db } from '../engine/db'
import type { ClassName } from '../engine/model.generated'
import { parseForSet } from './enums'

export function parseSetValue(db: Db, spec: { n: string; sp?: string }, dmType: string, text: string): unknown {
  const sp = spec.sp
  if (sp === undefined) return text
  const m = /^uuid of (\w+)$/.exec(sp)
  if (m) {
    const ref = db.getByUuid(m[1] as ClassName, text).ref
    return / set$/.test(dmType) ? [ref] : ref
  }
  return parseForSet(spec.n, sp, text)
}
