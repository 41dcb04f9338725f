// End to end: a provisioning script, run unchanged by bash against bin/xe, starts a VM and polls
// `xe vm-param-get … param-name=networks param-key=0/ip` until the guest agent has reported an address
// (xapi-model.md §4.3: guest metrics appear when the agent reports; xe-cli-behaviour.md §3.4 param-get).
import assert from 'node:assert/strict'
import { cleanupHomes, XE } from '../helpers'
import { installVms, seededWorld } from '../vm-fixtures'

let execa: typeof import('execa').execa
before(async () => {
  ;({ execa } = await import('execa'))
})

const SCRIPT = `
set -e
uuid=$(xe vm-list name-label=web01 --minimal)
xe vm-start uuid=$uuid
tries=0
ip=""
while [ -z "$ip" ]; do
  tries=$((tries + 1))
  [ $tries -le 30 ] || { echo "no address" >&2; exit 1; }
  ip=$(xe vm-param-get uuid=$uuid param-name=networks param-key=0/ip 2>/dev/null || true)
  [ -n "$ip" ] || sleep 1
done
echo "ip=$ip tries=$tries"
xe vm-param-get uuid=$uuid param-name=power-state
xe vm-shutdown uuid=$uuid
xe vm-param-get uuid=$uuid param-name=power-state
`

describe('e2e: start a VM and wait for its address (§4.3)', function () {
  this.timeout(60000)
  after(cleanupHomes)

  it('a polling script gets the guest\'s address at its first poll, and it is not the host\'s', async () => {
    const home = await seededWorld(5)
    await installVms(home, { name: 'web01' })
    const bin = XE.replace(/\/xe$/, '')
    const env = { XESIM_HOME: home, HOME: home, PATH: `${bin}:${process.env.PATH}` }
    const r = await execa('bash', ['-c', SCRIPT], { env, reject: false })
    assert.equal(r.stderr, '')
    assert.equal(r.exitCode, 0)
    assert.equal(r.stdout, 'ip=10.0.0.100 tries=1\nrunning\nhalted')
  })

  it('event-wait on power-state=running, then the address, from another process', async () => {
    const home = await seededWorld(6)
    const [uuid] = await installVms(home, { name: 'web01' })
    const env = { XESIM_HOME: home, HOME: home }
    const waiter = execa(XE, ['event-wait', 'class=vm', `uuid=${uuid}`, 'power-state=running'], { env, reject: false })
    await new Promise((r) => setTimeout(r, 300))
    assert.equal(waiter.exitCode, null, 'still waiting')
    await execa(XE, ['vm-start', `uuid=${uuid}`], { env })
    assert.equal((await waiter).exitCode, 0)
    const ip = await execa(XE, ['vm-param-get', `uuid=${uuid}`, 'param-name=networks', 'param-key=0/ip'], { env })
    assert.equal(ip.stdout, '10.0.0.100')
  })
})
