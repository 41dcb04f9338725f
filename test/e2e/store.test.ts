// End-to-end: bin/xe and bin/xesim as processes (execa) against temporary worlds.
// Covers the state store rules of the foundation issue: worlds per XESIM_HOME, one transaction per
// command, parallel writers, corrupt worlds, reset / state save / state load, seeds.
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { cleanupHomes, tmpHome, XE, XESIM } from '../helpers'
import { SCHEMA_VERSION } from '../../src/engine/store'

// execa is ESM-only; load it once.
let execa: typeof import('execa').execa
before(async () => {
  ;({ execa } = await import('execa'))
})

const env = (home: string, extra: NodeJS.ProcessEnv = {}) => ({ XESIM_HOME: home, HOME: home, NODE_EXTRA_CA_CERTS: undefined, ...extra })
const run = (home: string, args: string[], extra: NodeJS.ProcessEnv = {}) => execa(XE, args, { env: env(home, extra), reject: false })
const xesim = (home: string, args: string[], extra: NodeJS.ProcessEnv = {}) => execa(XESIM, args, { env: env(home, extra), reject: false })

describe('e2e: the world store', function () {
  after(cleanupHomes)

  it('a missing directory gets the default world; two directories are two worlds', async () => {
    const a = join(tmpHome(), 'not-yet-created')
    const b = tmpHome()
    const pa = await run(a, ['pool-list', '--minimal'])
    assert.equal(pa.exitCode, 0, pa.stderr)
    assert.match(pa.stdout, /^[0-9a-f-]{36}$/)
    assert.ok(existsSync(join(a, 'world.db')))
    await run(a, ['pool-param-set', `uuid=${pa.stdout}`, 'name-label=A'])
    const pb = await run(b, ['pool-list', 'params=name-label', '--minimal'])
    assert.equal(pb.stdout, '')
    assert.equal((await run(a, ['pool-list', 'params=name-label', '--minimal'])).stdout, 'A')
  })

  it('50 parallel writers on one world lose no update', async function () {
    this.timeout(120000)
    const home = tmpHome()
    const pool = (await run(home, ['pool-list', '--minimal'])).stdout
    const writers = Array.from({ length: 50 }, (_, i) => run(home, ['pool-param-add', `uuid=${pool}`, 'param-name=other-config', `w${i}=${i}`]))
    const results = await Promise.all(writers)
    for (const r of results) assert.equal(r.exitCode, 0, r.stderr)
    const oc = (await run(home, ['pool-param-get', `uuid=${pool}`, 'param-name=other-config'])).stdout
    for (let i = 0; i < 50; i++) assert.ok(oc.includes(`w${i}: ${i}`), `lost w${i}`)
  })

  it('a corrupt world gives one clear line naming the file and the reset command, and is left untouched', async () => {
    const home = tmpHome()
    const file = join(home, 'world.db')
    writeFileSync(file, 'this is not a database, just some bytes '.repeat(200))
    const before = createHash('sha256').update(readFileSync(file)).digest('hex')
    const r = await run(home, ['vm-list'])
    assert.equal(r.exitCode, 1)
    assert.equal(r.stdout, '')
    assert.equal(r.stderr.split('\n').length, 1)
    assert.ok(r.stderr.includes(file) && r.stderr.includes('xesim reset'), r.stderr)
    assert.equal(createHash('sha256').update(readFileSync(file)).digest('hex'), before)
  })

  it('a world written by a newer xesim is refused in one line and left untouched', async () => {
    const home = tmpHome()
    await run(home, ['pool-list'])
    const Database = require('better-sqlite3')
    const db = new Database(join(home, 'world.db'))
    db.prepare("UPDATE meta SET value='99' WHERE key='schema_version'").run()
    db.close()
    const before = createHash('sha256').update(readFileSync(join(home, 'world.db'))).digest('hex')
    const r = await run(home, ['pool-list'])
    assert.equal(r.exitCode, 1)
    assert.match(r.stderr, /^Error: the xesim world .*world\.db cannot be used: it was written by a newer xesim \(schema 99, this xesim knows 3\); it was left untouched \(run 'xesim reset' to recreate it\)$/)
    assert.equal(createHash('sha256').update(readFileSync(join(home, 'world.db'))).digest('hex'), before)
  })

  it('a world written by an older xesim (schema 1: no pools) is migrated, its objects all in the first pool', async function () {
    this.timeout(60000)
    const home = tmpHome()
    const seed = { XESIM_SEED: '11' }
    await run(home, ['vm-install', 'template=Debian Bookworm 12', 'new-name-label=old01'], seed)
    const before = (await run(home, ['vm-list', 'params=all'])).stdout
    // rewrite the file in the layout the first xesim wrote (store.ts createSchema at schema version 1)
    const Database = require('better-sqlite3')
    const db = new Database(join(home, 'world.db'))
    db.exec(`
      CREATE TABLE objects_v1(ref TEXT PRIMARY KEY, cls TEXT NOT NULL, uuid TEXT, data TEXT NOT NULL);
      INSERT INTO objects_v1 SELECT ref, cls, uuid, data FROM objects ORDER BY rowid;
      DROP TABLE objects;
      ALTER TABLE objects_v1 RENAME TO objects;
      CREATE INDEX objects_cls ON objects(cls);
      CREATE INDEX objects_uuid ON objects(uuid);
      UPDATE meta SET value='1' WHERE key='schema_version';`)
    db.close()
    // a reader migrates too (in a write transaction of its own), and sees the same world
    assert.equal((await run(home, ['vm-list', 'params=all'])).stdout, before)
    const after = new Database(join(home, 'world.db'), { readonly: true })
    const version = after.prepare("SELECT value FROM meta WHERE key='schema_version'").get().value
    const scopes = after.prepare('SELECT DISTINCT scope FROM objects').all().map((r: { scope: string }) => r.scope)
    // schema 3's indexes of the fields that grow with guests are there too
    const indexes = after.prepare("SELECT name FROM sqlite_master WHERE type = 'index'").all().map((r: { name: string }) => r.name)
    after.close()
    for (const name of ['by VBD.VM', 'by VM.resident_on', 'VM memory', 'VM domids']) assert.ok(indexes.includes(name), name)
    assert.deepEqual([version, scopes], [String(SCHEMA_VERSION), ['1']])
    const uuid = (await run(home, ['vm-list', 'name-label=old01', '--minimal'])).stdout
    const w = await run(home, ['vm-param-set', `uuid=${uuid}`, 'name-description=migrated'])
    assert.equal(w.exitCode, 0, w.stderr)
    assert.equal((await run(home, ['vm-param-get', `uuid=${uuid}`, 'param-name=name-description'])).stdout, 'migrated')
  })

  it('a reader that closes the pipe early is not an error', async () => {
    const home = tmpHome()
    const r = await execa('bash', ['-c', `"${XE}" help --all | head -1`], { env: env(home), reject: false })
    assert.equal(r.exitCode, 0)
    assert.equal(r.stdout, 'Usage:')
    assert.equal(r.stderr, '')
  })

  it('xesim reset recreates the default world (moving an unreadable one aside)', async () => {
    const home = tmpHome()
    writeFileSync(join(home, 'world.db'), 'garbage'.repeat(1000))
    const r = await xesim(home, ['reset', '--profile', 'xcp-ng-8.3', '--seed', '3'])
    assert.equal(r.exitCode, 0, r.stderr)
    assert.match(r.stdout, /moved to .*world\.db\.unreadable-/)
    const brand = await run(home, ['host-list', 'params=software-version', '--minimal'])
    assert.match(brand.stdout, /product_brand: XCP-ng/)
  })

  it('the same seed gives the same bytes; state save/load round-trips a world', async () => {
    const outputs: string[] = []
    for (const home of [tmpHome(), tmpHome()]) {
      const r1 = await xesim(home, ['reset', '--seed', '42'])
      assert.equal(r1.exitCode, 0, r1.stderr)
      const pool = (await run(home, ['pool-list', '--minimal'])).stdout
      await run(home, ['pool-param-set', `uuid=${pool}`, 'other-config:seeded=yes'])
      outputs.push((await run(home, ['host-param-list', `uuid=${(await run(home, ['host-list', '--minimal'])).stdout}`])).stdout + (await run(home, ['pool-param-list', `uuid=${pool}`])).stdout)
    }
    assert.equal(outputs[0], outputs[1])
    const src = tmpHome()
    await xesim(src, ['reset', '--seed', '5'])
    const pool = (await run(src, ['pool-list', '--minimal'])).stdout
    await run(src, ['pool-param-set', `uuid=${pool}`, 'name-label=saved'])
    const file = join(tmpHome(), 'fixture.xesim')
    assert.equal((await xesim(src, ['state', 'save', file])).exitCode, 0)
    const again = await xesim(src, ['state', 'save', file])
    assert.equal(again.exitCode, 1)
    assert.match(again.stderr, /already exists/)
    const dst = tmpHome()
    const l = await xesim(dst, ['state', 'load', file])
    assert.equal(l.exitCode, 0, l.stderr)
    assert.equal((await run(dst, ['pool-list', 'params=name-label', '--minimal'])).stdout, 'saved')
  })

  it("state save keeps the disks' bytes (vdi-data); state load brings them and drops the old world's", async () => {
    const src = tmpHome()
    const sr = (await run(src, ['sr-list', 'name-label=Local storage', '--minimal'])).stdout
    const vdi = (await run(src, ['vdi-create', `sr-uuid=${sr}`, 'name-label=data', 'virtual-size=4MiB'])).stdout
    // data at the start and past 1 MiB (two pieces of the saved table), a hole between
    const disk = Buffer.alloc(4 * 1024 * 1024)
    disk.write('boot sector', 0)
    for (let i = 3 * 1024 * 1024; i < disk.length; i++) disk[i] = i % 251
    const img = join(tmpHome(), 'disk.img')
    writeFileSync(img, disk)
    const imp = await run(src, ['vdi-import', `uuid=${vdi}`, `filename=${img}`, 'format=raw'])
    assert.equal(imp.exitCode, 0, imp.stderr)
    const file = join(tmpHome(), 'with-disks.xesim')
    const saved = await xesim(src, ['state', 'save', file])
    assert.equal(saved.exitCode, 0, saved.stderr)
    // a world with bytes of its own, replaced by the saved one
    const dst = tmpHome()
    const dsr = (await run(dst, ['sr-list', 'name-label=Local storage', '--minimal'])).stdout
    const own = (await run(dst, ['vdi-create', `sr-uuid=${dsr}`, 'name-label=own', 'virtual-size=1MiB'])).stdout
    assert.equal((await run(dst, ['vdi-import', `uuid=${own}`, `filename=${img}`, 'format=raw'])).exitCode, 1) // too big for it
    writeFileSync(img, disk.subarray(0, 1024 * 1024))
    assert.equal((await run(dst, ['vdi-import', `uuid=${own}`, `filename=${img}`, 'format=raw'])).exitCode, 0)
    assert.ok(existsSync(join(dst, 'vdi-data', `${own}.img`)))
    const l = await xesim(dst, ['state', 'load', file])
    assert.equal(l.exitCode, 0, l.stderr)
    assert.deepEqual(readdirSync(join(dst, 'vdi-data')).sort(), [`${vdi}.extents`, `${vdi}.img`])
    assert.deepEqual(readdirSync(dst).filter((f) => f.startsWith('.loading-')), [])
    const out = join(tmpHome(), 'out.img')
    const exp = await run(dst, ['vdi-export', `uuid=${vdi}`, `filename=${out}`, 'format=raw'])
    assert.equal(exp.exitCode, 0, exp.stderr)
    assert.ok(readFileSync(out).equals(disk))
  })

  it('exit codes and streams as §4: errors on stderr with 1, usage on stderr with 0', async () => {
    const home = tmpHome()
    const unknown = await run(home, ['no-such-command'])
    assert.deepEqual([unknown.exitCode, unknown.stdout, unknown.stderr], [1, '', "Unknown command: no-such-command\nFor usage run: 'xe help'"])
    const usage = await run(home, [])
    assert.equal(usage.exitCode, 0)
    assert.match(usage.stderr, /^Usage:/)
    const version = await run(home, ['-version'])
    assert.deepEqual([version.exitCode, version.stdout], [0, 'ThinCLI protocol: 0.2'])
  })
})
