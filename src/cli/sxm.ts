// xe vm-migrate's storage-migration path (cli_operations.ml vm_migrate, when any remote-*, vif:, vdi:, vgpu: or
// image-format: parameter is given): log in to remote-master (another pool of the world, or this one), find the
// destination host and network, build the VDI map (the user's, completed with the preferred SR: the destination
// host's attached shared non-ISO SR with most free space, else its local one), print what will happen, then
// VM.migrate_send on the selected VM(s); with copy=true print the new VM's uuid.
// Reference: xe-cli-behaviour.md §9 (vm-migrate); xapi-model.md §5.6.
import type { Db, XObj } from '../engine/db'
import { UnreachableServer } from '../engine/errors'
import { migrateSend } from '../engine/vm-migrate'
import { scopeOf } from '../engine/world/pools'
import { InternalError } from './failure'
import { doDeclaredOp, select } from './selectors'
import type { XeContext } from './context'

const first = <T>(xs: T[], why: string): T => {
  if (xs.length === 0) throw new InternalError(`Failure: ${why}`)
  return xs[0]!
}

/** The destination pool's Db: Session.login_with_password at remote-master (an SSL connection from xapi). */
function remotePool(ctx: XeContext, server: string, username: string, password: string): Db {
  try {
    return ctx.session.pool(scopeOf(ctx.session.store, { server, username, password }))
  } catch (e) {
    // nothing answers at that address: the connection xapi makes fails
    if (e instanceof UnreachableServer) throw new InternalError('INTERNAL_ERROR: [ Xmlrpc_client.Connection_reset ]')
    throw e
  }
}

/** The preferred SR: attached on the host, shared non-ISO with most free space first, else local non-ISO. */
function preferredSr(db: Db, host: XObj<'host'>): XObj<'SR'> | undefined {
  const attached = db.referrers('PBD', 'host', host.ref).filter((p) => p.f.currently_attached).map((p) => db.get(p.f.SR, 'SR'))
  const most = (shared: boolean) =>
    attached.filter((s) => s.f.content_type !== 'iso' && s.f.shared === shared)
      .sort((a, b) => b.f.physical_size - b.f.physical_utilisation - (a.f.physical_size - a.f.physical_utilisation))[0]
  return most(true) ?? most(false)
}

export function storageMigration(ctx: XeContext, hostParam: string | undefined, copy: boolean, force: boolean): void {
  ctx.out.msg("Performing a storage live migration. Your VM's VDIs will be migrated with the VM.")
  const [ip, user, pwd] = ['remote-master', 'remote-username', 'remote-password'].map((k) => ctx.params.get(k))
  if (ip === undefined || user === undefined || pwd === undefined) {
    throw new InternalError("Failure: Storage live migration requires remote-master, remote-username, and remote-password to be specified. Please see 'xe help vm-migrate' for help.")
  }
  const dst = remotePool(ctx, ip, user, pwd)
  const hosts = dst.all('host')
  const host = hostParam === undefined ? first(hosts, 'Failed to find a suitable host')
    : first(hosts.filter((h) => [h.f.hostname, h.f.name_label, h.f.uuid].includes(hostParam)), `Failed to find host: ${hostParam}`)
  const netParam = ctx.params.get('remote-network')
  const network = netParam !== undefined
    ? first(dst.all('network').filter((n) => [n.f.bridge, n.f.name_label, n.f.uuid].includes(netParam)), `Failed to find network: ${netParam}`)
    : dst.get(first(dst.referrers('PIF', 'host', host.ref).filter((p) => p.f.management), `Could not find management PIF on host ${host.f.uuid}`).f.network, 'network')
  const vifMap = ctx.params.map('vif').map(([v, n]): [string, XObj<'network'>] => [ctx.db.getByUuid('VIF', v).ref, dst.getByUuid('network', n)])
  let vdiMap = ctx.params.map('vdi').map(([v, s]): [string, XObj<'SR'>] => [ctx.db.getByUuid('VDI', v).ref, dst.getByUuid('SR', s)])
  for (const [g] of ctx.params.map('vgpu')) ctx.db.getByUuid('VGPU', g)
  const preferred = preferredSr(dst, host)
  if (preferred) {
    const vm = first(select(ctx, 'vm', { templates: true, ignore: ctx.spec.calls?.[0]?.ignore }), 'No matching VMs found').obj as XObj<'VM'>
    const vdis = ctx.db.referrers('VBD', 'VM', vm.ref).filter((b) => !b.f.empty).map((b) => b.f.VDI)
    const overrides = vdis.map((v): [string, XObj<'SR'>] => vdiMap.find(([r]) => r === v) ?? [v, preferred])
    vdiMap = [...overrides, ...vdiMap.filter(([r]) => !overrides.some(([o]) => o === r))]
  }
  ctx.out.msg(`Will migrate to remote host: ${host.f.name_label}, using remote network: ${network.f.name_label}. Here is the VDI mapping:`)
  for (const [vdi, sr] of vdiMap) ctx.out.msg(`VDI ${ctx.db.get(vdi, 'VDI').f.uuid} -> SR ${sr.f.uuid}`)
  for (const [v] of ctx.params.map('image-format')) ctx.db.getByUuid('VDI', v)
  const made = doDeclaredOp(ctx, (rec) => migrateSend(ctx.db, rec.obj as XObj<'VM'>, { dst, host, vdiMap, vifMap, copy, force }), ctx.spec.calls?.[1])
  if (copy) ctx.out.list([made[0]!.f.uuid])
}
