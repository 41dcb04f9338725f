// vm-install and vm-create: xe-cli-behaviour.md §9 (template and SR choice, the exact error texts, what is
// printed), §4 (error rendering); xapi-model.md §8 (VM.provision of other-config:disks), §3 (VM.create).
import assert from 'node:assert/strict'
import { mapGet, NULL_REF } from '../../src/engine/values'
import { cleanupHomes, seededHome, xe } from '../helpers'
import { engine, GiB, installDebian, localSr, vmByUuid, vmParam } from '../clone-fixtures'

const DEBIAN = '07d91aaa-43f7-430a-bf84-0edb6714df0f'

const ok = (r: { stdout: string; stderr: string; code: number }) => {
  assert.equal(r.stderr, '')
  assert.equal(r.code, 0)
  return r.stdout.replace(/\n$/, '')
}
const err = (stderr: string) => ({ stdout: '', stderr, code: 1 })
const vmCount = (home: string) => engine(home, (db) => db.all('VM').length)

describe('vm-install (§9 vm-install; xapi-model.md §8)', () => {
  after(cleanupHomes)

  it('installs "Debian Bookworm 12": prints the uuid, provisions a 10 GiB system disk on the default SR', async () => {
    const home = await seededHome()
    const r = await xe(home, ['vm-install', 'template=Debian Bookworm 12', 'new-name-label=web01'])
    const uuid = ok(r)
    assert.equal(r.stdout, `${uuid}\n`)
    assert.equal(await vmParam(home, uuid, 'name-label'), 'web01')
    assert.equal(await vmParam(home, uuid, 'name-description'), 'Installed via xe CLI')
    assert.equal(await vmParam(home, uuid, 'power-state'), 'halted')
    assert.equal(await vmParam(home, uuid, 'is-a-template'), 'false')
    assert.equal(await vmParam(home, uuid, 'suspend-SR-uuid'), '<not in database>')
    assert.match(await vmParam(home, uuid, 'install-time'), /^2026\d{4}T/)
    const other = await vmParam(home, uuid, 'other-config')
    const seed = await vmParam(home, uuid, 'other-config', 'mac_seed')
    const task = await vmParam(home, DEBIAN, 'other-config', 'import_task')
    assert.equal(other, `base_template_name: Debian Bookworm 12; import_task: ${task}; mac_seed: ${seed}; linux_template: true; install-methods: cdrom,nfs,http,ftp`)
    assert.notEqual(seed, await vmParam(home, DEBIAN, 'other-config', 'mac_seed'))
    await engine(home, (db) => {
      const vm = vmByUuid(db, uuid)
      assert.equal(db.referrers('VIF', 'VM', vm.ref).length, 0, 'xe adds no VIFs')
      const [vbd, ...rest] = db.referrers('VBD', 'VM', vm.ref)
      assert.equal(rest.length, 0)
      assert.equal(vbd!.f.userdevice, '0')
      assert.equal(vbd!.f.bootable, true)
      assert.equal(vbd!.f.unpluggable, false)
      assert.equal(vbd!.f.mode, 'RW')
      assert.equal(vbd!.f.type, 'Disk')
      assert.deepEqual(vbd!.f.other_config, [['owner', '']])
      const vdi = db.get(vbd!.f.VDI, 'VDI')
      assert.equal(vdi.f.name_label, '0')
      assert.equal(vdi.f.name_description, 'Created by template provisioner')
      assert.equal(vdi.f.virtual_size, 10 * GiB)
      assert.equal(vdi.f.type, 'system')
      assert.equal(vdi.f.SR, db.all('pool')[0]!.f.default_SR)
      assert.equal(mapGet(vdi.f.sm_config, 'vmhint'), uuid)
      assert.equal(vm.f.allowed_operations.includes('start'), true)
    })
  })

  it('finds the template by template-uuid=, template-name-label=, template-name= or template=<uuid>', async () => {
    const home = await seededHome()
    for (const p of [`template-uuid=${DEBIAN}`, 'template-name-label=Debian Bookworm 12', 'template-name=Debian Bookworm 12', `template=${DEBIAN}`]) {
      const uuid = ok(await xe(home, ['vm-install', p, 'new-name-label=x']))
      assert.equal(await vmParam(home, uuid, 'other-config', 'base_template_name'), 'Debian Bookworm 12')
    }
  })

  it('template errors are xe\'s texts and install nothing (§9)', async () => {
    const home = await seededHome()
    const before = await vmCount(home)
    assert.deepEqual(await xe(home, ['vm-install', 'template-uuid=nope', 'new-name-label=x']), err('Error: Cannot find template\n'))
    assert.deepEqual(await xe(home, ['vm-install', 'template-name-label=nope', 'new-name-label=x']), err('Error: No templates matched\n'))
    assert.deepEqual(await xe(home, ['vm-install', 'template=nope', 'new-name-label=x']), err('Error: No templates matched\n'))
    assert.deepEqual(await xe(home, ['vm-install', 'new-name-label=x']),
      err("Error: Template must be specified by parameter 'template-uuid', 'template-name', 'template-name-label' or 'template'\n"))
    const vm = await installDebian(home, 'plain')
    assert.deepEqual(await xe(home, ['vm-install', `template-uuid=${vm}`, 'new-name-label=x']), err('Error: Can only install from templates\n'))
    ok(await xe(home, ['vm-clone', 'vm=Debian Bookworm 12', 'new-name-label=Debian Bookworm 12']))
    assert.deepEqual(await xe(home, ['vm-install', 'template=Debian Bookworm 12', 'new-name-label=x']), err('Error: More than one matching template found\n'))
    assert.deepEqual(await xe(home, ['vm-install', 'template=Debian Bookworm 12']), {
      stdout: '', stderr: "Required parameter not found: new-name-label\nFor usage run: 'xe help'\n", code: 1,
    })
    assert.equal(await vmCount(home), before + 2)
  })

  it('sr-uuid= / sr-name-label= copy the template to that SR, which also becomes the suspend SR', async () => {
    const home = await seededHome()
    const sr = await engine(home, (db) => localSr(db).f.uuid)
    for (const p of [`sr-uuid=${sr}`, 'sr-name-label=Local storage']) {
      const uuid = ok(await xe(home, ['vm-install', 'template=Debian Bookworm 12', 'new-name-label=x', p]))
      assert.equal(await vmParam(home, uuid, 'suspend-SR-uuid'), sr)
      await engine(home, (db) => {
        const [vbd] = db.referrers('VBD', 'VM', vmByUuid(db, uuid).ref)
        assert.equal(db.get(db.get(vbd!.f.VDI, 'VDI').f.SR, 'SR').f.uuid, sr)
      })
    }
  })

  it('SR errors: unknown uuid or name, disagreeing sr-uuid and sr-name-label, several SRs of that name, an ISO SR', async () => {
    const home = await seededHome()
    const sr = await engine(home, (db) => localSr(db).f.uuid)
    const before = await vmCount(home)
    const base = ['vm-install', 'template=Debian Bookworm 12', 'new-name-label=x']
    assert.deepEqual(await xe(home, [...base, 'sr-uuid=nope']), err('The uuid you supplied was invalid.\ntype: SR\nuuid: nope\n'))
    assert.deepEqual(await xe(home, [...base, 'sr-name-label=nope']), err('Error: No SR with that name-label found\n'))
    assert.deepEqual(await xe(home, [...base, `sr-uuid=${sr}`, 'sr-name-label=DVD drives']),
      err("Error: SR specified via sr-uuid doesn't have the name specified via sr-name-label\n"))
    assert.deepEqual(await xe(home, [...base, 'sr-name-label=DVD drives']),
      err("You attempted an operation that was not allowed.\nreason: Cannot copy a VM's disks to an ISO SR\n"))
    ok(await xe(home, ['sr-param-set', `uuid=${await engine(home, (db) => db.all('SR').find((s) => s.f.name_label === 'DVD drives')!.f.uuid)}`, 'name-label=Local storage']))
    assert.deepEqual(await xe(home, [...base, 'sr-name-label=Local storage']), err('Error: Multiple SRs with that name-label found\n'))
    assert.equal(await vmCount(home), before)
  })

  it('without a default SR: refused for templates with disks, fine for templates without', async () => {
    const home = await seededHome()
    await engine(home, (db) => db.set(db.all('pool')[0]!, { default_SR: NULL_REF }))
    assert.deepEqual(await xe(home, ['vm-install', 'template=Debian Bookworm 12', 'new-name-label=x']),
      err('Error: Failed to find a valid default SR for the Pool. Please provide an sr-name-label or sr-uuid parameter.\n'))
    const uuid = ok(await xe(home, ['vm-install', 'template=Other install media', 'new-name-label=blank']))
    assert.equal(await vmParam(home, uuid, 'VBDs'), '')
    assert.equal(await vmParam(home, uuid, 'other-config', 'install-methods'), 'cdrom')
  })

  it('installing from a snapshot keeps its disks where they are; sr-* are refused (§9)', async () => {
    const home = await seededHome()
    await installDebian(home, 'web01')
    const snap = ok(await xe(home, ['vm-snapshot', 'vm=web01', 'new-name-label=gold']))
    assert.deepEqual(await xe(home, ['vm-install', `template-uuid=${snap}`, 'new-name-label=x', 'sr-name-label=Local storage']),
      err('Error: Do not use the sr-name-label or sr-uuid argument when installing from a snapshot. By default, it will install each new disk on the same SR as the corresponding snapshot disks.\n'))
    const uuid = ok(await xe(home, ['vm-install', `template-uuid=${snap}`, 'new-name-label=from-gold']))
    assert.equal(await vmParam(home, uuid, 'is-a-template'), 'false')
    assert.equal(await vmParam(home, uuid, 'is-a-snapshot'), 'false')
    await engine(home, (db) => {
      const vbds = db.referrers('VBD', 'VM', vmByUuid(db, uuid).ref)
      assert.equal(vbds.length, 1)
      assert.equal(db.get(vbds[0]!.f.VDI, 'VDI').f.SR, localSr(db).ref)
    })
  })

  it('SR_BACKEND_FAILURE_44 when the disks do not fit, a broken provisioning XML is an internal error; nothing is left behind', async () => {
    const home = await seededHome()
    const t = ok(await xe(home, ['vm-clone', 'vm=Debian Bookworm 12', 'new-name-label=big']))
    ok(await xe(home, ['template-param-set', `uuid=${t}`,
      'other-config:disks=<provision><disk device="0" size="1099511627776" sr="" bootable="true" type="system"/></provision>']))
    const before = await engine(home, (db) => [db.all('VM').length, db.all('VDI').length])
    assert.deepEqual(await xe(home, ['vm-install', 'template=big', 'new-name-label=x']), err('Error code: SR_BACKEND_FAILURE_44\nError parameters: , There is insufficient space, \n'))
    ok(await xe(home, ['template-param-set', `uuid=${t}`, 'other-config:disks=<provision><bad/></provision>']))
    assert.deepEqual(await xe(home, ['vm-install', 'template=big', 'new-name-label=x']), err(
      'The server failed to handle your request, due to an internal error. The given message may give details useful for debugging the problem.\nmessage: Xapi_templates.Parse_failure\n'))
    assert.deepEqual(await engine(home, (db) => [db.all('VM').length, db.all('VDI').length]), before)
  })

  it('several disks: type defaults to system, unpluggable unless system, each VDI named after its device', async () => {
    const home = await seededHome()
    const t = ok(await xe(home, ['vm-clone', 'vm=Debian Bookworm 12', 'new-name-label=two-disks']))
    ok(await xe(home, ['template-param-set', `uuid=${t}`,
      'other-config:disks=<provision><disk device="0" size="1073741824" sr="" bootable="false" type="user"/><disk device="1" size="2147483648" sr="" bootable="true"/></provision>']))
    const uuid = ok(await xe(home, ['vm-install', 'template=two-disks', 'new-name-label=x']))
    await engine(home, (db) => {
      const vbds = db.referrers('VBD', 'VM', vmByUuid(db, uuid).ref)
      const summary = vbds.map((b) => {
        const vdi = db.get(b.f.VDI, 'VDI')
        return [b.f.userdevice, b.f.bootable, b.f.unpluggable, vdi.f.name_label, vdi.f.type, vdi.f.virtual_size]
      })
      assert.deepEqual(summary, [['0', false, true, '0', 'user', GiB], ['1', true, false, '1', 'system', 2 * GiB]])
    })
  })

  it('has-vendor-device follows the template recommendation unless the pool forbids it', async () => {
    const home = await seededHome()
    const w = ok(await xe(home, ['vm-install', 'template=Windows 11', 'new-name-label=win']))
    assert.equal(await vmParam(home, w, 'has-vendor-device'), 'true')
    assert.equal(await vmParam(home, w, 'hardware-platform-version'), '2')
    const d = await installDebian(home, 'deb')
    assert.equal(await vmParam(home, d, 'has-vendor-device'), 'false')
    await engine(home, (db) => db.set(db.all('pool')[0]!, { policy_no_vendor_device: true }))
    const w2 = ok(await xe(home, ['vm-install', 'template=Windows 11', 'new-name-label=win2']))
    assert.equal(await vmParam(home, w2, 'has-vendor-device'), 'false')
  })

  it('copy-bios-strings-from=<host> copies the host\'s BIOS strings and pins the VM there; an unknown host is UUID_INVALID', async () => {
    const home = await seededHome()
    const host = await engine(home, (db) => db.all('host')[0]!)
    const uuid = ok(await xe(home, ['vm-install', 'template=Debian Bookworm 12', 'new-name-label=x', `copy-bios-strings-from=${host.f.uuid}`]))
    await engine(home, (db) => {
      const vm = vmByUuid(db, uuid)
      assert.deepEqual(vm.f.bios_strings, host.f.bios_strings)
      assert.equal(vm.f.affinity, host.ref)
    })
    const before = await vmCount(home)
    assert.deepEqual(await xe(home, ['vm-install', 'template=Debian Bookworm 12', 'new-name-label=y', 'copy-bios-strings-from=nope']),
      err('The uuid you supplied was invalid.\ntype: host\nuuid: nope\n'))
    assert.equal(await vmCount(home), before)
  })
})

describe('vm-create (§9 vm-create, hidden; xapi-model.md §3)', () => {
  after(cleanupHomes)

  it('a bare halted PV VM: 256 MiB max, 128 MiB min, 1 vCPU, a mac_seed, metrics, no devices', async () => {
    const home = await seededHome()
    const uuid = ok(await xe(home, ['vm-create', 'name-label=bare', 'name-description=nothing']))
    const expect: Record<string, string> = {
      'name-description': 'nothing', 'power-state': 'halted', 'user-version': '0', 'memory-static-max': '268435456',
      'memory-dynamic-max': '268435456', 'memory-dynamic-min': '134217728', 'memory-static-min': '134217728', 'VCPUs-max': '1',
      'VCPUs-at-startup': '1', 'domain-type': 'pv', 'HVM-boot-policy': '', 'actions-after-crash': 'Destroy',
      'actions-after-shutdown': 'Destroy', 'actions-after-reboot': 'Restart', 'memory-overhead': '5242880', 'VBDs': '',
      'is-a-template': 'false', 'install-time': '19700101T00:00:00Z', 'memory-actual': '0',
    }
    for (const [k, v] of Object.entries(expect)) assert.equal(await vmParam(home, uuid, k), v, k)
    assert.match(await vmParam(home, uuid, 'other-config'), /^mac_seed: [0-9a-f-]{36}$/)
    assert.deepEqual(await xe(home, ['vm-create']), { stdout: '', stderr: "Required parameter not found: name-label\nFor usage run: 'xe help'\n", code: 1 })
  })
})
