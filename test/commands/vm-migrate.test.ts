// Placement and migration (issue 5): vm-migrate within a pool (VM.pool_migrate), host-disable / host-enable,
// host-evacuate and host-get-vms-which-prevent-evacuation, on seeded 3-host inventories (a shared NFS SR) plus a
// guest whose disk is on the coordinator's local SR. Errors are checked byte for byte (xe-cli-behaviour.md §4:
// datamodel description, then `name: value`, refs as `uuid (name)`); behaviour from xe-cli-behaviour.md §9
// (vm-migrate, host-evacuate), xapi-model.md §5.4, §5.6, §13, and xen-api's cli_operations.ml vm_migrate /
// host_evacuate / host_get_vms_which_prevent_evacuation / host_enable, message_forwarding.ml pool_migrate,
// xapi_vm_helpers.ml assert_can_boot_here, xapi_host.ml compute_evacuation_plan_no_wlb / evacuate / disable / enable.
import assert from 'node:assert/strict'
import { resetWorld } from '../../src/engine/state'
import { withWorld } from '../../src/engine/world'
import { addHost } from '../../src/engine/world/pools'
import { computeFreeMemory } from '../../src/engine/host'
import { startMemoryBytes } from '../../src/engine/vm'
import { RefHashtbl } from '../../src/engine/ocaml-hashtbl'
import { cleanupHomes, tmpHome, xe } from '../helpers'
import { GiB, inWorld } from '../vm-fixtures'

const INTERNAL = 'The server failed to handle your request, due to an internal error. The given message may give details useful for debugging the problem.\n'
const BAD_POWER =
  "You attempted an operation on a VM that was not in an appropriate power state at the time; for example, you attempted to start a VM that was already running. The parameters returned are the VM's handle, and the expected and actual VM state at the time of the call.\n"
const REQUIRES_SR = "You attempted to run a VM on a host which doesn't have access to an SR needed by the VM. The VM has at least one VBD attached to a VDI in the SR.\n"
const ok = { stdout: '', stderr: '', code: 0 }
const fail = (stderr: string, stdout = '') => ({ stdout, stderr, code: 1 })

describe('placement and migration (issue 5)', function () {
  this.timeout(60000)
  after(cleanupHomes)
  let home: string
  let hosts: string[] // uuids of xenserver-01..03 (01 is the coordinator)
  const run = (...args: string[]) => xe(home, args)
  const min = async (...args: string[]) => (await run(...args, '--minimal')).stdout.replace(/\n$/, '')
  const vmGet = (uuid: string, p: string) => min('vm-param-get', `uuid=${uuid}`, `param-name=${p}`)
  const hostGet = (uuid: string, p: string) => min('host-param-get', `uuid=${uuid}`, `param-name=${p}`)
  const residentOn = async (host: string) => (await min('vm-list', `resident-on=${host}`, 'is-control-domain=false')).split(',').filter((x) => x)

  /** A running guest with its disk on the coordinator's local SR (pinned to xenserver-01). */
  async function localVm(name = 'pinned'): Promise<string> {
    const sr = await min('sr-list', 'name-label=Local storage', `host=xenserver-01`)
    const r = await run('vm-install', 'template=Debian Bookworm 12', `new-name-label=${name}`, `sr-uuid=${sr}`)
    assert.equal(r.code, 0, r.stderr)
    const uuid = r.stdout.trim()
    assert.deepEqual(await run('vm-start', `uuid=${uuid}`, 'on=xenserver-01'), ok)
    return uuid
  }

  beforeEach(async () => {
    home = tmpHome()
    resetWorld(home, { seed: 5, inventory: { hosts: 3, vms: 4, sharedSr: 'nfs' } })
    hosts = (await min('host-list', 'params=uuid')).split(',')
    assert.equal(hosts.length, 3)
  })

  describe('vm-migrate within the pool (§9 vm-migrate, VM.pool_migrate)', () => {
    it('live-migrates a running VM on shared storage: resident-on, dom-id, consoles, memory, message, allowed ops', async () => {
      const vm = (await min('vm-list', 'is-control-domain=false', 'power-state=running', 'params=uuid')).split(',')[0]!
      const from = await vmGet(vm, 'resident-on')
      const to = hosts.find((h) => h !== from)!
      const domid = await vmGet(vm, 'dom-id')
      const start = await vmGet(vm, 'start-time')
      assert.match(await vmGet(vm, 'allowed-operations'), /\bpool_migrate\b/)
      const freeBefore = await inWorld(home, (db) => computeFreeMemory(db, db.byUuid('host', to)!))
      const need = await inWorld(home, (db) => { const v = db.byUuid('VM', vm)!; return v.f.memory_dynamic_min + v.f.memory_overhead })
      assert.deepEqual(await run('vm-migrate', `uuid=${vm}`, `host-uuid=${to}`, '--live'), ok)
      assert.equal(await vmGet(vm, 'resident-on'), to)
      assert.equal(await vmGet(vm, 'power-state'), 'running')
      assert.notEqual(await vmGet(vm, 'dom-id'), domid)
      assert.equal(await vmGet(vm, 'start-time'), start)
      assert.match(await vmGet(vm, 'allowed-operations'), /\bpool_migrate\b/)
      // memory is now accounted on the destination
      assert.equal(await inWorld(home, (db) => computeFreeMemory(db, db.byUuid('host', to)!)), freeBefore - need)
      // the console is served by the destination host
      const address = await hostGet(to, 'address')
      assert.match(await min('console-list', `vm-uuid=${vm}`, 'params=location'), new RegExp(`^https://${address}/console\\?uuid=`))
      // message_forwarding.ml pool_migrate: VM_MIGRATED with the source and destination
      const [name, fromName, toName] = [await vmGet(vm, 'name-label'), await hostGet(from, 'name-label'), await hostGet(to, 'name-label')]
      const body = await min('message-list', 'name=VM_MIGRATED', 'params=body')
      assert.equal(body, `VM '${name}' (uuid: ${vm}) migrated from host '${fromName}' (uuid: ${from}) to host '${toName}' (uuid: ${to})`)
    })

    it('host=, host-uuid= and host-name= are synonyms; host= takes a name-label or a uuid', async () => {
      const vm = (await min('vm-list', 'is-control-domain=false', 'power-state=running', 'params=uuid')).split(',')[0]!
      for (const [i, p] of ['host=xenserver-02', `host=${hosts[2]}`, 'host-name=xenserver-01', `host-uuid=${hosts[1]}`].entries()) {
        assert.deepEqual(await run('vm-migrate', `uuid=${vm}`, p), ok)
        assert.equal(await vmGet(vm, 'resident-on'), hosts[[1, 2, 0, 1][i]!])
      }
    })

    it('errors: no destination (a Failure), unknown host, a halted VM, a disabled destination', async () => {
      const vm = (await min('vm-list', 'is-control-domain=false', 'power-state=running', 'params=uuid')).split(',')[0]!
      const name = await vmGet(vm, 'name-label')
      // cli_operations.ml vm_migrate: failwith "No destination host specified" (§4: OCaml Failure → INTERNAL_ERROR)
      assert.deepEqual(await run('vm-migrate', `uuid=${vm}`), fail(`${INTERNAL}message: Failure: No destination host specified\n`))
      assert.deepEqual(await run('vm-migrate', `uuid=${vm}`, 'host=nope'), fail('Error: Host nope not found\n'))
      assert.deepEqual(await run('vm-shutdown', `uuid=${vm}`), ok)
      assert.deepEqual(await run('vm-migrate', `uuid=${vm}`, 'host=xenserver-02'), fail(`${BAD_POWER}vm: ${vm} (${name})\nexpected: running\nactual: halted\n`))
      assert.doesNotMatch(await vmGet(vm, 'allowed-operations'), /pool_migrate/)
      assert.deepEqual(await run('vm-start', `uuid=${vm}`, 'on=xenserver-01'), ok)
      assert.deepEqual(await run('host-disable', 'host=xenserver-02'), ok)
      assert.deepEqual(await run('vm-migrate', `uuid=${vm}`, 'host=xenserver-02'), fail(`The specified server is disabled.\nhost: ${hosts[1]} (xenserver-02)\n`))
      assert.equal(await vmGet(vm, 'resident-on'), hosts[0])
    })

    it('a VM whose disk is on a host-local SR is refused with VM_REQUIRES_SR [vm, sr]', async () => {
      const vm = await localVm()
      const sr = await min('sr-list', 'name-label=Local storage', 'host=xenserver-01')
      assert.deepEqual(await run('vm-migrate', `uuid=${vm}`, 'host=xenserver-03'), fail(`${REQUIRES_SR}vm: ${vm} (pinned)\nsr: ${sr} (Local storage)\n`))
      assert.equal(await vmGet(vm, 'resident-on'), hosts[0])
    })

    it('the destination must have room: HOST_NOT_ENOUGH_FREE_MEMORY [needed, available]; same-host migration counts the VM twice', async () => {
      const vm = await localVm()
      // localhost migration is allowed (xapi_vm_migrate.ml) when the host has room for a second copy
      const domid = await vmGet(vm, 'dom-id')
      assert.deepEqual(await run('vm-migrate', `uuid=${vm}`, 'host=xenserver-01'), ok)
      assert.equal(await vmGet(vm, 'resident-on'), hosts[0])
      assert.notEqual(await vmGet(vm, 'dom-id'), domid)
      // a VM as big as what is left on its host cannot be placed there a second time
      const [needed, available] = await inWorld(home, (db) => {
        const v = db.byUuid('VM', vm)!
        const h = db.byUuid('host', hosts[0]!)!
        const m = computeFreeMemory(db, h) + v.f.memory_dynamic_min + v.f.memory_overhead - 1 * GiB
        db.set(v, { memory_static_max: m, memory_dynamic_max: m, memory_dynamic_min: m, memory_target: m })
        return [startMemoryBytes(v), computeFreeMemory(db, h, v.ref)]
      })
      assert.deepEqual(await run('vm-migrate', `uuid=${vm}`, 'host=xenserver-01'),
        fail(`Not enough server memory is available to perform this operation.\nneeded: ${needed}\navailable: ${available}\n`))
    })

    it('storage migration parameters print the first line and need remote-master, -username and -password', async () => {
      const vm = (await min('vm-list', 'is-control-domain=false', 'power-state=running', 'params=uuid')).split(',')[0]!
      const first = "Performing a storage live migration. Your VM's VDIs will be migrated with the VM.\n"
      assert.deepEqual(await run('vm-migrate', `uuid=${vm}`, 'remote-master=10.1.0.10'), fail(
        `${INTERNAL}message: Failure: Storage live migration requires remote-master, remote-username, and remote-password to be specified. Please see 'xe help vm-migrate' for help.\n`, first))
    })
  })

  describe('vm-migrate storage migration (§9 vm-migrate, VM.migrate_send)', () => {
    // another pool in the same world: a standalone host reached at 10.1.0.10 with root / secret (world/pools.ts)
    const R = ['-s', '10.1.0.10', '-pw', 'secret']
    const remote = ['remote-master=10.1.0.10', 'remote-username=root', 'remote-password=secret']
    const FIRST = "Performing a storage live migration. Your VM's VDIs will be migrated with the VM.\n"
    const PLAN = 'Will migrate to remote host: other-01, using remote network: Pool-wide network associated with eth0. Here is the VDI mapping:\n'
    let vm: string
    let vdi: string
    let vif: string
    let net: string
    let sr: string
    beforeEach(async () => {
      await withWorld(home, true, (s) => addHost(s, { nameLabel: 'other-01', address: '10.1.0.10', password: 'secret', profile: 'xenserver-8' }))
      vm = (await min('vm-list', 'is-control-domain=false', 'power-state=running', 'params=uuid')).split(',')[0]!
      vdi = await min('vbd-list', `vm-uuid=${vm}`, 'type=Disk', 'params=vdi-uuid')
      vif = await min('vif-list', `vm-uuid=${vm}`)
      net = await min(...R, 'network-list', 'bridge=xenbr0')
      sr = await min(...R, 'sr-list', 'name-label=Local storage')
    })

    it('moves a running VM to the other pool: the printed plan, its disk copied to the preferred SR, nothing left here', async () => {
      const name = await vmGet(vm, 'name-label')
      const size = await min('vdi-param-get', `uuid=${vdi}`, 'param-name=virtual-size')
      // cli_operations.ml: the first line, the host and network, then one line per VDI (the preferred SR: the
      // destination host's only non-ISO SR, its local storage)
      assert.deepEqual(await run('vm-migrate', `uuid=${vm}`, ...remote, `vif:${vif}=${net}`), { stdout: `${FIRST}${PLAN}VDI ${vdi} -> SR ${sr}\n`, stderr: '', code: 0 })
      assert.equal(await min('vm-list', `uuid=${vm}`), '')
      assert.equal(await min('vdi-list', `uuid=${vdi}`), '')
      const other = await min(...R, 'host-list')
      assert.equal(await min(...R, 'vm-list', `uuid=${vm}`, 'params=name-label'), name)
      assert.equal(await min(...R, 'vm-param-get', `uuid=${vm}`, 'param-name=power-state'), 'running')
      assert.equal(await min(...R, 'vm-param-get', `uuid=${vm}`, 'param-name=resident-on'), other)
      const disk = await min(...R, 'vbd-list', `vm-uuid=${vm}`, 'type=Disk', 'params=vdi-uuid')
      assert.equal(await min(...R, 'vdi-param-get', `uuid=${disk}`, 'param-name=sr-uuid'), sr)
      assert.equal(await min(...R, 'vdi-param-get', `uuid=${disk}`, 'param-name=virtual-size'), size)
      assert.equal(await min(...R, 'vif-list', `vm-uuid=${vm}`, 'params=network-uuid'), net)
      // it runs there like any guest of that pool
      assert.deepEqual(await run(...R, 'vm-shutdown', `uuid=${vm}`), ok)
      assert.deepEqual(await run(...R, 'vm-start', `uuid=${vm}`), ok)
    })

    it('errors: an unmapped VIF (VIF_NOT_IN_MAP), copy of a running VM, a wrong password, an unknown host', async () => {
      const name = await vmGet(vm, 'name-label')
      const plan = `${FIRST}${PLAN}VDI ${vdi} -> SR ${sr}\n`
      assert.deepEqual(await run('vm-migrate', `uuid=${vm}`, ...remote), fail(`This VIF was not mapped to a destination Network in VM.migrate_send operation\nvif: ${vif}\n`, plan))
      // xapi_vm_migrate.ml assert_can_migrate: copy mode only for a halted VM
      assert.deepEqual(await run('vm-migrate', `uuid=${vm}`, ...remote, `vif:${vif}=${net}`, 'copy=true'), fail(`${BAD_POWER}vm: ${vm} (${name})\nexpected: halted\nactual: running\n`, plan))
      assert.deepEqual(await run('vm-migrate', `uuid=${vm}`, 'remote-master=10.1.0.10', 'remote-username=root', 'remote-password=nope'), fail("Authentication failed\nFor usage run: 'xe help'\n", FIRST))
      assert.deepEqual(await run('vm-migrate', `uuid=${vm}`, ...remote, 'host=nope'), fail(`${INTERNAL}message: Failure: Failed to find host: nope\n`, FIRST))
      assert.equal(await vmGet(vm, 'power-state'), 'running')
    })

    it('copy=true copies a halted VM (the new uuid is printed) and leaves the original', async () => {
      assert.deepEqual(await run('vm-shutdown', `uuid=${vm}`), ok)
      const r = await run('vm-migrate', `uuid=${vm}`, ...remote, `vif:${vif}=${net}`, 'copy=true')
      assert.equal(r.code, 0, r.stderr)
      const lines = r.stdout.split('\n')
      assert.deepEqual(lines.slice(0, 3), [FIRST.trim(), PLAN.trim(), `VDI ${vdi} -> SR ${sr}`])
      const copy = lines[3]!
      assert.notEqual(copy, vm)
      assert.equal(await min(...R, 'vm-param-get', `uuid=${copy}`, 'param-name=name-label'), await vmGet(vm, 'name-label'))
      assert.equal(await min(...R, 'vm-param-get', `uuid=${copy}`, 'param-name=power-state'), 'halted')
      assert.equal(await vmGet(vm, 'power-state'), 'halted')
      assert.equal(await min('vdi-list', `uuid=${vdi}`), vdi)
    })

    it('the VM\'s snapshots go with it (disks copied where its own go, snapshot-of links kept), and its messages', async () => {
      const snap = (await run('vm-snapshot', `uuid=${vm}`, 'new-name-label=before-move')).stdout.trim()
      const snapVdi = await min('vbd-list', `vm-uuid=${snap}`, 'type=Disk', 'params=vdi-uuid')
      assert.equal(await min('vdi-param-get', `uuid=${snapVdi}`, 'param-name=snapshot-of'), vdi)
      assert.deepEqual(await run('vm-reboot', `uuid=${vm}`), ok) // a message about the VM (VM_REBOOTED)
      const messages = await min('message-list', `obj-uuid=${vm}`)
      assert.ok(messages.length > 0)
      // the plan lists the VM's own disk only; the snapshot's is resolved by the server (extra_vdi_map)
      assert.deepEqual(await run('vm-migrate', `uuid=${vm}`, ...remote, `vif:${vif}=${net}`), { stdout: `${FIRST}${PLAN}VDI ${vdi} -> SR ${sr}\n`, stderr: '', code: 0 })
      // nothing is left here: the VM, the snapshot, both disks, the messages
      for (const [cls, u] of [['vm', vm], ['snapshot', snap], ['vdi', vdi], ['vdi', snapVdi]] as const) assert.equal(await min(`${cls}-list`, `uuid=${u}`), '', `${cls} ${u}`)
      assert.equal(await min('message-list', `obj-uuid=${vm}`), '')
      // there: the snapshot of the moved VM, its disk a snapshot of the VM's new disk on the same SR, the messages
      assert.equal(await min(...R, 'snapshot-list', `snapshot-of=${vm}`), snap)
      assert.equal(await min(...R, 'vm-param-get', `uuid=${vm}`, 'param-name=snapshots'), snap)
      const disk = await min(...R, 'vbd-list', `vm-uuid=${vm}`, 'type=Disk', 'params=vdi-uuid')
      const snapDisk = await min(...R, 'vbd-list', `vm-uuid=${snap}`, 'type=Disk', 'params=vdi-uuid')
      assert.equal(await min(...R, 'vdi-param-get', `uuid=${snapDisk}`, 'param-name=snapshot-of'), disk)
      assert.equal(await min(...R, 'vdi-param-get', `uuid=${snapDisk}`, 'param-name=is-a-snapshot'), 'true')
      assert.equal(await min(...R, 'vdi-param-get', `uuid=${snapDisk}`, 'param-name=sr-uuid'), sr)
      assert.equal(await min(...R, 'vif-list', `vm-uuid=${snap}`, 'params=network-uuid'), net)
      assert.equal((await min(...R, 'message-list', `obj-uuid=${vm}`)).split(',').length, messages.split(',').length)
      // and the snapshot is usable there
      assert.deepEqual(await run(...R, 'vm-shutdown', `uuid=${vm}`, '--force'), ok)
      assert.deepEqual(await run(...R, 'snapshot-revert', `snapshot-uuid=${snap}`), ok)
    })

    it('a disk with on-boot=reset is refused (VDI_ON_BOOT_MODE_INCOMPATIBLE_WITH_OPERATION)', async () => {
      assert.deepEqual(await run('vm-shutdown', `uuid=${vm}`), ok)
      assert.deepEqual(await run('vdi-param-set', `uuid=${vdi}`, 'on-boot=reset'), ok)
      const r = await run('vm-migrate', `uuid=${vm}`, ...remote, `vif:${vif}=${net}`)
      // xapi_vm_migrate.ml raises it with the VDI although the error declares no parameter: xe prints it as <extra>,
      // a ref shown as `uuid (name)` (xe-cli-behaviour.md §4)
      const disk = await min('vdi-param-get', `uuid=${vdi}`, 'param-name=name-label')
      assert.deepEqual(r, fail(`This operation is not permitted on VDIs in the 'on-boot=reset' mode, or on VMs having such VDIs.\n<extra>: ${vdi} (${disk})\n`, `${FIRST}${PLAN}VDI ${vdi} -> SR ${sr}\n`))
      assert.equal(await min('vm-list', `uuid=${vm}`), vm)
    })

    it('within the pool (remote-master is our coordinator): the disk moves to the mapped SR and the VM to the host', async () => {
      const own = ['remote-master=10.0.0.10', 'remote-username=root', 'remote-password=xenserver']
      const local = await min('sr-list', 'name-label=Local storage', 'host=xenserver-01')
      const r = await run('vm-migrate', `uuid=${vm}`, ...own, `vdi:${vdi}=${local}`, 'host=xenserver-01')
      assert.deepEqual(r, { stdout: `${FIRST}Will migrate to remote host: xenserver-01, using remote network: Pool-wide network associated with eth0. Here is the VDI mapping:\nVDI ${vdi} -> SR ${local}\n`, stderr: '', code: 0 })
      const disk = await min('vbd-list', `vm-uuid=${vm}`, 'type=Disk', 'params=vdi-uuid')
      assert.notEqual(disk, vdi)
      assert.equal(await min('vdi-param-get', `uuid=${disk}`, 'param-name=sr-uuid'), local)
      assert.equal(await min('vdi-list', `uuid=${vdi}`), '')
      assert.equal(await vmGet(vm, 'resident-on'), hosts[0])
      // VIF mapping is refused within a pool
      // (without vdi: the disk is mapped to the preferred SR: the shared NFS SR comes before local storage)
      const [ownNet, nfs] = [await min('network-list', 'bridge=xenbr0'), await min('sr-list', 'name-label=NFS storage')]
      assert.deepEqual(await run('vm-migrate', `uuid=${vm}`, ...own, `vif:${vif}=${ownNet}`, 'host=xenserver-01'), fail(
        'You attempted an operation that was not allowed.\nreason: VIF mapping is not allowed for intra-pool migration -all VIFs must be on the same network\n',
        `${FIRST}Will migrate to remote host: xenserver-01, using remote network: Pool-wide network associated with eth0. Here is the VDI mapping:\nVDI ${disk} -> SR ${nfs}\n`))
    })
  })

  describe('host-disable / host-enable (xapi-model.md §13)', () => {
    it('disable: enabled=false, reboot/shutdown/apply_updates become allowed; enable undoes it and drops other-config:MAINTENANCE_MODE', async () => {
      const h = hosts[2]!
      assert.equal(await hostGet(h, 'allowed-operations'), 'VM.migrate; provision; VM.resume; enable; evacuate; VM.start')
      assert.deepEqual(await run('host-disable', `uuid=${h}`), ok)
      assert.equal(await hostGet(h, 'enabled'), 'false')
      // xapi_host_helpers.ml valid_operations, listed in its Hashtbl order
      assert.equal(await hostGet(h, 'allowed-operations'), 'VM.migrate; provision; VM.resume; apply_updates; enable; reboot; evacuate; VM.start; shutdown')
      assert.deepEqual(await run('host-param-set', `uuid=${h}`, 'other-config:MAINTENANCE_MODE=true', 'other-config:x=1'), ok)
      assert.deepEqual(await run('host-enable', `uuid=${h}`), ok)
      assert.equal(await hostGet(h, 'enabled'), 'true')
      assert.equal(await hostGet(h, 'allowed-operations'), 'VM.migrate; provision; VM.resume; enable; evacuate; VM.start')
      assert.doesNotMatch(await hostGet(h, 'other-config'), /MAINTENANCE_MODE/)
      assert.match(await hostGet(h, 'other-config'), /x: 1/)
      // twice is harmless
      assert.deepEqual(await run('host-enable', `uuid=${h}`), ok)
      assert.deepEqual(await run('host-disable', `uuid=${h}`, 'auto-enable=false'), ok)
      assert.deepEqual(await run('host-disable', `uuid=${h}`), ok)
      assert.deepEqual(await run('host-disable', `uuid=${h}`, 'auto-enable=maybe'), fail("Error: Failed to parse parameter 'auto-enable': Expected 'true','t','yes','y','1','false','f','no','n','0' got maybe\n"))
    })

    it('auto-enable=false keeps the host disabled across a reboot until host-enable (xapi_host_helpers.ml consider_enabling_host)', async () => {
      const h = hosts[2]!
      assert.deepEqual(await run('host-disable', `uuid=${h}`, 'auto-enable=false'), ok)
      assert.deepEqual(await run('host-reboot', `uuid=${h}`), ok)
      assert.equal(await hostGet(h, 'enabled'), 'false')
      assert.deepEqual(await run('host-enable', `uuid=${h}`), ok)
      assert.deepEqual(await run('host-disable', `uuid=${h}`), ok)
      assert.deepEqual(await run('host-reboot', `uuid=${h}`), ok)
      assert.equal(await hostGet(h, 'enabled'), 'true')
    })

    it('a member that is not live cannot be reached: HOST_OFFLINE', async () => {
      await inWorld(home, (db) => db.set(db.get(db.byUuid('host', hosts[1]!)!.f.metrics, 'host_metrics'), { live: false }))
      assert.deepEqual(await run('host-disable', 'host=xenserver-02'),
        fail(`You attempted an operation which involves a host which could not be contacted.\nhost: ${hosts[1]} (xenserver-02)\n`))
    })

    it('vm-start placement skips disabled hosts; with none left the per-host table says why', async () => {
      const vm = (await min('vm-list', 'is-control-domain=false', 'power-state=running', 'params=uuid')).split(',')[0]!
      assert.deepEqual(await run('vm-shutdown', `uuid=${vm}`), ok)
      assert.deepEqual(await run('host-disable', 'host=xenserver-01'), ok)
      assert.deepEqual(await run('host-disable', 'host=xenserver-03'), ok)
      for (let i = 0; i < 4; i++) {
        assert.deepEqual(await run('vm-start', `uuid=${vm}`), ok)
        assert.equal(await vmGet(vm, 'resident-on'), hosts[1])
        assert.deepEqual(await run('vm-shutdown', `uuid=${vm}`), ok)
      }
      assert.deepEqual(await run('host-disable', 'host=xenserver-02'), ok)
      const reason = "Cannot start here [Host disabled (use 'xe host-enable' to re-enable)]"
      assert.deepEqual(await run('vm-start', `uuid=${vm}`), fail('There were no servers available to complete the specified operation.\n', [
        'There are no suitable hosts to start this VM on.',
        'The following table provides per-host reasons for why the VM could not be started:',
        '',
        `xenserver-01    : ${reason}`,
        `    xenserver-02: ${reason}`,
        `    xenserver-03: ${reason}`,
        '', '', ''].join('\n')))
    })
  })

  describe('host-evacuate and host-get-vms-which-prevent-evacuation (xapi_host.ml evacuate)', () => {
    it('moves every guest off the host onto the other enabled hosts by free memory; re-enabled it takes guests again', async () => {
      const before = await residentOn(hosts[0]!)
      assert.ok(before.length > 0)
      assert.deepEqual(await run('host-get-vms-which-prevent-evacuation', `uuid=${hosts[0]}`), ok)
      assert.deepEqual(await run('host-disable', `uuid=${hosts[0]}`), ok)
      assert.deepEqual(await run('host-disable', `uuid=${hosts[2]}`), ok)
      assert.deepEqual(await run('host-evacuate', `uuid=${hosts[0]}`), ok)
      assert.deepEqual(await residentOn(hosts[0]!), [])
      // only xenserver-02 was enabled
      for (const vm of before) assert.equal(await vmGet(vm, 'resident-on'), hosts[1])
      assert.equal(await min('vm-list', `resident-on=${hosts[0]}`, 'is-control-domain=true', 'params=name-label'), 'Control domain on host: xenserver-01')
      assert.deepEqual(await run('host-enable', `uuid=${hosts[0]}`), ok)
      assert.deepEqual(await run('vm-migrate', `uuid=${before[0]}`, `host=xenserver-01`), ok)
      // an empty host evacuates trivially
      assert.deepEqual(await run('host-evacuate', `uuid=${hosts[2]}`), ok)
    })

    it('a guest on local storage blocks the evacuation (nothing moves); the report lists it with its reason', async () => {
      const vm = await localVm()
      const before = await residentOn(hosts[0]!)
      const [vmRef, srRef, sr] = await inWorld(home, (db) => {
        const s = db.all('SR').find((x) => x.f.name_label === 'Local storage' && db.referrers('PBD', 'SR', x.ref)[0]!.f.host === db.byUuid('host', hosts[0]!)!.ref)!
        return [db.byUuid('VM', vm)!.ref, s.ref, s.f.uuid]
      })
      // cli_operations.ml: one table per VM, uuid / name-label / reason (code and params comma-joined, refs raw)
      assert.deepEqual(await run('host-get-vms-which-prevent-evacuation', `uuid=${hosts[0]}`), {
        stdout: `uuid ( RO)          : ${vm}\n    name-label ( RW): pinned\n        reason ( RO): VM_REQUIRES_SR,${vmRef},${srRef}\n\n\n`, stderr: '', code: 0,
      })
      assert.deepEqual(await run('host-get-vms-which-prevent-evacuation', `uuid=${hosts[0]}`, 'params=power-state,reason'), {
        stdout: `power-state ( RO)    : running\n         reason ( RO): VM_REQUIRES_SR,${vmRef},${srRef}\n\n\n`, stderr: '', code: 0,
      })
      assert.deepEqual(await run('host-evacuate', `uuid=${hosts[0]}`), fail(`${REQUIRES_SR}vm: ${vm} (pinned)\nsr: ${sr} (Local storage)\n`))
      assert.deepEqual(await residentOn(hosts[0]!), before)
    })

    it('no other enabled host: NO_HOSTS_AVAILABLE [vm]; a guest that fits nowhere: HOST_NOT_ENOUGH_FREE_MEMORY [vm]', async () => {
      // xapi raises the first error of its plan Hashtbl (keyed by VM ref) in iteration order
      const residents = await residentOn(hosts[0]!)
      assert.ok(residents.length >= 2)
      const order = await inWorld(home, (db) => {
        const t = new RefHashtbl<string>()
        for (const u of residents) t.replace(db.byUuid('VM', u)!.ref, u)
        return t.entries().map(([, u]) => u)
      })
      const first = order[0]!
      assert.deepEqual(await run('host-disable', `uuid=${hosts[1]}`), ok)
      assert.deepEqual(await run('host-disable', `uuid=${hosts[2]}`), ok)
      // the datamodel declares no parameters for NO_HOSTS_AVAILABLE: the VM prints as <extra> (cli_util.ml)
      assert.deepEqual(await run('host-evacuate', `uuid=${hosts[0]}`),
        fail(`There were no servers available to complete the specified operation.\n<extra>: ${first} (${await vmGet(first, 'name-label')})\n`))
      // get_vms_which_prevent_evacuation folds the table: the VMs come out in reverse iteration order
      const report = (await run('host-get-vms-which-prevent-evacuation', `uuid=${hosts[0]}`, 'params=uuid')).stdout
      assert.equal(report, [...order].reverse().map((u) => `uuid ( RO)    : ${u}\n\n\n`).join(''))
      const vm = residents[residents.length - 1]!
      const name = await vmGet(vm, 'name-label')
      assert.deepEqual(await run('host-enable', `uuid=${hosts[1]}`), ok)
      await inWorld(home, (db) => {
        const v = db.byUuid('VM', vm)!
        const m = 2 * computeFreeMemory(db, db.byUuid('host', hosts[1]!)!)
        db.set(v, { memory_static_max: m, memory_dynamic_max: m, memory_dynamic_min: m, memory_target: m })
      })
      assert.deepEqual(await run('host-evacuate', `uuid=${hosts[0]}`),
        fail(`Not enough server memory is available to perform this operation.\nneeded: ${vm} (${name})\navailable: <unknown>\n`))
      assert.equal(await vmGet(vm, 'resident-on'), hosts[0])
    })

    it("a 'none' inventory (guests on the coordinator's local SR): every running guest is pinned there", async () => {
      home = tmpHome()
      resetWorld(home, { seed: 5, inventory: { hosts: 3, vms: 4, sharedSr: 'none' } })
      hosts = (await min('host-list', 'params=uuid')).split(',')
      const running = (await min('vm-list', 'is-control-domain=false', 'power-state=running', 'params=uuid')).split(',').filter((x) => x)
      assert.ok(running.length > 0)
      assert.deepEqual((await residentOn(hosts[0]!)).sort(), [...running].sort())
      const report = (await run('host-get-vms-which-prevent-evacuation', `uuid=${hosts[0]}`, 'params=uuid,reason')).stdout
      assert.equal((report.match(/reason \( RO\): VM_REQUIRES_SR,/g) ?? []).length, running.length)
      assert.equal((await run('host-evacuate', `uuid=${hosts[0]}`)).code, 1)
      assert.equal((await run('vm-migrate', `uuid=${running[0]}`, 'host=xenserver-02')).stderr.split('\n')[0], REQUIRES_SR.trim())
    })

    it('with HA on, a guest HA does not protect blocks the evacuation (HOST_EVACUATE_VM_NOT_HA_PROTECTED [vm])', async () => {
      const nfs = await min('sr-list', 'name-label=NFS storage')
      assert.deepEqual(await run('pool-ha-enable', `heartbeat-sr-uuids=${nfs}`), ok)
      const residents = await residentOn(hosts[0]!)
      const first = await inWorld(home, (db) => {
        const t = new RefHashtbl<string>()
        for (const u of residents) t.replace(db.byUuid('VM', u)!.ref, u)
        return t.entries()[0]![1]
      })
      assert.deepEqual(await run('host-evacuate', `uuid=${hosts[0]}`), fail(
        "The host cannot be evacuated because HA is enabled on the pool and a VM running on it is not HA-protected (its ha_restart_priority is not set to 'restart'). Set the VM's ha_restart_priority to 'restart', shut down or suspend the VM, or disable HA on the pool before evacuating the host.\n" +
        `vm: ${first} (${await vmGet(first, 'name-label')})\n`))
      for (const u of residents) assert.deepEqual(await run('vm-param-set', `uuid=${u}`, 'ha-restart-priority=restart'), ok)
      assert.deepEqual(await run('host-get-vms-which-prevent-evacuation', `uuid=${hosts[0]}`), ok)
      assert.deepEqual(await run('host-evacuate', `uuid=${hosts[0]}`), ok)
      assert.deepEqual(await residentOn(hosts[0]!), [])
    })

    it('host-shutdown evacuates what can move and shuts down what cannot (vm_evacuation.ml ensure_no_vms)', async () => {
      const pinned = await localVm()
      const movable = (await residentOn(hosts[0]!)).filter((u) => u !== pinned)
      assert.ok(movable.length > 0)
      assert.deepEqual(await run('host-disable', `uuid=${hosts[0]}`), ok)
      assert.deepEqual(await run('host-shutdown', `uuid=${hosts[0]}`), ok)
      assert.equal(await vmGet(pinned, 'power-state'), 'halted')
      for (const u of movable) {
        assert.equal(await vmGet(u, 'power-state'), 'running')
        assert.notEqual(await vmGet(u, 'resident-on'), hosts[0])
      }
    })

    it('host-evacuate takes one host only, a known network and a numeric batch-size', async () => {
      assert.deepEqual(await run('host-evacuate'), fail('Error: Multiple matching hosts found. Operation can only be performed on one host at a time\n'))
      assert.deepEqual(await run('host-evacuate', `uuid=${hosts[2]}`, 'batch-size=x'),
        fail(`${INTERNAL}message: INTERNAL_ERROR: [ Scanf.Scan_failure("scanf: bad input at char number 0: character 'x' is not a decimal digit") ]\n`))
      assert.deepEqual(await run('host-evacuate', `uuid=${hosts[2]}`, 'batch-size=2'), ok)
      const net = await min('network-list', 'bridge=xenbr0', 'params=uuid')
      assert.deepEqual(await run('host-evacuate', `uuid=${hosts[2]}`, `network-uuid=${net}`), ok)
      assert.deepEqual(await residentOn(hosts[2]!), [])
    })
  })
})
