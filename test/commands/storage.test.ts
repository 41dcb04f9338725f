// The storage verbs, in-process on seeded worlds: sr-create (per-type device-config validation), sr-probe, sr-scan,
// sr-introduce, sr-forget, sr-destroy, sr-update, pbd-create/-destroy/-plug/-unplug, vdi-forget/-introduce/-update,
// vdi-import/-export, and the VDI bytes kept under XESIM_HOME.
// References: xe-cli-behaviour.md §1.2 (required parameters, booleans, map parameters), §3.4 and §3.5 (create
// commands print the uuid; sr-create's direct Print under --minimal), §4 (errors: datamodel descriptions, `Error code:`
// for SR_BACKEND_FAILURE_<n>, exit 1), §8 (files: upload/download checks, O_EXCL, stdout, progress), §9 (sr-create,
// sr-introduce, pbd-create, host-uuid rules); xapi-model.md §3 (SR.forget / SR.destroy / VDI.forget cascades), §11.
import assert from 'node:assert/strict'
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { cleanupHomes, seededHome, xe, type Result } from '../helpers'
import { GiB, MiB, inWorld } from './device-helpers'
import { addExtent, vdiDataBytes, vdiExtents } from '../../src/engine/vdi-data'
import { vhdFooter, vhdGeometry } from '../../src/engine/vhd-format'
import { canonicalDevice, prettyXml, resolvable } from '../../src/engine/sr-types'
import { spanText } from '../../src/cli/vdi-transfer'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
const ok = (r: Result, stdout = '', what?: string) => assert.deepEqual(r, { stdout, stderr: '', code: 0 }, what)
const fails = (r: Result, stderr: string, what?: string) => assert.deepEqual(r, { stdout: '', stderr, code: 1 }, what)
/** A create command's output: one uuid and a newline (§3.4); returns the uuid. */
function created(r: Result): string {
  assert.equal(r.stderr, '', r.stderr)
  assert.equal(r.code, 0)
  assert.match(r.stdout, /^[0-9a-f-]{36}\n$/)
  return r.stdout.trim()
}
const line = async (home: string, args: string[]) => (await xe(home, args)).stdout.replace(/\n$/, '')
const get = (home: string, cls: string, uuid: string, field: string, key?: string) =>
  line(home, [`${cls}-param-get`, `uuid=${uuid}`, `param-name=${field}`, ...(key ? [`param-key=${key}`] : [])])
/** SR_BACKEND_FAILURE_<n> as the client prints a code the datamodel does not know (§4). */
const backend = (code: number, reason: string, stderr = '') => `Error code: SR_BACKEND_FAILURE_${code}\nError parameters: , ${reason}, ${stderr}\n`
const XML = '<?xml version="1.0" ?>\n'
/** The first n bytes of a (possibly huge, sparse) file. */
function readPrefix(path: string, n: number): Buffer {
  const fd = openSync(path, 'r')
  try {
    const b = Buffer.alloc(n)
    readSync(fd, b, 0, n, 0)
    return b
  } finally {
    closeSync(fd)
  }
}
const scratch: string[] = []
const tmpDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'xesim-storage-'))
  scratch.push(d)
  return d
}
after(() => {
  for (const d of scratch.splice(0)) rmSync(d, { recursive: true, force: true })
})

const NFS = ['type=nfs', 'shared=true', 'content-type=user', 'device-config:server=nfs1.example.com', 'device-config:serverpath=/export/xen']
const srOf = async (home: string, name: string) => line(home, ['sr-list', `name-label=${name}`, '--minimal'])
const pbdOf = async (home: string, sr: string) => line(home, ['pbd-list', `sr-uuid=${sr}`, '--minimal'])

describe('xe sr-create (xe-cli-behaviour.md §9, xapi-model.md §11.1–§11.2)', function () {
  let home: string
  before(async () => {
    home = await seededHome(41)
  })
  after(cleanupHomes)

  it('nfs: prints the uuid through a direct Print (--minimal adds its own empty line, §3.5); one attached PBD; 1 TiB export', async () => {
    const sr = created(await xe(home, ['sr-create', 'name-label=nfs1', 'name-description=VM disks', ...NFS]))
    const min = await xe(home, ['sr-create', 'name-label=nfs2', ...NFS, '--minimal'])
    assert.equal(min.code, 0)
    assert.match(min.stdout, /^[0-9a-f-]{36}\n\n$/, 'uuid then the minimal printer\'s empty output (§3.5)')
    for (const [f, v] of [['name-label', 'nfs1'], ['name-description', 'VM disks'], ['type', 'nfs'], ['content-type', 'user'], ['shared', 'true'],
      ['physical-size', String(1024 * GiB)], ['physical-utilisation', '0'], ['virtual-allocation', '0'], ['sm-config', '']]) {
      assert.equal(await get(home, 'sr', sr, f!), v, f)
    }
    const pbd = await pbdOf(home, sr)
    assert.match(pbd, UUID)
    assert.equal(await get(home, 'pbd', pbd, 'device-config'), 'server: nfs1.example.com; serverpath: /export/xen')
    assert.equal(await get(home, 'pbd', pbd, 'currently-attached'), 'true')
    assert.equal(await get(home, 'pbd', pbd, 'host-uuid'), await line(home, ['host-list', '--minimal']))
    ok(await xe(home, ['sr-list', 'name-label=nfs1', 'params=host', '--minimal']), 'xenserver-01\n', 'one PBD: the SR shows its host (§3.3)')
  })

  it('nfs: every missing or wrong device-config fails as NFSSR does (SR_BACKEND_FAILURE_<n>, §4)', async () => {
    const base = ['sr-create', 'name-label=bad', 'type=nfs', 'shared=true']
    fails(await xe(home, base), backend(102, 'The request is missing the server parameter'))
    // without serverpath the driver lists the server's exports on its stderr: the paths its SRs were created on
    fails(await xe(home, [...base, 'device-config:server=nfs9.example.com']), backend(101, 'The request is missing the serverpath parameter', `${XML}<nfs-exports/>\n\n`))
    fails(
      await xe(home, [...base, 'device-config:server=nfs1.example.com']),
      backend(101, 'The request is missing the serverpath parameter',
        `${XML}<nfs-exports>\n\t<Export>\n\t\t<Target>nfs1.example.com</Target>\n\t\t<Path>/export/xen</Path>\n\t\t<Accesslist>*</Accesslist>\n\t</Export>\n</nfs-exports>\n\n`),
    )
    fails(await xe(home, [...base, 'device-config:server=bad..name', 'device-config:serverpath=/x']), backend(140, 'Incorrect DNS name, unable to resolve.'))
    fails(await xe(home, [...base, 'device-config:server=nfs1', 'device-config:serverpath=/x', 'device-config:nfsversion=2']), backend(1200, 'Invalid nfsversion.'))
    ok(await xe(home, ['sr-list', 'name-label=bad']), '', 'a failed create leaves no record')
    ok(await xe(home, ['pbd-list', 'device-config:server=nfs9.example.com']), '')
  })

  it('required parameters, booleans, unknown types, the SRmaster key (§1.2, §4)', async () => {
    const usage = (p: string) => ({ stdout: '', stderr: `Required parameter not found: ${p}\nFor usage run: 'xe help'\n`, code: 1 })
    assert.deepEqual(await xe(home, ['sr-create', 'type=nfs']), usage('name-label'))
    assert.deepEqual(await xe(home, ['sr-create', 'name-label=x']), usage('type'))
    fails(await xe(home, ['sr-create', 'name-label=x', 'type=nfs', 'shared=maybe']), "Error: Failed to parse parameter 'shared': Expected 'true','t','yes','y','1','false','f','no','n','0' got maybe\n")
    fails(await xe(home, ['sr-create', 'name-label=x', 'type=bogus']), 'The SR could not be connected because the driver was not recognised.\ndriver: bogus\n')
    fails(await xe(home, ['sr-create', 'name-label=x', 'type=dummy', 'device-config:SRmaster=true']),
      'You attempted to set a value that is not supported by this implementation. The fully-qualified field name and the value that you tried to set are returned. Also returned is a developer-only diagnostic reason.\nfield: SRmaster\nvalue: true\nreason: This key is for internal use only\n')
    fails(await xe(home, ['sr-create', 'name-label=x', 'type=dummy', 'host-uuid=nope']), 'The uuid you supplied was invalid.\ntype: host\nuuid: nope\n')
  })

  it('lvm: a VG over the device (physical-size, else the system disk\'s size); thick, use_vhd; device errors as LVHDSR', async () => {
    const sr = created(await xe(home, ['sr-create', 'name-label=lvm-b', 'type=LVM', 'device-config:device=/dev/sdb', 'physical-size=10GiB']))
    assert.equal(await get(home, 'sr', sr, 'type'), 'lvm', 'the type is lower-cased (Xapi_sr.introduce)')
    assert.equal(await get(home, 'sr', sr, 'physical-size'), String(10 * GiB - 4 * MiB), 'whole 4 MiB extents after 1 MiB')
    assert.equal(await get(home, 'sr', sr, 'physical-utilisation'), String(4 * MiB), 'the MGT volume')
    assert.equal(await get(home, 'sr', sr, 'sm-config'), 'allocation: thick; use_vhd: true')
    const c = created(await xe(home, ['sr-create', 'name-label=lvm-c', 'type=lvm', 'device-config:device=/dev/sdc', 'physical-size=huge', 'sm-config:allocation=thin']))
    assert.equal(await get(home, 'sr', c, 'physical-size'), '500103643136', 'an unparsable physical-size is silently 0 (§9): the default disk')
    assert.equal(await get(home, 'sr', c, 'sm-config'), 'allocation: thin; use_vhd: true')
    const base = ['sr-create', 'name-label=x', 'type=lvm']
    fails(await xe(home, base), backend(90, 'The request is missing the device parameter'))
    fails(await xe(home, [...base, 'device-config:device=/dev/sda']), backend(105, 'Root system device, cannot be used for VM storage [opterr=Device /dev/sda contains core system files, please use another device]'))
    fails(await xe(home, [...base, 'device-config:device=/dev/nosuch']), backend(19, 'No such device [opterr=Device /dev/nosuch does not exist]'))
    fails(await xe(home, [...base, 'device-config:device=/dev/sdb']), 'The SR operation cannot be performed because a device underlying the SR is in use by the server.\n', 'fault 16 → SR_DEVICE_IN_USE')
    fails(await xe(home, [...base, 'device-config:device=/dev/sda3']), 'The SR operation cannot be performed because a device underlying the SR is in use by the server.\n', 'the local SR\'s partition')
    fails(await xe(home, [...base, 'device-config:device=/dev/sdd', 'device-config:allocation=fat']), backend(1, "Invalid argument [opterr=Allocation parameter must be one of ['thick', 'thin']]"))
  })

  it('ext, file, smb, udev, dummy: their required keys and sizes', async () => {
    fails(await xe(home, ['sr-create', 'name-label=x', 'type=ext']), backend(90, 'The request is missing the device parameter'))
    const ext = created(await xe(home, ['sr-create', 'name-label=ext', 'type=ext', 'device-config:device=/dev/vdb', 'physical-size=1GiB']))
    assert.equal(await get(home, 'sr', ext, 'physical-size'), String(GiB - 4 * MiB))
    fails(await xe(home, ['sr-create', 'name-label=x', 'type=file']), backend(94, 'The request is missing the location parameter'))
    const file = created(await xe(home, ['sr-create', 'name-label=file', 'type=file', 'device-config:location=/var/srs/f1']))
    assert.equal(await get(home, 'sr', file, 'physical-size'), '18945626112', 'dom0\'s root filesystem')
    fails(await xe(home, ['sr-create', 'name-label=x', 'type=file', 'device-config:location=/var/srs/f1']), backend(61, 'File SR creation error'))
    fails(await xe(home, ['sr-create', 'name-label=x', 'type=smb', 'shared=true']), backend(102, 'The request is missing the server parameter'))
    created(await xe(home, ['sr-create', 'name-label=smb', 'type=smb', 'shared=true', 'device-config:server=//fs1/vms', 'physical-size=2TiB']))
    assert.equal(await get(home, 'sr', await srOf(home, 'smb'), 'physical-size'), String(2048 * GiB))
    fails(await xe(home, ['sr-create', 'name-label=x', 'type=udev']), backend(94, 'The request is missing the location parameter'))
    const udev = created(await xe(home, ['sr-create', 'name-label=usb', 'type=udev', 'content-type=disk', 'device-config:location=/dev/xapi/block', 'sm-config:type=block']))
    assert.equal(await get(home, 'sr', udev, 'physical-size'), '0')
    const dummy = created(await xe(home, ['sr-create', 'name-label=dummy', 'type=dummy']))
    assert.equal(await get(home, 'sr', dummy, 'physical-size'), '-1', 'DummySR reports nothing: SR.introduce\'s -1 stays')
  })

  it('lvmoiscsi: target, the host\'s IQN, port, target IQN (the target\'s IQNs on stderr), SCSIid (its LUNs on stderr)', async () => {
    const base = ['sr-create', 'name-label=x', 'type=lvmoiscsi', 'shared=true']
    fails(await xe(home, base), backend(95, 'The request is missing the target parameter'))
    fails(await xe(home, [...base, 'device-config:target=san..1']), backend(140, 'Incorrect DNS name, unable to resolve.'))
    fails(await xe(home, [...base, 'device-config:target=10.0.0.50', 'device-config:port=99999']), backend(142, 'Incorrect value for iSCSI port, must be a number between 1 and 65535'))
    fails(
      await xe(home, [...base, 'device-config:target=10.0.0.50']),
      backend(96, 'The request is missing or has an incorrect target IQN parameter',
        `${XML}<iscsi-target-iqns>\n\t<TGT>\n\t\t<Index>0</Index>\n\t\t<IPAddress>10.0.0.50</IPAddress>\n\t\t<TargetIQN>iqn.2026-01.org.xesim:10.0.0.50</TargetIQN>\n\t</TGT>\n` +
        `\t<TGT>\n\t\t<Index>1</Index>\n\t\t<IPAddress>10.0.0.50</IPAddress>\n\t\t<TargetIQN>*</TargetIQN>\n\t</TGT>\n</iscsi-target-iqns>\n\n`),
    )
    const noLun = await xe(home, [...base, 'device-config:target=10.0.0.50', 'device-config:targetIQN=iqn.2026-01.org.xesim:10.0.0.50'])
    assert.equal(noLun.code, 1)
    const m = /^Error code: SR_BACKEND_FAILURE_107\nError parameters: , The SCSIid parameter is missing or incorrect, <\?xml version="1.0" \?>\n<iscsi-target>\n\t<LUN>\n\t\t<vendor>XESIM<\/vendor>\n\t\t<serial>[0-9a-f]{16}<\/serial>\n\t\t<LUNid>0<\/LUNid>\n\t\t<size>1099511627776<\/size>\n\t\t<SCSIid>(36001405[0-9a-f]{24})<\/SCSIid>\n\t<\/LUN>\n<\/iscsi-target>\n\n\n$/.exec(noLun.stderr)
    assert.ok(m, noLun.stderr)
    const lun = [`device-config:SCSIid=${m![1]}`, 'device-config:target=10.0.0.50', 'device-config:targetIQN=iqn.2026-01.org.xesim:10.0.0.50']
    const sr = created(await xe(home, ['sr-create', 'name-label=san', 'type=lvmoiscsi', 'shared=true', ...lun]))
    assert.equal(await get(home, 'sr', sr, 'physical-size'), String(1024 * GiB - 4 * MiB))
    fails(await xe(home, ['sr-create', 'name-label=san2', 'type=lvmoiscsi', 'shared=true', ...lun]), 'The SR operation cannot be performed because a device underlying the SR is in use by the server.\n')
    const h = await line(home, ['host-list', '--minimal'])
    ok(await xe(home, ['host-param-remove', `uuid=${h}`, 'param-name=other-config', 'param-key=iscsi_iqn']))
    fails(await xe(home, [...base, 'device-config:target=10.0.0.50']), backend(97, 'Unable to retrieve the host configuration ISCSI IQN parameter'))
    created(await xe(home, ['sr-create', 'name-label=san3', 'type=lvmoiscsi', 'device-config:localIQN=iqn.2026-01.com.example:h1', 'device-config:target=10.0.0.51', 'device-config:targetIQN=iqn.x', 'device-config:SCSIid=36001405aaaa']))
  })

  it('lvmohba: without SCSIid the (empty) device list of the host\'s HBAs is on stderr', async () => {
    fails(await xe(home, ['sr-create', 'name-label=x', 'type=lvmohba', 'shared=true']), backend(107, 'The SCSIid parameter is missing or incorrect', `${XML}<Devlist/>\n\n`))
    const sr = created(await xe(home, ['sr-create', 'name-label=fc', 'type=lvmohba', 'shared=true', 'device-config:SCSIid=3600a098038303053453f463045727a41', 'physical-size=100GiB']))
    assert.equal(await get(home, 'sr', sr, 'physical-size'), String(100 * GiB - 4 * MiB))
  })

  it('iso: a real directory in legacy mode; remote libraries by location; the ISOSR location errors', async () => {
    const dir = tmpDir()
    const base = ['sr-create', 'name-label=x', 'type=iso', 'content-type=iso']
    fails(await xe(home, base), backend(94, 'The request is missing the location parameter'))
    fails(await xe(home, [...base, `device-config:location=${dir}/missing`, 'device-config:legacy_mode=true']), backend(226, 'Invalid local path'))
    fails(await xe(home, [...base, `device-config:location=${dir}`]), backend(228, 'Require "-o" along with xe-mount-iso-sr'), 'a local path without legacy_mode is a CIFS mount (xe-mount-iso-sr)')
    fails(await xe(home, [...base, 'device-config:location=fs1/isos', 'device-config:type=cifs']), backend(225, 'Incorrect Location string format. String must be in the format SERVER:PATH for NFS targets, or \\\\SERVER\\PATH for CIFS targets'))
    fails(await xe(home, [...base, 'device-config:location=/isos', 'device-config:type=nfs_iso']), backend(225, 'Incorrect Location string format. String must be in the format SERVER:PATH for NFS targets, or \\\\SERVER\\PATH for CIFS targets'))
    fails(await xe(home, [...base, 'device-config:location=bad..host:/isos']), backend(140, 'Incorrect DNS name, unable to resolve.'))
    const local = created(await xe(home, ['sr-create', 'name-label=isos', 'type=iso', 'content-type=iso', `device-config:location=${dir}`, 'device-config:legacy_mode=true']))
    assert.equal(await get(home, 'sr', local, 'physical-size'), '-1', 'ISOSR reports its sizes on scan only')
    const cifs = created(await xe(home, ['sr-create', 'name-label=cifs', 'type=iso', 'shared=true', 'device-config:location=//fs1/isos', 'device-config:type=cifs']))
    assert.equal(await get(home, 'sr', cifs, 'sm-config'), 'iso_type: cifs')
    created(await xe(home, ['sr-create', 'name-label=nfs-isos', 'type=iso', 'shared=true', 'device-config:location=nfs1.example.com:/isos']))
  })

  it('device-config:<k>-filename= uploads the file as <k>; a missing one prints the client\'s "File not found" (§8)', async () => {
    const dir = tmpDir()
    writeFileSync(join(dir, 'opts'), 'vers=4.1')
    const sr = created(await xe(home, ['sr-create', 'name-label=nfs-f', ...NFS, `device-config:options-filename=${dir}/opts`]))
    assert.equal(await get(home, 'pbd', await pbdOf(home, sr), 'device-config', 'options'), 'vers=4.1')
    fails(await xe(home, ['sr-create', 'name-label=nfs-g', ...NFS, `device-config:options-filename=${dir}/none`]), `File not found: ${dir}/noneError: File not found\n`)
  })
})

describe('xe sr-create in a pool of two hosts: PBDs per host and the host-uuid rules (§9)', function () {
  let home: string
  let master: string
  let member: string
  before(async () => {
    home = await seededHome(42)
    member = await inWorld(home, (db) => {
      const h = db.all('host')[0]!
      return db.create('host', { ...h.f, uuid: db.ids.uuid(), name_label: 'xenserver-02', hostname: 'xenserver-02', address: '10.0.0.11' }).f.uuid
    })
    master = await inWorld(home, (db) => db.get(db.all('pool')[0]!.f.master, 'host').f.uuid)
  })
  after(cleanupHomes)

  it('shared: one PBD per host, the coordinator\'s first; the SR shows <shared> as its host (§3.3)', async () => {
    const sr = created(await xe(home, ['sr-create', 'name-label=nfs', ...NFS]))
    ok(await xe(home, ['pbd-list', `sr-uuid=${sr}`, 'params=host-uuid,currently-attached', '--minimal']), `${master},${member}\n`, 'the coordinator\'s PBD is made first')
    ok(await xe(home, ['sr-list', `uuid=${sr}`, 'params=host', '--minimal']), '<shared>\n')
  })

  it('not shared: host-uuid is required once the pool has two hosts; given, the PBD is that host\'s', async () => {
    fails(await xe(home, ['sr-create', 'name-label=local2', 'type=lvm', 'device-config:device=/dev/sdb']), 'Error: Required parameter not found: host-uuid\n')
    const sr = created(await xe(home, ['sr-create', 'name-label=local2', 'type=lvm', 'device-config:device=/dev/sdb', `host-uuid=${member}`]))
    ok(await xe(home, ['pbd-list', `sr-uuid=${sr}`, 'params=host-uuid', '--minimal']), `${member}\n`)
    ok(await xe(home, ['sr-list', `uuid=${sr}`, 'params=host', '--minimal']), 'xenserver-02\n')
  })

  it('pbd-plug: a non-shared SR attached on one host cannot be plugged on another (SR_NOT_SHARABLE)', async () => {
    const sr = await srOf(home, 'local2')
    const pbd = created(await xe(home, ['pbd-create', `host-uuid=${master}`, `sr-uuid=${sr}`, 'device-config:device=/dev/sdb']))
    fails(await xe(home, ['pbd-plug', `uuid=${pbd}`]),
      `The PBD could not be plugged because the SR is in use by another host and is not marked as sharable.\nsr: ${sr} (local2)\nhost: ${member} (xenserver-02)\n`)
    ok(await xe(home, ['pbd-destroy', `uuid=${pbd}`]))
  })
})

describe('xe sr-probe (xe-cli-behaviour.md §9, §3.1: the driver\'s XML as one PList item)', function () {
  let home: string
  before(async () => {
    home = await seededHome(43)
  })
  after(cleanupHomes)

  it('nfs: the SRs under server:serverpath, forgotten ones included; without serverpath the exports (error 101)', async () => {
    ok(await xe(home, ['sr-probe', 'type=nfs', 'device-config:server=nfs1.example.com', 'device-config:serverpath=/export/xen']), `${XML}<SRlist/>\n\n`)
    const sr = created(await xe(home, ['sr-create', 'name-label=nfs', ...NFS]))
    ok(await xe(home, ['sr-probe', 'type=nfs', 'device-config:server=nfs1.example.com', 'device-config:serverpath=/export/xen']), `${XML}<SRlist>\n\t<SR>\n\t\t<UUID>${sr}</UUID>\n\t</SR>\n</SRlist>\n\n`)
    fails(await xe(home, ['sr-probe', 'type=nfs']), backend(102, 'The request is missing the server parameter'))
    ok(await xe(home, ['pbd-unplug', `uuid=${await pbdOf(home, sr)}`]))
    ok(await xe(home, ['sr-forget', `uuid=${sr}`]))
    ok(await xe(home, ['sr-probe', 'type=nfs', 'device-config:server=nfs1.example.com', 'device-config:serverpath=/export/xen', '--minimal']),
      `${XML}<SRlist>\n\t<SR>\n\t\t<UUID>${sr}</UUID>\n\t</SR>\n</SRlist>\n\n`, 'a forgotten SR is still on the export; --minimal prints the one item (§3.5)')
  })

  it('lvm: the VG on each device queried (UUID, Devlist, size); iscsi/hba: LUN-based; dummy; others are not implemented', async () => {
    const local = await srOf(home, 'Local storage')
    const size = await get(home, 'sr', local, 'physical-size')
    ok(await xe(home, ['sr-probe', 'type=lvm', 'device-config:device=/dev/sda3,/dev/sdq']), `${XML}<SRlist>\n\t<SR>\n\t\t<UUID>${local}</UUID>\n\t\t<Devlist>/dev/sda3</Devlist>\n\t\t<size>${size}</size>\n\t</SR>\n</SRlist>\n\n`)
    fails(await xe(home, ['sr-probe', 'type=lvm']), backend(90, 'The request is missing the device parameter'))
    const dummy = await xe(home, ['sr-probe', 'type=dummy'])
    assert.match(dummy.stdout, /^<\?xml version="1.0" \?>\n<SRlist>\n\t<SR>\n\t\t<UUID>[0-9a-f-]{36}<\/UUID>\n\t\t<Size>1024<\/Size>\n\t<\/SR>\n<\/SRlist>\n\n$/)
    fails(await xe(home, ['sr-probe', 'type=iso', 'device-config:location=nfs1:/isos']),
      'The server failed to handle your request, due to an internal error. The given message may give details useful for debugging the problem.\nmessage: Smint.Not_implemented_in_backend\n')
    fails(await xe(home, ['sr-probe', 'type=bogus']), 'The SR could not be connected because the driver was not recognised.\ndriver: bogus\n')
    fails(await xe(home, ['sr-probe', 'type=lvmohba']), backend(107, 'The SCSIid parameter is missing or incorrect', `${XML}<Devlist/>\n\n`))
    ok(await xe(home, ['sr-probe', 'type=lvmoiscsi', 'device-config:target=10.1.1.1', 'device-config:targetIQN=iqn.t', 'device-config:SCSIid=36001405ffff']), `${XML}<SRlist/>\n\n`)
  })
})

describe('xe sr-introduce, pbd-*, sr-forget, sr-destroy, sr-update, sr-scan (xapi-model.md §3, §11.2)', function () {
  let home: string
  let host: string
  before(async () => {
    home = await seededHome(44)
    host = await line(home, ['host-list', '--minimal'])
  })
  after(cleanupHomes)

  it('sr-introduce prints the uuid it was given (PList, §3.4): no PBD, sizes -1; SR_UUID_EXISTS', async () => {
    const u = 'a1b2c3d4-0000-4000-8000-000000000001'
    ok(await xe(home, ['sr-introduce', `uuid=${u}`, 'name-label=intro', 'type=NFS', 'shared=true', 'content-type=user']), `${u}\n`)
    assert.equal(await get(home, 'sr', u, 'type'), 'nfs')
    assert.equal(await get(home, 'sr', u, 'physical-size'), '-1')
    ok(await xe(home, ['pbd-list', `sr-uuid=${u}`]), '')
    fails(await xe(home, ['sr-introduce', `uuid=${u}`, 'name-label=again', 'type=nfs']), `An SR with that uuid already exists.\nuuid: ${u}\n`)
    fails(await xe(home, ['sr-destroy', `uuid=${u}`]), `The SR has no attached PBDs\nsr: ${u} (intro)\n`, 'SR_HAS_NO_PBDS')
    fails(await xe(home, ['sr-scan', `uuid=${u}`]), `The SR has no attached PBDs\nsr: ${u} (intro)\n`)
    fails(await xe(home, ['sr-update', `uuid=${u}`]), `The SR has no attached PBDs\nsr: ${u} (intro)\n`)
  })

  it('pbd-create prints its uuid; PBD_EXISTS; SRmaster refused; pbd-plug runs the driver\'s checks; plug/unplug twice is no error', async () => {
    const u = 'a1b2c3d4-0000-4000-8000-000000000001'
    fails(await xe(home, ['pbd-create', 'host-uuid=nope', `sr-uuid=${u}`]), 'The uuid you supplied was invalid.\ntype: host\nuuid: nope\n')
    fails(await xe(home, ['pbd-create', `host-uuid=${host}`, 'sr-uuid=nope']), 'The uuid you supplied was invalid.\ntype: SR\nuuid: nope\n')
    const pbd = created(await xe(home, ['pbd-create', `host-uuid=${host}`, `sr-uuid=${u}`, 'device-config:server=nfs1.example.com']))
    assert.equal(await get(home, 'pbd', pbd, 'currently-attached'), 'false')
    fails(await xe(home, ['pbd-create', `host-uuid=${host}`, `sr-uuid=${u}`]), `A PBD already exists connecting the SR to the server.\nsr: ${u} (intro)\nhost: ${host} (xenserver-01)\npbd: ${pbd}\n`)
    fails(await xe(home, ['pbd-plug', `uuid=${pbd}`]), backend(101, 'The request is missing the serverpath parameter'), 'NFSSR.attach: no exports listed')
    ok(await xe(home, ['pbd-destroy', `uuid=${pbd}`]))
    fails(await xe(home, ['pbd-create', `host-uuid=${host}`, `sr-uuid=${u}`, 'device-config:SRmaster=true']),
      'You attempted to set a value that is not supported by this implementation. The fully-qualified field name and the value that you tried to set are returned. Also returned is a developer-only diagnostic reason.\nfield: SRmaster\nvalue: true\nreason: This key is for internal use only\n')
    const good = created(await xe(home, ['pbd-create', `host-uuid=${host}`, `sr-uuid=${u}`, 'device-config:server=nfs1.example.com', 'device-config:serverpath=/p']))
    ok(await xe(home, ['pbd-plug', `uuid=${good}`]))
    ok(await xe(home, ['pbd-plug', `uuid=${good}`]), '', 'already attached: nothing to do')
    assert.equal(await get(home, 'sr', u, 'physical-size'), String(1024 * GiB), 'plugging the coordinator\'s PBD refreshes the sizes')
    fails(await xe(home, ['pbd-destroy', `uuid=${good}`]), 'You attempted an operation that was not allowed.\nreason: PBD is currently attached\n')
    fails(await xe(home, ['pbd-plug', 'uuid=nope']), 'The uuid you supplied was invalid.\ntype: PBD\nuuid: nope\n')
    ok(await xe(home, ['pbd-unplug', `uuid=${good}`]))
    ok(await xe(home, ['pbd-unplug', `uuid=${good}`]), '', 'already detached: nothing to do')
  })

  it('sr-destroy: SR_HAS_PBD, SR_NOT_EMPTY, SR_INDESTRUCTIBLE; then the records and the bytes go', async () => {
    const sr = created(await xe(home, ['sr-create', 'name-label=gone', ...NFS]))
    const pbd = await pbdOf(home, sr)
    const vdi = created(await xe(home, ['vdi-create', `sr-uuid=${sr}`, 'name-label=d', 'virtual-size=4MiB']))
    fails(await xe(home, ['sr-destroy', `uuid=${sr}`]), `The SR is still connected to a host via a PBD. It cannot be destroyed or forgotten.\nsr: ${sr} (gone)\n`)
    fails(await xe(home, ['sr-forget', `uuid=${sr}`]), `The SR is still connected to a host via a PBD. It cannot be destroyed or forgotten.\nsr: ${sr} (gone)\n`)
    ok(await xe(home, ['pbd-unplug', `uuid=${pbd}`]))
    fails(await xe(home, ['sr-destroy', `uuid=${sr}`]), 'The SR operation cannot be performed because the SR is not empty.\n')
    ok(await xe(home, ['pbd-plug', `uuid=${pbd}`]))
    ok(await xe(home, ['vdi-destroy', `uuid=${vdi}`]))
    ok(await xe(home, ['sr-param-set', `uuid=${sr}`, 'other-config:indestructible=true']))
    ok(await xe(home, ['pbd-unplug', `uuid=${pbd}`]))
    fails(await xe(home, ['sr-destroy', `uuid=${sr}`]), `The SR could not be destroyed because the 'indestructible' flag was set on it.\nsr: ${sr} (gone)\n`)
    ok(await xe(home, ['sr-param-remove', `uuid=${sr}`, 'param-name=other-config', 'param-key=indestructible']))
    ok(await xe(home, ['sr-destroy', `uuid=${sr}`]))
    ok(await xe(home, ['sr-list', `uuid=${sr}`]), '')
    ok(await xe(home, ['pbd-list', `uuid=${pbd}`]), '')
    fails(await xe(home, ['sr-destroy', `uuid=${sr}`]), `The uuid you supplied was invalid.\ntype: SR\nuuid: ${sr}\n`)
  })

  it('vdi-forget keeps the bytes: sr-scan brings the VDI back (same uuid, same data); sr-destroy refuses an SR still holding it', async () => {
    const sr = created(await xe(home, ['sr-create', 'name-label=keep', ...NFS]))
    const vdi = created(await xe(home, ['vdi-create', `sr-uuid=${sr}`, 'name-label=data', 'virtual-size=4MiB']))
    const file = join(tmpDir(), 'data.raw')
    const bytes = randomBytes(3 * MiB)
    writeFileSync(file, bytes)
    ok(await xe(home, ['vdi-import', `uuid=${vdi}`, `filename=${file}`]))
    ok(await xe(home, ['vdi-forget', `uuid=${vdi}`]))
    ok(await xe(home, ['vdi-list', `uuid=${vdi}`]), '')
    const pbd = await pbdOf(home, sr)
    ok(await xe(home, ['pbd-unplug', `uuid=${pbd}`]))
    fails(await xe(home, ['sr-destroy', `uuid=${sr}`]), 'The SR operation cannot be performed because the SR is not empty.\n', 'LVHDSR/FileSR delete: a volume is left')
    ok(await xe(home, ['pbd-plug', `uuid=${pbd}`]))
    ok(await xe(home, ['sr-scan', `uuid=${sr}`]))
    assert.equal(await get(home, 'vdi', vdi, 'name-label'), 'data')
    assert.equal(await get(home, 'sr', sr, 'virtual-allocation'), String(4 * MiB), 'virtual_allocation: the sum of the VDIs (SR.scan)')
    const out = join(tmpDir(), 'back.raw')
    ok(await xe(home, ['vdi-export', `uuid=${vdi}`, `filename=${out}`]))
    assert.ok(readFileSync(out).subarray(0, bytes.length).equals(bytes))
  })

  it('sr-forget then sr-introduce + pbd-create + pbd-plug + sr-scan: the SR, its sizes and VDIs come back', async () => {
    const sr = created(await xe(home, ['sr-create', 'name-label=dr', 'type=lvm', 'device-config:device=/dev/sdk', 'physical-size=20GiB']))
    const vdi = created(await xe(home, ['vdi-create', `sr-uuid=${sr}`, 'name-label=root', 'virtual-size=1GiB']))
    const used = await get(home, 'sr', sr, 'physical-utilisation')
    ok(await xe(home, ['pbd-unplug', `uuid=${await pbdOf(home, sr)}`]))
    ok(await xe(home, ['sr-forget', `uuid=${sr}`]))
    ok(await xe(home, ['vdi-list', `uuid=${vdi}`]), '', 'the VDI records go with the SR')
    const size = String(20 * GiB - 4 * MiB)
    ok(await xe(home, ['sr-probe', 'type=lvm', 'device-config:device=/dev/sdk']), `${XML}<SRlist>\n\t<SR>\n\t\t<UUID>${sr}</UUID>\n\t\t<Devlist>/dev/sdk</Devlist>\n\t\t<size>${size}</size>\n\t</SR>\n</SRlist>\n\n`)
    ok(await xe(home, ['sr-introduce', `uuid=${sr}`, 'name-label=dr', 'type=lvm', 'content-type=user']), `${sr}\n`)
    const pbd = created(await xe(home, ['pbd-create', `host-uuid=${host}`, `sr-uuid=${sr}`, 'device-config:device=/dev/sdk']))
    ok(await xe(home, ['pbd-plug', `uuid=${pbd}`]))
    assert.equal(await get(home, 'sr', sr, 'physical-size'), size)
    assert.equal(await get(home, 'sr', sr, 'physical-utilisation'), used)
    ok(await xe(home, ['sr-scan', `uuid=${sr}`]))
    assert.equal(await get(home, 'vdi', vdi, 'virtual-size'), String(GiB))
    assert.equal(await get(home, 'sr', sr, 'virtual-allocation'), String(GiB))
  })

  it('sr-update refreshes sizes (nothing printed); a new SR over a forgotten SR\'s device replaces it', async () => {
    const sr = created(await xe(home, ['sr-create', 'name-label=old', 'type=lvm', 'device-config:device=/dev/sdm']))
    ok(await xe(home, ['sr-update', `uuid=${sr}`]))
    ok(await xe(home, ['pbd-unplug', `uuid=${await pbdOf(home, sr)}`]))
    ok(await xe(home, ['sr-forget', `uuid=${sr}`]))
    const fresh = created(await xe(home, ['sr-create', 'name-label=new', 'type=lvm', 'device-config:device=/dev/sdm']))
    ok(await xe(home, ['sr-probe', 'type=lvm', 'device-config:device=/dev/sdm']),
      `${XML}<SRlist>\n\t<SR>\n\t\t<UUID>${fresh}</UUID>\n\t\t<Devlist>/dev/sdm</Devlist>\n\t\t<size>500103643136</size>\n\t</SR>\n</SRlist>\n\n`)
  })

  it('pbd-unplug: VDI_IN_USE while a running VM has a disk of the SR plugged (xapi_pbd.ml get_active_vdis_by_pbd)', async () => {
    const sr = created(await xe(home, ['sr-create', 'name-label=busy', ...NFS]))
    const vm = created(await xe(home, ['vm-install', 'template=Debian Bookworm 12', 'new-name-label=web']))
    ok(await xe(home, ['vm-start', `uuid=${vm}`]))
    const vdi = created(await xe(home, ['vdi-create', `sr-uuid=${sr}`, 'name-label=scratch', 'virtual-size=1GiB']))
    const vbd = created(await xe(home, ['vbd-create', `vm-uuid=${vm}`, `vdi-uuid=${vdi}`, 'device=1']))
    ok(await xe(home, ['vbd-plug', `uuid=${vbd}`]))
    const pbd = await pbdOf(home, sr)
    fails(await xe(home, ['pbd-unplug', `uuid=${pbd}`]), `This operation cannot be performed because this VDI is in use by some other operation\nvdi: ${vdi} (scratch)\noperation: <unknown>\n`)
    fails(await xe(home, ['vdi-forget', `uuid=${vdi}`]), `This operation cannot be performed because this VDI is in use by some other operation\nvdi: ${vdi} (scratch)\noperation: forget\n`)
    ok(await xe(home, ['vbd-unplug', `uuid=${vbd}`]))
    ok(await xe(home, ['pbd-unplug', `uuid=${pbd}`]))
  })
})

describe('xe sr-scan of an ISO library in a real directory (xapi-model.md §11.2; ISOSR)', function () {
  let home: string
  let dir: string
  let sr: string
  before(async () => {
    home = await seededHome(45)
    dir = tmpDir()
    writeFileSync(join(dir, 'debian-12.iso'), randomBytes(4096))
    writeFileSync(join(dir, 'README.txt'), 'not an image')
    writeFileSync(join(dir, '0b5c1d7a-1111-4222-8333-444455556666.ISO'), randomBytes(1000))
    sr = created(await xe(home, ['sr-create', 'name-label=isos', 'type=iso', 'content-type=iso', `device-config:location=${dir}`, 'device-config:legacy_mode=true']))
  })
  after(cleanupHomes)

  it('*.iso / *.img files become read-only VDIs named after the file; a <uuid>.iso keeps its uuid; sizes from the filesystem', async () => {
    ok(await xe(home, ['sr-scan', `uuid=${sr}`]))
    ok(await xe(home, ['vdi-list', `sr-uuid=${sr}`, 'params=name-label,virtual-size,read-only,location']),
      'name-label ( RW)      : 0b5c1d7a-1111-4222-8333-444455556666.ISO\n    virtual-size ( RO): 1000\n        location ( RO): 0b5c1d7a-1111-4222-8333-444455556666.ISO\n       read-only ( RO): true\n\n\n' +
      'name-label ( RW)      : debian-12.iso\n    virtual-size ( RO): 4096\n        location ( RO): debian-12.iso\n       read-only ( RO): true\n\n\n')
    ok(await xe(home, ['vdi-list', 'name-label=0b5c1d7a-1111-4222-8333-444455556666.ISO', '--minimal']), '0b5c1d7a-1111-4222-8333-444455556666\n')
    assert.equal(await get(home, 'sr', sr, 'virtual-allocation'), '5096')
    assert.ok(Number(await get(home, 'sr', sr, 'physical-size')) > 0)
    ok(await xe(home, ['cd-list', 'params=name-label', '--minimal']), 'debian-12.iso,0b5c1d7a-1111-4222-8333-444455556666.ISO\n', 'content-type iso: CDs (§9 CD commands)')
  })

  it('a vanished file\'s VDI goes; a CD drive holding it is left empty (VDI.db_forget); a new file appears', async () => {
    const vm = created(await xe(home, ['vm-install', 'template=Debian Bookworm 12', 'new-name-label=cd']))
    ok(await xe(home, ['vm-cd-add', `uuid=${vm}`, 'cd-name=debian-12.iso', 'device=3']))
    const vbd = await line(home, ['vbd-list', `vm-uuid=${vm}`, 'type=CD', '--minimal'])
    rmSync(join(dir, 'debian-12.iso'))
    writeFileSync(join(dir, 'alpine.img'), randomBytes(512))
    ok(await xe(home, ['sr-scan', `uuid=${sr}`]))
    ok(await xe(home, ['vdi-list', `sr-uuid=${sr}`, 'params=name-label', '--minimal']), '0b5c1d7a-1111-4222-8333-444455556666.ISO,alpine.img\n')
    assert.equal(await get(home, 'vbd', vbd, 'empty'), 'true')
    assert.equal(await get(home, 'vbd', vbd, 'vdi-uuid'), '<not in database>')
  })

  it('vdi-create makes the image file; vdi-destroy unlinks it (ISOVDI); a directory that went away is SR_BACKEND_FAILURE_47', async () => {
    const v = created(await xe(home, ['vdi-create', `sr-uuid=${sr}`, 'name-label=blank', 'virtual-size=1MiB', 'sm-config:path=blank.iso']))
    assert.equal(statSync(join(dir, 'blank.iso')).size, MiB)
    ok(await xe(home, ['sr-scan', `uuid=${sr}`]))
    assert.equal(await get(home, 'vdi', v, 'read-only'), 'false', 'a VDI made by vdi-create stays writable ("created")')
    ok(await xe(home, ['vdi-destroy', `uuid=${v}`]))
    assert.equal(existsSync(join(dir, 'blank.iso')), false)
    const gone = tmpDir()
    const other = created(await xe(home, ['sr-create', 'name-label=tmp', 'type=iso', `device-config:location=${gone}`, 'device-config:legacy_mode=true']))
    rmSync(gone, { recursive: true })
    fails(await xe(home, ['sr-scan', `uuid=${other}`]), backend(47, `The SR is not available [opterr=no such directory ${gone}]`))
  })
})

describe('xe vdi-introduce / vdi-update / vdi-forget (xapi-model.md §11.4)', function () {
  let home: string
  before(async () => {
    home = await seededHome(46)
  })
  after(cleanupHomes)

  it('vdi-introduce: only drivers with VDI_INTRODUCE (dummy, udev); prints the uuid; LOCATION_NOT_UNIQUE; vdi types', async () => {
    const local = await srOf(home, 'Local storage')
    const u = 'c0ffee00-0000-4000-8000-000000000001'
    fails(await xe(home, ['vdi-introduce', `uuid=${u}`, `sr-uuid=${local}`, 'type=user', 'location=x']),
      `The SR backend does not support the operation (check the SR's allowed operations)\nsr: ${local} (Local storage)\n`)
    const dummy = created(await xe(home, ['sr-create', 'name-label=dummy', 'type=dummy']))
    fails(await xe(home, ['vdi-introduce', `uuid=${u}`, `sr-uuid=${dummy}`, 'type=User', 'location=x']), 'Error: Unknown vdi type: User\n')
    ok(await xe(home, ['vdi-introduce', `uuid=${u}`, `sr-uuid=${dummy}`, 'type=system', 'location=loc1', 'name-label=intro', 'other-config:k=v']), `${u}\n`)
    for (const [f, v] of [['name-label', 'intro'], ['type', 'System'], ['location', 'loc1'], ['other-config', 'k: v'], ['virtual-size', '0']]) assert.equal(await get(home, 'vdi', u, f!), v, f)
    fails(await xe(home, ['vdi-introduce', 'uuid=c0ffee00-0000-4000-8000-000000000002', `sr-uuid=${dummy}`, 'type=user', 'location=loc1']),
      `A VDI with the specified location already exists within the SR\nSR: ${dummy} (dummy)\nlocation: loc1\n`)
    fails(await xe(home, ['vdi-introduce', `uuid=${u}`, `sr-uuid=${dummy}`, 'type=user', 'location=loc1']),
      'The server failed to handle your request, due to an internal error. The given message may give details useful for debugging the problem.\nmessage: Storage_interface.Storage_error(Vdi_does_not_exist("loc1"))\n')
    assert.deepEqual(await xe(home, ['vdi-introduce', `uuid=${u}`, `sr-uuid=${dummy}`, 'type=user']), { stdout: '', stderr: "Required parameter not found: location\nFor usage run: 'xe help'\n", code: 1 })
  })

  it('vdi-update: needs the SM\'s VDI_UPDATE; vdi-forget of an ISO VDI is not kept (the directory is the truth)', async () => {
    const local = await srOf(home, 'Local storage')
    const v = created(await xe(home, ['vdi-create', `sr-uuid=${local}`, 'name-label=u', 'virtual-size=4MiB']))
    ok(await xe(home, ['vdi-update', `uuid=${v}`]))
    const dummy = await srOf(home, 'dummy')
    const d = created(await xe(home, ['vdi-create', `sr-uuid=${dummy}`, 'name-label=d', 'virtual-size=4MiB']))
    fails(await xe(home, ['vdi-update', `uuid=${d}`]), `The SR backend does not support the operation (check the SR's allowed operations)\nsr: ${dummy} (dummy)\n`)
    fails(await xe(home, ['vdi-update', 'uuid=nope']), 'The uuid you supplied was invalid.\ntype: VDI\nuuid: nope\n')
    ok(await xe(home, ['vdi-forget', `uuid=${d}`]))
    ok(await xe(home, ['sr-scan', `uuid=${dummy}`]))
    ok(await xe(home, ['vdi-list', `uuid=${d}`]), '', 'DummySR keeps no state: a forgotten VDI stays gone')
  })
})

describe('xe vdi-import / vdi-export (xe-cli-behaviour.md §8): the bytes, kept sparse under XESIM_HOME', function () {
  let home: string
  let local: string
  let dir: string
  let vdi: string
  let bytes: Buffer
  before(async () => {
    home = await seededHome(47)
    local = await srOf(home, 'Local storage')
    dir = tmpDir()
    vdi = created(await xe(home, ['vdi-create', `sr-uuid=${local}`, 'name-label=disk', 'virtual-size=16MiB']))
    // 1.5 MiB of data, a hole, then 4 bytes at 9 MiB
    bytes = Buffer.alloc(9 * MiB + 4)
    randomBytes(3 * MiB / 2).copy(bytes, 0)
    bytes.write('tail', 9 * MiB, 'latin1')
    writeFileSync(join(dir, 'in.raw'), bytes)
  })
  after(cleanupHomes)

  it('raw: import prints nothing; export gives the same bytes then zeros to the virtual size; holes stay holes', async () => {
    ok(await xe(home, ['vdi-import', `uuid=${vdi}`, `filename=${dir}/in.raw`]))
    ok(await xe(home, ['vdi-export', `uuid=${vdi}`, `filename=${dir}/out.raw`]))
    const out = readFileSync(join(dir, 'out.raw'))
    assert.equal(out.length, 16 * MiB)
    assert.ok(out.subarray(0, bytes.length).equals(bytes))
    assert.ok(out.subarray(bytes.length).every((b) => b === 0))
    assert.equal((statSync(join(dir, 'out.raw')).mode & 0o777).toString(8), '600', 'created 0600 (§8)')
    assert.deepEqual(vdiExtents(home, vdi), [[0, 2 * MiB], [9 * MiB, 9 * MiB + 4]], 'only the pieces holding data are stored')
    assert.ok(vdiDataBytes(home, vdi) < 4 * MiB, 'the store is sparse')
  })

  it('export never overwrites a file (the client\'s exact error, exit 1); an empty filename is stdout', async () => {
    fails(await xe(home, ['vdi-export', `uuid=${vdi}`, `filename=${dir}/out.raw`]), `Operation failed. Error: Sys_error("${dir}/out.raw: File exists")\n`)
    const small = created(await xe(home, ['vdi-create', `sr-uuid=${local}`, 'name-label=small', 'virtual-size=2MiB']))
    writeFileSync(join(dir, 'hello'), 'hello')
    ok(await xe(home, ['vdi-import', `uuid=${small}`, `filename=${dir}/hello`]))
    const r = await xe(home, ['vdi-export', `uuid=${small}`, 'filename='])
    assert.equal(r.code, 0)
    assert.equal(r.stdout.length, 2 * MiB)
    assert.equal(r.stdout.slice(0, 6), 'hello\0')
  })

  it('vhd: a dynamic VHD with only the blocks holding data; importing it gives the same disk', async () => {
    ok(await xe(home, ['vdi-export', `uuid=${vdi}`, `filename=${dir}/out.vhd`, 'format=vhd']))
    const vhd = readFileSync(join(dir, 'out.vhd'))
    const blocks = 2 // [0, 2 MiB) and [8, 10 MiB)
    assert.equal(vhd.length, 512 + 1024 + 512 + blocks * (512 + 2 * MiB) + 512)
    assert.ok(vhd.subarray(0, 512).equals(vhdFooter(16 * MiB, 'dynamic', vdi)), 'footer copy first; the VHD\'s unique id is the VDI\'s uuid')
    assert.ok(vhd.subarray(vhd.length - 512).equals(vhd.subarray(0, 512)))
    assert.equal(vhd.toString('latin1', 512, 520), 'cxsparse')
    const copy = created(await xe(home, ['vdi-create', `sr-uuid=${local}`, 'name-label=fromvhd', 'virtual-size=16MiB']))
    ok(await xe(home, ['vdi-import', `uuid=${copy}`, `filename=${dir}/out.vhd`, 'format=VHD']), '', 'the format is case-insensitive')
    ok(await xe(home, ['vdi-export', `uuid=${copy}`, `filename=${dir}/copy.raw`]))
    assert.ok(readFileSync(join(dir, 'copy.raw')).equals(readFileSync(join(dir, 'out.raw'))))
    // a fixed VHD too
    const fixed = Buffer.concat([bytes.subarray(0, 2 * MiB), vhdFooter(2 * MiB, 'fixed', vdi)])
    writeFileSync(join(dir, 'fixed.vhd'), fixed)
    const f = created(await xe(home, ['vdi-create', `sr-uuid=${local}`, 'name-label=fixed', 'virtual-size=2MiB']))
    ok(await xe(home, ['vdi-import', `uuid=${f}`, `filename=${dir}/fixed.vhd`, 'format=vhd']))
    ok(await xe(home, ['vdi-export', `uuid=${f}`, `filename=${dir}/fixed.raw`]))
    assert.ok(readFileSync(join(dir, 'fixed.raw')).equals(bytes.subarray(0, 2 * MiB)))
  })

  it('tar: XVA-style chunks vdi/<n> with xxhash files; importing them back gives the same disk', async () => {
    ok(await xe(home, ['vdi-export', `uuid=${vdi}`, `filename=${dir}/out.tar`, 'format=tar']))
    const t = created(await xe(home, ['vdi-create', `sr-uuid=${local}`, 'name-label=fromtar', 'virtual-size=16MiB']))
    ok(await xe(home, ['vdi-import', `uuid=${t}`, `filename=${dir}/out.tar`, 'format=tar']))
    ok(await xe(home, ['vdi-export', `uuid=${t}`, `filename=${dir}/tar.raw`]))
    assert.ok(readFileSync(join(dir, 'tar.raw')).equals(readFileSync(join(dir, 'out.raw'))))
    assert.equal(readFileSync(join(dir, 'out.tar')).toString('latin1', 0, 12), 'vdi/00000000')
  })

  it('errors: missing upload, unknown format, too big, bad VHD, read-only VDI, unknown VDI, unplugged SR (§4, §8)', async () => {
    fails(await xe(home, ['vdi-import', `uuid=${vdi}`, `filename=${dir}/none.raw`]), `Operation failed. Error: file '${dir}/none.raw' does not exist\n`)
    fails(await xe(home, ['vdi-import', `uuid=${vdi}`, `filename=${dir}/in.raw`, 'format=bogus']),
      'The server failed to handle your request, due to an internal error. The given message may give details useful for debugging the problem.\nmessage: Unknown format bogus\n')
    fails(await xe(home, ['vdi-export', `uuid=${vdi}`, `filename=${dir}/never`, 'format=bogus']),
      'The server failed to handle your request, due to an internal error. The given message may give details useful for debugging the problem.\nmessage: Unknown format bogus\n')
    assert.equal(existsSync(join(dir, 'never')), false, 'the server refused before the client made the file')
    const small = created(await xe(home, ['vdi-create', `sr-uuid=${local}`, 'name-label=tiny', 'virtual-size=2MiB']))
    fails(await xe(home, ['vdi-import', `uuid=${small}`, `filename=${dir}/in.raw`]), 'Error code: VDI_IO_ERROR\nError parameters: Device I/O errors\n')
    fails(await xe(home, ['vdi-import', `uuid=${small}`, `filename=${dir}/in.raw`, 'format=vhd']), 'Error code: VDI_IO_ERROR\nError parameters: Device I/O errors\n', 'not a VHD')
    fails(await xe(home, ['vdi-import', `uuid=${small}`, `filename=${dir}/out.vhd`, 'format=vhd']), 'Error code: VDI_IO_ERROR\nError parameters: Device I/O errors\n', 'larger than the VDI')
    fails(await xe(home, ['vdi-import', 'uuid=nope', `filename=${dir}/in.raw`]), 'The uuid you supplied was invalid.\ntype: VDI\nuuid: nope\n')
    fails(await xe(home, ['vdi-export', `uuid=${vdi}`, `filename=${dir}/b.raw`, 'base=nope']), 'The uuid you supplied was invalid.\ntype: VDI\nuuid: nope\n')
    const isoDir = tmpDir()
    writeFileSync(join(isoDir, 'a.iso'), 'ISO9660')
    const iso = created(await xe(home, ['sr-create', 'name-label=isos', 'type=iso', 'content-type=iso', `device-config:location=${isoDir}`, 'device-config:legacy_mode=true']))
    ok(await xe(home, ['sr-scan', `uuid=${iso}`]))
    const a = await line(home, ['vdi-list', `sr-uuid=${iso}`, '--minimal'])
    fails(await xe(home, ['vdi-import', `uuid=${a}`, `filename=${dir}/hello`]), `The operation required write access but this VDI is read-only\nvdi: ${a} (a.iso)\n`)
    ok(await xe(home, ['vdi-export', `uuid=${a}`, `filename=${dir}/a.raw`]))
    assert.equal(readFileSync(join(dir, 'a.raw')).toString('latin1'), 'ISO9660', 'an ISO VDI reads its image file')
    const nfs = created(await xe(home, ['sr-create', 'name-label=nfs', ...NFS]))
    const d = created(await xe(home, ['vdi-create', `sr-uuid=${nfs}`, 'name-label=n', 'virtual-size=2MiB']))
    ok(await xe(home, ['pbd-unplug', `uuid=${await pbdOf(home, nfs)}`]))
    fails(await xe(home, ['vdi-export', `uuid=${d}`, `filename=${dir}/n.raw`]), 'There were no servers available to complete the specified operation.\n')
    fails(await xe(home, ['vdi-import', `uuid=${d}`, `filename=${dir}/hello`]), 'There were no servers available to complete the specified operation.\n')
    ok(await xe(home, ['task-list']), '', 'the transfer tasks are gone')
  })

  it('progress=true draws the [*] bar on stderr and ends with "Total time" (§8; cli_progress_bar.ml)', async () => {
    const r = await xe(home, ['vdi-import', `uuid=${vdi}`, `filename=${dir}/in.raw`, 'progress=true'])
    assert.equal(r.code, 0)
    assert.equal(r.stdout, '')
    const frames = r.stderr.split('\r').slice(1)
    assert.ok(frames.length >= 2, r.stderr)
    for (const f of frames.slice(0, -1)) assert.match(f, /^\[[-\\|/]\] [#>]*\s*\( *\d+% ETA \d\d:\d\d:\d\d\) $/)
    assert.match(frames.at(-1)!, /^\[[-\\|/]\] #{54}> \(100% ETA \d\d:\d\d:\d\d\) \nTotal time: [\d.]+(ns|us|ms|s)\n$/)
    assert.equal(frames[0]!.length, 80)
  })

  it('the bytes follow the VDI: clone, snapshot and copy carry them; destroy drops them; resize keeps them', async () => {
    const clone = created(await xe(home, ['vdi-clone', `uuid=${vdi}`]))
    const snap = created(await xe(home, ['vdi-snapshot', `uuid=${vdi}`]))
    const nfs = await srOf(home, 'nfs')
    ok(await xe(home, ['pbd-plug', `uuid=${await pbdOf(home, nfs)}`]))
    const copy = created(await xe(home, ['vdi-copy', `uuid=${vdi}`, `sr-uuid=${nfs}`]))
    for (const v of [clone, snap, copy]) {
      const f = join(dir, `${v}.raw`)
      ok(await xe(home, ['vdi-export', `uuid=${v}`, `filename=${f}`]))
      assert.ok(readFileSync(f).subarray(0, bytes.length).equals(bytes), v)
    }
    ok(await xe(home, ['vdi-resize', `uuid=${clone}`, 'disk-size=20MiB']))
    assert.deepEqual(vdiExtents(home, clone), vdiExtents(home, vdi))
    ok(await xe(home, ['vdi-destroy', `uuid=${clone}`]))
    assert.deepEqual(vdiExtents(home, clone), [])
    assert.equal(existsSync(join(home, 'vdi-data', `${clone}.img`)), false)
  })

  it('thin SRs: imported blocks count in the VDI\'s and the SR\'s physical-utilisation (xapi-model.md §11.3)', async () => {
    const nfs = await srOf(home, 'nfs')
    const v = created(await xe(home, ['vdi-create', `sr-uuid=${nfs}`, 'name-label=thin', 'virtual-size=16MiB']))
    const before = Number(await get(home, 'sr', nfs, 'physical-utilisation'))
    const vdiBefore = Number(await get(home, 'vdi', v, 'physical-utilisation'))
    ok(await xe(home, ['vdi-import', `uuid=${v}`, `filename=${dir}/in.raw`]))
    const grown = Number(await get(home, 'vdi', v, 'physical-utilisation')) - vdiBefore
    assert.equal(grown, 2 * (2 * MiB + 512), 'two 2 MiB blocks hold data')
    assert.equal(Number(await get(home, 'sr', nfs, 'physical-utilisation')), before + grown)
    ok(await xe(home, ['vdi-destroy', `uuid=${v}`]))
    assert.equal(Number(await get(home, 'sr', nfs, 'physical-utilisation')), before - vdiBefore)
  })

  it('vm-export writes a VM\'s disk bytes into the XVA and vm-import keeps them (the DiskStore)', async () => {
    const vm = created(await xe(home, ['vm-install', 'template=Debian Bookworm 12', 'new-name-label=src']))
    const root = await line(home, ['vbd-list', `vm-uuid=${vm}`, 'userdevice=0', 'params=vdi-uuid', '--minimal'])
    ok(await xe(home, ['vdi-import', `uuid=${root}`, `filename=${dir}/in.raw`]))
    const xva = join(dir, 'vm.xva')
    ok(await xe(home, ['vm-export', `uuid=${vm}`, `filename=${xva}`]), 'Export succeeded\n')
    const other = await seededHome(48)
    const r = await xe(other, ['vm-import', `filename=${xva}`])
    assert.equal(r.code, 0, r.stderr)
    const newRoot = await line(other, ['vbd-list', `vm-uuid=${r.stdout.trim()}`, 'userdevice=0', 'params=vdi-uuid', '--minimal'])
    const f = join(dir, 'imported.raw')
    ok(await xe(other, ['vdi-export', `uuid=${newRoot}`, `filename=${f}`]))
    assert.equal(statSync(f).size, 10 * GiB)
    assert.ok(readPrefix(f, bytes.length).equals(bytes))
  })
})

describe('VDI bytes and the world they belong to', function () {
  after(cleanupHomes)

  it('a world made again with the same seed does not see the bytes of the earlier world\'s VDIs', async () => {
    const home = await seededHome(49)
    const local = await srOf(home, 'Local storage')
    const v = created(await xe(home, ['vdi-create', `sr-uuid=${local}`, 'name-label=a', 'virtual-size=2MiB']))
    const f = join(tmpDir(), 'x')
    writeFileSync(f, 'old bytes')
    ok(await xe(home, ['vdi-import', `uuid=${v}`, `filename=${f}`]))
    for (const n of ['world.db', 'world.db-wal', 'world.db-shm']) rmSync(join(home, n), { force: true })
    await xe(home, ['pool-list', '--minimal'], { env: { XESIM_SEED: '49' } })
    const again = created(await xe(home, ['vdi-create', `sr-uuid=${await srOf(home, 'Local storage')}`, 'name-label=a', 'virtual-size=2MiB']))
    assert.equal(again, v, 'the same seed gives the same uuid')
    const r = await xe(home, ['vdi-export', `uuid=${again}`, 'filename='])
    assert.equal(r.stdout, '\0'.repeat(2 * MiB))
  })
})

describe('storage helpers: extents, the drivers\' XML, VHD geometry, the progress bar\'s span', () => {
  it('extents merge and stay sorted (vdi-data.ts)', () => {
    let xs = addExtent([], 10, 20)
    xs = addExtent(xs, 30, 40)
    xs = addExtent(xs, 0, 5)
    assert.deepEqual(xs, [[0, 5], [10, 20], [30, 40]])
    assert.deepEqual(addExtent(xs, 18, 31), [[0, 5], [10, 40]])
    assert.deepEqual(addExtent(xs, 5, 10), [[0, 20], [30, 40]], 'touching ranges join')
  })

  it('XML as minidom.toprettyxml prints it: tabs, one-text elements on one line, empty elements self-closed, escapes', () => {
    assert.equal(prettyXml({ tag: 'SRlist', children: [] }), `${XML}<SRlist/>\n`)
    assert.equal(prettyXml({ tag: 'a', children: [{ tag: 'b', text: 'x<&>"y' }, { tag: 'c', children: [{ tag: 'd', text: '1' }] }] }),
      `${XML}<a>\n\t<b>x&lt;&amp;&gt;&quot;y</b>\n\t<c>\n\t\t<d>1</d>\n\t</c>\n</a>\n`)
  })

  it('VHD CHS geometry follows the specification\'s appendix; the footer checksum verifies', () => {
    assert.deepEqual(vhdGeometry(32768), [481, 4, 17])
    assert.deepEqual(vhdGeometry(65535 * 255 * 16 + 1), [65535, 16, 255])
    const f = vhdFooter(16 * MiB, 'dynamic', '00000000-0000-4000-8000-000000000000')
    let sum = 0
    for (let i = 0; i < 512; i++) if (i < 64 || i >= 68) sum += f[i]!
    assert.equal(f.readUInt32BE(64), ~sum >>> 0)
    assert.equal(f.toString('latin1', 28, 32), 'caml')
  })

  it('Mtime.Span.pp-like spans and host names the emulated resolver accepts', () => {
    assert.equal(spanText(500), '500ns')
    assert.equal(spanText(23_345_678), '23.3ms')
    assert.equal(spanText(1_500_000_000), '1.5s')
    assert.equal(spanText(125e9), '2min5s')
    for (const n of ['10.0.0.5', 'nfs1', 'filer.example.com', 'fe80::1', '[2001:db8::5]']) assert.ok(resolvable(n), n)
    for (const n of ['', 'bad..name', 'under_score.example', '-x', 'a b']) assert.ok(!resolvable(n), n)
    assert.equal(canonicalDevice('/dev/disk/by-id/scsi-36d0946606c82a200deadbeef-part3'), '/dev/sda3')
  })
})
