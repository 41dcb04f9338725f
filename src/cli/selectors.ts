// <vm-selectors>, <host-selectors>, <sr-selectors> (cli_operations.ml select_vms / do_vm_op / …):
// the pseudo-field vm=/host=/sr=, default filters, any record field as a filter, --multiple.
import type { XObj } from '../engine/db'
import { XapiError } from '../engine/errors'
import { CliFailure, MultipleFailure } from './failure'
import { filterRecords, filtersHold, narrowed } from './filters'
import { STDPARAMS } from './params'
import { recordClass, type Rec, type RecordClass } from './records'
import { serverError } from './errors'
import type { XeContext } from './context'
import type { SelectorCall } from './spec'

type Kind = 'vm' | 'host' | 'sr'
const PSEUDO: Record<Kind, { cls: 'VM' | 'host' | 'SR'; fields: string[] }> = {
  vm: { cls: 'VM', fields: ['uuid', 'name_label'] },
  host: { cls: 'host', fields: ['uuid', 'hostname', 'name_label'] },
  sr: { cls: 'SR', fields: ['uuid', 'name_label'] },
}

export interface SelectOptions {
  dom0?: boolean
  templates?: boolean
  ignore?: string[]
}

/** The records a selector matches, before the one/many decision. */
export function select(ctx: XeContext, kind: Kind, o: SelectOptions = {}): Rec[] {
  let params = ctx.params.list
  if (kind === 'vm') {
    if (!o.dom0) params = [['is-control-domain', 'false'], ...params]
    if (!o.templates) params = [['is-a-template', 'false'], ...params]
  }
  const ps = PSEUDO[kind]
  const i = params.findIndex(([k]) => k === kind)
  const pseudo = i >= 0 ? params[i]![1] : undefined
  if (i >= 0) params = params.filter((_, j) => j !== i)
  const ignore = [...STDPARAMS, ...(o.ignore ?? [])]
  const filters = params.filter(([p]) => !ignore.includes(p.split(':')[0]!))
  const cls = recordClass(kind)
  let objs: XObj[] = narrowedSelection(ctx, kind, pseudo, filters, cls) ?? ctx.db.all(ps.cls)
  if (pseudo !== undefined) objs = objs.filter((x) => ps.fields.some((f) => (x.f as Record<string, unknown>)[f] === pseudo))
  let recs = objs.map((x) => cls.rec(ctx.db, x))
  for (const f of filters) recs = filterRecords(recs, f)
  return recs
}

/**
 * The only objects a selector can match when it names them — uuid= or name-label= (filters.ts narrowed), or vm= by
 * uuid or name — found without reading the whole class; undefined: read it all.
 */
function narrowedSelection(ctx: XeContext, kind: Kind, pseudo: string | undefined, filters: Array<[string, string]>, cls: RecordClass): XObj[] | undefined {
  if (pseudo === undefined || PSEUDO[kind].cls !== 'VM') return narrowed(ctx.db, cls, filters)
  // vm=: its own candidates, when the filters can be trusted to fail alike on any number of records
  if (!filtersHold(cls, filters)) return undefined
  const named: XObj[] = ctx.db.withField('VM', 'name_label', pseudo)
  const x = ctx.db.byUuid('VM', pseudo)
  if (!x || named.includes(x)) return named
  // a VM named like another's uuid: the class's order decides, so read it all
  return named.length === 0 ? [x] : undefined
}

/**
 * do_multiple: every object is attempted, each as its own operation: a failure undoes only that object's
 * changes (a savepoint), the others are kept. Failures are reported together (latest first, as xe).
 */
function doMultiple<T>(ctx: XeContext, recs: Rec[], op: (r: Rec) => T): T[] {
  const fails: Array<[string, string]> = []
  const ok: T[] = []
  for (const r of recs) {
    const sp = ctx.db.savepoint()
    try {
      ok.unshift(op(r))
      ctx.db.release(sp)
    } catch (e) {
      ctx.db.rollbackTo(sp)
      const uuid = (r.obj.f as { uuid: string }).uuid
      let msg: string
      if (e instanceof XapiError) msg = serverError(e.code, e.params, ctx.db).replace(/\n$/, '')
      else if (e instanceof CliFailure) msg = `INTERNAL_ERROR: [ Cli_util.Cli_failure(${JSON.stringify(e.message)}) ]`
      else throw e
      fails.unshift([uuid, msg])
    }
  }
  if (fails.length > 0) throw new MultipleFailure(fails, true)
  return ok
}

const MESSAGES: Record<Kind, { none: string; many: string; single: string }> = {
  vm: { none: 'No matching VMs found', many: 'Multiple matches VMs found. --multiple required to complete the operation', single: 'Multiple matches VMs found. Operation can only be performed on one VM at a time' },
  host: { none: 'No matching hosts found', many: 'Multiple matching hosts found. --multiple required to complete the operation', single: 'Multiple matching hosts found. Operation can only be performed on one host at a time' },
  sr: { none: 'No matching hosts found', many: 'Multiple matching SRs found. --multiple required to complete the operation', single: 'Multiple matching SRs found. Operation can only be performed on one SR at a time' },
}

/**
 * do_vm_op / do_host_op / do_sr_op: applies op to the selected object(s). `multiple` says whether the
 * command accepts --multiple at all. op receives the record and the number of objects selected.
 */
export function doOp<T>(ctx: XeContext, kind: Kind, op0: (r: Rec, count: number) => T, o: SelectOptions & { multiple?: boolean } = {}): T[] {
  const op = kind === 'vm' ? wrapOp(ctx, op0) : op0
  const recs = select(ctx, kind, o)
  const m = MESSAGES[kind]
  if (recs.length === 0) throw new CliFailure(m.none)
  if (recs.length === 1) return [op(recs[0]!, 1)]
  const multipleAllowed = o.multiple ?? true
  if (multipleAllowed && ctx.params.bool('multiple')) return doMultiple(ctx, recs, (r) => op(r, recs.length))
  throw new CliFailure(multipleAllowed ? m.many : m.single)
}

/**
 * wrap_op: after each VM operation, the messages it raised about that VM with a priority below
 * message-priority (default 5) go to stderr as `Message: time=… priority=… name='…'`.
 */
function wrapOp<T>(ctx: XeContext, op: (r: Rec, count: number) => T): (r: Rec, count: number) => T {
  const p = ctx.params.get('message-priority')
  const pri = p !== undefined && /^-?\d+$/.test(p) ? Number(p) : 5
  return (r, count) => {
    // the messages the operation raised are the ones this transaction created meanwhile
    const before = new Set(ctx.db.createdOf('message').map((m) => m.ref))
    const result = op(r, count)
    const uuid = (r.obj.f as { uuid: string }).uuid
    for (const m of ctx.db.createdOf('message')) {
      if (before.has(m.ref) || m.f.cls !== 'VM' || m.f.obj_uuid !== uuid || m.f.priority >= pri) continue
      ctx.out.stderr(`Message: time=${m.f.timestamp} priority=${m.f.priority} name='${m.f.name}'\n`)
    }
    return result
  }
}

/** The selector call a command declares in the command table (selector_calls). */
export function doDeclaredOp<T>(ctx: XeContext, op: (r: Rec, count: number) => T, call: SelectorCall | undefined = ctx.spec.calls?.[0]): T[] {
  if (!call) throw new Error(`${ctx.name} declares no selector call`)
  return doOp(ctx, call.kind, op, { dom0: call.dom0, templates: call.templates, ignore: call.ignore, multiple: call.multiple })
}
