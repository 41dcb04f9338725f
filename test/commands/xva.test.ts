// vm-export, template-export, snapshot-export-to-template and vm-import with real XVA files
// (xe-cli-behaviour.md §8 for the client side: file permission, O_CREAT|O_EXCL 0600, stdout, `<filename>N`,
// `Export succeeded`, missing uploads; §3.5 for direct prints under --minimal; §4 for error texts;
// xapi-model.md §15 for the tasks). The XVA layout is export.ml / stream_vdi.ml's.
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync, gunzipSync } from 'node:zlib'
import { withWorld } from '../../src/engine/world'
import { parseXmlRpc, member, type Rpc } from '../../src/engine/xmlrpc'
import { setDiskStore, xxh64, zstdAvailable, type DiskStore } from '../../src/engine/xva'
import { cleanupHomes, repoRoot, seededHome, xe } from '../helpers'
import { GiB, MiB, listTar, makeVm, xeBin } from './xva-world'

const FIXTURE = join(repoRoot, 'test', 'fixtures', 'xenserver8-debian.xva')
const INTERNAL = 'The server failed to handle your request, due to an internal error. The given message may give details useful for debugging the problem.'

const dirs: string[] = []
function tmpDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'xesim-xva-'))
  dirs.push(d)
  return d
}

/** The struct members of an XML-RPC value as a Map. */
const struct = (r: Rpc | undefined) => new Map(r && r.k === 'struct' ? r.v : [])
const str = (r: Rpc | undefined) => (r && (r.k === 'string' || r.k === 'int' || r.k === 'datetime') ? r.v : undefined)
const arr = (r: Rpc | undefined) => (r && r.k === 'array' ? r.v : [])
function objects(xml: string): Array<{ cls: string; id: string; snap: Map<string, Rpc> }> {
  const h = parseXmlRpc(xml)
  return arr(member(h, 'objects')).map((o) => ({ cls: str(member(o, 'class'))!, id: str(member(o, 'id'))!, snap: struct(member(o, 'snapshot')) }))
}
const field = (home: string, cls: string, uuid: string, name: string) => xe(home, [`${cls}-param-get`, `uuid=${uuid}`, `param-name=${name}`]).then((r) => r.stdout.replace(/\n$/, ''))

describe('vm-export / vm-import (§8)', function () {
  this.timeout(60000)
  after(cleanupHomes)

  describe('vm-export', () => {
    it('writes the XVA: ova.xml, then each disk as 1 MiB chunks with .xxhash files, first and last only when zero; prints Export succeeded (§8)', async () => {
      const home = await seededHome(21)
      const vm = await makeVm(home, { disks: [10 * GiB, 3 * MiB], vifs: ['xenbr0', 'xenbr1'] })
      const dir = tmpDir()
      const f = join(dir, 'web01.xva')
      const r = await xeBin(home, ['vm-export', `uuid=${vm.uuid}`, `filename=${f}`])
      assert.deepEqual({ ...r, stdout: r.stdout.toString() }, { stdout: 'Export succeeded\n', stderr: '', code: 0 })
      assert.equal(statSync(f).mode & 0o777, 0o600)
      const { entries, trailer } = listTar(readFileSync(f))
      assert.equal(trailer, 1024, 'two zero blocks end the archive, with no padding to a record size')
      // V7 headers as ocaml-tar writes them: mode 0400, no magic, typeflag NUL; ova.xml carries the export time
      assert.ok(entries.every((e) => e.mode === 0o400 && e.magic === '' && e.type === 0))
      assert.equal(entries[0]!.name, 'ova.xml')
      assert.ok(entries[0]!.mtime >= 1767225600, 'ova.xml is stamped with the time of the export (the world\'s clock)')
      assert.ok(entries.slice(1).every((e) => e.mtime === 0), 'chunks are stamped 0')
      const objs = objects(entries[0]!.data.toString())
      const vdiIds = objs.filter((o) => o.cls === 'VDI').map((o) => o.id)
      const [big, small] = objs.filter((o) => o.cls === 'VDI').map((o) => ({ id: o.id, size: Number(str(o.snap.get('virtual_size'))) }))
      assert.equal(big!.size, 10 * GiB)
      assert.equal(small!.size, 4 * MiB, 'the LVM SR rounded the 3 MiB disk up')
      // the disks in the order of their ids (compared as strings), zero chunks left out
      const sorted = [...vdiIds].sort()
      const expected = sorted.flatMap((id) => {
        const last = id === big!.id ? 10239 : 3
        return [`${id}/00000000`, `${id}/00000000.xxhash`, `${id}/${String(last).padStart(8, '0')}`, `${id}/${String(last).padStart(8, '0')}.xxhash`]
      })
      assert.deepEqual(entries.slice(1).map((e) => e.name), expected)
      for (const e of entries.slice(1)) {
        if (e.name.endsWith('.xxhash')) continue
        assert.equal(e.size, MiB)
        assert.ok(e.data.every((x) => x === 0))
        assert.equal(entries.find((x) => x.name === `${e.name}.xxhash`)!.data.toString(), xxh64(e.data))
      }
      assert.equal(entries.find((e) => e.name.endsWith('.xxhash'))!.data.toString(), '87D2A1B6E1163EF1')
    })

    it('ova.xml is xapi\'s XML-RPC value: version, then host/VM/metrics/VBD/VIF/network/VDI/SR records with export references (export.ml)', async () => {
      const home = await seededHome(22)
      const vm = await makeVm(home, { disks: [8 * GiB] })
      const f = join(tmpDir(), 'a.xva')
      await xeBin(home, ['vm-export', `vm=${vm.uuid}`, `filename=${f}`])
      const xml = listTar(readFileSync(f)).entries[0]!.data.toString()
      assert.match(xml, /^<value><struct><member><name>version<\/name><value><struct><member><name>hostname<\/name><value>localhost<\/value><\/member><member><name>date<\/name>/)
      assert.match(xml, /<member><name>xapi_major<\/name><value>26<\/value><\/member><member><name>xapi_minor<\/name><value>1<\/value><\/member><member><name>export_vsn<\/name><value>2<\/value><\/member><\/struct><\/value><\/member><member><name>objects<\/name><value><array><data>/)
      assert.ok(xml.endsWith('</data></array></value></member></struct></value>'))
      const objs = objects(xml)
      const byCls = (c: string) => objs.filter((o) => o.cls === c)
      const v = byCls('VM')[0]!
      assert.equal(v.id, 'Ref:0')
      assert.equal(str(v.snap.get('uuid')), vm.uuid)
      // VIFs first (with their networks), then VBDs in VM.VBDs order (newest first: the CD drive, then the disk)
      // with their VDIs and SRs, then metrics and the NULL references
      const vif = byCls('VIF')[0]!
      const net = byCls('network')[0]!
      const vbds = byCls('VBD')
      const vdi = byCls('VDI')[0]!
      const sr = byCls('SR')[0]!
      assert.deepEqual([vif.id, net.id], ['Ref:1', 'Ref:2'])
      assert.deepEqual(vbds.map((b) => b.id), ['Ref:4', 'Ref:3'])
      assert.deepEqual([vdi.id, sr.id], ['Ref:5', 'Ref:6'])
      assert.equal(byCls('VM_metrics')[0]!.id, 'Ref:7')
      // the classes in make_all's order
      assert.deepEqual(objs.map((o) => o.cls), ['VM', 'VM_metrics', 'VBD', 'VBD', 'VIF', 'network', 'VDI', 'SR'])
      // references: exported objects by id, others NULL; the halted VM's NULL guest_metrics/resident_on/affinity all
      // point at the id given to OpaqueRef:NULL itself (Ref:8), which no object carries
      assert.equal(str(v.snap.get('metrics')), 'Ref:7')
      assert.equal(str(v.snap.get('guest_metrics')), 'Ref:8')
      assert.equal(str(v.snap.get('resident_on')), 'Ref:8')
      assert.equal(str(v.snap.get('affinity')), 'Ref:8')
      assert.equal(str(v.snap.get('suspend_VDI')), 'OpaqueRef:NULL')
      assert.deepEqual(arr(v.snap.get('VBDs')).map(str), ['Ref:3', 'Ref:4'])
      assert.deepEqual(arr(v.snap.get('VIFs')).map(str), ['Ref:1'])
      assert.deepEqual(arr(v.snap.get('allowed_operations')), [])
      assert.equal(str(vbds[0]!.snap.get('VM')), 'Ref:0')
      assert.equal(str(vbds[0]!.snap.get('VDI')), 'Ref:5')
      assert.equal(str(vbds[1]!.snap.get('VDI')), 'Ref:8', 'the empty CD drive: VDI NULL, exported as NULL\'s id')
      assert.equal(str(vbds[0]!.snap.get('metrics')), 'OpaqueRef:NULL')
      assert.equal(str(vdi.snap.get('SR')), 'Ref:6')
      assert.deepEqual(arr(vdi.snap.get('VBDs')).map(str), ['Ref:4'])
      assert.deepEqual(arr(sr.snap.get('PBDs')), [])
      assert.deepEqual(arr(sr.snap.get('VDIs')).map(str), ['Ref:5'])
      assert.deepEqual(arr(net.snap.get('PIFs')), [])
      // value encodings: ints bare, bools as <boolean>, doubles %.16g, enums by name, dates as dateTime.iso8601
      assert.match(xml, /<member><name>memory_static_max<\/name><value>1073741824<\/value><\/member>/)
      assert.match(xml, /<member><name>is_a_template<\/name><value><boolean>0<\/boolean><\/value><\/member>/)
      assert.match(xml, /<member><name>HVM_shadow_multiplier<\/name><value><double>1<\/double><\/value><\/member>/)
      assert.match(xml, /<member><name>power_state<\/name><value>Halted<\/value><\/member>/)
      assert.match(xml, /<member><name>snapshot_time<\/name><value><dateTime.iso8601>19700101T00:00:00Z<\/dateTime.iso8601><\/value><\/member>/)
      assert.match(xml, /<member><name>VCPUs_utilisation<\/name><value><struct><member><name>0<\/name><value><double>0<\/double><\/value><\/member><\/struct><\/value><\/member>/)
      assert.match(xml, /<member><name>tags<\/name><value><array><data><value>web<\/value><\/data><\/array><\/value><\/member>/)
    })

    it('an existing file is refused: the client creates the file with O_EXCL (§8)', async () => {
      const home = await seededHome(23)
      const vm = await makeVm(home)
      const dir = tmpDir()
      writeFileSync(join(dir, 'taken.xva'), 'mine')
      const r = await xeBin(home, ['vm-export', `uuid=${vm.uuid}`, 'filename=taken.xva'], { cwd: dir })
      assert.deepEqual({ ...r, stdout: r.stdout.toString() }, { stdout: '', stderr: 'Operation failed. Error: Sys_error("taken.xva: File exists")\n', code: 1 })
      assert.equal(readFileSync(join(dir, 'taken.xva'), 'utf8'), 'mine')
      const missing = await xeBin(home, ['vm-export', `uuid=${vm.uuid}`, 'filename=no/such/dir.xva'], { cwd: dir })
      assert.deepEqual({ ...missing, stdout: missing.stdout.toString() }, { stdout: '', stderr: 'Operation failed. Error: Sys_error("no/such/dir.xva: No such file or directory")\n', code: 1 })
      // the VM is not left locked
      assert.equal(await field(home, 'vm', vm.uuid, 'current-operations'), '')
    })

    it('relative names are taken from the working directory, as given', async () => {
      const home = await seededHome(24)
      const vm = await makeVm(home)
      const dir = tmpDir()
      const r = await xeBin(home, ['vm-export', `uuid=${vm.uuid}`, 'filename=./out.xva'], { cwd: dir })
      assert.equal(r.code, 0)
      assert.ok(existsSync(join(dir, 'out.xva')))
    })

    it('filename= (empty) sends the XVA to stdout and prints no Export succeeded; --minimal adds its final newline (§3.5, §8)', async () => {
      const home = await seededHome(25)
      const vm = await makeVm(home, { disks: [4 * MiB] })
      const r = await xeBin(home, ['vm-export', `uuid=${vm.uuid}`, 'filename='])
      assert.equal(r.code, 0)
      assert.equal(r.stderr, '')
      const { entries, trailer } = listTar(r.stdout)
      assert.equal(trailer, 1024)
      assert.deepEqual(entries.map((e) => e.name).slice(0, 1), ['ova.xml'])
      assert.equal(entries.length, 5)
      const m = await xeBin(home, ['vm-export', `uuid=${vm.uuid}`, 'filename=', '--minimal'])
      assert.equal(m.stdout.length, r.stdout.length + 1)
      assert.equal(m.stdout[m.stdout.length - 1], 0x0a)
      const withFile = await xeBin(home, ['vm-export', `uuid=${vm.uuid}`, `filename=${join(tmpDir(), 'x.xva')}`, '--minimal'])
      assert.equal(withFile.stdout.toString(), 'Export succeeded\n\n', 'a direct print, then the minimal printer\'s newline')
    })

    it('--multiple: the second and later VMs go to <filename>2, <filename>3 — which the client only writes if named on the command line (§8)', async () => {
      const home = await seededHome(26)
      await makeVm(home, { name: 'twin', disks: [4 * MiB] })
      await makeVm(home, { name: 'twin', disks: [4 * MiB] })
      await makeVm(home, { name: 'twin', disks: [4 * MiB] })
      const dir = tmpDir()
      const blocked = await xeBin(home, ['vm-export', 'vm=twin', '--multiple', 'filename=t.xva'], { cwd: dir })
      assert.deepEqual({ ...blocked, stdout: blocked.stdout.toString() }, {
        stdout: 'Export succeeded\n',
        stderr: 'File not permitted: Blocked upload/download of the file t.xva2, which was requested by the server. The file name was not present on the command line\n.\n',
        code: 1,
      })
      assert.ok(existsSync(join(dir, 't.xva')) && !existsSync(join(dir, 't.xva2')))
      // any k=v argument naming the file permits it (excluded-device-types is ignored by full exports)
      const dir2 = tmpDir()
      const ok = await xeBin(home, ['vm-export', 'vm=twin', '--multiple', 'filename=t.xva', `excluded-device-types=${dir2}/t.xva2`, 'message-priority=./t.xva3'], { cwd: dir2 })
      assert.deepEqual({ ...ok, stdout: ok.stdout.toString() }, { stdout: 'Export succeeded\nExport succeeded\nExport succeeded\n', stderr: '', code: 0 })
      for (const n of ['t.xva', 't.xva2', 't.xva3']) assert.equal(listTar(readFileSync(join(dir2, n))).entries[0]!.name, 'ova.xml')
      const uuids = new Set(['t.xva', 't.xva2', 't.xva3'].map((n) => str(objects(listTar(readFileSync(join(dir2, n))).entries[0]!.data.toString())[0]!.snap.get('uuid'))))
      assert.equal(uuids.size, 3)
      // several matches without --multiple
      assert.deepEqual(await xe(home, ['vm-export', 'vm=twin', 'filename=x']), { stdout: '', stderr: 'Error: Multiple matches VMs found. --multiple required to complete the operation\n', code: 1 })
    })

    it('--multiple: a VM that cannot be exported is reported on stdout after the others ran (§2.2, §4 Multiple_failure)', async () => {
      const home = await seededHome(33)
      await makeVm(home, { name: 'pair', disks: [4 * MiB] })
      const busy = await makeVm(home, { name: 'pair', disks: [4 * MiB], power: 'Running' })
      await makeVm(home, { name: 'pair', disks: [4 * MiB] })
      const dir = tmpDir()
      const r = await xeBin(home, ['vm-export', 'vm=pair', '--multiple', 'filename=p.xva', 'excluded-device-types=p.xva3'], { cwd: dir })
      assert.deepEqual({ ...r, stdout: r.stdout.toString() }, {
        stdout: 'Export succeeded\nExport succeeded\n'
          + `operation failed on ${busy.uuid}: You attempted an operation on a VM that was not in an appropriate power state at the time; for example, you attempted to start a VM that was already running. The parameters returned are the VM's handle, and the expected and actual VM state at the time of the call.\nvm: ${busy.uuid} (pair)\nexpected: halted, suspended\nactual: running\n`,
        stderr: '', code: 1,
      })
      // the failed VM still used up its number: the third VM went to p.xva3
      assert.deepEqual(['p.xva', 'p.xva2', 'p.xva3'].map((n) => existsSync(join(dir, n))), [true, false, true])
    })

    it('compress=true/gzip gzips the stream, compress=zstd uses zstd, anything else is no compression; imports take either', async () => {
      const home = await seededHome(27)
      const vm = await makeVm(home, { disks: [4 * MiB] })
      const dir = tmpDir()
      for (const c of ['true', 'gzip']) {
        const f = join(dir, `g-${c}.xva`)
        assert.equal((await xeBin(home, ['vm-export', `uuid=${vm.uuid}`, `filename=${f}`, `compress=${c}`])).code, 0)
        const b = readFileSync(f)
        assert.deepEqual([b[0], b[1]], [0x1f, 0x8b])
        assert.equal(listTar(gunzipSync(b)).entries.length, 5)
      }
      const plain = join(dir, 'p.xva')
      await xeBin(home, ['vm-export', `uuid=${vm.uuid}`, `filename=${plain}`, 'compress=GZIP'])
      assert.equal(readFileSync(plain).subarray(0, 7).toString(), 'ova.xml')
      const imported = await xeBin(home, ['vm-import', `filename=${join(dir, 'g-true.xva')}`])
      assert.equal(imported.code, 0)
      assert.match(imported.stdout.toString(), /^[0-9a-f-]{36}\n$/)
      const z = join(dir, 'z.xva')
      const zr = await xeBin(home, ['vm-export', `uuid=${vm.uuid}`, `filename=${z}`, 'compress=zstd'])
      if (zstdAvailable()) {
        assert.equal(zr.code, 0)
        assert.deepEqual([...readFileSync(z).subarray(0, 4)], [0x28, 0xb5, 0x2f, 0xfd])
        assert.equal((await xeBin(home, ['vm-import', `filename=${z}`])).code, 0)
      } else {
        assert.deepEqual({ ...zr, stdout: zr.stdout.toString() }, {
          stdout: '', code: 1, stderr: `${INTERNAL}\nmessage: xesim: zstd compression needs a Node.js with zlib zstd support or the zstd program on PATH\n`,
        })
      }
    })

    it('only halted or suspended VMs are exported (VM_BAD_POWER_STATE, §4); templates are not selected', async () => {
      const home = await seededHome(28)
      const vm = await makeVm(home, { name: 'busy', power: 'Running' })
      const r = await xeBin(home, ['vm-export', 'vm=busy', `filename=${join(tmpDir(), 'x')}`])
      assert.deepEqual({ ...r, stdout: r.stdout.toString() }, {
        stdout: '', code: 1,
        stderr: `You attempted an operation on a VM that was not in an appropriate power state at the time; for example, you attempted to start a VM that was already running. The parameters returned are the VM's handle, and the expected and actual VM state at the time of the call.\nvm: ${vm.uuid} (busy)\nexpected: halted, suspended\nactual: running\n`,
      })
      assert.deepEqual(await xe(home, ['vm-export', 'vm=Debian Bookworm 12', 'filename=x']), { stdout: '', stderr: 'Error: No matching VMs found\n', code: 1 })
      // metadata exports work in any power state and preserve it
      const m = join(tmpDir(), 'm.xva')
      assert.equal((await xeBin(home, ['vm-export', 'vm=busy', `filename=${m}`, 'metadata=true'])).code, 0)
      const objs = objects(listTar(readFileSync(m)).entries[0]!.data.toString())
      assert.equal(str(objs.find((o) => o.cls === 'VM')!.snap.get('power_state')), 'Running')
      assert.ok(objs.some((o) => o.cls === 'host'), 'the host the VM runs on is exported too')
    })

    it('preserve-power-state exports a suspended VM with its suspend image; the import restores it Suspended', async () => {
      const home = await seededHome(29)
      const vm = await makeVm(home, { name: 'sleeper', power: 'Suspended', disks: [4 * MiB] })
      const dir = tmpDir()
      const plain = join(dir, 'plain.xva')
      const kept = join(dir, 'kept.xva')
      await xeBin(home, ['vm-export', 'vm=sleeper', `filename=${plain}`])
      await xeBin(home, ['vm-export', 'vm=sleeper', `filename=${kept}`, 'preserve-power-state=true'])
      const p = listTar(readFileSync(plain)).entries
      const k = listTar(readFileSync(kept)).entries
      assert.equal(str(objects(p[0]!.data.toString()).find((o) => o.cls === 'VM')!.snap.get('power_state')), 'Halted')
      const kvm = objects(k[0]!.data.toString()).find((o) => o.cls === 'VM')!
      assert.equal(str(kvm.snap.get('power_state')), 'Suspended')
      assert.equal(p.length, 5)
      assert.equal(k.length, 9, 'the suspend image is streamed as well')
      const uuid = (await xeBin(home, ['vm-import', `filename=${kept}`])).stdout.toString().trim()
      assert.equal(await field(home, 'vm', uuid, 'power-state'), 'suspended')
      assert.notEqual(await field(home, 'vm', uuid, 'suspend-VDI-uuid'), '<not in database>')
      const halted = (await xeBin(home, ['vm-import', `filename=${plain}`])).stdout.toString().trim()
      assert.equal(await field(home, 'vm', halted, 'power-state'), 'halted')
      void vm
    })

    it('metadata=true writes ova.xml alone; include-snapshots adds the snapshots; excluded-device-types leaves devices out', async () => {
      const home = await seededHome(30)
      const vm = await makeVm(home, { name: 'meta' })
      await withWorld(home, true, ({ db }) => {
        const src = db.getByUuid('VM', vm.uuid)
        db.create('VM', { ...src.f, uuid: db.ids.uuid(), name_label: 'meta snap', is_a_snapshot: true, is_a_template: true, snapshot_of: src.ref, metrics: src.f.metrics })
      })
      const dir = tmpDir()
      const f = (n: string) => join(dir, n)
      assert.equal((await xeBin(home, ['vm-export', 'vm=meta', `filename=${f('m1')}`, 'metadata=true', 'compress=true'])).stdout.toString(), 'Export succeeded\n')
      const m1 = listTar(readFileSync(f('m1')))
      assert.deepEqual(m1.entries.map((e) => e.name), ['ova.xml'], 'metadata exports are never compressed')
      assert.equal(objects(m1.entries[0]!.data.toString()).filter((o) => o.cls === 'VM').length, 1)
      await xeBin(home, ['vm-export', 'vm=meta', `filename=${f('m2')}`, 'metadata=true', 'include-snapshots=true'])
      const vms = objects(listTar(readFileSync(f('m2'))).entries[0]!.data.toString()).filter((o) => o.cls === 'VM')
      assert.deepEqual(vms.map((o) => str(o.snap.get('name_label'))).sort(), ['meta', 'meta snap'])
      const snap = vms.find((o) => str(o.snap.get('name_label')) === 'meta snap')!
      assert.equal(str(snap.snap.get('snapshot_of')), vms.find((o) => o !== snap)!.id)
      await xeBin(home, ['vm-export', 'vm=meta', `filename=${f('m3')}`, 'metadata=true', 'excluded-device-types=VIF'])
      assert.deepEqual(objects(listTar(readFileSync(f('m3'))).entries[0]!.data.toString()).map((o) => o.cls), ['VM', 'VM_metrics', 'VBD', 'VBD', 'VDI', 'SR'])
      const bad = await xeBin(home, ['vm-export', 'vm=meta', `filename=${f('m4')}`, 'metadata=true', 'excluded-device-types=vif,disk'])
      assert.deepEqual({ ...bad, stdout: bad.stdout.toString() }, {
        stdout: '', code: 1, stderr: `${INTERNAL}\nmessage: Failure("Importexport.Devicetype.of_string: Type 'disk' not one of [vif; vbd; vgpu; vtpm]")\n`,
      })
      assert.ok(!existsSync(f('m4')))
    })

    it('template-export / snapshot-export-to-template: the VM must be a template / snapshot (an internal Failure otherwise)', async () => {
      const home = await seededHome(31)
      const vm = await makeVm(home, { name: 'plain' })
      const dir = tmpDir()
      const t = await xe(home, ['template-export', `template-uuid=${vm.uuid}`, `filename=${join(dir, 't')}`])
      assert.deepEqual(t, { stdout: '', code: 1, stderr: `${INTERNAL}\nmessage: Failure: This operation can only be performed on a VM template. ${vm.uuid} is not a VM template.\n` })
      const s = await xe(home, ['snapshot-export-to-template', `snapshot-uuid=${vm.uuid}`, `filename=${join(dir, 's')}`])
      assert.deepEqual(s, { stdout: '', code: 1, stderr: `${INTERNAL}\nmessage: Failure: This operation can only be performed on a VM snapshot. ${vm.uuid} is not a VM snapshot.\n` })
      assert.deepEqual(await xe(home, ['template-export', 'template-uuid=nope', 'filename=x']), { stdout: '', code: 1, stderr: 'The uuid you supplied was invalid.\ntype: VM\nuuid: nope\n' })
      assert.deepEqual(await xe(home, ['template-export', 'filename=x']), { stdout: '', code: 1, stderr: "Required parameter not found: template-uuid\nFor usage run: 'xe help'\n" })
      // a default template exports (no disks); importing it gives back the template of that name (import.ml Default_template)
      const tpl = (await xe(home, ['template-list', 'name-label=Debian Bookworm 12', '--minimal'])).stdout.trim()
      const tf = join(dir, 'tpl.xva')
      assert.equal((await xe(home, ['template-export', `template-uuid=${tpl}`, `filename=${tf}`])).stdout, 'Export succeeded\n')
      assert.deepEqual(listTar(readFileSync(tf)).entries.map((e) => e.name), ['ova.xml'])
      assert.deepEqual(await xe(home, ['vm-import', `filename=${tf}`]), { stdout: `${tpl}\n`, stderr: '', code: 0 })
      // a snapshot exports as a template
      const snapUuid = await withWorld(home, true, ({ db }) => {
        const src = db.getByUuid('VM', vm.uuid)
        return db.create('VM', { ...src.f, uuid: db.ids.uuid(), name_label: 'plain snap', is_a_snapshot: true, is_a_template: true, snapshot_of: src.ref }).f.uuid
      })
      const sf = join(dir, 'snap.xva')
      assert.equal((await xe(home, ['snapshot-export-to-template', `snapshot-uuid=${snapUuid}`, `filename=${sf}`])).stdout, 'Export succeeded\n')
      const sv = objects(listTar(readFileSync(sf)).entries[0]!.data.toString()).find((o) => o.cls === 'VM')!
      assert.equal(sv.snap.get('is_a_snapshot')!.k === 'bool' && (sv.snap.get('is_a_snapshot') as { v: boolean }).v, false)
      const imported = (await xe(home, ['vm-import', `filename=${sf}`])).stdout.trim()
      assert.equal(await field(home, 'template', imported, 'name-label'), 'plain snap')
      assert.equal(await field(home, 'template', imported, 'is-a-snapshot'), 'false')
    })

    it('runs as a task "Export of VM" (description: the VM uuid) visible while it runs; task-cancel stops it: Export cancelled (§15)', async () => {
      const home = await seededHome(32)
      const vm = await makeVm(home, { name: 'slow', disks: [8 * MiB] })
      const f = join(tmpDir(), 'slow.xva')
      let cancelled = false
      let seen: string | undefined
      const prev = setDiskStore(slowStore(async (chunk) => {
        if (chunk !== 2) return
        for (let i = 0; i < 200 && !cancelled; i++) await new Promise((r) => setTimeout(r, 25))
        await new Promise((r) => setTimeout(r, 300))
      }))
      try {
        const running = xeBin(home, ['vm-export', 'vm=slow', `filename=${f}`])
        let task = ''
        for (let i = 0; i < 200 && task === ''; i++) {
          await new Promise((r) => setTimeout(r, 25))
          task = (await xe(home, ['task-list', '--minimal'])).stdout.trim()
        }
        seen = (await xe(home, ['task-list', `uuid=${task}`, 'params=name-label,name-description,status'])).stdout
        assert.equal(await field(home, 'vm', vm.uuid, 'current-operations').then((s) => s.replace(/^.*: /, '')), 'export')
        assert.deepEqual(await xe(home, ['task-cancel', `uuid=${task}`]), { stdout: '', stderr: '', code: 0 })
        cancelled = true
        const r = await running
        assert.deepEqual({ ...r, stdout: r.stdout.toString() }, { stdout: '', stderr: 'Export cancelled\n', code: 1 })
      } finally {
        setDiskStore(prev)
      }
      // §3.2: w = 4 + len("name-description ( RO)")
      assert.equal(seen, `name-label ( RO)          : Export of VM\n    name-description ( RO): ${vm.uuid}\n              status ( RO): pending\n\n\n`)
      assert.equal((await xe(home, ['task-list', '--minimal'])).stdout, '\n')
      assert.equal(await field(home, 'vm', vm.uuid, 'current-operations'), '')
    })
  })

  describe('vm-import', () => {
    it('round trip: an equivalent VM with disks of the same sizes, new uuids and MACs (§8)', async () => {
      const home = await seededHome(40)
      const vm = await makeVm(home, { name: 'orig', disks: [10 * GiB, 20 * MiB], vifs: ['xenbr0', 'xenbr2'] })
      const f = join(tmpDir(), 'orig.xva')
      await xeBin(home, ['vm-export', 'vm=orig', `filename=${f}`])
      const r = await xe(home, ['vm-import', `filename=${f}`])
      assert.equal(r.code, 0)
      assert.equal(r.stderr, '')
      const uuid = r.stdout.trim()
      assert.match(r.stdout, /^[0-9a-f-]{36}\n$/)
      assert.notEqual(uuid, vm.uuid)
      const params = ['name-label', 'name-description', 'power-state', 'memory-static-max', 'memory-dynamic-min', 'VCPUs-max', 'VCPUs-at-startup', 'HVM-boot-policy', 'HVM-boot-params', 'platform', 'tags', 'domain-type', 'actions-after-crash', 'memory-overhead']
      for (const p of params) assert.equal(await field(home, 'vm', uuid, p), await field(home, 'vm', vm.uuid, p), p)
      const disks = async (u: string) => (await xe(home, ['vbd-list', `vm-uuid=${u}`, 'type=Disk', 'params=userdevice,vdi-uuid', '--minimal'])).stdout
      assert.equal((await disks(uuid)).split(',').length, 2)
      const vdiSizes = async (u: string) => {
        const vbds = (await xe(home, ['vbd-list', `vm-uuid=${u}`, 'type=Disk', 'params=vdi-uuid', '--minimal'])).stdout.trim().split(',')
        const out: string[] = []
        for (const v of vbds) out.push(`${await field(home, 'vdi', v, 'name-label')}:${await field(home, 'vdi', v, 'virtual-size')}:${await field(home, 'vdi', v, 'sr-uuid')}`)
        return out.sort()
      }
      assert.deepEqual(await vdiSizes(uuid), await vdiSizes(vm.uuid))
      const cds = (await xe(home, ['vbd-list', `vm-uuid=${uuid}`, 'type=CD', 'params=userdevice,empty,mode'])).stdout
      // §3.2: fields in record order, w = 4 + len("userdevice ( RW)")
      assert.equal(cds, 'empty ( RO)         : true\n    userdevice ( RW): 3\n          mode ( RW): RO\n\n\n')
      const vifs = async (u: string) => (await xe(home, ['vif-list', `vm-uuid=${u}`, 'params=device,network-uuid,MAC'])).stdout
      const a = await vifs(vm.uuid)
      const b = await vifs(uuid)
      assert.equal(b.replace(/MAC \( RO\): .*/g, ''), a.replace(/MAC \( RO\): .*/g, ''))
      assert.notEqual(a, b, 'MACs are generated afresh from a new mac_seed')
      const oc = await field(home, 'vm', uuid, 'other-config')
      assert.match(oc, /^import_task: OpaqueRef:[0-9a-f-]{36}; mac_seed: [0-9a-f-]{36}; base_template_name: Debian Bookworm 12$/)
      assert.notEqual(oc.match(/mac_seed: (\S+);/)![1], (await field(home, 'vm', vm.uuid, 'other-config')).match(/mac_seed: (\S+);/)![1])
      assert.match(await field(home, 'vm', uuid, 'generation-id'), /^\d+:\d+$/)
      assert.equal(await field(home, 'vm', uuid, 'current-operations'), '')
      // the new disk records carry the import task in sm-config
      const vdi = (await xe(home, ['vbd-list', `vm-uuid=${uuid}`, 'userdevice=0', 'params=vdi-uuid', '--minimal'])).stdout.trim()
      assert.match(await field(home, 'vdi', vdi, 'sm-config'), /import_task: OpaqueRef:/)
      assert.equal((await xe(home, ['task-list', '--minimal'])).stdout, '\n')
    })

    it('preserve=true keeps the uuids and MACs; a second restore needs a newer version (VM_TO_IMPORT_IS_NOT_NEWER_VERSION)', async () => {
      const home = await seededHome(41)
      const vm = await makeVm(home, { name: 'keep', disks: [4 * MiB] })
      const f = join(tmpDir(), 'keep.xva')
      await xeBin(home, ['vm-export', 'vm=keep', `filename=${f}`])
      const macs = (await xe(home, ['vif-list', `vm-uuid=${vm.uuid}`, 'params=MAC', '--minimal'])).stdout
      await withWorld(home, true, ({ db }) => {
        const v = db.getByUuid('VM', vm.uuid)
        for (const b of db.referrers('VBD', 'VM', v.ref)) db.destroy(b)
        for (const i of db.referrers('VIF', 'VM', v.ref)) db.destroy(i)
        db.destroy(v)
      })
      assert.deepEqual(await xe(home, ['vm-import', `filename=${f}`, 'preserve=true']), { stdout: `${vm.uuid}\n`, stderr: '', code: 0 })
      assert.equal((await xe(home, ['vif-list', `vm-uuid=${vm.uuid}`, 'params=MAC', '--minimal'])).stdout, macs)
      assert.equal(await field(home, 'vm', vm.uuid, 'other-config').then((s) => s.match(/mac_seed: ([^;]+)/)![1]), await withWorld(home, false, ({ db }) => db.getByUuid('VM', vm.uuid).f.other_config.find(([k]) => k === 'mac_seed')![1]))
      const again = await xe(home, ['vm-import', `filename=${f}`, 'preserve=true'])
      assert.deepEqual(again, {
        stdout: '', code: 1,
        stderr: `The VM cannot be imported unforced because it is either the same version or an older version of an existing VM.\nvm: ${vm.uuid} (keep)\nexisting_version: 1\nversion_to_import: 0\n`,
      })
      // the VM it would replace must be halted (import.ml: the generated, capitalised power state names)
      await withWorld(home, true, ({ db }) => db.set(db.getByUuid('VM', vm.uuid), { power_state: 'Running' }))
      assert.deepEqual(await xe(home, ['vm-import', `filename=${f}`, 'preserve=true']), {
        stdout: '', code: 1,
        stderr: `You attempted an operation on a VM that was not in an appropriate power state at the time; for example, you attempted to start a VM that was already running. The parameters returned are the VM's handle, and the expected and actual VM state at the time of the call.\nvm: ${vm.uuid} (keep)\nexpected: Halted\nactual: Running\n`,
      })
      await withWorld(home, true, ({ db }) => db.set(db.getByUuid('VM', vm.uuid), { power_state: 'Halted' }))
      // a VM with the same mac_seed but another identity is a duplicate
      const g = join(tmpDir(), 'other.xva')
      const other = await makeVm(home, { name: 'other', disks: [4 * MiB] })
      await xeBin(home, ['vm-export', 'vm=other', `filename=${g}`])
      const seed = await withWorld(home, true, ({ db }) => {
        const o = db.getByUuid('VM', other.uuid)
        const s = o.f.other_config.find(([k]) => k === 'mac_seed')![1]
        db.set(o, { uuid: db.ids.uuid() })
        return s
      })
      assert.deepEqual(await xe(home, ['vm-import', `filename=${g}`, 'preserve=true']), { stdout: '', code: 1, stderr: `This MAC seed is already in use by a VM in the pool\nseed: ${seed}\n` })
    })

    it('imports a XenServer 8 export: networks matched by name or created, ISO CDs ejected, disks on the default SR (import.ml)', async () => {
      const home = await seededHome(42)
      const r = await xe(home, ['vm-import', `filename=${FIXTURE}`])
      assert.equal(r.stderr, '')
      assert.equal(r.code, 0)
      const uuid = r.stdout.trim()
      assert.notEqual(uuid, 'e3b3a6f0-5c1d-4f3e-9a57-2f0c8d1b7a41')
      const get = (p: string) => field(home, 'vm', uuid, p)
      assert.equal(await get('name-label'), 'debian12-web')
      assert.equal(await get('name-description'), 'Web front end (Debian 12)')
      assert.equal(await get('power-state'), 'halted')
      assert.equal(await get('memory-static-max'), '2147483648')
      assert.equal(await get('tags'), 'web, prod')
      assert.equal(await get('HVM-boot-params'), 'order: cdn; firmware: bios')
      assert.equal(await get('affinity'), '<not in database>', 'the exporting host is not here')
      assert.equal(await get('os-version'), 'name: Debian GNU/Linux 12 (bookworm); uname: 6.1.0-25-amd64; distro: debian; major: 12; minor: 7')
      assert.match(await get('other-config'), /^import_task: OpaqueRef:\S+; mac_seed: (?!7f2e9c14)[0-9a-f-]{36}; base_template_name: Debian Bookworm 12; install-methods: cdrom,nfs,http,ftp; linux_template: true$/)
      assert.match(await get('bios-strings'), /^bios-vendor: Xen; .*oem-2: MS_VM_CERT\/SHA1\/bdbeb6e0a816d43fa6d3fe8aaef04c2bad9d3e3d$/)
      // secureboot_certificates_state (xapi 26.14) is not in a 25.33 export: it takes its default
      const disk = (await xe(home, ['vbd-list', `vm-uuid=${uuid}`, 'userdevice=0', 'params=vdi-uuid', '--minimal'])).stdout.trim()
      assert.equal(await field(home, 'vdi', disk, 'name-label'), 'debian12-web root')
      assert.equal(await field(home, 'vdi', disk, 'virtual-size'), String(8 * GiB))
      assert.equal(await field(home, 'vdi', disk, 'sr-name-label'), 'Local storage')
      // the CD's ISO is not on this host: the drive is ejected
      assert.equal((await xe(home, ['vbd-list', `vm-uuid=${uuid}`, 'userdevice=3', 'type=CD', 'params=empty', '--minimal'])).stdout, 'true\n')
      const vifs = (await xe(home, ['vif-list', `vm-uuid=${uuid}`, 'params=device,network-name-label,MTU,MAC'])).stdout
      assert.match(vifs, /device \( RO\)\s+: 0\n\s+MAC \( RO\): (?!a2:5f:1c)[0-9a-f:]{17}\n\s+MTU \( RO\): 1500\n\s+network-name-label \( RO\): Pool-wide network associated with eth0/)
      assert.match(vifs, /MTU \( RO\): 9000\n\s+network-name-label \( RO\): Storage VLAN 200/)
      const net = (await xe(home, ['network-list', 'name-label=Storage VLAN 200', 'params=bridge,MTU,other-config,name-description'])).stdout
      assert.match(net, /name-description \( RW\)\s+: iSCSI and NFS storage traffic\n\s+MTU \( RW\): 9000\n\s+bridge \( RO\): xapi7\n\s+other-config \(MRW\): import_task: OpaqueRef:\S+; automatic: false\n/)
      // preserve=true keeps the VM, VBD and VIF uuids and the MACs
      const kept = await xe(home, ['vm-import', `filename=${FIXTURE}`, 'preserve=true'])
      assert.deepEqual(kept, { stdout: 'e3b3a6f0-5c1d-4f3e-9a57-2f0c8d1b7a41\n', stderr: '', code: 0 })
      assert.equal((await xe(home, ['vif-list', 'vm-uuid=e3b3a6f0-5c1d-4f3e-9a57-2f0c8d1b7a41', 'params=MAC', '--minimal'])).stdout, 'a2:5f:1c:33:07:8e,a2:5f:1c:33:07:8f\n')
      assert.equal(await field(home, 'vbd', '5c3d2e1f-0a9b-4c8d-b7e6-f5a4b3c2d1e0', 'userdevice'), '0')
      assert.equal(await field(home, 'vm', 'e3b3a6f0-5c1d-4f3e-9a57-2f0c8d1b7a41', 'version'), '1')
    })

    it('the fixture\'s ova.xml is the hand-written one; uncompressed, its metadata imports as well (ustar headers from GNU tar)', async () => {
      const tar = gunzipSync(readFileSync(FIXTURE))
      const { entries } = listTar(tar)
      assert.deepEqual(entries.map((e) => e.name), ['ova.xml', 'Ref:1186/00000000', 'Ref:1186/00000000.xxhash', 'Ref:1186/00008191', 'Ref:1186/00008191.xxhash'])
      assert.equal(entries[0]!.data.toString(), readFileSync(join(repoRoot, 'test', 'fixtures', 'xenserver8-debian.ova.xml'), 'utf8').trimEnd())
      const home = await seededHome(43)
      const dir = tmpDir()
      writeFileSync(join(dir, 'plain.xva'), tar)
      assert.match((await xe(home, ['vm-import', `filename=${join(dir, 'plain.xva')}`])).stdout, /^[0-9a-f-]{36}\n$/)
      // metadata only: the disk must already exist — here neither its SR nor its location is known
      assert.deepEqual(await xe(home, ['vm-import', `filename=${join(dir, 'plain.xva')}`, 'metadata=true']), { stdout: '', code: 1, stderr: 'Error code: VDI_CONTENT_ID_MISSING\nError parameters: \n' })
      assert.match((await xe(home, ['vm-import', `filename=${join(dir, 'plain.xva')}`, 'metadata=true', 'force=true'])).stdout, /^[0-9a-f-]{36}\n$/)
    })

    it('metadata=true links existing disks; dry-run=true creates nothing and prints the placeholder uuid (§8)', async () => {
      const home = await seededHome(44)
      const vm = await makeVm(home, { name: 'meta', disks: [4 * MiB] })
      const f = join(tmpDir(), 'meta.xva')
      await xeBin(home, ['vm-export', 'vm=meta', `filename=${f}`, 'metadata=true'])
      const before = (await xe(home, ['vm-list', '--minimal'])).stdout
      assert.deepEqual(await xe(home, ['vm-import', `filename=${f}`, 'metadata=true', 'dry-run=true']), { stdout: 'xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx\n', stderr: '', code: 0 })
      assert.equal((await xe(home, ['vm-list', '--minimal'])).stdout, before)
      const r = await xe(home, ['vm-import', `filename=${f}`, 'metadata=true'])
      const uuid = r.stdout.trim()
      const vdi = (await xe(home, ['vbd-list', `vm-uuid=${uuid}`, 'userdevice=0', 'params=vdi-uuid', '--minimal'])).stdout.trim()
      assert.equal(vdi, vm.vdis[0], 'the same VDI, found by SR and location')
      assert.deepEqual(await xe(home, ['vm-import', `filename=${f}`, 'dry-run=true']), { stdout: '', stderr: 'Only metadata import function support dry-run\n', code: 1 })
      // a disk that is gone: VDI_LOCATION_MISSING, unless forced
      await withWorld(home, true, ({ db }) => db.set(db.getByUuid('VDI', vm.vdis[0]!), { location: 'elsewhere' }))
      const sr = await withWorld(home, false, ({ db }) => db.get(db.getByUuid('VDI', vm.vdis[0]!).f.SR, 'SR').f.uuid)
      const loc = await withWorld(home, false, () => vm.vdis[0])
      assert.deepEqual(await xe(home, ['vm-import', `filename=${f}`, 'metadata=true']), {
        stdout: '', code: 1, stderr: `This operation cannot be performed because the specified VDI could not be found in the specified SR\nsr: ${sr} (Local storage)\nlocation: ${loc}\n`,
      })
    })

    it('client-side errors: a missing file, a name not on the command line, an empty name', async () => {
      const home = await seededHome(45)
      assert.deepEqual(await xe(home, ['vm-import', 'filename=/nonexistent/vm.xva']), { stdout: '', stderr: "Operation failed. Error: file '/nonexistent/vm.xva' does not exist\n", code: 1 })
      // filename=<dir>/ova.xml: the suffix is stripped, and the client refuses the name it is then sent
      assert.deepEqual(await xe(home, ['vm-import', 'filename=/tmp/export/ova.xml']), {
        stdout: '', code: 1,
        stderr: 'File not permitted: Blocked upload/download of the file /tmp/export/, which was requested by the server. The file name was not present on the command line\n.\n',
      })
      assert.deepEqual(await xe(home, ['vm-import', 'filename=']), { stdout: '', code: 1, stderr: 'Unhandled exception\nInvalid_argument("invalid path: \\"\\"")\n' })
      assert.equal((await xe(home, ['task-list', '--minimal'])).stdout, '\n')
    })

    it('server-side checks of vm-import, in xe\'s order (cli_operations.ml vm_import)', async () => {
      const home = await seededHome(46)
      assert.deepEqual(await xe(home, ['vm-import', 'sr-uuid=nope', 'filename=x']), { stdout: '', code: 1, stderr: 'The uuid you supplied was invalid.\ntype: SR\nuuid: nope\n' })
      assert.deepEqual(await xe(home, ['vm-import', 'filename=x', 'url=http://h/x']), { stdout: '', code: 1, stderr: "Invalid arguments. The 'url' and 'filename' parameters should not both be specified.\n" })
      assert.deepEqual(await xe(home, ['vm-import', 'filename=x', 'type=OVF']), { stdout: '', code: 1, stderr: 'The value given is invalid\nfield: OVF\nvalue: <unknown>\n' })
      assert.deepEqual(await xe(home, ['vm-import']), { stdout: '', code: 1, stderr: `${INTERNAL}\nmessage: INTERNAL_ERROR: [ Not_found ]\n` })
      assert.deepEqual(await xe(home, ['vm-import', 'filename=x', 'preserve=maybe']), { stdout: '', code: 1, stderr: "Error: Failed to parse parameter 'preserve': Expected 'true','t','yes','y','1','false','f','no','n','0' got maybe\n" })
      // other hypervisors' types need the remote host's credentials (List.assoc: Not_found), then a conversion xesim cannot do
      assert.deepEqual(await xe(home, ['vm-import', 'filename=x', 'type=ESXServer']), { stdout: '', code: 1, stderr: `${INTERNAL}\nmessage: INTERNAL_ERROR: [ Not_found ]\n` })
      assert.deepEqual(await xe(home, ['vm-import', 'type=ESXServer', 'host-username=u', 'host-password=p']), {
        stdout: '', code: 1, stderr: 'Error: xesim cannot convert VMs from ESXServer (VM.import_convert needs the remote server)\n',
      })
      assert.deepEqual(await xe(home, ['vm-import', 'url=http://h/x']), { stdout: '', code: 1, stderr: 'Error: xesim cannot import from url= (the server would fetch it over the network); use filename=\n' })
      const iso = (await xe(home, ['sr-list', 'name-label=DVD drives', '--minimal'])).stdout.trim()
      assert.deepEqual(await xe(home, ['vm-import', `filename=${FIXTURE}`, `sr-uuid=${iso}`]), {
        stdout: '', code: 1, stderr: "The SR backend does not support the operation (check the SR's allowed operations)\nsr: <unknown>\n",
      })
      const pool = (await xe(home, ['pool-list', '--minimal'])).stdout.trim()
      await xe(home, ['pool-param-clear', `uuid=${pool}`, 'param-name=default-SR'])
      assert.deepEqual(await xe(home, ['vm-import', `filename=${FIXTURE}`]), { stdout: '', code: 1, stderr: 'Error: No SR specified and Pool default SR is null\n' })
      const local = (await xe(home, ['sr-list', 'name-label=Local storage', '--minimal'])).stdout.trim()
      assert.match((await xe(home, ['vm-import', `filename=${FIXTURE}`, `sr-uuid=${local}`])).stdout, /^[0-9a-f-]{36}\n$/)
    })

    it('streams that are not XVAs: premature end, unexpected first file, bad checksums, a newer exporter; nothing is left behind', async () => {
      const home = await seededHome(47)
      const vm = await makeVm(home, { name: 'src', disks: [4 * MiB] })
      const dir = tmpDir()
      const good = join(dir, 'good.xva')
      await xeBin(home, ['vm-export', 'vm=src', `filename=${good}`])
      const count = async () => (await xe(home, ['vm-list', '--minimal'])).stdout.split(',').length + (await xe(home, ['vdi-list', '--minimal'])).stdout.split(',').length
      const n0 = await count()
      const imp = (name: string, data: Buffer | string, extra: string[] = []) => {
        writeFileSync(join(dir, name), data)
        return xe(home, ['vm-import', `filename=${join(dir, name)}`, ...extra])
      }
      const EOF = { stdout: '', code: 1, stderr: 'The VM could not be imported; the end of the file was reached prematurely.\n' }
      assert.deepEqual(await imp('text.xva', 'hello, world\n'), EOF)
      assert.deepEqual(await imp('empty.xva', ''), EOF)
      assert.deepEqual(await imp('text2.xva', 'hello', ['metadata=true']), { stdout: '', code: 1, stderr: `${INTERNAL}\nmessage: End_of_file\n` })
      // a plain tar whose first file is not ova.xml is retried as gzip, which fails: premature end
      const bytes = readFileSync(good)
      const renamed = Buffer.from(bytes)
      renamed.write('xva.xml', 0, 'latin1')
      fixTarChecksum(renamed, 0)
      assert.deepEqual(await imp('renamed.xva', renamed), EOF)
      assert.deepEqual(await imp('renamed.xva.gz', gzipSync(renamed)), {
        stdout: '', code: 1,
        stderr: 'The VM could not be imported because the XVA file is invalid: an unexpected file was encountered.\nfilename_expected: ova.xml\nfilename_found: xva.xml\n',
      })
      assert.deepEqual(await imp('renamed2.xva', gzipSync(renamed), ['metadata=true']), { stdout: '', code: 1, stderr: `${INTERNAL}\nmessage: Import.IFailure(_)\n` })
      // cut inside the disks: the VM and VDIs it created are removed again
      assert.deepEqual(await imp('cut.xva', bytes.subarray(0, bytes.length - 1024 - 600)), EOF)
      assert.equal(await count(), n0)
      // a corrupt chunk
      const { entries } = listTar(bytes)
      const first = entries.find((e) => e.name.endsWith('/00000000'))!
      const off = bytes.indexOf(Buffer.from(first.name + '\0')) + 512
      const bad = Buffer.from(bytes)
      bad[off + 100] = 1
      const csum = xxh64(bad.subarray(off, off + MiB))
      assert.deepEqual(await imp('bad.xva', bad), {
        stdout: '', code: 1,
        stderr: `The VM could not be imported.\nmsg: INTERNAL_ERROR: [ Stream_vdi.Invalid_checksum("Block ${first.name} checksum failed: original = 87D2A1B6E1163EF1; recomputed = ${csum}") ]\n`,
      })
      assert.equal(await count(), n0)
      assert.match((await imp('bad2.xva', bad, ['force=true'])).stdout, /^[0-9a-f-]{36}\n$/)
      // a metadata export imported as a full one: the disks' chunks are missing, the tar just ends
      const newer = (await xeBin(home, ['vm-export', `uuid=${vm.uuid}`, 'filename=', 'metadata=true'])).stdout
      assert.deepEqual(await imp('meta.xva', newer), { stdout: '', code: 1, stderr: 'The VM could not be imported.\nmsg: INTERNAL_ERROR: [ Tar.Header.End_of_stream ]\n' })
      assert.equal(await count(), n0 + 2, 'only the forced import above remains')
      // an export from a newer xapi
      const xml = listTar(newer).entries[0]!.data.toString().replace('<name>xapi_major</name><value>26</value>', '<name>xapi_major</name><value>27</value>')
      assert.deepEqual(await imp('newer.xva', tarOf([['ova.xml', Buffer.from(xml)]])), {
        stdout: '', code: 1, stderr: 'The import failed because this export has been created by a different (incompatible) product version\n',
      })
      assert.deepEqual(await imp('junkxml.xva', tarOf([['ova.xml', Buffer.from('<value><struct><member><name>version</name></struct></value>')]])), {
        stdout: '', code: 1, stderr: 'The VM could not be imported.\nmsg: INTERNAL_ERROR: [ Xmlrpc.Parse_error("close_tag", "open_tag", _) ]\n',
      })
      void vm
    })

    it('runs as a task "VM import"; task-cancel stops the disk stream and removes what was created (TASK_CANCELLED, §15)', async () => {
      const home = await seededHome(48)
      await makeVm(home, { name: 'big', disks: [4 * MiB] })
      const f = join(tmpDir(), 'big.xva')
      await xeBin(home, ['vm-export', 'vm=big', `filename=${f}`])
      const before = (await xe(home, ['vm-list', '--minimal'])).stdout
      let cancelled = false
      const prev = setDiskStore({
        source: () => ({ read: async () => null, nextData: async () => Infinity }),
        sink: () => ({
          async write() {
            for (let i = 0; i < 200 && !cancelled; i++) await new Promise((r) => setTimeout(r, 25))
            await new Promise((r) => setTimeout(r, 300))
          },
          close: async () => undefined,
        }),
      })
      let seen = ''
      let r
      try {
        const running = xe(home, ['vm-import', `filename=${f}`])
        let task = ''
        for (let i = 0; i < 200 && task === ''; i++) {
          await new Promise((res) => setTimeout(res, 25))
          task = (await xe(home, ['task-list', '--minimal'])).stdout.trim()
        }
        seen = (await xe(home, ['task-list', `uuid=${task}`, 'params=name-label,other-config'])).stdout
        await xe(home, ['task-cancel', `uuid=${task}`])
        cancelled = true
        r = await running
      } finally {
        setDiskStore(prev)
      }
      assert.equal(seen, 'name-label ( RO)      : VM import\n    other-config (MRW): object_creation: complete\n\n\n')
      assert.equal(r.code, 1)
      assert.match(r.stderr, /^The request was asynchronously canceled\.\ntask: OpaqueRef:[0-9a-f-]{36}\n$/)
      assert.equal((await xe(home, ['vm-list', '--minimal'])).stdout, before)
    })
  })
})

/** A store whose source has data everywhere (zeros), calling `hook` before each chunk is read. */
function slowStore(hook: (chunk: number) => Promise<void>): DiskStore {
  return {
    source: () => ({
      read: async (offset) => {
        await hook(offset / MiB)
        return null
      },
      nextData: async (from) => from,
    }),
    sink: () => ({ write: async () => undefined, close: async () => undefined }),
  }
}

function fixTarChecksum(b: Buffer, off: number): void {
  b.fill(0x20, off + 148, off + 156)
  let sum = 0
  for (let i = 0; i < 512; i++) sum += b[off + i]!
  b.write(sum.toString(8).padStart(7, '0') + '\0', off + 148, 'latin1')
}

/** A minimal ustar archive, written independently of xesim's writer. */
function tarOf(files: Array<[string, Buffer]>): Buffer {
  const parts: Buffer[] = []
  for (const [name, data] of files) {
    const h = Buffer.alloc(512)
    h.write(name, 0, 'latin1')
    h.write('0000400\0', 100, 'latin1')
    h.write('0000000\0', 108, 'latin1')
    h.write('0000000\0', 116, 'latin1')
    h.write(data.length.toString(8).padStart(11, '0') + '\0', 124, 'latin1')
    h.write('00000000000\0', 136, 'latin1')
    h.write('0', 156, 'latin1')
    h.write('ustar\0' + '00', 257, 'latin1')
    fixTarChecksum(h, 0)
    parts.push(h, data, Buffer.alloc((512 - (data.length % 512)) % 512))
  }
  parts.push(Buffer.alloc(1024))
  return Buffer.concat(parts)
}

