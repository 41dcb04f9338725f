#!/usr/bin/env node
// npm run bench: what xesim costs, measured on this machine.
//  - start-up: xe commands against a bare `node -e 0`, side by side in one run (interleaved rounds, medians);
//  - scale: a pool of 8 hosts with 10 000 VMs built with `xesim init` (once, cached in the temp directory; the
//    build time is reported), and xe on it next to the same commands on the fresh default world (a guest's
//    vm-start + vm-shutdown among them);
//  - parallel writers: 100 concurrent `xe vm-param-set` processes on one world (distinct VMs, then one VM), the
//    updates per second and whether every update was kept.
// NODE_EXTRA_CA_CERTS is unset (on Node 20 it slows every start).
//   node scripts/bench.mjs [--rounds N] [--world DIR] [--big-world DIR] [--rebuild] [--no-scale] [--no-parallel]
import { spawn, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const arg = (name, dflt) => {
  const i = process.argv.indexOf(name)
  return i >= 0 ? process.argv[i + 1] : dflt
}
const flag = (name) => process.argv.includes(name)
const rounds = Number(arg('--rounds', '21'))
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'xesim-bench-'))
const home = arg('--world') ?? path.join(scratch, 'fresh')
const xe = path.join(root, 'bin', 'xe')
const xesim = path.join(root, 'bin', 'xesim')
const envFor = (h) => {
  const env = { ...process.env, XESIM_HOME: h }
  delete env.NODE_EXTRA_CA_CERTS
  delete env.XESIM_SEED
  return env
}
const run = (args, h = home) => spawnSync(process.execPath, args, { env: envFor(h), encoding: 'utf8', maxBuffer: 1 << 28 })
const must = (args, h = home) => {
  const r = run([xe, ...args], h)
  if (r.status !== 0) throw new Error(`xe ${args.join(' ')} failed: ${r.stderr}`)
  return r.stdout.trim()
}
const median = (a) => {
  const s = [...a].sort((x, y) => x - y)
  return s[s.length >> 1]
}
const ms = (t) => Number(process.hrtime.bigint() - t) / 1e6

/** Interleaved rounds of every case (two warm-up rounds); the median of each, in ms. */
function measure(cases, n) {
  const times = cases.map(() => [])
  for (let r = 0; r < n + 2; r++) {
    cases.forEach(([name, args, h], i) => {
      // a case is one command, or several run one after the other (timed together)
      const t = process.hrtime.bigint()
      for (const a of Array.isArray(args[0]) ? args : [args]) {
        const res = run(a, h)
        if (res.status !== 0) throw new Error(`${name} failed: ${res.stderr}`)
      }
      const d = ms(t)
      if (r >= 2) times[i].push(d)
    })
  }
  return times.map(median)
}
const line = (name, m, base, note = '') =>
  console.log(`${name.padEnd(34)} ${m.toFixed(1).padStart(8)} ms  ${(m / base).toFixed(2)}x node${note}`)

// ---------------------------------------------------------------------------------------------------------
// Start-up on the fresh default world.
const pool = must(['pool-list', '--minimal'])
const dom0 = must(['vm-list', 'is-control-domain=true', '--minimal']).split(',')[0]
const startup = [
  ['node -e 0', ['-e', '0']],
  ['xe vm-list --minimal', [xe, 'vm-list', '--minimal']],
  ['xe vm-param-get', [xe, 'vm-param-get', `uuid=${dom0}`, 'param-name=name-label']],
  ['xe pool-param-set', [xe, 'pool-param-set', `uuid=${pool}`, 'name-description=bench']],
  ['xe vm-param-set', [xe, 'vm-param-set', `uuid=${dom0}`, 'name-description=bench']],
]
const st = measure(startup, rounds)
const base = st[0]
console.log(`xesim bench: ${rounds} rounds, medians, ${os.cpus().length} cores, node ${process.version}`)
console.log(`-- start-up (fresh default world ${home})`)
startup.forEach(([name], i) => line(name, st[i], base))

// ---------------------------------------------------------------------------------------------------------
// Scale: 8 hosts, 10 000 VMs.
if (!flag('--no-scale')) {
  const big = arg('--big-world') ?? path.join(os.tmpdir(), 'xesim-bench-10k')
  const stamp = path.join(big, 'bench-build.json')
  let built
  if (flag('--rebuild') || !fs.existsSync(stamp)) {
    fs.rmSync(big, { recursive: true, force: true })
    fs.mkdirSync(big, { recursive: true })
    const t = process.hrtime.bigint()
    const r = spawnSync(process.execPath, [xesim, 'init', '--hosts', '8', '--vms', '10000', '--seed', '1'], { env: envFor(big), encoding: 'utf8' })
    if (r.status !== 0) throw new Error(`xesim init failed: ${r.stderr}`)
    built = { seconds: ms(t) / 1000, at: new Date().toISOString() }
    fs.writeFileSync(stamp, JSON.stringify(built))
  } else built = JSON.parse(fs.readFileSync(stamp, 'utf8'))
  console.log(`-- scale (8 hosts, 10000 VMs in ${big}; --rebuild to build it again)`)
  console.log(`${'xesim init --hosts 8 --vms 10000'.padEnd(34)} ${built.seconds.toFixed(1).padStart(8)} s   (built ${built.at})`)
  const guest = must(['vm-list', 'name-label=web01', '--minimal'], big)
  const bigDom0 = must(['vm-list', 'is-control-domain=true', '--minimal'], big).split(',')[0]
  // a halted guest of each world to start and shut down again
  const halted = must(['vm-list', 'power-state=halted', 'is-control-domain=false', '--minimal'], big).split(',')[0]
  const freshGuest = must(['vm-list', 'name-label=bench-guest', '--minimal']) || must(['vm-install', 'template=Debian Bookworm 12', 'new-name-label=bench-guest'])
  const cycle = (u) => [[xe, 'vm-start', `uuid=${u}`], [xe, 'vm-shutdown', `uuid=${u}`, '--force']]
  const cases = [
    ['node -e 0', ['-e', '0'], home],
    ['fresh: xe vm-param-set (dom0)', [xe, 'vm-param-set', `uuid=${dom0}`, 'name-description=x'], home],
    ['10k: xe vm-param-set (guest)', [xe, 'vm-param-set', `uuid=${guest}`, 'name-description=x'], big],
    ['10k: xe vm-param-set (dom0)', [xe, 'vm-param-set', `uuid=${bigDom0}`, 'name-description=x'], big],
    ['fresh: xe vm-list --minimal', [xe, 'vm-list', '--minimal'], home],
    ['10k: xe vm-list --minimal', [xe, 'vm-list', '--minimal'], big],
    ['fresh: xe vm-start + vm-shutdown', cycle(freshGuest), home],
    ['10k: xe vm-start + vm-shutdown', cycle(halted), big],
  ]
  const m = measure(cases, Math.max(5, Math.round(rounds / 2)))
  cases.forEach(([name], i) => {
    let note = ''
    if (i === 2 || i === 3) note = `  ${(m[i] / m[1]).toFixed(2)}x fresh (target <= 1.3x)`
    if (i === 5) note = `  (target < 1000 ms)`
    if (i === 7) note = `  ${(m[i] / m[6]).toFixed(2)}x fresh`
    line(name, m[i], m[0], note)
  })
}

// ---------------------------------------------------------------------------------------------------------
// 100 concurrent writers.
/** Starts n xe processes at once; resolves with the wall time (ms) and the failures. */
function concurrently(n, argsOf, h) {
  return new Promise((resolve) => {
    const t = process.hrtime.bigint()
    let left = n
    const failures = []
    for (let i = 0; i < n; i++) {
      const p = spawn(process.execPath, [xe, ...argsOf(i)], { env: envFor(h), stdio: ['ignore', 'ignore', 'pipe'] })
      let err = ''
      p.stderr.on('data', (d) => (err += d))
      p.on('close', (code) => {
        if (code !== 0) failures.push(`${i}: exit ${code}: ${err.trim()}`)
        if (--left === 0) resolve({ wall: ms(t), failures })
      })
    }
  })
}
if (!flag('--no-parallel')) {
  const N = 100
  const par = path.join(scratch, 'parallel')
  // 100 guests to write to: a seeded inventory of one host
  const r = spawnSync(process.execPath, [xesim, 'init', '--hosts', '2', '--vms', String(N)], { env: envFor(par), encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`xesim init failed: ${r.stderr}`)
  const vms = must(['vm-list', 'is-control-domain=false', 'is-a-template=false', 'is-a-snapshot=false', '--minimal'], par).split(',').slice(0, N)
  console.log(`-- ${N} concurrent writers (xe vm-param-set, one world)`)
  const distinct = await concurrently(N, (i) => ['vm-param-set', `uuid=${vms[i]}`, `name-description=writer-${i}`], par)
  const kept1 = vms.filter((u, i) => must(['vm-param-get', `uuid=${u}`, 'param-name=name-description'], par) === `writer-${i}`).length
  const same = await concurrently(N, (i) => ['vm-param-set', `uuid=${vms[0]}`, `other-config:writer-${i}=${i}`], par)
  const oc = must(['vm-param-get', `uuid=${vms[0]}`, 'param-name=other-config'], par)
  const kept2 = Array.from({ length: N }, (_, i) => oc.includes(`writer-${i}: ${i}`)).filter(Boolean).length
  for (const [name, res, kept] of [['distinct VMs', distinct, kept1], ['one VM (other-config keys)', same, kept2]]) {
    const rate = (N * 1000) / res.wall
    console.log(`${name.padEnd(34)} ${res.wall.toFixed(0).padStart(8)} ms  ${rate.toFixed(0)} updates/s, ${kept}/${N} kept${res.failures.length ? `, ${res.failures.length} failed: ${res.failures[0]}` : ''} (target >= 50/s, all kept)`)
  }
}
fs.rmSync(scratch, { recursive: true, force: true })
