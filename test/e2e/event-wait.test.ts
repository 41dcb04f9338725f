// xe event-wait (xe-cli-behaviour.md §9): returns as soon as another process's change satisfies it.
import assert from 'node:assert/strict'
import { cleanupHomes, tmpHome, XE, xe } from '../helpers'

let execa: typeof import('execa').execa
before(async () => {
  ;({ execa } = await import('execa'))
})

describe('e2e: event-wait (§9)', function () {
  this.timeout(30000)
  after(cleanupHomes)

  it('returns at once when an object already matches; prints nothing', async () => {
    const home = tmpHome()
    const r = await xe(home, ['event-wait', 'class=vm', 'power-state=running', 'is-control-domain=true'])
    assert.deepEqual(r, { stdout: '', stderr: '', code: 0 })
    const ne = await xe(home, ['event-wait', 'class=host', 'enabled=/=false'])
    assert.equal(ne.code, 0)
  })

  it('waits for another process to make the condition true', async () => {
    const home = tmpHome()
    const env = { XESIM_HOME: home, HOME: home, NODE_EXTRA_CA_CERTS: undefined }
    const pool = (await execa(XE, ['pool-list', '--minimal'], { env })).stdout
    const started = Date.now()
    const waiter = execa(XE, ['event-wait', 'class=pool', 'name-label=ready'], { env, reject: false })
    await new Promise((r) => setTimeout(r, 400))
    assert.equal(waiter.exitCode, null, 'still waiting')
    await execa(XE, ['pool-param-set', `uuid=${pool}`, 'name-label=ready'], { env })
    const r = await waiter
    assert.equal(r.exitCode, 0)
    assert.ok(Date.now() - started < 5000)
  })

  it('reports unknown keys and classes as xe does', async () => {
    const home = tmpHome()
    assert.deepEqual(await xe(home, ['event-wait', 'class=vm', 'colour=red']), { stdout: '', stderr: 'Error: key missing: colour\n', code: 1 })
    assert.deepEqual(await xe(home, ['event-wait', 'class=console']), { stdout: '', stderr: "Error: Cli listening for class 'console' not currently implemented\n", code: 1 })
  })
})
