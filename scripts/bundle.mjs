// bin/xe's start-up bundles (issue 6): the compiled modules that the commands scripts call most load, in generated
// files with V8's code cache for each. One file instead of dozens spares Node's resolver (stat, realpath, package
// scopes) for each module; the cache spares V8 parsing and compiling them.
//  - dist/xe-core.js: what listings and the param-get/-set family load (every command loads it);
//  - dist/xe-more.js: what the other everyday verbs (install, start, shut down, snapshot, devices, disks) load
//    beyond that, compiled only when one of its modules is first required.
// bin/xe falls back to dist/src when the bundles are missing or older than dist/src.
//
// Which modules, and what the caches hold, is learnt by running xe: a fresh world is made, then the training
// commands run once with plain modules (to list the modules they load) and once more on the bundles (to compile the
// functions they call, which V8 then writes into the caches; the second tier's runs write only its own cache, so
// the core's stays as small as its commands need). Modules outside the bundles still load from dist/src, and a
// module outside them that requires one inside gets the same instance (the loader registers the bundled modules in
// require.cache).
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

/** What scripts call thousands of times: the listings and the param-get/-set family. */
const coreTraining = (w) => [
  ['vm-list', '--minimal'],
  ['vm-list'],
  ['vm-param-get', `uuid=${w.dom0}`, 'param-name=name-label'],
  ['vm-param-set', `uuid=${w.dom0}`, 'name-description=xesim'],
]
/** The everyday verbs of provisioning and maintenance scripts, in an order in which each succeeds. */
const moreTraining = (w) => [
  ['vm-install', 'template=Debian Bookworm 12', 'new-name-label=installed'],
  ['vdi-create', `sr-uuid=${w.sr}`, 'name-label=trained', 'virtual-size=1GiB'],
  ['vbd-create', `vm-uuid=${w.vm}`, `vdi-uuid=${w.vdi}`, 'device=1'],
  ['vif-create', `vm-uuid=${w.vm}`, `network-uuid=${w.network}`, 'device=0'],
  ['vm-start', 'vm=trained'],
  ['vm-param-list', `uuid=${w.vm}`],
  ['vm-snapshot', 'vm=trained', 'new-name-label=trained-snapshot'],
  ['vm-shutdown', 'vm=trained', '--force'],
  ['sr-list'],
  ['vm-uninstall', `uuid=${w.vm}`, '--force'],
]

/** The runtime of xe-core.js: `(nodeRequire, root, compile) => load`; root is dist/src/ with its separator. */
const RUNTIME = `
const { dirname, join } = nodeRequire('path')
const done = Object.create(null)
const later = new Set(more)
let loadedMore = false
/** Whether the bundles hold key (compiling xe-more.js the first time one of its modules is wanted). */
function holds(key) {
  if (key in defs) return true
  if (!later.has(key) || loadedMore) return false
  loadedMore = true
  try {
    Object.assign(defs, compile('xe-more.js'))
  } catch {
    // not there: its modules load from dist/src
  }
  return key in defs
}
const inside = (abs) => {
  if (!abs.startsWith(root)) return undefined
  const key = abs.slice(root.length)
  for (const k of [key, key + '.js', key + '/index.js']) if (k in defs || later.has(k)) return k
  return undefined
}
function requireOf(filename) {
  const dir = dirname(filename)
  let outside
  return function require(spec) {
    const c = spec.charCodeAt(0)
    const key = c === 46 /* . */ ? inside(join(dir, spec)) : c === 47 /* / */ ? inside(spec) : undefined
    if (key !== undefined) return load(key)
    outside ??= nodeRequire('module').createRequire(filename)
    return outside(spec)
  }
}
function load(key) {
  let m = done[key]
  if (m) return m.exports
  const filename = root + key
  if (!holds(key)) {
    // the second tier could not be compiled: Node loads the file (this key leaves require.cache first)
    delete nodeRequire.cache[filename]
    return (done[key] = { exports: nodeRequire(filename) }).exports
  }
  m = done[key] = { id: filename, filename, loaded: false, exports: {} }
  defs[key].call(m.exports, m.exports, requireOf(filename), m, filename, dirname(filename))
  m.loaded = true
  return m.exports
}
for (const key of [...Object.keys(defs), ...more]) {
  const filename = root + key
  nodeRequire.cache[filename] = { id: filename, filename, loaded: true, children: [], paths: [], get exports() { return load(key) } }
}
return load
`

const moduleDefs = (srcRoot, keys) =>
  keys.map((key) => `${JSON.stringify(key)}: (function (exports, require, module, __filename, __dirname) {${fs.readFileSync(srcRoot + key, 'utf8')}\n}),`)

/** Builds dist/xe-core.js and dist/xe-more.js with their code caches; returns the number of modules of each. */
export function bundle(root) {
  const dist = path.join(root, 'dist')
  const srcRoot = path.join(dist, 'src') + path.sep
  const xe = path.join(root, 'bin', 'xe')
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'xesim-bundle-'))
  try {
    const env = { ...process.env, XESIM_HOME: home, HOME: home, XESIM_CORE: 'off', XESIM_SEED: '1' }
    const xeRun = (argv, core = 'off') => execFileSync(process.execPath, [xe, ...argv], { env: { ...env, XESIM_CORE: core }, encoding: 'utf8' }).trim()
    // the world first, so that building it is not part of what is learnt
    const w = { dom0: xeRun(['vm-list', 'is-control-domain=true', '--minimal']) }
    w.sr = xeRun(['sr-list', 'name-label=Local storage', '--minimal'])
    w.network = xeRun(['network-list', 'bridge=xenbr0', '--minimal'])
    w.vdi = xeRun(['vdi-create', `sr-uuid=${w.sr}`, 'name-label=trained-disk', 'virtual-size=1GiB'])
    w.vm = xeRun(['vm-install', 'template=Debian Bookworm 12', 'new-name-label=trained'])
    const state = path.join(home, 'before-training.db')
    fs.copyFileSync(path.join(home, 'world.db'), state)
    const recorder = path.join(home, 'record.cjs')
    const learn = (runs) => {
      const listed = path.join(home, 'modules.txt')
      fs.writeFileSync(recorder, `process.on('exit', () => require('fs').appendFileSync(${JSON.stringify(listed)}, Object.keys(require.cache).join('\\n') + '\\n'))\n`)
      fs.rmSync(listed, { force: true })
      for (const argv of runs) execFileSync(process.execPath, ['--require', recorder, xe, ...argv], { env, stdio: 'ignore' })
      // the world as it was, for the next runs
      for (const x of ['-wal', '-shm']) fs.rmSync(path.join(home, `world.db${x}`), { force: true })
      fs.copyFileSync(state, path.join(home, 'world.db'))
      return new Set(fs.readFileSync(listed, 'utf8').split('\n').filter((f) => f.startsWith(srcRoot) && f.endsWith('.js')).map((f) => f.slice(srcRoot.length)))
    }
    const core = [...learn(coreTraining(w))].sort()
    const more = [...learn(moreTraining(w))].filter((k) => !core.includes(k)).sort()
    const files = { core: path.join(dist, 'xe-core.js'), more: path.join(dist, 'xe-more.js') }
    for (const f of Object.values(files)) fs.rmSync(`${f}.cache`, { force: true })
    fs.writeFileSync(files.more, ['// Generated by scripts/bundle.mjs: the second tier of xe-core.js. Do not edit.', '({', ...moduleDefs(srcRoot, more), '})', ''].join('\n'))
    fs.writeFileSync(
      files.core,
      [
        '// Generated by scripts/bundle.mjs: the modules of dist/src that most xe commands load, for bin/xe. Do not edit.',
        '(function (nodeRequire, root, compile) {',
        "'use strict'",
        'const defs = {',
        ...moduleDefs(srcRoot, core),
        '}',
        `/** the modules of xe-more.js */\nconst more = ${JSON.stringify(more)}`,
        RUNTIME.trim(),
        '})',
        '',
      ].join('\n'),
    )
    // each run starts from the caches the previous one wrote, so the last one holds what all of them compiled
    for (const argv of coreTraining(w)) xeRun(argv, 'train:xe-core.js')
    for (const argv of moreTraining(w)) xeRun(argv, 'train:xe-more.js')
    return { core: core.length, more: more.length }
  } finally {
    fs.rmSync(home, { recursive: true, force: true })
  }
}
