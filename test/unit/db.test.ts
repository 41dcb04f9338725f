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
