// End-to-end: `xesim init` (issue 5, seeded inventories) and `xesim run --init` (issue 7).
import assert from 'node:assert/strict'
import { cleanupHomes, tmpHome, XE, XESIM } from '../helpers'

let execa: typeof import('execa').execa
before(async () => {
  ;({ execa } = await import('execa'))
})

const env = (home: string) => ({ XESIM_HOME: home, HOME: home, XESIM_SEED: undefined, PATH: process.env.PATH })
const xesim = (home: string, args: string[]) => execa(XESIM, args, { env: env(home), reject: false })
const xe = (home: string, args: string[]) => execa(XE, args, { env: env(home), reject: false })

describe('e2e: xesim init (issue 5)', function () {
  this.timeout(120000)
  after(cleanupHomes)

  it('builds the same 3-host / 20-VM world for equal seeds, another for another seed', async () => {
    const homes = [tmpHome(), tmpHome(), tmpHome()]
    const seeds = ['11', '11', '12']
    for (const [i, h] of homes.entries()) {
      const r = await xesim(h, ['init', '--hosts', '3', '--vms', '20', '--seed', seeds[i]!])
      assert.equal(r.exitCode, 0, r.stderr)
      assert.equal(r.stdout, `Built a pool of 3 hosts with 20 VMs in ${h} (xenserver-8, seed ${seeds[i]})`)
    }
    const outputs: string[] = []
    for (const h of homes) {
      let out = ''
      for (const cmd of ['host-list', 'vm-list', 'sr-list', 'pbd-list']) out += (await xe(h, [cmd, 'params=all'])).stdout
      outputs.push(out)
    }
    assert.equal(outputs[0], outputs[1])
    assert.notEqual(outputs[0], outputs[2])
    const hosts = await xe(homes[0]!, ['host-list', 'params=name-label', '--minimal'])
    assert.equal(hosts.stdout, 'xenserver-01,xenserver-02,xenserver-03')
    const vms = await xe(homes[0]!, ['vm-list', 'is-control-domain=false', 'is-a-template=false', '--minimal'])
    assert.equal(vms.stdout.split(',').length, 20)
  })

  it('without --seed uses seed 1; bad flags are refused', async () => {
    const h = tmpHome()
    const r = await xesim(h, ['init', '--hosts', '2', '--vms', '3'])
    assert.equal(r.exitCode, 0, r.stderr)
    assert.match(r.stdout, /seed 1\)$/)
    const bad = await xesim(h, ['init', '--hosts', '0'])
    assert.notEqual(bad.exitCode, 0)
  })

  it('xesim run --init passes a world with the requested hosts to the command', async () => {
    const h = tmpHome()
    const r = await execa(XESIM, ['run', '--init', '--hosts 2 --vms 5', '--', 'xe', 'host-list', 'params=name-label', '--minimal'], { env: env(h), reject: false })
    assert.equal(r.exitCode, 0, r.stderr)
    assert.equal(r.stdout, 'xenserver-01,xenserver-02')
  })
})
