// Several pools in one world: `xesim host-add` (engine addHost), xe -s/-u/-pw picking the pool of a host and
// logging in, the client's own errors for servers nobody answers at, and objects moved between pools.
// Reference: xe-cli-behaviour.md §6 (client options, defaults: server 127.0.0.1 is local, username root,
// password "null"), §4 (SESSION_AUTHENTICATION_FAILED rendering); newcli.ml main (Connect_failure,
// Not_found, Unix_error texts).
import assert from 'node:assert/strict'
import { withWorld } from '../../src/engine/world'
import { addHost } from '../../src/engine/world/pools'
import { worldStatus } from '../../src/engine/status'
import { cleanupHomes, seededHome, xe } from '../helpers'

describe('pools: several pools in one world', () => {
  let home: string
  before(async () => {
    home = await seededHome(5)
    await withWorld(home, true, (s) => addHost(s, { nameLabel: 'xenserver-02', address: '10.0.0.11', password: 'secret', profile: 'xenserver-8', cpus: 8 }))
  })
  after(cleanupHomes)
  const names = async (args: string[]) => {
    const r = await xe(home, args)
    assert.equal(r.stderr, '')
    assert.equal(r.code, 0)
    return r.stdout
  }

  it('without -s xe talks to the first host; its pool sees only its own objects', async () => {
    assert.equal(await names(['host-list', 'params=name-label', '--minimal']), 'xenserver-01\n')
    assert.equal(await names(['host-list', 'params=name-label', '--minimal', 'server=127.0.0.1']), 'xenserver-01\n')
    assert.equal((await names(['pool-list', '--minimal'])).split(',').length, 1)
  })

  it('-s ADDRESS or NAME with root and the password reaches the other pool', async () => {
    for (const s of ['10.0.0.11', 'xenserver-02']) {
      assert.equal(await names(['-s', s, '-u', 'root', '-pw', 'secret', 'host-list', 'params=name-label,cpu_info', 'params=name-label', '--minimal']), 'xenserver-02\n')
    }
    const [a, b] = [await names(['pool-list', '--minimal']), await names(['-s', '10.0.0.11', '-pw', 'secret', 'pool-list', '--minimal'])]
    assert.notEqual(a, b)
    // both pools are freshly installed hosts: their own local SRs, templates and static RBAC roles
    assert.equal(await names(['-s', '10.0.0.11', '-pw', 'secret', 'sr-list', 'params=name-label', '--minimal']), 'Local storage,Removable storage,DVD drives\n')
    const roles = await names(['role-list', '--minimal'])
    assert.equal(await names(['-s', '10.0.0.11', '-pw', 'secret', 'role-list', '--minimal']), roles)
    // the other host's uuid is unknown to this pool
    const other = (await names(['-s', '10.0.0.11', '-pw', 'secret', 'host-list', '--minimal'])).trim()
    const r = await xe(home, ['host-param-get', `uuid=${other}`, 'param-name=name-label'])
    assert.deepEqual([r.code, r.stderr], [1, `The uuid you supplied was invalid.\ntype: host\nuuid: ${other}\n`])
  })

  it('the first host is reached remotely with its installed password (xenserver)', async () => {
    assert.equal(await names(['-s', '10.0.0.10', '-pw', 'xenserver', 'host-list', 'params=name-label', '--minimal']), 'xenserver-01\n')
  })

  it('a wrong password or user: Authentication failed; no user: Username/password must be specified', async () => {
    const bad = await xe(home, ['-s', '10.0.0.11', '-pw', 'nope', 'vm-list'])
    assert.deepEqual([bad.code, bad.stdout, bad.stderr], [1, '', "Authentication failed\nFor usage run: 'xe help'\n"])
    // no -pw: the client sends the literal password "null"
    assert.equal((await xe(home, ['-s', '10.0.0.11', 'vm-list'])).stderr, "Authentication failed\nFor usage run: 'xe help'\n")
    assert.equal((await xe(home, ['-s', '10.0.0.11', '-u', 'admin', '-pw', 'secret', 'vm-list'])).stderr, "Authentication failed\nFor usage run: 'xe help'\n")
    const none = await xe(home, ['-s', '10.0.0.11', '-u', '', '-pw', 'secret', 'vm-list'])
    assert.deepEqual([none.code, none.stderr], [1, "Username/password must be specified\nFor usage run: 'xe help'\n"])
  })

  it('a server nobody answers at: the thin client\'s own errors, exit 1', async () => {
    const ssl = await xe(home, ['-s', '10.9.9.9', 'vm-list'])
    assert.deepEqual([ssl.code, ssl.stdout, ssl.stderr], [1, '', 'Unable to contact server. Please check server and port settings.\n'])
    const name = await xe(home, ['-s', 'nohost', '--nossl', 'vm-list'])
    assert.deepEqual([name.code, name.stderr], [1, "No addrinfo found for host: nohost, port: 80Host 'nohost' not found.\n"])
    const port = await xe(home, ['-s', 'nohost', '-p', '8080', '--nossl', 'vm-list'])
    assert.equal(port.stderr, "No addrinfo found for host: nohost, port: 8080Host 'nohost' not found.\n")
    const ip = await xe(home, ['server=10.9.9.9', 'nossl=true', 'vm-list'])
    assert.deepEqual([ip.code, ip.stderr], [1, 'Error: Connection refused (calling connect )\n'])
  })

  it('the client connects before the server parses: an unreachable server fails first; a reachable one parses before the login', async () => {
    for (const args of [['no-such-verb'], ['help'], ['vm-param-get']]) {
      const r = await xe(home, ['-s', '10.9.9.9', ...args])
      assert.deepEqual([r.code, r.stdout, r.stderr], [1, '', 'Unable to contact server. Please check server and port settings.\n'], args[0])
    }
    const unknown = await xe(home, ['-s', '10.0.0.11', '-pw', 'wrong', 'no-such-verb'])
    assert.deepEqual([unknown.code, unknown.stderr], [1, "Unknown command: no-such-verb\nFor usage run: 'xe help'\n"])
    const help = await xe(home, ['-s', '10.0.0.11', 'help', 'vm-start'])
    assert.equal(help.code, 0)
  })

  it('xesim status covers every pool of the world, the first host\'s first', async () => {
    const st = await withWorld(home, false, (w) => worldStatus(w.scopes().map((scope) => w.pool(scope))))
    assert.equal(st.pools.length, 2)
    assert.deepEqual(st.hosts.map((h) => [h['name-label'], h.master]), [['xenserver-01', true], ['xenserver-02', true]])
  })

  it('host-add refuses an address or name already in the world', async () => {
    await assert.rejects(
      withWorld(home, true, (s) => addHost(s, { nameLabel: 'xenserver-03', address: '10.0.0.11', password: 'x', profile: 'xenserver-8' })),
      { message: 'a host with address 10.0.0.11 exists already (xenserver-02)' },
    )
    await assert.rejects(
      withWorld(home, true, (s) => addHost(s, { nameLabel: 'xenserver-01', address: '10.0.0.12', password: 'x', profile: 'xenserver-8' })),
      { message: 'a host named xenserver-01 exists already' },
    )
  })

  it('an object moved to another pool leaves one view and joins the other, keeping ref and uuid', async () => {
    const [s1, s2] = await withWorld(home, false, (s) => s.scopes())
    const moved = await withWorld(home, true, (s) => {
      const from = s.pool(s1!)
      const to = s.pool(s2!)
      const net = from.create('network', { name_label: 'wanderer', bridge: 'xapi99', other_config: [] })
      const sp = from.all('network').length
      const o = from.moveTo(to, net)
      assert.equal(from.all('network').length, sp - 1)
      assert.equal(to.tryGet(net.ref, 'network'), o)
      return net.f.uuid
    })
    assert.equal((await xe(home, ['network-list', `uuid=${moved}`, '--minimal'])).stdout, '\n')
    assert.equal(await names(['-s', '10.0.0.11', '-pw', 'secret', 'network-list', `uuid=${moved}`, 'params=name-label', '--minimal']), 'wanderer\n')
    // and back again, this time an object already stored
    await withWorld(home, true, (s) => {
      const from = s.pool(s2!)
      from.moveTo(s.pool(s1!), from.getByUuid('network', moved))
    })
    assert.equal(await names(['network-list', `uuid=${moved}`, 'params=name-label', '--minimal']), 'wanderer\n')
    assert.equal((await xe(home, ['-s', '10.0.0.11', '-pw', 'secret', 'network-list', `uuid=${moved}`, '--minimal'])).stdout, '\n')
  })
})
