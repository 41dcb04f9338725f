#!/usr/bin/env node
// npm run bench: start-up cost of xe against a bare `node -e 0`, measured side by side in one run
// (interleaved rounds, medians), with NODE_EXTRA_CA_CERTS unset (on Node 20 it slows every start).
//   node scripts/bench.mjs [--rounds N] [--world DIR]
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const arg = (name, dflt) => {
  const i = process.argv.indexOf(name)
  return i >= 0 ? process.argv[i + 1] : dflt
}
const rounds = Number(arg('--rounds', '21'))
const home = arg('--world') ?? fs.mkdtempSync(path.join(os.tmpdir(), 'xesim-bench-'))
const env = { ...process.env, XESIM_HOME: home }
delete env.NODE_EXTRA_CA_CERTS
const xe = path.join(root, 'bin', 'xe')
const run = (args) => spawnSync(process.execPath, args, { env, encoding: 'utf8' })
const must = (args) => {
  const r = run([xe, ...args])
  if (r.status !== 0) throw new Error(`xe ${args.join(' ')} failed: ${r.stderr}`)
  return r.stdout.trim()
}
const pool = must(['pool-list', '--minimal'])
const vm = must(['vm-list', 'is-control-domain=true', '--minimal']).split(',')[0]

const cases = [
  ['node -e 0', ['-e', '0']],
  ['xe vm-list --minimal', [xe, 'vm-list', '--minimal']],
  ['xe vm-param-get', [xe, 'vm-param-get', `uuid=${vm}`, 'param-name=name-label']],
  ['xe pool-param-set', [xe, 'pool-param-set', `uuid=${pool}`, 'name-description=bench']],
]
const times = cases.map(() => [])
for (let r = 0; r < rounds + 2; r++) {
  cases.forEach(([, args], i) => {
    const t = process.hrtime.bigint()
    const res = run(args)
    const ms = Number(process.hrtime.bigint() - t) / 1e6
    if (res.status !== 0) throw new Error(`${cases[i][0]} failed: ${res.stderr}`)
    if (r >= 2) times[i].push(ms) // two warm-up rounds
  })
}
const median = (a) => {
  const s = [...a].sort((x, y) => x - y)
  return s[s.length >> 1]
}
const base = median(times[0])
console.log(`xesim bench: ${rounds} rounds, medians, world ${home}`)
for (const [i, [name]] of cases.entries()) {
  const m = median(times[i])
  console.log(`${name.padEnd(24)} ${m.toFixed(1).padStart(7)} ms  ${(m / base).toFixed(2)}x node`)
}
if (!arg('--world')) fs.rmSync(home, { recursive: true, force: true })
