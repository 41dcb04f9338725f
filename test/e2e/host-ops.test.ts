// End-to-end: the host verbs through bin/xe on a `xesim init` pool (issue 5, "Host verbs"). Texts: xapi-errors.json
// descriptions (xe-cli-behaviour.md §4), the host_forget warnings of cli_operations.ml (§9), user_says_yes (§4).
import assert from 'node:assert/strict'
import { cleanupHomes, tmpHome, XE, XESIM } from '../helpers'

let execa: typeof import('execa').execa
before(async () => {
  ;({ execa } = await import('execa'))
})

const env = (home: string) => ({ XESIM_HOME: home, HOME: home, XESIM_SEED: undefined, PATH: process.env.PATH })
const xe = (home: string, args: string[], input?: string) => execa(XE, args, { env: env(home), reject: false, ...(input !== undefined ? { input } : {}) })

describe('e2e: host verbs (issue 5)', function () {
  this.timeout(120000)
  after(cleanupHomes)

  it('a maintenance script: free memory per host, a plugin call, a refused shutdown, a declined forget', async () => {
    const h = tmpHome()
    const init = await execa(XESIM, ['init', '--hosts', '3', '--vms', '6', '--seed', '5'], { env: env(h), reject: false })
    assert.equal(init.exitCode, 0, init.stderr)
    const uuids = (await xe(h, ['host-list', '--minimal'])).stdout.split(',')
    assert.equal(uuids.length, 3)
    for (const u of uuids) {
      const free = await xe(h, ['host-compute-free-memory', `uuid=${u}`])
      assert.equal(free.exitCode, 0, free.stderr)
      assert.match(free.stdout, /^\d+$/)
      assert.ok(Number(free.stdout) > 0)
    }
    const echo = await xe(h, ['host-call-plugin', `host-uuid=${uuids[1]}`, 'plugin=echo', 'fn=main', 'args:from=e2e'])
    assert.deepEqual([echo.exitCode, echo.stdout], [0, "args were: {'from': 'e2e'}"])

    const down = await xe(h, ['host-shutdown', `uuid=${uuids[1]}`])
    assert.deepEqual([down.exitCode, down.stdout, down.stderr], [1, '', 'This operation cannot be performed because the host is not disabled. Please disable the host and then try again.'])

    const forget = await xe(h, ['host-forget', `uuid=${uuids[2]}`], 'no\n')
    assert.equal(forget.exitCode, 0)
    assert.equal(
      forget.stdout,
      'WARNING: A host should only be forgotten if it is physically unrecoverable;\n' +
        "WARNING: if possible, Hosts should be 'ejected' from the Pool instead.\n" +
        'WARNING: Once a host has been forgotten it will have to be re-installed.\n' +
        'WARNING: This operation is irreversible.\n' +
        "Type 'yes' to continue\n" +
        "Aborted (you typed: 'no')",
    )
    assert.equal((await xe(h, ['host-list', '--minimal'])).stdout.split(',').length, 3)

    const rename = await xe(h, ['host-set-hostname-live', `host-uuid=${uuids[2]}`, 'host-name=spare-03'])
    assert.equal(rename.exitCode, 0, rename.stderr)
    assert.equal((await xe(h, ['host-param-get', `uuid=${uuids[2]}`, 'param-name=hostname'])).stdout, 'spare-03')
  })
})
