// Seeded inventories (issue 5, `xesim init`): a pool of N hosts sharing an NFS SR with M guests. Record
// formats are xe's (xe-cli-behaviour.md §3); the joined members are shaped as after pool.join (xapi-model.md §14).
import assert from 'node:assert/strict'
import { resetWorld } from '../../src/engine/state'
import { withWorld } from '../../src/engine/world'
import { computeFreeMemory } from '../../src/engine/host'
import { cleanupHomes, tmpHome, xe } from '../helpers'

function inventory(seed: number, hosts = 3, vms = 20): string {
  const home = tmpHome()
  resetWorld(home, { seed, inventory: { hosts, vms, sharedSr: 'nfs' } })
  return home
}

async function listing(home: string): Promise<string> {
  let out = ''
  for (const args of [['host-list', 'params=all'], ['vm-list', 'params=all'], ['sr-list', 'params=all'], ['pbd-list', 'params=all'], ['vif-list', 'params=all'], ['pif-list', 'params=all']]) {
    const r = await xe(home, args)
    assert.equal(r.code, 0, r.stderr)
    out += r.stdout
  }
  return out
}

describe('seeded inventories (xesim init, issue 5)', function () {
  this.timeout(60000)
  after(cleanupHomes)

  it('the same seed gives the same world; another seed another one', async () => {
    const [a, b, c] = [inventory(7), inventory(7), inventory(8)]
    const [la, lb, lc] = [await listing(a), await listing(b), await listing(c)]
    assert.equal(la, lb)
    assert.notEqual(la, lc)
  })

  it('one pool with one master and N hosts; every host has an attached PBD on the shared NFS SR, the pool default SR', async () => {
    const home = inventory(3, 3, 20)
    await withWorld(home, false, ({ db }) => {
      const pools = db.all('pool')
      assert.equal(pools.length, 1)
      const hosts = db.all('host')
      assert.deepEqual(hosts.map((h) => [h.f.name_label, h.f.address]), [['xenserver-01', '10.0.0.10'], ['xenserver-02', '10.0.0.11'], ['xenserver-03', '10.0.0.12']])
      assert.equal(pools[0]!.f.master, hosts[0]!.ref)
      const nfs = db.all('SR').filter((s) => s.f.type === 'nfs')
      assert.equal(nfs.length, 1)
      assert.equal(nfs[0]!.f.shared, true)
      assert.equal(nfs[0]!.f.name_label, 'NFS storage')
      assert.equal(pools[0]!.f.default_SR, nfs[0]!.ref)
      const pbds = db.referrers('PBD', 'SR', nfs[0]!.ref)
      assert.deepEqual(pbds.map((p) => p.f.host), hosts.map((h) => h.ref))
      assert.ok(pbds.every((p) => p.f.currently_attached))
      // each host: its own dom0, three local SRs, eth0..eth3 on the pool's xenbr0..xenbr3
      for (const [i, h] of hosts.entries()) {
        const dom0s = db.all('VM').filter((v) => v.f.is_control_domain && v.f.resident_on === h.ref)
        assert.equal(dom0s.length, 1)
        const local = db.referrers('PBD', 'host', h.ref).map((p) => db.get(p.f.SR, 'SR').f.name_label).filter((n) => n !== 'NFS storage')
        assert.deepEqual(local, ['Local storage', 'Removable storage', 'DVD drives'])
        const pifs = db.referrers('PIF', 'host', h.ref)
        assert.deepEqual(pifs.map((p) => [p.f.device, db.get(p.f.network, 'network').f.bridge]), [0, 1, 2, 3].map((n) => [`eth${n}`, `xenbr${n}`]))
        assert.equal(pifs.filter((p) => p.f.management).map((p) => p.f.IP).join(), `10.0.0.${10 + i}`)
      }
      assert.equal(db.all('network').filter((n) => n.f.bridge.startsWith('xenbr')).length, 4)
      // guests: disks on the NFS SR, a VIF on xenbr0, tags; running ones fit their host's memory
      const guests = db.all('VM').filter((v) => !v.f.is_a_template && !v.f.is_control_domain)
      assert.equal(guests.length, 20)
      assert.ok(guests.some((v) => v.f.power_state === 'Running') && guests.some((v) => v.f.power_state === 'Halted'))
      for (const g of guests) {
        const vbds = db.referrers('VBD', 'VM', g.ref).filter((v) => v.f.type === 'Disk')
        assert.ok(vbds.length >= 1)
        for (const v of vbds) assert.equal(db.get(v.f.VDI, 'VDI').f.SR, nfs[0]!.ref)
        assert.deepEqual(db.referrers('VIF', 'VM', g.ref).map((v) => db.get(v.f.network, 'network').f.bridge), ['xenbr0'])
        assert.ok(g.f.tags.some((t) => t.startsWith('env:')))
        if (g.f.power_state === 'Running') assert.ok(hosts.some((h) => h.ref === g.f.resident_on))
      }
      for (const h of hosts) assert.ok(computeFreeMemory(db, h) > 0)
    })
  })

  it('memory-free-computed of every host is not negative, and vm-start / vm-shutdown work on the guests', async () => {
    const home = inventory(5, 3, 20)
    for (const uuid of (await xe(home, ['host-list', '--minimal'])).stdout.trim().split(',')) {
      const r = await xe(home, ['host-param-get', `uuid=${uuid}`, 'param-name=memory-free-computed'])
      assert.equal(r.code, 0, r.stderr)
      assert.ok(Number(r.stdout) >= 0)
    }
    const running = (await xe(home, ['vm-list', 'power-state=running', 'is-control-domain=false', '--minimal'])).stdout.trim().split(',')
    const halted = (await xe(home, ['vm-list', 'power-state=halted', 'is-a-template=false', '--minimal'])).stdout.trim().split(',')
    let r = await xe(home, ['vm-shutdown', `uuid=${running[0]}`])
    assert.equal(r.code, 0, r.stderr)
    r = await xe(home, ['vm-start', `uuid=${halted[0]}`])
    assert.equal(r.code, 0, r.stderr)
    assert.equal((await xe(home, ['vm-param-get', `uuid=${halted[0]}`, 'param-name=power-state'])).stdout, 'running\n')
    assert.equal((await xe(home, ['vm-param-get', `uuid=${running[0]}`, 'param-name=power-state'])).stdout, 'halted\n')
  })

  it('one host without a shared SR keeps the guests on its local storage', async () => {
    const home = tmpHome()
    resetWorld(home, { seed: 1, inventory: { hosts: 1, vms: 3, sharedSr: 'none' } })
    await withWorld(home, false, ({ db }) => {
      assert.equal(db.all('SR').filter((s) => s.f.type === 'nfs').length, 0)
      const local = db.all('SR').find((s) => s.f.name_label === 'Local storage')!
      assert.equal(db.all('pool')[0]!.f.default_SR, local.ref)
      assert.equal(db.referrers('VDI', 'SR', local.ref).length >= 3, true)
    })
  })
})
