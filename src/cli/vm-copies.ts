// What the clone, snapshot, install and uninstall verbs share on the CLI side (cli_operations.ml
// vm_clone_aux, get_snapshot_uuid / get_snapshotVM_by_uuid, snapshot_op, vm_uninstall_common, vm_install;
// cli_util.ml user_says_yes). Reference: xe-cli-behaviour.md §2.2, §3.5, §4, §9.
import type { XObj } from '../engine/db'
import { uninstall, uninstallPlan } from '../engine/vm-destroy'
import { CliFailure, LostConnection } from './failure'
import { filterRecords } from './filters'
import { recordClass } from './records'
import { doDeclaredOp } from './selectors'
import type { XeContext } from './context'

type Vm = XObj<'VM'>

/**
 * vm_clone_aux: runs op on every selected VM; new-name-description goes to the first VM of the result (the
 * last one made, with --multiple); prints one uuid per new VM.
 */
export function cloneAux(ctx: XeContext, op: (vm: Vm, newName: string) => Vm): void {
  const name = ctx.params.req('new-name-label')
  const desc = ctx.params.get('new-name-description')
  const made = doDeclaredOp(ctx, (r) => op(r.obj as Vm, name))
  if (desc !== undefined) ctx.db.set(made[0]!, { name_description: desc })
  ctx.out.list(made.map((v) => v.f.uuid))
}

/** get_snapshot_uuid then get_snapshotVM_by_uuid: snapshot-uuid= or uuid=, which must name a snapshot. */
export function snapshotFromParams(ctx: XeContext): Vm {
  const uuid = ctx.params.get('snapshot-uuid') ?? ctx.params.get('uuid')
  if (uuid === undefined) throw new CliFailure('Required parameter not found: snapshot-uuid or uuid.')
  const vm = ctx.db.getByUuid('VM', uuid)
  if (!vm.f.is_a_snapshot) throw new CliFailure(`This operation can only be performed on a VM snapshot. ${uuid} is not a VM snapshot.`)
  return vm
}

/** snapshot_op: op on the snapshot, new-name-description applied, the new uuid printed. */
export function snapshotOp(ctx: XeContext, op: (snap: Vm, newName: string) => Vm): void {
  const name = ctx.params.req('new-name-label')
  const desc = ctx.params.get('new-name-description')
  const made = op(snapshotFromParams(ctx), name)
  if (desc !== undefined) ctx.db.set(made, { name_description: desc })
  ctx.out.list([made.f.uuid])
}

/**
 * user_says_yes: prints "Type 'yes' to continue" (stdout, even with --minimal) and reads a line; anything but
 * "yes" (trimmed, any case) prints "Aborted (you typed: '<line>')". End of input loses the connection.
 */
export async function userSaysYes(ctx: XeContext): Promise<boolean> {
  ctx.out.direct("Type 'yes' to continue")
  const line = await ctx.io.readLine()
  if (line === undefined) throw new LostConnection()
  const yes = line.trim().toLowerCase() === 'yes'
  if (!yes) ctx.out.direct(`Aborted (you typed: '${line}')`)
  return yes
}

/**
 * vm_uninstall_common: lists what will go ("The following items are about to be destroyed", then the VM and
 * VDI lines), asks unless force=true, destroys, and says "All objects destroyed". An answer other than yes
 * changes nothing and exits 0.
 */
export async function uninstallWithPrompt(ctx: XeContext, vms: Vm[]): Promise<void> {
  const { items, lines } = uninstallPlan(ctx.db, vms)
  ctx.out.direct('The following items are about to be destroyed')
  for (const l of lines) ctx.out.direct(l)
  if (ctx.params.bool('force') || (await userSaysYes(ctx))) {
    uninstall(ctx.db, items)
    ctx.out.direct('All objects destroyed')
  }
}

// ---------------------------------------------------------------------------------------------------------
// vm-install's choices.

/** find_by_name: the one template (not a control domain) with that name-label. */
function templateByName(ctx: XeContext, name: string): Vm {
  const cls = recordClass('vm')
  let recs = ctx.db.withField('VM', 'name_label', name).map((o) => cls.rec(ctx.db, o))
  for (const f of [['name-label', name], ['is-a-template', 'true'], ['is-control-domain', 'false']] as Array<[string, string]>) recs = filterRecords(recs, f)
  if (recs.length === 0) throw new CliFailure('No templates matched')
  if (recs.length > 1) throw new CliFailure('More than one matching template found')
  return recs[0]!.obj as Vm
}

/**
 * The template of vm-install: template-uuid= ("Cannot find template"), else template-name-label= or
 * template-name=, else template= (a uuid, else a name); it must be a template.
 */
export function installTemplate(ctx: XeContext): Vm {
  const p = ctx.params
  let t: Vm
  const uuid = p.get('template-uuid')
  if (uuid !== undefined) {
    const vm = ctx.db.byUuid('VM', uuid)
    if (!vm) throw new CliFailure('Cannot find template')
    t = vm
  } else if (p.has('template-name-label') || p.has('template-name')) {
    t = templateByName(ctx, p.get('template-name-label') ?? p.get('template-name')!)
  } else if (p.has('template')) {
    const v = p.get('template')!
    t = ctx.db.byUuid('VM', v) ?? templateByName(ctx, v)
  } else {
    throw new CliFailure("Template must be specified by parameter 'template-uuid', 'template-name', 'template-name-label' or 'template'")
  }
  if (!t.f.is_a_template) throw new CliFailure('Can only install from templates')
  return t
}

/**
 * The SR of vm-install (sr-uuid=, sr-name-label=; none for snapshots, whose disks stay where they are), the
 * suspend SR, and the SR uuid the provisioned disks go to (the pool's default SR when none was named).
 */
export function installSrs(ctx: XeContext, template: Vm): { sr?: XObj<'SR'>; suspendSr: string; srUuid: string } {
  const p = ctx.params
  const db = ctx.db
  let sr: XObj<'SR'> | undefined
  let fromSnapshot = false
  if (template.f.is_a_snapshot) {
    if (p.has('sr-name-label') || p.has('sr-uuid')) {
      throw new CliFailure('Do not use the sr-name-label or sr-uuid argument when installing from a snapshot. By default, it will install each new disk on the same SR as the corresponding snapshot disks.')
    }
    fromSnapshot = true
  } else if (p.has('sr-uuid')) sr = db.getByUuid('SR', p.get('sr-uuid')!)
  const label = p.get('sr-name-label')
  if (label !== undefined) {
    const named = db.all('SR').filter((s) => s.f.name_label === label)
    if (named.length === 0) throw new CliFailure('No SR with that name-label found')
    if (sr) {
      if (!named.some((s) => s.ref === sr!.ref)) throw new CliFailure("SR specified via sr-uuid doesn't have the name specified via sr-name-label")
    } else if (named.length === 1) sr = named[0]
    else throw new CliFailure('Multiple SRs with that name-label found')
  }
  const suspendSr = sr && !fromSnapshot ? sr.ref : template.f.suspend_SR
  let srUuid: string
  if (sr) srUuid = sr.f.uuid
  else {
    const pool = db.all('pool')[0]
    const dflt = pool ? db.tryGet(pool.f.default_SR, 'SR') : undefined
    if (dflt) srUuid = dflt.f.uuid
    else if (template.f.other_config.some(([k]) => k === 'disks')) {
      throw new CliFailure('Failed to find a valid default SR for the Pool. Please provide an sr-name-label or sr-uuid parameter.')
    } else srUuid = ''
  }
  return { sr, suspendSr, srUuid }
}
