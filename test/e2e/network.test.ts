// End-to-end: network administration scripts run unchanged against bin/xe (issue 4, networking "done when"):
// a VLAN on eth1 carrying a VM's VIF; a bond of two NICs that takes the management interface (and gives it back on
// bond-destroy); an internal network with a VM attached; the error paths scripts meet, with xe's texts and exit codes.
// Formats: xe-cli-behaviour.md §3.2 (records), §3.4 (create commands print the uuid), §3.5 (--minimal), §4 (errors
// on stderr, exit 1), §9 (network-create, vlan-create, bond-create); rules: xapi-model.md §10, §12.
import assert from 'node:assert/strict'
import { dirname } from 'node:path'
import { cleanupHomes, tmpHome, XE } from '../helpers'

let execa: typeof import('execa').execa
before(async () => {
  ;({ execa } = await import('execa'))
})

const env = (home: string) => ({ XESIM_HOME: home, HOME: home, XESIM_SEED: '23', NODE_EXTRA_CA_CERTS: undefined, PATH: `${dirname(XE)}:${process.env.PATH}` })
const sh = (home: string, script: string) => execa('bash', ['-euo', 'pipefail', '-c', script], { env: env(home), cwd: home, reject: false, stripFinalNewline: false })
const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}'

describe('e2e: network administration scripts (issue 4)', function () {
  this.timeout(120000)
  after(cleanupHomes)

  it('a VLAN on eth1 for a VM: the VIF attaches, the VLAN is kept while the VM runs, then torn down', async () => {
    const home = tmpHome()
    const r = await sh(home, `
      ETH1=$(xe pif-list device=eth1 --minimal)
      NET=$(xe network-create name-label="VLAN 42")
      VPIF=$(xe vlan-create pif-uuid=$ETH1 vlan=42 network-uuid=$NET)
      echo "vlan-pif=$VPIF"
      xe pif-list uuid=$VPIF params=device,VLAN,MAC,currently-attached
      VM=$(xe vm-install template="Debian Bookworm 12" new-name-label=edge01)
      VIF=$(xe vif-create vm-uuid=$VM network-uuid=$NET device=0)
      xe vm-start uuid=$VM
      xe vif-param-get uuid=$VIF param-name=currently-attached
      xe vm-vif-list uuid=$VM params=device,network-name-label
      if xe vlan-destroy uuid=$(xe vlan-list tag=42 --minimal) 2>err; then echo unexpected; else echo "refused: $?"; fi
      head -1 err
      xe vm-shutdown uuid=$VM
      xe vlan-destroy uuid=$(xe vlan-list tag=42 --minimal)
      xe vif-destroy uuid=$VIF
      xe network-destroy uuid=$NET
      echo "vlans=[$(xe vlan-list --minimal)] pifs=$(xe pif-list params=device --minimal)"
    `)
    assert.equal(r.stderr, '')
    assert.equal(r.exitCode, 0)
    const [first, ...rest] = r.stdout.split('\n')
    assert.match(first!, new RegExp(`^vlan-pif=${UUID}$`))
    assert.equal(rest.join('\n'),
      'device ( RO)                : eth1\n' +
      '                   MAC ( RO): fe:ff:ff:ff:ff:ff\n' +
      '    currently-attached ( RO): true\n' +
      '                  VLAN ( RO): 42\n\n\n' +
      'true\n' +
      'device ( RO)                : 0\n    network-name-label ( RO): VLAN 42\n\n\n' +
      'refused: 1\n' +
      'Network has active VIFs\n' +
      'vlans=[] pifs=eth0,eth1,eth2,eth3\n')
  })

  it('a bond of eth0 and eth1 takes over management (and its address); bond-destroy gives it back to eth0', async () => {
    const home = tmpHome()
    const r = await sh(home, `
      MGMT=$(xe pif-list management=true params=device --minimal)
      ETH0=$(xe pif-list device=eth0 --minimal)
      ETH1=$(xe pif-list device=eth1 --minimal)
      BNET=$(xe network-create name-label="Bond 0+1")
      BOND=$(xe bond-create network-uuid=$BNET pif-uuids=$ETH0,$ETH1 mode=active-backup)
      MASTER=$(xe bond-param-get uuid=$BOND param-name=master)
      echo "before=$MGMT after=$(xe pif-list management=true params=device --minimal) master=$(xe pif-param-get uuid=$MASTER param-name=device)"
      xe pif-list management=true params=IP,IP-configuration-mode,network-name-label
      xe host-list params=address --minimal
      xe pif-list bond-slave-of=$BOND params=device --minimal
      xe bond-destroy uuid=$BOND
      xe pif-list management=true params=device,IP,currently-attached
      echo "bonds=[$(xe bond-list --minimal)] pifs=$(xe pif-list params=device --minimal)"
      xe network-destroy uuid=$BNET
    `)
    assert.equal(r.stderr, '')
    assert.equal(r.exitCode, 0)
    assert.equal(r.stdout,
      'before=eth0 after=bond0 master=bond0\n' +
      'network-name-label ( RO)       : Bond 0+1\n' +
      '    IP-configuration-mode ( RO): Static\n' +
      '                       IP ( RO): 10.0.0.10\n\n\n' +
      '10.0.0.10\n' +
      'eth0,eth1\n' +
      'device ( RO)                : eth0\n' +
      '    currently-attached ( RO): true\n' +
      '                    IP ( RO): 10.0.0.10\n\n\n' +
      'bonds=[] pifs=eth0,eth1,eth2,eth3\n')
  })

  it('network-create, vif-create, vm-start: the VIF is attached on the new (internal) network', async () => {
    const home = tmpHome()
    const r = await sh(home, `
      NET=$(xe network-create name-label=backend MTU=9000)
      xe network-param-get uuid=$NET param-name=bridge
      VM=$(xe vm-install template="Debian Bookworm 12" new-name-label=db01)
      VIF=$(xe vif-create vm-uuid=$VM network-uuid=$NET device=1 mac=random)
      xe vif-param-get uuid=$VIF param-name=MTU
      xe vm-start uuid=$VM
      xe vif-list vm-uuid=$VM params=device,currently-attached,network-name-label
    `)
    assert.equal(r.stderr, '')
    assert.equal(r.exitCode, 0)
    assert.equal(r.stdout, 'xapi0\n9000\ndevice ( RO)                : 1\n    currently-attached ( RO): true\n    network-name-label ( RO): backend\n\n\n')
  })

  it('error paths print xe\'s texts on stderr and exit 1 (§4)', async () => {
    const home = tmpHome()
    const run = (script: string) => sh(home, script)
    const mgmt = (await run('xe pif-list management=true --minimal')).stdout.trim()
    let r = await run(`xe pif-unplug uuid=${mgmt}`)
    assert.deepEqual([r.exitCode, r.stdout, r.stderr], [1, '', `The operation you requested cannot be performed because the specified PIF is the management interface.\nPIF: ${mgmt}\n`])
    r = await run('xe network-destroy uuid=$(xe network-list bridge=xenapi --minimal)')
    assert.equal(r.exitCode, 1)
    assert.match(r.stderr, new RegExp(`^You tried to destroy a system network: these cannot be destroyed.\nnetwork: ${UUID} \\(Host internal management network\\)\n$`))
    r = await run('xe vlan-create pif-uuid=$(xe pif-list device=eth2 --minimal) vlan=4095 network-uuid=$(xe network-create name-label=v)')
    assert.deepEqual([r.exitCode, r.stderr], [1, 'The VLAN tag you gave was invalid -- it must be between 0 and 4094. The parameter echoes the VLAN tag you gave.\nVLAN: 4095\n'])
    r = await run('xe bond-create network-uuid=$(xe network-create name-label=b) pif-uuids=$(xe pif-list device=eth2 --minimal),$(xe pif-list device=eth3 --minimal) mode=round-robin')
    assert.deepEqual([r.exitCode, r.stderr], [1, 'Error: Invalid bond mode. Got round-robin\n'])
    r = await run('xe tunnel-create pif-uuid=$(xe pif-list device=eth3 --minimal) network-uuid=$(xe network-create name-label=t)')
    assert.equal(r.exitCode, 1)
    assert.match(r.stderr, new RegExp(`^The tunnel transport PIF has no IP configuration set.\nPIF: ${UUID}\n$`))
    r = await run('xe network-create')
    assert.deepEqual([r.exitCode, r.stderr], [1, "Required parameter not found: name-label\nFor usage run: 'xe help'\n"])
    r = await run('xe vlan-create pif-uuid=$(xe pif-list device=eth2 --minimal) vlan=abc network-uuid=$(xe network-create name-label=w)')
    assert.deepEqual([r.exitCode, r.stderr], [1,
      "The server failed to handle your request, due to an internal error. The given message may give details useful for debugging the problem.\nmessage: Failure: Failed to parse parameter 'vlan': expecting an integer\n"])
  })
})
