// Db.derived (issue 6): caches computed from the objects — the guest addresses in use (guest-metrics.ts) and the
// highest domid (vm-power.ts) — are kept up to date by every create/set/destroy and dropped by a rollback, so they
// always answer what a scan of every VM would.
import assert from 'node:assert/strict'
import { resetWorld } from '../../src/engine/state'
import { withWorld } from '../../src/engine/world'
import type { Db, XObj } from '../../src/engine/db'
import { hardShutdown, nextDomid, startVm } from '../../src/engine/vm-power'
import { cleanupHomes, seededHome, tmpHome } from '../helpers'

const LIVE = ['Running', 'Paused', 'Suspended']
/** What the caches stand for, by brute force: the highest domid of any VM; every live guest's reported IPv4s. */
const scanDomid = (db: Db) => db.all('VM').reduce((m, v) => Math.max(m, v.f.domid), 0) + 1
const reported = (db: Db, vm: XObj<'VM'>) =>
  (db.tryGet(vm.f.guest_metrics, 'VM_guest_metrics')?.f.networks ?? []).filter(([k]) => /\/ip$/.test(k)).map(([, v]) => v)
function liveAddresses(db: Db): string[] {
  return db.all('VM').filter((v) => !v.f.is_control_domain && LIVE.includes(v.f.power_state)).flatMap((v) => reported(db, v))
}

describe('Db.derived caches (issue 6)', function () {
  this.timeout(60000)
  after(cleanupHomes)

  it('a derived cache sees every change; a rollback drops it (made again on next use)', async () => {
    const home = await seededHome(3)
    await withWorld(home, false, ({ db }) => {
      let made = 0
      const seen: string[] = []
      const get = () => db.derived('test', () => (made++, { changed: (o: XObj) => seen.push(`${o.cls}:${o.ref === pool.ref ? 'pool' : 'other'}`) }))
      const pool = db.all('pool')[0]!
      get()
      db.set(pool, { name_label: 'x' })
      const net = db.create('network', { name_label: 'n', bridge: 'xapi7' })
      db.destroy(net)
      assert.deepEqual(seen, ['pool:pool', 'network:other', 'network:other'])
      const sp = db.savepoint()
      db.set(pool, { name_label: 'y' })
      db.rollbackTo(sp)
      get()
      assert.equal(made, 2)
    })
  })

  it('in an inventory, guests get distinct addresses and domids; after shutdowns and starts the caches agree with a scan', async () => {
    const home = tmpHome()
    resetWorld(home, { seed: 5, inventory: { hosts: 3, vms: 30, sharedSr: 'nfs' } })
    await withWorld(home, true, ({ db }) => {
      const guests = db.all('VM').filter((v) => !v.f.is_a_template && !v.f.is_control_domain)
      const running = guests.filter((v) => v.f.power_state === 'Running')
      const addrs = liveAddresses(db)
      assert.ok(addrs.length >= running.length && running.length > 0)
      assert.equal(new Set(addrs).size, addrs.length, 'no address handed out twice')
      const domids = running.map((v) => v.f.domid)
      assert.equal(new Set(domids).size, domids.length, 'no domid twice')
      assert.equal(nextDomid(db), scanDomid(db))
      // the guest with the highest domid goes away: the next domid is one above the highest left
      const top = running.reduce((a, b) => (b.f.domid > a.f.domid ? b : a))
      const freed = reported(db, top)
      hardShutdown(db, top)
      assert.equal(nextDomid(db), scanDomid(db))
      // a guest that never ran takes the lowest address from .100 on that no live guest reports (guest-metrics.ts)
      const halted = guests.filter((v) => v.f.power_state === 'Halted' && v.ref !== top.ref && v.f.guest_metrics === 'OpaqueRef:NULL')
      assert.ok(halted.length > 0)
      const inUse = new Set(liveAddresses(db))
      assert.ok(freed.length === 1 && !inUse.has(freed[0]!), 'the address of the guest shut down is free')
      let x = 100
      while (inUse.has(`10.0.0.${x}`)) x++
      startVm(db, halted[0]!)
      assert.deepEqual(reported(db, halted[0]!), [`10.0.0.${x}`])
      assert.equal(nextDomid(db), scanDomid(db))
      const after = liveAddresses(db)
      assert.equal(new Set(after).size, after.length, 'no address handed out twice')
      // a rollback forgets the cached state with the changes
      const sp = db.savepoint()
      for (const v of halted.slice(1, 4)) startVm(db, v)
      db.rollbackTo(sp)
      assert.equal(nextDomid(db), scanDomid(db))
      startVm(db, halted[1]!)
      const last = liveAddresses(db)
      assert.equal(new Set(last).size, last.length, 'no address handed out twice after a rollback')
    })
  })

  it('the caches start from the store\'s indexes: changes made before their first use are counted as they are now', async () => {
    const { computeFreeMemory, hostGuestMemory } = await import('../../src/engine/host')
    const home = tmpHome()
    resetWorld(home, { seed: 8, inventory: { hosts: 3, vms: 24, sharedSr: 'nfs' } })
    const scanMemory = (db: Db, host: string) => {
      const on = db.all('VM').flatMap((v) => [v.f.resident_on, v.f.scheduled_to_be_resident_on].filter((h) => h === host).map(() => v))
      return {
        dynamicMin: on.reduce((n, v) => n + v.f.memory_dynamic_min, 0),
        overhead: on.reduce((n, v) => n + v.f.memory_overhead, 0),
        staticMax: on.reduce((n, v) => n + v.f.memory_static_max, 0),
        dynamicMax: on.reduce((n, v) => n + v.f.memory_dynamic_max, 0),
      }
    }
    await withWorld(home, true, ({ db }) => {
      const running = db.withField('VM', 'power_state', 'Running').filter((v) => !v.f.is_control_domain)
      const top = running.reduce((a, b) => (b.f.domid > a.f.domid ? b : a))
      // before any cache exists: the top domid stops, another VM grows, a running VM's guest metrics change
      hardShutdown(db, top)
      const other = running.find((v) => v.ref !== top.ref)!
      db.set(other, { memory_dynamic_min: other.f.memory_dynamic_min + 1024 * 1024 })
      const moved = running.find((v) => v.ref !== top.ref && v.ref !== other.ref)!
      const gm = db.get(moved.f.guest_metrics, 'VM_guest_metrics')
      db.set(gm, { networks: [['0/ip', '10.0.0.250'], ['0/ipv4/0', '10.0.0.250']] })
      // and a running VM's record goes (its share of its host's memory with it)
      const gone = running.find((v) => ![top.ref, other.ref, moved.ref].includes(v.ref))!
      db.destroy(gone)
      const hosts = db.all('host')
      const memory = hosts.map((h) => [hostGuestMemory(db, h.ref), computeFreeMemory(db, h)])
      const next = nextDomid(db)
      assert.ok(hosts.some((h) => h.ref === gone.f.resident_on))
      const halted = db.withField('VM', 'power_state', 'Halted').find((v) => !v.f.is_a_template && v.ref !== top.ref && v.f.guest_metrics === 'OpaqueRef:NULL')!
      const inUse = new Set(liveAddresses(db))
      assert.ok(inUse.has('10.0.0.250'))
      startVm(db, halted)
      assert.ok(!inUse.has(reported(db, halted)[0]!), 'a free address, the changed guest metrics counted')
      // what a scan says (it loads every VM)
      assert.equal(next, db.all('VM').filter((v) => v.ref !== halted.ref).reduce((m, v) => Math.max(m, v.f.domid), 0) + 1)
      hosts.forEach((h, i) => {
        const scan = scanMemory(db, h.ref)
        const startedHere = halted.f.resident_on === h.ref
        const before = startedHere ? { ...scan, dynamicMin: scan.dynamicMin - halted.f.memory_dynamic_min, overhead: scan.overhead - halted.f.memory_overhead, staticMax: scan.staticMax - halted.f.memory_static_max, dynamicMax: scan.dynamicMax - halted.f.memory_dynamic_max } : scan
        assert.deepEqual(memory[i]![0], before)
        assert.deepEqual(hostGuestMemory(db, h.ref), scan)
      })
    })
  })
})

