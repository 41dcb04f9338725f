// xesim's tools for people and CI (issue 7): world diffs (src/engine/diff.ts, `xesim diff`), the pool
// overview (src/engine/status.ts, `xesim status`) and xe's shell completion (src/cli/complete.ts,
// `xesim completion`). The formats are xesim's own (issue 7); field names and values follow xe's records:
// names from src/tables/records (xe-cli-behaviour.md §3.2), values as xe renders them (§3.3: refs as
// uuids, `<not in database>` for null refs, maps `k: v; …`, sets `a; b`).
import assert from 'node:assert/strict'
import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Chalk } from 'chalk'
import { cliFieldName, diffWorlds, snapshotFile, snapshotHome } from '../../src/engine/diff'
import { WorldStateError } from '../../src/engine/errors'
import { guestAddresses, poolStatus } from '../../src/engine/status'
import { withWorld } from '../../src/engine/world'
import { complete, completeMain, lineFromWords } from '../../src/cli/complete'
import { bashCompletion, zshCompletion } from '../../src/cli/completion-scripts'
import { shellWords, splitLine } from '../../src/cli/shell-words'
import { diffJson, formatBytes, renderDiff, renderStatus } from '../../src/cli/xesim-view'
import { cleanupHomes, repoRoot, seededHome, tmpHome, xe, XESIM } from '../helpers'

let execa: typeof import('execa').execa
before(async () => {
  ;({ execa } = await import('execa'))
})

const COMPLETE = join(repoRoot, 'bin', 'xesim-complete')
const ok = async (home: string, args: string[]) => {
  const r = await xe(home, args)
  assert.equal(r.code, 0, `xe ${args.join(' ')}: ${r.stderr}`)
  return r.stdout.trim()
}
const xesim = (home: string, args: string[], env: NodeJS.ProcessEnv = {}) =>
  execa(XESIM, args, { env: { XESIM_HOME: home, HOME: home, FORCE_COLOR: undefined, NO_COLOR: undefined, ...env }, reject: false, stripFinalNewline: false })
const ESC = '\x1b['

/** A seeded world with web01 installed (not started) and the pool named lab; returns the uuids. */
async function installScenario(home: string) {
  const vm = await ok(home, ['vm-install', 'template=Debian Bookworm 12', 'new-name-label=web01'])
  const pool = await ok(home, ['pool-list', '--minimal'])
  await ok(home, ['pool-param-set', `uuid=${pool}`, 'name-label=lab'])
  const vbd = await ok(home, ['vbd-list', `vm-uuid=${vm}`, '--minimal', 'params=uuid'])
  const vdi = await ok(home, ['vbd-list', `vm-uuid=${vm}`, '--minimal', 'params=vdi-uuid'])
  const sr = await ok(home, ['sr-list', 'name-label=Local storage', '--minimal'])
  return { vm, pool, vbd, vdi, sr }
}

describe('xesim tools (issue 7)', function () {
  this.timeout(60000)
  after(cleanupHomes)

  describe('world diff (src/engine/diff.ts)', () => {
    it('reports exactly the objects vm-install and pool-param-set created and changed, with xe field names', async () => {
      const home = await seededHome(3)
      const before = await snapshotHome(home)
      const u = await installScenario(home)
      const changes = diffWorlds(before, await snapshotHome(home))
      const brief = changes.map((c) => [c.change, c.class, c.uuid, c['name-label']])
      assert.deepEqual(brief, [
        ['created', 'vm', u.vm, 'web01'],
        ['created', 'vdi', u.vdi, '0'],
        ['created', 'vbd', u.vbd, ''],
        ['changed', 'pool', u.pool, 'lab'],
        ['changed', 'sr', u.sr, 'Local storage'],
      ])
      // the VM's VM_metrics and the VBD's VBD_metrics are part of them, not objects of their own (§3.3)
      assert.ok(!changes.some((c) => /metrics/i.test(c.class)))
      assert.deepEqual(changes[3]!.fields, [{ field: 'name-label', before: '', after: 'lab' }])
      const virtual = Number(await ok(home, ['vdi-param-get', `uuid=${u.vdi}`, 'param-name=virtual-size']))
      const sr = changes[4]!.fields!
      assert.deepEqual(sr.map((f) => f.field), ['virtual-allocation', 'physical-utilisation'])
      assert.deepEqual(sr[0], { field: 'virtual-allocation', before: '0', after: String(virtual) })
      assert.equal(sr[1]!.after, await ok(home, ['sr-param-get', `uuid=${u.sr}`, 'param-name=physical-utilisation']))
    })

    it('a pool added to the world is reported whole, its RBAC roles too (their refs repeat in every pool)', async () => {
      const { withWorld } = await import('../../src/engine/world')
      const { addHost } = await import('../../src/engine/world/pools')
      const home = await seededHome(5)
      const before = await snapshotHome(home)
      const roles = [...before.values()].filter((r) => r.cls === 'role').length
      await withWorld(home, true, (s) => addHost(s, { nameLabel: 'xenserver-02', address: '10.0.0.12', password: 'xenserver', profile: 'xenserver-8' }))
      const after = await snapshotHome(home)
      // every object of the first pool is still there under the same key
      for (const k of before.keys()) assert.ok(after.has(k), k)
      const created = diffWorlds(before, after).filter((c) => c.change === 'created')
      assert.equal(created.filter((c) => c.class === 'role').length, roles)
      assert.ok(created.some((c) => c.class === 'host' && c['name-label'] === 'xenserver-02'))
      assert.ok(!diffWorlds(before, after).some((c) => c.change !== 'created'), 'the first pool is untouched')
    })

    it('folds metrics into their owner: vm-start changes power-state, resident-on, memory-actual and the guest networks', async () => {
      const home = await seededHome(4)
      const vm = await ok(home, ['vm-install', 'template=Debian Bookworm 12', 'new-name-label=web01'])
      const net = await ok(home, ['network-list', 'bridge=xenbr0', '--minimal'])
      await ok(home, ['vif-create', `vm-uuid=${vm}`, `network-uuid=${net}`, 'device=0'])
      const before = await snapshotHome(home)
      await ok(home, ['vm-start', `uuid=${vm}`])
      const changes = diffWorlds(before, await snapshotHome(home))
      const c = changes.find((x) => x.uuid === vm)!
      assert.equal(c.change, 'changed')
      const f = new Map(c.fields!.map((x) => [x.field, x]))
      assert.deepEqual(f.get('power-state'), { field: 'power-state', before: 'Halted', after: 'Running' })
      const host = await ok(home, ['host-list', '--minimal'])
      // a null reference is `<not in database>`, a reference the uuid of its object (§3.3)
      assert.deepEqual(f.get('resident-on'), { field: 'resident-on', before: '<not in database>', after: host })
      assert.equal(f.get('memory-actual')!.after, await ok(home, ['vm-param-get', `uuid=${vm}`, 'param-name=memory-actual']))
      // the guest metrics appear with the start: their fields have no value before
      assert.equal(f.get('networks')!.before, undefined)
      assert.equal(f.get('networks')!.after, await ok(home, ['vm-param-get', `uuid=${vm}`, 'param-name=networks']))
      assert.ok(!changes.some((x) => /metrics/i.test(x.class)))
    })

    it('reports destroyed objects (vm-uninstall) and nothing for a read-only command', async () => {
      const home = await seededHome(5)
      const u = await installScenario(home)
      const before = await snapshotHome(home)
      await ok(home, ['vm-list'])
      assert.deepEqual(diffWorlds(before, await snapshotHome(home)), [])
      await ok(home, ['vm-uninstall', `uuid=${u.vm}`, '--force'])
      const changes = diffWorlds(before, await snapshotHome(home))
      assert.deepEqual(changes.filter((c) => c.change === 'destroyed').map((c) => [c.class, c.uuid]), [['vm', u.vm], ['vdi', u.vdi], ['vbd', u.vbd]])
      assert.deepEqual(changes.filter((c) => c.change !== 'destroyed').map((c) => c.class), ['sr'])
    })

    it("maps datamodel fields to xe's CLI names; fields xe does not show keep their datamodel name", () => {
      assert.equal(cliFieldName('VM', 'name_label'), 'name-label')
      assert.equal(cliFieldName('VM', 'VCPUs_at_startup'), 'VCPUs-at-startup')
      assert.equal(cliFieldName('VBD', 'VM'), 'vm-uuid')
      assert.equal(cliFieldName('VDI', 'SR'), 'sr-uuid')
      assert.equal(cliFieldName('SR', 'PBDs'), 'PBDs')
      assert.equal(cliFieldName('PCI', 'pci_id'), 'pci-id')
      assert.equal(cliFieldName('VM_metrics', 'memory_actual'), 'memory-actual')
      assert.equal(cliFieldName('VM_guest_metrics', 'networks'), 'networks')
      assert.equal(cliFieldName('VM', 'memory_target'), 'memory_target')
    })

    it('reads saved worlds read-only, and refuses what is not one', async () => {
      const home = await seededHome(6)
      const file = join(tmpHome(), 'a.db')
      const r = await xesim(home, ['state', 'save', file])
      assert.equal(r.exitCode, 0, r.stderr)
      const fromFile = snapshotFile(file)
      assert.deepEqual([...fromFile.keys()], [...(await snapshotHome(home)).keys()])
      assert.deepEqual([...snapshotFile(home).keys()], [...fromFile.keys()]) // a world directory works too
      assert.throws(() => snapshotFile(join(home, 'nope.db')), { message: `${join(home, 'nope.db')} does not exist` })
      const junk = join(tmpHome(), 'junk.db')
      writeFileSync(junk, 'not a database at all, just some text that is long enough to have a header\n'.repeat(20))
      assert.throws(() => snapshotFile(junk), (e: unknown) => e instanceof WorldStateError && e.reason === 'it is not an xesim world (not a database)')
    })
  })

  describe('xesim diff A B', () => {
    it('prints the changes between two saved worlds as a table or JSON; exit 1 when they differ, 0 when not, 2 on errors', async () => {
      const home = await seededHome(7)
      const dir = tmpHome()
      const [a, b] = [join(dir, 'a.db'), join(dir, 'b.db')]
      assert.equal((await xesim(home, ['state', 'save', a])).exitCode, 0)
      const u = await installScenario(home)
      assert.equal((await xesim(home, ['state', 'save', b])).exitCode, 0)

      const table = await xesim(home, ['diff', a, b])
      assert.equal(table.exitCode, 1, table.stderr)
      assert.ok(!table.stdout.includes(ESC), 'plain when not a terminal')
      const rows = table.stdout.split('\n')
      assert.match(rows[1]!, /│\s+│ class │ uuid\s+│ name-label\s+│ field\s+│ before\s+│ after\s+│/)
      assert.ok(rows.some((l) => l.startsWith(`│ + │ vm    │ ${u.vm} │ web01`) && l.includes('created')), table.stdout)
      assert.ok(rows.some((l) => l.startsWith(`│ ~ │ pool  │ ${u.pool} │ lab`) && /│ name-label\s+│\s+│ lab\s+│$/.test(l)), table.stdout)
      assert.equal(rows.at(-2), '3 created, 2 changed, 0 destroyed.')

      const json = await xesim(home, ['diff', '--json', a, b])
      assert.equal(json.exitCode, 1)
      assert.deepEqual(JSON.parse(json.stdout), diffWorlds(snapshotFile(a), snapshotFile(b)))

      const same = await xesim(home, ['diff', a, a])
      assert.deepEqual([same.exitCode, same.stdout], [0, 'No changes.\n'])
      const sameJson = await xesim(home, ['diff', '--json', b, b])
      assert.deepEqual([sameJson.exitCode, sameJson.stdout], [0, '[]\n'])

      const missing = await xesim(home, ['diff', a, join(dir, 'c.db')])
      assert.equal(missing.exitCode, 2)
      assert.match(missing.stderr, new RegExp(`Error: ${join(dir, 'c.db').replace(/[.]/g, '\\.')} does not exist`))
    })

    it('renders created, changed and destroyed rows, long values wrapped, absent values as (none)', () => {
      const out = renderDiff(
        [
          { change: 'destroyed', class: 'vdi', uuid: 'u1', 'name-label': 'old', ref: 'r1' },
          { change: 'changed', class: 'vm', uuid: 'u2', 'name-label': 'web', ref: 'r2', fields: [{ field: 'networks', after: '0/ip: 10.0.0.1' }, { field: 'other-config', before: 'x'.repeat(60), after: '' }] },
        ],
        new Chalk({ level: 0 }),
        80,
      )
      assert.ok(out.includes('│ - │ vdi   │ u1   │ old        │ destroyed'), out)
      assert.ok(out.includes('(none)'))
      assert.ok(out.split('\n').every((l) => l.length <= 120))
      assert.ok(out.endsWith('0 created, 1 changed, 1 destroyed.\n'))
      assert.equal(diffJson([]), '[]\n')
    })
  })

  describe('xesim status', () => {
    it('gathers hosts, VMs (no templates, snapshots or dom0) and SRs', async () => {
      const home = await seededHome(8)
      const vm = await ok(home, ['vm-install', 'template=Debian Bookworm 12', 'new-name-label=web01'])
      await ok(home, ['vm-install', 'template=Debian Bookworm 12', 'new-name-label=db01'])
      const net = await ok(home, ['network-list', 'bridge=xenbr0', '--minimal'])
      await ok(home, ['vif-create', `vm-uuid=${vm}`, `network-uuid=${net}`, 'device=0'])
      await ok(home, ['vm-start', `uuid=${vm}`])
      await ok(home, ['vm-snapshot', `uuid=${vm}`, 'new-name-label=snap'])
      const s = await withWorld(home, false, ({ db }) => poolStatus(db))
      const host = await ok(home, ['host-list', '--minimal'])
      assert.equal(s.hosts.length, 1)
      const h = s.hosts[0]!
      assert.deepEqual([h.uuid, h.master, h.enabled, h.live], [host, true, true, true])
      assert.equal(h['memory-total'], Number(await ok(home, ['host-param-get', `uuid=${host}`, 'param-name=memory-total'])))
      assert.equal(h['memory-used'] + h['memory-free'], h['memory-total'])
      assert.deepEqual(s.vms.map((v) => [v['name-label'], v['power-state'], v.host]), [['db01', 'halted', ''], ['web01', 'running', 'xenserver-01']])
      const web = s.vms[1]!
      assert.equal(web.memory, Number(await ok(home, ['vm-param-get', `uuid=${vm}`, 'param-name=memory-actual'])))
      assert.equal(web.VCPUs, Number(await ok(home, ['vm-param-get', `uuid=${vm}`, 'param-name=VCPUs-number'])))
      assert.equal(web.IPs[0], await ok(home, ['vm-param-get', `uuid=${vm}`, 'param-name=networks', 'param-key=0/ip']))
      assert.deepEqual(s.srs.map((r) => [r['name-label'], r.type]), [['DVD drives', 'udev'], ['Local storage', 'lvm'], ['Removable storage', 'udev']])
      assert.deepEqual(guestAddresses([['0/ip', '10.0.0.5'], ['0/ipv4/0', '10.0.0.5'], ['0/ipv6/0', 'fe80::1'], ['1/mac', 'x']]), ['10.0.0.5', 'fe80::1'])
      assert.equal(formatBytes(2 * 1024 ** 3), '2.0 GiB')
      assert.equal(formatBytes(512), '512 B')

      const coloured = renderStatus(s, new Chalk({ level: 1 }))
      const plain = renderStatus(s, new Chalk({ level: 0 }))
      assert.ok(coloured.includes(`${ESC}32mrunning${ESC}39m`), 'running in green')
      assert.ok(!plain.includes(ESC))
      assert.equal(coloured.replace(/\x1b\[\d+m/g, ''), plain, 'colours change nothing else')
      assert.match(plain, /^Pool \S+: 1 host, 2 VMs, 3 SRs\n/)
      assert.match(plain, /│ web01 │ running\s+│ xenserver-01 │\s+2\.0 GiB │\s+1 │ 10\.0\.0\.\d+/)
    })

    it('prints colours with FORCE_COLOR, none with NO_COLOR or when not a terminal, and JSON with --json', async () => {
      const home = await seededHome(9)
      await ok(home, ['vm-install', 'template=Debian Bookworm 12', 'new-name-label=web01'])
      const piped = await xesim(home, ['status'])
      assert.equal(piped.exitCode, 0, piped.stderr)
      assert.ok(!piped.stdout.includes(ESC), 'not a terminal: plain')
      assert.match(piped.stdout, /^Pool .*: 1 host, 1 VM, 3 SRs\n\nHosts\n┌/)
      assert.match(piped.stdout, /│ web01 │ halted\s+│\s+│\s+2\.0 GiB │\s+1 │\s+│/)
      const forced = await xesim(home, ['status'], { FORCE_COLOR: '1' })
      assert.ok(forced.stdout.includes(`${ESC}1mHosts${ESC}22m`), forced.stdout)
      assert.equal(forced.stdout.replace(/\x1b\[\d+m/g, ''), piped.stdout)
      const noColor = await xesim(home, ['status'], { FORCE_COLOR: '1', NO_COLOR: '1' })
      assert.equal(noColor.stdout, piped.stdout)
      const json = await xesim(home, ['status', '--json'])
      const s = JSON.parse(json.stdout)
      assert.deepEqual(Object.keys(s), ['pools', 'hosts', 'vms', 'srs'])
      assert.deepEqual(s, await withWorld(home, false, ({ db }) => JSON.parse(JSON.stringify(poolStatus(db)))))
    })

    it('is coloured on a terminal (a pseudo-terminal through script(1)), plain there with NO_COLOR', async function () {
      const which = await execa('sh', ['-c', 'command -v script'], { reject: false })
      if (which.exitCode !== 0) this.skip()
      const home = await seededHome(10)
      const run = (env: NodeJS.ProcessEnv) => execa('script', ['-qec', `${XESIM} status`, '/dev/null'], {
          // a terminal as people have one: TERM set, not inside a CI job (chalk keeps colours off in CI)
          env: { XESIM_HOME: home, HOME: home, FORCE_COLOR: undefined, NO_COLOR: undefined, CI: undefined, TERM: 'xterm-256color', ...env },
          reject: false,
        })
      const tty = await run({})
      assert.equal(tty.exitCode, 0, tty.stderr)
      assert.ok(tty.stdout.includes(ESC), 'colours on a terminal')
      assert.ok(!(await run({ NO_COLOR: '1' })).stdout.includes(ESC))
    })
  })

  describe('completion', () => {
    const env = (home: string) => ({ XESIM_HOME: home, HOME: home })

    it('offers verbs, then parameters (name= and map:), skipping those given', async () => {
      const home = await seededHome(11)
      assert.deepEqual(complete({ shell: 'bash', line: 'xe vm-star', cur: 'vm-star', env: env(home) }), ['vm-start'])
      assert.ok(complete({ shell: 'bash', line: 'xe ', cur: '', env: env(home) }).length > 300)
      assert.ok(!complete({ shell: 'bash', line: 'xe ', cur: '', env: env(home) }).includes('blob-get'), 'hidden verbs are not offered')
      assert.deepEqual(complete({ shell: 'bash', line: 'xe help vm-unin', cur: 'vm-unin', env: env(home) }), ['vm-uninstall'])
      // vm-start: <vm-selectors> (vm=) and its optional parameters, as in commands.json
      assert.deepEqual(complete({ shell: 'bash', line: 'xe vm-start ', cur: '', env: env(home) }), ['vm=', 'force=', 'on=', 'paused='])
      assert.deepEqual(complete({ shell: 'bash', line: 'xe vm-install new-name-label=a ', cur: '', env: env(home) }), ['sr-name-label=', 'sr-uuid=', 'template=', 'copy-bios-strings-from='])
      assert.deepEqual(complete({ shell: 'bash', line: 'xe pool-param-set other', cur: 'other', env: env(home) }), ['other-config:'])
      assert.deepEqual(complete({ shell: 'bash', line: 'xe vm-list --mi', cur: '--mi', env: env(home) }), ['--minimal'])
      assert.deepEqual(complete({ shell: 'bash', line: 'xe no-such-verb ', cur: '', env: env(home) }), [])
    })

    it('offers names and uuids from the world for vm=, template=, uuid=, sr-uuid=, network-uuid=, host=, params=', async () => {
      const home = await seededHome(12)
      const vm = await ok(home, ['vm-install', 'template=Debian Bookworm 12', 'new-name-label=web01'])
      await ok(home, ['vm-install', 'template=Debian Bookworm 12', 'new-name-label=web02'])
      const c = (line: string, cur: string) => complete({ shell: 'bash', line, cur, env: env(home) })
      assert.deepEqual(c('xe vm-start vm=we', 'vm=we'), ['vm=web01', 'vm=web02'])
      assert.deepEqual(c('xe vm-start vm=we', 'we'), ['web01', 'web02'], "bash's word after the = only")
      assert.deepEqual(c('xe vm-install template=Debian\\ Bo', 'template=Debian\\ Bo'), ['template=Debian\\ Bookworm\\ 12'])
      const vms = (await ok(home, ['vm-list', '--minimal'])).split(',') // dom0 included, as vm-list has it
      assert.ok(vms.includes(vm))
      assert.deepEqual(c('xe vm-param-list uuid=', 'uuid=').sort(), vms.map((u) => `uuid=${u}`).sort())
      const srs = (await ok(home, ['sr-list', '--minimal'])).split(',')
      assert.deepEqual(c('xe vm-install sr-uuid=', '').sort(), srs.sort())
      const nets = (await ok(home, ['network-list', '--minimal'])).split(',')
      assert.deepEqual(c('xe vif-create network-uuid=', '').sort(), nets.sort())
      assert.deepEqual(c('xe host-disable host=', ''), ['xenserver-01'])
      assert.deepEqual(c('xe vm-list params=uuid,name-l', 'uuid,name-l'), ['uuid,name-label'])
      const templates = c('xe vm-install template=', '')
      assert.ok(templates.includes('Debian\\ Bookworm\\ 12') && !templates.includes('web01'))
      // a world that does not exist offers no values and is not created
      const none = join(tmpHome(), 'no-world')
      assert.deepEqual(complete({ shell: 'bash', line: 'xe vm-start vm=', cur: '', env: env(none) }), [])
      assert.equal(existsSync(none), false)
    })

    it('rebuilds the line from COMP_WORDS split at = and :, and splits lines as the shell does', () => {
      assert.equal(lineFromWords(['xe', 'vm-start', 'vm', '=', 'we'], 4), 'xe vm-start vm=we')
      assert.equal(lineFromWords(['xe', 'vm-start', 'vm', '='], 3), 'xe vm-start vm=')
      assert.equal(lineFromWords(['xe', 'pool-param-set', 'other-config', ':', 'a', '=', 'b', 'x'], 7), 'xe pool-param-set other-config:a=b x')
      assert.deepEqual(splitLine('xe a "b c" d\\ e \'f g', true).map((w) => w.value), ['xe', 'a', 'b c', 'd e', 'f g'])
      assert.deepEqual(splitLine('xe a ', true).map((w) => w.raw), ['xe', 'a', ''])
      assert.deepEqual(shellWords('--hosts 2 --vms "5"'), ['--hosts', '2', '--vms', '5'])
      assert.equal(completeMain(['fish', '--line', 'xe ']), '')
    })

    it('bash: the printed script completes verbs, parameters and VM names through COMP_WORDS/COMP_CWORD', async () => {
      const home = await seededHome(13)
      await ok(home, ['vm-install', 'template=Debian Bookworm 12', 'new-name-label=web01'])
      const script = (await xesim(home, ['completion', 'bash'])).stdout
      assert.equal(script, bashCompletion())
      assert.ok(script.includes(COMPLETE))
      const drive = (setup: string) =>
        execa('bash', ['-c', `source /dev/stdin <<'EOF'\n${script}EOF\n${setup}\n_xesim_xe; printf '%s\\n' "\${COMPREPLY[@]}"; complete -p xe`], { env: env(home), reject: false, stripFinalNewline: false })
      const verbs = await drive('COMP_WORDS=(xe vm-sta); COMP_CWORD=1')
      assert.equal(verbs.stdout, 'vm-start\ncomplete -F _xesim_xe xe\n', verbs.stderr)
      const params = await drive('COMP_WORDS=(xe vm-start ""); COMP_CWORD=2')
      assert.equal(params.stdout, 'vm=\nforce=\non=\npaused=\ncomplete -F _xesim_xe xe\n')
      // as bash splits it (COMP_WORDBREAKS has = and :), with and without COMP_LINE
      const names = await drive('COMP_WORDS=(xe vm-start vm = we); COMP_CWORD=4')
      assert.equal(names.stdout, 'web01\ncomplete -F _xesim_xe xe\n')
      const line = await drive('COMP_LINE="xe vm-start vm=we"; COMP_POINT=${#COMP_LINE}; COMP_WORDS=(xe vm-start vm = we); COMP_CWORD=4')
      assert.equal(line.stdout, 'web01\ncomplete -F _xesim_xe xe\n')
      const spaced = await drive('COMP_LINE="xe vm-install template=Debian\\\\ Book"; COMP_POINT=${#COMP_LINE}; COMP_WORDS=(xe vm-install template = "Debian\\\\ Book"); COMP_CWORD=4')
      assert.equal(spaced.stdout, 'Debian\\ Bookworm\\ 12\ncomplete -F _xesim_xe xe\n', spaced.stderr)
    })

    it('zsh: the printed script hands whole words to compadd (parameters without a trailing space)', async function () {
      const which = await execa('sh', ['-c', 'command -v zsh'], { reject: false })
      if (which.exitCode !== 0) this.skip()
      const home = await seededHome(14)
      await ok(home, ['vm-install', 'template=Debian Bookworm 12', 'new-name-label=web01'])
      const script = (await xesim(home, ['completion', 'zsh'])).stdout
      assert.equal(script, zshCompletion())
      // compadd and compdef stand in for zsh's completion system: they print what they are given
      const drive = (words: string[], prefix: string) =>
        execa('zsh', ['-f', '-c', `compdef() { print -r -- "compdef $*" }
          compadd() { local -a a; a=("$@"); print -r -- "compadd \${(j:|:)a} -> \${(j:|:)\${(P)a[-1]}}" }
          source /dev/stdin <<'EOF'\n${script}EOF
          words=(${words.map((w) => `'${w}'`).join(' ')}); CURRENT=${words.length}; PREFIX='${prefix}'
          _xesim_xe`], { env: env(home), reject: false, stripFinalNewline: false })
      const names = await drive(['xe', 'vm-start', 'vm=we'], 'vm=we')
      assert.equal(names.stdout, 'compdef _xesim_xe xe\ncompadd -Q|-a|plain -> vm=web01\n', names.stderr)
      const params = await drive(['xe', 'pool-param-set', 'other'], 'other')
      assert.equal(params.stdout, 'compdef _xesim_xe xe\ncompadd -Q|-S||-a|nospace -> other-config:\n')
    })

    it('answers quickly: the helper loads neither oclif nor the engine rules', async () => {
      const home = await seededHome(15)
      const times: number[] = []
      for (let i = 0; i < 5; i++) {
        const t = process.hrtime.bigint()
        const r = await execa(COMPLETE, ['bash', '--line', 'xe vm-start vm=', ''], { env: env(home) })
        times.push(Number(process.hrtime.bigint() - t) / 1e6)
        assert.equal(r.stdout, 'Control\\ domain\\ on\\ host:\\ xenserver-01')
      }
      const node = process.hrtime.bigint()
      await execa(process.execPath, ['-e', '0'])
      const bare = Number(process.hrtime.bigint() - node) / 1e6
      const best = Math.min(...times)
      // about a bare node start (≈ 60 ms here); generous for slow CI machines
      assert.ok(best < bare * 3 + 50, `completion took ${best.toFixed(0)} ms (node -e 0: ${bare.toFixed(0)} ms)`)
      const loaded = await execa(process.execPath, ['-e', `require(${JSON.stringify(join(repoRoot, 'dist/src/cli/complete.js'))}).completeMain(['bash','--line','xe vm-start vm=',''], { XESIM_HOME: ${JSON.stringify(home)} }); console.log(Object.keys(require.cache).filter((k) => /@oclif|[/\\\\](vm|sr|host|records)\\.js/.test(k)).length)`])
      assert.equal(loaded.stdout, '0')
    })
  })
})
