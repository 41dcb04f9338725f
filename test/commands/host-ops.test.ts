// Host verbs (issue 5, "Host verbs"): host-shutdown, host-reboot, host-power-on, host-forget, host-declare-dead,
// host-compute-free-memory, host-compute-memory-overhead, host-set-hostname-live, host-call-plugin.
// Error texts are the datamodel descriptions with `name: value` lines (xe-cli-behaviour.md §4, xapi-errors.json);
// the warning lines are cli_operations.ml host_forget / host_declare_dead (§9); the prompt is user_says_yes (§4).
// Semantics: xapi_host.ml (shutdown_and_reboot_common, power_on, destroy, declare_dead, set_hostname_live),
// xapi_host_helpers.ml valid_operations, message_forwarding.ml check_live, xapi_plugins.ml.
import assert from 'node:assert/strict'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { resetWorld } from '../../src/engine/state'
import { computeFreeMemory } from '../../src/engine/host'
import { updateHostAllowedOperations } from '../../src/engine/host-ops'
import type { Db, XObj } from '../../src/engine/db'
import { cleanupHomes, tmpHome, xe } from '../helpers'
import { inWorld } from '../vm-fixtures'

const ok = { stdout: '', stderr: '', code: 0 }
const fail = (stderr: string) => ({ stdout: '', stderr, code: 1 })

// xapi-errors.json descriptions
const HOST_NOT_DISABLED = 'This operation cannot be performed because the host is not disabled. Please disable the host and then try again.\n'
const HOST_IS_LIVE = 'This operation cannot be completed because the server is still live.\n'
const HOST_OFFLINE = 'You attempted an operation which involves a host which could not be contacted.\n'
const POWER_ON_DISABLED = 'This operation cannot be completed because the server power on mode is disabled.\n'
const RESIDENT_VMS = 'This server cannot be forgotten because there are user VMs still running.\n'
const NAME_INVALID = 'The server name is invalid.\n'
const PLUGIN_FAILURE = 'There was a failure communicating with the plug-in.\n'

// cli_operations.ml host_forget / host_declare_dead
const FORGET_WARNINGS =
  'WARNING: A host should only be forgotten if it is physically unrecoverable;\n' +
  "WARNING: if possible, Hosts should be 'ejected' from the Pool instead.\n" +
  'WARNING: Once a host has been forgotten it will have to be re-installed.\n' +
  'WARNING: This operation is irreversible.\n'
const DEAD_WARNINGS =
  'WARNING: A host should only be declared dead if it is verified offline.\n' +
  'WARNING: Performing this operation if the host is still online and has any\n' +
  'WARNING: running VMs may lead to possible data loss and/or corruption.\n'
const PROMPT = "Type 'yes' to continue\n"

// The allowed operations xapi lists (xapi_host_helpers.ml update_allowed_operations; Hashtbl order)
const ENABLED_OPS = 'VM.migrate; provision; VM.resume; enable; evacuate; VM.start'
const DISABLED_OPS = 'VM.migrate; provision; VM.resume; apply_updates; enable; reboot; evacuate; VM.start; shutdown'

interface World {
  home: string
  hosts: Array<{ uuid: string; name: string }>
}

/** A seeded 3-host pool with guests (`xesim init --hosts 3 --vms 6 --seed 5`). */
async function pool(): Promise<World> {
  const home = tmpHome()
  resetWorld(home, { seed: 5, inventory: { hosts: 3, vms: 6, sharedSr: 'nfs' } })
  const hosts = await inWorld(home, (db) => db.all('host').map((h) => ({ uuid: h.f.uuid, name: h.f.name_label })))
  return { home, hosts }
}

const host = (db: Db, uuid: string) => db.byUuid('host', uuid)!
const liveOf = (db: Db, h: XObj<'host'>) => db.get(h.f.metrics, 'host_metrics').f.live
/** What host-disable leaves (another verb): enabled=false and the allowed operations refreshed. */
const disable = (home: string, uuid: string) =>
  inWorld(home, (db) => {
    const h = host(db, uuid)
    db.set(h, { enabled: false })
    updateHostAllowedOperations(db, h)
  })
/** A host that crashed: the coordinator no longer sees it live; its guests are still recorded as running there. */
const crash = (home: string, uuid: string) =>
  inWorld(home, (db) => {
    const h = host(db, uuid)
    db.set(db.get(h.f.metrics, 'host_metrics'), { live: false })
    updateHostAllowedOperations(db, h)
  })
const guestsOn = (db: Db, uuid: string) => db.referrers('VM', 'resident_on', host(db, uuid).ref).filter((v) => !v.f.is_control_domain)
const param = async (home: string, uuid: string, name: string) =>
  (await xe(home, ['host-param-get', `uuid=${uuid}`, `param-name=${name}`])).stdout.replace(/\n$/, '')

describe('host verbs (issue 5)', function () {
  this.timeout(60000)
  after(cleanupHomes)
  let w: World
  let master: { uuid: string; name: string }
  let member: { uuid: string; name: string }
  const ref = (h: { uuid: string; name: string }) => `${h.uuid} (${h.name})`
  beforeEach(async () => {
    w = await pool()
    ;[master, member] = [w.hosts[0]!, w.hosts[1]!]
  })

  describe('host-compute-free-memory / host-compute-memory-overhead', () => {
    it('print Host.compute_free_memory and the memory overhead, in bytes', async () => {
      const [free, overhead] = await inWorld(w.home, (db) => [computeFreeMemory(db, host(db, member.uuid)), host(db, member.uuid).f.memory_overhead])
      assert.deepEqual(await xe(w.home, ['host-compute-free-memory', `uuid=${member.uuid}`]), { ...ok, stdout: `${free}\n` })
      assert.deepEqual(await xe(w.home, ['host-compute-memory-overhead', `host=${member.name}`]), { ...ok, stdout: `${overhead}\n` })
      assert.equal(String(overhead), await param(w.home, member.uuid, 'memory-overhead'))
    })
    it('work on one host only (do_host_op ~multiple:false)', async () => {
      const one = fail('Error: Multiple matching hosts found. Operation can only be performed on one host at a time\n')
      assert.deepEqual(await xe(w.home, ['host-compute-free-memory']), one)
      assert.deepEqual(await xe(w.home, ['host-compute-memory-overhead', '--multiple']), one)
    })
  })

  describe('host-shutdown', () => {
    it('refuses an enabled host (HOST_NOT_DISABLED)', async () => {
      assert.deepEqual(await xe(w.home, ['host-shutdown', `uuid=${member.uuid}`]), fail(HOST_NOT_DISABLED))
      assert.equal(await param(w.home, member.uuid, 'host-metrics-live'), 'true')
    })
    it('powers a disabled member off: guests stopped, PBDs unplugged, the host dead; dom0 left as it was', async () => {
      await disable(w.home, member.uuid)
      const guests = await inWorld(w.home, (db) => guestsOn(db, member.uuid).map((v) => v.f.uuid))
      assert.ok(guests.length > 0)
      assert.deepEqual(await xe(w.home, ['host-shutdown', `uuid=${member.uuid}`]), ok)
      assert.equal(await param(w.home, member.uuid, 'host-metrics-live'), 'false')
      assert.equal(await param(w.home, member.uuid, 'enabled'), 'false')
      // the shutdown task's `shutdown entry stays on the dead host (shutdown_and_reboot_common), masking reboot,
      // apply_updates and the VM-creating operations
      assert.equal(await param(w.home, member.uuid, 'current-operations'), 'shutdown')
      assert.equal(await param(w.home, member.uuid, 'allowed-operations'), 'enable; evacuate; VM.start; shutdown')
      await inWorld(w.home, (db) => {
        for (const g of guests) assert.equal(db.byUuid('VM', g)!.f.power_state, 'Halted')
        assert.ok(db.referrers('PBD', 'host', host(db, member.uuid).ref).every((p) => !p.f.currently_attached))
        const dom0 = db.referrers('VM', 'resident_on', host(db, member.uuid).ref)
        assert.deepEqual(dom0.map((v) => [v.f.is_control_domain, v.f.power_state]), [[true, 'Running']])
      })
      // a member that is down cannot be called (message_forwarding.ml check_live)
      assert.deepEqual(await xe(w.home, ['host-shutdown', `uuid=${member.uuid}`]), fail(`${HOST_OFFLINE}host: ${ref(member)}\n`))
      const reboot = await xe(w.home, ['host-reboot', `uuid=${member.uuid}`])
      const task = await inWorld(w.home, (db) => host(db, member.uuid).f.current_operations[0]![0])
      assert.deepEqual(reboot, fail(`Another operation involving the object is currently in progress\nclass: host\nobject: ${ref(member)}\noperation_type: shutdown\noperation_ref: ${task}\n`))
    })
    it('--multiple: each host on its own; the enabled one fails', async () => {
      await disable(w.home, member.uuid)
      const r = await xe(w.home, ['host-shutdown', '--multiple', `name-label=${member.name}`])
      assert.deepEqual(r, ok)
      const all = await xe(w.home, ['host-shutdown', '--multiple'])
      assert.equal(all.code, 1)
      assert.equal(
        all.stdout,
        `operation failed on ${w.hosts[2]!.uuid}: ${HOST_NOT_DISABLED}` +
          `operation failed on ${member.uuid}: ${HOST_OFFLINE}host: ${ref(member)}\n` +
          `operation failed on ${master.uuid}: ${HOST_NOT_DISABLED}`,
      )
    })
  })

  describe('host-reboot', () => {
    it('refuses an enabled host; a disabled one comes back live and enabled, its guests halted', async () => {
      assert.deepEqual(await xe(w.home, ['host-reboot', `uuid=${member.uuid}`]), fail(HOST_NOT_DISABLED))
      await disable(w.home, member.uuid)
      const guests = await inWorld(w.home, (db) => guestsOn(db, member.uuid).map((v) => v.f.uuid))
      const before = await param(w.home, member.uuid, 'other-config')
      assert.deepEqual(await xe(w.home, ['host-reboot', `uuid=${member.uuid}`]), ok)
      assert.equal(await param(w.home, member.uuid, 'host-metrics-live'), 'true')
      assert.equal(await param(w.home, member.uuid, 'enabled'), 'true')
      assert.equal(await param(w.home, member.uuid, 'allowed-operations'), ENABLED_OPS)
      const after = await param(w.home, member.uuid, 'other-config')
      assert.match(after, /^agent_start_time: \d+\.; boot_time: \d+\.; iscsi_iqn: iqn\./)
      assert.notEqual(after, before)
      await inWorld(w.home, (db) => {
        for (const g of guests) assert.equal(db.byUuid('VM', g)!.f.power_state, 'Halted')
        assert.ok(db.referrers('PBD', 'host', host(db, member.uuid).ref).every((p) => p.f.currently_attached))
      })
    })
    it('the coordinator reboots the same way and is coordinator again', async () => {
      await disable(w.home, master.uuid)
      assert.deepEqual(await xe(w.home, ['host-reboot', `host=${master.name}`]), ok)
      assert.equal(await param(w.home, master.uuid, 'enabled'), 'true')
      assert.equal((await xe(w.home, ['pool-param-get', 'uuid=' + (await xe(w.home, ['pool-list', '--minimal'])).stdout.trim(), 'param-name=master'])).stdout, `${master.uuid}\n`)
    })
  })

  describe('host-power-on', () => {
    it('refuses a live host (HOST_IS_LIVE), a dead one without power-on-mode (HOST_POWER_ON_MODE_DISABLED)', async () => {
      assert.deepEqual(await xe(w.home, ['host-power-on', `uuid=${member.uuid}`]), fail(`${HOST_IS_LIVE}host: ${ref(member)}\n`))
      await disable(w.home, member.uuid)
      assert.deepEqual(await xe(w.home, ['host-shutdown', `uuid=${member.uuid}`]), ok)
      assert.deepEqual(await xe(w.home, ['host-power-on', `uuid=${member.uuid}`]), fail(POWER_ON_DISABLED))
    })
    it('wakes a dead host (wake-on-lan): live and enabled again; IPMI needs its power-on-config', async () => {
      await disable(w.home, member.uuid)
      await xe(w.home, ['host-shutdown', `uuid=${member.uuid}`])
      await inWorld(w.home, (db) => {
        const h = host(db, member.uuid)
        db.set(h, { power_on_mode: 'IPMI' })
        updateHostAllowedOperations(db, h)
      })
      assert.equal(await param(w.home, member.uuid, 'allowed-operations'), 'enable; power_on; evacuate; VM.start; shutdown')
      // power-on.py reads power_on_config["power_on_ip"]: a KeyError inside the plugin (XenAPIPlugin.dispatch)
      assert.deepEqual(await xe(w.home, ['host-power-on', `uuid=${member.uuid}`]), fail(`${PLUGIN_FAILURE}status: main\nstdout: KeyError\nstderr: 'power_on_ip'\n`))
      await inWorld(w.home, (db) => db.set(host(db, member.uuid), { power_on_mode: 'wake-on-lan' }))
      assert.deepEqual(await xe(w.home, ['host-power-on', `uuid=${member.uuid}`]), ok)
      assert.equal(await param(w.home, member.uuid, 'host-metrics-live'), 'true')
      assert.equal(await param(w.home, member.uuid, 'enabled'), 'true')
      assert.equal(await param(w.home, member.uuid, 'allowed-operations'), ENABLED_OPS)
      assert.equal(await param(w.home, member.uuid, 'current-operations'), '')
    })
  })

  describe('host-declare-dead', () => {
    it('refuses a live host and the coordinator (HOST_IS_LIVE)', async () => {
      assert.deepEqual(await xe(w.home, ['host-declare-dead', `uuid=${member.uuid}`, '--force']), fail(`${HOST_IS_LIVE}host: ${ref(member)}\n`))
      await crash(w.home, master.uuid)
      assert.deepEqual(await xe(w.home, ['host-declare-dead', `uuid=${master.uuid}`, '--force']), fail(`${HOST_IS_LIVE}host: ${ref(master)}\n`))
    })
    it('warns and asks; "yes" resets the guests of a crashed host to Halted and disables it', async () => {
      await crash(w.home, member.uuid)
      const guests = await inWorld(w.home, (db) => guestsOn(db, member.uuid).map((v) => v.f.uuid))
      assert.ok(guests.length > 0)
      assert.deepEqual(await xe(w.home, ['host-declare-dead', `uuid=${member.uuid}`], { stdin: ['no'] }), { ...ok, stdout: `${DEAD_WARNINGS}${PROMPT}Aborted (you typed: 'no')\n` })
      assert.equal(await param(w.home, member.uuid, 'enabled'), 'true')
      assert.deepEqual(await xe(w.home, ['host-declare-dead', `uuid=${member.uuid}`], { stdin: ['yes'] }), { ...ok, stdout: `${DEAD_WARNINGS}${PROMPT}` })
      assert.equal(await param(w.home, member.uuid, 'enabled'), 'false')
      assert.equal(await param(w.home, member.uuid, 'allowed-operations'), DISABLED_OPS)
      await inWorld(w.home, (db) => {
        for (const g of guests) assert.deepEqual([db.byUuid('VM', g)!.f.power_state, db.byUuid('VM', g)!.f.resident_on], ['Halted', 'OpaqueRef:NULL'])
      })
    })
  })

  describe('host-forget', () => {
    it('looks the host up first, then warns and asks; end of input loses the connection', async () => {
      assert.deepEqual(await xe(w.home, ['host-forget', 'uuid=nope']), fail('The uuid you supplied was invalid.\ntype: host\nuuid: nope\n'))
      assert.deepEqual(await xe(w.home, ['host-forget', `uuid=${member.uuid}`], { stdin: ['No'] }), { ...ok, stdout: `${FORGET_WARNINGS}${PROMPT}Aborted (you typed: 'No')\n` })
      assert.deepEqual(await xe(w.home, ['host-forget', `uuid=${member.uuid}`]), { stdout: `${FORGET_WARNINGS}${PROMPT}`, stderr: 'Lost connection to the server.\n', code: 1 })
      // answered yes: the host is still live
      assert.deepEqual(await xe(w.home, ['host-forget', `uuid=${member.uuid}`], { stdin: ['yes'] }), { stdout: `${FORGET_WARNINGS}${PROMPT}`, stderr: `${HOST_IS_LIVE}host: ${ref(member)}\n`, code: 1 })
    })
    it('refuses the coordinator and a dead host with guests still recorded there', async () => {
      await crash(w.home, master.uuid)
      assert.deepEqual(await xe(w.home, ['host-forget', `uuid=${master.uuid}`, '--force']), fail(`${HOST_IS_LIVE}host: ${ref(master)}\n`))
      await crash(w.home, member.uuid)
      assert.deepEqual(await xe(w.home, ['host-forget', `uuid=${member.uuid}`, '--force']), fail(`${RESIDENT_VMS}host: ${ref(member)}\n`))
      // CA-23732: not while HA is on (checked before the resident VMs)
      await inWorld(w.home, (db) => db.set(db.all('pool')[0]!, { ha_enabled: true }))
      assert.deepEqual(await xe(w.home, ['host-forget', `uuid=${member.uuid}`, '--force']), fail('The operation could not be performed because HA is enabled on the Pool\n'))
    })
    it('removes a dead host with its dom0, PIFs, PBDs, CPUs and metrics; its local SRs stay', async () => {
      await crash(w.home, member.uuid)
      assert.deepEqual(await xe(w.home, ['host-declare-dead', `uuid=${member.uuid}`, '--force']), ok)
      const refs = await inWorld(w.home, (db) => {
        const h = host(db, member.uuid)
        return { ref: h.ref, metrics: h.f.metrics, srs: db.referrers('PBD', 'host', h.ref).map((p) => p.f.SR) }
      })
      assert.deepEqual(await xe(w.home, ['host-forget', `uuid=${member.uuid}`, '--force']), ok)
      assert.equal((await xe(w.home, ['host-list', '--minimal'])).stdout, `${master.uuid},${w.hosts[2]!.uuid}\n`)
      await inWorld(w.home, (db) => {
        assert.equal(db.tryGet(refs.ref), undefined)
        assert.equal(db.tryGet(refs.metrics), undefined)
        for (const cls of ['PIF', 'PBD', 'host_cpu'] as const) assert.deepEqual(db.referrers(cls, 'host', refs.ref), [])
        assert.equal(db.all('VM').filter((v) => v.f.is_control_domain).length, 2)
        assert.equal(db.all('PIF').length, 8)
        // the shared NFS SR keeps the other hosts' PBDs; the local SRs remain without any
        const left = refs.srs.map((s) => db.get(s, 'SR')).filter((s) => !s.f.shared)
        assert.deepEqual(left.map((s) => [s.f.name_label, db.referrers('PBD', 'SR', s.ref).length]), [['Local storage', 0], ['Removable storage', 0], ['DVD drives', 0]])
      })
    })
  })

  describe('host-set-hostname-live', () => {
    it('validates the name as xapi does (HOST_NAME_INVALID)', async () => {
      const bad = (reason: string) => fail(`${NAME_INVALID}reason: ${reason}\n`)
      const set = (name: string) => xe(w.home, ['host-set-hostname-live', `host-uuid=${member.uuid}`, `host-name=${name}`])
      assert.deepEqual(await set(''), bad('hostname empty'))
      assert.deepEqual(await set('a'.repeat(256)), bad('hostname is too long'))
      // OCaml's String.length counts bytes
      assert.deepEqual(await set('é'.repeat(128)), bad('hostname is too long'))
      assert.deepEqual(await set('é'), bad('hostname contains invalid characters'))
      assert.deepEqual(await set('-edge'), bad('hostname contains invalid characters'))
      assert.deepEqual(await set('edge-'), bad('hostname contains invalid characters'))
      assert.deepEqual(await set('under_score'), bad('hostname contains invalid characters'))
      assert.deepEqual(await xe(w.home, ['host-set-hostname-live', `host-uuid=${member.uuid}`]), fail("Required parameter not found: host-name\nFor usage run: 'xe help'\n"))
    })
    it('sets the hostname and the default-named control domain follows; the name-label stays', async () => {
      assert.deepEqual(await xe(w.home, ['host-set-hostname-live', `host-uuid=${member.uuid}`, 'host-name=rack2-node7.lab']), ok)
      assert.equal(await param(w.home, member.uuid, 'hostname'), 'rack2-node7.lab')
      assert.equal(await param(w.home, member.uuid, 'name-label'), member.name)
      const dom0 = await xe(w.home, ['vm-list', 'is-control-domain=true', `resident-on=${member.uuid}`, 'params=name-label', '--minimal'])
      assert.equal(dom0.stdout, 'Control domain on host: rack2-node7.lab\n')
    })
    it('a host that is down cannot be reached (HOST_OFFLINE)', async () => {
      await crash(w.home, member.uuid)
      assert.deepEqual(await xe(w.home, ['host-set-hostname-live', `host-uuid=${member.uuid}`, 'host-name=x']), fail(`${HOST_OFFLINE}host: ${ref(member)}\n`))
    })
  })

  describe('host-call-plugin', () => {
    const call = (...args: string[]) => xe(w.home, ['host-call-plugin', `host-uuid=${member.uuid}`, ...args])
    it('echo returns its arguments (python3/plugins/echo.py: "args were: %s" % repr(args))', async () => {
      assert.deepEqual(await call('plugin=echo', 'fn=main'), { ...ok, stdout: 'args were: {}\n' })
      assert.deepEqual(await call('plugin=echo', 'fn=main', 'args:a=1', "args:it's=q\"t", 'args:b=x\\y'), { ...ok, stdout: `args were: {'a': '1', "it's": 'q"t', 'b': 'x\\\\y'}\n` })
      assert.deepEqual(await call('plugin=echo', 'fn=main', 'args:sleep=soon'), fail(`${PLUGIN_FAILURE}status: main\nstdout: ValueError\nstderr: invalid literal for int() with base 10: 'soon'\n`))
    })
    it('args:<k>:file= sends a local file; an unreadable one fails in the client', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'xesim-plugin-'))
      const f = join(dir, 'arg.txt')
      writeFileSync(f, 'from a file')
      assert.deepEqual(await call('plugin=echo', 'fn=main', `args:k:file=${f}`), { ...ok, stdout: "args were: {'k': 'from a file'}\n" })
      assert.deepEqual(await call('plugin=echo', 'fn=main', `args:k:file=${f}.missing`), { stdout: '', stderr: `Failed to read file ${f}.missing\n`, code: 1 })
    })
    it('unknown plugins and functions; a host that is down', async () => {
      assert.deepEqual(await call('plugin=nosuch', 'fn=main'), fail('The requested plug-in could not be found.\nname: nosuch\n'))
      // XenAPIPlugin.dispatch's failure: not a datamodel error, so the client's form
      assert.deepEqual(await call('plugin=echo', 'fn=other'), fail('Error code: UNKNOWN_XENAPI_PLUGIN_FUNCTION\nError parameters: other\n'))
      await crash(w.home, member.uuid)
      assert.deepEqual(await call('plugin=echo', 'fn=main'), fail(`${HOST_OFFLINE}host: ${ref(member)}\n`))
    })
  })

  it('an enabled host lists the allowed operations of a fresh host; a live one never power_on', async () => {
    assert.equal(await param(w.home, member.uuid, 'allowed-operations'), ENABLED_OPS)
    assert.equal(await inWorld(w.home, (db) => liveOf(db, host(db, member.uuid))), true)
  })
})
