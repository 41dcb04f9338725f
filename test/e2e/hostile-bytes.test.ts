// Hostile bytes from a real shell: argv that is not UTF-8, huge values, `__proto__` map keys and paths with
// shell metacharacters reach bin/xe as a script would send them. The answer is xe's (exit 0 or 1, no
// JavaScript stack trace), nothing is half-written, and file names are used as given (no shell involved).
// Reference: xe-cli-behaviour.md §4 (exit codes, streams), §8 (files a download creates, never overwritten).
import assert from 'node:assert/strict'
import { existsSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { cleanupHomes, tmpHome, XE } from '../helpers'

let execa: typeof import('execa').execa
before(async () => {
  ;({ execa } = await import('execa'))
})

describe('e2e: hostile bytes on the command line (issue 6)', function () {
  this.timeout(60000)
  after(cleanupHomes)

  it('non-UTF-8 argv, huge values and prototype keys: exit 0/1, no stack trace, the world still loads', async () => {
    const home = tmpHome()
    const env = { XESIM_HOME: home, HOME: home, NODE_EXTRA_CA_CERTS: undefined, XE: XE }
    const script = `
      set -u
      pool=$("$XE" pool-list --minimal)
      for v in $'\\xff\\xfe' $'\\xc3\\x28' $'a\\x80b' "$(head -c 100000 /dev/zero | tr '\\0' x)"; do
        "$XE" pool-param-set uuid="$pool" name-description="$v"; echo "rc=$?"
        "$XE" vm-list name-label="$v" --minimal; echo "rc=$?"
        "$XE" pool-param-set uuid="$pool" "other-config:$v=1"; echo "rc=$?"
        "$XE" "vm-$v"; echo "rc=$?"
      done
      "$XE" pool-param-set uuid="$pool" other-config:__proto__=p other-config:constructor=c; echo "rc=$?"
      "$XE" pool-param-get uuid="$pool" param-name=other-config param-key=__proto__; echo "rc=$?"
      "$XE" pool-param-get uuid="$pool" param-name=other-config param-key=constructor; echo "rc=$?"
      "$XE" pool-param-get uuid="$pool" param-name=name-description | head -c 20; echo
    `
    const r = await execa('bash', ['-c', script], { env, reject: false })
    const codes = [...r.stdout.matchAll(/rc=(\d+)/g)].map((m) => Number(m[1]))
    assert.equal(codes.length, 19)
    assert.ok(codes.every((c) => c === 0 || c === 1), r.stdout)
    assert.doesNotMatch(r.stderr, /xesim:|\n\s+at .*:\d+:\d+|TypeError|RangeError/)
    // the map keys are ordinary keys, stored and read back
    assert.match(r.stdout, /rc=0\np\nrc=0\nc\nrc=0\nxxxxxxxxxxxxxxxxxxxx$/)
    const check = await execa(XE, ['pool-list', 'params=name-label', '--minimal'], { env, reject: false })
    assert.equal(check.exitCode, 0, check.stderr)
  })

  it('file names with shell metacharacters are used as given, and an existing file is never overwritten', async () => {
    const home = tmpHome()
    const env = { XESIM_HOME: home, HOME: home, NODE_EXTRA_CA_CERTS: undefined }
    const sr = (await execa(XE, ['sr-list', 'name-label=Local storage', '--minimal'], { env })).stdout
    const vdi = (await execa(XE, ['vdi-create', `sr-uuid=${sr}`, 'name-label=d', 'virtual-size=1MiB'], { env })).stdout
    const name = join(home, 'a $(touch pwned); b`id`.raw')
    const r = await execa(XE, ['vdi-export', `uuid=${vdi}`, `filename=${name}`, 'format=raw'], { env, reject: false, cwd: home })
    assert.equal(r.exitCode, 0, r.stderr)
    assert.ok(existsSync(name))
    assert.ok(!readdirSync(home).includes('pwned'))
    writeFileSync(join(home, 'taken.raw'), 'mine')
    const again = await execa(XE, ['vdi-export', `uuid=${vdi}`, `filename=${join(home, 'taken.raw')}`, 'format=raw'], { env, reject: false })
    assert.equal(again.exitCode, 1)
    assert.equal(require('node:fs').readFileSync(join(home, 'taken.raw'), 'utf8'), 'mine')
  })
})
