// Tunnel rules: tunnel.create / tunnel.destroy (xapi_tunnel.ml) and the checks on the transport PIF
// (xapi_pif_helpers.ml tunnel_is_allowed_on_pif). Reference: xapi-model.md §12. Re-expressed from xen-api at the
// reference commit.
import type { Db, XObj } from './db'
import { XapiError } from './errors'
import { assertNetworkManaged, isSriovBasedNetwork } from './network'
import { assertNoOtherLocalPifs, assertPifManaged, pifTopo, plugPif, unplugPif } from './pif'
import { generateMac } from './vif'
import { mapGet, NULL_REF, type Ref } from './values'

type Protocol = XObj<'tunnel'>['f']['protocol']

/** choose_tunnel_device_name: `tunnel<N>`, the first N not used by a tunnel access PIF of the host. */
function chooseTunnelDevice(db: Db, host: Ref): string {
  const used = new Set(db.referrers('PIF', 'host', host).filter((p) => db.referrers('tunnel', 'access_PIF', p.ref).length > 0).map((p) => p.f.device))
  let n = 0
  while (used.has(`tunnel${n}`)) n++
  return `tunnel${n}`
}

/**
 * Xapi_tunnel.create_internal: the access PIF (tunnel<N>, a MAC made like a VIF's from a fresh uuid, MTU -1, the
 * transport PIF's metrics and primary address type, not attached) and the tunnel (status active=false).
 */
export function createTunnelInternal(db: Db, transport: XObj<'PIF'>, network: Ref, host: Ref, protocol: Protocol): { tunnel: XObj<'tunnel'>; access: XObj<'PIF'> } {
  const tunnelRef = db.ids.ref()
  const accessRef = db.ids.ref()
  const device = chooseTunnelDevice(db, host)
  const mac = generateMac(db.ids.uuid(), 0)
  const access = db.create('PIF', {
    uuid: db.ids.uuid(),
    device, network, host, MAC: mac, MTU: -1, VLAN: -1, metrics: transport.f.metrics, physical: false, currently_attached: false,
    igmp_snooping_status: 'unknown', ip_configuration_mode: 'None', IP: '', netmask: '', gateway: '', DNS: '', bond_slave_of: NULL_REF,
    VLAN_master_of: NULL_REF, management: false, other_config: [], disallow_unplug: false, ipv6_configuration_mode: 'None', IPv6: [''],
    ipv6_gateway: '', primary_address_type: transport.f.primary_address_type, managed: true, properties: [], capabilities: [], PCI: NULL_REF,
  }, accessRef)
  const tunnel = db.create('tunnel', {
    uuid: db.ids.uuid(), access_PIF: access.ref, transport_PIF: transport.ref, status: [['active', 'false']], other_config: [], protocol,
  }, tunnelRef)
  return { tunnel, access }
}

/**
 * tunnel.create: a managed network (NETWORK_UNMANAGED) without a PIF on the host (NETWORK_ALREADY_CONNECTED); a
 * managed transport PIF that is no bond member (CANNOT_ADD_TUNNEL_TO_BOND_SLAVE) nor tunnel access PIF
 * (IS_TUNNEL_ACCESS_PIF); Open vSwitch on every host (OPENVSWITCH_NOT_ACTIVE). The access PIF is then plugged,
 * which needs a configured transport PIF: if that fails (TRANSPORT_PIF_NOT_CONFIGURED) the tunnel stays, as in xapi.
 */
export function createTunnel(db: Db, transport: XObj<'PIF'>, network: XObj<'network'>, protocol: Protocol): XObj<'tunnel'> {
  assertNetworkManaged(network)
  const host = transport.f.host
  assertNoOtherLocalPifs(db, host, network.ref)
  assertPifManaged(transport)
  const topo = pifTopo(db, transport)
  const top = topo[0]!
  if (top.kind === 'physical' && top.pif.f.bond_slave_of !== NULL_REF) throw new XapiError('CANNOT_ADD_TUNNEL_TO_BOND_SLAVE', [transport.ref])
  if (top.kind === 'tunnel_access') throw new XapiError('IS_TUNNEL_ACCESS_PIF', [transport.ref])
  if (top.kind === 'sriov_logical') throw new XapiError('CANNOT_ADD_TUNNEL_TO_SRIOV_LOGICAL', [transport.ref])
  if (top.kind === 'vlan_untagged' && topo[1]?.kind === 'sriov_logical') throw new XapiError('CANNOT_ADD_TUNNEL_TO_VLAN_ON_SRIOV_LOGICAL', [transport.ref])
  if (isSriovBasedNetwork(db, network.ref)) throw new XapiError('NETWORK_INCOMPATIBLE_WITH_TUNNEL', [network.ref])
  for (const h of db.all('host')) {
    if (mapGet(h.f.software_version, 'network_backend') !== 'openvswitch') throw new XapiError('OPENVSWITCH_NOT_ACTIVE', [])
  }
  const { tunnel, access } = createTunnelInternal(db, transport, network.ref, host, protocol)
  try {
    plugPif(db, access)
  } catch (e) {
    // xapi has already written the tunnel and its access PIF: they stay although the call fails
    if (e instanceof XapiError) throw Object.assign(e, { commitChanges: true })
    throw e
  }
  return tunnel
}

/** tunnel.destroy: the access PIF is unplugged (as PIF.unplug checks it) and deleted with the tunnel. */
export function destroyTunnel(db: Db, tunnel: XObj<'tunnel'>): void {
  const access = db.get(tunnel.f.access_PIF, 'PIF')
  unplugPif(db, access)
  db.destroy(access)
  db.destroy(tunnel)
}
