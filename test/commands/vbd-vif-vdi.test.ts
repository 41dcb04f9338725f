// The plain device verbs, in-process on seeded worlds: vbd-create/-destroy/-plug/-unplug/-insert/-eject,
// vif-create/-destroy/-plug/-unplug, vdi-create/-destroy/-resize/-clone/-snapshot/-copy.
// References: xe-cli-behaviour.md §9 (vbd-create, vbd-unplug, vif-create, vdi-create, other VDI commands), §1.2 (byte
// sizes, booleans, map and set parameters), §3.4 (create commands print the uuid), §3.5 (--minimal), §4 (errors);
// xapi-model.md §3 (cascades), §9 (VBD rules), §10 (VIF rules and MACs), §11 (storage); cli_operations.ml.
import assert from 'node:assert/strict'
import { cleanupHomes, seededHome, xe, type Result } from '../helpers'
import { GiB, MiB, inWorld, makeIsoSr, makeVm } from './device-helpers'
import { generateMac } from '../../src/engine/vif'
import { mapGet } from '../../src/engine/values'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\n$/
const ok = (r: Result, stdout = '', what?: string) => assert.deepEqual(r, { stdout, stderr: '', code: 0 }, what)
const fails = (r: Result, stderr: string) => assert.deepEqual(r, { stdout: '', stderr, code: 1 })
/** A create command's output: one uuid and a newline (PList, §3.4); returns the uuid. */
function created(r: Result): string {
  assert.equal(r.stderr, '')
  assert.equal(r.code, 0)
  assert.match(r.stdout, UUID)
  return r.stdout.trim()
}
const line = async (home: string, args: string[]) => (await xe(home, args)).stdout.replace(/\n$/, '')
const get = (home: string, cls: string, uuid: string, field: string) => line(home, [`${cls}-param-get`, `uuid=${uuid}`, `param-name=${field}`])
const badPower = (vm: string, name: string, expected: string, actual: string) =>
  "You attempted an operation on a VM that was not in an appropriate power state at the time; for example, you attempted to start a VM that was already running. The parameters returned are the VM's handle, and the expected and actual VM state at the time of the call.\n" +
  `vm: ${vm} (${name})\nexpected: ${expected}\nactual: ${actual}\n`

describe('xe vdi-create / vdi-destroy / vdi-resize / vdi-clone / vdi-snapshot / vdi-copy (§9 VDI commands)', function () {
  let home: string
  let local: string
  let dvd: string
  let vdi: string
  before(async () => {
    home = await seededHome(21)
    local = await line(home, ['sr-list', 'name-label=Local storage', '--minimal'])
    dvd = await line(home, ['sr-list', 'name-label=DVD drives', '--minimal'])
  })
  after(cleanupHomes)

  it('vdi-create prints the uuid; defaults: type User, empty description, not read-only or sharable (§9, §3.4)', async () => {
    vdi = created(await xe(home, ['vdi-create', `sr-uuid=${local}`, 'name-label=data', 'virtual-size=10GiB']))
    for (const [f, v] of [['name-label', 'data'], ['name-description', ''], ['virtual-size', String(10 * GiB)], ['type', 'User'], ['read-only', 'false'], ['sharable', 'false'], ['sr-uuid', local]]) {
      assert.equal(await get(home, 'vdi', vdi, f!), v, f)
    }
    ok(await xe(home, ['vdi-create', `sr-uuid=${local}`, 'name-label=m', 'virtual-size=4M', '--minimal']), (await line(home, ['vdi-list', 'name-label=m', '--minimal'])) + '\n')
  })

  it('vdi-create: size suffixes (§1.2), type=, sharable=, sm-config:*, tags:*', async () => {
    const sizes: Array<[string, number]> = [['3g', 3 * GiB], ['2 MiB', 2 * MiB], ['1KiB', 2 * MiB], ['4194304', 4 * MiB], ['5mb', 6 * MiB]]
    for (const [text, size] of sizes) {
      const u = created(await xe(home, ['vdi-create', `sr-uuid=${local}`, `name-label=s${text}`, `virtual-size=${text}`]))
      assert.equal(await get(home, 'vdi', u, 'virtual-size'), String(size), `${text} (rounded up to 2 MiB, xapi-model.md §11.3)`)
    }
    const u = created(await xe(home, ['vdi-create', `sr-uuid=${local}`, 'name-label=sys', 'virtual-size=1G', 'type=system', 'sharable=yes', 'sm-config:type=raw', 'tags:gold=', 'tags:db=']))
    assert.equal(await get(home, 'vdi', u, 'type'), 'System')
    assert.equal(await get(home, 'vdi', u, 'sharable'), 'true')
    assert.equal(await get(home, 'vdi', u, 'tags'), 'gold, db')
    assert.equal(await get(home, 'vdi', u, 'sm-config'), 'type: raw; vdi_type: aio', 'LVHD: sm-config:type=raw makes a raw LV')
    for (const t of ['suspend', 'crashdump', 'user']) created(await xe(home, ['vdi-create', `sr-uuid=${local}`, `name-label=${t}`, 'virtual-size=1G', `type=${t}`]))
  })

  it('vdi-create errors: unknown SR, bad size, "Unknown vdi type", bad boolean, an SR without vdi_create (§4)', async () => {
    const base = ['vdi-create', 'name-label=x', 'virtual-size=1G']
    fails(await xe(home, [...base, 'sr-uuid=nope']), 'The uuid you supplied was invalid.\ntype: SR\nuuid: nope\n')
    fails(await xe(home, [...base.slice(0, 2), 'virtual-size=-1', `sr-uuid=${local}`]), "Error: Failed to parse field 'virtual-size': expecting an integer (possibly with suffix KiB, MiB, GiB, TiB), got '-1'\n")
    fails(await xe(home, [...base, `sr-uuid=${local}`, 'type=User']), 'Error: Unknown vdi type: User\n')
    fails(await xe(home, [...base, `sr-uuid=${local}`, 'type=ephemeral']), 'Error: Unknown vdi type: ephemeral\n')
    fails(await xe(home, [...base, `sr-uuid=${local}`, 'sharable=maybe']), "Error: Failed to parse parameter 'sharable': Expected 'true','t','yes','y','1','false','f','no','n','0' got maybe\n")
    fails(await xe(home, [...base, `sr-uuid=${dvd}`]), `The SR backend does not support the operation (check the SR's allowed operations)\nsr: ${dvd} (DVD drives)\n`)
  })

  it('vdi-resize grows (offline) and takes online=true only as exactly "true"; shrinking is an SM failure (§9, xapi-model.md §11.4)', async () => {
    ok(await xe(home, ['vdi-resize', `uuid=${vdi}`, 'disk-size=12GiB']))
    assert.equal(await get(home, 'vdi', vdi, 'virtual-size'), String(12 * GiB))
    ok(await xe(home, ['vdi-resize', `uuid=${vdi}`, 'disk-size=13GiB', 'online=TRUE']), '', 'not "true": an offline resize')
    fails(await xe(home, ['vdi-resize', `uuid=${vdi}`, 'disk-size=14GiB', 'online=true']), `The SR backend does not support the operation (check the SR's allowed operations)\nsr: ${local} (Local storage)\n`)
    fails(await xe(home, ['vdi-resize', `uuid=${vdi}`, 'disk-size=1GiB']), 'Error code: SR_BACKEND_FAILURE_79\nError parameters: , VDI Invalid size [opterr=shrinking not allowed], \n')
    fails(await xe(home, ['vdi-resize', `uuid=${vdi}`, 'disk-size=big']), "Error: Failed to parse field 'disk-size': expecting an integer (possibly with suffix KiB, MiB, GiB, TiB), got 'big'\n")
    fails(await xe(home, ['vdi-resize', 'uuid=nope', 'disk-size=big']), 'The uuid you supplied was invalid.\ntype: VDI\nuuid: nope\n')
    assert.equal(await get(home, 'vdi', vdi, 'virtual-size'), String(13 * GiB))
  })

  it('vdi-clone prints the clone\'s uuid, with new-name-label / new-name-description when given (§9)', async () => {
    const same = created(await xe(home, ['vdi-clone', `uuid=${vdi}`]))
    assert.equal(await get(home, 'vdi', same, 'name-label'), 'data')
    assert.equal(await get(home, 'vdi', same, 'is-a-snapshot'), 'false')
    const named = created(await xe(home, ['vdi-clone', `uuid=${vdi}`, 'new-name-label=data-copy', 'new-name-description=for tests']))
    assert.equal(await get(home, 'vdi', named, 'name-label'), 'data-copy')
    assert.equal(await get(home, 'vdi', named, 'name-description'), 'for tests')
    assert.equal(await get(home, 'vdi', named, 'virtual-size'), String(13 * GiB))
  })

  it('vdi-snapshot prints the snapshot\'s uuid: is-a-snapshot, snapshot-of (§9)', async () => {
    const snap = created(await xe(home, ['vdi-snapshot', `uuid=${vdi}`]))
    assert.equal(await get(home, 'vdi', snap, 'is-a-snapshot'), 'true')
    assert.equal(await get(home, 'vdi', snap, 'snapshot-of'), vdi)
    assert.equal(await get(home, 'vdi', vdi, 'snapshots'), snap)
    fails(await xe(home, ['vdi-snapshot', 'uuid=nope']), 'The uuid you supplied was invalid.\ntype: VDI\nuuid: nope\n')
  })

  it('vdi-copy: exactly one of sr-uuid= and into-vdi-uuid=; a new VDI or the given one; VDI_TOO_SMALL (§9)', async () => {
    const msg = 'Error: Please specify one but not both of: a destination sr-uuid (I will create a fresh VDI); or a destination into-vdi-uuid (I will copy the blocks into this VDI)\n'
    fails(await xe(home, ['vdi-copy', `uuid=${vdi}`]), msg)
    fails(await xe(home, ['vdi-copy', `uuid=${vdi}`, `sr-uuid=${local}`, `into-vdi-uuid=${vdi}`]), msg)
    fails(await xe(home, ['vdi-copy', 'uuid=nope']), 'The uuid you supplied was invalid.\ntype: VDI\nuuid: nope\n')
    fails(await xe(home, ['vdi-copy', `uuid=${vdi}`, 'base-vdi-uuid=nope', `sr-uuid=${local}`]), 'The uuid you supplied was invalid.\ntype: VDI\nuuid: nope\n')
    const copy = created(await xe(home, ['vdi-copy', `uuid=${vdi}`, `sr-uuid=${local}`]))
    assert.notEqual(copy, vdi)
    assert.equal(await get(home, 'vdi', copy, 'name-label'), 'data')
    assert.equal(await get(home, 'vdi', copy, 'virtual-size'), String(13 * GiB))
    ok(await xe(home, ['vdi-copy', `uuid=${vdi}`, `into-vdi-uuid=${copy}`]), copy + '\n')
    const small = await line(home, ['vdi-list', 'name-label=m', '--minimal'])
    fails(await xe(home, ['vdi-copy', `uuid=${vdi}`, `into-vdi-uuid=${small}`]), `The VDI is too small. Please resize it to at least the minimum size.\nvdi: ${small} (m)\nminimum size: ${13 * GiB}\n`)
  })

  it('vdi-destroy removes the VDI and its VBDs; attached it is VDI_IN_USE; a DVD drive is a physical device (§4, xapi-model.md §3)', async () => {
    const vm = await makeVm(home, { name: 'pv', power: 'Running', domain: 'pv' })
    const vbd = created(await xe(home, ['vbd-create', `vm-uuid=${vm}`, `vdi-uuid=${vdi}`, 'device=1']))
    ok(await xe(home, ['vbd-plug', `uuid=${vbd}`]))
    fails(await xe(home, ['vdi-destroy', `uuid=${vdi}`]), `This operation cannot be performed because this VDI is in use by some other operation\nvdi: ${vdi} (data)\noperation: destroy\n`)
    ok(await xe(home, ['vbd-unplug', `uuid=${vbd}`]))
    ok(await xe(home, ['vdi-destroy', `uuid=${vdi}`]))
    assert.equal(await line(home, ['vdi-list', `uuid=${vdi}`, '--minimal']), '')
    assert.equal(await line(home, ['vbd-list', `uuid=${vbd}`, '--minimal']), '', 'its VBDs go too')
    const drive = await inWorld(home, (db) => {
      const sr = db.getByUuid('SR', dvd)
      return db.create('VDI', { name_label: 'SCSI 0:0:0:0', SR: sr.ref, type: 'user', managed: true, location: '/dev/xapi/cd/sr0', read_only: true }).f.uuid
    })
    fails(await xe(home, ['vdi-destroy', `uuid=${drive}`]), `The SR backend does not support the operation (check the SR's allowed operations)\nsr: ${dvd} (DVD drives)\n`)
  })
})

describe('xe vbd-create / vbd-destroy / vbd-plug / vbd-unplug / vbd-insert / vbd-eject (§9, xapi-model.md §9)', function () {
  let home: string
  let local: string
  let halted: string
  let pv: string
  let disk: string
  let iso: string
  before(async () => {
    home = await seededHome(22)
    local = await line(home, ['sr-list', 'name-label=Local storage', '--minimal'])
    halted = await makeVm(home, { name: 'halted' })
    pv = await makeVm(home, { name: 'pv', power: 'Running', domain: 'pv' })
    disk = await line(home, ['vdi-create', `sr-uuid=${local}`, 'name-label=disk', 'virtual-size=1G'])
    iso = (await makeIsoSr(home, ['debian-12.iso'])).isos[0]!
  })
  after(cleanupHomes)

  it('vbd-create prints the uuid; defaults: RW Disk, not bootable, unpluggable, not attached (§9)', async () => {
    const vbd = created(await xe(home, ['vbd-create', `vm-uuid=${halted}`, `vdi-uuid=${disk}`, 'device=0']))
    for (const [f, v] of [['vdi-uuid', disk], ['userdevice', '0'], ['mode', 'RW'], ['type', 'Disk'], ['bootable', 'false'], ['unpluggable', 'true'], ['empty', 'false'], ['currently-attached', 'false'], ['other-config', ''], ['device', '']]) {
      assert.equal(await get(home, 'vbd', vbd, f!), v, f)
    }
    ok(await xe(home, ['vbd-destroy', `uuid=${vbd}`]))
    assert.equal(await line(home, ['vbd-list', `uuid=${vbd}`, '--minimal']), '')
    assert.equal(await line(home, ['vdi-list', `uuid=${disk}`, '--minimal']), disk, 'vbd-destroy leaves the VDI')
  })

  it('vbd-create: type= and mode= are case-insensitive; bootable=, unpluggable=; an empty CD without vdi-uuid (§9)', async () => {
    const vbd = created(await xe(home, ['vbd-create', `vm-uuid=${halted}`, `vdi-uuid=${disk}`, 'device=autodetect', 'type=DISK', 'mode=ro', 'bootable=true', 'unpluggable=no']))
    for (const [f, v] of [['userdevice', '0'], ['mode', 'RO'], ['bootable', 'true'], ['unpluggable', 'false']]) assert.equal(await get(home, 'vbd', vbd, f!), v, f)
    const cd = created(await xe(home, ['vbd-create', `vm-uuid=${halted}`, 'device=3', 'type=Cd', 'mode=RO']))
    for (const [f, v] of [['type', 'CD'], ['empty', 'true'], ['vdi-uuid', '<not in database>'], ['mode', 'RO']]) assert.equal(await get(home, 'vbd', cd, f!), v, f)
  })

  it('vbd-create CLI errors: empty Disk, unknown mode (lower-cased, no closing parenthesis), unknown type, bad booleans (§9, §1.2)', async () => {
    const base = ['vbd-create', `vm-uuid=${halted}`, 'device=5']
    fails(await xe(home, base), 'Error: Empty VBDs can only be made for type=CD\n')
    fails(await xe(home, [...base, 'type=disk']), 'Error: Empty VBDs can only be made for type=CD\n')
    fails(await xe(home, [...base, 'type=CD', 'mode=Write']), 'Error: Unknown mode: write (should be "ro" or "rw"\n')
    fails(await xe(home, [...base, 'type=Tape', 'mode=RO']), 'Error: "Unknown type: tape (should be "cd", "disk" or "floppy"\n')
    fails(await xe(home, [...base, 'type=Tape', 'mode=x']), 'Error: Unknown mode: x (should be "ro" or "rw"\n', )
    fails(await xe(home, [...base, 'bootable=2']), "Error: Failed to parse parameter 'bootable': Expected 'true','t','yes','y','1','false','f','no','n','0' got 2\n")
    fails(await xe(home, [...base, 'type=cd', 'mode=ro', 'unpluggable=2']), "Error: Failed to parse parameter 'unpluggable': Expected 'true','t','yes','y','1','false','f','no','n','0' got 2\n")
  })

  it('vbd-create API errors: unknown VM/VDI, R/W CD, empty floppy, device in use or invalid, R/W on a read-only VDI (§4, xapi-model.md §9)', async () => {
    fails(await xe(home, ['vbd-create', 'vm-uuid=nope', 'device=1']), 'The uuid you supplied was invalid.\ntype: VM\nuuid: nope\n')
    fails(await xe(home, ['vbd-create', `vm-uuid=${halted}`, 'vdi-uuid=nope', 'device=1']), 'The uuid you supplied was invalid.\ntype: VDI\nuuid: nope\n')
    fails(await xe(home, ['vbd-create', `vm-uuid=${halted}`, 'device=5', 'type=cd']), 'Read/write CDs are not supported\n')
    fails(await xe(home, ['vbd-create', `vm-uuid=${halted}`, 'device=5', 'type=floppy']), 'Media could not be ejected because it is not removable\nvbd: in constructor\n')
    fails(await xe(home, ['vbd-create', `vm-uuid=${halted}`, `vdi-uuid=${disk}`, 'device=3', 'mode=ro']), 'A device with the name given already exists on the selected VM\ndevice: 3\n')
    fails(await xe(home, ['vbd-create', `vm-uuid=${halted}`, `vdi-uuid=${disk}`, 'device=hdd', 'mode=ro']), 'A device with the name given already exists on the selected VM\ndevice: hdd\n')
    fails(await xe(home, ['vbd-create', `vm-uuid=${halted}`, `vdi-uuid=${disk}`, 'device=zz9', 'mode=ro']), 'The device name is invalid\ndevice: zz9\n')
    await inWorld(home, (db) => db.set(db.getByUuid('VDI', iso), { read_only: true }))
    fails(await xe(home, ['vbd-create', `vm-uuid=${halted}`, `vdi-uuid=${iso}`, 'device=7']), `The operation required write access but this VDI is read-only\nvdi: ${iso} (debian-12.iso)\n`)
    await inWorld(home, (db) => db.set(db.getByUuid('VDI', iso), { read_only: false }))
  })

  it('vbd-plug / vbd-unplug: only while Running; already attached/detached; unplug timeout= and --force (§9, xapi-model.md §9)', async () => {
    const off = await line(home, ['vbd-list', `vm-uuid=${halted}`, 'userdevice=3', '--minimal'])
    fails(await xe(home, ['vbd-plug', `uuid=${off}`]), badPower(halted, 'halted', 'running', 'halted'))
    fails(await xe(home, ['vbd-unplug', `uuid=${off}`]), badPower(halted, 'halted', 'running', 'halted'))
    // valid_operations: "not unpluggable" is found before the power state
    const fixed = await line(home, ['vbd-list', `vm-uuid=${halted}`, 'userdevice=0', '--minimal'])
    fails(await xe(home, ['vbd-unplug', `uuid=${fixed}`]), `Drive could not be hot-unplugged because it is not marked as unpluggable\nvbd: ${fixed}\n`)
    const vbd = created(await xe(home, ['vbd-create', `vm-uuid=${pv}`, `vdi-uuid=${disk}`, 'device=1', 'mode=RO']))
    ok(await xe(home, ['vbd-plug', `uuid=${vbd}`]))
    assert.equal(await get(home, 'vbd', vbd, 'currently-attached'), 'true')
    assert.equal(await get(home, 'vbd', vbd, 'device'), 'xvdb')
    fails(await xe(home, ['vbd-plug', `uuid=${vbd}`]), `The device is already attached to a VM\ndevice: ${vbd}\n`)
    fails(await xe(home, ['vbd-destroy', `uuid=${vbd}`]), `You attempted an operation that was not allowed.\nreason: VBD '${vbd}' still attached to '${pv}'\n`)
    fails(await xe(home, ['vbd-unplug', `uuid=${vbd}`, 'timeout=soon']), "Error: Failed to parse parameter 'timeout': expecting a float\n")
    fails(await xe(home, ['vbd-unplug', `uuid=${vbd}`, 'force=sure']), "Error: Failed to parse parameter 'force': Expected 'true','t','yes','y','1','false','f','no','n','0' got sure\n")
    ok(await xe(home, ['vbd-unplug', `uuid=${vbd}`, 'timeout=30.5']))
    assert.equal(await get(home, 'vbd', vbd, 'currently-attached'), 'false')
    fails(await xe(home, ['vbd-unplug', `uuid=${vbd}`, '--force']), `The device is not currently attached\ndevice: ${vbd}\n`)
    ok(await xe(home, ['vbd-plug', `uuid=${vbd}`]))
    ok(await xe(home, ['vbd-unplug', `uuid=${vbd}`, '--force']))
    fails(await xe(home, ['vbd-plug', 'uuid=nope']), 'The uuid you supplied was invalid.\ntype: VBD\nuuid: nope\n')
  })

  it('vbd-unplug of a VBD that is not unpluggable; an HVM guest without PV drivers cannot hot-plug (xapi-model.md §9)', async () => {
    const fixed = created(await xe(home, ['vbd-create', `vm-uuid=${pv}`, `vdi-uuid=${disk}`, 'device=2', 'mode=RO', 'unpluggable=false']))
    ok(await xe(home, ['vbd-plug', `uuid=${fixed}`]))
    fails(await xe(home, ['vbd-unplug', `uuid=${fixed}`]), `Drive could not be hot-unplugged because it is not marked as unpluggable\nvbd: ${fixed}\n`)
    const hvm = await makeVm(home, { name: 'hvm', power: 'Running' })
    const vbd = created(await xe(home, ['vbd-create', `vm-uuid=${hvm}`, `vdi-uuid=${disk}`, 'device=1', 'mode=RO']))
    fails(await xe(home, ['vbd-plug', `uuid=${vbd}`]), `You attempted an operation on a VM which requires PV drivers to be installed but the drivers were not detected.\nvm: ${hvm} (hvm)\n`)
  })

  it('vbd-insert / vbd-eject: CD drives only; VBD_NOT_EMPTY, VBD_IS_EMPTY (§9, xapi-model.md §9)', async () => {
    const cd = await line(home, ['vbd-list', `vm-uuid=${halted}`, 'type=CD', '--minimal'])
    fails(await xe(home, ['vbd-eject', `uuid=${cd}`]), `Operation could not be performed because the drive is empty\nvbd: ${cd}\n`)
    fails(await xe(home, ['vbd-insert', `uuid=${cd}`, 'vdi-uuid=nope']), 'The uuid you supplied was invalid.\ntype: VDI\nuuid: nope\n')
    ok(await xe(home, ['vbd-insert', `uuid=${cd}`, `vdi-uuid=${iso}`]))
    assert.equal(await get(home, 'vbd', cd, 'vdi-uuid'), iso)
    fails(await xe(home, ['vbd-insert', `uuid=${cd}`, `vdi-uuid=${iso}`]), `Operation could not be performed because the drive is not empty\nvbd: ${cd}\n`)
    ok(await xe(home, ['vbd-eject', `uuid=${cd}`]))
    assert.equal(await get(home, 'vbd', cd, 'empty'), 'true')
    const d = await line(home, ['vbd-list', `vm-uuid=${halted}`, 'type=Disk', '--minimal'])
    fails(await xe(home, ['vbd-eject', `uuid=${d}`]), `Media could not be ejected because it is not removable\nvbd: ${d}\n`)
    fails(await xe(home, ['vbd-insert', `uuid=${d}`, `vdi-uuid=${iso}`]), `Media could not be ejected because it is not removable\nvbd: ${d}\n`)
  })
})

describe('xe vif-create / vif-destroy / vif-plug / vif-unplug (§9, xapi-model.md §10)', function () {
  let home: string
  let net: string
  let halted: string
  let pv: string
  before(async () => {
    home = await seededHome(23)
    net = await line(home, ['network-list', 'bridge=xenbr1', '--minimal'])
    halted = await makeVm(home, { name: 'halted' })
    pv = await makeVm(home, { name: 'pv', power: 'Running', domain: 'pv' })
  })
  after(cleanupHomes)

  it('vif-create without mac derives it from the VM\'s mac_seed (MAC-autogenerated); the MTU is the network\'s (§9, §10)', async () => {
    ok(await xe(home, ['network-param-set', `uuid=${net}`, 'MTU=9000']))
    const vif = created(await xe(home, ['vif-create', `vm-uuid=${halted}`, `network-uuid=${net}`, 'device=0']))
    const seed = await inWorld(home, (db) => mapGet(db.getByUuid('VM', halted).f.other_config, 'mac_seed')!)
    assert.equal(await get(home, 'vif', vif, 'MAC'), generateMac(seed, 0))
    assert.equal(await get(home, 'vif', vif, 'MAC-autogenerated'), 'true')
    assert.equal(await get(home, 'vif', vif, 'MTU'), '9000')
    assert.equal(await get(home, 'vif', vif, 'locking-mode'), 'network_default')
    assert.equal(await get(home, 'vif', vif, 'currently-attached'), 'false')
  })

  it('vif-create mac=<MAC> keeps it as given; mac=random repeats one random byte (record_util.ml random_mac_local)', async () => {
    const given = created(await xe(home, ['vif-create', `vm-uuid=${halted}`, `network-uuid=${net}`, 'device=1', 'mac=02:AB:cd:00:00:01']))
    assert.equal(await get(home, 'vif', given, 'MAC'), '02:AB:cd:00:00:01')
    assert.equal(await get(home, 'vif', given, 'MAC-autogenerated'), 'false')
    const random = created(await xe(home, ['vif-create', `vm-uuid=${halted}`, `network-uuid=${net}`, 'device=2', 'mac=random']))
    assert.match(await get(home, 'vif', random, 'MAC'), /^[0-9a-f][26ae]:([0-9a-f]{2}):\1:\1:\1:\1$/)
  })

  it('vif-create errors: unknown VM/network, INVALID_DEVICE, MAC_INVALID, DEVICE_ALREADY_EXISTS (§4, §10)', async () => {
    fails(await xe(home, ['vif-create', 'vm-uuid=nope', `network-uuid=${net}`, 'device=3']), 'The uuid you supplied was invalid.\ntype: VM\nuuid: nope\n')
    fails(await xe(home, ['vif-create', `vm-uuid=${halted}`, 'network-uuid=nope', 'device=3']), 'The uuid you supplied was invalid.\ntype: network\nuuid: nope\n')
    fails(await xe(home, ['vif-create', `vm-uuid=${halted}`, `network-uuid=${net}`, 'device=eth3']), 'The device name is invalid\ndevice: eth3\n')
    fails(await xe(home, ['vif-create', `vm-uuid=${halted}`, `network-uuid=${net}`, 'device=3', 'mac=02:00:00:00:00']), 'The MAC address specified is not valid.\nMAC: 02:00:00:00:00\n')
    fails(await xe(home, ['vif-create', `vm-uuid=${halted}`, `network-uuid=${net}`, 'device=1', 'mac=02:00:00:00:00:09']), 'A device with the name given already exists on the selected VM\ndevice: 1\n')
    const seedless = await inWorld(home, (db) => {
      const vm = db.getByUuid('VM', halted)
      db.set(vm, { other_config: vm.f.other_config.filter(([k]) => k !== 'mac_seed') })
      return vm.f.uuid
    })
    fails(await xe(home, ['vif-create', `vm-uuid=${seedless}`, `network-uuid=${net}`, 'device=3']), 'The MAC address specified is not valid.\nMAC: \n')
  })

  it('vif-plug / vif-unplug only while Running; attached VIFs cannot be destroyed; --force (§9, xapi-model.md §3, §10)', async () => {
    const off = await line(home, ['vif-list', `vm-uuid=${halted}`, 'device=0', '--minimal'])
    fails(await xe(home, ['vif-plug', `uuid=${off}`]), badPower(halted, 'halted', 'running', 'halted'))
    fails(await xe(home, ['vif-unplug', `uuid=${off}`]), badPower(halted, 'halted', 'running', 'halted'))
    const vif = created(await xe(home, ['vif-create', `vm-uuid=${pv}`, `network-uuid=${net}`, 'device=0']))
    assert.equal(await get(home, 'vif', vif, 'currently-attached'), 'false', 'a VIF created on a running VM is not plugged')
    ok(await xe(home, ['vif-plug', `uuid=${vif}`]))
    assert.equal(await get(home, 'vif', vif, 'currently-attached'), 'true')
    fails(await xe(home, ['vif-plug', `uuid=${vif}`]), `The device is already attached to a VM\ndevice: ${vif}\n`)
    fails(await xe(home, ['vif-destroy', `uuid=${vif}`]), 'You attempted an operation that was not allowed.\nreason: VIF currently attached to a running VM\n')
    fails(await xe(home, ['vif-unplug', `uuid=${vif}`, 'force=sure']), "Error: Failed to parse parameter 'force': Expected 'true','t','yes','y','1','false','f','no','n','0' got sure\n")
    ok(await xe(home, ['vif-unplug', `uuid=${vif}`, '--force']))
    fails(await xe(home, ['vif-unplug', `uuid=${vif}`]), `The device is not currently attached\ndevice: ${vif}\n`)
    ok(await xe(home, ['vif-plug', `uuid=${vif}`]))
    ok(await xe(home, ['vif-unplug', `uuid=${vif}`]))
    ok(await xe(home, ['vif-destroy', `uuid=${vif}`]))
    assert.equal(await line(home, ['vif-list', `uuid=${vif}`, '--minimal']), '')
    fails(await xe(home, ['vif-destroy', 'uuid=nope']), 'The uuid you supplied was invalid.\ntype: VIF\nuuid: nope\n')
  })

  it('vif-plug on an HVM guest without PV drivers is VM_MISSING_PV_DRIVERS (xapi-model.md §10)', async () => {
    const hvm = await makeVm(home, { name: 'hvm', power: 'Running' })
    const vif = created(await xe(home, ['vif-create', `vm-uuid=${hvm}`, `network-uuid=${net}`, 'device=0']))
    fails(await xe(home, ['vif-plug', `uuid=${vif}`]), `You attempted an operation on a VM which requires PV drivers to be installed but the drivers were not detected.\nvm: ${hvm} (hvm)\n`)
  })
})
