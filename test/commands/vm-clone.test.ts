// vm-clone, vm-copy, vm-snapshot, vm-checkpoint, vm-snapshot-with-quiesce and the snapshot-* verbs:
// xe-cli-behaviour.md §9 (what each prints and accepts), §2.2 (selectors), §4 (error texts);
// xapi-model.md §7 (the new VM record, disks, VIFs, power states, revert), §16 (messages).
import assert from 'node:assert/strict'
import { generateMac } from '../../src/engine/vif'
import { mapGet, NULL_REF } from '../../src/engine/values'
import { cleanupHomes, seededHome, xe } from '../helpers'
import { XapiError } from '../../src/engine/errors'
import { cloneVm } from '../../src/engine/vm-clone'
import { destroyVm } from '../../src/engine/vm-destroy'
import { addDisk, addEmptyCd, addGuestMetrics, addVif, engine, GiB, installDebian, localSr, setRunning, setSuspended, vmByUuid, vmParam } from '../clone-fixtures'

const DEBIAN = '07d91aaa-43f7-430a-bf84-0edb6714df0f'
const BAD_POWER =
  "You attempted an operation on a VM that was not in an appropriate power state at the time; for example, you attempted to start a VM that was already running. The parameters returned are the VM's handle, and the expected and actual VM state at the time of the call.\n"

const ok = (r: { stdout: string; stderr: string; code: number }) => {
  assert.equal(r.stderr, '')
  assert.equal(r.code, 0)
  return r.stdout.replace(/\n$/, '')
}

/** A halted Debian VM with a VIF, an empty CD drive and (unowned) second disk. */
async function debianWithDevices(home: string, name: string): Promise<string> {
  const uuid = await installDebian(home, name)
  await engine(home, (db) => {
    const vm = vmByUuid(db, uuid)
    addVif(db, vm, '0')
    addEmptyCd(db, vm, '3')
    addDisk(db, vm, { device: '1', name: 'data', owner: false })
  })
  return uuid
}

describe('vm-clone (§9 vm-clone; xapi-model.md §7)', () => {
  after(cleanupHomes)

  it('a default template clones into a non-default template: base_template_name, new mac_seed, no default_template', async () => {
    const home = await seededHome()
    const uuid = ok(await xe(home, ['vm-clone', 'vm=Debian Bookworm 12', 'new-name-label=My Debian']))
    assert.match(uuid, /^[0-9a-f-]{36}$/)
    assert.equal(await vmParam(home, uuid, 'is-a-template'), 'true')
    assert.equal(await vmParam(home, uuid, 'is-default-template'), 'false')
    assert.equal(await vmParam(home, uuid, 'name-description'), await vmParam(home, DEBIAN, 'name-description'))
    assert.equal(await vmParam(home, uuid, 'other-config', 'base_template_name'), 'Debian Bookworm 12')
    assert.notEqual(await vmParam(home, uuid, 'other-config', 'mac_seed'), await vmParam(home, DEBIAN, 'other-config', 'mac_seed'))
    assert.deepEqual(await xe(home, ['vm-param-get', `uuid=${uuid}`, 'param-name=other-config', 'param-key=default_template']), {
      stdout: '', stderr: 'Error: Key default_template not found in map\n', code: 1,
    })
    // a non-default template may be destroyed (xapi-model.md §4.2)
    assert.match(await vmParam(home, uuid, 'allowed-operations'), /\bdestroy\b/)
    // xapi sends no message for a clone (message_forwarding.ml VM.clone)
    assert.equal(ok(await xe(home, ['message-list', '--minimal'])), '')
  })

  it('a halted VM: disks cloned and owned, CDs and empty drives kept, MACs made from the new mac_seed', async () => {
    const home = await seededHome()
    const src = await debianWithDevices(home, 'web01')
    const clone = ok(await xe(home, ['vm-clone', `uuid=${src}`, 'new-name-label=web02']))
    await engine(home, (db) => {
      const a = vmByUuid(db, src)
      const b = vmByUuid(db, clone)
      assert.equal(b.f.is_a_template, false)
      assert.equal(b.f.is_a_snapshot, false)
      assert.equal(b.f.snapshot_of, NULL_REF)
      assert.equal(b.f.parent, NULL_REF)
      assert.equal(b.f.power_state, 'Halted')
      assert.equal(b.f.name_description, 'Installed via xe CLI')
      const vbds = (vm: typeof a) => db.referrers('VBD', 'VM', vm.ref).sort((x, y) => x.f.userdevice.localeCompare(y.f.userdevice))
      const [a0, a1, a3] = vbds(a)
      const [b0, b1, b3] = vbds(b)
      assert.notEqual(b0!.f.VDI, a0!.f.VDI)
      assert.notEqual(b1!.f.VDI, a1!.f.VDI)
      assert.equal(db.get(b1!.f.VDI, 'VDI').f.name_label, 'data')
      // clones own their disks even where the original did not (CA-58405)
      assert.equal(mapGet(a1!.f.other_config, 'owner'), undefined)
      assert.equal(mapGet(b1!.f.other_config, 'owner'), '')
      assert.equal(b3!.f.type, 'CD')
      assert.equal(b3!.f.empty, true)
      assert.equal(a3!.f.empty, true)
      const seed = mapGet(b.f.other_config, 'mac_seed')!
      assert.notEqual(seed, mapGet(a.f.other_config, 'mac_seed'))
      const [vifA] = db.referrers('VIF', 'VM', a.ref)
      const [vifB] = db.referrers('VIF', 'VM', b.ref)
      assert.equal(vifB!.f.MAC, generateMac(seed, 0))
      assert.notEqual(vifB!.f.MAC, vifA!.f.MAC)
      assert.equal(vifB!.f.network, vifA!.f.network)
    })
  })

  it('new-name-description goes to the first VM of the result; --multiple prints the latest first (templates are selectable)', async () => {
    const home = await seededHome()
    const a = await installDebian(home, 'a')
    const b = await installDebian(home, 'b')
    const out = ok(await xe(home, ['vm-clone', '--multiple', 'is-a-template=false', 'new-name-label=copy', 'new-name-description=nightly']))
    const [first, second] = out.split('\n')
    assert.equal(await vmParam(home, first!, 'name-description'), 'nightly')
    assert.equal(await vmParam(home, second!, 'name-description'), 'Installed via xe CLI')
    assert.equal(out.split('\n').length, 2)
    assert.ok(a && b)
  })

  it('refuses a running VM, an unknown VM and a missing new-name-label with xe\'s texts (§4, §2.2)', async () => {
    const home = await seededHome()
    const uuid = await installDebian(home, 'web01')
    await engine(home, (db) => setRunning(db, vmByUuid(db, uuid)))
    assert.deepEqual(await xe(home, ['vm-clone', 'vm=web01', 'new-name-label=x']), {
      stdout: '', stderr: `${BAD_POWER}vm: ${uuid} (web01)\nexpected: halted\nactual: running\n`, code: 1,
    })
    assert.deepEqual(await xe(home, ['vm-clone', 'vm=nope', 'new-name-label=x']), { stdout: '', stderr: 'Error: No matching VMs found\n', code: 1 })
    assert.deepEqual(await xe(home, ['vm-clone', 'vm=web01']), {
      stdout: '', stderr: "Required parameter not found: new-name-label\nFor usage run: 'xe help'\n", code: 1,
    })
  })
})

describe('vm-copy (§9 vm-copy; xapi-model.md §7)', () => {
  after(cleanupHomes)

  it('copies the disks into sr-uuid (or beside the originals) and prints the uuid', async () => {
    const home = await seededHome()
    const src = await installDebian(home, 'web01')
    const sr = await engine(home, (db) => localSr(db).f.uuid)
    const copy = ok(await xe(home, ['vm-copy', 'vm=web01', 'new-name-label=web01-copy', `sr-uuid=${sr}`, 'new-name-description=copied']))
    const plain = ok(await xe(home, ['vm-copy', 'vm=web01', 'new-name-label=web01-copy2']))
    await engine(home, (db) => {
      for (const u of [copy, plain]) {
        const vm = vmByUuid(db, u)
        const [vbd] = db.referrers('VBD', 'VM', vm.ref)
        const vdi = db.get(vbd!.f.VDI, 'VDI')
        assert.equal(vdi.f.SR, localSr(db).ref)
        assert.equal(vdi.f.virtual_size, 10 * GiB)
        assert.equal(vdi.f.name_label, '0')
        assert.equal(mapGet(vbd!.f.other_config, 'owner'), '')
        assert.notEqual(vdi.ref, db.referrers('VBD', 'VM', vmByUuid(db, src).ref)[0]!.f.VDI)
      }
      assert.equal(vmByUuid(db, copy).f.name_description, 'copied')
    })
  })

  it('works on one VM only, refuses ISO SRs and unknown SRs (§4)', async () => {
    const home = await seededHome()
    await installDebian(home, 'a')
    await installDebian(home, 'b')
    assert.deepEqual(await xe(home, ['vm-copy', '--multiple', 'new-name-label=x']), {
      stdout: '', stderr: 'Error: Multiple matches VMs found. Operation can only be performed on one VM at a time\n', code: 1,
    })
    const iso = await engine(home, (db) => db.all('SR').find((s) => s.f.content_type === 'iso')!.f.uuid)
    assert.deepEqual(await xe(home, ['vm-copy', 'vm=a', 'new-name-label=x', `sr-uuid=${iso}`]), {
      stdout: '', stderr: "You attempted an operation that was not allowed.\nreason: Cannot copy a VM's disks to an ISO SR\n", code: 1,
    })
    assert.deepEqual(await xe(home, ['vm-copy', 'vm=a', 'new-name-label=x', 'sr-uuid=nope']), {
      stdout: '', stderr: 'The uuid you supplied was invalid.\ntype: SR\nuuid: nope\n', code: 1,
    })
  })
})

describe('vm-snapshot (§9 vm-snapshot; xapi-model.md §7, §16)', () => {
  after(cleanupHomes)

  it('makes a halted snapshot: snapshot fields, VDI snapshots, same MACs, parent link, VM_SNAPSHOTTED', async () => {
    const home = await seededHome()
    const src = await debianWithDevices(home, 'web01')
    const snap = ok(await xe(home, ['vm-snapshot', 'vm=web01', 'new-name-label=before-upgrade', 'new-name-description=safe point']))
    assert.equal(await vmParam(home, snap, 'is-a-snapshot'), 'true')
    assert.equal(await vmParam(home, snap, 'is-a-template'), 'true')
    assert.equal(await vmParam(home, snap, 'snapshot-of'), src)
    assert.equal(await vmParam(home, snap, 'name-description'), 'safe point')
    assert.equal(await vmParam(home, snap, 'snapshot-info'), 'disk-snapshot-type: crash_consistent; power-state-at-snapshot: Halted')
    assert.equal(await vmParam(home, snap, 'power-state'), 'halted')
    assert.equal(await vmParam(home, snap, 'allowed-operations'), 'destroy; metadata_export; export; revert; copy; clone')
    assert.equal(await vmParam(home, src, 'snapshots'), snap)
    assert.equal(await vmParam(home, src, 'parent'), snap)
    assert.equal(await vmParam(home, snap, 'children'), src)
    // snapshots keep the mac_seed and the MACs
    assert.equal(await vmParam(home, snap, 'other-config', 'mac_seed'), await vmParam(home, src, 'other-config', 'mac_seed'))
    const time = await vmParam(home, snap, 'snapshot-time')
    assert.match(time, /^2026\d{4}T\d\d:\d\d:\d\dZ$/)
    await engine(home, (db) => {
      const a = vmByUuid(db, src)
      const s = vmByUuid(db, snap)
      assert.equal(db.referrers('VIF', 'VM', s.ref)[0]!.f.MAC, db.referrers('VIF', 'VM', a.ref)[0]!.f.MAC)
      for (const vbd of db.referrers('VBD', 'VM', s.ref).filter((b) => b.f.type === 'Disk')) {
        const vdi = db.get(vbd.f.VDI, 'VDI')
        assert.equal(vdi.f.is_a_snapshot, true)
        assert.equal(db.get(vdi.f.snapshot_of, 'VDI').f.SR, vdi.f.SR)
        assert.equal(vdi.f.snapshot_time, time)
        assert.equal(mapGet(vbd.f.other_config, 'owner'), '')
      }
    })
    const msgs = await xe(home, ['message-list', 'name=VM_SNAPSHOTTED', 'params=priority,obj-uuid,timestamp,body'])
    assert.equal(
      ok(msgs),
      `priority ( RO)     : 5\n     obj-uuid ( RO): ${src}\n    timestamp ( RO): ${time}\n         body ( RO): VM 'web01' (uuid: ${src}) snapshotted, snapshot name: before-upgrade\n\n`,
    )
  })

  it('with message-priority above 5 the VM_SNAPSHOTTED message is shown on stderr after the operation (§2.2 wrap_op)', async () => {
    const home = await seededHome()
    await installDebian(home, 'web01')
    const r = await xe(home, ['vm-snapshot', 'vm=web01', 'new-name-label=s', 'message-priority=6'])
    assert.equal(r.code, 0)
    assert.match(r.stdout, /^[0-9a-f-]{36}\n$/)
    assert.match(r.stderr, /^Message: time=2026\d{4}T\d\d:\d\d:\d\dZ priority=5 name='VM_SNAPSHOTTED'\n/)
  })

  it('ignore-vdi-uuids leaves disks out; an unknown VDI is UUID_INVALID (§9)', async () => {
    const home = await seededHome()
    const src = await installDebian(home, 'web01')
    const data = await engine(home, (db) => addDisk(db, vmByUuid(db, src), { device: '1', name: 'scratch' }).f.uuid)
    const snap = ok(await xe(home, ['vm-snapshot', 'vm=web01', 'new-name-label=s', `ignore-vdi-uuids=${data}`]))
    await engine(home, (db) => {
      const vbds = db.referrers('VBD', 'VM', vmByUuid(db, snap).ref)
      assert.deepEqual(vbds.map((b) => b.f.userdevice), ['0'])
    })
    assert.deepEqual(await xe(home, ['vm-snapshot', 'vm=web01', 'new-name-label=s', 'ignore-vdi-uuids=nope']), {
      stdout: '', stderr: 'The uuid you supplied was invalid.\ntype: VDI\nuuid: nope\n', code: 1,
    })
  })

  it('a running VM gives a halted snapshot recording Running, with its devices detached', async () => {
    const home = await seededHome()
    const src = await debianWithDevices(home, 'web01')
    await engine(home, (db) => setRunning(db, vmByUuid(db, src)))
    const snap = ok(await xe(home, ['vm-snapshot', `uuid=${src}`, 'new-name-label=live']))
    assert.equal(await vmParam(home, snap, 'power-state'), 'halted')
    assert.equal(await vmParam(home, snap, 'snapshot-info'), 'disk-snapshot-type: crash_consistent; power-state-at-snapshot: Running')
    assert.equal(await vmParam(home, src, 'power-state'), 'running')
    await engine(home, (db) => {
      const s = vmByUuid(db, snap)
      assert.ok(db.referrers('VBD', 'VM', s.ref).every((b) => !b.f.currently_attached))
      assert.ok(db.referrers('VIF', 'VM', s.ref).every((v) => !v.f.currently_attached))
      assert.equal(s.f.domid, -1)
      assert.equal(s.f.resident_on, NULL_REF)
    })
  })

  it('templates and snapshots are not selectable (§2.2)', async () => {
    const home = await seededHome()
    assert.deepEqual(await xe(home, ['vm-snapshot', `uuid=${DEBIAN}`, 'new-name-label=x']), { stdout: '', stderr: 'Error: No matching VMs found\n', code: 1 })
  })
})

describe('vm-checkpoint (§9; xapi-model.md §7)', () => {
  after(cleanupHomes)

  it('a running VM: a suspended checkpoint with a memory image; the VM keeps running in a new domain', async () => {
    const home = await seededHome()
    const src = await debianWithDevices(home, 'web01')
    const before = await engine(home, (db) => {
      const vm = vmByUuid(db, src)
      setRunning(db, vm)
      return { domid: vm.f.domid, used: localSr(db).f.physical_utilisation }
    })
    const cp = ok(await xe(home, ['vm-checkpoint', 'vm=web01', 'new-name-label=cp']))
    assert.equal(await vmParam(home, cp, 'power-state'), 'suspended')
    assert.equal(await vmParam(home, cp, 'is-a-snapshot'), 'true')
    assert.equal(await vmParam(home, cp, 'snapshot-info'), 'disk-snapshot-type: crash_consistent; power-state-at-snapshot: Running')
    assert.equal(await vmParam(home, src, 'power-state'), 'running')
    assert.equal(await vmParam(home, src, 'suspend-VDI-uuid'), '<not in database>')
    await engine(home, (db) => {
      const vm = vmByUuid(db, src)
      assert.ok(vm.f.domid > before.domid)
      assert.notEqual(vm.f.resident_on, NULL_REF)
      const c = vmByUuid(db, cp)
      const image = db.get(c.f.suspend_VDI, 'VDI')
      assert.equal(image.f.type, 'suspend')
      assert.equal(image.f.name_label, 'Suspend image')
      assert.equal(image.f.is_a_snapshot, true)
      // the checkpoint's devices stay as they were in the suspended domain
      assert.ok(db.referrers('VBD', 'VM', c.ref).filter((b) => !b.f.empty).every((b) => b.f.currently_attached))
      assert.equal(db.referrers('VIF', 'VM', c.ref)[0]!.f.MAC, db.referrers('VIF', 'VM', vm.ref)[0]!.f.MAC)
    })
    const body = ok(await xe(home, ['message-list', 'name=VM_CHECKPOINTED', 'params=body', '--minimal']))
    assert.equal(body, `VM 'web01' (uuid: ${src}) checkpointed\\, snapshot name: cp`)
  })

  it('refuses halted VMs, HVM guests without PV drivers, then unlicensed pools, in that order (§4)', async () => {
    const home = await seededHome()
    const src = await installDebian(home, 'web01')
    assert.deepEqual(await xe(home, ['vm-checkpoint', 'vm=web01', 'new-name-label=cp']), {
      stdout: '', stderr: `${BAD_POWER}vm: ${src} (web01)\nexpected: paused, suspended, running\nactual: halted\n`, code: 1,
    })
    await engine(home, (db) => setRunning(db, vmByUuid(db, src), false))
    assert.deepEqual(await xe(home, ['vm-checkpoint', 'vm=web01', 'new-name-label=cp']), {
      stdout: '', stderr: `You attempted an operation on a VM which lacks the feature.\nvm: ${src} (web01)\n`, code: 1,
    })
    await engine(home, (db) => {
      const pool = db.all('pool')[0]!
      db.set(pool, { restrictions: pool.f.restrictions.map(([k, v]): [string, string] => [k, k === 'restrict_checkpoint' ? 'true' : v]) })
      addGuestMetrics(db, vmByUuid(db, src))
    })
    assert.deepEqual(await xe(home, ['vm-checkpoint', 'vm=web01', 'new-name-label=cp']), {
      stdout: '',
      stderr: 'This operation is not allowed because your license lacks a needed feature. Please contact your support representative.\nfeature: Checkpoint\n',
      code: 1,
    })
  })
})

describe('vm-snapshot-with-quiesce (§9)', () => {
  after(cleanupHomes)

  it('the call was removed from the API: MESSAGE_REMOVED once a VM is selected', async () => {
    const home = await seededHome()
    assert.deepEqual(await xe(home, ['vm-snapshot-with-quiesce', 'vm=web01', 'new-name-label=q']), { stdout: '', stderr: 'Error: No matching VMs found\n', code: 1 })
    await installDebian(home, 'web01')
    assert.deepEqual(await xe(home, ['vm-snapshot-with-quiesce', 'vm=web01', 'new-name-label=q']), {
      stdout: '', stderr: 'This function is no longer available.\n', code: 1,
    })
  })
})

describe('snapshot-revert (§9; xapi-model.md §7)', () => {
  after(cleanupHomes)

  it('restores the recorded configuration and disks; disks added later are detached but kept', async () => {
    const home = await seededHome()
    const src = await installDebian(home, 'web01')
    const snap = ok(await xe(home, ['vm-snapshot', 'vm=web01', 'new-name-label=s1']))
    const snap2 = ok(await xe(home, ['vm-snapshot', 'vm=web01', 'new-name-label=s2']))
    const added = await engine(home, (db) => {
      const vm = vmByUuid(db, src)
      db.set(vm, { name_label: 'renamed', VCPUs_max: 2, VCPUs_at_startup: 2 })
      return addDisk(db, vm, { device: '1', name: 'later' }).ref
    })
    const oldDisk = await engine(home, (db) => db.referrers('VBD', 'VM', vmByUuid(db, src).ref).find((b) => b.f.userdevice === '0')!.f.VDI)
    assert.deepEqual(await xe(home, ['snapshot-revert', `snapshot-uuid=${snap}`]), { stdout: '', stderr: '', code: 0 })
    await engine(home, (db) => {
      const vm = vmByUuid(db, src)
      assert.equal(vm.f.name_label, 'web01')
      assert.equal(vm.f.VCPUs_max, 1)
      assert.equal(vm.f.power_state, 'Halted')
      assert.equal(vm.f.parent, vmByUuid(db, snap).ref)
      const vbds = db.referrers('VBD', 'VM', vm.ref)
      assert.deepEqual(vbds.map((b) => b.f.userdevice), ['0'])
      const disk = db.get(vbds[0]!.f.VDI, 'VDI')
      assert.equal(db.tryGet(oldDisk, 'VDI'), undefined, 'the old disk is destroyed')
      assert.ok(db.tryGet(added, 'VDI'), 'a disk without snapshot is kept')
      assert.equal(db.referrers('VBD', 'VDI', added).length, 0)
      // the other snapshot's disk now points at the disk that replaced the original
      const s2disk = db.get(db.referrers('VBD', 'VM', vmByUuid(db, snap2).ref)[0]!.f.VDI, 'VDI')
      assert.equal(s2disk.f.snapshot_of, disk.ref)
    })
    const body = ok(await xe(home, ['message-list', 'name=VM_SNAPSHOT_REVERTED', 'params=body', '--minimal']))
    assert.equal(body, `VM 'web01' (uuid: ${src}) reverted to snapshot: s1 (uuid ${snap})`)
  })

  it('a running VM is hard-shutdown first; a checkpoint brings it back suspended', async () => {
    const home = await seededHome()
    const src = await installDebian(home, 'web01')
    await engine(home, (db) => setRunning(db, vmByUuid(db, src)))
    const cp = ok(await xe(home, ['vm-checkpoint', 'vm=web01', 'new-name-label=cp']))
    ok(await xe(home, ['snapshot-revert', `uuid=${cp}`]))
    assert.equal(await vmParam(home, src, 'power-state'), 'suspended')
    assert.notEqual(await vmParam(home, src, 'suspend-VDI-uuid'), '<not in database>')
    assert.equal(await vmParam(home, src, 'resident-on'), '<not in database>')
    const names = ok(await xe(home, ['message-list', `obj-uuid=${src}`, 'params=name', '--minimal']))
    assert.deepEqual(names.split(','), ['VM_CHECKPOINTED', 'VM_SHUTDOWN', 'VM_SNAPSHOT_REVERTED'])
  })

  it('re-creates a destroyed VM with its old uuid', async () => {
    const home = await seededHome()
    const src = await installDebian(home, 'web01')
    const snap = ok(await xe(home, ['vm-snapshot', 'vm=web01', 'new-name-label=s1']))
    ok(await xe(home, ['vm-destroy', `uuid=${src}`]))
    ok(await xe(home, ['snapshot-revert', `uuid=${snap}`]))
    assert.equal(await vmParam(home, src, 'name-label'), 'web01')
    assert.equal(await vmParam(home, src, 'is-a-template'), 'false')
    assert.equal(await vmParam(home, snap, 'snapshot-of'), src)
    assert.equal(await vmParam(home, src, 'parent'), snap)
  })

  it('needs a snapshot: xe\'s own texts (§9)', async () => {
    const home = await seededHome()
    const src = await installDebian(home, 'web01')
    assert.deepEqual(await xe(home, ['snapshot-revert']), { stdout: '', stderr: 'Error: Required parameter not found: snapshot-uuid or uuid.\n', code: 1 })
    assert.deepEqual(await xe(home, ['snapshot-revert', `uuid=${src}`]), {
      stdout: '', stderr: `Error: This operation can only be performed on a VM snapshot. ${src} is not a VM snapshot.\n`, code: 1,
    })
    assert.deepEqual(await xe(home, ['snapshot-revert', 'snapshot-uuid=nope']), { stdout: '', stderr: 'The uuid you supplied was invalid.\ntype: VM\nuuid: nope\n', code: 1 })
  })
})

describe('snapshot-clone, snapshot-copy, snapshot-destroy (§9)', () => {
  after(cleanupHomes)

  it('snapshot-clone makes a template from a snapshot; snapshot-copy copies it to an SR', async () => {
    const home = await seededHome()
    await installDebian(home, 'web01')
    const snap = ok(await xe(home, ['vm-snapshot', 'vm=web01', 'new-name-label=gold']))
    const t = ok(await xe(home, ['snapshot-clone', `uuid=${snap}`, 'new-name-label=gold-template', 'new-name-description=from gold']))
    assert.equal(await vmParam(home, t, 'is-a-template'), 'true')
    assert.equal(await vmParam(home, t, 'is-a-snapshot'), 'false')
    assert.equal(await vmParam(home, t, 'snapshot-of'), '<not in database>')
    assert.equal(await vmParam(home, t, 'name-description'), 'from gold')
    assert.equal(await vmParam(home, t, 'other-config', 'base_template_name'), 'Debian Bookworm 12')
    const sr = await engine(home, (db) => localSr(db).f.uuid)
    const c = ok(await xe(home, ['snapshot-copy', `snapshot-uuid=${snap}`, 'new-name-label=gold-copy', `sr-uuid=${sr}`]))
    assert.equal(await vmParam(home, c, 'is-a-template'), 'true')
    assert.equal(await vmParam(home, c, 'power-state'), 'halted')
    assert.deepEqual(await xe(home, ['snapshot-copy', `snapshot-uuid=${snap}`, 'new-name-label=x', 'sr-uuid=nope']), {
      stdout: '', stderr: 'The uuid you supplied was invalid.\ntype: SR\nuuid: nope\n', code: 1,
    })
  })

  it('snapshot-destroy removes the snapshot but not its disks; a checkpoint is hard-shutdown first', async () => {
    const home = await seededHome()
    const src = await installDebian(home, 'web01')
    const snap = ok(await xe(home, ['vm-snapshot', 'vm=web01', 'new-name-label=s']))
    const disk = await engine(home, (db) => db.referrers('VBD', 'VM', vmByUuid(db, snap).ref)[0]!.f.VDI)
    assert.deepEqual(await xe(home, ['snapshot-destroy', `uuid=${snap}`]), { stdout: '', stderr: '', code: 0 })
    await engine(home, (db) => {
      assert.equal(db.byUuid('VM', snap), undefined)
      assert.ok(db.tryGet(disk, 'VDI'))
      assert.equal(vmByUuid(db, src).f.parent, NULL_REF)
      setRunning(db, vmByUuid(db, src))
    })
    const cp = ok(await xe(home, ['vm-checkpoint', 'vm=web01', 'new-name-label=cp']))
    const image = await engine(home, (db) => vmByUuid(db, cp).f.suspend_VDI)
    ok(await xe(home, ['snapshot-destroy', `uuid=${cp}`]))
    await engine(home, (db) => assert.equal(db.tryGet(image, 'VDI'), undefined))
    assert.equal(ok(await xe(home, ['message-list', `obj-uuid=${cp}`, 'params=name', '--minimal'])), 'VM_SHUTDOWN')
    assert.deepEqual(await xe(home, ['snapshot-destroy', `uuid=${src}`]), {
      stdout: '', stderr: `Error: This operation can only be performed on a VM snapshot. ${src} is not a VM snapshot.\n`, code: 1,
    })
  })
})

describe('suspended VMs, full SRs and the control domain (xapi-model.md §4, §7; §4 error texts)', () => {
  after(cleanupHomes)

  it('a suspended VM cannot be cloned, its snapshot is halted, its checkpoint suspended with a copy of the image', async () => {
    const home = await seededHome()
    const src = await installDebian(home, 'web01')
    await engine(home, (db) => {
      const vm = vmByUuid(db, src)
      setRunning(db, vm)
      setSuspended(db, vm)
    })
    assert.deepEqual(await xe(home, ['vm-clone', 'vm=web01', 'new-name-label=x']), {
      stdout: '', stderr: `${BAD_POWER}vm: ${src} (web01)\nexpected: halted\nactual: suspended\n`, code: 1,
    })
    const snap = ok(await xe(home, ['vm-snapshot', 'vm=web01', 'new-name-label=s']))
    assert.equal(await vmParam(home, snap, 'power-state'), 'halted')
    assert.equal(await vmParam(home, snap, 'suspend-VDI-uuid'), '<not in database>')
    assert.equal(await vmParam(home, snap, 'snapshot-info'), 'disk-snapshot-type: crash_consistent; power-state-at-snapshot: Suspended')
    const cp = ok(await xe(home, ['vm-checkpoint', 'vm=web01', 'new-name-label=cp']))
    assert.equal(await vmParam(home, cp, 'power-state'), 'suspended')
    // snapshot_info is only recorded for a checkpoint of a running VM (xapi_vm_snapshot.ml checkpoint)
    assert.equal(await vmParam(home, cp, 'snapshot-info'), '')
    assert.equal(await vmParam(home, src, 'power-state'), 'suspended')
    await engine(home, (db) => {
      const image = db.get(vmByUuid(db, cp).f.suspend_VDI, 'VDI')
      assert.equal(image.f.snapshot_of, vmByUuid(db, src).f.suspend_VDI)
    })
    // a clone of a suspended snapshot is shut down at once (xapi_vm.ml clone): a halted template, no image
    const t = ok(await xe(home, ['snapshot-clone', `uuid=${cp}`, 'new-name-label=t']))
    assert.equal(await vmParam(home, t, 'power-state'), 'halted')
    assert.equal(await vmParam(home, t, 'suspend-VDI-uuid'), '<not in database>')
    assert.equal(await vmParam(home, t, 'is-a-template'), 'true')
  })

  it('SR_BACKEND_FAILURE_44 from the storage passes through and nothing is made', async () => {
    const home = await seededHome()
    await installDebian(home, 'web01')
    const before = await engine(home, (db) => {
      const sr = localSr(db)
      db.set(sr, { physical_utilisation: sr.f.physical_size - 4 * 1024 * 1024 })
      return [db.all('VM').length, db.all('VDI').length, localSr(db).f.physical_utilisation]
    })
    for (const verb of ['vm-snapshot', 'vm-clone', 'vm-copy']) {
      assert.deepEqual(await xe(home, [verb, 'vm=web01', 'new-name-label=x']), {
        stdout: '', stderr: 'Error code: SR_BACKEND_FAILURE_44\nError parameters: , There is insufficient space, \n', code: 1,
      }, verb)
    }
    assert.deepEqual(await engine(home, (db) => [db.all('VM').length, db.all('VDI').length, localSr(db).f.physical_utilisation]), before)
  })

  it('the control domain is not selectable, and the API refuses to clone or destroy it', async () => {
    const home = await seededHome()
    const dom0 = await engine(home, (db) => db.all('VM').find((v) => v.f.is_control_domain)!.f.uuid)
    assert.deepEqual(await xe(home, ['vm-clone', `uuid=${dom0}`, 'new-name-label=x']), { stdout: '', stderr: 'Error: No matching VMs found\n', code: 1 })
    await engine(home, (db) => {
      const vm = vmByUuid(db, dom0)
      assert.throws(() => cloneVm(db, vm, 'x'), (e: XapiError) => e.code === 'VM_BAD_POWER_STATE')
      assert.throws(() => destroyVm(db, vm), (e: XapiError) => e.code === 'VM_BAD_POWER_STATE')
      db.set(vm, { power_state: 'Halted' })
      assert.throws(() => cloneVm(db, vm, 'x'), (e: XapiError) => e.code === 'OPERATION_NOT_ALLOWED' && e.params[0] === 'This operation is not allowed on a control domain')
      assert.throws(() => destroyVm(db, vm), (e: XapiError) => e.code === 'OPERATION_NOT_ALLOWED' && e.params[0] === 'This operation is not allowed on dom0')
      throw new Error('rollback')
    }).catch((e: Error) => assert.equal(e.message, 'rollback'))
  })
})
