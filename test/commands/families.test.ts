// The generated per-class commands, in-process, on a seeded default world.
// References: xe-cli-behaviour.md §1.3 (params=), §2.1 (list filtering), §3 (output), §3.4
// (param-list / param-get), §4 (errors), §10 (generated families); xe-records.json (fields).
import assert from 'node:assert/strict'
import { cleanupHomes, seededHome, xe } from '../helpers'

describe('generated families (§10) on the default world', function () {
  let home: string
  let pool: string
  let dom0: string
  before(async () => {
    home = await seededHome(7)
    pool = (await xe(home, ['pool-list', '--minimal'])).stdout.trim()
    dom0 = (await xe(home, ['vm-list', 'is-control-domain=true', '--minimal'])).stdout.trim()
  })
  after(cleanupHomes)

  it('XESIM_SEED makes a new world reproducible, in-process too', async () => {
    const a = await seededHome(7)
    assert.equal((await xe(a, ['pool-list', '--minimal'])).stdout.trim(), pool)
    assert.equal((await xe(a, ['vm-list', 'is-control-domain=true', '--minimal'])).stdout.trim(), dom0)
  })

  it('uuid= and name-label= filters (found through the store index) list what a scan lists, in creation order (§2.1)', async () => {
    const h = await seededHome(7)
    const a = (await xe(h, ['vm-install', 'template=Debian Bookworm 12', 'new-name-label=twin'])).stdout.trim()
    const b = (await xe(h, ['vm-install', 'template=Debian Bookworm 12', 'new-name-label=twin'])).stdout.trim()
    assert.equal((await xe(h, ['vm-list', 'name-label=twin', '--minimal'])).stdout, `${a},${b}\n`)
    assert.equal((await xe(h, ['vm-list', 'name-label=twin', `uuid=${b}`, 'params=name-label', '--minimal'])).stdout, 'twin\n')
    const t = (await xe(h, ['template-list', 'name-label=Debian Bookworm 12', '--minimal'])).stdout.trim()
    // a template's uuid: vm-list's own filter (is-a-template=false) drops it, template-list shows it
    assert.equal((await xe(h, ['vm-list', `uuid=${t}`, '--minimal'])).stdout, '\n')
    assert.equal((await xe(h, ['template-list', `uuid=${t}`, '--minimal'])).stdout, `${t}\n`)
    // --all ignores the filters; an unknown key fails while records reach it, not after a uuid that matched none
    assert.equal((await xe(h, ['vm-list', `uuid=${a}`, '--all', '--minimal'])).stdout.split(',').length > 2, true)
    assert.equal((await xe(h, ['vm-list', 'name-label=twin', 'colour=red'])).stderr, "Error: Unknown field 'colour'\n")
    assert.deepEqual(await xe(h, ['vm-list', 'uuid=nope', 'colour=red', '--minimal']), { stdout: '\n', stderr: '', code: 0 })
  })

  it('vm-list shows the control domain with the default fields (§3.2 layout, w = 4 + 17)', async () => {
    const r = await xe(home, ['vm-list'])
    assert.equal(r.code, 0)
    const name = (await xe(home, ['vm-param-get', `uuid=${dom0}`, 'param-name=name-label'])).stdout.trim()
    assert.equal(r.stdout, `uuid ( RO)           : ${dom0}\n     name-label ( RW): ${name}\n    power-state ( RO): running\n\n\n`)
    assert.match(name, /^Control domain on host: /)
  })

  it('template-list and vm-list --all follow the default filters (§2.1)', async () => {
    const templates = (await xe(home, ['template-list', '--minimal'])).stdout.trim().split(',')
    assert.equal(templates.length, 29, 'the XenServer 8 default templates (xapi-fresh-host.md §7, minus the XCP-ng-only rows)')
    const all = (await xe(home, ['vm-list', '--all', '--minimal'])).stdout.trim().split(',')
    assert.equal(all.length, templates.length + 1)
    const snaps = await xe(home, ['snapshot-list'])
    assert.deepEqual(snaps, { stdout: '', stderr: '', code: 0 })
  })

  it('params= selects fields in record order; params=all prints every non-hidden field (§1.3)', async () => {
    const r = await xe(home, ['vm-list', `uuid=${dom0}`, 'params=power-state,uuid,bogus'])
    assert.equal(r.stdout, `uuid ( RO)           : ${dom0}\n    power-state ( RO): running\n\n\n`)
    const all = await xe(home, ['vm-list', `uuid=${dom0}`, 'params=all'])
    assert.match(all.stdout, /^uuid \( RO\) +: /)
    assert.match(all.stdout, /memory-target \( RO\): <expensive field>\n/)
    assert.doesNotMatch(all.stdout, /transportable-snapshot-id/)
    const none = await xe(home, ['vm-list', `uuid=${dom0}`, 'params=bogus'])
    assert.equal(none.stdout, '\n\n\n')
  })

  it('param-get reads one field, a map key, and hidden fields (§3.4)', async () => {
    assert.equal((await xe(home, ['vm-param-get', `uuid=${dom0}`, 'param-name=power-state'])).stdout, 'running\n')
    assert.equal((await xe(home, ['vm-param-get', `uuid=${dom0}`, 'param-name=is-control-domain'])).stdout, 'true\n')
    assert.equal((await xe(home, ['pool-param-get', `uuid=${pool}`, 'param-name=other-config', 'param-key=memory-ratio-hvm'])).stdout, '0.25\n')
    const missingKey = await xe(home, ['pool-param-get', `uuid=${pool}`, 'param-name=other-config', 'param-key=nope'])
    assert.deepEqual(missingKey, { stdout: '', stderr: 'Error: Key nope not found in map\n', code: 1 })
    const hidden = await xe(home, ['vm-param-get', `uuid=${dom0}`, 'param-name=transportable-snapshot-id'])
    assert.equal(hidden.code, 0)
  })

  it('an unknown param-name is the non-datamodel error "Missing parameter" (§3.4)', async () => {
    const r = await xe(home, ['vm-param-get', `uuid=${dom0}`, 'param-name=nonsense'])
    assert.deepEqual(r, { stdout: '', stderr: 'Error code: Missing parameter\nError parameters: nonsense\n', code: 1 })
  })

  it('an unknown uuid is UUID_INVALID with the table name (§4)', async () => {
    const r = await xe(home, ['vm-param-list', 'uuid=nope'])
    assert.deepEqual(r, { stdout: '', stderr: 'The uuid you supplied was invalid.\ntype: VM\nuuid: nope\n', code: 1 })
    const sr = await xe(home, ['sr-param-get', 'uuid=nope', 'param-name=uuid'])
    assert.equal(sr.stderr, 'The uuid you supplied was invalid.\ntype: SR\nuuid: nope\n')
  })

  it('param-set sets scalars and map keys; the new key prints first (§10)', async () => {
    assert.equal((await xe(home, ['pool-param-set', `uuid=${pool}`, 'name-label=lab', 'other-config:owner=ops'])).code, 0)
    assert.equal((await xe(home, ['pool-param-get', `uuid=${pool}`, 'param-name=name-label'])).stdout, 'lab\n')
    const oc = (await xe(home, ['pool-param-get', `uuid=${pool}`, 'param-name=other-config'])).stdout
    assert.match(oc, /^owner: ops; /)
    await xe(home, ['pool-param-set', `uuid=${pool}`, 'other-config-owner=dev'])
    assert.equal((await xe(home, ['pool-param-get', `uuid=${pool}`, 'param-name=other-config', 'param-key=owner'])).stdout, 'dev\n')
  })

  it('param-set errors: read-only, map syntax, unknown field, sets (§4)', async () => {
    const ro = await xe(home, ['vm-param-set', `uuid=${dom0}`, 'power-state=halted'])
    assert.deepEqual(ro, { stdout: '', stderr: "Error: Field 'power-state' is read-only.\n", code: 1 })
    const map = await xe(home, ['pool-param-set', `uuid=${pool}`, 'other-config=x'])
    assert.equal(map.stderr, "Error: Field 'other-config' is a map or set. use the 'name:key=value' syntax.\n")
    const unk = await xe(home, ['pool-param-set', `uuid=${pool}`, 'colour=blue'])
    assert.equal(unk.stderr, "Error: Unknown field 'colour'\n")
    const set = await xe(home, ['pool-param-set', `uuid=${pool}`, 'tags:x=y'])
    assert.equal(set.stderr, 'Error: Cannot param-set on set fields\n')
    const scalar = await xe(home, ['pool-param-set', `uuid=${pool}`, 'name-label:x=y'])
    assert.equal(scalar.stderr, "Error: Field 'name-label' is not a set or map\n")
  })

  it('one command is one transaction: a failing parameter leaves the earlier ones unapplied', async () => {
    const before = (await xe(home, ['pool-param-get', `uuid=${pool}`, 'param-name=name-description'])).stdout
    const r = await xe(home, ['pool-param-set', `uuid=${pool}`, 'name-description=changed', 'colour=blue'])
    assert.equal(r.code, 1)
    assert.equal((await xe(home, ['pool-param-get', `uuid=${pool}`, 'param-name=name-description'])).stdout, before)
  })

  it('map keys are data: __proto__ and constructor are stored and printed like any key', async () => {
    await xe(home, ['pool-param-add', `uuid=${pool}`, 'param-name=other-config', '__proto__=x', 'constructor=y'])
    assert.equal((await xe(home, ['pool-param-get', `uuid=${pool}`, 'param-name=other-config', 'param-key=__proto__'])).stdout, 'x\n')
    const oc = (await xe(home, ['pool-param-get', `uuid=${pool}`, 'param-name=other-config'])).stdout
    assert.match(oc, /^constructor: y; __proto__: x; /)
    const filtered = await xe(home, ['pool-list', 'other-config:__proto__=x', '--minimal'])
    assert.equal(filtered.stdout, `${pool}\n`)
    await xe(home, ['pool-param-remove', `uuid=${pool}`, 'param-name=other-config', 'param-key=__proto__'])
    assert.doesNotMatch((await xe(home, ['pool-param-get', `uuid=${pool}`, 'param-name=other-config'])).stdout, /__proto__/)
  })

  it('param-add on a present key is MAP_DUPLICATE_KEY with the object as uuid (name) (§4, §10)', async () => {
    const r = await xe(home, ['vm-param-add', `uuid=${dom0}`, 'param-name=other-config', 'k=1'])
    assert.equal(r.code, 0)
    const dup = await xe(home, ['vm-param-add', `uuid=${dom0}`, 'param-name=other-config', 'k=2'])
    const name = (await xe(home, ['vm-param-get', `uuid=${dom0}`, 'param-name=name-label'])).stdout.trim()
    assert.equal(dup.stderr, `You tried to add a key-value pair to a map, but that key is already there.\ntype: VM\nparam_name: other_config\nuuid: ${dom0} (${name})\nkey: k\n`)
  })

  it('sets: tags add/remove and set:contains filters (§2.1, §10)', async () => {
    await xe(home, ['vm-param-add', `uuid=${dom0}`, 'param-name=tags', 'param-key=blue'])
    await xe(home, ['vm-param-add', `uuid=${dom0}`, 'param-name=tags', 'param-key=green'])
    assert.equal((await xe(home, ['vm-param-get', `uuid=${dom0}`, 'param-name=tags'])).stdout, 'green, blue\n')
    assert.equal((await xe(home, ['vm-list', 'tags:contains=blue', '--minimal'])).stdout, `${dom0}\n`)
    const bad = await xe(home, ['vm-list', 'tags:has=blue'])
    assert.equal(bad.stderr, 'Error: Invalid syntax for set filtering (should be set-param:contains=key)\n')
    const noKey = await xe(home, ['vm-param-add', `uuid=${dom0}`, 'param-name=tags'])
    assert.equal(noKey.stderr, 'Error: When adding a key to a set, use the syntax: *-param-add param-name=<name> param-key=<key>\n')
    const notIn = await xe(home, ['vm-param-remove', `uuid=${dom0}`, 'param-name=tags', 'param-key=red'])
    assert.equal(notIn.stderr, 'Error: Key red is not in the set\n')
    await xe(home, ['vm-param-clear', `uuid=${dom0}`, 'param-name=tags'])
    assert.equal((await xe(home, ['vm-param-get', `uuid=${dom0}`, 'param-name=tags'])).stdout, '\n')
  })

  it('param-add/remove/clear on fields that do not allow it (§4)', async () => {
    const add = await xe(home, ['vm-param-add', `uuid=${dom0}`, 'param-name=name-label', 'param-key=x'])
    assert.equal(add.stderr, 'Error: Can only add to parameters of type Set or Map\n')
    const roSet = await xe(home, ['vm-param-add', `uuid=${dom0}`, 'param-name=allowed-operations', 'param-key=x'])
    assert.equal(roSet.stderr, 'Error: Parameter is read-only\n')
    const rm = await xe(home, ['vm-param-remove', `uuid=${dom0}`, 'param-name=name-label', 'param-key=x'])
    assert.equal(rm.stderr, 'Error: Can only remove from parameters of type Set or Map\n')
    const rmKey = await xe(home, ['pool-param-remove', `uuid=${pool}`, 'param-name=other-config', 'param-key=absent'])
    assert.equal(rmKey.stderr, 'Error: Key absent is not in map\n')
    const clr = await xe(home, ['vm-param-clear', `uuid=${dom0}`, 'param-name=power-state'])
    assert.equal(clr.stderr, 'Error: Can only clear RW parameters\n')
    const clrInt = await xe(home, ['vm-param-clear', `uuid=${dom0}`, 'param-name=user-version'])
    assert.equal(clrInt.stderr, 'Error: Cannot clear this parameter\n')
    const clrStr = await xe(home, ['pool-param-clear', `uuid=${pool}`, 'param-name=name-description'])
    assert.equal(clrStr.code, 0)
  })

  it('list filters: exact rendered value, map:key=value, unknown fields only with records (§2.1)', async () => {
    assert.equal((await xe(home, ['vm-list', 'power-state=running', '--minimal'])).stdout, `${dom0}\n`)
    assert.equal((await xe(home, ['vm-list', 'power-state=Running', '--minimal'])).stdout, '\n')
    const unk = await xe(home, ['vm-list', 'vm=x'])
    assert.deepEqual(unk, { stdout: '', stderr: "Error: Unknown field 'vm'\n", code: 1 })
    const none = await xe(home, ['snapshot-list', 'bogus=1'])
    assert.deepEqual(none, { stdout: '', stderr: '', code: 0 })
  })
})
