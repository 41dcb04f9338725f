// Bond rules: Bond.create / Bond.destroy / Bond.set_mode (xapi_bond.ml), the mode requirements on bond properties
// (map_check.ml), what moves between the members and the bond master: IP configuration, the management interface,
// VLANs, tunnels and the local VIFs. Reference: xapi-model.md §12. Re-expressed from xen-api at the reference
// commit.
import type { Db, XObj } from './db'
import { XapiError } from './errors'
import { assertNetworkManaged, isSriovBasedNetwork } from './network'
import {
  assertNoOtherLocalPifs, assertPifManaged, bondOfSlave, bringPifDown, bringPifUp, changeManagementInterface, isValidMac, makePifMetrics,
  pifHost, pifTopo, updateManagementFlags,
} from './pif'
import { createTunnelInternal } from './tunnel'
import { moveVifInternal } from './vif'
import { possibleHosts } from './vm'
import { createVlanInternal } from './vlan'
import { NULL_REF, type Ref, type XMap } from './values'

export type BondMode = XObj<'Bond'>['f']['mode']

interface Requirement {
  key: string
  dflt?: string
  valid(v: string): boolean
}

/** requirements_of_mode: only lacp bonds take properties, each with its values (and a default for three). */
function requirementsOf(mode: BondMode): Requirement[] {
  if (mode !== 'lacp') return []
  return [
    { key: 'hashing_algorithm', dflt: 'tcpudp_ports', valid: (v) => v === 'src_mac' || v === 'tcpudp_ports' },
    { key: 'lacp-time', dflt: 'slow', valid: (v) => v === 'fast' || v === 'slow' },
    { key: 'lacp-aggregation-key', valid: isOcamlInt },
    { key: 'lacp-fallback-ab', dflt: 'true', valid: (v) => v === 'true' || v === 'false' },
  ]
}

/** Whether OCaml's int_of_string reads the text (decimal, or 0x / 0o / 0b / 0u literals; '_' after a digit). */
function isOcamlInt(v: string): boolean {
  return /^[+-]?(0[xX][0-9a-fA-F][0-9a-fA-F_]*|0[oO][0-7][0-7_]*|0[bB][01][01_]*|0[uU][0-9][0-9_]*|[0-9][0-9_]*)$/.test(v)
}

/** Map_check.validate_kvpair "properties": INVALID_VALUE ["properties", "<k> = <v>"]. */
function validateProperty(reqs: Requirement[], [k, v]: [string, string]): void {
  const r = reqs.find((x) => x.key === k)
  if (!r || !r.valid(v)) throw new XapiError('INVALID_VALUE', ['properties', `${k} = ${v}`])
}

/** Map_check.add_defaults: each missing key with a default goes in front, in requirement order. */
function addDefaults(reqs: Requirement[], props: XMap): XMap {
  let out = props
  for (const r of reqs) if (r.dflt !== undefined && !out.some(([k]) => k === r.key)) out = [[r.key, r.dflt], ...out]
  return out
}

/** choose_bond_device_name: `bond<N>`, the first N not used by a bond master of the host. */
function chooseBondDevice(db: Db, host: Ref): string {
  const used = new Set(db.referrers('PIF', 'host', host).filter((p) => db.referrers('Bond', 'master', p.ref).length > 0).map((p) => p.f.device))
  let n = 0
  while (used.has(`bond${n}`)) n++
  return `bond${n}`
}

/** move_configuration: the IPv4 configuration goes from one PIF to the other, which is left unconfigured. */
function moveConfiguration(db: Db, from: XObj<'PIF'>, to: XObj<'PIF'>): void {
  const { ip_configuration_mode, IP, netmask, gateway, DNS } = from.f
  db.set(to, { ip_configuration_mode, IP, netmask, gateway, DNS })
  db.set(from, { ip_configuration_mode: 'None', IP: '', netmask: '', gateway: '', DNS: '' })
}

/** move_management: the new PIF comes up as the management interface, the inventory and the flags follow it. */
function moveManagement(db: Db, to: XObj<'PIF'>): void {
  bringPifUp(db, to, { management: true })
  const bridge = db.get(to.f.network, 'network').f.bridge
  const host = pifHost(db, to)
  changeManagementInterface(db, host, bridge, to.f.primary_address_type)
  updateManagementFlags(db, host.ref, bridge)
}

/**
 * get_local_vifs: the VIFs on these networks of VMs resident on the host, or (not resident anywhere) that can only
 * start on this host, or nowhere.
 */
function localVifs(db: Db, host: Ref, networks: Ref[]): Array<XObj<'VIF'>> {
  const byVm = new Map<Ref, Array<XObj<'VIF'>>>()
  for (const n of networks) {
    for (const r of db.field(db.get(n, 'network'), 'VIFs') as Ref[]) {
      const vif = db.get(r, 'VIF')
      const l = byVm.get(vif.f.VM) ?? []
      l.push(vif)
      byVm.set(vif.f.VM, l)
    }
  }
  const out: Array<XObj<'VIF'>> = []
  for (const [vmRef, vifs] of byVm) {
    const vm = db.tryGet(vmRef, 'VM')
    if (!vm) continue
    let local: boolean
    if (vm.f.resident_on === host) local = true
    else if (vm.f.resident_on !== NULL_REF) local = false
    else {
      const hosts = possibleHosts(db, vm)
      local = (hosts.includes(host) && hosts.length === 1) || hosts.length === 0
    }
    if (local) out.push(...vifs)
  }
  return out
}

/** The VIFs of the network whose VM is resident on the host (moved in place so they reach the new bridge). */
function residentVifs(db: Db, host: Ref, network: Ref): Array<XObj<'VIF'>> {
  return db.referrers('VIF', 'network', network).filter((v) => db.tryGet(v.f.VM, 'VM')?.f.resident_on === host)
}

/**
 * move_vlan: the VLAN's untagged PIF is replaced by one on the new tagged PIF (same network, same device name as
 * the new tagged PIF) — or, if a VLAN with that tag is already there, its VIFs move to that VLAN's network — with
 * its IP configuration; management and plugged state follow.
 */
function moveVlan(db: Db, host: Ref, newSlave: XObj<'PIF'>, oldVlan: XObj<'VLAN'>): void {
  const oldMaster = db.get(oldVlan.f.untagged_PIF, 'PIF')
  const tag = oldVlan.f.tag
  const network = oldMaster.f.network
  const plugged = oldMaster.f.currently_attached
  const isManagement = oldMaster.f.management
  if (plugged && !isManagement) bringPifDown(db, oldMaster)
  let newMaster: XObj<'PIF'>
  const same = db.referrers('VLAN', 'tagged_PIF', newSlave.ref).filter((v) => v.f.tag === tag)
  if (same.length > 0) {
    newMaster = db.get(same[0]!.f.untagged_PIF, 'PIF')
    for (const vif of localVifs(db, host, [network])) moveVifInternal(db, vif, db.get(newMaster.f.network, 'network'))
  } else {
    newMaster = createVlanInternal(db, host, newSlave, tag, network, newSlave.f.device).untagged
  }
  moveConfiguration(db, oldMaster, newMaster)
  db.destroy(oldVlan)
  db.destroy(oldMaster)
  if (plugged) {
    if (isManagement) moveManagement(db, newMaster)
    else bringPifUp(db, newMaster)
    const net = db.get(network, 'network')
    for (const vif of residentVifs(db, host, network)) moveVifInternal(db, vif, net)
  }
}

/** move_tunnel: a new tunnel and access PIF on the new transport PIF replace the old ones; plugged if they were. */
function moveTunnel(db: Db, host: Ref, newTransport: XObj<'PIF'>, oldTunnel: XObj<'tunnel'>): void {
  const oldAccess = db.get(oldTunnel.f.access_PIF, 'PIF')
  const network = oldAccess.f.network
  const plugged = oldAccess.f.currently_attached
  const { access } = createTunnelInternal(db, newTransport, network, host, oldTunnel.f.protocol)
  db.destroy(oldTunnel)
  db.destroy(oldAccess)
  if (plugged) {
    bringPifUp(db, access)
    const net = db.get(network, 'network')
    for (const vif of residentVifs(db, host, network)) moveVifInternal(db, vif, net)
  }
}

const hasIpConf = (p: XObj<'PIF'>) =>
  p.f.primary_address_type === 'IPv4' ? p.f.ip_configuration_mode !== 'None' : p.f.ipv6_configuration_mode !== 'None'

export interface BondCreateArgs {
  network: XObj<'network'>
  members: Array<XObj<'PIF'>>
  /** "" → the primary member's (and the bond follows it: auto_update_mac) */
  MAC: string
  mode: BondMode
  properties: XMap
}

/**
 * Bond.create, in xapi's order of checks: a managed network without a PIF on the host; a valid MAC if given; the
 * properties the mode allows (INVALID_VALUE); members (duplicates dropped) of one primary address type, managed,
 * not bonded (PIF_ALREADY_BONDED), no VLAN (PIF_VLAN_EXISTS [device]) or tunnel access PIF, on one host
 * (PIF_CANNOT_BOND_CROSS_HOST), with equal properties (INCOMPATIBLE_PIF_PROPERTIES), at most one configured
 * (PIF_BOND_MORE_THAN_ONE_IP). Then the master `bond<N>` takes the primary member's IP configuration and, if a
 * member was the management interface, management; the members' VLANs, tunnels and local VIFs move to the bond.
 */
export function createBond(db: Db, a: BondCreateArgs): XObj<'Bond'> {
  const { network } = a
  if (a.members.length === 0) throw new XapiError('PIF_BOND_NEEDS_MORE_MEMBERS', [])
  assertNetworkManaged(network)
  const host = a.members[0]!.f.host
  assertNoOtherLocalPifs(db, host, network.ref)
  if (isSriovBasedNetwork(db, network.ref)) throw new XapiError('NETWORK_INCOMPATIBLE_WITH_BOND', [network.ref])
  const userMac = a.MAC !== ''
  if (userMac && !isValidMac(a.MAC)) throw new XapiError('MAC_INVALID', [a.MAC])
  const reqs = requirementsOf(a.mode)
  for (const p of a.properties) validateProperty(reqs, p)
  const properties = addDefaults(reqs, a.properties)
  // Listext.setify: the last occurrence of each member stays
  const members = a.members.filter((m, i) => !a.members.slice(i + 1).some((x) => x.ref === m.ref))
  const masterRef = db.ids.ref()
  const bondRef = db.ids.ref()

  const memberNetworks = members.map((m) => m.f.network)
  const vifs = localVifs(db, host, memberNetworks)
  const vlans = members.flatMap((m) => db.referrers('VLAN', 'tagged_PIF', m.ref))
  const tunnels = members.flatMap((m) => db.referrers('tunnel', 'transport_PIF', m.ref))
  const managementOnVlan = vlans.some((v) => db.tryGet(v.f.untagged_PIF, 'PIF')?.f.management)
  const managementPif = members.find((m) => m.f.management)
  const withIp = members.filter(hasIpConf)
  const primary = managementPif ?? withIp[0] ?? members[0]!
  for (const m of members) {
    if (m.f.primary_address_type !== primary.f.primary_address_type) throw new XapiError('PIF_INCOMPATIBLE_PRIMARY_ADDRESS_TYPE', [m.ref])
  }
  const MAC = userMac ? a.MAC : primary.f.MAC
  const disallowUnplug = members.some((m) => m.f.disallow_unplug)
  const ha = db.all('pool')[0]?.f.ha_enabled ?? false
  for (const m of members) {
    assertPifManaged(m)
    const top = pifTopo(db, m)[0]!
    if (top.kind === 'physical' && top.pif.f.bond_slave_of !== NULL_REF && bondOfSlave(db, top.pif)) throw new XapiError('PIF_ALREADY_BONDED', [m.ref])
    if (top.kind === 'vlan_untagged') throw new XapiError('PIF_VLAN_EXISTS', [m.f.device])
    if (top.kind === 'tunnel_access') throw new XapiError('IS_TUNNEL_ACCESS_PIF', [m.ref])
    if (top.kind === 'sriov_logical') throw new XapiError('PIF_IS_SRIOV_LOGICAL', [m.ref])
    if (ha && m.f.management) throw new XapiError('HA_CANNOT_CHANGE_BOND_STATUS_OF_MGMT_IFACE', [])
  }
  if (new Set(members.map((m) => m.f.host)).size !== 1) throw new XapiError('PIF_CANNOT_BOND_CROSS_HOST', [])
  const props = members.map((m) => JSON.stringify(m.f.properties))
  if (props.some((p) => p !== props[0])) throw new XapiError('INCOMPATIBLE_PIF_PROPERTIES', [])
  if (withIp.length > 1) throw new XapiError('PIF_BOND_MORE_THAN_ONE_IP', [])

  const device = chooseBondDevice(db, host)
  const metrics = makePifMetrics(db)
  const master = db.create('PIF', {
    uuid: db.ids.uuid(),
    device, network: network.ref, host, MAC, MTU: -1, VLAN: -1, metrics: metrics.ref, physical: false, currently_attached: false,
    igmp_snooping_status: 'unknown', ip_configuration_mode: 'None', IP: '', netmask: '', gateway: '', DNS: '', bond_slave_of: NULL_REF,
    VLAN_master_of: NULL_REF, management: false, other_config: [], disallow_unplug: false, ipv6_configuration_mode: 'None', IPv6: [''],
    ipv6_gateway: '', primary_address_type: primary.f.primary_address_type, managed: true, properties: members[0]!.f.properties, capabilities: [],
    PCI: NULL_REF,
  }, masterRef)
  const bond = db.create('Bond', {
    uuid: db.ids.uuid(), master: master.ref, other_config: [], primary_slave: primary.ref, mode: a.mode, properties, links_up: 0, auto_update_mac: !userMac,
  }, bondRef)
  for (const m of members) db.set(m, { bond_slave_of: bond.ref })
  moveConfiguration(db, primary, master)
  if (managementPif) moveManagement(db, master)
  else if (!managementOnVlan) bringPifUp(db, master)
  for (const v of vlans) moveVlan(db, host, master, v)
  if (managementOnVlan) bringPifUp(db, master)
  for (const t of tunnels) moveTunnel(db, host, master, t)
  for (const vif of vifs) moveVifInternal(db, vif, network)
  if (disallowUnplug) {
    db.set(master, { disallow_unplug: true })
    for (const m of members) db.set(m, { disallow_unplug: false })
  }
  moveClusterPif(db, host, master.ref, (p) => members.some((m) => m.ref === p))
  return bond
}

/** maybe_move_cluster_pif: the host's cluster host follows the bond. */
function moveClusterPif(db: Db, host: Ref, to: Ref, shouldMove: (pif: Ref) => boolean): void {
  const ch = db.referrers('Cluster_host', 'host', host)[0]
  if (ch && shouldMove(ch.f.PIF)) db.set(ch, { PIF: to })
}

/**
 * Bond.destroy: the master's IP configuration goes back to the primary member, management too (the other members
 * come up), or the members come up if the bond was plugged; VLANs, local VIFs and tunnels move to the primary
 * member; then the Bond and its master go and the members are free.
 */
export function destroyBond(db: Db, bond: XObj<'Bond'>): void {
  const master = db.get(bond.f.master, 'PIF')
  const members = (db.field(bond, 'slaves') as Ref[]).map((r) => db.get(r, 'PIF'))
  const plugged = master.f.currently_attached
  const host = master.f.host
  const primary = db.get(bond.f.primary_slave, 'PIF')
  const primaryNetwork = db.get(primary.f.network, 'network')
  const vifs = localVifs(db, host, [master.f.network])
  const vlans = db.referrers('VLAN', 'tagged_PIF', master.ref)
  const managementOnVlan = vlans.some((v) => db.tryGet(v.f.untagged_PIF, 'PIF')?.f.management)
  const tunnels = db.referrers('tunnel', 'transport_PIF', master.ref)
  if (db.all('pool')[0]?.f.ha_enabled && master.f.management) throw new XapiError('HA_CANNOT_CHANGE_BOND_STATUS_OF_MGMT_IFACE', [])
  moveConfiguration(db, master, primary)
  if (master.f.management) {
    moveManagement(db, primary)
    for (const m of members) if (m.ref !== primary.ref) bringPifUp(db, m)
  } else if (plugged && !managementOnVlan) {
    for (const m of members) bringPifUp(db, m)
  }
  for (const v of vlans) moveVlan(db, host, primary, v)
  if (managementOnVlan) for (const m of members) bringPifUp(db, m)
  for (const vif of vifs) moveVifInternal(db, vif, primaryNetwork)
  for (const t of tunnels) moveTunnel(db, host, primary, t)
  if (master.f.disallow_unplug) db.set(primary, { disallow_unplug: true })
  moveClusterPif(db, host, primary.ref, (p) => p === master.ref)
  db.destroy(bond)
  db.destroy(master)
  for (const m of members) db.set(m, { bond_slave_of: NULL_REF })
}

/** Bond.set_mode: the mode, the properties the new mode keeps (plus its defaults), and the bond comes up again. */
export function setBondMode(db: Db, bond: XObj<'Bond'>, mode: BondMode): void {
  db.set(bond, { mode })
  const reqs = requirementsOf(mode)
  const kept = bond.f.properties.filter((p) => {
    try {
      validateProperty(reqs, p)
      return true
    } catch {
      return false
    }
  })
  db.set(bond, { properties: addDefaults(reqs, kept) })
  bringPifUp(db, db.get(bond.f.master, 'PIF'))
}

/** Bond.set_property: a property the mode allows (INVALID_VALUE), put in front; the bond comes up again. */
export function setBondProperty(db: Db, bond: XObj<'Bond'>, name: string, value: string): void {
  validateProperty(requirementsOf(bond.f.mode), [name, value])
  db.set(bond, { properties: [[name, value], ...bond.f.properties.filter(([k]) => k !== name)] })
  bringPifUp(db, db.get(bond.f.master, 'PIF'))
}
