// VM power verbs: vm-start, vm-shutdown, vm-reboot, vm-suspend, vm-resume, vm-pause, vm-unpause,
// vm-reset-powerstate (xe-cli-behaviour.md §9, §2.2, §4; xapi-model.md §4, §4.3, §5.5, §16) and the guest
// metrics a running VM's agent reports. Every error is checked with its exact text and exit code (§4).
import assert from 'node:assert/strict'
import { cleanupHomes, xe } from '../helpers'
import { GiB, inWorld, installVms, seededWorld } from '../vm-fixtures'
import { linkLocalOfMac } from '../../src/engine/guest-metrics'
import { computeFreeMemory } from '../../src/engine/host'

// §4: API errors print the datamodel description then `name: value` lines; refs as `uuid (name-label)`.
const BAD_POWER =
  "You attempted an operation on a VM that was not in an appropriate power state at the time; for example, you attempted to start a VM that was already running. The parameters returned are the VM's handle, and the expected and actual VM state at the time of the call.\n"
const badPower = (uuid: string, name: string, expected: string, actual: string) => ({
  stdout: '', stderr: `${BAD_POWER}vm: ${uuid} (${name})\nexpected: ${expected}\nactual: ${actual}\n`, code: 1,
})
const ok = { stdout: '', stderr: '', code: 0 }

describe('VM power verbs (xapi-model.md §4)', () => {
  after(cleanupHomes)
  let home: string
  let vm: string
  let host: string
  const get = async (param: string, uuid = vm, key?: string) =>
    (await xe(home, ['vm-param-get', `uuid=${uuid}`, `param-name=${param}`, ...(key ? [`param-key=${key}`] : [])])).stdout.replace(/\n$/, '')

  const setMemory = (v: number) =>
    inWorld(home, (db) => db.set(db.byUuid('VM', vm)!, { memory_static_max: v, memory_dynamic_max: v, memory_dynamic_min: v, memory_target: v }))

  beforeEach(async () => {
    home = await seededWorld(11)
    ;[vm] = await installVms(home, { name: 'web01' })
    host = (await xe(home, ['host-list', '--minimal'])).stdout.trim()
  })

  describe('vm-start (§9, §4.3)', () => {
    it('starts a halted VM and prints nothing; the running VM has a domain, devices, consoles, metrics', async () => {
      assert.deepEqual(await xe(home, ['vm-start', 'vm=web01']), ok)
      assert.equal(await get('power-state'), 'running')
      assert.equal(await get('resident-on'), host)
      assert.equal(await get('dom-id'), '1')
      assert.equal(await get('current-domain-type'), 'hvm')
      assert.equal(await get('hvm'), 'true')
      assert.equal(await get('VCPUs-number'), '1')
      assert.equal(await get('memory-actual'), String(2 * GiB))
      assert.equal(await get('memory-target'), String(2 * GiB))
      assert.match(await get('start-time'), /^20260101T00:00:\d\dZ$/)
      assert.match(await get('last-boot-CPU-flags'), /^vendor: GenuineIntel; features: [0-9a-f-]+$/)
      // Xapi_vm.start: a device model for the HVM guest, secureboot=auto resolved; xenopsd writes back timeoffset
      assert.match(await get('platform'), /^timeoffset: 0; secureboot: false; device-model: qemu-upstream-uefi; /)
      assert.equal(await get('xenstore-data'), 'vm-data: ')
      assert.equal(await get('last-boot-record'), "''")
      // §4.3: every VBD of an HVM guest attached with its Linux name, the VIF attached
      const vbds = await xe(home, ['vbd-list', `vm-uuid=${vm}`, 'params=userdevice,device,currently-attached', '--minimal'])
      assert.equal(vbds.code, 0)
      assert.equal((await xe(home, ['vbd-list', `vm-uuid=${vm}`, 'userdevice=0', 'params=device', '--minimal'])).stdout, 'xvda\n')
      assert.equal((await xe(home, ['vbd-list', `vm-uuid=${vm}`, 'userdevice=3', 'params=device', '--minimal'])).stdout, 'xvdd\n')
      assert.equal((await xe(home, ['vbd-list', `vm-uuid=${vm}`, 'currently-attached=true', '--minimal'])).stdout.split(',').length, 2)
      assert.equal((await xe(home, ['vif-list', `vm-uuid=${vm}`, 'params=currently-attached', '--minimal'])).stdout, 'true\n')
      // one rfb console for an HVM guest, located on the host
      const con = (await xe(home, ['console-list', `vm-uuid=${vm}`, '--minimal'])).stdout.trim()
      assert.deepEqual(await xe(home, ['console-param-get', `uuid=${con}`, 'param-name=location']), { stdout: `https://10.0.0.10/console?uuid=${con}\n`, stderr: '', code: 0 })
      assert.equal((await xe(home, ['console-param-get', `uuid=${con}`, 'param-name=protocol'])).stdout, 'RFB\n')
      // §4.2: a running VM with PV drivers
      assert.equal(
        await get('allowed-operations'),
        'sysprep; metadata_export; changing_VCPUs_live; changing_dynamic_range; migrate_send; pool_migrate; suspend; hard_reboot; hard_shutdown; clean_reboot; clean_shutdown; pause; checkpoint; snapshot',
      )
      // §16: VM_STARTED with xapi's body
      const msg = (await xe(home, ['message-list', `obj-uuid=${vm}`, 'params=name,priority,body'])).stdout
      assert.equal(msg, `name ( RO)        : VM_STARTED\n    priority ( RO): 5\n        body ( RO): VM 'web01' (uuid: ${vm}) started on host: xenserver-01 (uuid: ${host})\n\n\n`)
    })

    it('the guest agent reports at once: OS, PV drivers, an address per VIF (§4.3)', async () => {
      await xe(home, ['vm-start', 'vm=web01'])
      const mac = (await xe(home, ['vif-list', `vm-uuid=${vm}`, 'params=MAC', '--minimal'])).stdout.trim()
      const v6 = linkLocalOfMac(mac)
      assert.equal(await get('networks'), `0/ip: 10.0.0.100; 0/ipv4/0: 10.0.0.100; 0/ipv6/0: ${v6}`)
      assert.equal(await get('networks', vm, '0/ip'), '10.0.0.100')
      assert.equal(await get('os-version'), 'name: Debian GNU/Linux 12 (bookworm); uname: 6.1.0-28-amd64; distro: debian; major: 12; minor: 8')
      assert.equal(await get('PV-drivers-version'), 'major: 8; minor: 4; micro: 0; build: 1')
      assert.equal(await get('PV-drivers-detected'), 'true')
      assert.equal(await get('live'), 'true')
      assert.match(await get('other'), /^platform-feature-xs_reset_watches: 1; platform-feature-multiprocessor-suspend: 1; has-vendor-device: 0; feature-/)
      assert.equal(await get('can-use-hotplug-vbd'), 'unspecified')
      assert.equal(await get('guest-metrics-last-updated'), await get('start-time'))
    })

    it('vm-param-list of the running VM shows its domain, host and guest (§3.2, §3.4)', async () => {
      await xe(home, ['vm-start', 'vm=web01'])
      const r = await xe(home, ['vm-param-list', `uuid=${vm}`])
      assert.equal(r.code, 0)
      const line = (k: string) => new RegExp(`^ *${k.replace(/[()[\]]/g, '\\$&')}: (.*)$`, 'm').exec(r.stdout)?.[1]
      assert.equal(line('power-state ( RO)'), 'running')
      assert.equal(line('dom-id ( RO)'), '1')
      assert.equal(line('resident-on ( RO)'), host)
      assert.equal(line('possible-hosts ( RO)'), host)
      assert.equal(line('start-time ( RO)'), await get('start-time'))
      assert.equal(line('VCPUs-number ( RO)'), '1')
      assert.equal(line('VCPUs-utilisation (MRO)'), '0: 0.000')
      assert.equal(line('memory-target ( RO)'), String(2 * GiB))
      assert.match(line('networks (MRO)')!, /^0\/ip: 10\.0\.0\.100; 0\/ipv4\/0: 10\.0\.0\.100; 0\/ipv6\/0: fe80::/)
      assert.equal(line('os-version (MRO)'), 'name: Debian GNU/Linux 12 (bookworm); uname: 6.1.0-28-amd64; distro: debian; major: 12; minor: 8')
      assert.equal(line('PV-drivers-up-to-date ( RO) [DEPRECATED]'), 'true')
      assert.equal(line('console-uuids (SRO)'), (await xe(home, ['console-list', `vm-uuid=${vm}`, '--minimal'])).stdout.trim())
    })

    it('addresses are free ones of the subnet, never the host\'s, kept across reboot and restart', async () => {
      const [db2] = await installVms(home, { name: 'db02', bridges: ['xenbr0', 'xenbr1'] })
      await xe(home, ['vm-start', 'vm=web01'])
      await xe(home, ['vm-start', 'vm=db02'])
      assert.equal(await get('networks', db2, '0/ip'), '10.0.0.101')
      // eth1 has no configured subnet: a private /24 of its own
      assert.equal(await get('networks', db2, '1/ip'), '10.0.1.100')
      assert.equal(await get('dom-id', db2), '2')
      await xe(home, ['vm-reboot', 'vm=web01'])
      assert.equal(await get('networks', vm, '0/ip'), '10.0.0.100')
      await xe(home, ['vm-shutdown', 'vm=web01'])
      await xe(home, ['vm-start', 'vm=web01'])
      assert.equal(await get('networks', vm, '0/ip'), '10.0.0.100')
      // starting a network's VIF brings its PIF up
      assert.equal((await xe(home, ['pif-list', 'device=eth1', 'params=currently-attached', '--minimal'])).stdout, 'true\n')
    })

    it('a PV guest gets rfb and vt100 consoles; its empty CD drive is not attached', async () => {
      const [pv] = await installVms(home, { name: 'pv01', domain: 'pv' })
      assert.deepEqual(await xe(home, ['vm-start', `uuid=${pv}`]), ok)
      const protos = (await xe(home, ['console-list', `vm-uuid=${pv}`, 'params=protocol', '--minimal'])).stdout
      assert.equal(protos, 'RFB,VT100\n')
      assert.equal((await xe(home, ['vbd-list', `vm-uuid=${pv}`, 'userdevice=3', 'params=currently-attached', '--minimal'])).stdout, 'false\n')
      assert.equal(await get('hvm', pv), 'false')
      assert.equal(await get('current-domain-type', pv), 'pv')
    })

    it('paused=true starts it paused; the guest reports only when unpaused', async () => {
      assert.deepEqual(await xe(home, ['vm-start', 'vm=web01', 'paused=true']), ok)
      assert.equal(await get('power-state'), 'paused')
      assert.equal(await get('networks'), '')
      assert.equal(await get('live'), 'true')
      assert.deepEqual(await xe(home, ['vm-unpause', 'vm=web01']), ok)
      assert.equal(await get('power-state'), 'running')
      assert.equal(await get('networks', vm, '0/ip'), '10.0.0.100')
    })

    it('a running VM: VM_BAD_POWER_STATE with expected "halted" (§4)', async () => {
      await xe(home, ['vm-start', 'vm=web01'])
      assert.deepEqual(await xe(home, ['vm-start', 'vm=web01']), badPower(vm, 'web01', 'halted', 'running'))
    })

    it('on=: the host by name-label or uuid; "Host <x> not found" otherwise (§9)', async () => {
      assert.deepEqual(await xe(home, ['vm-start', 'vm=web01', 'on=nope']), { stdout: '', stderr: 'Error: Host nope not found\n', code: 1 })
      assert.deepEqual(await xe(home, ['vm-start', 'vm=web01', `on=${host}`]), ok)
      assert.equal(await get('resident-on'), host)
    })

    it('on= with too little memory: HOST_NOT_ENOUGH_FREE_MEMORY [needed, available] in bytes (§5.3, §5.4)', async () => {
      await setMemory(100 * GiB)
      // 100 GiB of guest memory plus the overhead: shadow ceil((256 + 2 × 102400) / 256) = 801 MiB, 2 extra, 1 per-vCPU
      const needed = 100 * GiB + 804 * 1024 * 1024
      const r = await xe(home, ['vm-start', 'vm=web01', 'on=xenserver-01'])
      const free = await inWorld(home, (db) => computeFreeMemory(db, db.all('host')[0]!))
      assert.deepEqual(r, { stdout: '', stderr: `Not enough server memory is available to perform this operation.\nneeded: ${needed}\navailable: ${free}\n`, code: 1 })
    })

    it('NO_HOSTS_AVAILABLE: the per-host table on stdout first, then the error (§9)', async () => {
      await setMemory(100 * GiB)
      const table = 'There are no suitable hosts to start this VM on.\nThe following table provides per-host reasons for why the VM could not be started:\n\n'
      assert.deepEqual(await xe(home, ['vm-start', 'vm=web01']), {
        stdout: `${table}xenserver-01    : Cannot start here [Not enough free memory]\n\n\n`,
        stderr: 'There were no servers available to complete the specified operation.\n',
        code: 1,
      })
      // --minimal buffers the table, and an error never flushes the buffer (§3.5)
      assert.deepEqual(await xe(home, ['vm-start', 'vm=web01', '--minimal']), { stdout: '', stderr: 'There were no servers available to complete the specified operation.\n', code: 1 })
      await setMemory(2 * GiB)
      await inWorld(home, (db) => db.set(db.all('host')[0]!, { enabled: false }))
      assert.equal((await xe(home, ['vm-start', 'vm=web01'])).stdout, `${table}xenserver-01    : Cannot start here [Host disabled (use 'xe host-enable' to re-enable)]\n\n\n`)
      // reasons print_assert_exception does not know are printed as OCaml prints the exception
      await inWorld(home, (db) => {
        db.set(db.all('host')[0]!, { enabled: true })
        db.set(db.byUuid('VM', vm)!, { VCPUs_at_startup: 2 })
      })
      assert.equal(
        (await xe(home, ['vm-start', 'vm=web01'])).stdout,
        `${table}xenserver-01    : Cannot start here [Server_error(VALUE_NOT_SUPPORTED, [ VCPUs-at-startup; 2; value greater than VCPUs-max ])]\n\n\n`,
      )
    })

    it('placement (§5.5): the affinity host first; disabled hosts are never chosen; the table lists every host', async () => {
      // a second live host, and a VM with no disks or networks that could run on either
      const h2 = await inWorld(home, (db) => {
        const h1 = db.all('host')[0]!
        const m = db.create('host_metrics', { ...db.get(h1.f.metrics, 'host_metrics').f, uuid: db.ids.uuid() })
        return db.create('host', { ...h1.f, uuid: db.ids.uuid(), name_label: 'xenserver-02', hostname: 'xenserver-02', address: '10.0.0.11', metrics: m.ref }).f.uuid
      })
      const [free] = await installVms(home, { name: 'free', disk: false, cd: false, bridges: [] })
      await xe(home, ['vm-param-set', `uuid=${free}`, `affinity=${h2}`])
      assert.deepEqual(await xe(home, ['vm-start', 'vm=free']), ok)
      assert.equal(await get('resident-on', free), h2)
      await xe(home, ['vm-shutdown', 'vm=free'])
      await inWorld(home, (db) => db.set(db.byUuid('host', h2)!, { enabled: false }))
      assert.deepEqual(await xe(home, ['vm-start', 'vm=free']), ok)
      assert.equal(await get('resident-on', free), host)
      assert.equal((await xe(home, ['console-list', `vm-uuid=${free}`, 'params=location', '--minimal'])).stdout.startsWith('https://10.0.0.10/console?uuid='), true)
      await xe(home, ['vm-shutdown', 'vm=free'])
      await inWorld(home, (db) => db.set(db.all('host')[0]!, { enabled: false }))
      assert.deepEqual(await xe(home, ['vm-start', 'vm=free']), {
        stdout:
          'There are no suitable hosts to start this VM on.\nThe following table provides per-host reasons for why the VM could not be started:\n\n' +
          "xenserver-01    : Cannot start here [Host disabled (use 'xe host-enable' to re-enable)]\n" +
          "    xenserver-02: Cannot start here [Host disabled (use 'xe host-enable' to re-enable)]\n\n\n",
        stderr: 'There were no servers available to complete the specified operation.\n',
        code: 1,
      })
      // start_on a disabled host: assert_can_boot_here's own error
      assert.deepEqual(await xe(home, ['vm-start', 'vm=free', 'on=xenserver-02']), {
        stdout: '', stderr: `The specified server is disabled.\nhost: ${h2} (xenserver-02)\n`, code: 1,
      })
    })

    it('nested-virt needs memory pinned at static-max unless forced; a bad firmware is INVALID_VALUE', async () => {
      await inWorld(home, (db) => {
        const v = db.byUuid('VM', vm)!
        db.set(v, { platform: [['nested-virt', 'true'], ...v.f.platform], memory_static_max: 4 * GiB })
      })
      assert.deepEqual(await xe(home, ['vm-start', 'vm=web01']), {
        stdout: '', stderr: 'The dynamic memory range violates constraint static_min = dynamic_min = dynamic_max = static_max.\nreason: nested virt\n', code: 1,
      })
      assert.deepEqual(await xe(home, ['vm-start', 'vm=web01', '--force']), ok)
      assert.equal(await get('nested-virt'), 'true')
      const [fw] = await installVms(home, { name: 'fw', fields: { HVM_boot_params: [['firmware', 'coreboot']] } })
      assert.deepEqual(await xe(home, ['vm-start', `uuid=${fw}`]), { stdout: '', stderr: "The value given is invalid\nfield: HVM-boot-params['firmware']\nvalue: coreboot\n", code: 1 })
    })

    it('selectors: templates are not started; several VMs need --multiple (§2.2)', async () => {
      assert.deepEqual(await xe(home, ['vm-start', 'vm=Debian Bookworm 12']), { stdout: '', stderr: 'Error: No matching VMs found\n', code: 1 })
      await installVms(home, { name: 'web02' })
      assert.deepEqual(await xe(home, ['vm-start']), { stdout: '', stderr: 'Error: Multiple matches VMs found. --multiple required to complete the operation\n', code: 1 })
      // the control domain is selectable by vm-start: every VM is attempted, the failures reported, the
      // successes kept — each object is its own API call (§2.2)
      const dom0 = (await xe(home, ['vm-list', 'is-control-domain=true', '--minimal'])).stdout.trim()
      assert.deepEqual(await xe(home, ['vm-start', '--multiple']), {
        stdout: `operation failed on ${dom0}: ${BAD_POWER}vm: ${dom0} (Control domain on host: xenserver-01)\nexpected: halted\nactual: running\n`, stderr: '', code: 1,
      })
      assert.equal((await xe(home, ['vm-list', 'power-state=running', 'is-control-domain=false', '--minimal'])).stdout.split(',').length, 2)
      assert.deepEqual(await xe(home, ['vm-start', '--multiple', 'power-state=halted']), { stdout: '', stderr: 'Error: No matching VMs found\n', code: 1 })
      assert.deepEqual(await xe(home, ['vm-start', 'vm=web01', 'colour=red']), { stdout: '', stderr: "Error: Unknown field 'colour'\n", code: 1 })
    })

    it('progress: the finished task\'s bar on stderr, then a blank line (cli_operations.ml waiter)', async () => {
      assert.deepEqual(await xe(home, ['vm-start', 'vm=web01', 'progress=true']), { stdout: '', stderr: `\r 100% | ${'#'.repeat(70)}\n\n\n`, code: 0 })
      const r = await xe(home, ['vm-start', 'vm=web01', 'progress'])
      assert.equal(r.stderr, `\n\n${BAD_POWER}vm: ${vm} (web01)\nexpected: halted\nactual: running\n`)
    })

    it('HA: a VM with restart priority "restart" is protected while running (§4.3)', async () => {
      await inWorld(home, (db) => db.set(db.byUuid('VM', vm)!, { ha_restart_priority: 'restart' }))
      await xe(home, ['vm-start', 'vm=web01'])
      assert.equal(await get('ha-always-run'), 'true')
      await xe(home, ['vm-shutdown', 'vm=web01'])
      assert.equal(await get('ha-always-run'), 'false')
    })
  })

  describe('vm-shutdown (§9, §4.3)', () => {
    it('clean: Halted, devices detached, no domain, consoles gone, guest metrics kept; VM_SHUTDOWN', async () => {
      await xe(home, ['vm-start', 'vm=web01'])
      assert.deepEqual(await xe(home, ['vm-shutdown', 'vm=web01']), ok)
      assert.equal(await get('power-state'), 'halted')
      assert.equal(await get('dom-id'), '-1')
      assert.equal(await get('resident-on'), '<not in database>')
      assert.equal(await get('current-domain-type'), 'unspecified')
      assert.equal(await get('VCPUs-number'), '0')
      assert.equal(await get('memory-target'), '0')
      assert.equal(await get('console-uuids'), '')
      assert.equal(await get('networks', vm, '0/ip'), '10.0.0.100')
      assert.equal((await xe(home, ['vbd-list', `vm-uuid=${vm}`, 'currently-attached=true', '--minimal'])).stdout, '\n')
      assert.equal((await xe(home, ['vif-list', `vm-uuid=${vm}`, 'params=currently-attached', '--minimal'])).stdout, 'false\n')
      assert.equal(
        await get('allowed-operations'),
        'create_vtpm; destroy; metadata_export; export; make_into_template; changing_NVRAM; changing_shadow_memory; changing_static_range; changing_dynamic_range; migrate_send; start_on; start; copy; clone; snapshot',
      )
      const bodies = (await xe(home, ['message-list', `obj-uuid=${vm}`, 'name=VM_SHUTDOWN', 'params=body', '--minimal'])).stdout
      assert.equal(bodies, `VM 'web01' (uuid: ${vm}) shutdown\n`)
    })

    it('the control domain is not selectable (§2.2)', async () => {
      const dom0 = (await xe(home, ['vm-list', 'is-control-domain=true', '--minimal'])).stdout.trim()
      assert.deepEqual(await xe(home, ['vm-shutdown', `uuid=${dom0}`, '--force']), { stdout: '', stderr: 'Error: No matching VMs found\n', code: 1 })
    })

    it('expected states: clean needs running; --force needs paused, suspended or running (§4)', async () => {
      assert.deepEqual(await xe(home, ['vm-shutdown', 'vm=web01']), badPower(vm, 'web01', 'running', 'halted'))
      assert.deepEqual(await xe(home, ['vm-shutdown', 'vm=web01', '--force']), badPower(vm, 'web01', 'paused, suspended, running', 'halted'))
    })

    it('--force: a paused VM halts; a suspended one loses its suspend image ("shutdown forcibly")', async () => {
      await xe(home, ['vm-start', 'vm=web01', 'paused=true'])
      assert.deepEqual(await xe(home, ['vm-shutdown', 'vm=web01', '--force']), ok)
      assert.equal(await get('power-state'), 'halted')
      await xe(home, ['vm-start', 'vm=web01'])
      await xe(home, ['vm-suspend', 'vm=web01'])
      const image = await get('suspend-VDI-uuid')
      assert.deepEqual(await xe(home, ['vm-shutdown', 'vm=web01', '--force']), ok)
      assert.equal(await get('power-state'), 'halted')
      assert.equal(await get('suspend-VDI-uuid'), '<not in database>')
      assert.deepEqual(await xe(home, ['vdi-list', `uuid=${image}`, '--minimal']), { stdout: '\n', stderr: '', code: 0 })
      const bodies = (await xe(home, ['message-list', `obj-uuid=${vm}`, 'name=VM_SHUTDOWN', 'params=body', '--minimal'])).stdout
      assert.equal(bodies, `VM 'web01' (uuid: ${vm}) shutdown forcibly,VM 'web01' (uuid: ${vm}) shutdown forcibly\n`)
    })
  })

  describe('vm-reboot (§9, §4)', () => {
    it('clean: a new domid and start time, the same address; VM_REBOOTED "rebooted cleanly"', async () => {
      await xe(home, ['vm-start', 'vm=web01'])
      const started = await get('start-time')
      assert.deepEqual(await xe(home, ['vm-reboot', 'vm=web01']), ok)
      assert.equal(await get('dom-id'), '2')
      assert.notEqual(await get('start-time'), started)
      assert.equal(await get('networks', vm, '0/ip'), '10.0.0.100')
      assert.equal(await get('guest-metrics-last-updated'), await get('start-time'))
      const body = (await xe(home, ['message-list', `obj-uuid=${vm}`, 'name=VM_REBOOTED', 'params=body', '--minimal'])).stdout
      assert.equal(body, `VM 'web01' (uuid: ${vm}) rebooted cleanly\n`)
    })

    it('--force reboots a paused VM into running ("rebooted forcibly"); expected states otherwise', async () => {
      assert.deepEqual(await xe(home, ['vm-reboot', 'vm=web01']), badPower(vm, 'web01', 'running', 'halted'))
      assert.deepEqual(await xe(home, ['vm-reboot', 'vm=web01', '--force']), badPower(vm, 'web01', 'paused, running', 'halted'))
      await xe(home, ['vm-start', 'vm=web01', 'paused=true'])
      assert.deepEqual(await xe(home, ['vm-reboot', 'vm=web01']), badPower(vm, 'web01', 'running', 'paused'))
      assert.deepEqual(await xe(home, ['vm-reboot', 'vm=web01', '--force']), ok)
      assert.equal(await get('power-state'), 'running')
      const body = (await xe(home, ['message-list', `obj-uuid=${vm}`, 'name=VM_REBOOTED', 'params=body', '--minimal'])).stdout
      assert.equal(body, `VM 'web01' (uuid: ${vm}) rebooted forcibly\n`)
      assert.deepEqual(await xe(home, ['vm-reboot', 'vm=web01', 'progress=1']), { stdout: '', stderr: "Error: Unknown field 'progress'\n", code: 1 })
    })
  })

  describe('vm-pause / vm-unpause', () => {
    it('toggle Running and Paused with VM_PAUSED / VM_UNPAUSED; expected states otherwise', async () => {
      assert.deepEqual(await xe(home, ['vm-pause', 'vm=web01']), badPower(vm, 'web01', 'running', 'halted'))
      assert.deepEqual(await xe(home, ['vm-unpause', 'vm=web01']), badPower(vm, 'web01', 'paused', 'halted'))
      await xe(home, ['vm-start', 'vm=web01'])
      const reported = await get('guest-metrics-last-updated')
      assert.deepEqual(await xe(home, ['vm-pause', 'vm=web01']), ok)
      assert.equal(await get('power-state'), 'paused')
      assert.equal(await get('allowed-operations'), 'metadata_export; hard_reboot; hard_shutdown; unpause; checkpoint; snapshot')
      assert.deepEqual(await xe(home, ['vm-unpause', 'vm=web01']), ok)
      assert.equal(await get('power-state'), 'running')
      // the agent's data did not change: xapi leaves the guest metrics alone
      assert.equal(await get('guest-metrics-last-updated'), reported)
      const names = (await xe(home, ['message-list', `obj-uuid=${vm}`, 'params=name', '--minimal'])).stdout
      assert.equal(names, 'VM_STARTED,VM_PAUSED,VM_UNPAUSED\n')
      const body = (await xe(home, ['message-list', `obj-uuid=${vm}`, 'name=VM_PAUSED', 'params=body', '--minimal'])).stdout
      assert.equal(body, `VM 'web01' (uuid: ${vm}) paused\n`)
    })
  })

  describe('vm-suspend / vm-resume (§4)', () => {
    it('suspend: a "Suspend image" VDI, no domain, devices still attached; resume destroys it', async () => {
      await xe(home, ['vm-start', 'vm=web01'])
      const started = await get('start-time')
      assert.deepEqual(await xe(home, ['vm-suspend', 'vm=web01']), ok)
      assert.equal(await get('power-state'), 'suspended')
      assert.equal(await get('resident-on'), '<not in database>')
      assert.equal(await get('dom-id'), '-1')
      assert.equal(await get('current-domain-type'), 'hvm')
      assert.equal((await xe(home, ['vbd-list', `vm-uuid=${vm}`, 'userdevice=0', 'params=currently-attached', '--minimal'])).stdout, 'true\n')
      assert.match(await get('last-boot-record'), /^'\{"version":2,/)
      const image = await get('suspend-VDI-uuid')
      assert.equal((await xe(home, ['vdi-param-get', `uuid=${image}`, 'param-name=name-label'])).stdout, 'Suspend image\n')
      assert.equal((await xe(home, ['vdi-param-get', `uuid=${image}`, 'param-name=sr-name-label'])).stdout, 'Local storage\n')
      // static_max × 1.2 × 1.05 + 100 MiB, fully allocated (the SR rounds the virtual size up)
      assert.equal((await xe(home, ['vdi-param-get', `uuid=${image}`, 'param-name=sm-config', 'param-key=initial_allocation'])).stdout, `${Math.trunc(2 * GiB * 1.2 * 1.05) + 104857600}\n`)
      assert.equal(await get('allowed-operations'), 'destroy; metadata_export; export; migrate_send; resume_on; resume; hard_shutdown; checkpoint; snapshot')
      assert.deepEqual(await xe(home, ['vm-resume', 'vm=web01']), ok)
      assert.equal(await get('power-state'), 'running')
      assert.equal(await get('start-time'), started)
      assert.equal(await get('suspend-VDI-uuid'), '<not in database>')
      assert.equal((await xe(home, ['vdi-list', `uuid=${image}`, '--minimal'])).stdout, '\n')
      assert.equal(await get('networks', vm, '0/ip'), '10.0.0.100')
      const names = (await xe(home, ['message-list', `obj-uuid=${vm}`, 'params=name', '--minimal'])).stdout
      assert.equal(names, 'VM_STARTED,VM_SUSPENDED,VM_RESUMED\n')
      const body = (await xe(home, ['message-list', `obj-uuid=${vm}`, 'name=VM_RESUMED', 'params=body', '--minimal'])).stdout
      assert.equal(body, `VM 'web01' (uuid: ${vm}) resumed on host: xenserver-01 (uuid: ${host})\n`)
    })

    it('expected states; no suspend SR is VM_NO_SUSPEND_SR; resume on= names a host', async () => {
      assert.deepEqual(await xe(home, ['vm-suspend', 'vm=web01']), badPower(vm, 'web01', 'running', 'halted'))
      assert.deepEqual(await xe(home, ['vm-resume', 'vm=web01']), badPower(vm, 'web01', 'suspended', 'halted'))
      await xe(home, ['vm-start', 'vm=web01'])
      await inWorld(home, (db) => db.set(db.all('host')[0]!, { suspend_image_sr: 'OpaqueRef:NULL' }))
      assert.deepEqual(await xe(home, ['vm-suspend', 'vm=web01']), { stdout: '', stderr: `This VM does not have a suspend SR specified.\nvm: ${vm} (web01)\n`, code: 1 })
      const local = (await xe(home, ['sr-list', 'name-label=Local storage', '--minimal'])).stdout.trim()
      await xe(home, ['vm-param-set', `uuid=${vm}`, `suspend-SR-uuid=${local}`])
      assert.deepEqual(await xe(home, ['vm-suspend', 'vm=web01']), ok)
      assert.deepEqual(await xe(home, ['vm-resume', 'vm=web01', 'on=nope']), { stdout: '', stderr: 'Error: Host nope not found\n', code: 1 })
      assert.deepEqual(await xe(home, ['vm-resume', 'vm=web01', 'on=xenserver-01']), ok)
      assert.equal(await get('power-state'), 'running')
    })
  })

  describe('vm-reset-powerstate (§4, power_state_reset)', () => {
    it('needs --force (no_force_msg, §4)', async () => {
      assert.deepEqual(await xe(home, ['vm-reset-powerstate', 'vm=web01']), {
        stdout: '', stderr: 'Error: This operation is dangerous and may cause data loss. This operation must be forced (use --force).\n', code: 1,
      })
    })

    it('a running domain is DOMAIN_EXISTS; a paused or suspended VM is reset to Halted', async () => {
      await xe(home, ['vm-start', 'vm=web01'])
      assert.deepEqual(await xe(home, ['vm-reset-powerstate', 'vm=web01', '--force']), {
        stdout: '', stderr: `The operation could not be performed because a domain still exists for the specified VM.\nvm: ${vm} (web01)\ndomid: <unknown>\n`, code: 1,
      })
      await xe(home, ['vm-pause', 'vm=web01'])
      assert.deepEqual(await xe(home, ['vm-reset-powerstate', 'vm=web01', '--force']), ok)
      assert.equal(await get('power-state'), 'halted')
      assert.equal(await get('dom-id'), '-1')
      await xe(home, ['vm-start', 'vm=web01'])
      await xe(home, ['vm-suspend', 'vm=web01'])
      const image = await get('suspend-VDI-uuid')
      assert.deepEqual(await xe(home, ['vm-reset-powerstate', 'vm=web01', '--force']), ok)
      assert.equal(await get('power-state'), 'halted')
      // force_state_reset leaves the suspend image alone
      assert.equal(await get('suspend-VDI-uuid'), image)
      assert.deepEqual(await xe(home, ['vm-reset-powerstate', 'vm=web01', '--force']), ok)
    })

    it('a control domain cannot be reset (CANNOT_RESET_CONTROL_DOMAIN)', async () => {
      const { powerStateReset } = await import('../../src/engine/vm-power')
      const { XapiError } = await import('../../src/engine/errors')
      await inWorld(home, (db) => {
        const dom0 = db.all('VM').find((v) => v.f.is_control_domain)!
        assert.throws(() => powerStateReset(db, dom0), (e: unknown) => e instanceof XapiError && e.code === 'CANNOT_RESET_CONTROL_DOMAIN' && e.params[0] === dom0.ref)
      })
    })
  })
})
