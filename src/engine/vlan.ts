// VLAN rules: VLAN.create / VLAN.destroy (xapi_vlan.ml), the VLAN checks on the tagged PIF
// (xapi_pif_helpers.ml vlan_is_allowed_on_pif), Pool.create_VLAN_from_PIF (xapi_pool.ml) and the deprecated
// PIF.destroy of a VLAN PIF (xapi_pif.ml). Reference: xapi-model.md §12. Re-expressed from xen-api at the
// reference commit.
import type { Db, XObj } from './db'
import { XapiError } from './errors'
import { assertNetworkManaged, isSriovBasedNetwork } from './network'
import {
  assertNetworkCompatibleWithTrunksOnVif, assertNoOtherLocalPifs, assertNoProtection, assertNotInBond, assertNotSlaveManagement,
  assertPifManaged, pifTopo, plugPif, unplugPif,
} from './pif'
import { NULL_REF, type Ref } from './values'

/** The MAC every VLAN PIF has (Xapi_vlan.vlan_mac). */
export const VLAN_MAC = 'fe:ff:ff:ff:ff:ff'

/** Xapi_vlan.assert_valid_VLAN_tag: 0–4094 (VLAN_TAG_INVALID [tag]). */
export function assertValidVlanTag(tag: bigint): void {
  if (tag < 0n || tag > 4094n) throw new XapiError('VLAN_TAG_INVALID', [tag.toString()])
}

/**
 * Xapi_vlan.create_internal: the untagged PIF — the tagged PIF's device, MTU, metrics (shared) and primary address
 * type, VLAN = tag, MAC fe:ff:ff:ff:ff:ff, not physical, not attached, unconfigured — and the VLAN object.
 */
export function createVlanInternal(db: Db, host: Ref, tagged: XObj<'PIF'>, tag: number, network: Ref, device: string): { vlan: XObj<'VLAN'>; untagged: XObj<'PIF'> } {
  assertNetworkCompatibleWithTrunksOnVif(db, network)
  const vlanRef = db.ids.ref()
  const vlanUuid = db.ids.uuid()
  const untagged = db.create('PIF', {
    uuid: db.ids.uuid(),
    device, network, host, MAC: VLAN_MAC, MTU: tagged.f.MTU, VLAN: tag, metrics: tagged.f.metrics, physical: false,
    currently_attached: false, igmp_snooping_status: 'unknown', ip_configuration_mode: 'None', IP: '', netmask: '', gateway: '', DNS: '',
    bond_slave_of: NULL_REF, VLAN_master_of: vlanRef, management: false, other_config: [], disallow_unplug: false,
    ipv6_configuration_mode: 'None', IPv6: [''], ipv6_gateway: '', primary_address_type: tagged.f.primary_address_type, managed: true,
    properties: [], capabilities: [], PCI: NULL_REF,
  })
  const vlan = db.create('VLAN', { uuid: vlanUuid, tagged_PIF: tagged.ref, untagged_PIF: untagged.ref, tag, other_config: [] }, vlanRef)
  return { vlan, untagged }
}

/**
 * VLAN.create, in xapi's order of checks: a managed network (NETWORK_UNMANAGED) without a PIF on the host
 * (NETWORK_ALREADY_CONNECTED); a managed tagged PIF that is no bond member (CANNOT_ADD_VLAN_TO_BOND_SLAVE), no
 * VLAN (PIF_IS_VLAN), no tunnel access PIF (IS_TUNNEL_ACCESS_PIF); a tag 0–4094 (VLAN_TAG_INVALID); no VLAN with
 * the tag on that PIF yet (PIF_VLAN_EXISTS [device]). The new untagged PIF is plugged.
 */
export function createVlan(db: Db, tagged: XObj<'PIF'>, tag: bigint, network: XObj<'network'>): XObj<'VLAN'> {
  assertNetworkManaged(network)
  const host = tagged.f.host
  assertNoOtherLocalPifs(db, host, network.ref)
  assertPifManaged(tagged)
  const topo = pifTopo(db, tagged)
  const top = topo[0]!
  if (top.kind === 'physical' && top.pif.f.bond_slave_of !== NULL_REF) throw new XapiError('CANNOT_ADD_VLAN_TO_BOND_SLAVE', [tagged.ref])
  if (top.kind === 'vlan_untagged') throw new XapiError('PIF_IS_VLAN', [tagged.ref])
  if (top.kind === 'tunnel_access') throw new XapiError('IS_TUNNEL_ACCESS_PIF', [tagged.ref])
  if (top.kind !== 'sriov_logical' && isSriovBasedNetwork(db, network.ref)) throw new XapiError('NETWORK_INCOMPATIBLE_WITH_VLAN_ON_BRIDGE', [network.ref])
  if (top.kind === 'sriov_logical' && db.referrers('PIF', 'network', network.ref).length > 0 && !isSriovBasedNetwork(db, network.ref)) {
    throw new XapiError('NETWORK_INCOMPATIBLE_WITH_VLAN_ON_SRIOV', [network.ref])
  }
  assertValidVlanTag(tag)
  const n = Number(tag)
  if (db.referrers('VLAN', 'tagged_PIF', tagged.ref).some((v) => v.f.tag === n)) throw new XapiError('PIF_VLAN_EXISTS', [tagged.f.device])
  const { vlan, untagged } = createVlanInternal(db, host, tagged, n, network.ref, tagged.f.device)
  plugPif(db, untagged)
  return vlan
}

/**
 * VLAN.destroy: an orphaned VLAN (no untagged PIF) just goes; otherwise its untagged PIF must not be bonded nor a
 * member's management interface, HA/redo log off, and not physical (PIF_IS_PHYSICAL); it is unplugged (refused
 * for the management interface or with VIFs in use) and deleted with the VLAN. The shared metrics stay.
 */
export function destroyVlan(db: Db, vlan: XObj<'VLAN'>): void {
  const untagged = db.tryGet(vlan.f.untagged_PIF, 'PIF')
  if (!untagged) {
    db.destroy(vlan)
    return
  }
  assertNotInBond(db, untagged)
  assertNotSlaveManagement(db, untagged)
  assertNoProtection(db, untagged)
  if (untagged.f.VLAN < 0) throw new XapiError('PIF_IS_PHYSICAL', [])
  unplugPif(db, untagged)
  const v = db.tryGet(untagged.f.VLAN_master_of, 'VLAN')
  if (v) db.destroy(v)
  db.destroy(untagged)
}

/** PIF.destroy (deprecated): only a VLAN PIF (PIF_IS_PHYSICAL), which VLAN.destroy removes. */
export function destroyVlanPif(db: Db, pif: XObj<'PIF'>): void {
  if (pif.f.VLAN < 0) throw new XapiError('PIF_IS_PHYSICAL', [])
  destroyVlan(db, db.get(pif.f.VLAN_master_of, 'VLAN'))
}

/**
 * Pool.create_VLAN_from_PIF: a VLAN on the PIF of every live host on the PIF's network (in the network's PIF
 * order); any failure undoes the ones made. Returns the new untagged PIFs (each plugged).
 */
export function poolCreateVlanFromPif(db: Db, pif: XObj<'PIF'>, network: XObj<'network'>, tag: bigint): Array<XObj<'PIF'>> {
  const pifs = (db.field(db.get(pif.f.network, 'network'), 'PIFs') as Ref[]).map((r) => db.get(r, 'PIF'))
  const live = pifs.filter((p) => {
    const h = db.tryGet(p.f.host, 'host')
    return !!h && !!db.tryGet(h.f.metrics, 'host_metrics')?.f.live
  })
  const vlans = live.map((p) => createVlan(db, p, tag, network))
  const out = vlans.map((v) => db.get(v.f.untagged_PIF, 'PIF'))
  for (const p of out) {
    try {
      plugPif(db, p)
    } catch {
      // best effort, as xapi
    }
  }
  return out
}
