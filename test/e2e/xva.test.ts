// vm-export / vm-import through bin/xe (xe-cli-behaviour.md §8): the XVA goes to stdout as bytes, files are
// created 0600 relative to the working directory and never overwritten, imports read real files; a reader
// that closes stdout early leaves neither the task nor the VM's export lock behind (§4, §15).
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { cleanupHomes, repoRoot, tmpHome, XE, xe } from '../helpers'
import { GiB, MiB, listTar, makeVm } from '../commands/xva-world'

let execa: typeof import('execa').execa
before(async () => {
  ;({ execa } = await import('execa'))
})

describe('e2e: vm-export / vm-import (§8)', function () {
  this.timeout(60000)
  const dirs: string[] = []
  after(() => {
    cleanupHomes()
    for (const d of dirs) rmSync(d, { recursive: true, force: true })
  })
  const dir = () => {
    const d = mkdtempSync(join(tmpdir(), 'xesim-xva-e2e-'))
    dirs.push(d)
    return d
  }
  const env = (home: string) => ({ XESIM_HOME: home, HOME: home, NODE_EXTRA_CA_CERTS: undefined })

  it('filename= writes the XVA bytes to stdout; a file is created 0600 in the working directory, never over another (§8)', async () => {
    const home = tmpHome()
    await xe(home, ['pool-list'])
    const vm = await makeVm(home, { name: 'e2e', disks: [10 * GiB, 4 * MiB] })
    const out = await execa(XE, ['vm-export', 'vm=e2e', 'filename='], { env: env(home), encoding: 'buffer' })
    assert.equal(out.exitCode, 0)
    assert.equal(out.stderr.length, 0)
    const { entries, trailer } = listTar(Buffer.from(out.stdout))
    assert.equal(trailer, 1024)
    assert.equal(entries.length, 9)
    assert.equal(entries[0]!.name, 'ova.xml')
    assert.match(entries[0]!.data.toString(), new RegExp(`<name>uuid</name><value>${vm.uuid}</value>`))
    const cwd = dir()
    const r = await execa(XE, ['vm-export', `uuid=${vm.uuid}`, 'filename=e2e.xva'], { env: env(home), cwd })
    assert.equal(r.stdout, 'Export succeeded')
    assert.equal(statSync(join(cwd, 'e2e.xva')).mode & 0o777, 0o600)
    const file = listTar(readFileSync(join(cwd, 'e2e.xva'))).entries
    assert.deepEqual(file.map((e) => [e.name, e.data]), entries.map((e) => [e.name, e.data]), 'the same XVA as on stdout')
    const again = await execa(XE, ['vm-export', `uuid=${vm.uuid}`, 'filename=e2e.xva'], { env: env(home), cwd, reject: false })
    assert.deepEqual([again.exitCode, again.stdout, again.stderr], [1, '', 'Operation failed. Error: Sys_error("e2e.xva: File exists")'])
  })

  it('a reader that stops early ends xe quietly and releases the task and the VM', async () => {
    const home = tmpHome()
    await xe(home, ['pool-list'])
    const vm = await makeVm(home, { name: 'piped', disks: [64 * MiB] })
    const r = await execa('sh', ['-c', `"${XE}" vm-export vm=piped filename= | head -c 100 > /dev/null`], { env: env(home) })
    assert.equal(r.exitCode, 0)
    assert.equal((await xe(home, ['task-list', '--minimal'])).stdout, '\n')
    assert.equal((await xe(home, ['vm-param-get', `uuid=${vm.uuid}`, 'param-name=current-operations'])).stdout, '\n')
  })

  it('vm-import reads the file and prints the new uuid; a missing file is the client\'s error, exit 1 (§8)', async () => {
    const home = tmpHome()
    await xe(home, ['pool-list'])
    const cwd = dir()
    writeFileSync(join(cwd, 'debian.xva'), readFileSync(join(repoRoot, 'test', 'fixtures', 'xenserver8-debian.xva')))
    const r = await execa(XE, ['vm-import', 'filename=debian.xva'], { env: env(home), cwd })
    assert.match(r.stdout, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/)
    assert.equal((await xe(home, ['vm-param-get', `uuid=${r.stdout}`, 'param-name=name-label'])).stdout, 'debian12-web\n')
    const min = await execa(XE, ['vm-import', 'filename=debian.xva', '--minimal'], { env: env(home), cwd })
    assert.match(min.stdout, /^[0-9a-f-]{36}\n$/, 'a direct print, then the minimal newline (§3.5)')
    const missing = await execa(XE, ['vm-import', 'filename=gone.xva'], { env: env(home), cwd, reject: false })
    assert.deepEqual([missing.exitCode, missing.stdout, missing.stderr], [1, '', "Operation failed. Error: file 'gone.xva' does not exist"])
    assert.ok(!existsSync(join(cwd, 'gone.xva')))
  })
})
