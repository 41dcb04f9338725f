// PIF rules: PIF kinds and topology (xapi_pif_helpers.ml), bringing interfaces up and down as xapi records it
// (nm.ml bring_pif_up / bring_pif_down), PIF.plug / unplug / reconfigure_ip / reconfigure_ipv6 / scan / introduce /
// forget (xapi_pif.ml), the management interface (xapi_host.ml management_reconfigure / management_disable,
// xapi_mgmt_iface.ml on_dom0_networking_change). Reference: xapi-model.md §12. Re-expressed from xen-api at the
// reference commit.
//
// What dom0's network daemon would report is modelled here, deterministically:
// - a bridge carries the address its PIF is configured with once the PIF is attached (static configuration);
// - DHCP: the physical LAN's DHCP server gives an interface back the address it had (a lease held by the host);
//   an interface that had no address gets none (the default world's eth1–eth3 have no link), so its IP stays "";
// - IPv6: dom0 reports the static IPv6 addresses it was given, nothing else (no router advertisements);
// - the NICs of a host are those it had when xesim first needed to know (kept in the world's metadata, so that a
//   forgotten NIC can be found again by PIF.scan / PIF.introduce with its MAC and its metrics);
// - a bond's link state is what networkd's monitor reports a moment after the bond comes up.
import type { Db, XObj } from './db'
import { XapiError } from './errors'
import { assertValidCidr, assertValidIp, parseCidr, restrictTo } from './ip'
import { createMessage } from './message'
import { EPOCH, NULL_REF, mapGet, xapiDate, type Ref } from './values'

type PifF = XObj<'PIF'>['f']
export type IpMode = PifF['ip_configuration_mode']
export type Ipv6Mode = PifF['ipv6_configuration_mode']

// ---------------------------------------------------------------------------------------------------------
// Kinds and topology (xapi_pif_helpers.ml).

export type PifKind =
  | { kind: 'tunnel_access'; tunnel: Ref }
  | { kind: 'vlan_untagged'; vlan: Ref }
  | { kind: 'sriov_logical'; sriov: Ref }
  | { kind: 'bond_master'; bond: Ref }
  | { kind: 'physical'; pif: XObj<'PIF'> }

/** get_pif_type: the first that applies of tunnel access, VLAN master, SR-IOV logical, bond master, physical. */
export function pifKind(db: Db, pif: XObj<'PIF'>): PifKind {
  const tunnel = db.referrers('tunnel', 'access_PIF', pif.ref)[0]
  if (tunnel) return { kind: 'tunnel_access', tunnel: tunnel.ref }
  if (pif.f.VLAN_master_of !== NULL_REF) return { kind: 'vlan_untagged', vlan: pif.f.VLAN_master_of }
  const sriov = db.referrers('network_sriov', 'logical_PIF', pif.ref)[0]
  if (sriov) return { kind: 'sriov_logical', sriov: sriov.ref }
  const bond = db.referrers('Bond', 'master', pif.ref)[0]
  if (bond) return { kind: 'bond_master', bond: bond.ref }
  if (pif.f.physical) return { kind: 'physical', pif }
  throw new XapiError('INTERNAL_ERROR', [`Cannot calculate PIF type of ${pif.f.uuid}`])
}

/** get_pif_topo: the kinds from this PIF down to its root (a physical PIF or a bond master). */
export function pifTopo(db: Db, pif: XObj<'PIF'>): PifKind[] {
  const out: PifKind[] = []
  let cur = pif
  for (;;) {
    const k = pifKind(db, cur)
    out.push(k)
    let next: Ref
    if (k.kind === 'tunnel_access') next = db.get(k.tunnel, 'tunnel').f.transport_PIF
    else if (k.kind === 'vlan_untagged') next = db.get(k.vlan, 'VLAN').f.tagged_PIF
    else if (k.kind === 'sriov_logical') next = db.get(k.sriov, 'network_sriov').f.physical_PIF
    else return out
    cur = db.get(next, 'PIF')
  }
}

/** The PIF's Bond if it is a bond member whose Bond still exists (Db.is_valid_ref of bond_slave_of). */
export const bondOfSlave = (db: Db, pif: XObj<'PIF'>) => db.tryGet(pif.f.bond_slave_of, 'Bond')

export function assertPifManaged(pif: XObj<'PIF'>): void {
  if (!pif.f.managed) throw new XapiError('PIF_UNMANAGED', [pif.ref])
}

export const pifHost = (db: Db, pif: XObj<'PIF'>) => db.get(pif.f.host, 'host')
const pool = (db: Db) => db.all('pool')[0]

/** Xapi_pif.assert_no_protection_enabled: an attached PIF cannot be reconfigured under HA or a redo log. */
export function assertNoProtection(db: Db, pif: XObj<'PIF'>): void {
  if (!pif.f.currently_attached) return
  const p = pool(db)
  if (p?.f.ha_enabled) throw new XapiError('HA_IS_ENABLED', [])
  if (p?.f.redo_log_enabled) throw new XapiError('REDO_LOG_IS_ENABLED', [])
}

/** Xapi_pif.assert_no_clustering_enabled_on: an enabled cluster host on the PIF (CLUSTERING_ENABLED). */
export function assertNoClusteringEnabled(db: Db, pif: XObj<'PIF'>): void {
  const ch = db.referrers('Cluster_host', 'PIF', pif.ref)
  if (ch.length === 1 && ch[0]!.f.enabled) throw new XapiError('CLUSTERING_ENABLED', [ch[0]!.ref])
}

export function assertNotManagement(pif: XObj<'PIF'>): void {
  if (pif.f.management) throw new XapiError('PIF_IS_MANAGEMENT_INTERFACE', [pif.ref])
}

/** Xapi_pif.assert_not_slave_management_pif: only on a pool member (never the coordinator). */
export function assertNotSlaveManagement(db: Db, pif: XObj<'PIF'>): void {
  const master = pool(db)?.f.master
  if (master !== undefined && pif.f.host !== master && pif.f.currently_attached && pif.f.management) {
    throw new XapiError('PIF_IS_MANAGEMENT_INTERFACE', [pif.ref])
  }
}

/** Xapi_pif.assert_not_in_bond: neither a member of an existing bond nor a bond master (PIF_ALREADY_BONDED). */
export function assertNotInBond(db: Db, pif: XObj<'PIF'>): void {
  if (bondOfSlave(db, pif)) throw new XapiError('PIF_ALREADY_BONDED', [pif.ref])
  if (db.referrers('Bond', 'master', pif.ref).length > 0) throw new XapiError('PIF_ALREADY_BONDED', [pif.ref])
}

/** Xapi_pif.assert_no_other_local_pifs: the network has no PIF on this host yet (NETWORK_ALREADY_CONNECTED). */
export function assertNoOtherLocalPifs(db: Db, host: Ref, network: Ref): void {
  const other = db.referrers('PIF', 'network', network).filter((p) => p.f.host === host)
  if (other.length > 0) throw new XapiError('NETWORK_ALREADY_CONNECTED', [host, other[0]!.ref])
}

/** Xapi_pif_helpers.assert_network_compatible_with_trunks_on_vif: no VIF of the network has trunks. */
export function assertNetworkCompatibleWithTrunksOnVif(db: Db, network: Ref): void {
  if (db.referrers('VIF', 'network', network).some((v) => (v.f.trunks ?? []).length > 0)) {
    throw new XapiError('NETWORK_INCOMPATIBLE_WITH_TRUNKS', [network])
  }
}

// ---------------------------------------------------------------------------------------------------------
// The management interface as the host's inventory names it (MANAGEMENT_INTERFACE = a bridge). xapi keeps the
// PIF.management flags in step with it (update_management_flags), so it is read back from them.

/** The bridge of the host's management PIF, "" when management is disabled. */
export function managementBridge(db: Db, host: Ref): string {
  const pif = db.referrers('PIF', 'host', host).find((p) => p.f.management)
  return pif ? (db.tryGet(pif.f.network, 'network')?.f.bridge ?? '') : ''
}

/** The primary address type of the management interface (MANAGEMENT_ADDRESS_TYPE), IPv4 by default. */
function managementAddressType(db: Db, host: Ref): PifF['primary_address_type'] {
  return db.referrers('PIF', 'host', host).find((p) => p.f.management)?.f.primary_address_type ?? 'IPv4'
}

/** Xapi_pif.update_management_flags: exactly the host's PIFs on the network with that bridge are management. */
export function updateManagementFlags(db: Db, host: Ref, bridge: string): void {
  const net = bridge === '' ? undefined : db.all('network').find((n) => n.f.bridge === bridge)
  const current = net ? db.referrers('PIF', 'network', net.ref).filter((p) => p.f.host === host) : []
  for (const p of current) if (!p.f.management) db.set(p, { management: true })
  for (const p of db.referrers('PIF', 'host', host)) {
    if (p.f.management && !current.includes(p)) db.set(p, { management: false })
  }
}

/** The address dom0 has on a bridge, as networkd reports it (see the header): an attached PIF's IP. */
function bridgeAddress(db: Db, host: Ref, bridge: string, type: PifF['primary_address_type']): string | undefined {
  const net = db.all('network').find((n) => n.f.bridge === bridge)
  if (!net) return undefined
  const pif = db.referrers('PIF', 'network', net.ref).find((p) => p.f.host === host)
  if (!pif || !pif.f.currently_attached) return undefined
  if (type === 'IPv4') return pif.f.IP === '' ? undefined : pif.f.IP
  for (const a of pif.f.IPv6) {
    const c = parseCidr('ipv6', a)
    if (c && !c.address.startsWith('fe80:')) return c.address
  }
  return undefined
}

/**
 * Xapi_mgmt_iface.on_dom0_networking_change: the DHCP PIFs' addresses are refreshed, then host.address follows the
 * management interface's address ("" without one) and, when it changed, every console URL is rewritten.
 */
export function onDom0NetworkingChange(
  db: Db, host: XObj<'host'>, mgmtBridge = managementBridge(db, host.ref), mgmtType = managementAddressType(db, host.ref),
): void {
  updatePifAddresses(db, host)
  const ip = mgmtBridge === '' ? undefined : bridgeAddress(db, host.ref, mgmtBridge, mgmtType)
  const address = ip ?? ''
  if (host.f.address === address) return
  db.set(host, { address })
  if (ip !== undefined) refreshConsoleUrls(db)
}

/** Dbsync_master.refresh_console_urls: https://<address of the VM's host>/console?ref=<console>. */
function refreshConsoleUrls(db: Db): void {
  for (const c of db.all('console')) {
    const vm = db.tryGet(c.f.VM, 'VM')
    const h = vm && db.tryGet(vm.f.resident_on, 'host')
    if (!h) continue
    const location = h.f.address === '' ? '' : `https://${h.f.address}/console?ref=${c.ref}`
    if (c.f.location !== location) db.set(c, { location })
  }
}

// ---------------------------------------------------------------------------------------------------------
// Addresses (Helpers.update_pif_address / update_pif_addresses).

/**
 * Helpers.update_pif_address: an attached PIF's addresses as its bridge has them. IPv4: the configured address or
 * the DHCP lease, i.e. what the PIF already records; IPv6: the static addresses, as dom0 prints them.
 */
function refreshPifAddress(db: Db, pif: XObj<'PIF'>): void {
  if (!pif.f.currently_attached) return
  const v6 = pif.f.ipv6_configuration_mode === 'Static'
    ? pif.f.IPv6.flatMap((a) => {
      const c = parseCidr('ipv6', a)
      return c ? [`${c.address}/${c.bits}`] : []
    })
    : []
  if (JSON.stringify(v6) !== JSON.stringify(pif.f.IPv6)) db.set(pif, { IPv6: v6 })
}

/** Which PIF carries the default route and which the DNS servers (Helpers.determine_gateway_and_dns_ifs). */
function gatewayAndDnsPifs(db: Db, host: Ref, management?: XObj<'PIF'>): [XObj<'PIF'>, XObj<'PIF'>] | undefined {
  const ipPifs = db.referrers('PIF', 'host', host).filter((p) =>
    (p.f.primary_address_type === 'IPv4' && p.f.ip_configuration_mode !== 'None') || (p.f.primary_address_type === 'IPv6' && p.f.ipv6_configuration_mode !== 'None'))
  if (ipPifs.length === 0) return undefined
  const pick = (key: string) => ipPifs.find((p) => mapGet(p.f.other_config, key) === 'true') ?? management ?? ipPifs.find((p) => p.f.management) ?? ipPifs[0]!
  return [pick('defaultroute'), pick('peerdns')]
}

/** update_pif_addresses: every DHCP / autoconf PIF of the host reads its addresses back. */
function updatePifAddresses(db: Db, host: XObj<'host'>): void {
  for (const p of db.referrers('PIF', 'host', host.ref)) {
    if (p.f.ip_configuration_mode === 'DHCP' || p.f.ipv6_configuration_mode === 'DHCP' || p.f.ipv6_configuration_mode === 'Autoconf') {
      refreshPifAddress(db, p)
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// Bringing interfaces up and down (nm.ml).

/** determine_mtu: the network's MTU, or the PIF's other_config:mtu when it is an integer. */
function determineMtu(pif: XObj<'PIF'>, net: XObj<'network'>): number {
  const v = mapGet(pif.f.other_config, 'mtu')
  if (v !== undefined && /^[+-]?[0-9]+$/.test(v)) return Number(v)
  return net.f.MTU
}

/**
 * Nm.bring_pif_up: a bond master's members go down (their networks take the bond's MTU) and its MAC follows the
 * primary member's when auto_update_mac; a PIF not yet attached (or becoming the management interface) is marked
 * attached — a bond member's bond master then goes down — and dom0's networking change is processed; the PIF's MTU
 * becomes its bridge's and an untagged PIF's IGMP snooping status the pool's.
 */
export function bringPifUp(db: Db, pif: XObj<'PIF'>, o: { management?: boolean } = {}): void {
  const topo = pifTopo(db, pif)
  if (topo[0]!.kind === 'sriov_logical') {
    db.set(pif, { currently_attached: true })
    return
  }
  if (topo[0]!.kind === 'vlan_untagged' && topo[1]?.kind === 'sriov_logical') {
    const logical = db.get(db.get(topo[1].sriov, 'network_sriov').f.logical_PIF, 'PIF')
    db.set(pif, { currently_attached: logical.f.currently_attached })
    return
  }
  const net = db.get(pif.f.network, 'network')
  const host = pifHost(db, pif)
  const bond = db.referrers('Bond', 'master', pif.ref)[0]
  if (bond) {
    for (const slave of db.referrers('PIF', 'bond_slave_of', bond.ref)) {
      db.set(slave, { currently_attached: false })
      const slaveNet = db.get(slave.f.network, 'network')
      if (slaveNet.f.MTU !== net.f.MTU) db.set(slaveNet, { MTU: net.f.MTU })
    }
    const primary = db.tryGet(bond.f.primary_slave, 'PIF')
    if (bond.f.auto_update_mac && primary && pif.f.MAC !== primary.f.MAC) db.set(pif, { MAC: primary.f.MAC })
  }
  const wasAttached = pif.f.currently_attached
  if (!wasAttached || o.management) {
    db.set(pif, { currently_attached: true })
    const master = db.tryGet(pif.f.bond_slave_of, 'Bond')
    if (master) db.set(db.get(master.f.master, 'PIF'), { currently_attached: false })
    onDom0NetworkingChange(db, host)
  }
  const mtu = determineMtu(pif, net)
  if (pif.f.MTU !== mtu) db.set(pif, { MTU: mtu })
  if (pif.f.VLAN === -1) {
    const igmp = pool(db)?.f.igmp_snooping_enabled ? 'enabled' : 'disabled'
    if (pif.f.igmp_snooping_status !== igmp) db.set(pif, { igmp_snooping_status: igmp })
  }
  if (bond) bondCameUp(db, bond, host, !wasAttached)
}

/** Nm.bring_pif_down: the bridge goes and the PIF is no longer attached. */
export function bringPifDown(db: Db, pif: XObj<'PIF'>): void {
  db.set(pif, { currently_attached: false })
}

/**
 * What networkd's monitor reports once a bond is up (network_monitor_thread.ml, monitor_master.ml): the bond
 * master's metrics (carrier if a member has one; the speeds of the active members added up; no PCI data), the
 * Bond's links_up, and — for a bond it sees for the first time (`fresh`) with links down — a BOND_STATUS_CHANGED alert.
 */
function bondCameUp(db: Db, bond: XObj<'Bond'>, host: XObj<'host'>, fresh: boolean): void {
  const master = db.get(bond.f.master, 'PIF')
  const slaves = db.referrers('PIF', 'bond_slave_of', bond.ref)
  const up = slaves.filter((s) => db.tryGet(s.f.metrics, 'PIF_metrics')?.f.carrier === true)
  // active-backup: one member carries the traffic (the primary if its link is up)
  const active = bond.f.mode === 'active-backup' ? up.filter((s) => s.ref === bond.f.primary_slave).concat(up).slice(0, 1) : up
  const speed = active.reduce((n, s) => n + (db.tryGet(s.f.metrics, 'PIF_metrics')?.f.speed ?? 0), 0)
  const duplex = active.some((s) => db.tryGet(s.f.metrics, 'PIF_metrics')?.f.duplex === true)
  const m = db.tryGet(master.f.metrics, 'PIF_metrics')
  if (m) {
    db.set(m, {
      vendor_id: '', device_id: '', vendor_name: '', device_name: '', carrier: up.length > 0, speed, duplex, pci_bus_path: '',
      last_updated: xapiDate(db.clock.now()),
    })
  }
  if (bond.f.links_up !== up.length) db.set(bond, { links_up: up.length })
  if (fresh && up.length !== slaves.length) {
    const ifaces = slaves.map((s) => s.f.device).sort().join('+')
    createMessage(db, 'BOND_STATUS_CHANGED', 3, 'Host', host.f.uuid, `The status of the ${ifaces} bond is: ${up.length}/${slaves.length} up`)
  }
}

// ---------------------------------------------------------------------------------------------------------
// PIF.plug / PIF.unplug.

/** Xapi_network_attach_helpers.assert_network_has_no_vifs_in_use_on_me (VIF_IN_USE [network, vif]). */
export function assertNetworkHasNoVifsInUseOn(db: Db, host: Ref, network: Ref): void {
  for (const vif of db.referrers('VIF', 'network', network)) {
    const vm = db.tryGet(vif.f.VM, 'VM')
    for (const [, op] of vif.f.current_operations as Array<[string, string]>) {
      if (op === 'attach' && vm && (vm.f.resident_on === host || vm.f.scheduled_to_be_resident_on === host)) {
        throw new XapiError('VIF_IN_USE', [network, vif.ref])
      }
    }
    if (vif.f.currently_attached && vm && vm.f.resident_on === host && (vm.f.power_state === 'Running' || vm.f.power_state === 'Paused')) {
      throw new XapiError('VIF_IN_USE', [network, vif.ref])
    }
  }
}

/**
 * PIF.unplug: managed, not protected by HA, not the management interface, no VIF in use on it, unplug allowed;
 * the access PIFs of its tunnels go down first; a bond member is left to its bond.
 */
export function unplugPif(db: Db, pif: XObj<'PIF'>): void {
  assertPifManaged(pif)
  assertNoProtection(db, pif)
  assertNotManagement(pif)
  assertNetworkHasNoVifsInUseOn(db, pif.f.host, pif.f.network)
  if (pif.f.disallow_unplug) throw new XapiError('PIF_DOES_NOT_ALLOW_UNPLUG', [pif.ref])
  for (const t of db.referrers('tunnel', 'transport_PIF', pif.ref)) unplugPif(db, db.get(t.f.access_PIF, 'PIF'))
  const top = pifTopo(db, pif)[0]!
  if (top.kind === 'bond_master') {
    for (const s of db.referrers('PIF', 'bond_slave_of', top.bond)) {
      if (db.referrers('network_sriov', 'physical_PIF', s.ref).length > 0) unplugPif(db, s)
    }
  } else if (top.kind === 'sriov_logical') {
    for (const v of db.referrers('VLAN', 'tagged_PIF', pif.ref)) unplugPif(db, db.get(v.f.untagged_PIF, 'PIF'))
  } else if (top.kind === 'physical') {
    for (const s of db.referrers('network_sriov', 'physical_PIF', pif.ref)) unplugPif(db, db.get(s.f.logical_PIF, 'PIF'))
  }
  if (pif.f.bond_slave_of === NULL_REF) bringPifDown(db, pif)
}

/**
 * PIF.plug: managed; a tunnel access PIF needs its transport PIF configured (TRANSPORT_PIF_NOT_CONFIGURED) and
 * brings it up; a bond member cannot be plugged (CANNOT_PLUG_BOND_SLAVE); then the PIF comes up.
 */
export function plugPif(db: Db, pif: XObj<'PIF'>): void {
  assertPifManaged(pif)
  const k = pifKind(db, pif)
  if (k.kind === 'tunnel_access') {
    const transport = db.get(db.get(k.tunnel, 'tunnel').f.transport_PIF, 'PIF')
    if (transport.f.ip_configuration_mode === 'None') throw new XapiError('TRANSPORT_PIF_NOT_CONFIGURED', [transport.ref])
    plugPif(db, transport)
  } else if (k.kind === 'vlan_untagged') {
    const tagged = db.get(db.get(k.vlan, 'VLAN').f.tagged_PIF, 'PIF')
    if (db.referrers('network_sriov', 'logical_PIF', tagged.ref).length > 0) plugPif(db, tagged)
  } else if (k.kind === 'sriov_logical') {
    plugPif(db, db.get(db.get(k.sriov, 'network_sriov').f.physical_PIF, 'PIF'))
  } else if (k.kind === 'physical' && pif.f.bond_slave_of !== NULL_REF) {
    if (db.referrers('network_sriov', 'physical_PIF', pif.ref).length > 0) {
      plugPif(db, db.get(db.get(pif.f.bond_slave_of, 'Bond').f.master, 'PIF'))
    } else throw new XapiError('CANNOT_PLUG_BOND_SLAVE', [pif.ref])
  }
  if (pif.f.bond_slave_of === NULL_REF) bringPifUp(db, pif)
}

// ---------------------------------------------------------------------------------------------------------
// PIF.reconfigure_ip / reconfigure_ipv6.

export interface IpConfig {
  mode: IpMode
  IP: string
  netmask: string
  gateway: string
  DNS: string
}

/**
 * PIF.reconfigure_ip: managed; HA/clustering refuse anything but a DNS change of a static configuration; Static
 * needs a valid IP and netmask, and any address given must be IPv4 (INVALID_IP_ADDRESS_SPECIFIED); only the IPv4
 * name servers are kept (in front of the PIF's IPv6 ones); the management interface cannot lose its IPv4
 * configuration. An attached PIF is brought up again with the new configuration.
 */
export function reconfigureIp(db: Db, pif: XObj<'PIF'>, c: IpConfig): void {
  assertPifManaged(pif)
  const f = pif.f
  if (!(c.mode === 'Static' && f.ip_configuration_mode === c.mode && f.IP === c.IP && f.netmask === c.netmask && f.gateway === c.gateway)) {
    assertNoProtection(db, pif)
    assertNoClusteringEnabled(db, pif)
  }
  if (c.mode === 'Static') {
    assertValidIp('ipv4', 'IP', c.IP)
    assertValidIp('ipv4', 'netmask', c.netmask)
  }
  for (const [param, value] of [['IP', c.IP], ['netmask', c.netmask], ['gateway', c.gateway]] as const) {
    if (value !== '') assertValidIp('ipv4', param, value)
  }
  const dns4 = restrictTo('ipv4', c.DNS)
  if (f.management && c.mode === 'None' && f.primary_address_type === 'IPv4') throw new XapiError('PIF_IS_MANAGEMENT_INTERFACE', [pif.ref])
  const before = { IP: f.IP, netmask: f.netmask, gateway: f.gateway, DNS: f.DNS }
  const wasAttached = f.currently_attached
  db.set(pif, { ip_configuration_mode: c.mode, IP: c.IP, netmask: c.netmask, gateway: c.gateway })
  db.set(pif, { DNS: [...dns4, ...restrictTo('ipv6', f.DNS)].join(',') })
  if (wasAttached) {
    db.set(pif, { currently_attached: false })
    if (c.mode === 'DHCP') dhcpLease(db, pif, before)
    bringPifUp(db, pif, { management: f.management })
  }
}

/**
 * What dhclient gets on the bridge (see the header): the address the interface had, with — for the interface that
 * carries the default route / the name servers — the gateway and the name servers it had.
 */
function dhcpLease(db: Db, pif: XObj<'PIF'>, before: Pick<PifF, 'IP' | 'netmask' | 'gateway' | 'DNS'>): void {
  if (before.IP === '') return
  db.set(pif, { IP: before.IP, netmask: before.netmask })
  const ifs = gatewayAndDnsPifs(db, pif.f.host, pif.f.management ? pif : undefined)
  if (ifs && ifs[0].ref === pif.ref && before.gateway !== '') db.set(pif, { gateway: before.gateway })
  if (ifs && ifs[1].ref === pif.ref && before.DNS !== '') db.set(pif, { DNS: before.DNS })
}

export interface Ipv6Config {
  mode: Ipv6Mode
  IPv6: string
  gateway: string
  DNS: string
}

/**
 * PIF.reconfigure_ipv6: managed; protection as reconfigure_ip; a gateway must be IPv6, an address a valid IPv6
 * CIDR (INVALID_CIDR_ADDRESS_SPECIFIED); only IPv6 name servers are kept (in front of the IPv4 ones); an IPv6
 * management interface cannot lose its configuration. IPv6 becomes the one address given ([""] for none).
 */
export function reconfigureIpv6(db: Db, pif: XObj<'PIF'>, c: Ipv6Config): void {
  assertPifManaged(pif)
  const f = pif.f
  if (!(c.mode === 'Static' && f.ipv6_configuration_mode === c.mode && f.IPv6.length === 1 && f.IPv6[0] === c.IPv6 && f.ipv6_gateway === c.gateway)) {
    assertNoProtection(db, pif)
    assertNoClusteringEnabled(db, pif)
  }
  if (c.gateway !== '') assertValidIp('ipv6', 'gateway', c.gateway)
  if (c.IPv6 !== '') assertValidCidr('ipv6', 'IPv6', c.IPv6)
  const dns6 = restrictTo('ipv6', c.DNS)
  if (f.management && c.mode === 'None' && f.primary_address_type === 'IPv6') throw new XapiError('PIF_IS_MANAGEMENT_INTERFACE', [pif.ref])
  db.set(pif, { ipv6_configuration_mode: c.mode, ipv6_gateway: c.gateway, IPv6: [c.IPv6] })
  db.set(pif, { DNS: [...dns6, ...restrictTo('ipv4', f.DNS)].join(',') })
  if (f.currently_attached) {
    db.set(pif, { currently_attached: false })
    bringPifUp(db, pif, { management: f.management })
    if (c.mode === 'DHCP' || c.mode === 'Autoconf') refreshPifAddress(db, pif)
  }
}

// ---------------------------------------------------------------------------------------------------------
// The host's NICs, PIF.scan / introduce / forget.

interface Nic {
  device: string
  MAC: string
  MTU: number
  capabilities: string[]
  PCI: Ref
  metrics: Omit<XObj<'PIF_metrics'>['f'], 'uuid' | 'io_read_kbs' | 'io_write_kbs' | 'last_updated' | 'other_config'>
}

const nicKey = (host: XObj<'host'>) => `xesim.nics.${host.f.uuid}`

/** The physical interfaces dom0 sees (Net.Interface.get_all + get_mac/get_mtu), in NIC order. */
export function hostNics(db: Db, host: XObj<'host'>): Nic[] {
  const saved = db.store.getMeta(nicKey(host))
  if (saved !== undefined) return JSON.parse(saved) as Nic[]
  const nics: Nic[] = db.referrers('PIF', 'host', host.ref).filter((p) => p.f.physical).map((p) => {
    const m = db.tryGet(p.f.metrics, 'PIF_metrics')?.f
    return {
      device: p.f.device,
      MAC: p.f.MAC,
      MTU: 1500,
      capabilities: p.f.capabilities,
      PCI: p.f.PCI,
      metrics: {
        carrier: m?.carrier ?? false, vendor_id: m?.vendor_id ?? '', vendor_name: m?.vendor_name ?? '', device_id: m?.device_id ?? '',
        device_name: m?.device_name ?? '', speed: m?.speed ?? 0, duplex: m?.duplex ?? false, pci_bus_path: m?.pci_bus_path ?? '',
      },
    }
  })
  db.store.setMeta(nicKey(host), JSON.stringify(nics))
  return nics
}

/** networkd's interface positions: ethN is at position N. */
const positionOf = (device: string): number | undefined => {
  const m = /^eth([0-9]+)$/.exec(device)
  return m ? Number(m[1]) : undefined
}

/** Xapi_pif.find_or_create_network: the network with that bridge, or a new one (Helpers.choose_network_name_for_pif). */
function findOrCreateNetwork(db: Db, bridge: string, device: string, managed: boolean): XObj<'network'> {
  const nets = db.all('network').filter((n) => n.f.bridge === bridge)
  if (nets.length === 1) return nets[0]!
  const pos = positionOf(device)
  return db.create('network', {
    uuid: db.ids.uuid(),
    current_operations: [],
    allowed_operations: [],
    name_label: pos !== undefined ? `Pool-wide network ${pos}` : `Pool-wide network associated with ${device}`,
    name_description: '',
    MTU: 1500,
    purpose: [],
    bridge,
    managed,
    other_config: [],
    blobs: [],
    tags: [],
    default_locking_mode: 'unlocked',
    assigned_ips: [],
  })
}

/** Xapi_pif.make_pif_metrics: a blank metrics record. */
export function makePifMetrics(db: Db): XObj<'PIF_metrics'> {
  return db.create('PIF_metrics', {
    carrier: false, device_name: '', vendor_name: '', device_id: '', vendor_id: '', speed: 0, duplex: false, pci_bus_path: '',
    io_read_kbs: 0, io_write_kbs: 0, last_updated: EPOCH, other_config: [],
  })
}

/**
 * introduce_internal: the network of bridge xenbr<position> (br<device> for other names; "" when unmanaged),
 * created if missing; a new physical PIF, not attached, unconfigured, with the default properties — the
 * management interface's if it is on the management bridge. The monitor then fills its metrics from the NIC.
 */
function introduceInternal(db: Db, host: XObj<'host'>, nic: Nic, managed: boolean, disallowUnplug = false): XObj<'PIF'> {
  const pos = positionOf(nic.device)
  const bridge = managed ? (pos !== undefined ? `xenbr${pos}` : `br${nic.device}`) : ''
  const net = findOrCreateNetwork(db, bridge, nic.device, managed)
  const metrics = makePifMetrics(db)
  const mgmtBridge = managementBridge(db, host.ref)
  const primary = managementAddressType(db, host.ref)
  const pif = db.create('PIF', {
    uuid: db.ids.uuid(),
    device: nic.device, network: net.ref, host: host.ref, MAC: nic.MAC, MTU: nic.MTU, VLAN: -1, metrics: metrics.ref, physical: true,
    currently_attached: false, igmp_snooping_status: 'unknown', ip_configuration_mode: 'None', IP: '', netmask: '', gateway: '', DNS: '',
    bond_slave_of: NULL_REF, VLAN_master_of: NULL_REF, management: false, other_config: [], disallow_unplug: disallowUnplug,
    ipv6_configuration_mode: 'None', IPv6: [], ipv6_gateway: '', primary_address_type: primary, managed, properties: [['gro', 'on']],
    capabilities: nic.capabilities, PCI: nic.PCI,
  })
  if (bridge === mgmtBridge && mgmtBridge !== '') db.set(pif, { management: true, currently_attached: true })
  db.set(metrics, { ...nic.metrics, last_updated: xapiDate(db.clock.now()) })
  return pif
}

/**
 * PIF.introduce: the MAC is lower-cased (the NIC's own when omitted) and must be valid (MAC_INVALID); no physical
 * PIF of the host has the device yet (DUPLICATE_PIF_DEVICE_NAME); the host has that NIC with that MAC
 * (COULD_NOT_FIND_NETWORK_INTERFACE_WITH_SPECIFIED_DEVICE_NAME_AND_MAC_ADDRESS).
 */
export function introducePif(db: Db, host: XObj<'host'>, mac: string, device: string, managed: boolean): XObj<'PIF'> {
  const nics = hostNics(db, host)
  let m = mac.replace(/[A-Z]/g, (c) => c.toLowerCase())
  if (m === '') m = nics.find((n) => n.device === device)?.MAC ?? ''
  if (!isValidMac(m)) throw new XapiError('MAC_INVALID', [m])
  if (db.referrers('PIF', 'host', host.ref).some((p) => p.f.physical && p.f.device === device)) throw new XapiError('DUPLICATE_PIF_DEVICE_NAME', [device])
  const nic = nics.find((n) => n.device === device && n.MAC === m)
  if (!nic) throw new XapiError('COULD_NOT_FIND_NETWORK_INTERFACE_WITH_SPECIFIED_DEVICE_NAME_AND_MAC_ADDRESS', [device, m])
  return introduceInternal(db, host, nic, managed)
}

/** PIF.scan: a PIF for every NIC that has none (managed), then the management flags as the inventory says. */
export function scanPifs(db: Db, host: XObj<'host'>): void {
  const nics = hostNics(db, host)
  const have = new Set(db.referrers('PIF', 'host', host.ref).filter((p) => p.f.physical).map((p) => p.f.device))
  for (const nic of nics) if (!have.has(nic.device)) introduceInternal(db, host, nic, true)
  updateManagementFlags(db, host.ref, managementBridge(db, host.ref))
}

/**
 * PIF.forget: not the management interface, not bonded, no VLAN on or of it, no tunnel, HA/redo log off while
 * attached, no SR-IOV; the interface goes down and the PIF and its metrics are deleted.
 */
export function forgetPif(db: Db, pif: XObj<'PIF'>): void {
  assertNotManagement(pif)
  assertNotInBond(db, pif)
  if (db.referrers('VLAN', 'tagged_PIF', pif.ref).length > 0) throw new XapiError('PIF_VLAN_STILL_EXISTS', [pif.ref])
  if (pif.f.VLAN !== -1) throw new XapiError('PIF_VLAN_STILL_EXISTS', [pif.ref])
  if (db.referrers('tunnel', 'transport_PIF', pif.ref).length > 0) throw new XapiError('PIF_TUNNEL_STILL_EXISTS', [pif.ref])
  if (db.referrers('tunnel', 'access_PIF', pif.ref).length > 0) throw new XapiError('PIF_TUNNEL_STILL_EXISTS', [pif.ref])
  assertNotSlaveManagement(db, pif)
  assertNoProtection(db, pif)
  const top = pifTopo(db, pif)[0]!
  if (top.kind === 'sriov_logical') throw new XapiError('CANNOT_FORGET_SRIOV_LOGICAL', [pif.ref])
  if (top.kind === 'physical' && db.referrers('network_sriov', 'physical_PIF', pif.ref).length > 0) throw new XapiError('PIF_SRIOV_STILL_EXISTS', [pif.ref])
  const host = pifHost(db, pif)
  hostNics(db, host)
  assertNoClusteringEnabled(db, pif)
  if (pif.f.managed) bringPifDown(db, pif)
  const m = db.tryGet(pif.f.metrics, 'PIF_metrics')
  if (m) db.destroy(m)
  db.destroy(pif)
}

/** Helpers.is_valid_MAC: six ':'-separated pairs of hex digits. */
export function isValidMac(mac: string): boolean {
  const parts = mac.split(':')
  return parts.length === 6 && parts.every((p) => /^[0-9a-fA-F]{2}$/.test(p))
}

// ---------------------------------------------------------------------------------------------------------
// The management interface (xapi_host.ml).

/** Xapi_host.change_management_interface: the inventory names the bridge and address type, then dom0's networking change. */
export function changeManagementInterface(db: Db, host: XObj<'host'>, bridge: string, type: PifF['primary_address_type']): void {
  onDom0NetworkingChange(db, host, bridge, type)
}

/**
 * Host.management_reconfigure: refused under HA; a managed PIF must not be a bond member (CANNOT_PLUG_BOND_SLAVE)
 * and must have an address of its primary type (PIF_HAS_NO_NETWORK_CONFIGURATION / …_V6_…); then its network is
 * brought up as the management interface and the management flags move to it. Nothing happens for the current one.
 */
export function managementReconfigure(db: Db, pif: XObj<'PIF'>): void {
  if (pool(db)?.f.ha_enabled) throw new XapiError('HA_IS_ENABLED', [])
  const net = db.get(pif.f.network, 'network')
  if (pif.f.managed) {
    if (pif.f.bond_slave_of !== NULL_REF) throw new XapiError('CANNOT_PLUG_BOND_SLAVE', [pif.ref])
    if (pif.f.primary_address_type === 'IPv4' && pif.f.ip_configuration_mode === 'None') throw new XapiError('PIF_HAS_NO_NETWORK_CONFIGURATION', [pif.ref])
    if (pif.f.primary_address_type === 'IPv6' && pif.f.ipv6_configuration_mode === 'None') throw new XapiError('PIF_HAS_NO_V6_NETWORK_CONFIGURATION', [pif.ref])
    // (a different primary address type than the current management interface's is checked, and ignored)
  }
  if (pif.f.management) return
  const host = pifHost(db, pif)
  attachForManagement(db, net, host)
  changeManagementInterface(db, host, net.f.bridge, pif.f.primary_address_type)
  updateManagementFlags(db, host.ref, net.f.bridge)
}

/** Xapi_network.attach_internal ~management_interface:true: the network's managed PIFs on the host come up. */
function attachForManagement(db: Db, net: XObj<'network'>, host: XObj<'host'>): void {
  if (!net.f.managed) return
  for (const p of db.referrers('PIF', 'network', net.ref).filter((x) => x.f.host === host.ref)) {
    if (!p.f.managed) continue
    if (p.f.bond_slave_of !== NULL_REF) throw new XapiError('CANNOT_PLUG_BOND_SLAVE', [p.ref])
    bringPifUp(db, p, { management: true })
  }
}

/** Host.management_disable (on the host xe talks to, the coordinator): refused under HA; no PIF is management. */
export function managementDisable(db: Db, host: XObj<'host'>): void {
  if (pool(db)?.f.ha_enabled) throw new XapiError('HA_IS_ENABLED', [])
  if (pool(db)?.f.master !== host.ref) throw new XapiError('SLAVE_REQUIRES_MANAGEMENT_INTERFACE', [])
  updateManagementFlags(db, host.ref, '')
}

// ---------------------------------------------------------------------------------------------------------
// PIF.set_property / PIF.set_primary_address_type.

/** Xapi_pif.property_names_and_values: the properties a PIF has, with their values. */
const PROPERTY_VALUES: Record<string, string[]> = { gro: ['on', 'off'] }

/**
 * PIF.set_property: a known property and value (INVALID_VALUE ["properties", "<k> = <v>"]), on a physical PIF or a
 * bond master that is no bond member (CANNOT_CHANGE_PIF_PROPERTIES); a bond master's members take the same
 * properties; the interface and the VLANs on it are brought up again if it is attached.
 */
export function setPifProperty(db: Db, pif: XObj<'PIF'>, name: string, value: string): void {
  const allowed = Object.prototype.hasOwnProperty.call(PROPERTY_VALUES, name) ? PROPERTY_VALUES[name]! : undefined
  if (!allowed || !allowed.includes(value)) throw new XapiError('INVALID_VALUE', ['properties', `${name} = ${value}`])
  const bonds = db.referrers('Bond', 'master', pif.ref)
  if ((bonds.length === 0 && !pif.f.physical) || pif.f.bond_slave_of !== NULL_REF) throw new XapiError('CANNOT_CHANGE_PIF_PROPERTIES', [pif.ref])
  const properties: Array<[string, string]> = [[name, value], ...pif.f.properties.filter(([k]) => k !== name)]
  db.set(pif, { properties })
  for (const b of bonds) for (const s of db.referrers('PIF', 'bond_slave_of', b.ref)) db.set(s, { properties })
  if (pif.f.currently_attached) {
    const vlanPifs = db.referrers('VLAN', 'tagged_PIF', pif.ref).map((v) => db.tryGet(v.f.untagged_PIF, 'PIF')).filter((p): p is XObj<'PIF'> => !!p)
    for (const p of [pif, ...vlanPifs]) bringPifUp(db, p)
  }
}

/** PIF.set_primary_address_type: HA/redo log off while attached; not the management interface. */
export function setPrimaryAddressType(db: Db, pif: XObj<'PIF'>, value: PifF['primary_address_type']): void {
  assertNoProtection(db, pif)
  assertNotManagement(pif)
  db.set(pif, { primary_address_type: value })
}
