// Golden files: whole outputs compared byte for byte. Each case names the reference section its
// format comes from. Values come from a seeded world (XESIM_SEED), so they are reproducible.
// Regenerate after a reviewed change with XESIM_UPDATE_GOLDEN=1 npx mocha (then read the diff).
import assert from 'node:assert/strict'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { cleanupHomes, repoRoot, seededHome, xe } from '../helpers'

interface Case {
  file: string
  args: string[]
  ref: string
}

const CASES: Case[] = [
  { file: 'help.txt', args: ['help'], ref: 'xe-cli-behaviour.md §5 (xe help: usage header, 43 common commands, make_list wrapping)' },
  { file: 'help-all.txt', args: ['help', '--all'], ref: 'xe-cli-behaviour.md §5 (xe help --all: host-, vm-, other commands, 4-space separator lines)' },
  { file: 'help-minimal.txt', args: ['help', '--minimal'], ref: 'xe-cli-behaviour.md §5 (xe help --minimal: common names comma-joined)' },
  { file: 'help-all-minimal.txt', args: ['help', '--all', '--minimal'], ref: 'xe-cli-behaviour.md §5 (every non-hidden name comma-joined)' },
  { file: 'help-vm-start.txt', args: ['help', 'vm-start'], ref: 'xe-cli-behaviour.md §5 (one record per command, w = 24, selectors appended)' },
  { file: 'help-two.txt', args: ['help', 'pool-param-set', 'no-such-command', 'sr-scan'], ref: "xe-cli-behaviour.md §5 (several commands; Unknown command '<x>')" },
  { file: 'help-vm-start-minimal.txt', args: ['help', 'vm-start', '--minimal'], ref: 'xe-cli-behaviour.md §5 (xe help <cmd> --minimal prints the name)' },
]

const goldenDir = join(repoRoot, 'test', 'golden')

describe('golden outputs', function () {
  let home: string
  before(async () => {
    home = await seededHome(11)
  })
  after(cleanupHomes)

  for (const c of CASES) {
    it(`xe ${c.args.join(' ')} — ${c.ref}`, async () => {
      const r = await xe(home, c.args)
      assert.equal(r.code, 0, r.stderr)
      const file = join(goldenDir, c.file)
      if (process.env.XESIM_UPDATE_GOLDEN || !existsSync(file)) writeFileSync(file, r.stdout)
      assert.equal(r.stdout, readFileSync(file, 'utf8'))
    })
  }

  it('xe with no arguments prints the client usage on stderr, exit 0 — xe-cli-behaviour.md §1.1, §5 (client usage adds --minimal and --trace)', async () => {
    const r = await xe(home, [])
    assert.equal(r.code, 0)
    assert.equal(r.stdout, '')
    const file = join(goldenDir, 'usage.txt')
    if (process.env.XESIM_UPDATE_GOLDEN || !existsSync(file)) writeFileSync(file, r.stderr)
    assert.equal(r.stderr, readFileSync(file, 'utf8'))
  })

  it('xe help lists exactly the 43 Standard, non-hidden commands, sorted (§5)', async () => {
    const specs = JSON.parse(readFileSync(join(repoRoot, 'src/tables/commands.json'), 'utf8')) as Array<{ name: string; flags: string[] }>
    const std = specs.filter((c) => c.flags.includes('Standard') && !c.flags.includes('Hidden')).map((c) => c.name).sort()
    assert.equal(std.length, 43)
    const r = await xe(home, ['help', '--minimal'])
    assert.equal(r.stdout, std.join(',') + '\n')
    const text = readFileSync(join(goldenDir, 'help.txt'), 'utf8')
    const listed = text.split('-------------------\n\n')[1]!.trim().split(/,\s*|\n\s*/)
    assert.deepEqual(listed, std)
  })
})
