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

  it('12 concurrent vm-start processes: each guest gets its own domid and address, the host memory adds up', async () => {
    // the pool-wide figures a start reads (highest domid, addresses in use, host memory) come from the store's
    // indexes in each process's own transaction; processes queue on the write lock, so none sees a stale one
    const home = await seededWorld(9)
    const specs = Array.from({ length: 12 }, (_, i) => ({ name: `par${i}`, memory: 1024 * 1024 * 1024 }))
    const uuids = await installVms(home, ...specs)
    const env = { XESIM_HOME: home, HOME: home, NODE_EXTRA_CA_CERTS: undefined }
    const runs = await Promise.all(uuids.map((u) => execa(XE, ['vm-start', `uuid=${u}`], { env, reject: false })))
    for (const r of runs) assert.equal(r.exitCode, 0, r.stderr)
    const get = async (u: string, p: string, k?: string) => (await execa(XE, ['vm-param-get', `uuid=${u}`, `param-name=${p}`, ...(k ? [`param-key=${k}`] : [])], { env })).stdout
    const domids = await Promise.all(uuids.map((u) => get(u, 'dom-id')))
    const ips = await Promise.all(uuids.map((u) => get(u, 'networks', '0/ip')))
    assert.equal(new Set(domids).size, 12, domids.join(' '))
    assert.deepEqual([...domids].map(Number).sort((a, b) => a - b), Array.from({ length: 12 }, (_, i) => i + 1))
    assert.equal(new Set(ips).size, 12, ips.join(' '))
    // free memory as the host computes it equals the total less dom0 and the twelve guests' shares
    const host = (await execa(XE, ['host-list', '--minimal'], { env })).stdout
    const free = Number((await execa(XE, ['host-compute-free-memory', `host=${host}`], { env })).stdout)
    const shut = await Promise.all(uuids.slice(0, 6).map((u) => execa(XE, ['vm-shutdown', `uuid=${u}`, '--force'], { env, reject: false })))
    for (const r of shut) assert.equal(r.exitCode, 0, r.stderr)
    const overheads = await Promise.all(uuids.slice(0, 6).map((u) => get(u, 'memory-overhead')))
    const freed = overheads.reduce((n, o) => n + 1024 * 1024 * 1024 + Number(o), 0)
    assert.equal(Number((await execa(XE, ['host-compute-free-memory', `host=${host}`], { env })).stdout), free + freed)
  })
})

