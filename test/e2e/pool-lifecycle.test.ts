// Issue 5's "done when", as one administrator's session through bin/xe and bin/xesim (processes, a temporary
// XESIM_HOME): a second host is installed and joins the pool, a shared NFS SR gets a PBD on each host, a guest
// on it live-migrates, a guest with a local disk is refused, a host is disabled, evacuated, re-enabled and
// ejected; and a seeded 3-host / 20-VM inventory is the same world for the same seed.
// Reference: xe-cli-behaviour.md §9 (pool-join, pool-eject, sr-create, vm-migrate, host-evacuate),
// xapi-model.md (pool join, shared storage, migration checks: VM_REQUIRES_SR).
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { join } from 'node:path'
import { cleanupHomes, tmpHome, XE, XESIM } from '../helpers'

let execa: typeof import('execa').execa
before(async () => {
  ;({ execa } = await import('execa'))
})

describe('e2e: a pool of two hosts from install to eject (issue 5)', function () {
  this.timeout(120000)
  after(cleanupHomes)
  const env = (home: string) => ({ XESIM_HOME: home, HOME: home, NODE_EXTRA_CA_CERTS: undefined, XESIM_SEED: '5' })

  it('join, shared SR, live migration, local-disk refusal, disable/evacuate/enable, eject', async () => {
    const home = tmpHome()
    const xe = async (...args: string[]) => {
      const r = await execa(XE, args, { env: env(home), reject: false, input: '' })
      return { code: r.exitCode, out: r.stdout, err: r.stderr }
    }
    const ok = async (...args: string[]) => {
      const r = await xe(...args)
      assert.equal(r.code, 0, `xe ${args.join(' ')}: ${r.err}`)
      return r.out
    }
    // the default world's host, then a second one installed beside it
    const h1 = await ok('host-list', '--minimal')
    const added = await execa(XESIM, ['host-add', '--name-label', 'xenserver-02', '--address', '10.0.0.11', '--password', 'Passw0rd'], { env: env(home) })
    const h2 = added.stdout
    assert.notEqual(h1, h2)
    // it joins, talked to with -s as a remote xe would
    assert.equal(await ok('-s', '10.0.0.11', '-u', 'root', '-pw', 'Passw0rd', 'pool-join', 'master-address=10.0.0.10', 'master-username=root', 'master-password=xenserver'),
      'Host agent will restart and attempt to join pool in 10.000 seconds...')
    assert.deepEqual((await ok('host-list', '--minimal')).split(',').sort(), [h1, h2].sort())
    // a member answers for its pool
    assert.equal(await ok('-s', 'xenserver-02', '-pw', 'xenserver', 'host-list', '--minimal'), await ok('host-list', '--minimal'))

    // a shared SR: one PBD per host, all plugged
    const nfs = await ok('sr-create', 'name-label=NFS VMs', 'type=nfs', 'shared=true', 'content-type=user', 'device-config:server=10.0.0.5', 'device-config:serverpath=/export/vms')
    const pbdHosts = (await ok('pbd-list', `sr-uuid=${nfs}`, 'params=host-uuid', '--minimal')).split(',').sort()
    assert.deepEqual(pbdHosts, [h1, h2].sort())
    assert.equal(await ok('pbd-list', `sr-uuid=${nfs}`, 'params=currently-attached', '--minimal'), 'true,true')

    // a guest on the shared SR live-migrates from one host to the other
    const web = await ok('vm-install', 'template=Debian Bookworm 12', 'new-name-label=web01', `sr-uuid=${nfs}`)
    await ok('vm-start', 'vm=web01', 'on=xenserver-01')
    assert.equal(await ok('vm-param-get', `uuid=${web}`, 'param-name=resident-on'), h1)
    await ok('vm-migrate', 'vm=web01', 'host=xenserver-02', '--live')
    assert.equal(await ok('vm-param-get', `uuid=${web}`, 'param-name=resident-on'), h2)
    assert.equal(await ok('vm-param-get', `uuid=${web}`, 'param-name=power-state'), 'running')

    // a guest whose disk is on xenserver-01's local storage cannot move to xenserver-02
    const local = (await ok('sr-list', 'name-label=Local storage', `host=xenserver-01`, '--minimal'))
    const db = await ok('vm-install', 'template=Debian Bookworm 12', 'new-name-label=db01', `sr-uuid=${local}`)
    await ok('vm-start', 'vm=db01', 'on=xenserver-01')
    const refused = await xe('vm-migrate', 'vm=db01', 'host=xenserver-02', '--live')
    assert.equal(refused.code, 1)
    assert.match(refused.err, /^You attempted to run a VM on a host which doesn't have access to an SR needed by the VM\. The VM has at least one VBD attached to a VDI in the SR\.\nvm: [0-9a-f-]{36} \(db01\)\nsr: [0-9a-f-]{36} \(Local storage\)$/)
    assert.equal(await ok('vm-param-get', `uuid=${db}`, 'param-name=resident-on'), h1)

    // maintenance of xenserver-02: disable, evacuate (web01 comes back to xenserver-01), enable
    await ok('host-disable', 'host=xenserver-02')
    assert.equal(await ok('host-param-get', `uuid=${h2}`, 'param-name=enabled'), 'false')
    await ok('host-evacuate', `uuid=${h2}`)
    assert.equal(await ok('vm-param-get', `uuid=${web}`, 'param-name=resident-on'), h1)
    assert.equal(await ok('vm-list', `resident-on=${h2}`, 'is-control-domain=false', '--minimal'), '')
    await ok('host-enable', 'host=xenserver-02')
    assert.equal(await ok('host-param-get', `uuid=${h2}`, 'param-name=enabled'), 'true')

    // eject it: it comes back as a standalone pool of its own, still reachable with -s
    assert.equal(await ok('pool-eject', `host-uuid=${h2}`, '--force'), 'Specified host will attempt to restart as a master of a new pool in 10.000 seconds...')
    assert.equal(await ok('host-list', '--minimal'), h1)
    assert.equal(await ok('pbd-list', `sr-uuid=${nfs}`, 'params=host-uuid', '--minimal'), h1)
    assert.equal(await ok('-s', '10.0.0.11', '-pw', 'Passw0rd', 'host-list', '--minimal'), h2)
    assert.equal((await ok('-s', '10.0.0.11', '-pw', 'Passw0rd', 'pool-list', '--minimal')).length, 36)
  })

  it('xesim init --hosts 3 --vms 20: the same seed gives the same world, another seed another', async () => {
    const dump = async (seed: string) => {
      const home = tmpHome()
      const r = await execa(XESIM, ['init', '--hosts', '3', '--vms', '20', '--seed', seed], { env: { ...env(home), XESIM_SEED: undefined } })
      assert.equal(r.exitCode, 0, r.stderr)
      // every object, and every world setting but the creation time
      const Database = require('better-sqlite3')
      const d = new Database(join(home, 'world.db'), { readonly: true })
      const rows = JSON.stringify(d.prepare('SELECT ref, cls, uuid, data, scope FROM objects ORDER BY rowid').all())
      const meta = JSON.stringify(d.prepare("SELECT key, value FROM meta WHERE key <> 'created' ORDER BY key").all())
      const hosts = d.prepare("SELECT count(*) AS n FROM objects WHERE cls='host'").get().n
      const vms = d.prepare("SELECT data FROM objects WHERE cls='VM'").all().filter((v: { data: string }) => {
        const f = JSON.parse(v.data)
        return !f.is_a_template && !f.is_control_domain && !f.is_a_snapshot
      }).length
      d.close()
      const listing = (await execa(XE, ['vm-list', 'params=all'], { env: env(home) })).stdout
      return { hash: createHash('sha256').update(rows).update(meta).digest('hex'), hosts, vms, listing }
    }
    const [a, b, c] = [await dump('7'), await dump('7'), await dump('8')]
    assert.deepEqual([a.hosts, a.vms], [3, 20])
    assert.equal(a.hash, b.hash)
    assert.equal(a.listing, b.listing)
    assert.notEqual(a.hash, c.hash)
  })
})
