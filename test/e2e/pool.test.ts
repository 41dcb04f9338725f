// End-to-end: the pool verbs of issue 5 through bin/xe and bin/xesim as processes. Printed lines are
// cli_operations.ml's (pool_join, pool_eject, pool_restore_db; Records.string_of_float "%.3f" of the fuse times);
// the download is created exclusively (xe-cli-behaviour.md §8); errors as §4.
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { cleanupHomes, tmpHome, XE, XESIM } from '../helpers'

let execa: typeof import('execa').execa
before(async () => {
  ;({ execa } = await import('execa'))
})

const env = (home: string) => ({ XESIM_HOME: home, HOME: home, XESIM_SEED: undefined, PATH: process.env.PATH })
const xesim = (home: string, args: string[]) => execa(XESIM, args, { env: env(home), reject: false })
const xe = (home: string, args: string[], input?: string) => execa(XE, args, { env: env(home), reject: false, cwd: home, ...(input === undefined ? {} : { input }) })
const out = async (home: string, args: string[]) => {
  const r = await xe(home, args)
  assert.equal(r.exitCode, 0, r.stderr)
  return r.stdout
}

describe('e2e: pool verbs (issue 5)', function () {
  this.timeout(120000)
  after(cleanupHomes)

  it('designate-new-master, HA enable / compute / disable in a 3-host pool', async () => {
    const h = tmpHome()
    assert.equal((await xesim(h, ['init', '--hosts', '3', '--vms', '6', '--seed', '2'])).exitCode, 0)
    const pool = await out(h, ['pool-list', '--minimal'])
    const h2 = await out(h, ['host-list', 'name-label=xenserver-02', '--minimal'])
    assert.deepEqual((await xe(h, ['pool-designate-new-master', `host-uuid=${h2}`])).stdout, '')
    assert.equal(await out(h, ['pool-param-get', `uuid=${pool}`, 'param-name=master']), h2)
    assert.equal(await out(h, ['pool-ha-compute-max-host-failures-to-tolerate']), '3')
    const nfs = await out(h, ['sr-list', 'type=nfs', '--minimal'])
    assert.equal((await xe(h, ['pool-ha-enable', `heartbeat-sr-uuids=${nfs}`])).exitCode, 0)
    assert.equal(await out(h, ['pool-param-get', `uuid=${pool}`, 'param-name=ha-enabled']), 'true')
    const designate = await xe(h, ['pool-designate-new-master', `host-uuid=${h2}`])
    assert.equal(designate.exitCode, 0)
    const h3 = await out(h, ['host-list', 'name-label=xenserver-03', '--minimal'])
    const refused = await xe(h, ['pool-designate-new-master', `host-uuid=${h3}`])
    assert.deepEqual([refused.exitCode, refused.stderr], [1, 'The operation could not be performed because HA is enabled on the Pool'])
    const running = (await out(h, ['vm-list', 'power-state=running', 'is-control-domain=false', '--minimal'])).split(',')
    assert.equal((await xe(h, ['vm-param-set', `uuid=${running[0]}`, 'ha-restart-priority=restart'])).exitCode, 0)
    assert.equal(await out(h, ['pool-ha-compute-max-host-failures-to-tolerate']), '2')
    assert.equal((await xe(h, ['pool-ha-disable'])).exitCode, 0)
    assert.equal(await out(h, ['pool-param-get', `uuid=${pool}`, 'param-name=ha-enabled']), 'false')
  })

  it('pool-dump-database / pool-restore-database round trip; the dump never overwrites', async () => {
    const h = tmpHome()
    const file = join(h, 'pool.db')
    const listing = async () => (await out(h, ['vm-list', 'params=all'])) + (await out(h, ['network-list', 'params=all']))
    const before = await listing()
    assert.deepEqual((await xe(h, ['pool-dump-database', 'file-name=pool.db'])).exitCode, 0)
    const again = await xe(h, ['pool-dump-database', 'file-name=pool.db'])
    assert.deepEqual([again.exitCode, again.stderr], [1, 'Operation failed. Error: Sys_error("pool.db: File exists")'])
    assert.equal((await xe(h, ['network-create', 'name-label=extra'])).exitCode, 0)
    assert.notEqual(await listing(), before)
    const r = await xe(h, ['pool-restore-database', `file-name=${file}`, '--force'])
    assert.deepEqual([r.exitCode, r.stdout], [0, 'Host will reboot with restored database in 30.000 seconds...'])
    assert.equal(await listing(), before)
  })

  it('xesim host-add, pool-join from the new host, then pool-eject it', async () => {
    const h = tmpHome()
    assert.equal((await xesim(h, ['host-add', '--name-label', 'xenserver-02', '--address', '10.0.0.11', '--password', 'secret'])).exitCode, 0)
    const joiner = ['-s', '10.0.0.11', '-u', 'root', '-pw', 'secret']
    const h2 = await out(h, [...joiner, 'host-list', '--minimal'])
    const joined = await xe(h, [...joiner, 'pool-join', 'master-address=10.0.0.10', 'master-username=root', 'master-password=xenserver'])
    assert.deepEqual([joined.exitCode, joined.stdout, joined.stderr], [0, 'Host agent will restart and attempt to join pool in 10.000 seconds...', ''])
    assert.equal(await out(h, ['host-list', 'params=name-label', '--minimal']), 'xenserver-01,xenserver-02')
    // without --force: the warnings, the local VDIs (none here) and the prompt
    const aborted = await xe(h, ['pool-eject', `host-uuid=${h2}`], 'no\n')
    assert.deepEqual([aborted.exitCode, aborted.stdout], [0,
      "WARNING: Ejecting a host from the pool will reinitialise that host's local SRs.\nWARNING: Any data contained with the local SRs will be lost.\nType 'yes' to continue\nAborted (you typed: 'no')"])
    const ejected = await xe(h, ['pool-eject', `host-uuid=${h2}`, '--force'])
    assert.deepEqual([ejected.exitCode, ejected.stdout], [0, 'Specified host will attempt to restart as a master of a new pool in 10.000 seconds...'])
    assert.equal(await out(h, ['host-list', 'params=name-label', '--minimal']), 'xenserver-01')
    assert.equal(await out(h, [...joiner, 'host-list', '--minimal']), h2)
  })
})
