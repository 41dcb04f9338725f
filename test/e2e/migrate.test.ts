// End-to-end (issue 5, placement and migration): bin/xe as a process against a `xesim init` pool of 3 hosts on
// shared NFS storage. Live-migrate a guest, see a guest on local storage refused (VM_REQUIRES_SR, the datamodel
// text and `name: value` lines of xe-cli-behaviour.md §4), then take a host out of service the way an admin does:
// host-disable, host-evacuate, host-enable. Behaviour: xe-cli-behaviour.md §9 (vm-migrate, host-evacuate),
// xapi-model.md §5.6, §13.
import assert from 'node:assert/strict'
import { cleanupHomes, tmpHome, XE, XESIM } from '../helpers'

let execa: typeof import('execa').execa
before(async () => {
  ;({ execa } = await import('execa'))
})

const env = (home: string) => ({ XESIM_HOME: home, HOME: home, XESIM_SEED: undefined, PATH: process.env.PATH })

describe('e2e: vm-migrate and host evacuation (issue 5)', function () {
  this.timeout(120000)
  after(cleanupHomes)
  let home: string
  const xe = async (...args: string[]) => {
    const r = await execa(XE, args, { env: env(home), reject: false })
    return { stdout: r.stdout, stderr: r.stderr, code: r.exitCode }
  }
  const min = async (...args: string[]) => (await xe(...args, '--minimal')).stdout
  const ok = { stdout: '', stderr: '', code: 0 }

  before(async () => {
    home = tmpHome()
    const r = await execa(XESIM, ['init', '--hosts', '3', '--vms', '6', '--seed', '21'], { env: env(home), reject: false })
    assert.equal(r.exitCode, 0, r.stderr)
  })

  it('live-migrates a running guest on the shared SR to another host', async () => {
    const [vm] = (await min('vm-list', 'is-control-domain=false', 'power-state=running', 'params=uuid')).split(',')
    const from = await min('vm-param-get', `uuid=${vm}`, 'param-name=resident-on')
    const to = (await min('host-list', 'params=uuid')).split(',').find((h) => h !== from)!
    assert.deepEqual(await xe('vm-migrate', `uuid=${vm}`, `host-uuid=${to}`, '--live'), ok)
    assert.equal(await min('vm-param-get', `uuid=${vm}`, 'param-name=resident-on'), to)
    assert.equal(await min('vm-param-get', `uuid=${vm}`, 'param-name=power-state'), 'running')
    assert.match(await min('message-list', 'name=VM_MIGRATED', 'params=body'), /migrated from host 'xenserver-0\d' .* to host 'xenserver-0\d'/)
  })

  it('refuses to migrate a guest whose disk is on host-local storage (VM_REQUIRES_SR)', async () => {
    const sr = await min('sr-list', 'name-label=Local storage', 'host=xenserver-01')
    const vm = (await xe('vm-install', 'template=Debian Bookworm 12', 'new-name-label=pinned', `sr-uuid=${sr}`)).stdout
    assert.deepEqual(await xe('vm-start', `uuid=${vm}`, 'on=xenserver-01'), ok)
    const r = await xe('vm-migrate', 'vm=pinned', 'host=xenserver-02')
    assert.deepEqual(r, {
      stdout: '',
      stderr: "You attempted to run a VM on a host which doesn't have access to an SR needed by the VM. The VM has at least one VBD attached to a VDI in the SR.\n" +
        `vm: ${vm} (pinned)\nsr: ${sr} (Local storage)`,
      code: 1,
    })
    // it also keeps its host from being evacuated; halted, it no longer does
    assert.match((await xe('host-get-vms-which-prevent-evacuation', `uuid=${await min('host-list', 'name-label=xenserver-01')}`)).stdout, /reason \( RO\): VM_REQUIRES_SR,OpaqueRef:/)
    assert.deepEqual(await xe('vm-shutdown', 'vm=pinned'), ok)
  })

  it('disables and evacuates a host, then re-enables it', async () => {
    const h = await min('host-list', 'name-label=xenserver-02')
    assert.deepEqual(await xe('host-disable', `uuid=${h}`), ok)
    assert.equal(await min('host-param-get', `uuid=${h}`, 'param-name=enabled'), 'false')
    assert.deepEqual(await xe('host-evacuate', `uuid=${h}`), ok)
    assert.equal(await min('vm-list', `resident-on=${h}`, 'is-control-domain=false'), '')
    // a disabled host takes no guests
    const r = await xe('vm-migrate', 'vm=' + (await min('vm-list', 'is-control-domain=false', 'power-state=running', 'params=name-label')).split(',')[0], 'host=xenserver-02')
    assert.equal(r.code, 1)
    assert.equal(r.stderr, `The specified server is disabled.\nhost: ${h} (xenserver-02)`)
    assert.deepEqual(await xe('host-enable', `uuid=${h}`), ok)
    assert.equal(await min('host-param-get', `uuid=${h}`, 'param-name=enabled'), 'true')
    const [vm] = (await min('vm-list', 'is-control-domain=false', 'power-state=running', 'params=uuid')).split(',')
    assert.deepEqual(await xe('vm-migrate', `uuid=${vm}`, 'host=xenserver-02'), ok)
    assert.equal(await min('vm-param-get', `uuid=${vm}`, 'param-name=resident-on'), h)
  })

  it('storage-migrates a running guest to another pool (xesim host-add) and it runs there', async () => {
    const add = await execa(XESIM, ['host-add', '--name-label', 'dr-01', '--address', '10.2.0.10', '--password', 'secret'], { env: env(home), reject: false })
    assert.equal(add.exitCode, 0, add.stderr)
    const R = ['-s', '10.2.0.10', '-u', 'root', '-pw', 'secret']
    const [vm] = (await min('vm-list', 'is-control-domain=false', 'power-state=running', 'params=uuid')).split(',')
    const vif = await min('vif-list', `vm-uuid=${vm}`)
    const vdi = await min('vbd-list', `vm-uuid=${vm}`, 'type=Disk', 'params=vdi-uuid')
    const net = await min(...R, 'network-list', 'bridge=xenbr0')
    const sr = await min(...R, 'sr-list', 'name-label=Local storage')
    const r = await xe('vm-migrate', `uuid=${vm}`, 'remote-master=10.2.0.10', 'remote-username=root', 'remote-password=secret', `vif:${vif}=${net}`, `vdi:${vdi}=${sr}`)
    assert.deepEqual(r, {
      stdout: "Performing a storage live migration. Your VM's VDIs will be migrated with the VM.\n" +
        'Will migrate to remote host: dr-01, using remote network: Pool-wide network associated with eth0. Here is the VDI mapping:\n' +
        `VDI ${vdi} -> SR ${sr}`,
      stderr: '',
      code: 0,
    })
    assert.equal(await min('vm-list', `uuid=${vm}`), '')
    assert.equal(await min(...R, 'vm-param-get', `uuid=${vm}`, 'param-name=power-state'), 'running')
    assert.deepEqual(await xe(...R, 'vm-reboot', `uuid=${vm}`), ok)
  })
})
