// Every xe command is recognised (xe-commands.json); none ever answers "Unknown command" or a stack
// trace; the ones xesim lacks say so in one line. References: xe-cli-behaviour.md §1.2 (reqd), §4.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { cleanupHomes, repoRoot, tmpHome, xe } from '../helpers'

interface Spec {
  name: string
  reqd: string[]
  pseudo?: boolean
}
const specs = (JSON.parse(readFileSync(join(repoRoot, 'src/tables/commands.json'), 'utf8')) as Spec[]).filter((c) => !c.pseudo)

/** Commands whose bare call is, as on a real host, an internal error (cli_operations.ml: List.assoc raises Not_found). */
const BARE_INTERNAL: Record<string, string> = {
  'vm-import': 'The server failed to handle your request, due to an internal error. The given message may give details useful for debugging the problem.\nmessage: INTERNAL_ERROR: [ Not_found ]\n',
}

describe('the command surface', function () {
  this.timeout(120000)
  after(cleanupHomes)

  it('has all 675 commands of the reference', () => {
    assert.equal(specs.length, 675)
  })

  it('answers every command with an xe-style result, exit 0 or 1, never a stack trace', async () => {
    const home = tmpHome()
    const coverage = readFileSync(join(repoRoot, 'COVERAGE.md'), 'utf8')
    for (const c of specs) {
      const r = await xe(home, [c.name])
      assert.ok(r.code === 0 || r.code === 1, `${c.name}: exit ${r.code}`)
      if (BARE_INTERNAL[c.name] !== undefined) {
        assert.equal(r.stderr, BARE_INTERNAL[c.name], c.name)
        continue
      }
      assert.doesNotMatch(r.stderr, /Unknown command|\n\s+at .*\(.*:\d+:\d+\)|INTERNAL_ERROR|xesim:/, `${c.name}: ${r.stderr}`)
      if (c.reqd.length > 0) assert.equal(r.stderr, `Required parameter not found: ${c.reqd[0]}\nFor usage run: 'xe help'\n`, c.name)
      else if (r.code === 1 && coverage.includes(`## Not implemented`) && r.stderr.includes('not implemented')) {
        assert.equal(r.stderr, `Error: ${c.name} is not implemented by xesim yet\n`)
      }
    }
  })

  it('a command that is not implemented says so in one line once its parameters are present', async () => {
    const home = tmpHome()
    const r = await xe(home, ['vm-retrieve-wlb-recommendations', 'vm=x'])
    assert.deepEqual(r, { stdout: '', stderr: 'Error: vm-retrieve-wlb-recommendations is not implemented by xesim yet\n', code: 1 })
  })

  it('checks required parameters in declared order before anything else (§1.2)', async () => {
    const r = await xe(tmpHome(), ['vm-param-set'])
    assert.deepEqual(r, { stdout: '', stderr: "Required parameter not found: uuid\nFor usage run: 'xe help'\n", code: 1 })
  })

  it('gives a Syntax error with an empty message for a missing command name (§1.2)', async () => {
    const r = await xe(tmpHome(), ['uuid=1'])
    assert.deepEqual(r, { stdout: '', stderr: "Syntax error: \nFor usage run: 'xe help'\n", code: 1 })
  })

  it('a non-boolean minimal= is the internal error xe gives for OCaml bool_of_string (§4)', async () => {
    const r = await xe(tmpHome(), ['vm-list', 'minimal=yes'])
    assert.equal(r.code, 1)
    assert.equal(r.stderr, 'The server failed to handle your request, due to an internal error. The given message may give details useful for debugging the problem.\nmessage: INTERNAL_ERROR: [ Invalid_argument("bool_of_string") ]\n')
  })
})
