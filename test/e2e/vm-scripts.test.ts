// End-to-end: administrators' scripts run unchanged against bin/xe (issue 3 "done when").
// Formats: xe-cli-behaviour.md §2.2 (selectors, --multiple and its messages), §3.5 (--minimal), §4 (errors and
// exit codes), §9 (vm-install, vm-start, vm-shutdown); rules: xapi-model.md §4–§5, §8.
import assert from 'node:assert/strict'
import { dirname } from 'node:path'
import { cleanupHomes, tmpHome, XE } from '../helpers'

let execa: typeof import('execa').execa
before(async () => {
  ;({ execa } = await import('execa'))
})

const env = (home: string) => ({ XESIM_HOME: home, HOME: home, XESIM_SEED: '11', NODE_EXTRA_CA_CERTS: undefined, PATH: `${dirname(XE)}:${process.env.PATH}` })
const sh = (home: string, script: string) => execa('bash', ['-euo', 'pipefail', '-c', script], { env: env(home), reject: false })

describe('e2e: VM administration scripts (issue 3)', function () {
  this.timeout(120000)
  after(cleanupHomes)

  it('provisions from a template (memory, VCPUs, disk resize, CD, VIF), starts it and waits for an IP', async () => {
    const home = tmpHome()
    const r = await sh(home, `
      VM=$(xe vm-install template="Debian Bookworm 12" new-name-label=app01)
      xe vm-memory-limits-set uuid=$VM static-min=1GiB dynamic-min=2GiB dynamic-max=4GiB static-max=4GiB
      xe vm-param-set uuid=$VM VCPUs-max=4
      xe vm-param-set uuid=$VM VCPUs-at-startup=2
      ROOT=$(xe vbd-list vm-uuid=$VM userdevice=0 params=vdi-uuid --minimal)
      xe vdi-resize uuid=$ROOT disk-size=20GiB
      xe vbd-create vm-uuid=$VM device=3 type=CD mode=RO >/dev/null
      NET=$(xe network-list bridge=xenbr0 --minimal)
      xe vif-create vm-uuid=$VM network-uuid=$NET device=0 mac=random >/dev/null
      xe vm-start uuid=$VM
      for i in $(seq 1 50); do
        IP=$(xe vm-param-get uuid=$VM param-name=networks param-key=0/ip 2>/dev/null || true)
        [ -n "$IP" ] && break
        sleep 0.1
      done
      echo "ip=$IP"
      xe vm-list uuid=$VM params=power-state,VCPUs-number,memory-static-max --minimal
      xe vdi-param-get uuid=$ROOT param-name=virtual-size
      xe vm-vif-list uuid=$VM params=device --minimal
    `)
    assert.equal(r.exitCode, 0, r.stderr)
    const lines = r.stdout.split('\n')
    assert.match(lines[0]!, /^ip=10\.0\.0\.\d+$/)
    assert.equal(lines[1], 'running')
    assert.equal(lines[2], String(20 * 1024 ** 3))
    assert.equal(lines[3], '0')
  })

  it('bulk shutdown: without --multiple xe refuses, with it every running VM halts', async () => {
    const home = tmpHome()
    const setup = await sh(home, 'for n in 1 2 3; do xe vm-start uuid=$(xe vm-install template="Debian Bookworm 12" new-name-label=web0$n); done')
    assert.equal(setup.exitCode, 0, setup.stderr)
    const refused = await sh(home, 'xe vm-shutdown power-state=running')
    assert.equal(refused.exitCode, 1)
    assert.equal(refused.stderr, 'Error: Multiple matches VMs found. --multiple required to complete the operation')
    const r = await sh(home, 'xe vm-shutdown power-state=running --multiple && xe vm-list power-state=running is-control-domain=false --minimal')
    assert.equal(r.exitCode, 0, r.stderr)
    assert.equal(r.stdout, '')
    const none = await sh(home, 'xe vm-shutdown power-state=running --multiple')
    assert.deepEqual([none.exitCode, none.stderr], [1, 'Error: No matching VMs found'])
  })

  it('--multiple: each VM is its own operation — the failures are listed, the successes are kept (§2.2, §4)', async () => {
    const home = tmpHome()
    const setup = await sh(home, `
      for n in 1 2 3; do xe vm-install template="Debian Bookworm 12" new-name-label=batch$n >/dev/null; done
      for n in 1 3; do xe vm-start vm=batch$n; done
      for n in 1 2 3; do xe vm-param-add uuid=$(xe vm-list name-label=batch$n --minimal) param-name=tags param-key=batch; done
      xe vm-list name-label=batch2 --minimal
    `)
    assert.equal(setup.exitCode, 0, setup.stderr)
    const halted = setup.stdout
    const r = await sh(home, 'xe vm-shutdown tags:contains=batch --multiple')
    assert.equal(r.exitCode, 1)
    assert.equal(r.stderr, '')
    assert.match(r.stdout, new RegExp(`^operation failed on ${halted}: You attempted an operation on a VM that was not in an appropriate power state at the time; .*\nvm: ${halted} \\(batch2\\)\nexpected: running\nactual: halted$`, 's'))
    const after = await sh(home, 'xe vm-list tags:contains=batch power-state=running --minimal')
    assert.equal(after.stdout, '', 'the two running VMs were shut down although the command failed')
  })

  it('tag-driven selection: tags:contains= picks the VMs a job acts on', async () => {
    const home = tmpHome()
    const r = await sh(home, `
      for n in a b c; do xe vm-install template="Debian Bookworm 12" new-name-label=vm-$n >/dev/null; done
      for n in a c; do xe vm-param-add uuid=$(xe vm-list name-label=vm-$n --minimal) param-name=tags param-key=nightly; done
      xe vm-start tags:contains=nightly --multiple
      xe vm-list tags:contains=nightly params=name-label --minimal
      xe vm-list power-state=running is-control-domain=false params=name-label --minimal
    `)
    assert.equal(r.exitCode, 0, r.stderr)
    const [tagged, running] = r.stdout.split('\n')
    assert.deepEqual(tagged!.split(',').sort(), ['vm-a', 'vm-c'])
    assert.deepEqual(running!.split(',').sort(), ['vm-a', 'vm-c'])
  })

  it('common error paths print xe texts and exit 1', async () => {
    const home = tmpHome()
    await sh(home, 'xe vm-start uuid=$(xe vm-install template="Debian Bookworm 12" new-name-label=web01)')
    const again = await sh(home, 'xe vm-start vm=web01')
    assert.equal(again.exitCode, 1)
    assert.match(again.stderr, /^You attempted an operation on a VM that was not in an appropriate power state at the time; for example, you attempted to start a VM that was already running\. The parameters returned are the VM's handle, and the expected and actual VM state at the time of the call\.\nvm: [0-9a-f-]{36} \(web01\)\nexpected: halted\nactual: running$/)
    const tpl = await sh(home, 'xe vm-start vm="Debian Bookworm 12"')
    assert.deepEqual([tpl.exitCode, tpl.stderr], [1, 'Error: No matching VMs found'])
    const noTpl = await sh(home, 'xe vm-install template=nope new-name-label=x')
    assert.deepEqual([noTpl.exitCode, noTpl.stderr], [1, 'Error: No templates matched'])
    const dom0 = await sh(home, 'xe vm-destroy uuid=$(xe vm-list is-control-domain=true --minimal)')
    assert.equal(dom0.exitCode, 1)
    assert.match(dom0.stderr, /You cannot destroy a control domain via the CLI/)
  })
})
