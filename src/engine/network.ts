// Network rules: Network.create (bridge naming and checks), Network.destroy, Network.attach and the attach of a
// network for a VIF (xapi_network.ml, xapi_network_attach_helpers.ml, xapi_network_helpers.ml).
// Reference: xapi-model.md §3 (network.destroy), §12. Re-expressed from xen-api at the reference commit.
import type { Db, XObj } from './db'
import { XapiError } from './errors'
import { bringPifUp, pifTopo } from './pif'
import { isReserved } from './vbd'
import { NULL_REF, mapGet, type Ref, type XMap } from './values'

/** Xapi_network.bridge_blacklist: prefixes a user's bridge name may not have. */
const BRIDGE_BLACKLIST = ['xen', 'xapi', 'vif', 'tap', 'eth']
/** xapi's bridge counter (Xapi_network.counter) lives as long as the xapi process: in the world's metadata. */
const COUNTER_KEY = 'xapi.network_bridge_counter'

export function assertNetworkManaged(net: XObj<'network'>): void {
  if (!net.f.managed) throw new XapiError('NETWORK_UNMANAGED', [net.ref])
}

/** Xapi_network_helpers.is_sriov_based_network: its first PIF is an SR-IOV logical PIF (or a VLAN on one). */
export function isSriovBasedNetwork(db: Db, net: Ref): boolean {
  const pifs = db.referrers('PIF', 'network', net)
  const first = pifs[pifs.length - 1]
  if (!first) return false
  const topo = pifTopo(db, first)
  return topo[0]!.kind === 'sriov_logical' || (topo[0]!.kind === 'vlan_untagged' && topo[1]?.kind === 'sriov_logical')
}

export interface NetworkCreateArgs {
  name_label: string
  name_description: string
  MTU: number
  other_config: XMap
  bridge: string
  managed: boolean
  tags: string[]
}

/**
 * Network.create: MTU ≤ 0 means 1500; no bridge → `xapi<N>` with xapi's counter (the next unused name from where
 * it stopped); a user's bridge is at most 15 characters and avoids the reserved prefixes (INVALID_VALUE
 * ["bridge", name]) and the existing bridges (BRIDGE_NAME_EXISTS).
 */
export function createNetwork(db: Db, a: NetworkCreateArgs): XObj<'network'> {
  const bridges = db.all('network').map((n) => n.f.bridge)
  const MTU = a.MTU <= 0 ? 1500 : a.MTU
  let bridge = a.bridge
  if (bridge === '') {
    let counter = Number(db.store.getMeta(COUNTER_KEY) ?? '0')
    do bridge = `xapi${counter++}`
    while (bridges.includes(bridge))
    db.store.setMeta(COUNTER_KEY, String(counter))
  } else {
    if (Buffer.byteLength(bridge) > 15 || BRIDGE_BLACKLIST.some((p) => bridge.startsWith(p))) throw new XapiError('INVALID_VALUE', ['bridge', bridge])
    if (bridges.includes(bridge)) throw new XapiError('BRIDGE_NAME_EXISTS', [bridge])
  }
  return db.create('network', {
    uuid: db.ids.uuid(),
    current_operations: [],
    allowed_operations: [],
    name_label: a.name_label,
    name_description: a.name_description,
    MTU,
    bridge,
    managed: a.managed,
    other_config: a.other_config,
    blobs: [],
    tags: a.tags,
    purpose: [],
    default_locking_mode: 'unlocked',
    assigned_ips: [],
  })
}

/**
 * Network.destroy: refused while a VIF is attached or reserved (NETWORK_CONTAINS_VIF [vifs]), while it has PIFs
 * (NETWORK_CONTAINS_PIF [pifs]) and for the host internal management network (CANNOT_DESTROY_SYSTEM_NETWORK);
 * its remaining VIFs go with it.
 */
export function destroyNetwork(db: Db, net: XObj<'network'>): void {
  const vifs = db.field(net, 'VIFs') as Ref[]
  const connected = vifs.filter((r) => {
    const v = db.get(r, 'VIF')
    return v.f.currently_attached || isReserved(v)
  })
  if (connected.length > 0) throw new XapiError('NETWORK_CONTAINS_VIF', connected)
  const pifs = db.field(net, 'PIFs') as Ref[]
  if (pifs.length > 0) throw new XapiError('NETWORK_CONTAINS_PIF', pifs)
  if (mapGet(net.f.other_config, 'is_host_internal_management_network') === 'true') throw new XapiError('CANNOT_DESTROY_SYSTEM_NETWORK', [net.ref])
  for (const r of vifs) db.destroy(db.get(r, 'VIF'))
  db.destroy(net)
}

/** Xapi_network_attach_helpers.assert_no_slave: a bond member cannot be brought up on its own. */
function assertNoSlave(pif: XObj<'PIF'>): void {
  if (pif.f.bond_slave_of !== NULL_REF) throw new XapiError('CANNOT_PLUG_BOND_SLAVE', [pif.ref])
}

/**
 * Xapi_network.attach_internal on a host: an unmanaged network's bridge must already exist (BRIDGE_NOT_AVAILABLE:
 * xapi creates no bridge for it, and nothing else does in xesim); a managed network's PIFs on the host (managed
 * ones) come up — all of them when forced (Network.attach), else those not attached yet.
 */
export function attachNetwork(db: Db, net: XObj<'network'>, host: XObj<'host'>, o: { force?: boolean } = {}): void {
  if (!net.f.managed) throw new XapiError('BRIDGE_NOT_AVAILABLE', [net.f.bridge])
  for (const pif of db.referrers('PIF', 'network', net.ref).filter((p) => p.f.host === host.ref)) {
    if (!pif.f.managed) continue
    if (o.force || !pif.f.currently_attached) {
      assertNoSlave(pif)
      bringPifUp(db, pif)
    }
  }
}

/**
 * Xapi_network_attach_helpers.assert_can_see_named_networks for some networks: each must reach the host (a PIF
 * there; for a network without PIFs: assume_network_is_shared, unmanaged, or not pinned to another host by a
 * running VM) — else VM_REQUIRES_NETWORK [vm, network] — and be attachable there (HOST_CANNOT_ATTACH_NETWORK).
 */
export function assertCanSeeNetworks(db: Db, vm: XObj<'VM'>, host: XObj<'host'>, nets: Ref[]): void {
  const available = (netRef: Ref): boolean => {
    const net = db.get(netRef, 'network')
    const pifs = db.referrers('PIF', 'network', net.ref)
    if (pifs.length > 0) return pifs.some((p) => p.f.host === host.ref)
    if (mapGet(net.f.other_config, 'assume_network_is_shared') === 'true') return true
    if (!net.f.managed) return true
    const hosts = db.referrers('VIF', 'network', net.ref)
      .map((v) => db.tryGet(v.f.VM, 'VM'))
      .filter((v): v is XObj<'VM'> => !!v && v.f.power_state === 'Running')
      .map((v) => v.f.resident_on)
    return hosts.length === 0 || hosts.includes(host.ref)
  }
  const missing = nets.filter((n) => !available(n))
  if (missing.length > 0) throw new XapiError('VM_REQUIRES_NETWORK', [vm.ref, missing[0]!])
  for (const n of nets) {
    for (const p of db.referrers('PIF', 'network', n).filter((x) => x.f.host === host.ref)) {
      if (p.f.bond_slave_of !== NULL_REF) throw new XapiError('HOST_CANNOT_ATTACH_NETWORK', [host.ref, n])
    }
  }
}
