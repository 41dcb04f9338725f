// A VM's disks, CDs and network interfaces through xe's VM-level verbs, in-process on seeded worlds:
// vm-disk-add/-list/-remove, snapshot-disk-list, vm-cd-add/-list/-insert/-eject/-remove, cd-list, vm-vif-list, and a
// provisioning script. References: xe-cli-behaviour.md §9 (vm-disk-add, vm-disk-list and vm-cd-list, CD commands),
// §2.2 (selectors; snapshot-disk-list; vm-vif-list forces --multiple), §1.3 (params=), §3.2 (record layout), §3.5
// (--minimal), §4 (errors); xapi-model.md §9 (VBD rules), §10 (VIFs), §11 (storage); cli_operations.ml.
import assert from 'node:assert/strict'
import { cleanupHomes, seededHome, xe, type Result } from '../helpers'
import { GiB, inWorld, makeIsoSr, makeSnapshot, makeVm } from './device-helpers'
import { NULL_REF } from '../../src/engine/values'

/** §3.2: one PTable record — w = 4 + the longest key, the first key left-aligned, the others right-aligned — and the
 *  two empty lines that follow every record. */
function rec(pairs: Array<[string, string]>): string {
  const w = 4 + Math.max(...pairs.map(([k]) => k.length))
  return pairs.map(([k, v], i) => (i === 0 ? k.padEnd(w) : k.padStart(w)) + ': ' + v).join('\n') + '\n\n\n'
}
const ok = (r: Result, stdout = '', what?: string) => assert.deepEqual(r, { stdout, stderr: '', code: 0 }, what)
const fails = (r: Result, stderr: string, stdout = '') => assert.deepEqual(r, { stdout, stderr, code: 1 })
const line = async (home: string, args: string[]) => (await xe(home, args)).stdout.replace(/\n$/, '')
const get = (home: string, cls: string, uuid: string, field: string) => line(home, [`${cls}-param-get`, `uuid=${uuid}`, `param-name=${field}`])

describe('xe vm-disk-add / vm-disk-list / vm-disk-remove (§9)', function () {
  let home: string
  let web: string
  let local: string
  before(async () => {
    home = await seededHome(11)
    web = await makeVm(home, { name: 'web01' })
    local = await line(home, ['sr-list', 'name-label=Local storage', '--minimal'])
  })
  after(cleanupHomes)

  it('vm-disk-add prints nothing and makes a "Created by xe" VDI in the default SR on an owner VBD (§9)', async () => {
    ok(await xe(home, ['vm-disk-add', 'vm=web01', 'disk-size=20GiB', 'device=1']))
    const vbd = await line(home, ['vbd-list', `vm-uuid=${web}`, 'userdevice=1', '--minimal'])
    const vdi = await get(home, 'vbd', vbd, 'vdi-uuid')
    assert.equal(await get(home, 'vdi', vdi, 'name-label'), 'Created by xe')
    assert.equal(await get(home, 'vdi', vdi, 'name-description'), 'Created by xe')
    assert.equal(await get(home, 'vdi', vdi, 'sr-uuid'), local, 'the pool default SR')
    assert.equal(await get(home, 'vdi', vdi, 'virtual-size'), String(20 * GiB))
    assert.equal(await get(home, 'vdi', vdi, 'type'), 'User')
    assert.match(await get(home, 'vdi', vdi, 'sm-config'), new RegExp(`^vmhint: ${web}`))
    assert.equal(await get(home, 'vbd', vbd, 'other-config'), 'owner: ')
    for (const [f, v] of [['mode', 'RW'], ['type', 'Disk'], ['bootable', 'false'], ['unpluggable', 'true'], ['currently-attached', 'false'], ['empty', 'false']]) {
      assert.equal(await get(home, 'vbd', vbd, f!), v, f)
    }
  })

  it('vm-disk-list prints "Disk N VBD:" and "Disk N VDI:" with the default fields, in record order (§9, §1.3, §3.2)', async () => {
    ok(await xe(home, ['vm-disk-add', `uuid=${web}`, 'disk-size=1GiB', 'device=2']))
    // vm-disk-list follows VM.VBDs, newest first (xapi's database puts new set members in front)
    const vbds = (await line(home, ['vbd-list', `vm-uuid=${web}`, '--minimal'])).split(',').reverse()
    let expected = ''
    for (const [n, vbd] of vbds.entries()) {
      const vdi = await get(home, 'vbd', vbd, 'vdi-uuid')
      expected += `Disk ${n} VBD:\n` + rec([['uuid ( RO)', vbd], ['vm-name-label ( RO)', 'web01'], ['userdevice ( RW)', await get(home, 'vbd', vbd, 'userdevice')]])
      expected += `Disk ${n} VDI:\n` + rec([['uuid ( RO)', vdi], ['name-label ( RW)', 'Created by xe'], ['sr-name-label ( RO)', 'Local storage'], ['virtual-size ( RO)', await get(home, 'vdi', vdi, 'virtual-size')]])
    }
    ok(await xe(home, ['vm-disk-list', 'vm=web01']), expected)
  })

  it('vm-disk-list: vbd-params= and vdi-params= choose fields; params=all computes expensive fields; --minimal (§1.3, §3.5)', async () => {
    const vbds = (await line(home, ['vbd-list', `vm-uuid=${web}`, '--minimal'])).split(',').reverse()
    const vdi0 = await get(home, 'vbd', vbds[0]!, 'vdi-uuid')
    const r = await xe(home, ['vm-disk-list', 'vm=web01', 'vbd-params=mode,uuid', 'vdi-params=virtual-size,bogus'])
    assert.ok(r.stdout.startsWith('Disk 0 VBD:\n' + rec([['uuid ( RO)', vbds[0]!], ['mode ( RW)', 'RW']]) + 'Disk 0 VDI:\n' + rec([['virtual-size ( RO)', String(1 * GiB)]])), r.stdout)
    const all = await xe(home, ['vm-disk-list', 'vm=web01', 'vbd-params=all'])
    assert.match(all.stdout, /\n +attachable \( RO\): true\n/, 'computed, not <expensive field>')
    const none = await xe(home, ['vm-disk-list', 'vm=web01', 'vbd-params=bogus', 'vdi-params=bogus'])
    assert.equal(none.stdout, 'Disk 0 VBD:\n\n\n\nDisk 0 VDI:\n\n\n\nDisk 1 VBD:\n\n\n\nDisk 1 VDI:\n\n\n\n', 'empty records (§3.2)')
    // --minimal drops the PMsg lines and keeps each record's first field, chunks in reverse call order (§3.5)
    const vdi1 = await get(home, 'vbd', vbds[1]!, 'vdi-uuid')
    ok(await xe(home, ['vm-disk-list', 'vm=web01', '--minimal']), `${vdi1},${vbds[1]},${vdi0},${vbds[0]}\n`)
  })

  it('vm-disk-add: sr-uuid= picks the SR; errors for a bad size, an unknown SR, no default SR (§9, §1.2)', async () => {
    const other = await makeVm(home, { name: 'db01' })
    ok(await xe(home, ['vm-disk-add', 'vm=db01', `sr-uuid=${local}`, 'disk-size=2 MiB', 'device=0']))
    assert.equal(await line(home, ['vbd-list', `vm-uuid=${other}`, 'params=userdevice', '--minimal']), '0')
    fails(await xe(home, ['vm-disk-add', 'vm=db01', 'disk-size=2X', 'device=1']), "Error: Failed to parse field 'disk-size': expecting an integer (possibly with suffix KiB, MiB, GiB, TiB), got '2X'\n")
    fails(await xe(home, ['vm-disk-add', 'vm=db01', 'sr-uuid=nope', 'disk-size=1G', 'device=1']), 'The uuid you supplied was invalid.\ntype: SR\nuuid: nope\n')
    const pool = await line(home, ['pool-list', '--minimal'])
    await inWorld(home, (db) => db.set(db.getByUuid('pool', pool), { default_SR: NULL_REF }))
    fails(await xe(home, ['vm-disk-add', 'vm=db01', 'disk-size=1G', 'device=1']), 'Error: No default Pool SR set; you must specify an SR on the commandline\n')
    ok(await xe(home, ['pool-param-set', `uuid=${pool}`, `default-SR=${local}`]))
  })

  it('vm-disk-add: API errors (device in use, size out of range) leave no VDI behind (§4, xapi-model.md §9, §11.3)', async () => {
    const before = await line(home, ['vdi-list', '--minimal'])
    fails(await xe(home, ['vm-disk-add', 'vm=web01', 'disk-size=1G', 'device=1']), 'A device with the name given already exists on the selected VM\ndevice: 1\n')
    fails(await xe(home, ['vm-disk-add', 'vm=web01', 'disk-size=3000GiB', 'device=5']), 'Error code: SR_BACKEND_FAILURE_79\nError parameters: , VDI Invalid size [opterr=VDI size must be between 1 MB and 2088960 MB], \n')
    assert.equal(await line(home, ['vdi-list', '--minimal']), before)
  })

  it('vm-disk-add selects VMs like every <vm-selectors> command (§2.2)', async () => {
    fails(await xe(home, ['vm-disk-add', 'vm=nope', 'disk-size=1G', 'device=3']), 'Error: No matching VMs found\n')
    fails(await xe(home, ['vm-disk-add', 'disk-size=1G', 'device=3']), 'Error: Multiple matches VMs found. --multiple required to complete the operation\n')
    fails(await xe(home, ['vm-disk-add', 'vm=web01', 'colour=red', 'disk-size=1G', 'device=3']), "Error: Unknown field 'colour'\n")
    fails(await xe(home, ['vm-disk-list', 'vm=web01', 'params=uuid']), "Error: Unknown field 'params'\n")
  })

  it('vm-disk-add hot-plugs on a running PV guest; an HVM guest without PV drivers keeps the disk unplugged (§9)', async () => {
    const pv = await makeVm(home, { name: 'pv-run', power: 'Running', domain: 'pv' })
    const hvm = await makeVm(home, { name: 'hvm-run', power: 'Running' })
    const tools = await makeVm(home, { name: 'hvm-tools', power: 'Running', pvDrivers: true })
    for (const [vm, attached, device] of [[pv, 'true', 'xvdc'], [hvm, 'false', ''], [tools, 'true', 'xvdc']]) {
      ok(await xe(home, ['vm-disk-add', `uuid=${vm}`, 'disk-size=1G', 'device=2']))
      const vbd = await line(home, ['vbd-list', `vm-uuid=${vm}`, '--minimal'])
      assert.equal(await get(home, 'vbd', vbd, 'currently-attached'), attached, vm)
      assert.equal(await get(home, 'vbd', vbd, 'device'), device, vm)
    }
  })

  it('vm-disk-remove destroys the VBD and its VDI; "Disk not found"; an attached disk is refused (§9, xapi-model.md §3)', async () => {
    const vbd = await line(home, ['vbd-list', `vm-uuid=${web}`, 'userdevice=2', '--minimal'])
    const vdi = await get(home, 'vbd', vbd, 'vdi-uuid')
    ok(await xe(home, ['vm-disk-remove', 'vm=web01', 'device=2']))
    assert.equal(await line(home, ['vbd-list', `uuid=${vbd}`, '--minimal']), '')
    assert.equal(await line(home, ['vdi-list', `uuid=${vdi}`, '--minimal']), '')
    fails(await xe(home, ['vm-disk-remove', 'vm=web01', 'device=2']), 'Error: Disk not found\n')
    const running = await line(home, ['vbd-list', 'vm-name-label=pv-run', '--minimal'])
    const pv = await line(home, ['vm-list', 'name-label=pv-run', '--minimal'])
    fails(await xe(home, ['vm-disk-remove', 'vm=pv-run', 'device=2']), `You attempted an operation that was not allowed.\nreason: VBD '${running}' still attached to '${pv}'\n`)
    assert.equal(await line(home, ['vbd-list', `uuid=${running}`, '--minimal']), running, 'nothing removed')
  })
})

describe('xe snapshot-disk-list (§2.2 note: help shows <vm-selectors>, it takes uuid=/snapshot-uuid=)', function () {
  let home: string
  let snap: { vm: string; snapshot: string; vdi: string }
  before(async () => {
    home = await seededHome(12)
    snap = await makeSnapshot(home)
  })
  after(cleanupHomes)

  it('lists the snapshot\'s disks like vm-disk-list, by snapshot-uuid= or uuid= (§9)', async () => {
    const vbd = await line(home, ['vbd-list', `vm-uuid=${snap.snapshot}`, '--minimal'])
    const expected = 'Disk 0 VBD:\n' + rec([['uuid ( RO)', vbd], ['vm-name-label ( RO)', 'base-snap'], ['userdevice ( RW)', '0']]) +
      'Disk 0 VDI:\n' + rec([['uuid ( RO)', snap.vdi], ['name-label ( RW)', 'root'], ['sr-name-label ( RO)', 'Local storage'], ['virtual-size ( RO)', String(8 * GiB)]])
    ok(await xe(home, ['snapshot-disk-list', `snapshot-uuid=${snap.snapshot}`]), expected)
    ok(await xe(home, ['snapshot-disk-list', `uuid=${snap.snapshot}`]), expected)
    ok(await xe(home, ['snapshot-disk-list', `uuid=${snap.snapshot}`, 'vbd-params=userdevice', 'vdi-params=name-label']),
      'Disk 0 VBD:\n' + rec([['userdevice ( RW)', '0']]) + 'Disk 0 VDI:\n' + rec([['name-label ( RW)', 'root']]))
  })

  it('errors: no uuid, not a snapshot, unknown uuid (§9 snapshot commands, §4)', async () => {
    fails(await xe(home, ['snapshot-disk-list']), 'Error: Required parameter not found: snapshot-uuid or uuid.\n')
    fails(await xe(home, ['snapshot-disk-list', `uuid=${snap.vm}`]), `Error: This operation can only be performed on a VM snapshot. ${snap.vm} is not a VM snapshot.\n`)
    fails(await xe(home, ['snapshot-disk-list', 'snapshot-uuid=nope']), 'The uuid you supplied was invalid.\ntype: VM\nuuid: nope\n')
  })
})

describe('xe cd-list / vm-cd-add / vm-cd-list / vm-cd-insert / vm-cd-eject / vm-cd-remove (§9 CD commands)', function () {
  let home: string
  let web: string
  let isos: string[]
  let isoSr: string
  before(async () => {
    home = await seededHome(13)
    web = await makeVm(home, { name: 'web01' })
  })
  after(cleanupHomes)

  it('cd-list: the default world\'s only ISO SR ("DVD drives", udev) is empty, so nothing is printed (§3.2)', async () => {
    ok(await xe(home, ['cd-list']))
  })

  it('cd-list lists the VDIs of content-type iso SRs: uuid and name-label in record order; params= (§9, §1.3)', async () => {
    const made = await makeIsoSr(home, ['debian-12.iso', 'tools.iso'])
    isos = made.isos
    isoSr = made.sr
    // SR.VDIs lists the newest VDI first (xapi's database puts new set members in front)
    ok(await xe(home, ['cd-list']), rec([['uuid ( RO)', isos[1]!], ['name-label ( RW)', 'tools.iso']]) + rec([['uuid ( RO)', isos[0]!], ['name-label ( RW)', 'debian-12.iso']]))
    ok(await xe(home, ['cd-list', 'params=sr-name-label,virtual-size']), rec([['sr-name-label ( RO)', 'ISO library'], ['virtual-size ( RO)', '629145600']]).repeat(2))
    ok(await xe(home, ['cd-list', '--minimal']), `${isos[1]},${isos[0]}\n`)
  })

  it('vm-cd-add makes a read-only CD VBD with the named ISO; "CD <n> not found!" (§9, xapi-model.md §9)', async () => {
    fails(await xe(home, ['vm-cd-add', 'vm=web01', 'cd-name=nope.iso', 'device=3']), 'Error: CD nope.iso not found!\n')
    ok(await xe(home, ['vm-cd-add', 'vm=web01', 'cd-name=debian-12.iso', 'device=3']))
    const vbd = await line(home, ['vbd-list', `vm-uuid=${web}`, '--minimal'])
    for (const [f, v] of [['type', 'CD'], ['mode', 'RO'], ['empty', 'false'], ['userdevice', '3'], ['vdi-uuid', isos[0]], ['bootable', 'false'], ['other-config', ''], ['currently-attached', 'false']]) {
      assert.equal(await get(home, 'vbd', vbd, f!), v, f)
    }
  })

  it('vm-cd-list prints "CD N VBD:" (with empty) and "CD N VDI:" (§9)', async () => {
    const vbd = await line(home, ['vbd-list', `vm-uuid=${web}`, '--minimal'])
    ok(await xe(home, ['vm-cd-list', 'vm=web01']),
      'CD 0 VBD:\n' + rec([['uuid ( RO)', vbd], ['vm-name-label ( RO)', 'web01'], ['empty ( RO)', 'false'], ['userdevice ( RW)', '3']]) +
      'CD 0 VDI:\n' + rec([['uuid ( RO)', isos[0]!], ['name-label ( RW)', 'debian-12.iso'], ['sr-name-label ( RO)', 'ISO library'], ['virtual-size ( RO)', '629145600']]))
    ok(await xe(home, ['vm-disk-list', 'vm=web01']), '', 'vm-disk-list shows Disk VBDs only')
  })

  it('vm-cd-insert errors: not found, no empty drive (VM_NO_EMPTY_CD_VBD) (§9)', async () => {
    fails(await xe(home, ['vm-cd-insert', 'vm=web01', 'cd-name=nope.iso']), 'Error: CD nope.iso not found\n')
    fails(await xe(home, ['vm-cd-insert', 'vm=web01', 'cd-name=tools.iso']), `The VM has no empty CD drive (VBD).\nvm: ${web} (web01)\n`)
  })

  it('vm-cd-eject empties the drive; vm-cd-list then shows no VDI; ejecting again is VBD_IS_EMPTY (§9)', async () => {
    const vbd = await line(home, ['vbd-list', `vm-uuid=${web}`, '--minimal'])
    ok(await xe(home, ['vm-cd-eject', 'vm=web01']))
    ok(await xe(home, ['vm-cd-list', 'vm=web01']), 'CD 0 VBD:\n' + rec([['uuid ( RO)', vbd], ['vm-name-label ( RO)', 'web01'], ['empty ( RO)', 'true'], ['userdevice ( RW)', '3']]))
    assert.equal(await get(home, 'vbd', vbd, 'vdi-uuid'), '<not in database>')
    fails(await xe(home, ['vm-cd-eject', 'vm=web01']), `Operation could not be performed because the drive is empty\nvbd: ${vbd}\n`)
  })

  it('vm-cd-insert puts the ISO in the empty drive; inserting again is VM_NO_EMPTY_CD_VBD (§9)', async () => {
    const vbd = await line(home, ['vbd-list', `vm-uuid=${web}`, '--minimal'])
    ok(await xe(home, ['vm-cd-insert', 'vm=web01', 'cd-name=tools.iso']))
    assert.equal(await get(home, 'vbd', vbd, 'vdi-uuid'), isos[1])
    assert.equal(await get(home, 'vbd', vbd, 'empty'), 'false')
    fails(await xe(home, ['vm-cd-insert', 'vm=web01', 'cd-name=debian-12.iso']), `The VM has no empty CD drive (VBD).\nvm: ${web} (web01)\n`)
  })

  it('an ISO name found in two ISO SRs: "Multiple CDs named … found" (§9)', async () => {
    await makeIsoSr(home, ['tools.iso'], 'Second library')
    fails(await xe(home, ['vm-cd-insert', 'vm=web01', 'cd-name=tools.iso']), 'Error: Multiple CDs named tools.iso found. Please use vbd-insert and specify uuids\n')
  })

  it('two empty drives: vm-cd-insert and vm-cd-eject refuse; vm-cd-remove cd-name=<EMPTY> takes the first of VM.VBDs, the newest (§9)', async () => {
    const two = await makeVm(home, { name: 'two-drives' })
    for (const device of ['3', '4']) assert.equal((await xe(home, ['vbd-create', `vm-uuid=${two}`, `device=${device}`, 'type=CD', 'mode=RO'])).code, 0)
    fails(await xe(home, ['vm-cd-insert', 'vm=two-drives', 'cd-name=debian-12.iso']), 'Error: Two or more empty CD devices found. Please use vbd-insert\n')
    fails(await xe(home, ['vm-cd-eject', 'vm=two-drives']), 'Error: Two or more CDs found. Please use vbd-eject\n')
    ok(await xe(home, ['vm-cd-remove', 'vm=two-drives', 'cd-name=<EMPTY>']))
    assert.equal(await line(home, ['vbd-list', `vm-uuid=${two}`, 'params=userdevice', '--minimal']), '3')
    ok(await xe(home, ['vm-cd-remove', 'vm=two-drives', 'cd-name=<EMPTY>']))
    fails(await xe(home, ['vm-cd-eject', 'vm=two-drives']), 'Error: No CDs found\n')
    fails(await xe(home, ['vm-cd-remove', 'vm=two-drives', 'cd-name=<EMPTY>']), 'Error: Disk not found\n')
  })

  it('vm-cd-remove cd-name=<ISO> destroys the VBD, not the ISO (§9)', async () => {
    fails(await xe(home, ['vm-cd-remove', 'vm=web01', 'cd-name=debian-12.iso']), 'Error: Disk not found\n')
    ok(await xe(home, ['vm-cd-remove', 'vm=web01', 'cd-name=tools.iso']))
    assert.equal(await line(home, ['vbd-list', `vm-uuid=${web}`, '--minimal']), '')
    assert.equal(await line(home, ['vdi-list', `uuid=${isos[1]}`, '--minimal']), isos[1])
    assert.equal(await line(home, ['vdi-list', `sr-uuid=${isoSr}`, '--minimal']), isos.join(','))
  })

  it('vm-cd-add hot-plugs into a running PV guest; an HVM guest\'s CD drive is never hot-plugged (xapi-model.md §9)', async () => {
    const pv = await makeVm(home, { name: 'pv-run', power: 'Running', domain: 'pv' })
    const hvm = await makeVm(home, { name: 'hvm-run', power: 'Running', pvDrivers: true })
    for (const [vm, attached] of [[pv, 'true'], [hvm, 'false']]) {
      ok(await xe(home, ['vm-cd-add', `uuid=${vm}`, 'cd-name=debian-12.iso', 'device=3']))
      const vbd = await line(home, ['vbd-list', `vm-uuid=${vm}`, '--minimal'])
      assert.equal(await get(home, 'vbd', vbd, 'currently-attached'), attached, vm)
    }
  })
})

describe('xe vm-vif-list (§2.2: forces --multiple; §1.3 params=)', function () {
  let home: string
  before(async () => {
    home = await seededHome(14)
  })
  after(cleanupHomes)

  it('one table per selected VM, the default fields in record order; every VM without --multiple', async () => {
    fails(await xe(home, ['vm-vif-list']), 'Error: No matching VMs found\n')
    const a = await makeVm(home, { name: 'a' })
    const b = await makeVm(home, { name: 'b' })
    ok(await xe(home, ['vm-vif-list']), '', 'VMs without VIFs print nothing')
    const net = await line(home, ['network-list', 'bridge=xenbr0', '--minimal'])
    const netName = await get(home, 'network', net, 'name-label')
    const vifA = await line(home, ['vif-create', `vm-uuid=${a}`, `network-uuid=${net}`, 'device=0', 'mac=02:00:00:00:00:0a'])
    const vifB = await line(home, ['vif-create', `vm-uuid=${b}`, `network-uuid=${net}`, 'device=2', 'mac=02:00:00:00:00:0b'])
    const table = (vif: string, vm: string, device: string, mac: string) =>
      rec([['uuid ( RO)', vif], ['vm-name-label ( RO)', vm], ['device ( RO)', device], ['MAC ( RO)', mac], ['network-uuid ( RO)', net], ['network-name-label ( RO)', netName]])
    ok(await xe(home, ['vm-vif-list', 'vm=b']), table(vifB, 'b', '2', '02:00:00:00:00:0b'))
    ok(await xe(home, ['vm-vif-list']), table(vifA, 'a', '0', '02:00:00:00:00:0a') + table(vifB, 'b', '2', '02:00:00:00:00:0b'))
    ok(await xe(home, ['vm-vif-list', 'vm=a', 'params=MTU,MAC']), rec([['MAC ( RO)', '02:00:00:00:00:0a'], ['MTU ( RO)', '1500']]))
    ok(await xe(home, ['vm-vif-list', '--minimal']), `${vifB},${vifA}\n`, 'chunks in reverse call order (§3.5)')
  })
})

describe('scenario: a provisioning script (xe-cli-behaviour.md §9, §3.2, §3.5)', function () {
  let home: string
  before(async () => {
    home = await seededHome(15)
  })
  after(cleanupHomes)

  it('adds a 20 GiB data disk, grows it, adds a CD drive with an ISO and a VIF on the management network, lists it all', async () => {
    await makeIsoSr(home, ['debian-12.iso'])
    await makeVm(home, { name: 'app01' })
    // what a provisioning script does, one xe call per step, reading ids back with --minimal
    const vm = await line(home, ['vm-list', 'name-label=app01', '--minimal'])
    ok(await xe(home, ['vm-disk-add', `uuid=${vm}`, 'disk-size=20GiB', 'device=1']))
    const disk = await line(home, ['vbd-list', `vm-uuid=${vm}`, 'userdevice=1', '--minimal'])
    const data = await line(home, ['vbd-param-get', `uuid=${disk}`, 'param-name=vdi-uuid'])
    ok(await xe(home, ['vdi-resize', `uuid=${data}`, 'disk-size=25GiB']))
    const drive = await line(home, ['vbd-create', `vm-uuid=${vm}`, 'device=3', 'type=CD', 'mode=RO'])
    ok(await xe(home, ['vm-cd-insert', `uuid=${vm}`, 'cd-name=debian-12.iso']))
    const net = await line(home, ['pif-list', 'management=true', 'params=network-uuid', '--minimal'])
    const vif = await line(home, ['vif-create', `vm-uuid=${vm}`, `network-uuid=${net}`, 'device=0', 'mac=random'])
    const mac = await line(home, ['vif-param-get', `uuid=${vif}`, 'param-name=MAC'])
    // record_util.ml random_mac_local: one random byte six times, the first made locally administered and unicast
    assert.match(mac, /^[0-9a-f][26ae]:([0-9a-f]{2}):\1:\1:\1:\1$/)
    const iso = await line(home, ['cd-list', 'params=uuid', '--minimal'])

    ok(await xe(home, ['vm-disk-list', `uuid=${vm}`]),
      'Disk 0 VBD:\n' + rec([['uuid ( RO)', disk], ['vm-name-label ( RO)', 'app01'], ['userdevice ( RW)', '1']]) +
      'Disk 0 VDI:\n' + rec([['uuid ( RO)', data], ['name-label ( RW)', 'Created by xe'], ['sr-name-label ( RO)', 'Local storage'], ['virtual-size ( RO)', String(25 * GiB)]]))
    ok(await xe(home, ['vm-cd-list', `uuid=${vm}`]),
      'CD 0 VBD:\n' + rec([['uuid ( RO)', drive], ['vm-name-label ( RO)', 'app01'], ['empty ( RO)', 'false'], ['userdevice ( RW)', '3']]) +
      'CD 0 VDI:\n' + rec([['uuid ( RO)', iso], ['name-label ( RW)', 'debian-12.iso'], ['sr-name-label ( RO)', 'ISO library'], ['virtual-size ( RO)', '629145600']]))
    ok(await xe(home, ['vm-vif-list', `uuid=${vm}`]),
      rec([['uuid ( RO)', vif], ['vm-name-label ( RO)', 'app01'], ['device ( RO)', '0'], ['MAC ( RO)', mac], ['network-uuid ( RO)', net],
        ['network-name-label ( RO)', 'Pool-wide network associated with eth0']]))
    assert.equal(await line(home, ['vif-param-get', `uuid=${vif}`, 'param-name=MTU']), '1500', 'the network\'s MTU')
    assert.equal(await line(home, ['vif-param-get', `uuid=${vif}`, 'param-name=MAC-autogenerated']), 'false')
  })
})
