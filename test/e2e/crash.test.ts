// Crash safety: writers killed with SIGKILL mid-command never corrupt the world, and every command that
// reported success is kept (SQLite WAL; one transaction per command).
import assert from 'node:assert/strict'
import { cleanupHomes, tmpHome, XE } from '../helpers'

let execa: typeof import('execa').execa
before(async () => {
  ;({ execa } = await import('execa'))
})

describe('e2e: killed writers (crash safety)', function () {
  this.timeout(120000)
  after(cleanupHomes)

  it('SIGKILL at random moments: the world loads, and every successful command is kept', async () => {
    const home = tmpHome()
    const env = { XESIM_HOME: home, HOME: home, NODE_EXTRA_CA_CERTS: undefined }
    const pool = (await execa(XE, ['pool-list', '--minimal'], { env })).stdout
    const runs = Array.from({ length: 40 }, (_, i) => {
      const p = execa(XE, ['pool-param-set', `uuid=${pool}`, `other-config:k${i}=${i}`], { env, reject: false })
      // kill some of them after a short, varying delay (some before, some during, some after their commit)
      if (i % 3 === 0) setTimeout(() => p.kill('SIGKILL'), 5 + (i % 7) * 6)
      return p.then((r) => ({ i, ok: r.exitCode === 0 }))
    })
    const results = await Promise.all(runs)
    const oc = await execa(XE, ['pool-param-get', `uuid=${pool}`, 'param-name=other-config'], { env, reject: false })
    assert.equal(oc.exitCode, 0, `the world still loads: ${oc.stderr}`)
    for (const { i, ok } of results) if (ok) assert.ok(oc.stdout.includes(`k${i}: ${i}`), `k${i} reported success but was lost`)
    assert.ok(results.some((r) => !r.ok), 'some writers were killed')
    const check = await execa('node', ['-e', `const D=require('better-sqlite3');const d=new D(process.argv[1],{readonly:true});console.log(d.pragma('integrity_check',{simple:true}))`, `${home}/world.db`], { reject: false })
    assert.equal(check.stdout, 'ok')
  })
})
