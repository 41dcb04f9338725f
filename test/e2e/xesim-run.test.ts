// End-to-end: `xesim run` for CI (issue 7): a command runs in a throwaway world with an `xe` for it first on
// PATH, its stdio passed through and its exit code passed back; --diff reports what it changed (field
// names: xe's records, xe-cli-behaviour.md §3.2; values rendered as §3.3); --check-idempotent runs it twice.
// The messages and formats are xesim's own (issue 7).
import assert from 'node:assert/strict'
import { chmodSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { cleanupHomes, repoRoot, seededHome, tmpHome, xe, XE, XESIM } from '../helpers'

let execa: typeof import('execa').execa
before(async () => {
  ;({ execa } = await import('execa'))
})

/** The environment of a CI job: its own XESIM_HOME (which xesim run must not touch) and the real PATH. */
const env = (home: string, extra: NodeJS.ProcessEnv = {}) => ({ XESIM_HOME: home, HOME: home, FORCE_COLOR: undefined, NO_COLOR: undefined, XESIM_SEED: undefined, PATH: process.env.PATH, ...extra })
const run = (home: string, args: string[], opts: { input?: string; env?: NodeJS.ProcessEnv } = {}) =>
  execa(XESIM, ['run', ...args], { env: env(home, opts.env), reject: false, input: opts.input })

/** A script file in a scratch directory. */
function script(body: string): string {
  const f = join(tmpHome(), 'script.sh')
  writeFileSync(f, `#!/bin/bash\nset -euo pipefail\n${body}\n`)
  chmodSync(f, 0o755)
  return f
}

const worldsInTmp = () => readdirSync(tmpdir()).filter((n) => n.startsWith('xesim-run-')).sort()

describe('e2e: xesim run (issue 7)', function () {
  this.timeout(120000)
  after(cleanupHomes)

  it('runs a script in a fresh world through an xe first on PATH, passes its exit code back and removes the world', async () => {
    // the job's own world has a VM; the script must not see it
    const outer = await seededHome(21)
    await xe(outer, ['vm-install', 'template=Debian Bookworm 12', 'new-name-label=outer'])
    const before = worldsInTmp()
    const s = script(`
      echo "xe=$(command -v xe)"
      echo "home=$XESIM_HOME"
      echo "vms=$(xe vm-list is-control-domain=false --minimal)"
      xe vm-install template="Debian Bookworm 12" new-name-label=web01 >/dev/null
      echo "after=$(xe vm-list is-control-domain=false params=name-label --minimal)"
      echo "to stderr" >&2
      exit 7`)
    const r = await run(outer, ['--', s])
    assert.equal(r.exitCode, 7, r.stderr)
    assert.equal(r.stderr, 'to stderr')
    const lines = Object.fromEntries(r.stdout.split('\n').map((l) => l.split('=') as [string, string]))
    assert.match(lines.xe!, /xesim-run-bin-[^/]+\/xe$/)
    assert.notEqual(lines.home, outer)
    assert.equal(lines.vms, '', 'a fresh world: no guests')
    assert.equal(lines.after, 'web01')
    assert.equal(existsSync(lines.home!), false, 'the world is removed')
    assert.equal(existsSync(dirname(lines.xe!)), false, 'so is the xe for it')
    assert.deepEqual(worldsInTmp(), before)
    assert.equal((await xe(outer, ['vm-list', 'is-control-domain=false', 'params=name-label', '--minimal'])).stdout, 'outer\n')
  })

  it('passes stdin through, runs commands without --, and answers like a shell for missing commands and signals', async () => {
    const home = tmpHome()
    const cat = await run(home, ['cat'], { input: 'hello\n' })
    assert.deepEqual([cat.exitCode, cat.stdout], [0, 'hello'])
    const xeDirect = await run(home, ['--seed', '4', 'xe', 'host-list', '--minimal'])
    assert.equal(xeDirect.exitCode, 0, xeDirect.stderr)
    assert.match(xeDirect.stdout, /^[0-9a-f-]{36}$/)
    const flagsAfter = await run(home, ['--', 'bash', '-c', 'echo "$@"', 'x', '--diff', '--keep'])
    assert.deepEqual([flagsAfter.exitCode, flagsAfter.stdout], [0, '--diff --keep'], 'everything after -- belongs to the command')
    const missing = await run(home, ['--', 'no-such-command-xesim'])
    assert.deepEqual([missing.exitCode, missing.stderr], [127, 'xesim run: no-such-command-xesim: command not found'])
    const killed = await run(home, ['--', 'bash', '-c', 'kill -TERM $$'])
    assert.equal(killed.exitCode, 128 + 15)
    const nothing = await run(home, [])
    assert.equal(nothing.exitCode, 1)
    assert.match(nothing.stderr, /Error: no command to run: xesim run \[FLAGS\] -- COMMAND \[ARGS…\]/)
  })

  it('--seed makes the world reproducible; --profile picks the product; --fixture starts from a saved world', async () => {
    const home = tmpHome()
    const install = ['--', 'xe', 'vm-install', 'template=Debian Bookworm 12', 'new-name-label=a']
    const [a, b] = [await run(home, ['--seed', '9', ...install]), await run(home, ['--seed', '9', ...install])]
    assert.equal(a.exitCode, 0, a.stderr)
    assert.equal(a.stdout, b.stdout)
    const xcp = await run(home, ['--profile', 'xcp-ng-8.3', '--', 'bash', '-c', 'xe host-param-get uuid=$(xe host-list --minimal) param-name=software-version param-key=product_brand'])
    assert.deepEqual([xcp.exitCode, xcp.stdout], [0, 'XCP-ng'])

    const saved = await seededHome(22)
    await xe(saved, ['vm-install', 'template=Debian Bookworm 12', 'new-name-label=fixture-vm'])
    const fixture = join(tmpHome(), 'fixture.db')
    assert.equal((await execa(XESIM, ['state', 'save', fixture], { env: env(saved) })).exitCode, 0)
    const f = await run(home, ['--fixture', fixture, '--', 'xe', 'vm-list', 'is-control-domain=false', 'params=name-label', '--minimal'])
    assert.deepEqual([f.exitCode, f.stdout], [0, 'fixture-vm'])
    const bad = await run(home, ['--fixture', join(home, 'nope.db'), '--', 'true'])
    assert.deepEqual([bad.exitCode, bad.stderr.includes(`Error: ${join(home, 'nope.db')} does not exist`)], [1, true])
    const both = await run(home, ['--fixture', fixture, '--seed', '3', '--', 'true'])
    assert.equal(both.exitCode, 2)
    assert.match(both.stderr, /--seed=3 cannot also be provided when using --fixture/)
  })

  it('--init is part of the interface; without `xesim init` it is refused with a clear error', async () => {
    const home = tmpHome()
    const manifest = JSON.parse(readFileSync(join(repoRoot, 'oclif.manifest.json'), 'utf8')) as { commands: Record<string, unknown> }
    const hasInit = 'init' in manifest.commands
    const r = await run(home, ['--init', '--hosts 2 --vms 5', '--', 'xe', 'host-list', 'params=name-label', '--minimal'])
    if (hasInit) {
      assert.equal(r.exitCode, 0, r.stderr)
      assert.equal(r.stdout.split(',').length, 2)
    } else {
      assert.equal(r.exitCode, 1)
      assert.match(r.stderr, /Error: --init needs `xesim init`, which this xesim does not have yet; [\s›]*start from --fixture FILE or --profile NAME instead/)
    }
  })

  it('--keep DIR leaves the world in DIR (and refuses a DIR that holds files)', async () => {
    const keep = join(tmpHome(), 'kept')
    const r = await run(tmpHome(), ['--keep', keep, '--', 'xe', 'vm-install', 'template=Debian Bookworm 12', 'new-name-label=kept'])
    assert.equal(r.exitCode, 0, r.stderr)
    assert.equal(r.stderr, `xesim run: the world is kept in ${keep}`)
    assert.equal((await xe(keep, ['vm-list', `uuid=${r.stdout}`, 'params=name-label', '--minimal'])).stdout, 'kept\n')
    const again = await run(tmpHome(), ['--keep', keep, '--', 'true'])
    assert.equal(again.exitCode, 1)
    assert.match(again.stderr.replace(/\s*\n ›\s*/g, ' '), /is not empty; --keep needs a new or empty directory/)
  })

  it('--diff --json reports exactly the objects a script created and changed (vm-install + pool-param-set)', async () => {
    const home = tmpHome()
    const s = script(`
      VM=$(xe vm-install template="Debian Bookworm 12" new-name-label=web01)
      xe pool-param-set uuid=$(xe pool-list --minimal) name-label=ci-pool other-config:owner=ci
      OTHER=$(xe pool-param-get uuid=$(xe pool-list --minimal) param-name=other-config)
      echo "vm=$VM vdi=$(xe vbd-list vm-uuid=$VM params=vdi-uuid --minimal) vbd=$(xe vbd-list vm-uuid=$VM --minimal) pool=$(xe pool-list --minimal) sr=$(xe sr-list name-label='Local storage' --minimal)" >&2
      echo "$OTHER" > "$(dirname "$0")/other-config"`)
    const r = await run(home, ['--seed', '5', '--diff', '--json', '--', s])
    assert.equal(r.exitCode, 0, r.stderr)
    const u = Object.fromEntries(r.stderr.split(' ').map((kv) => kv.split('=') as [string, string]))
    const changes = JSON.parse(r.stdout) as Array<{ change: string; class: string; uuid: string; 'name-label': string; fields?: Array<{ field: string; before?: string; after?: string }> }>
    assert.deepEqual(changes.map((c) => [c.change, c.class, c.uuid, c['name-label']]), [
      ['created', 'vm', u.vm, 'web01'],
      ['created', 'vdi', u.vdi, '0'],
      ['created', 'vbd', u.vbd, ''],
      ['changed', 'pool', u.pool, 'ci-pool'],
      ['changed', 'sr', u.sr, 'Local storage'],
    ])
    // maps as xe prints them (§3.3): the new key first, as pool-param-get shows it
    const other = readFileSync(join(dirname(s), 'other-config'), 'utf8').trim()
    assert.match(other, /^owner: ci; /)
    assert.deepEqual(changes[3]!.fields, [
      { field: 'name-label', before: '', after: 'ci-pool' },
      { field: 'other-config', before: other.slice('owner: ci; '.length), after: other },
    ])
    assert.deepEqual(changes[4]!.fields!.map((f) => f.field), ['virtual-allocation', 'physical-utilisation'])
  })

  it('--diff prints a table after the command output; a command that changes nothing reports no changes', async () => {
    const home = tmpHome()
    const r = await run(home, ['--diff', '--', 'bash', '-c', 'echo out; xe pool-param-set uuid=$(xe pool-list --minimal) name-label=lab'])
    assert.equal(r.exitCode, 0, r.stderr)
    const lines = r.stdout.split('\n')
    assert.equal(lines[0], 'out')
    assert.match(lines[1]!, /^┌───┬───────┬─/)
    assert.match(r.stdout, /│ ~ │ pool  │ [0-9a-f-]{36} │ lab\s+│ name-label │\s+│ lab\s+│/)
    assert.equal(lines.at(-1), '0 created, 1 changed, 0 destroyed.')
    assert.ok(!r.stdout.includes('\x1b['), 'plain when not a terminal')
    const none = await run(home, ['--diff', '--', 'xe', 'vm-list', '--minimal', 'params=name-label'])
    assert.deepEqual([none.exitCode, none.stdout], [0, 'Control domain on host: xenserver-01\nNo changes.'])
    const failing = await run(home, ['--diff', '--json', '--', 'bash', '-c', 'xe pool-param-set uuid=$(xe pool-list --minimal) name-label=x; exit 4'])
    assert.equal(failing.exitCode, 4, 'the command exit code, even with --diff')
    assert.equal(JSON.parse(failing.stdout).length, 1)
    const json = await run(home, ['--json', '--', 'true'])
    assert.equal(json.exitCode, 1)
    assert.match(json.stderr, /--json formats the --diff and --check-idempotent reports/)
  })

  it('--check-idempotent fails a script whose second run changes the world, and passes an idempotent one', async () => {
    const home = tmpHome()
    const naive = script('xe vm-install template="Debian Bookworm 12" new-name-label=web01 >/dev/null')
    const r = await run(home, ['--check-idempotent', '--', naive])
    assert.equal(r.exitCode, 1)
    const [message, ...table] = r.stderr.split('\n')
    assert.equal(message, 'xesim run: not idempotent: the second run changed 4 objects')
    assert.ok(table.some((l) => /^│ \+ │ vm\s+│ [0-9a-f-]{36} │ web01/.test(l)), r.stderr)
    assert.equal(table.at(-1), '3 created, 1 changed, 0 destroyed.')

    const careful = script(`
      [ -n "$(xe vm-list name-label=web01 --minimal)" ] || xe vm-install template="Debian Bookworm 12" new-name-label=web01 >/dev/null
      xe pool-param-set uuid=$(xe pool-list --minimal) name-label=lab
      echo run`)
    const ok = await run(home, ['--check-idempotent', '--', careful])
    assert.deepEqual([ok.exitCode, ok.stdout, ok.stderr], [0, 'run\nrun', ''])

    const json = await run(home, ['--check-idempotent', '--json', '--', naive])
    assert.equal(json.exitCode, 1)
    const report = JSON.parse(json.stderr.slice(json.stderr.indexOf('\n') + 1))
    assert.deepEqual(report.map((c: { change: string; class: string }) => `${c.change} ${c.class}`), ['created vm', 'created vdi', 'created vbd', 'changed sr'])

    const failsSecond = await run(home, ['--check-idempotent', '--', 'bash', '-c', `xe vm-install template="Debian Bookworm 12" new-name-label=w >/dev/null; [ "$(xe vm-list name-label=w --minimal | tr , '\\n' | wc -l)" -eq 1 ] || exit 5`])
    assert.equal(failsSecond.exitCode, 5)
    assert.match(failsSecond.stderr, /xesim run: not idempotent: the second run failed \(exit code 5\)/)
    const firstFails = await run(home, ['--check-idempotent', '--', 'false'])
    assert.deepEqual([firstFails.exitCode, firstFails.stderr], [1, 'xesim run: the first run failed (exit code 1); idempotence was not checked'])
  })

  it('the xe on PATH is bin/xe (same bytes as calling it directly)', async () => {
    const home = tmpHome()
    const r = await run(home, ['--seed', '1', '--', 'xe', 'help', 'vm-start'])
    const direct = await execa(XE, ['help', 'vm-start'], { env: env(tmpHome()), reject: false })
    assert.deepEqual([r.exitCode, r.stdout, r.stderr], [direct.exitCode, direct.stdout, direct.stderr])
  })
})
