// The committed artefacts stay in step with the code: oclif.manifest.json, COVERAGE.md and the README.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { repoRoot } from '../helpers'

const read = (f: string) => readFileSync(join(repoRoot, f), 'utf8')

/** The committed version of a file, when this is a git checkout (CI runs on a fresh clone). */
function committed(f: string): string | undefined {
  try {
    return execFileSync('git', ['show', `HEAD:${f}`], { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 << 20 })
  } catch {
    return undefined
  }
}

describe('project artefacts', function () {
  this.timeout(60000)

  it('oclif.manifest.json is what oclif generates from the commands now', async () => {
    // in a fresh process: in-process xe tests load the command modules on xe's fast path (oclif-lite)
    const script = `const { Plugin } = require('@oclif/core')
      const p = new Plugin({ root: process.argv[1], type: 'core', ignoreManifest: true, errorOnManifestCreate: true })
      p.load().then(() => process.stdout.write(JSON.stringify(p.manifest)))`
    const generated = execFileSync(process.execPath, ['-e', script, repoRoot], { cwd: repoRoot, encoding: 'utf8', maxBuffer: 64 << 20 })
    const onDisk = JSON.parse(read('oclif.manifest.json'))
    assert.deepEqual(JSON.parse(generated), onDisk)
    assert.ok(Object.keys(onDisk.commands).length >= 675 + 3)
  })

  it('in CI the committed manifest, COVERAGE.md and README equal what the build regenerated', function () {
    if (!process.env.CI) this.skip()
    for (const f of ['oclif.manifest.json', 'COVERAGE.md', 'README.md']) {
      const c = committed(f)
      if (c === undefined) this.skip()
      assert.equal(read(f), c, `${f} is stale: run npm run build and commit it`)
    }
  })

  it('COVERAGE.md and the README agree with the command table', () => {
    const specs = (JSON.parse(read('src/tables/commands.json')) as Array<{ name: string; pseudo?: boolean }>).filter((c) => !c.pseudo)
    const cov = read('COVERAGE.md')
    const m = /^(\d+) of (\d+) xe commands are implemented/m.exec(cov)
    assert.ok(m, 'coverage summary')
    assert.equal(Number(m[2]), specs.length)
    const listed = [...cov.matchAll(/^- `([^`]+)`/gm)].map((x) => x[1])
    assert.deepEqual([...listed].sort(), specs.map((c) => c.name).sort())
    assert.ok(read('README.md').includes(`${m[1]} of ${m[2]} xe commands are implemented`), 'README coverage line')
  })

  it('the README documents every xesim command and the quick start scripts exist', () => {
    const manifest = JSON.parse(read('oclif.manifest.json')) as { commands: Record<string, unknown> }
    const readme = read('README.md')
    const xesim = Object.entries(manifest.commands).filter(([, c]) => !(c as { hidden?: boolean }).hidden).map(([id]) => id)
    assert.deepEqual(xesim.sort(), ['completion', 'diff', 'host-add', 'init', 'reset', 'run', 'state:load', 'state:save', 'status'])
    for (const id of xesim) assert.ok(readme.includes(`\`xesim ${id.replace(/:/g, ' ')}`), `README lacks xesim ${id}`)
    assert.ok(readme.includes('npm install && ./bin/xe vm-list'))
    assert.ok(readme.includes('npm test'))
    const pkg = JSON.parse(read('package.json'))
    for (const s of ['build', 'test', 'bench', 'prepare']) assert.ok(pkg.scripts[s], `script ${s}`)
    assert.equal(read('.ci/run').includes('npm install') && read('.ci/run').includes('npm test'), true)
  })
})
