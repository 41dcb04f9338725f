// vm-uninstall, template-uninstall, snapshot-uninstall and vm-destroy: xe-cli-behaviour.md §9 (vm-uninstall,
// vm-destroy), §4 (the prompt and "Aborted" on stdout, exit 0 when aborted), §3.5 (direct prints under --minimal);
// cli_operations.ml vm_uninstall_common for the exact lines (each VDI line ends "(<name>) " plus the warning);
// xapi-model.md §3 (VM.destroy keeps VDIs; vm-uninstall destroys owned disks and suspend images).
import assert from 'node:assert/strict'
import { createVbd } from '../../src/engine/vbd'
import { NULL_REF } from '../../src/engine/values'
import { cleanupHomes, seededHome, xe } from '../helpers'
import { addDisk, engine, installDebian, localSr, setRunning, vmByUuid, vmParam } from '../clone-fixtures'

const DEBIAN = '07d91aaa-43f7-430a-bf84-0edb6714df0f'
const HEADER = 'The following items are about to be destroyed\n'
const PROMPT = "Type 'yes' to continue\n"

const ok = (r: { stdout: string; stderr: string; code: number }) => {
  assert.equal(r.stderr, '')
  assert.equal(r.code, 0)
  return r.stdout.replace(/\n$/, '')
}

/** web01 (installed) with one snapshot; returns the uuids and the names the listing shows. */
async function withSnapshot(home: string) {
  const vm = await installDebian(home, 'web01')
  const snap = ok(await xe(home, ['vm-snapshot', 'vm=web01', 'new-name-label=nightly']))
  const [disk, snapDisk] = await engine(home, (db) => [vmByUuid(db, vm), vmByUuid(db, snap)].map((v) => db.get(db.referrers('VBD', 'VM', v.ref)[0]!.f.VDI, 'VDI').f.uuid))
  const listing = `${HEADER}VM : ${vm} (web01)\nVDI: ${disk} (0) \nVM : ${snap} (nightly)\nVDI: ${snapDisk} (0) \n`
  return { vm, snap, disk: disk!, snapDisk: snapDisk!, listing }
}

describe('vm-uninstall (§9 vm-uninstall; §4 prompts)', () => {
  after(cleanupHomes)

  it('lists the VM, its snapshots and their disks, then asks; any answer but yes aborts with exit 0', async () => {
    const home = await seededHome()
    const w = await withSnapshot(home)
    const r = await xe(home, ['vm-uninstall', 'vm=web01'], { stdin: ['no thanks'] })
    assert.deepEqual(r, { stdout: `${w.listing}${PROMPT}Aborted (you typed: 'no thanks')\n`, stderr: '', code: 0 })
    assert.equal(await vmParam(home, w.vm, 'name-label'), 'web01')
    assert.equal(await vmParam(home, w.snap, 'name-label'), 'nightly')
  })

  it('"yes" (any case, spaces trimmed) destroys everything listed and says so; the SR gets its space back', async () => {
    const home = await seededHome()
    const used = await engine(home, (db) => localSr(db).f.physical_utilisation)
    const w = await withSnapshot(home)
    const r = await xe(home, ['vm-uninstall', `uuid=${w.vm}`], { stdin: ['  YES '] })
    assert.deepEqual(r, { stdout: `${w.listing}${PROMPT}All objects destroyed\n`, stderr: '', code: 0 })
    await engine(home, (db) => {
      for (const u of [w.vm, w.snap]) assert.equal(db.byUuid('VM', u), undefined)
      for (const u of [w.disk, w.snapDisk]) assert.equal(db.byUuid('VDI', u), undefined)
      assert.equal(localSr(db).f.physical_utilisation, used)
      assert.equal(db.all('VBD').filter((b) => b.f.VM !== db.all('VM').find((v) => v.f.is_control_domain)!.ref).length, 0)
    })
  })

  it('force=true and --force skip the prompt; under --minimal the direct lines still print, then the empty line (§3.5)', async () => {
    const home = await seededHome()
    const a = await withSnapshot(home)
    assert.deepEqual(await xe(home, ['vm-uninstall', `uuid=${a.vm}`, 'force=true']), { stdout: `${a.listing}All objects destroyed\n`, stderr: '', code: 0 })
    const b = await withSnapshot(home)
    assert.deepEqual(await xe(home, ['vm-uninstall', `uuid=${b.vm}`, '--force', '--minimal']), { stdout: `${b.listing}All objects destroyed\n\n`, stderr: '', code: 0 })
  })

  it('end of input at the prompt loses the connection (exit 1) and destroys nothing', async () => {
    const home = await seededHome()
    const w = await withSnapshot(home)
    assert.deepEqual(await xe(home, ['vm-uninstall', 'vm=web01']), { stdout: `${w.listing}${PROMPT}`, stderr: 'Lost connection to the server.\n', code: 1 })
    assert.equal(await vmParam(home, w.vm, 'power-state'), 'halted')
  })

  it('only owned disks are listed and destroyed; a disk used by another VM carries the warning', async () => {
    const home = await seededHome()
    const vm = await installDebian(home, 'web01')
    const other = await installDebian(home, 'web02')
    const { sys, kept, shared } = await engine(home, (db) => {
      const a = vmByUuid(db, vm)
      const keptVdi = addDisk(db, a, { device: '1', name: 'keep me', owner: false })
      const sharedVdi = addDisk(db, a, { device: '2', name: 'shared' })
      createVbd(db, { vm: vmByUuid(db, other), vdi: sharedVdi, userdevice: '5' })
      const sysVdi = db.get(db.referrers('VBD', 'VM', a.ref).find((b) => b.f.userdevice === '0')!.f.VDI, 'VDI')
      return { sys: sysVdi.f.uuid, kept: keptVdi.f.uuid, shared: sharedVdi.f.uuid }
    })
    const r = await xe(home, ['vm-uninstall', 'vm=web01', 'force=true'])
    assert.equal(r.stdout, `${HEADER}VM : ${vm} (web01)\nVDI: ${sys} (0) \nVDI: ${shared} (shared)  ** WARNING: disk is shared by other VMs\nAll objects destroyed\n`)
    await engine(home, (db) => {
      assert.ok(db.byUuid('VDI', kept), 'the unowned disk survives')
      assert.equal(db.byUuid('VDI', shared), undefined)
      assert.equal(db.referrers('VBD', 'VM', vmByUuid(db, other).ref).length, 1, 'VDI.destroy took the other VM\'s VBD along')
    })
  })

  it('a running VM is hard-shutdown first (VM_SHUTDOWN); a checkpoint\'s suspend image is listed and destroyed', async () => {
    const home = await seededHome()
    const vm = await installDebian(home, 'web01')
    await engine(home, (db) => setRunning(db, vmByUuid(db, vm)))
    const cp = ok(await xe(home, ['vm-checkpoint', 'vm=web01', 'new-name-label=cp']))
    const [image, cpDisk, disk] = await engine(home, (db) => {
      const c = vmByUuid(db, cp)
      return [db.get(c.f.suspend_VDI, 'VDI').f.uuid, db.get(db.referrers('VBD', 'VM', c.ref)[0]!.f.VDI, 'VDI').f.uuid,
        db.get(db.referrers('VBD', 'VM', vmByUuid(db, vm).ref)[0]!.f.VDI, 'VDI').f.uuid]
    })
    const r = await xe(home, ['vm-uninstall', 'vm=web01', '--force'])
    assert.deepEqual(r, {
      stdout: `${HEADER}VM : ${vm} (web01)\nVDI: ${disk} (0) \nVM : ${cp} (cp)\nVDI: ${cpDisk} (0) \nVDI: ${image} (Suspend image) \nAll objects destroyed\n`,
      stderr: '', code: 0,
    })
    await engine(home, (db) => {
      assert.equal(db.all('VM').length, 30)
      assert.equal(db.byUuid('VDI', image), undefined)
      const shut = db.all('message').filter((m) => m.f.name === 'VM_SHUTDOWN').map((m) => m.f.obj_uuid)
      assert.deepEqual(shut, [vm, cp])
    })
  })

  it('selectors as §2.2: templates are not selectable, several VMs need --multiple', async () => {
    const home = await seededHome()
    await installDebian(home, 'a')
    await installDebian(home, 'b')
    assert.deepEqual(await xe(home, ['vm-uninstall', `uuid=${DEBIAN}`, '--force']), { stdout: '', stderr: 'Error: No matching VMs found\n', code: 1 })
    assert.deepEqual(await xe(home, ['vm-uninstall', '--force']), {
      stdout: '', stderr: 'Error: Multiple matches VMs found. --multiple required to complete the operation\n', code: 1,
    })
    const r = await xe(home, ['vm-uninstall', '--force', '--multiple'])
    assert.equal(r.code, 0)
    assert.match(r.stdout, /^The following items are about to be destroyed\nVM : \S+ \(b\)\nVDI: \S+ \(0\) \nVM : \S+ \(a\)\nVDI: \S+ \(0\) \nAll objects destroyed\n$/)
  })
})

describe('template-uninstall and snapshot-uninstall (§9)', () => {
  after(cleanupHomes)

  it('template-uninstall: a custom template goes with its disks; default templates and non-templates are refused', async () => {
    const home = await seededHome()
    const vm = await installDebian(home, 'web01')
    ok(await xe(home, ['vm-param-set', `uuid=${vm}`, 'is-a-template=true']))
    const r = await xe(home, ['template-uninstall', `template-uuid=${vm}`], { stdin: ['yes'] })
    assert.equal(r.code, 0)
    assert.match(r.stdout, new RegExp(`^${HEADER}VM : ${vm} \\(web01\\)\nVDI: \\S+ \\(0\\) \n${PROMPT}All objects destroyed\n$`))
    const plain = await installDebian(home, 'plain')
    assert.deepEqual(await xe(home, ['template-uninstall', `template-uuid=${plain}`]), {
      stdout: '', stderr: `Error: This operation can only be performed on a VM template. ${plain} is not a VM template.\n`, code: 1,
    })
    assert.deepEqual(await xe(home, ['template-uninstall', `template-uuid=${DEBIAN}`, '--force']), {
      stdout: `${HEADER}VM : ${DEBIAN} (Debian Bookworm 12)\n`,
      stderr: `The operation attempted is not valid for a template VM\nvm: ${DEBIAN} (Debian Bookworm 12)\n<extra>: destroy\n`,
      code: 1,
    })
    assert.deepEqual(await xe(home, ['template-uninstall']), { stdout: '', stderr: "Required parameter not found: template-uuid\nFor usage run: 'xe help'\n", code: 1 })
  })

  it('snapshot-uninstall: the snapshot and its disks only', async () => {
    const home = await seededHome()
    const w = await withSnapshot(home)
    const r = await xe(home, ['snapshot-uninstall', `snapshot-uuid=${w.snap}`, 'force=true'])
    assert.deepEqual(r, { stdout: `${HEADER}VM : ${w.snap} (nightly)\nVDI: ${w.snapDisk} (0) \nAll objects destroyed\n`, stderr: '', code: 0 })
    assert.equal(await vmParam(home, w.vm, 'snapshots'), '')
    assert.equal(await vmParam(home, w.vm, 'parent'), '<not in database>')
    assert.deepEqual(await xe(home, ['snapshot-uninstall', `uuid=${w.vm}`]), {
      stdout: '', stderr: `Error: This operation can only be performed on a VM snapshot. ${w.vm} is not a VM snapshot.\n`, code: 1,
    })
    assert.deepEqual(await xe(home, ['snapshot-uninstall']), { stdout: '', stderr: 'Error: Required parameter not found: snapshot-uuid or uuid.\n', code: 1 })
  })
})

describe('vm-destroy (§9 vm-destroy; xapi-model.md §3)', () => {
  after(cleanupHomes)

  it('destroys the VM, its VBDs and metrics but never its disks; prints nothing', async () => {
    const home = await seededHome()
    const vm = await installDebian(home, 'web01')
    const [disk, metrics] = await engine(home, (db) => {
      const v = vmByUuid(db, vm)
      return [db.referrers('VBD', 'VM', v.ref)[0]!.f.VDI, v.f.metrics]
    })
    assert.deepEqual(await xe(home, ['vm-destroy', `uuid=${vm}`]), { stdout: '', stderr: '', code: 0 })
    await engine(home, (db) => {
      assert.equal(db.byUuid('VM', vm), undefined)
      assert.ok(db.tryGet(disk, 'VDI'))
      assert.equal(db.referrers('VBD', 'VDI', disk).length, 0)
      assert.equal(db.tryGet(metrics, 'VM_metrics'), undefined)
    })
  })

  it('children of a destroyed snapshot are re-parented to its parent', async () => {
    const home = await seededHome()
    const vm = await installDebian(home, 'web01')
    const s1 = ok(await xe(home, ['vm-snapshot', 'vm=web01', 'new-name-label=s1']))
    const s2 = ok(await xe(home, ['vm-snapshot', 'vm=web01', 'new-name-label=s2']))
    assert.equal(await vmParam(home, s2, 'parent'), s1)
    ok(await xe(home, ['vm-destroy', `uuid=${s2}`]))
    assert.equal(await vmParam(home, vm, 'parent'), s1)
    await engine(home, (db) => assert.notEqual(vmByUuid(db, vm).f.parent, NULL_REF))
  })

  it('refuses the control domain, default templates, running VMs and unknown uuids with xe\'s texts', async () => {
    const home = await seededHome()
    const dom0 = await engine(home, (db) => db.all('VM').find((v) => v.f.is_control_domain)!.f.uuid)
    assert.deepEqual(await xe(home, ['vm-destroy', `uuid=${dom0}`]), {
      stdout: '', stderr: 'You attempted an operation that was not allowed.\nreason: You cannot destroy a control domain via the CLI\n', code: 1,
    })
    assert.deepEqual(await xe(home, ['vm-destroy', `uuid=${DEBIAN}`]), {
      stdout: '', stderr: `The operation attempted is not valid for a template VM\nvm: ${DEBIAN} (Debian Bookworm 12)\n<extra>: destroy\n`, code: 1,
    })
    const vm = await installDebian(home, 'web01')
    await engine(home, (db) => setRunning(db, vmByUuid(db, vm)))
    assert.deepEqual(await xe(home, ['vm-destroy', `uuid=${vm}`]), {
      stdout: '',
      stderr: "You attempted an operation on a VM that was not in an appropriate power state at the time; for example, you attempted to start a VM that was already running. The parameters returned are the VM's handle, and the expected and actual VM state at the time of the call.\n" +
        `vm: ${vm} (web01)\nexpected: halted, suspended\nactual: running\n`,
      code: 1,
    })
    assert.deepEqual(await xe(home, ['vm-destroy', 'uuid=nope']), { stdout: '', stderr: 'The uuid you supplied was invalid.\ntype: VM\nuuid: nope\n', code: 1 })
  })
})
