// The object store of one transaction: savepoints undo exactly the changes made after them.
import assert from 'node:assert/strict'
import { withWorld } from '../../src/engine/world'
import { cleanupHomes, seededHome } from '../helpers'

describe('Db savepoints (one object of --multiple at a time)', () => {
  after(cleanupHomes)

  it('rollbackTo undoes sets, creations and destructions after the savepoint, keeps what came before', async () => {
    const home = await seededHome(2)
    await withWorld(home, false, ({ db }) => {
      const pool = db.all('pool')[0]!
      db.set(pool, { name_label: 'kept' })
      const sp = db.savepoint()
      db.set(pool, { name_label: 'undone', other_config: [['k', 'v']] })
      const net = db.create('network', { name_label: 'temporary', bridge: 'xapi9' })
      const victim = db.all('network').find((n) => n.f.bridge === 'xenbr3')!
      db.destroy(victim)
      db.rollbackTo(sp)
      assert.equal(pool.f.name_label, 'kept')
      assert.deepEqual(pool.f.other_config.map(([k]) => k), ['memory-ratio-hvm', 'memory-ratio-pv'])
      assert.equal(db.tryGet(net.ref), undefined)
      assert.ok(db.all('network').some((n) => n.ref === victim.ref))
      assert.equal(db.all('network').some((n) => n.f.name_label === 'temporary'), false)
      assert.equal(db.referrers('PIF', 'network', victim.ref).length, 1, 'indexes rebuilt')
    })
  })
})

describe('error rendering reads objects the command never loaded (§4 ref_convert)', () => {
  after(cleanupHomes)

  it('an OpaqueRef in an error shows as `uuid (name-label)` while the world is open; extra values print as <extra> (§4)', async () => {
    const { renderError } = await import('../../src/cli/errors')
    const { XapiError } = await import('../../src/engine/errors')
    const home = await seededHome(4)
    const ref = await withWorld(home, false, ({ db }) => db.all('VM').find((v) => v.f.is_control_domain)!.ref)
    const out = await withWorld(home, false, ({ db }) => renderError(new XapiError('VM_IS_TEMPLATE', [ref, 'start']), db).stderr)
    assert.match(out, /^The operation attempted is not valid for a template VM\nvm: [0-9a-f-]{36} \(Control domain on host: xenserver-01\)\n<extra>: start\n$/)
  })

  it('referrer indexes kept up to date by create and set list objects in creation order, as a rebuild does', async () => {
    const home = await seededHome(4)
    await withWorld(home, false, ({ db }) => {
      const nets = db.all('network')
      const [a, b] = [nets[0]!, nets[1]!]
      const made = [0, 1, 2, 3].map((i) => db.create('VIF', { device: String(i), network: a.ref }))
      assert.deepEqual(db.referrers('VIF', 'network', a.ref).map((v) => v.ref), made.map((v) => v.ref))
      db.set(made[2]!, { network: b.ref })
      db.set(made[0]!, { network: b.ref })
      db.set(made[2]!, { network: a.ref })
      const kept = (n: string) => db.referrers('VIF', 'network', n).map((v) => v.ref)
      assert.deepEqual(kept(a.ref), [made[1]!, made[2]!, made[3]!].map((v) => v.ref))
      assert.deepEqual(kept(b.ref), [made[0]!.ref])
      const later = db.create('VIF', { device: '9', network: b.ref })
      assert.deepEqual(kept(b.ref), [made[0]!.ref, later.ref])
    })
  })
})

describe('lookups through the store indexes (issue 6: a pool of thousands of VMs)', () => {
  after(cleanupHomes)

  it('withField, referrers and anyWithField on a class not loaded answer what a scan of the class does, after changes of every kind', async () => {
    const { resetWorld } = await import('../../src/engine/state')
    const { tmpHome } = await import('../helpers')
    const { LINKS } = await import('../../src/engine/store')
    const home = tmpHome()
    resetWorld(home, { seed: 9, inventory: { hosts: 2, vms: 12, sharedSr: 'nfs' } })
    await withWorld(home, true, ({ db }) => {
      const vms = db.withField('VM', 'power_state', 'Running').filter((v) => !v.f.is_control_domain)
      const vbds = db.referrers('VBD', 'VM', vms[0]!.ref)
      assert.ok(vms.length > 2 && vbds.length > 0)
      // changes: a VBD moves to another VM (a stored object now holds the value), one is destroyed, one is created,
      // a VM is renamed like another and one stops
      db.set(vbds[0]!, { VM: vms[1]!.ref })
      const gone = db.referrers('VBD', 'VM', vms[2]!.ref)[0]!
      db.destroy(gone)
      const made = db.create('VBD', { VM: vms[1]!.ref, VDI: 'OpaqueRef:NULL', type: 'CD', device: 'xvdd', userdevice: '3' })
      db.set(vms[2]!, { name_label: vms[1]!.f.name_label })
      db.set(vms[3]!, { power_state: 'Halted' })
      const targets = { VBD: [vms[0]!, vms[1]!, vms[2]!].map((v) => v.ref), VM: [vms[1]!.f.name_label, 'Running', 'Halted'] }
      const asked = [
        ...targets.VBD.map((r) => ['VBD', 'VM', r] as const),
        ...targets.VM.map((v, i) => ['VM', i === 0 ? 'name_label' : 'power_state', v] as const),
      ]
      for (const [cls, field] of asked) assert.ok(LINKS.has(`${cls}.${field}`))
      const viaStore = asked.map(([cls, field, v]) => db.withField(cls, field, v).map((o) => o.ref))
      const viaReferrers = asked.map(([cls, field, v]) => db.referrers(cls, field, v).map((o) => o.ref))
      const some = db.anyWithField('VBD', 'VM', vms[1]!.ref, (b) => b.ref === made.ref)
      // now the classes are loaded: the same questions answered by a scan
      const scanned = asked.map(([cls, field, v]) => db.all(cls).filter((o) => (o.f as unknown as Record<string, unknown>)[field] === v).map((o) => o.ref))
      assert.deepEqual(viaStore, scanned)
      assert.deepEqual(viaReferrers, scanned)
      assert.ok(some)
      assert.ok(scanned[1]!.includes(vbds[0]!.ref) && scanned[1]!.includes(made.ref) && !scanned[2]!.includes(gone.ref))
      assert.ok(scanned[3]!.length === 2 && !scanned[4]!.includes(vms[3]!.ref) && scanned[5]!.includes(vms[3]!.ref))
    })
  })
})
