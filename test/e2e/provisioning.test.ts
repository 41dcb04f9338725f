// A provisioning shell script run unchanged against bin/xe: a data disk, a resize, a CD drive with an ISO, a VIF on the
// management network, then the listings. References: xe-cli-behaviour.md §9 (vm-disk-add, vdi-resize, vbd-create,
// CD commands, vif-create, vm-disk-list and vm-cd-list), §2.2 (vm-vif-list), §3.2 (layout), §3.5 (--minimal).
import assert from 'node:assert/strict'
import { dirname } from 'node:path'
import { cleanupHomes, seededHome, XE } from '../helpers'
import { makeIsoSr, makeVm } from '../commands/device-helpers'

let execa: typeof import('execa').execa
before(async () => {
  ;({ execa } = await import('execa'))
})

const SCRIPT = `set -eu
VM=$(xe vm-list name-label=app01 --minimal)
xe vm-disk-add uuid=$VM disk-size=20GiB device=1
VDI=$(xe vbd-param-get uuid=$(xe vbd-list vm-uuid=$VM userdevice=1 --minimal) param-name=vdi-uuid)
xe vdi-resize uuid=$VDI disk-size=25GiB
xe vbd-create vm-uuid=$VM device=3 type=CD mode=RO >/dev/null
xe vm-cd-insert uuid=$VM cd-name=debian-12.iso
NET=$(xe pif-list management=true params=network-uuid --minimal)
xe vif-create vm-uuid=$VM network-uuid=$NET device=0 mac=random >/dev/null
xe vm-disk-list uuid=$VM vdi-params=virtual-size
xe vm-cd-list uuid=$VM vbd-params=empty vdi-params=name-label
xe vm-vif-list uuid=$VM params=device,network-name-label
`

describe('e2e: a provisioning script through bin/xe', function () {
  this.timeout(60000)
  after(cleanupHomes)

  it('runs unchanged and lists the disk, the CD and the VIF', async () => {
    const home = await seededHome(31)
    await makeVm(home, { name: 'app01' })
    await makeIsoSr(home, ['debian-12.iso'])
    const env = { XESIM_HOME: home, HOME: home, PATH: `${dirname(XE)}:${process.env.PATH}` }
    const r = await execa('bash', ['-c', SCRIPT], { env, reject: false, stripFinalNewline: false })
    assert.equal(r.stderr, '')
    assert.equal(r.exitCode, 0)
    assert.equal(r.stdout,
      'Disk 0 VBD:\n' + (await line(home, ['vbd-list', 'userdevice=1', 'params=uuid,vm-name-label,userdevice'])) +
      'Disk 0 VDI:\nvirtual-size ( RO)    : 26843545600\n\n\n' +
      'CD 0 VBD:\nempty ( RO)    : false\n\n\n' +
      'CD 0 VDI:\nname-label ( RW)    : debian-12.iso\n\n\n' +
      'device ( RO)                : 0\n    network-name-label ( RO): Pool-wide network associated with eth0\n\n\n')
  })
})

/** What `xe <args>` prints, through bin/xe. */
async function line(home: string, args: string[]): Promise<string> {
  const r = await execa(XE, args, { env: { XESIM_HOME: home, HOME: home }, stripFinalNewline: false })
  return r.stdout
}
