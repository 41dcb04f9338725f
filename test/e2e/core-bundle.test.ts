// End-to-end: bin/xe's start-up bundles (issue 6; scripts/bundle.mjs). The commands scripts call most run on the
// bundles with V8's code caches accepted and no module loaded from dist/src beside them; any command, in the bundles
// or not, prints the same bytes and exits the same way as on the plain modules (XESIM_CORE=off).
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { cleanupHomes, repoRoot, tmpHome, XE } from '../helpers'

let execa: typeof import('execa').execa
before(async () => {
  ;({ execa } = await import('execa'))
})

const run = (home: string, args: string[], core: string) =>
  execa(XE, args, { env: { XESIM_HOME: home, HOME: home, XESIM_SEED: '7', XESIM_CORE: core, NODE_EXTRA_CA_CERTS: undefined }, reject: false })

describe('e2e: bin/xe start-up bundle', function () {
  this.timeout(120000)
  after(cleanupHomes)

  it('the build made them, with their code caches', () => {
    for (const f of ['xe-core.js', 'xe-core.js.cache', 'xe-more.js', 'xe-more.js.cache']) assert.ok(existsSync(join(repoRoot, 'dist', f)), f)
  })

  it('listings, param-get and param-set load nothing outside it, and V8 accepts the cache', async () => {
    const home = tmpHome()
    const dom0 = (await run(home, ['vm-list', 'is-control-domain=true', '--minimal'], 'off')).stdout
    assert.match(dom0, /^[0-9a-f-]{36}$/)
    for (const args of [
      ['vm-list', '--minimal'],
      ['vm-list'],
      ['vm-param-get', `uuid=${dom0}`, 'param-name=name-label'],
      ['vm-param-set', `uuid=${dom0}`, 'name-description=bundled'],
    ]) {
      const r = await run(home, args, 'report')
      assert.equal(r.exitCode, 0, r.stderr)
      assert.deepEqual(JSON.parse(r.stderr.trim().split('\n').pop()!), { core: true, cacheRejected: { 'xe-core.js': false }, outside: [] }, args.join(' '))
    }
    assert.equal((await run(home, ['vm-param-get', `uuid=${dom0}`, 'param-name=name-description'], '')).stdout, 'bundled')
  })

  it('install, start, snapshot and shutdown take their modules from the second tier, with its cache', async () => {
    const home = tmpHome()
    // the world first: building it loads the fresh host's data, which no bundle holds
    assert.equal((await run(home, ['pool-list', '--minimal'], 'off')).exitCode, 0)
    for (const args of [
      ['vm-install', 'template=Debian Bookworm 12', 'new-name-label=tier2'],
      ['vm-start', 'vm=tier2'],
      ['vm-snapshot', 'vm=tier2', 'new-name-label=tier2-snap'],
      ['vm-shutdown', 'vm=tier2'],
    ]) {
      const r = await run(home, args, 'report')
      assert.equal(r.exitCode, 0, r.stderr)
      assert.deepEqual(JSON.parse(r.stderr.trim().split('\n').pop()!), { core: true, cacheRejected: { 'xe-core.js': false, 'xe-more.js': false }, outside: [] }, args.join(' '))
    }
  })

  it('a command outside it uses the same modules: same bytes and exit codes as without it', async () => {
    const worlds = { on: tmpHome(), off: tmpHome() }
    const script: string[][] = [
      ['vm-install', 'template=Debian Bookworm 12', 'new-name-label=web01'],
      ['vm-start', 'vm=web01'],
      ['vm-start', 'vm=web01'],
      ['vm-list', 'params=name-label,power-state,resident-on'],
      ['vm-snapshot', 'vm=web01', 'new-name-label=snap'],
      ['snapshot-list', 'params=all'],
      ['vm-param-list', 'vm=web01'],
      ['vm-param-set', 'vm=web01', 'memory-static-max=abc'],
      ['sr-list', 'params=all'],
      ['vm-shutdown', 'vm=web01', '--force'],
      ['vm-uninstall', 'vm=web01', '--force'],
      ['help', 'vm-start'],
      ['no-such-command'],
      ['vm-list', 'uuid=not-a-uuid', 'params='],
    ]
    for (const args of script) {
      const on = await run(worlds.on, args, '')
      const off = await run(worlds.off, args, 'off')
      assert.deepEqual({ out: on.stdout, err: on.stderr, code: on.exitCode }, { out: off.stdout, err: off.stderr, code: off.exitCode }, args.join(' '))
    }
  })
})
