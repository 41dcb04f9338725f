// The networking verbs, in-process on seeded worlds: network-create/-destroy/-attach, pif-plug/-unplug,
// pif-reconfigure-ip/-ipv6, pif-scan/-introduce/-forget, pif-set-primary-address-type, host-management-reconfigure/
// -disable, vlan-create, pool-vlan-create, vlan-destroy, bond-create/-destroy/-set-mode, tunnel-create/-destroy,
// vif-move, vif-configure-ipv4/-ipv6, and pif-/bond-param-set properties:.
// References: xe-cli-behaviour.md §9 (network-create, vlan-create, bond-create), §1.2 (booleans, comma lists, maps),
// §3.2 (records), §3.4 (create commands print the uuid), §4 (errors: API errors as description + `name: value` lines
// with refs as `uuid (name)`, `Error:` for Record_failure, INTERNAL_ERROR `message: Failure: …` for failwith);
// xapi-model.md §3 (network.destroy), §10, §12; cli_operations.ml, xapi_network.ml, xapi_pif.ml, xapi_vlan.ml,
// xapi_bond.ml, xapi_tunnel.ml, xapi_vif.ml, nm.ml.
import assert from 'node:assert/strict'
import { cleanupHomes, seededHome, xe, type Result } from '../helpers'
import { inWorld } from './device-helpers'
import { mapSet } from '../../src/engine/values'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\n$/
const ok = (r: Result, stdout = '', what?: string) => assert.deepEqual(r, { stdout, stderr: '', code: 0 }, what)
const fails = (r: Result, stderr: string, what?: string) => assert.deepEqual(r, { stdout: '', stderr, code: 1 }, what)
/** A create command's output: one uuid and a newline (PList, §3.4); returns the uuid. */
function created(r: Result): string {
  assert.equal(r.stderr, '')
  assert.equal(r.code, 0)
  assert.match(r.stdout, UUID)
  return r.stdout.trim()
}
const line = async (home: string, args: string[]) => (await xe(home, args)).stdout.replace(/\n$/, '')
const get = (home: string, cls: string, uuid: string, field: string) => line(home, [`${cls}-param-get`, `uuid=${uuid}`, `param-name=${field}`])
/** §4: an API error whose code is in the datamodel. */
const api = (description: string, ...params: string[]) => [description, ...params].map((l) => l + '\n').join('')
const internal = (message: string) =>
  api('The server failed to handle your request, due to an internal error. The given message may give details useful for debugging the problem.', `message: ${message}`)

const D = {
  uuidInvalid: 'The uuid you supplied was invalid.',
  invalidValue: 'The value given is invalid',
  bridgeExists: 'The specified bridge already exists.',
  systemNetwork: 'You tried to destroy a system network: these cannot be destroyed.',
  containsPif: 'The network contains active PIFs and cannot be deleted.',
  containsVif: 'The network contains active VIFs and cannot be deleted.',
  management: 'The operation you requested cannot be performed because the specified PIF is the management interface.',
  vifInUse: 'Network has active VIFs',
  noUnplug: 'The operation you requested cannot be performed because the specified PIF does not allow unplug.',
  bondSlave: 'This PIF is a bond member and cannot be plugged.',
  badIp: 'A required parameter contained an invalid IP address',
  badCidr: 'A required parameter contained an invalid CIDR address (<addr>/<prefix length>)',
  noIpConf: "PIF has no IP configuration (mode currently set to 'none')",
  alreadyConnected: 'You tried to create a PIF, but the network you tried to attach it to is already attached to some other PIF, and so the creation failed.',
  vlanExists: 'You tried to create a PIF, but it already exists.',
  tagInvalid: 'The VLAN tag you gave was invalid -- it must be between 0 and 4094. The parameter echoes the VLAN tag you gave.',
  isVlan: 'You tried to create a VLAN on top of another VLAN - use the underlying physical PIF/bond instead',
  vlanOnSlave: 'This PIF is a bond member and cannot have a VLAN on it.',
  unmanaged: 'The network is not managed by xapi.',
  physical: 'You tried to destroy a PIF, but it represents an aspect of the physical host configuration, and so cannot be destroyed. The parameter echoes the PIF handle you gave.',
  vlanStill: 'Operation cannot proceed while a VLAN exists on this interface.',
  bonded: 'This operation cannot be performed because the pif is bonded.',
  moreThanOneIp: 'Only one PIF on a bond is allowed to have an IP configuration.',
  incompatibleProps: 'These PIFs cannot be bonded, because their properties are different.',
  macInvalid: 'The MAC address specified is not valid.',
  transport: 'The tunnel transport PIF has no IP configuration set.',
  ovs: 'This operation needs the OpenVSwitch networking backend to be enabled on all hosts in the pool.',
  tunnelOnSlave: 'This PIF is a bond member and cannot have a tunnel on it.',
  tunnelStill: 'Operation cannot proceed while a tunnel exists on this interface.',
  lacksFeature: 'You attempted an operation on a VM which lacks the feature.',
  locking: 'The specified IP address violates the VIF locking configuration.',
  duplicateDevice: 'A PIF with this specified device name already exists.',
  noNic: 'Could not find a network interface with the specified device name and MAC address.',
  bridgeNotAvailable: 'Could not find bridge required by VM.',
  cannotChangeProps: 'The properties of this PIF cannot be changed. Only the properties of non-bonded physical PIFs, or bond interfaces can be changed.',
  hostCannotAttach:
    'Server cannot attach network (in the case of NIC bonding, this may be because attaching the network on this server would require other networks - that are currently active - to be taken down).',
}

/** The default world's PIFs, networks and host (xapi-fresh-host.md): eth0 is the management interface. */
async function world(seed: number) {
  const home = await seededHome(seed)
  const pif = (d: string) => line(home, ['pif-list', `device=${d}`, '--minimal'])
  const net = (bridge: string) => line(home, ['network-list', `bridge=${bridge}`, '--minimal'])
  return {
    home,
    host: await line(home, ['host-list', '--minimal']),
    hostName: await line(home, ['host-list', 'params=name-label', '--minimal']),
    eth0: await pif('eth0'), eth1: await pif('eth1'), eth2: await pif('eth2'), eth3: await pif('eth3'),
    net0: await net('xenbr0'), net1: await net('xenbr1'), net2: await net('xenbr2'), net3: await net('xenbr3'), himn: await net('xenapi'),
  }
}
type World = Awaited<ReturnType<typeof world>>

/** A VM installed from a template with a VIF (device 0) on `network`; started if asked. Returns [vm, vif]. */
async function vmOn(w: World, network: string, o: { name?: string; template?: string; start?: boolean } = {}): Promise<[string, string]> {
  const vm = created(await xe(w.home, ['vm-install', `template=${o.template ?? 'Debian Bookworm 12'}`, `new-name-label=${o.name ?? 'web'}`]))
  const vif = created(await xe(w.home, ['vif-create', `vm-uuid=${vm}`, `network-uuid=${network}`, 'device=0']))
  if (o.start) ok(await xe(w.home, ['vm-start', `uuid=${vm}`]))
  return [vm, vif]
}

describe('xe network-create / network-destroy / network-attach (§9 network-create, xapi-model.md §3, §12)', function () {
  let w: World
  before(async () => {
    w = await world(41)
  })
  after(cleanupHomes)

  it('network-create prints the uuid; xapi names the bridges xapi<N> with its counter; MTU 1500 unless given (≤ 0 is 1500), managed', async () => {
    const a = created(await xe(w.home, ['network-create', 'name-label=a']))
    const b = created(await xe(w.home, ['network-create', 'name-label=b', 'name-description=second', 'MTU=9000']))
    const c = created(await xe(w.home, ['network-create', 'name-label=c', 'MTU=0', 'managed=no']))
    assert.equal(
      (await xe(w.home, ['network-list', 'name-label=b', 'params=all'])).stdout,
      `uuid ( RO)                    : ${b}\n              name-label ( RW): b\n        name-description ( RW): second\n` +
        '               VIF-uuids (SRO): \n               PIF-uuids (SRO): \n                     MTU ( RW): 9000\n                  bridge ( RO): xapi1\n' +
        '                 managed ( RO): true\n            other-config (MRW): \n                   blobs ( RO): \n                    tags (SRW): \n' +
        '    default-locking-mode ( RW): unlocked\n                 purpose (SRW): \n\n\n',
    )
    assert.equal(await get(w.home, 'network', a, 'bridge'), 'xapi0')
    assert.equal(await get(w.home, 'network', c, 'bridge'), 'xapi2')
    assert.equal(await get(w.home, 'network', c, 'MTU'), '1500')
    assert.equal(await get(w.home, 'network', c, 'managed'), 'false')
    // the counter lives as long as xapi: a destroyed network's name is not reused
    ok(await xe(w.home, ['network-destroy', `uuid=${c}`]))
    const d = created(await xe(w.home, ['network-create', 'name-label=d']))
    assert.equal(await get(w.home, 'network', d, 'bridge'), 'xapi3')
    ok(await xe(w.home, ['network-create', 'name-label=e', '--minimal']), (await line(w.home, ['network-list', 'name-label=e', '--minimal'])) + '\n')
  })

  it('network-create errors: reserved or long bridge names, an existing bridge, an unparsable MTU (failwith), a bad boolean (§4)', async () => {
    for (const bridge of ['xenbr9', 'xapi0', 'vif1', 'tap0', 'eth9', 'averyveryverylong']) {
      fails(await xe(w.home, ['network-create', 'name-label=x', `bridge=${bridge}`]), api(D.invalidValue, 'field: bridge', `value: ${bridge}`), bridge)
    }
    created(await xe(w.home, ['network-create', 'name-label=x', 'bridge=ovs-lab']))
    fails(await xe(w.home, ['network-create', 'name-label=x', 'bridge=ovs-lab']), api(D.bridgeExists, 'bridge: ovs-lab'))
    fails(await xe(w.home, ['network-create', 'name-label=x', 'MTU=big']), internal('Failure: Int64.of_string'))
    fails(await xe(w.home, ['network-create', 'name-label=x', 'managed=maybe']), "Error: Failed to parse parameter 'managed': Expected 'true','t','yes','y','1','false','f','no','n','0' got maybe\n")
    fails(await xe(w.home, ['network-create']), "Required parameter not found: name-label\nFor usage run: 'xe help'\n")
  })

  it('network-destroy: the host internal management network, a network with PIFs or attached VIFs are refused; unattached VIFs go too', async () => {
    fails(await xe(w.home, ['network-destroy', `uuid=${w.himn}`]), api(D.systemNetwork, `network: ${w.himn} (Host internal management network)`))
    fails(await xe(w.home, ['network-destroy', `uuid=${w.net1}`]), api(D.containsPif, `pifs: ${w.eth1}`))
    fails(await xe(w.home, ['network-destroy', 'uuid=nope']), api(D.uuidInvalid, 'type: network', 'uuid: nope'))
    const n = created(await xe(w.home, ['network-create', 'name-label=internal']))
    const [vm, vif] = await vmOn(w, n, { start: true })
    fails(await xe(w.home, ['network-destroy', `uuid=${n}`]), api(D.containsVif, `vifs: ${vif}`))
    ok(await xe(w.home, ['vm-shutdown', `uuid=${vm}`, '--force']))
    ok(await xe(w.home, ['network-destroy', `uuid=${n}`]))
    ok(await xe(w.home, ['vif-list', `vm-uuid=${vm}`]), '', 'the VIF went with the network')
  })

  it('network-attach (hidden) brings the network up on the host; an unmanaged network needs its bridge (§12)', async () => {
    ok(await xe(w.home, ['network-attach', `uuid=${w.net3}`, `host-uuid=${w.host}`]))
    assert.equal(await get(w.home, 'pif', w.eth3, 'currently-attached'), 'true')
    const u = created(await xe(w.home, ['network-create', 'name-label=u', 'managed=false', 'bridge=br-ext']))
    fails(await xe(w.home, ['network-attach', `uuid=${u}`, `host-uuid=${w.host}`]), api(D.bridgeNotAvailable, 'bridge: br-ext'))
    const internalNet = created(await xe(w.home, ['network-create', 'name-label=i']))
    ok(await xe(w.home, ['network-attach', `uuid=${internalNet}`, `host-uuid=${w.host}`]))
    fails(await xe(w.home, ['network-attach', `uuid=${w.net3}`, 'host-uuid=nope']), api(D.uuidInvalid, 'type: host', 'uuid: nope'))
  })

  it('network-create + vif-create + vm-start: the VIF is attached and the guest reports an address on it (§9 vif-create)', async () => {
    const n = created(await xe(w.home, ['network-create', 'name-label=app']))
    const [vm, vif] = await vmOn(w, n, { name: 'app', start: true })
    assert.equal(await get(w.home, 'vif', vif, 'currently-attached'), 'true')
    assert.equal(await get(w.home, 'vif', vif, 'network-name-label'), 'app')
    assert.match(await line(w.home, ['vm-param-get', `uuid=${vm}`, 'param-name=networks', 'param-key=0/ip']), /^10\.0\.\d+\.\d+$/)
  })
})

describe('xe pif-plug / pif-unplug / pif-reconfigure-ip / pif-reconfigure-ipv6 (xapi-model.md §12)', function () {
  let w: World
  beforeEach(async () => {
    w = await world(42)
  })
  after(cleanupHomes)

  it('pif-plug brings a PIF up (IGMP snooping status from the pool), pif-unplug down; the management PIF stays (§4)', async () => {
    ok(await xe(w.home, ['pif-plug', `uuid=${w.eth1}`]))
    assert.equal(await get(w.home, 'pif', w.eth1, 'currently-attached'), 'true')
    assert.equal(await get(w.home, 'pif', w.eth1, 'igmp-snooping-status'), 'disabled')
    ok(await xe(w.home, ['pif-unplug', `uuid=${w.eth1}`]))
    assert.equal(await get(w.home, 'pif', w.eth1, 'currently-attached'), 'false')
    fails(await xe(w.home, ['pif-unplug', `uuid=${w.eth0}`]), api(D.management, `PIF: ${w.eth0}`))
    fails(await xe(w.home, ['pif-plug', 'uuid=nope']), api(D.uuidInvalid, 'type: PIF', 'uuid: nope'))
    ok(await xe(w.home, ['pif-param-set', `uuid=${w.eth2}`, 'disallow-unplug=true']))
    fails(await xe(w.home, ['pif-unplug', `uuid=${w.eth2}`]), api(D.noUnplug, `PIF: ${w.eth2}`))
  })

  it('pif-unplug is refused while a running VM uses the network (VIF_IN_USE)', async () => {
    const [, vif] = await vmOn(w, w.net1, { start: true })
    assert.equal(await get(w.home, 'pif', w.eth1, 'currently-attached'), 'true', 'the VM start brought eth1 up')
    fails(await xe(w.home, ['pif-unplug', `uuid=${w.eth1}`]), api(D.vifInUse, `network: ${w.net1} (Pool-wide network associated with eth1)`, `VIF: ${vif}`))
  })

  it('pif-reconfigure-ip mode=static: IP, netmask, gateway and the IPv4 DNS servers; IP and DNS keys in any case', async () => {
    ok(await xe(w.home, ['pif-reconfigure-ip', `uuid=${w.eth1}`, 'mode=static', 'ip=192.168.7.5', 'netmask=255.255.255.0', 'gateway=192.168.7.1', 'Dns=8.8.8.8,bogus,2001:db8::53,,1.1.1.1']))
    assert.equal(
      (await xe(w.home, ['pif-list', `uuid=${w.eth1}`, 'params=IP-configuration-mode,IP,netmask,gateway,DNS,currently-attached'])).stdout,
      'currently-attached ( RO)       : false\n    IP-configuration-mode ( RO): Static\n                       IP ( RO): 192.168.7.5\n' +
        '                  netmask ( RO): 255.255.255.0\n                  gateway ( RO): 192.168.7.1\n                      DNS ( RO): 8.8.8.8,1.1.1.1\n\n\n',
    )
    ok(await xe(w.home, ['pif-reconfigure-ip', `uuid=${w.eth1}`, 'mode=None']))
    for (const f of ['IP', 'netmask', 'gateway', 'DNS']) assert.equal(await get(w.home, 'pif', w.eth1, f), '', f)
    assert.equal(await get(w.home, 'pif', w.eth1, 'IP-configuration-mode'), 'None')
  })

  it('pif-reconfigure-ip errors: mode, missing or bad addresses, the management interface without IPv4 (§4)', async () => {
    const r = (...a: string[]) => xe(w.home, ['pif-reconfigure-ip', `uuid=${w.eth1}`, ...a])
    fails(await r('mode=manual'), "Error: Expected one of 'None', 'DHCP', 'Static', got manual\n")
    fails(await r('mode=static'), api(D.badIp, 'parameter: IP'))
    fails(await r('mode=static', 'IP=10.1.1.1'), api(D.badIp, 'parameter: netmask'))
    fails(await r('mode=static', 'IP=10.1.1.01', 'netmask=255.0.0.0'), api(D.badIp, 'parameter: IP'), 'inet_pton: no leading zeros')
    fails(await r('mode=static', 'IP=10.1.1.1', 'netmask=255.0.0.0', 'gateway=10.1.1.256'), api(D.badIp, 'parameter: gateway'))
    fails(await r('mode=dhcp', 'IP=fe80::1'), api(D.badIp, 'parameter: IP'))
    fails(await xe(w.home, ['pif-reconfigure-ip', `uuid=${w.eth0}`, 'mode=none']), api(D.management, `PIF: ${w.eth0}`))
    fails(await xe(w.home, ['pif-reconfigure-ip', `uuid=${w.eth0}`]), "Required parameter not found: mode\nFor usage run: 'xe help'\n")
  })

  it('the management interface: a new address moves host.address and the console URLs; DHCP keeps the lease it had', async () => {
    ok(await xe(w.home, ['pif-reconfigure-ip', `uuid=${w.eth0}`, 'mode=static', 'IP=10.0.0.20', 'netmask=255.255.255.0', 'gateway=10.0.0.1', 'DNS=10.0.0.1']))
    assert.equal(await get(w.home, 'host', w.host, 'address'), '10.0.0.20')
    const dom0Console = await line(w.home, ['console-list', 'params=uuid', '--minimal'])
    for (const c of dom0Console.split(',')) assert.match(await get(w.home, 'console', c, 'location'), /^https:\/\/10\.0\.0\.20\/console\?ref=OpaqueRef:/)
    ok(await xe(w.home, ['pif-reconfigure-ip', `uuid=${w.eth0}`, 'mode=dhcp']))
    assert.equal(
      (await xe(w.home, ['pif-list', `uuid=${w.eth0}`, 'params=IP-configuration-mode,IP,netmask,gateway,DNS'])).stdout,
      'IP-configuration-mode ( RO)    : DHCP\n                       IP ( RO): 10.0.0.20\n                  netmask ( RO): 255.255.255.0\n' +
        '                  gateway ( RO): 10.0.0.1\n                      DNS ( RO): 10.0.0.1\n\n\n',
    )
    assert.equal(await get(w.home, 'host', w.host, 'address'), '10.0.0.20')
  })

  it('pif-reconfigure-ipv6: a CIDR address, an IPv6 gateway; the IPv6 DNS servers go in front of the IPv4 ones', async () => {
    ok(await xe(w.home, ['pif-reconfigure-ipv6', `uuid=${w.eth0}`, 'mode=static', 'ipv6=2001:db8::10/64', 'gateway=2001:db8::1', 'DNS=2001:db8::53,9.9.9.9']))
    assert.equal(
      (await xe(w.home, ['pif-list', `uuid=${w.eth0}`, 'params=IPv6-configuration-mode,IPv6,IPv6-gateway,DNS'])).stdout,
      'IPv6-configuration-mode ( RO)    : Static\n                       IPv6 ( RO): 2001:db8::10/64\n' +
        '               IPv6-gateway ( RO): 2001:db8::1\n                        DNS ( RO): 2001:db8::53,10.0.0.1\n\n\n',
    )
    const r = (...a: string[]) => xe(w.home, ['pif-reconfigure-ipv6', `uuid=${w.eth1}`, ...a])
    fails(await r('mode=static', 'IPv6=2001:db8::10'), api(D.badCidr, 'parameter: IPv6'))
    fails(await r('mode=static', 'IPv6=2001:db8::10/129'), api(D.badCidr, 'parameter: IPv6'))
    fails(await r('mode=static', 'gateway=10.0.0.1'), api(D.badIp, 'parameter: gateway'))
    fails(await r('mode=slaac'), "Error: Expected one of 'None', 'DHCP', 'Static', 'Autoconf', got slaac\n")
    ok(await r('mode=autoconf'))
    assert.equal(await get(w.home, 'pif', w.eth1, 'IPv6-configuration-mode'), 'Autoconf')
  })

  it('pif-set-primary-address-type: not on the management interface; the value is an enum (§4)', async () => {
    ok(await xe(w.home, ['pif-set-primary-address-type', `uuid=${w.eth1}`, 'primary_address_type=ipv6']))
    assert.equal(await get(w.home, 'pif', w.eth1, 'primary-address-type'), 'IPv6')
    fails(await xe(w.home, ['pif-set-primary-address-type', `uuid=${w.eth1}`, 'primary_address_type=v4']), "Error: Expected one of 'IPv4', 'IPv6', got v4\n")
    fails(await xe(w.home, ['pif-set-primary-address-type', `uuid=${w.eth0}`, 'primary_address_type=ipv4']), api(D.management, `PIF: ${w.eth0}`))
  })

  it('pif-param-set properties: is PIF.set_property (gro on|off; physical, unbonded PIFs)', async () => {
    ok(await xe(w.home, ['pif-param-set', `uuid=${w.eth1}`, 'properties:gro=off']))
    assert.equal(await get(w.home, 'pif', w.eth1, 'properties'), 'gro: off')
    fails(await xe(w.home, ['pif-param-set', `uuid=${w.eth1}`, 'properties:gro=maybe']), api(D.invalidValue, 'field: properties', 'value: gro = maybe'))
    fails(await xe(w.home, ['pif-param-set', `uuid=${w.eth1}`, 'properties:tso=on']), api(D.invalidValue, 'field: properties', 'value: tso = on'))
    const n = created(await xe(w.home, ['network-create', 'name-label=v']))
    const vp = created(await xe(w.home, ['vlan-create', `pif-uuid=${w.eth1}`, 'vlan=3', `network-uuid=${n}`]))
    fails(await xe(w.home, ['pif-param-set', `uuid=${vp}`, 'properties:gro=on']), api(D.cannotChangeProps, `PIF: ${vp}`))
  })
})

describe('xe pif-forget / pif-introduce / pif-scan (xapi-model.md §12)', function () {
  let w: World
  before(async () => {
    w = await world(43)
  })
  after(cleanupHomes)

  it('a forgotten NIC is found again by pif-scan (same device, MAC and network); pif-introduce prints the uuid', async () => {
    const mac = await get(w.home, 'pif', w.eth3, 'MAC')
    fails(await xe(w.home, ['pif-forget', `uuid=${w.eth0}`]), api(D.management, `PIF: ${w.eth0}`))
    ok(await xe(w.home, ['pif-forget', `uuid=${w.eth3}`]))
    ok(await xe(w.home, ['pif-list', 'device=eth3']))
    ok(await xe(w.home, ['pif-scan', `host-uuid=${w.host}`]))
    const p = await line(w.home, ['pif-list', 'device=eth3', '--minimal'])
    assert.notEqual(p, w.eth3)
    assert.equal(await get(w.home, 'pif', p, 'MAC'), mac)
    assert.equal(await get(w.home, 'pif', p, 'network-uuid'), w.net3)
    assert.equal(await get(w.home, 'pif', p, 'currently-attached'), 'false')
    assert.equal(await get(w.home, 'pif', p, 'properties'), 'gro: on')
    assert.equal(await get(w.home, 'pif', p, 'vendor-name'), 'Intel Corporation')
    ok(await xe(w.home, ['pif-forget', `uuid=${p}`]))
    const q = created(await xe(w.home, ['pif-introduce', `host-uuid=${w.host}`, 'device=eth3', `mac=${mac.toUpperCase()}`]))
    assert.equal(await get(w.home, 'pif', q, 'MAC'), mac, 'the MAC is lower-cased')
    ok(await xe(w.home, ['pif-scan', `host-uuid=${w.host}`]))
    assert.equal(await line(w.home, ['pif-list', 'params=device', '--minimal']), 'eth0,eth1,eth2,eth3', 'nothing new')
  })

  it('pif-introduce errors: a duplicate device, an unknown NIC, a bad MAC (§4)', async () => {
    fails(await xe(w.home, ['pif-introduce', `host-uuid=${w.host}`, 'device=eth0']), api(D.duplicateDevice, 'device: eth0'))
    fails(await xe(w.home, ['pif-introduce', `host-uuid=${w.host}`, 'device=eth7']), api(D.macInvalid, 'MAC: '))
    fails(await xe(w.home, ['pif-introduce', `host-uuid=${w.host}`, 'device=eth7', 'mac=00:16:3E:00:00:01']), api(D.noNic, 'device: eth7', 'mac: 00:16:3e:00:00:01'))
    fails(await xe(w.home, ['pif-introduce', `host-uuid=${w.host}`, 'device=eth7', 'mac=nope']), api(D.macInvalid, 'MAC: nope'))
    fails(await xe(w.home, ['pif-introduce', 'host-uuid=x', 'device=eth7']), api(D.uuidInvalid, 'type: host', 'uuid: x'))
  })

  it('pif-forget is refused for a PIF with a VLAN, and for a VLAN PIF', async () => {
    const n = created(await xe(w.home, ['network-create', 'name-label=v']))
    const vp = created(await xe(w.home, ['vlan-create', `pif-uuid=${w.eth2}`, 'vlan=7', `network-uuid=${n}`]))
    fails(await xe(w.home, ['pif-forget', `uuid=${w.eth2}`]), api(D.vlanStill, `PIF: ${w.eth2}`))
    fails(await xe(w.home, ['pif-forget', `uuid=${vp}`]), api(D.vlanStill, `PIF: ${vp}`))
  })
})

describe('xe host-management-reconfigure / host-management-disable (xapi-model.md §12)', function () {
  after(cleanupHomes)

  it('moves management to a configured PIF (host address and flags follow), refuses an unconfigured one; disable clears it', async () => {
    const w = await world(44)
    fails(await xe(w.home, ['host-management-reconfigure', `pif-uuid=${w.eth1}`]), api(D.noIpConf, `PIF: ${w.eth1}`))
    ok(await xe(w.home, ['pif-reconfigure-ip', `uuid=${w.eth1}`, 'mode=static', 'IP=192.168.50.2', 'netmask=255.255.255.0']))
    ok(await xe(w.home, ['host-management-reconfigure', `pif-uuid=${w.eth1}`]))
    assert.equal(await line(w.home, ['pif-list', 'management=true', 'params=device', '--minimal']), 'eth1')
    assert.equal(await get(w.home, 'pif', w.eth1, 'currently-attached'), 'true')
    assert.equal(await get(w.home, 'pif', w.eth0, 'currently-attached'), 'true', 'the old interface stays up')
    assert.equal(await get(w.home, 'host', w.host, 'address'), '192.168.50.2')
    ok(await xe(w.home, ['host-management-reconfigure', `pif-uuid=${w.eth1}`]), '', 'already the management interface: nothing to do')
    ok(await xe(w.home, ['host-management-disable']))
    ok(await xe(w.home, ['pif-list', 'management=true']))
    assert.equal(await get(w.home, 'host', w.host, 'address'), '192.168.50.2')
    ok(await xe(w.home, ['host-management-reconfigure', `pif-uuid=${w.eth0}`]))
    assert.equal(await line(w.home, ['pif-list', 'management=true', 'params=device', '--minimal']), 'eth0')
    assert.equal(await get(w.home, 'host', w.host, 'address'), '10.0.0.10')
    fails(await xe(w.home, ['host-management-reconfigure', 'pif-uuid=nope']), api(D.uuidInvalid, 'type: PIF', 'uuid: nope'))
  })
})

describe('xe vlan-create / pool-vlan-create / vlan-destroy (§9 vlan-create, xapi-model.md §12)', function () {
  let w: World
  beforeEach(async () => {
    w = await world(45)
  })
  after(cleanupHomes)

  it('vlan-create prints the untagged PIF: device and metrics of the tagged PIF, MAC fe:ff:ff:ff:ff:ff, plugged', async () => {
    const n = created(await xe(w.home, ['network-create', 'name-label=vlan10']))
    const vp = created(await xe(w.home, ['vlan-create', `pif-uuid=${w.eth1}`, 'vlan=10', `network-uuid=${n}`]))
    const vlan = await line(w.home, ['vlan-list', '--minimal'])
    assert.equal(
      (await xe(w.home, ['vlan-list', 'params=all'])).stdout,
      `uuid ( RO)            : ${vlan}\n      tagged-PIF ( RO): ${w.eth1}\n    untagged-PIF ( RO): ${vp}\n             tag ( RO): 10\n\n\n`,
    )
    const f = async (k: string) => get(w.home, 'pif', vp, k)
    assert.equal(await f('device'), 'eth1')
    assert.equal(await f('MAC'), 'fe:ff:ff:ff:ff:ff')
    assert.equal(await f('VLAN'), '10')
    assert.equal(await f('physical'), 'false')
    assert.equal(await f('currently-attached'), 'true')
    assert.equal(await f('MTU'), '1500')
    assert.equal(await f('vlan-master-of'), vlan)
    assert.equal(await f('network-uuid'), n)
    assert.equal(await f('igmp-snooping-status'), 'unknown')
    assert.equal(await f('properties'), '')
    assert.equal(await f('pci-bus-path'), await get(w.home, 'pif', w.eth1, 'pci-bus-path'), 'metrics shared with eth1')
    assert.equal(await get(w.home, 'pif', w.eth1, 'vlan-slave-of'), vlan)
    assert.equal(await get(w.home, 'pif', w.eth1, 'currently-attached'), 'false', 'the tagged PIF itself is not plugged')
    ok(await xe(w.home, ['vlan-create', `pif-uuid=${w.eth1}`, 'vlan=11', `network-uuid=${created(await xe(w.home, ['network-create', 'name-label=m']))}`, '--minimal']),
      (await line(w.home, ['pif-list', 'VLAN=11', '--minimal'])) + '\n')
  })

  it('a VM on the VLAN network: its VIF attaches; the VLAN cannot go while the VM runs; then vlan-destroy by VLAN or PIF uuid', async () => {
    const n = created(await xe(w.home, ['network-create', 'name-label=vlan10']))
    const vp = created(await xe(w.home, ['vlan-create', `pif-uuid=${w.eth1}`, 'vlan=10', `network-uuid=${n}`]))
    const [vm, vif] = await vmOn(w, n, { start: true })
    assert.equal(await get(w.home, 'vif', vif, 'currently-attached'), 'true')
    const vlan = await line(w.home, ['vlan-list', '--minimal'])
    const inUse = api(D.vifInUse, `network: ${n} (vlan10)`, `VIF: ${vif}`)
    fails(await xe(w.home, ['vlan-destroy', `uuid=${vlan}`]), inUse)
    fails(await xe(w.home, ['vlan-destroy', `uuid=${vp}`]), inUse)
    fails(await xe(w.home, ['pif-unplug', `uuid=${vp}`]), inUse)
    ok(await xe(w.home, ['vm-shutdown', `uuid=${vm}`]))
    ok(await xe(w.home, ['vlan-destroy', `uuid=${vp}`]))
    ok(await xe(w.home, ['vlan-list']))
    ok(await xe(w.home, ['pif-list', 'VLAN=10']))
    assert.equal(await get(w.home, 'pif', w.eth1, 'vlan-slave-of'), '')
    const vp2 = created(await xe(w.home, ['vlan-create', `pif-uuid=${w.eth1}`, 'vlan=10', `network-uuid=${n}`]))
    ok(await xe(w.home, ['vlan-destroy', `uuid=${await line(w.home, ['vlan-list', '--minimal'])}`]))
    fails(await xe(w.home, ['pif-param-list', `uuid=${vp2}`]), api(D.uuidInvalid, 'type: PIF', `uuid: ${vp2}`))
  })

  it('vlan-create errors in xapi order: network in use, tag range and parse, VLAN on VLAN, bond member, unmanaged network, duplicate (§4)', async () => {
    const n = created(await xe(w.home, ['network-create', 'name-label=v']))
    const v = (pif: string, tag: string, net = n) => xe(w.home, ['vlan-create', `pif-uuid=${pif}`, `vlan=${tag}`, `network-uuid=${net}`])
    fails(await v(w.eth1, '10', w.net0), api(D.alreadyConnected, `network: ${w.host} (${w.hostName})`, `connected PIF: ${w.eth0}`))
    fails(await v(w.eth1, '4095'), api(D.tagInvalid, 'VLAN: 4095'))
    fails(await v(w.eth1, '-1'), api(D.tagInvalid, 'VLAN: -1'))
    fails(await v(w.eth1, 'ten'), internal("Failure: Failed to parse parameter 'vlan': expecting an integer"))
    fails(await v('nope', '10'), api(D.uuidInvalid, 'type: PIF', 'uuid: nope'))
    fails(await xe(w.home, ['vlan-create', `pif-uuid=${w.eth1}`, 'vlan=10', 'network-uuid=nope']), api(D.uuidInvalid, 'type: network', 'uuid: nope'))
    const vp = created(await v(w.eth1, '0x0a'))
    assert.equal(await get(w.home, 'pif', vp, 'VLAN'), '10', 'Int64.of_string reads 0x0a')
    const n2 = created(await xe(w.home, ['network-create', 'name-label=v2']))
    fails(await v(w.eth1, '10', n2), api(D.vlanExists, 'PIF: eth1'))
    fails(await v(vp, '11', n2), api(D.isVlan, `PIF: ${vp}`))
    const um = created(await xe(w.home, ['network-create', 'name-label=um', 'managed=false', 'bridge=br-um']))
    fails(await v(w.eth2, '5', um), api(D.unmanaged, `network: ${um} (um)`))
    const bn = created(await xe(w.home, ['network-create', 'name-label=bond']))
    created(await xe(w.home, ['bond-create', `network-uuid=${bn}`, `pif-uuids=${w.eth2},${w.eth3}`]))
    fails(await v(w.eth2, '5', n2), api(D.vlanOnSlave, `PIF: ${w.eth2}`))
  })

  it('pool-vlan-create prints a PIF uuid per host; vlan-destroy of a physical PIF or an unknown uuid fails as xe does', async () => {
    const n = created(await xe(w.home, ['network-create', 'name-label=v20']))
    const r = await xe(w.home, ['pool-vlan-create', `pif-uuid=${w.eth2}`, 'vlan=20', `network-uuid=${n}`])
    const vp = created(r)
    assert.equal(await get(w.home, 'pif', vp, 'VLAN'), '20')
    assert.equal(await get(w.home, 'pif', vp, 'currently-attached'), 'true')
    fails(await xe(w.home, ['pool-vlan-create', `pif-uuid=${w.eth2}`, 'vlan=x', `network-uuid=${n}`]), internal("Failure: Failed to parse parameter 'vlan': expecting an integer"))
    fails(await xe(w.home, ['vlan-destroy', `uuid=${w.eth2}`]), api(D.physical, 'PIF: <unknown>'))
    fails(await xe(w.home, ['vlan-destroy', 'uuid=nope']), api(D.uuidInvalid, 'type: VLAN', 'uuid: nope'))
  })
})

describe('xe bond-create / bond-destroy / bond-set-mode (§9 bond-create, xapi-model.md §12)', function () {
  let w: World
  beforeEach(async () => {
    w = await world(46)
  })
  after(cleanupHomes)

  it('a bond of eth0 and eth1 takes management and its IP configuration; bond-destroy gives them back to eth0', async () => {
    const bn = created(await xe(w.home, ['network-create', 'name-label=bond0']))
    const bond = created(await xe(w.home, ['bond-create', `network-uuid=${bn}`, `pif-uuids=${w.eth0},${w.eth1}`]))
    const master = await line(w.home, ['pif-list', 'device=bond0', '--minimal'])
    const mac0 = await get(w.home, 'pif', w.eth0, 'MAC')
    assert.equal(
      (await xe(w.home, ['bond-param-list', `uuid=${bond}`])).stdout,
      `uuid ( RO)               : ${bond}\n             master ( RO): ${master}\n             slaves ( RO): ${w.eth1}; ${w.eth0}\n` +
        `               mode ( RO): balance-slb\n         properties (MRO): \n      primary-slave ( RO): ${w.eth0}\n           links-up ( RO): 1\n` +
        '    auto-update-mac ( RO): true\n\n\n',
    )
    const m = async (k: string) => get(w.home, 'pif', master, k)
    for (const [k, v] of [['management', 'true'], ['currently-attached', 'true'], ['IP-configuration-mode', 'Static'], ['IP', '10.0.0.10'],
      ['netmask', '255.255.255.0'], ['gateway', '10.0.0.1'], ['DNS', '10.0.0.1'], ['MAC', mac0], ['MTU', '1500'], ['VLAN', '-1'], ['physical', 'false'],
      ['network-uuid', bn], ['properties', 'gro: on'], ['carrier', 'true'], ['speed', '1000 Mbit/s'], ['igmp-snooping-status', 'disabled']]) {
      assert.equal(await m(k!), v, k)
    }
    for (const p of [w.eth0, w.eth1]) {
      assert.equal(await get(w.home, 'pif', p, 'bond-slave-of'), bond)
      assert.equal(await get(w.home, 'pif', p, 'management'), 'false')
      assert.equal(await get(w.home, 'pif', p, 'currently-attached'), 'false')
      assert.equal(await get(w.home, 'pif', p, 'IP-configuration-mode'), 'None')
    }
    assert.equal(await get(w.home, 'host', w.host, 'address'), '10.0.0.10')
    // networkd's monitor: eth1 has no link
    assert.equal(await line(w.home, ['message-list', 'name=BOND_STATUS_CHANGED', 'params=body', '--minimal']), 'The status of the eth0+eth1 bond is: 1/2 up')

    ok(await xe(w.home, ['bond-destroy', `uuid=${bond}`]))
    ok(await xe(w.home, ['bond-list']))
    ok(await xe(w.home, ['pif-list', 'device=bond0']))
    for (const [k, v] of [['management', 'true'], ['currently-attached', 'true'], ['IP', '10.0.0.10'], ['bond-slave-of', '<not in database>']]) {
      assert.equal(await get(w.home, 'pif', w.eth0, k!), v, k)
    }
    assert.equal(await get(w.home, 'pif', w.eth1, 'currently-attached'), 'true', 'the other member comes up')
    assert.equal(await get(w.home, 'pif', w.eth1, 'IP-configuration-mode'), 'None')
  })

  it('VLANs and local VIFs move to the bond (VLAN PIF device bond0) and back to the primary member on bond-destroy', async () => {
    const vn = created(await xe(w.home, ['network-create', 'name-label=vlan10']))
    created(await xe(w.home, ['vlan-create', `pif-uuid=${w.eth1}`, 'vlan=10', `network-uuid=${vn}`]))
    const [, vif] = await vmOn(w, vn, { start: true })
    const [, vif1] = await vmOn(w, w.net1, { name: 'db' })
    const bn = created(await xe(w.home, ['network-create', 'name-label=bond']))
    const bond = created(await xe(w.home, ['bond-create', `network-uuid=${bn}`, `pif-uuids=${w.eth1},${w.eth2}`, 'mode=active-backup']))
    const master = await line(w.home, ['pif-list', 'device=bond0', 'VLAN=-1', '--minimal'])
    const vp = await line(w.home, ['pif-list', 'VLAN=10', '--minimal'])
    assert.equal(await get(w.home, 'pif', vp, 'device'), 'bond0')
    assert.equal(await get(w.home, 'pif', vp, 'network-uuid'), vn)
    assert.equal(await get(w.home, 'pif', vp, 'currently-attached'), 'true')
    assert.equal(await line(w.home, ['vlan-list', 'params=tagged-PIF', '--minimal']), master)
    assert.equal(await get(w.home, 'vif', vif, 'network-uuid'), vn, 'the VLAN network stays')
    assert.equal(await get(w.home, 'vif', vif1, 'network-uuid'), bn, "eth1's VIF moved to the bond")
    assert.equal(await get(w.home, 'bond', bond, 'primary-slave'), w.eth1)
    assert.equal(await get(w.home, 'pif', master, 'carrier'), 'false', 'neither eth1 nor eth2 has a link')

    ok(await xe(w.home, ['bond-destroy', `uuid=${bond}`]))
    const vp2 = await line(w.home, ['pif-list', 'VLAN=10', '--minimal'])
    assert.equal(await get(w.home, 'pif', vp2, 'device'), 'eth1')
    assert.equal(await line(w.home, ['vlan-list', 'params=tagged-PIF', '--minimal']), w.eth1)
    assert.equal(await get(w.home, 'vif', vif1, 'network-uuid'), w.net1)
  })

  it('modes and properties: lacp gets its default properties, other modes take none; bond-set-mode and bond-param-set properties:', async () => {
    const bn = created(await xe(w.home, ['network-create', 'name-label=bond']))
    const bond = created(await xe(w.home, ['bond-create', `network-uuid=${bn}`, `pif-uuids=${w.eth2},${w.eth3}`, 'mode=LACP', 'properties:lacp-time=fast', 'mac=02:00:00:00:00:01']))
    assert.equal(await get(w.home, 'bond', bond, 'mode'), 'lacp')
    assert.equal(await get(w.home, 'bond', bond, 'properties'), 'lacp-fallback-ab: true; hashing_algorithm: tcpudp_ports; lacp-time: fast')
    assert.equal(await get(w.home, 'bond', bond, 'auto-update-mac'), 'false')
    assert.equal(await get(w.home, 'bond', bond, 'primary-slave'), w.eth2)
    assert.equal(await get(w.home, 'pif', await line(w.home, ['pif-list', 'device=bond0', '--minimal']), 'MAC'), '02:00:00:00:00:01')
    ok(await xe(w.home, ['bond-param-set', `uuid=${bond}`, 'properties:hashing_algorithm=src_mac']))
    assert.equal(await get(w.home, 'bond', bond, 'properties'), 'hashing_algorithm: src_mac; lacp-fallback-ab: true; lacp-time: fast')
    fails(await xe(w.home, ['bond-param-set', `uuid=${bond}`, 'properties:lacp-time=sometimes']), api(D.invalidValue, 'field: properties', 'value: lacp-time = sometimes'))
    ok(await xe(w.home, ['bond-set-mode', `uuid=${bond}`, 'mode=active-backup']))
    assert.equal(await get(w.home, 'bond', bond, 'mode'), 'active-backup')
    assert.equal(await get(w.home, 'bond', bond, 'properties'), '')
    ok(await xe(w.home, ['bond-set-mode', `uuid=${bond}`, 'mode=']))
    assert.equal(await get(w.home, 'bond', bond, 'mode'), 'balance-slb', 'an empty mode is balance-slb')
    fails(await xe(w.home, ['bond-set-mode', `uuid=${bond}`, 'mode=Round-Robin']), 'Error: Invalid bond mode. Got round-robin\n')
    fails(await xe(w.home, ['bond-set-mode', 'uuid=nope', 'mode=lacp']), api(D.uuidInvalid, 'type: Bond', 'uuid: nope'))
  })

  it('bond-create errors: mode, properties, bonded or VLAN members, two configured members, other properties, MAC, network in use (§4)', async () => {
    const bn = created(await xe(w.home, ['network-create', 'name-label=bond']))
    const b = (pifs: string, ...more: string[]) => xe(w.home, ['bond-create', `network-uuid=${bn}`, `pif-uuids=${pifs}`, ...more])
    fails(await b(`${w.eth2},${w.eth3}`, 'mode=xor'), 'Error: Invalid bond mode. Got xor\n')
    fails(await b(`${w.eth2},${w.eth3}`, 'properties:lacp-time=fast'), api(D.invalidValue, 'field: properties', 'value: lacp-time = fast'))
    fails(await b(`${w.eth2},${w.eth3}`, 'mac=00:11:22'), api(D.macInvalid, 'MAC: 00:11:22'))
    fails(await b(`${w.eth2},nope`), api(D.uuidInvalid, 'type: PIF', 'uuid: nope'))
    fails(await xe(w.home, ['bond-create', `network-uuid=${w.net0}`, `pif-uuids=${w.eth2},${w.eth3}`]), api(D.alreadyConnected, `network: ${w.host} (${w.hostName})`, `connected PIF: ${w.eth0}`))
    ok(await xe(w.home, ['pif-reconfigure-ip', `uuid=${w.eth2}`, 'mode=static', 'IP=192.168.9.2', 'netmask=255.255.255.0']))
    fails(await b(`${w.eth0},${w.eth2}`), api(D.moreThanOneIp))
    ok(await xe(w.home, ['pif-param-set', `uuid=${w.eth3}`, 'properties:gro=off']))
    fails(await b(`${w.eth1},${w.eth3}`), api(D.incompatibleProps))
    const vn = created(await xe(w.home, ['network-create', 'name-label=v']))
    const vp = created(await xe(w.home, ['vlan-create', `pif-uuid=${w.eth1}`, 'vlan=5', `network-uuid=${vn}`]))
    fails(await b(`${w.eth2},${vp}`), api(D.vlanExists, 'PIF: eth1'))
    const bond = created(await b(`${w.eth1},${w.eth2}`))
    const bn2 = created(await xe(w.home, ['network-create', 'name-label=bond2']))
    fails(await xe(w.home, ['bond-create', `network-uuid=${bn2}`, `pif-uuids=${w.eth1},${w.eth0}`]), api(D.bonded, `PIF: ${w.eth1}`))
    fails(await xe(w.home, ['pif-plug', `uuid=${w.eth1}`]), api(D.bondSlave, `PIF: ${w.eth1}`))
    fails(await xe(w.home, ['network-attach', `uuid=${w.net1}`, `host-uuid=${w.host}`]), api(D.bondSlave, `PIF: ${w.eth1}`))
    assert.equal(await get(w.home, 'bond', bond, 'primary-slave'), w.eth2, 'the member with an IP configuration')
    fails(await xe(w.home, ['bond-destroy', 'uuid=nope']), api(D.uuidInvalid, 'type: Bond', 'uuid: nope'))
  })
})

describe('xe tunnel-create / tunnel-destroy (xapi-model.md §12)', function () {
  let w: World
  beforeEach(async () => {
    w = await world(47)
  })
  after(cleanupHomes)

  it('a tunnel over the management PIF: prints the access PIF tunnel<N> (plugged); tunnel-destroy removes both', async () => {
    const n = created(await xe(w.home, ['network-create', 'name-label=gre']))
    const access = created(await xe(w.home, ['tunnel-create', `pif-uuid=${w.eth0}`, `network-uuid=${n}`]))
    const tunnel = await line(w.home, ['tunnel-list', '--minimal'])
    assert.equal(
      (await xe(w.home, ['tunnel-list', 'params=all'])).stdout,
      `uuid ( RO)             : ${tunnel}\n       access-PIF ( RO): ${access}\n    transport-PIF ( RO): ${w.eth0}\n` +
        '           status ( RO): active: false\n     other-config (MRW): \n         protocol ( RO): gre\n\n\n',
    )
    assert.equal(await get(w.home, 'pif', access, 'device'), 'tunnel0')
    assert.equal(await get(w.home, 'pif', access, 'currently-attached'), 'true')
    assert.equal(await get(w.home, 'pif', access, 'MTU'), '1500')
    assert.match(await get(w.home, 'pif', access, 'MAC'), /^[0-9a-f][26ae](:[0-9a-f]{2}){5}$/)
    const n2 = created(await xe(w.home, ['network-create', 'name-label=vx']))
    const access2 = created(await xe(w.home, ['tunnel-create', `pif-uuid=${w.eth0}`, `network-uuid=${n2}`, 'protocol=VXLAN']))
    assert.equal(await get(w.home, 'pif', access2, 'device'), 'tunnel1')
    fails(await xe(w.home, ['pif-forget', `uuid=${access2}`]), api(D.tunnelStill, `PIF: ${access2}`))
    ok(await xe(w.home, ['tunnel-destroy', `uuid=${tunnel}`]))
    fails(await xe(w.home, ['pif-param-list', `uuid=${access}`]), api(D.uuidInvalid, 'type: PIF', `uuid: ${access}`))
    assert.equal(await line(w.home, ['tunnel-list', 'params=protocol', '--minimal']), 'vxlan')
  })

  it('tunnel-create errors: an unconfigured transport PIF (the tunnel stays, as in xapi), protocol, bond member, no Open vSwitch (§4)', async () => {
    const n = created(await xe(w.home, ['network-create', 'name-label=t']))
    fails(await xe(w.home, ['tunnel-create', `pif-uuid=${w.eth1}`, `network-uuid=${n}`]), api(D.transport, `PIF: ${w.eth1}`))
    const access = await line(w.home, ['pif-list', 'device=tunnel0', '--minimal'])
    assert.equal(await get(w.home, 'pif', access, 'currently-attached'), 'false')
    assert.equal(await get(w.home, 'pif', access, 'MTU'), '-1')
    fails(await xe(w.home, ['pif-forget', `uuid=${w.eth1}`]), api(D.tunnelStill, `PIF: ${w.eth1}`))
    const n2 = created(await xe(w.home, ['network-create', 'name-label=t2']))
    fails(await xe(w.home, ['tunnel-create', `pif-uuid=${w.eth0}`, `network-uuid=${n2}`, 'protocol=ipip']), "Error: Expected one of 'gre', 'vxlan', got ipip\n")
    fails(await xe(w.home, ['tunnel-create', `pif-uuid=${w.eth0}`, `network-uuid=${n}`]), api(D.alreadyConnected, `network: ${w.host} (${w.hostName})`, `connected PIF: ${access}`))
    const bn = created(await xe(w.home, ['network-create', 'name-label=bond']))
    created(await xe(w.home, ['bond-create', `network-uuid=${bn}`, `pif-uuids=${w.eth2},${w.eth3}`]))
    fails(await xe(w.home, ['tunnel-create', `pif-uuid=${w.eth2}`, `network-uuid=${n2}`]), api(D.tunnelOnSlave, `PIF: ${w.eth2}`))
    await inWorld(w.home, (db) => {
      const h = db.all('host')[0]!
      db.set(h, { software_version: mapSet(h.f.software_version, 'network_backend', 'bridge') })
    })
    fails(await xe(w.home, ['tunnel-create', `pif-uuid=${w.eth0}`, `network-uuid=${n2}`]), api(D.ovs))
    ok(await xe(w.home, ['tunnel-destroy', `uuid=${await line(w.home, ['tunnel-list', '--minimal'])}`]))
    fails(await xe(w.home, ['tunnel-destroy', 'uuid=nope']), api(D.uuidInvalid, 'type: tunnel', 'uuid: nope'))
  })
})

describe('xe vif-move / vif-configure-ipv4 / vif-configure-ipv6 (xapi-model.md §10, §12)', function () {
  let w: World
  beforeEach(async () => {
    w = await world(48)
  })
  after(cleanupHomes)

  it('vif-move: a running VM\'s VIF moves and its new network comes up on the host; a bond member\'s network cannot be reached', async () => {
    const [vm, vif] = await vmOn(w, w.net0, { start: true })
    ok(await xe(w.home, ['vif-move', `uuid=${vif}`, `network-uuid=${w.net2}`]))
    assert.equal(await get(w.home, 'vif', vif, 'network-uuid'), w.net2)
    assert.equal(await get(w.home, 'vif', vif, 'currently-attached'), 'true')
    assert.equal(await get(w.home, 'pif', w.eth2, 'currently-attached'), 'true')
    const bn = created(await xe(w.home, ['network-create', 'name-label=bond']))
    created(await xe(w.home, ['bond-create', `network-uuid=${bn}`, `pif-uuids=${w.eth1},${w.eth3}`]))
    fails(await xe(w.home, ['vif-move', `uuid=${vif}`, `network-uuid=${w.net1}`]), api(D.hostCannotAttach, `host: ${w.host} (${w.hostName})`, `network: ${w.net1} (Pool-wide network associated with eth1)`))
    ok(await xe(w.home, ['vm-shutdown', `uuid=${vm}`]))
    ok(await xe(w.home, ['vif-move', `uuid=${vif}`, `network-uuid=${w.net1}`]), '', 'a halted VM\'s VIF just changes network')
    fails(await xe(w.home, ['vif-move', 'uuid=nope', `network-uuid=${w.net1}`]), api(D.uuidInvalid, 'type: VIF', 'uuid: nope'))
  })

  it('vif-configure-ipv4 needs a guest agent that sets addresses (VM_LACKS_FEATURE); the CLI checks mode and address first', async () => {
    const [vm, vif] = await vmOn(w, w.net0, { start: true })
    const c = (...a: string[]) => xe(w.home, ['vif-configure-ipv4', `uuid=${vif}`, ...a])
    fails(await c('mode=static', 'address=10.0.0.50/24'), api(D.lacksFeature, `vm: ${vm} (web)`))
    fails(await c('mode=none'), api(D.lacksFeature, `vm: ${vm} (web)`))
    fails(await c('mode=manual'), "Error: Expected one of 'None', 'Static', 'DHCP', got manual\n")
    fails(await c('mode=static'), internal('Failure: Required parameter not found: address'))
    fails(await c('mode=static', 'address=10.0.0.50'), api(D.badCidr, 'parameter: address'))
    fails(await c('mode=static', 'address=10.0.0.50/24', 'gateway=gw'), api(D.badIp, 'parameter: gateway'))
    fails(await xe(w.home, ['vif-configure-ipv6', `uuid=${vif}`, 'mode=dhcp']), "Error: Expected one of 'None', 'Static', 'Autoconf', got dhcp\n")
    fails(await xe(w.home, ['vif-configure-ipv6', `uuid=${vif}`, 'mode=static']), internal('Failure: Required parameter not found: address'))
    fails(await xe(w.home, ['vif-configure-ipv4', 'uuid=nope', 'mode=none']), api(D.uuidInvalid, 'type: VIF', 'uuid: nope'))
  })

  it('a Windows guest takes a static IPv4 address: the VIF records it and the guest reports it (guest metrics stay consistent)', async () => {
    const [vm, vif] = await vmOn(w, w.net0, { name: 'win', template: 'Windows Server 2022 (64-bit)', start: true })
    ok(await xe(w.home, ['vif-configure-ipv4', `uuid=${vif}`, 'mode=static', 'address=10.0.0.77/24', 'gateway=10.0.0.1']))
    assert.equal(
      (await xe(w.home, ['vif-list', `uuid=${vif}`, 'params=ipv4-configuration-mode,ipv4-addresses,ipv4-gateway'])).stdout,
      'ipv4-configuration-mode ( RO)    : Static\n             ipv4-addresses ( RO): 10.0.0.77/24\n               ipv4-gateway ( RO): 10.0.0.1\n\n\n',
    )
    assert.equal(await line(w.home, ['vm-param-get', `uuid=${vm}`, 'param-name=networks', 'param-key=0/ip']), '10.0.0.77')
    ok(await xe(w.home, ['vif-configure-ipv6', `uuid=${vif}`, 'mode=static', 'address=2001:db8::77/64']))
    assert.equal(await get(w.home, 'vif', vif, 'ipv6-addresses'), '2001:db8::77/64')
    ok(await xe(w.home, ['vif-param-set', `uuid=${vif}`, 'locking-mode=locked']))
    fails(await xe(w.home, ['vif-configure-ipv4', `uuid=${vif}`, 'mode=static', 'address=10.0.0.78/24']), api(D.locking, 'address: 10.0.0.78/24'))
    ok(await xe(w.home, ['vif-param-add', `uuid=${vif}`, 'param-name=ipv4-allowed', 'param-key=10.0.0.78']))
    ok(await xe(w.home, ['vif-configure-ipv4', `uuid=${vif}`, 'mode=static', 'address=10.0.0.78/24']))
    assert.equal(await line(w.home, ['vm-param-get', `uuid=${vm}`, 'param-name=networks', 'param-key=0/ip']), '10.0.0.78')
  })
})
