// Pool verbs (issue 5): pool-designate-new-master, pool-emergency-*, pool-recover-slaves, pool-sync-database,
// pool-dump-database / pool-restore-database, pool-ha-enable / -disable / -compute-*, and the VM / pool HA
// setters. Printed lines are cli_operations.ml's (Records.string_of_float "%.3f" of Constants.fuse_time 10. and
// db_restore_fuse_time 30.); errors are the datamodel descriptions with `name: value` lines
// (xe-cli-behaviour.md §4); downloads never overwrite (§8). Semantics: xapi_pool.ml, xapi_ha.ml,
// xapi_ha_vm_failover.ml, binpack.ml, pool_db_backup.ml (xapi-model.md §14).
import assert from 'node:assert/strict'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { resetWorld } from '../../src/engine/state'
import { withWorld } from '../../src/engine/world'
import { addHost } from '../../src/engine/world/pools'
import { cleanupHomes, tmpHome, xe } from '../helpers'
import { GiB, inWorld, seededWorld } from '../vm-fixtures'

const ok = { stdout: '', stderr: '', code: 0 }
const INTERNAL = 'The server failed to handle your request, due to an internal error. The given message may give details useful for debugging the problem.\n'
const HA_IS_ENABLED = 'The operation could not be performed because HA is enabled on the Pool\n'
const HA_NOT_ENABLED = 'The operation could not be performed because HA is not enabled on the Pool\n'

function inventory(seed = 5, hosts = 3, vms = 6): string {
  const home = tmpHome()
  resetWorld(home, { seed, inventory: { hosts, vms, sharedSr: 'nfs' } })
  return home
}

const one = async (home: string, args: string[]) => {
  const r = await xe(home, args)
  assert.equal(r.code, 0, r.stderr)
  return r.stdout.replace(/\n$/, '')
}
const poolParam = async (home: string, p: string) => one(home, ['pool-param-get', `uuid=${await one(home, ['pool-list', '--minimal'])}`, `param-name=${p}`])
const hostNamed = (home: string, name: string) => one(home, ['host-list', `name-label=${name}`, '--minimal'])
const vmNamed = (home: string, name: string) => one(home, ['vm-list', `name-label=${name}`, '--minimal'])
const nfs = (home: string) => one(home, ['sr-list', 'type=nfs', '--minimal'])

describe('pool verbs (issue 5)', function () {
  this.timeout(60000)
  after(cleanupHomes)

  describe('pool-designate-new-master (xapi_pool.ml designate_new_master)', () => {
    it('moves the coordinator role: pool.master, a POOL_MASTER_TRANSITION message; on the coordinator nothing happens', async () => {
      const home = inventory()
      const [h1, h2] = [await hostNamed(home, 'xenserver-01'), await hostNamed(home, 'xenserver-02')]
      assert.equal(await poolParam(home, 'master'), h1)
      assert.deepEqual(await xe(home, ['pool-designate-new-master', `host-uuid=${h1}`]), ok)
      assert.equal(await poolParam(home, 'master'), h1)
      assert.equal(await one(home, ['message-list', 'name=POOL_MASTER_TRANSITION', '--minimal']), '')
      assert.deepEqual(await xe(home, ['pool-designate-new-master', `host-uuid=${h2}`]), ok)
      assert.equal(await poolParam(home, 'master'), h2)
      assert.equal(await one(home, ['message-list', 'name=POOL_MASTER_TRANSITION', 'params=obj-uuid', '--minimal']), h2)
      assert.equal(await one(home, ['message-list', 'name=POOL_MASTER_TRANSITION', 'params=priority', '--minimal']), '4')
      // the new coordinator answers pool-recover-slaves: the other two, the last one first (PList lines)
      const h3 = await hostNamed(home, 'xenserver-03')
      assert.deepEqual(await xe(home, ['pool-recover-slaves']), { stdout: `${h3}\n${h1}\n`, stderr: '', code: 0 })
    })

    it('HA_IS_ENABLED with HA on; HOST_OFFLINE for a dead host; an unknown uuid is UUID_INVALID', async () => {
      const home = inventory()
      const h2 = await hostNamed(home, 'xenserver-02')
      await inWorld(home, (db) => db.set(db.get(db.byUuid('host', h2)!.f.metrics, 'host_metrics'), { live: false }))
      const r = await xe(home, ['pool-designate-new-master', `host-uuid=${h2}`])
      assert.deepEqual(r, { stdout: '', stderr: `You attempted an operation which involves a host which could not be contacted.\nhost: ${h2} (xenserver-02)\n`, code: 1 })
      await inWorld(home, (db) => db.set(db.get(db.byUuid('host', h2)!.f.metrics, 'host_metrics'), { live: true }))
      assert.deepEqual(await xe(home, ['pool-ha-enable', `heartbeat-sr-uuids=${await nfs(home)}`]), ok)
      assert.deepEqual(await xe(home, ['pool-designate-new-master', `host-uuid=${h2}`]), { stdout: '', stderr: HA_IS_ENABLED, code: 1 })
      assert.deepEqual(await xe(home, ['pool-designate-new-master', 'host-uuid=nope']), { stdout: '', stderr: 'The uuid you supplied was invalid.\ntype: host\nuuid: nope\n', code: 1 })
    })
  })

  describe('emergency verbs and sync (cli_operations.ml strings)', () => {
    it('pool-emergency-transition-to-master: already master without --force; forced, the restart notice; HA refuses', async () => {
      const home = inventory()
      assert.deepEqual(await xe(home, ['pool-emergency-transition-to-master']), { stdout: "Host agent is already master. Use '--force' to execute the operation anyway.\n", stderr: '', code: 0 })
      assert.deepEqual(await xe(home, ['pool-emergency-transition-to-master', '--force']), { stdout: 'Host agent will restart and transition to master in 10.000 seconds...\n', stderr: '', code: 0 })
      assert.deepEqual(await xe(home, ['pool-emergency-reset-master', 'master-address=10.0.0.11']), { stdout: 'Host agent will restart and become slave of 10.0.0.11 in 10.000 seconds...\n', stderr: '', code: 0 })
      assert.deepEqual(await xe(home, ['pool-emergency-reset-master', 'master-address=no-such-host']), {
        stdout: '', stderr: `${INTERNAL}message: Failure("Couldn't resolve hostname: no-such-host")\n`, code: 1,
      })
      assert.deepEqual(await xe(home, ['pool-sync-database']), ok)
      // on a member (Neverforward: xe -s talks to that host) no --force is needed: it becomes the coordinator
      const h2 = await hostNamed(home, 'xenserver-02')
      assert.deepEqual(await xe(home, ['-s', '10.0.0.11', '-pw', 'xenserver', 'pool-emergency-transition-to-master']), {
        stdout: 'Host agent will restart and transition to master in 10.000 seconds...\n', stderr: '', code: 0,
      })
      assert.equal(await poolParam(home, 'master'), h2)
      assert.deepEqual(await xe(home, ['-s', '10.0.0.11', '-pw', 'xenserver', 'pool-emergency-transition-to-master']), {
        stdout: "Host agent is already master. Use '--force' to execute the operation anyway.\n", stderr: '', code: 0,
      })
      assert.deepEqual(await xe(home, ['pool-ha-enable']), ok)
      assert.deepEqual(await xe(home, ['pool-emergency-transition-to-master', '--force']), { stdout: '', stderr: HA_IS_ENABLED, code: 1 })
      assert.deepEqual(await xe(home, ['pool-emergency-reset-master', 'master-address=10.0.0.11']), { stdout: '', stderr: HA_IS_ENABLED, code: 1 })
      // members with HA armed refuse to be recovered
      assert.deepEqual(await xe(home, ['pool-recover-slaves']), ok)
    })
  })

  describe('HA (xapi_ha.ml enable / disable, xapi_ha_vm_failover.ml)', () => {
    it('a fresh host has no SR for the statefile; local storage is not for xhad', async () => {
      const home = await seededWorld(3)
      assert.deepEqual(await xe(home, ['pool-ha-enable']), {
        stdout: '', stderr: 'An HA statefile could not be created, perhaps because no SR with the appropriate capability was found.\n', code: 1,
      })
      const local = await one(home, ['sr-list', 'name-label=Local storage', '--minimal'])
      assert.deepEqual(await xe(home, ['pool-ha-enable', `heartbeat-sr-uuids=${local}`]), {
        stdout: '', stderr: 'The specified SR is incompatible with the selected HA cluster stack.\nSR type: lvm\n', code: 1,
      })
      assert.equal(await poolParam(home, 'ha-enabled'), 'false')
    })

    it('in a pool a host-local SR lacks the other hosts\' PBDs (SR_NO_PBDS, not in the datamodel)', async () => {
      const home = inventory()
      const local = (await one(home, ['sr-list', 'name-label=Local storage', '--minimal'])).split(',')[0]!
      const r = await xe(home, ['pool-ha-enable', `heartbeat-sr-uuids=${local}`])
      assert.equal(r.code, 1)
      assert.equal(r.stderr, `Error code: SR_NO_PBDS\nError parameters: ${local} (Local storage)\n`)
    })

    it('enable: statefile and metadata VDIs on the shared SR, pool and host fields; again HA_IS_ENABLED; disable', async () => {
      const home = inventory()
      const sr = await nfs(home)
      assert.deepEqual(await xe(home, ['pool-ha-enable', `heartbeat-sr-uuids=${sr}`, 'ha-config:timeout=60']), ok)
      assert.equal(await poolParam(home, 'ha-enabled'), 'true')
      assert.equal(await poolParam(home, 'ha-configuration'), 'timeout: 60')
      assert.equal(await poolParam(home, 'ha-cluster-stack'), 'xhad')
      assert.equal(await poolParam(home, 'ha-plan-exists-for'), '0')
      assert.equal(await poolParam(home, 'allowed-operations'),
        'ha_disable; cluster_create; designate_new_master; configure_repositories; sync_updates; apply_updates; cert_refresh; exchange_certificates_on_join; exchange_ca_certificates_on_join; copy_primary_host_certs; eject; get_updates')
      // Xha_statefile.create / Xha_metadata_vdi.create
      const statefile = await one(home, ['vdi-list', `sr-uuid=${sr}`, 'name-label=Statefile for HA', '--minimal'])
      assert.equal(await one(home, ['vdi-param-get', `uuid=${statefile}`, 'param-name=virtual-size']), String(4096 + 64 * 4096))
      assert.equal(await one(home, ['vdi-param-get', `uuid=${statefile}`, 'param-name=type']), 'HA statefile')
      assert.equal(await one(home, ['vdi-param-get', `uuid=${statefile}`, 'param-name=name-description']), 'Used for storage heartbeating')
      assert.equal(await one(home, ['vdi-param-get', `uuid=${statefile}`, 'param-name=sharable']), 'true')
      const metadata = await one(home, ['vdi-list', `sr-uuid=${sr}`, 'name-label=Metadata for HA', 'params=virtual-size,type', '--minimal'])
      assert.equal(metadata, '3988783104')
      assert.equal(await poolParam(home, 'ha-statefiles'), statefile)
      const hosts = (await one(home, ['host-list', '--minimal'])).split(',')
      for (const h of hosts) {
        assert.equal(await one(home, ['host-param-get', `uuid=${h}`, 'param-name=ha-statefiles']), statefile)
        assert.equal(await one(home, ['host-param-get', `uuid=${h}`, 'param-name=ha-network-peers']), hosts.join('; '))
      }
      assert.deepEqual(await xe(home, ['pool-ha-enable']), { stdout: '', stderr: HA_IS_ENABLED, code: 1 })
      assert.deepEqual(await xe(home, ['pool-ha-disable']), ok)
      assert.equal(await poolParam(home, 'ha-enabled'), 'false')
      assert.deepEqual(await xe(home, ['pool-ha-disable']), { stdout: '', stderr: HA_NOT_ENABLED, code: 1 })
      // the statefile is kept and re-used by the next enable (Xha_statefile.find_or_create)
      assert.deepEqual(await xe(home, ['pool-ha-enable']), ok)
      assert.equal(await poolParam(home, 'ha-statefiles'), statefile)
      assert.equal((await one(home, ['vdi-list', 'name-label=Statefile for HA', '--minimal'])).split(',').length, 1)
    })

    it('unknown heartbeat SR: UUID_INVALID; a dead host: HOST_OFFLINE', async () => {
      const home = inventory()
      assert.deepEqual(await xe(home, ['pool-ha-enable', 'heartbeat-sr-uuids=nope']), { stdout: '', stderr: 'The uuid you supplied was invalid.\ntype: SR\nuuid: nope\n', code: 1 })
      const h3 = await hostNamed(home, 'xenserver-03')
      await inWorld(home, (db) => db.set(db.get(db.byUuid('host', h3)!.f.metrics, 'host_metrics'), { live: false }))
      assert.deepEqual(await xe(home, ['pool-ha-enable']), {
        stdout: '', stderr: `You attempted an operation which involves a host which could not be contacted.\nhost: ${h3} (xenserver-03)\n`, code: 1,
      })
    })

    it('max host failures: the number of hosts with nothing protected, n-1 with protected agile VMs, less when memory is short', async () => {
      const home = inventory()
      assert.deepEqual(await xe(home, ['pool-ha-compute-max-host-failures-to-tolerate']), { stdout: '3\n', stderr: '', code: 0 })
      const running = (await one(home, ['vm-list', 'power-state=running', 'is-control-domain=false', 'params=name-label', '--minimal'])).split(',')
      for (const name of running.slice(0, 3)) assert.deepEqual(await xe(home, ['vm-param-set', `uuid=${await vmNamed(home, name)}`, 'ha-restart-priority=restart']), ok)
      // VM.set_ha_restart_priority on a running VM turns ha_always_run on
      assert.equal(await one(home, ['vm-param-get', `uuid=${await vmNamed(home, running[0]!)}`, 'param-name=ha-always-run']), 'true')
      assert.deepEqual(await xe(home, ['pool-ha-compute-max-host-failures-to-tolerate']), { stdout: '2\n', stderr: '', code: 0 })
      // two big protected guests: one host failure can be absorbed, two cannot (binpack on 64 GiB hosts)
      await inWorld(home, (db) => {
        for (const name of running.slice(0, 2)) {
          const vm = db.all('VM').find((v) => v.f.name_label === name)!
          db.set(vm, { memory_static_max: 40 * GiB })
        }
      })
      const hypothetical = ['pool-ha-compute-hypothetical-max-host-failures-to-tolerate']
      for (const name of running.slice(0, 2)) hypothetical.push(`vm-uuid=${await vmNamed(home, name)}`, 'restart-priority=restart')
      assert.deepEqual(await xe(home, hypothetical), { stdout: '1\n', stderr: '', code: 0 })
      assert.deepEqual(await xe(home, [...hypothetical.slice(0, 2), 'restart-priority=best-effort']), { stdout: '3\n', stderr: '', code: 0 })
      assert.deepEqual(await xe(home, [...hypothetical.slice(0, 2), 'restart-priority=always']), {
        stdout: '', stderr: 'The value given is invalid\nfield: ha_restart_priority\nvalue: always\n', code: 1,
      })
      assert.deepEqual(await xe(home, hypothetical.slice(0, 2)), {
        stdout: '', stderr: `${INTERNAL}message: Failure: Call requires an equal number of vm-uuid and restart-priority arguments\n`, code: 1,
      })
    })

    it('pool-ha-compute-vm-failover-plan: one table record, the biggest guest placed first (listed last)', async () => {
      const home = inventory()
      const h1 = await hostNamed(home, 'xenserver-01')
      const name = (u: string) => one(home, ['vm-param-get', `uuid=${u}`, 'param-name=name-label'])
      const guests = (await one(home, ['vm-list', `resident-on=${h1}`, 'is-control-domain=false', '--minimal'])).split(',')
      const r = await xe(home, ['pool-ha-compute-vm-failover-plan', `host-uuids=${h1}`])
      assert.equal(r.code, 0, r.stderr)
      const lines = r.stdout.split('\n')
      assert.match(lines[0]!, /^VM {4,}: Destination Host or Error$/)
      assert.equal(lines.length, guests.length + 4)
      for (const line of lines.slice(1, 1 + guests.length)) assert.match(line, /^ +[0-9a-f-]{36} \([a-z0-9-]+\): [0-9a-f-]{36} \(xenserver-0[23]\)$/)
      // binpack: the 4 GiB guest goes first, so it is the last line
      const last = lines[guests.length]!.trim().split(' ')[0]!
      assert.equal(await name(last), 'db01')
      assert.deepEqual(await xe(home, ['pool-ha-prevent-restarts-for', 'seconds=30']), ok)
      assert.deepEqual(await xe(home, ['pool-ha-prevent-restarts-for', 'seconds=soon']), { stdout: '', stderr: `${INTERNAL}message: Failure: Int64.of_string\n`, code: 1 })
    })

    it('with HA on: ha-host-failures-to-tolerate keeps the plan; a new protected VM must fit it', async () => {
      const home = inventory()
      const pool = await one(home, ['pool-list', '--minimal'])
      // one running guest on each 64 GiB host, made 24, 24 and 9 GiB: the two big ones protected survive two host
      // failures (the third host takes both), all three do not (the second host cannot take 24 + 9 GiB)
      const [a, b, c] = await inWorld(home, (db) => db.all('host').map((h, i) => {
        const vm = db.referrers('VM', 'resident_on', h.ref).find((v) => !v.f.is_control_domain)!
        db.set(vm, { memory_static_max: [24, 24, 9][i]! * GiB })
        return vm.f.uuid
      }))
      for (const u of [a, b]) assert.deepEqual(await xe(home, ['vm-param-set', `uuid=${u}`, 'ha-restart-priority=restart']), ok)
      assert.deepEqual(await xe(home, ['pool-ha-enable']), ok)
      assert.deepEqual(await xe(home, ['pool-param-set', `uuid=${pool}`, 'ha-host-failures-to-tolerate=2']), ok)
      assert.equal(await poolParam(home, 'ha-plan-exists-for'), '2')
      assert.equal(await poolParam(home, 'ha-overcommitted'), 'false')
      const BREAK = 'This operation cannot be performed because it would invalidate VM failover planning such that the system would be unable to guarantee to restart protected VMs after a Host failure.\n'
      assert.deepEqual(await xe(home, ['pool-param-set', `uuid=${pool}`, 'ha-host-failures-to-tolerate=3']), { stdout: '', stderr: BREAK, code: 1 })
      assert.deepEqual(await xe(home, ['pool-param-set', `uuid=${pool}`, 'ha-host-failures-to-tolerate=-1']), {
        stdout: '', stderr: 'The value given is invalid\nfield: ha_host_failures_to_tolerate\nvalue: -1\n', code: 1,
      })
      // the third guest cannot be protected while two failures are planned for
      assert.deepEqual(await xe(home, ['vm-param-set', `uuid=${c}`, 'ha-restart-priority=restart']), { stdout: '', stderr: BREAK, code: 1 })
      assert.deepEqual(await xe(home, ['vm-param-set', `uuid=${c}`, 'ha-restart-priority=best-effort']), ok)
      assert.deepEqual(await xe(home, ['vm-param-set', `uuid=${c}`, 'ha-restart-priority=bogus']), {
        stdout: '', stderr: 'The value given is invalid\nfield: ha_restart_priority\nvalue: bogus\n', code: 1,
      })
      // VM.start keeps the plan too (check_vm_preserves_ha_plan): a 20 GiB guest on the third host would leave it
      // unable to take both protected guests
      const big = await one(home, ['vm-install', 'new-name-label=big', 'template=Debian Bookworm 12'])
      await inWorld(home, (db) => db.set(db.byUuid('VM', big)!, { memory_static_max: 20 * GiB, memory_dynamic_max: 20 * GiB, memory_dynamic_min: 20 * GiB, memory_target: 20 * GiB }))
      const third = await one(home, ['vm-param-get', `uuid=${c}`, 'param-name=resident-on'])
      assert.deepEqual(await xe(home, ['vm-start', `uuid=${big}`, `on=${third}`]), { stdout: '', stderr: BREAK, code: 1 })
      assert.equal(await one(home, ['vm-param-get', `uuid=${big}`, 'param-name=power-state']), 'halted')
      // with one failure planned for, the third fits
      assert.deepEqual(await xe(home, ['pool-param-set', `uuid=${pool}`, 'ha-host-failures-to-tolerate=1']), ok)
      assert.equal(await poolParam(home, 'ha-plan-exists-for'), '1')
      assert.deepEqual(await xe(home, ['vm-param-set', `uuid=${c}`, 'ha-restart-priority=restart']), ok)
      assert.deepEqual(await xe(home, ['pool-ha-compute-max-host-failures-to-tolerate']), { stdout: '1\n', stderr: '', code: 0 })
      // ha-always-run=false is VM.set_ha_always_run: the priority is cleared, protection ends
      assert.deepEqual(await xe(home, ['vm-param-set', `uuid=${c}`, 'ha-always-run=false']), ok)
      assert.equal(await one(home, ['vm-param-get', `uuid=${c}`, 'param-name=ha-restart-priority']), '')
      assert.equal(await one(home, ['vm-param-get', `uuid=${c}`, 'param-name=ha-always-run']), 'false')
      assert.deepEqual(await xe(home, ['pool-ha-compute-max-host-failures-to-tolerate']), { stdout: '2\n', stderr: '', code: 0 })
    })
  })

  describe('pool-dump-database / pool-restore-database (pool_db_backup.ml; §8)', () => {
    it('round trip: the dump restores the pool exactly; files are never overwritten; restore needs --force', async () => {
      const home = await seededWorld(4)
      const dir = tmpHome()
      const file = join(dir, 'pool.db')
      const listing = async () => {
        let s = ''
        for (const c of ['pool-list', 'host-list', 'vm-list', 'sr-list', 'vdi-list', 'pif-list', 'network-list', 'pbd-list']) s += await one(home, [c, 'params=all'])
        return s
      }
      const before = await listing()
      assert.deepEqual(await xe(home, ['pool-dump-database', `file-name=${file}`]), ok)
      assert.ok(existsSync(file))
      const dump = readFileSync(file, 'utf8')
      // the download is created exclusively (§8)
      assert.deepEqual(await xe(home, ['pool-dump-database', `file-name=${file}`]), { stdout: '', stderr: `Operation failed. Error: Sys_error("${file}: File exists")\n`, code: 1 })
      // the pool changes …
      assert.equal((await xe(home, ['network-create', 'name-label=later'])).code, 0)
      assert.equal((await xe(home, ['vm-install', 'new-name-label=later', 'template=Debian Bookworm 12'])).code, 0)
      assert.notEqual(await listing(), before)
      assert.deepEqual(await xe(home, ['pool-restore-database', `file-name=${file}`]), {
        stdout: '', stderr: `${INTERNAL}message: Failure: This operation will restore the database backup to this host, making it the master. All slave hosts are assumed dead and they will be forgotten. This operation must be forced (use --force).\n`, code: 1,
      })
      assert.deepEqual(await xe(home, ['pool-restore-database', `file-name=${file}`, 'dry-run=true']), { stdout: 'Dry-run backup restore successful\n', stderr: '', code: 0 })
      assert.notEqual(await listing(), before)
      assert.deepEqual(await xe(home, ['pool-restore-database', `file-name=${file}`, '--force']), { stdout: 'Host will reboot with restored database in 30.000 seconds...\n', stderr: '', code: 0 })
      // … and is back as it was, to the byte; a new dump is the same file
      assert.equal(await listing(), before)
      const again = join(dir, 'again.db')
      assert.deepEqual(await xe(home, ['pool-dump-database', `file-name=${again}`]), ok)
      assert.equal(readFileSync(again, 'utf8'), dump)
    })

    it('restore checks the file: missing, not a backup, another product version', async () => {
      const home = await seededWorld(4)
      const dir = tmpHome()
      const missing = join(dir, 'missing.db')
      assert.deepEqual(await xe(home, ['pool-restore-database', `file-name=${missing}`, '--force']), { stdout: '', stderr: `Operation failed. Error: file '${missing}' does not exist\n`, code: 1 })
      const junk = join(dir, 'junk.db')
      writeFileSync(junk, '{"format":"something else"}')
      assert.deepEqual(await xe(home, ['pool-restore-database', `file-name=${junk}`, 'dry-run=true']), {
        stdout: '', stderr: `${INTERNAL}message: Failure("the database backup is invalid: not an xesim pool database")\n`, code: 1,
      })
      const file = join(dir, 'pool.db')
      assert.deepEqual(await xe(home, ['pool-dump-database', `file-name=${file}`]), ok)
      const other = join(dir, 'other.db')
      writeFileSync(other, readFileSync(file, 'utf8').replace('"profile":"xenserver-8"', '"profile":"xcp-ng-8.3"'))
      assert.deepEqual(await xe(home, ['pool-restore-database', `file-name=${other}`, '--force']), {
        stdout: '', stderr: 'The restore could not be performed because this backup has been created by a different (incompatible) product version\n', code: 1,
      })
    })

    it('in a pool, the restored database keeps only the coordinator: members and their guests\' residence are forgotten', async () => {
      const home = inventory()
      const dir = tmpHome()
      const file = join(dir, 'pool.db')
      const h1 = await hostNamed(home, 'xenserver-01')
      assert.deepEqual(await xe(home, ['pool-dump-database', `file-name=${file}`]), ok)
      assert.equal((await xe(home, ['pool-restore-database', `file-name=${file}`, '--force'])).code, 0)
      assert.equal(await one(home, ['host-list', '--minimal']), h1)
      assert.equal(await one(home, ['vm-list', 'is-control-domain=true', 'params=resident-on', '--minimal']), h1)
      const elsewhere = await one(home, ['vm-list', 'power-state=running', 'is-control-domain=false', 'params=resident-on', '--minimal'])
      for (const r of elsewhere.split(',').filter((x) => x)) assert.equal(r, h1)
      for (const r of (await one(home, ['pbd-list', 'params=host-uuid', '--minimal'])).split(',')) assert.equal(r, h1)
      for (const r of (await one(home, ['pif-list', 'params=host-uuid', '--minimal'])).split(',')) assert.equal(r, h1)
    })
  })

  describe('pool-restore-database of another coordinator\'s backup (prepare_database_for_restore)', () => {
    it('the backup\'s coordinator record becomes this host (its uuid, hostname, address); the rest is forgotten', async () => {
      const home = inventory()
      const dir = tmpHome()
      const file = join(dir, 'pool.db')
      const [h1, h2] = [await hostNamed(home, 'xenserver-01'), await hostNamed(home, 'xenserver-02')]
      assert.deepEqual(await xe(home, ['pool-designate-new-master', `host-uuid=${h2}`]), ok)
      assert.deepEqual(await xe(home, ['pool-dump-database', `file-name=${file}`]), ok)
      assert.deepEqual(await xe(home, ['pool-designate-new-master', `host-uuid=${h1}`]), ok)
      assert.equal((await xe(home, ['pool-restore-database', `file-name=${file}`, '--force'])).code, 0)
      assert.equal(await one(home, ['host-list', '--minimal']), h1)
      assert.equal(await one(home, ['host-param-get', `uuid=${h1}`, 'param-name=name-label']), 'xenserver-02')
      assert.equal(await one(home, ['host-param-get', `uuid=${h1}`, 'param-name=hostname']), 'xenserver-01')
      assert.equal(await one(home, ['host-param-get', `uuid=${h1}`, 'param-name=address']), '10.0.0.10')
      assert.equal(await poolParam(home, 'master'), h1)
      assert.equal(await one(home, ['vm-list', 'is-control-domain=true', 'params=resident-on', '--minimal']), h1)
    })
  })

  describe('pool-join / pool-eject (xapi_pool.ml join_common, pre_join_checks, eject; §9)', () => {
    const JOINER = ['-s', '10.0.0.11', '-u', 'root', '-pw', 'secret']
    const JOIN = ['pool-join', 'master-address=10.0.0.10', 'master-username=root', 'master-password=xenserver']
    const JOINED = { stdout: 'Host agent will restart and attempt to join pool in 10.000 seconds...\n', stderr: '', code: 0 }
    /** The default world's host (10.0.0.10, a shared NFS SR added) and a standalone xenserver-02 (10.0.0.11). */
    async function twoPools(): Promise<string> {
      const home = await seededWorld(6)
      assert.equal((await xe(home, ['sr-create', 'type=nfs', 'shared=true', 'name-label=NFS', 'device-config:server=10.0.0.5', 'device-config:serverpath=/export'])).code, 0)
      await withWorld(home, true, (s) => addHost(s, { nameLabel: 'xenserver-02', address: '10.0.0.11', password: 'secret', profile: 'xenserver-8', cpus: 16 }))
      return home
    }

    it('the coordinator must be reachable, be the coordinator and accept the login; a host cannot join itself', async () => {
      const home = await twoPools()
      // cli_operations.ml pool_join: POOL_JOINING_HOST_CONNECTION_FAILED is two lines and exit 0 (§9)
      assert.deepEqual(await xe(home, [...JOINER, 'pool-join', 'master-address=10.0.0.99', 'master-username=root', 'master-password=x']), {
        stdout: 'Host cannot contact destination host: connection refused.\nCheck destination host has services running and accessible from this host.\n', stderr: '', code: 0,
      })
      assert.deepEqual(await xe(home, [...JOINER, 'pool-join', 'master-address=10.0.0.10', 'master-username=root', 'master-password=wrong']), {
        stdout: '', stderr: "Authentication failed\nFor usage run: 'xe help'\n", code: 1,
      })
      assert.deepEqual(await xe(home, [...JOINER, 'pool-join', 'master-address=10.0.0.11', 'master-username=root', 'master-password=secret']), {
        stdout: '', stderr: 'You attempted an operation that was not allowed.\nreason: Host cannot become slave of itself\n', code: 1,
      })
      assert.equal(await one(home, ['host-list', 'params=name-label', '--minimal']), 'xenserver-01')
      // another product (pre_join_checks assert_hosts_compatible: platform version and product brand)
      await withWorld(home, true, (s) => addHost(s, { nameLabel: 'xcp-ng-03', address: '10.0.0.12', password: 'pw', profile: 'xcp-ng-8.3' }))
      assert.deepEqual(await xe(home, ['-s', '10.0.0.12', '-pw', 'pw', ...JOIN]), { stdout: '', stderr: 'The hosts in this pool are not compatible.\n', code: 1 })
    })

    it('a joiner with a running guest is refused; halted, its guest comes along', async () => {
      const home = await twoPools()
      const vm = await one(home, [...JOINER, 'vm-install', 'new-name-label=guest', 'template=Debian Bookworm 12'])
      assert.equal((await xe(home, [...JOINER, 'vm-start', `uuid=${vm}`])).code, 0)
      assert.deepEqual(await xe(home, [...JOINER, ...JOIN]), { stdout: '', stderr: 'The server joining the pool cannot have any running VMs.\n', code: 1 })
      assert.equal((await xe(home, [...JOINER, 'vm-shutdown', `uuid=${vm}`, '--force'])).code, 0)
      assert.deepEqual(await xe(home, [...JOINER, ...JOIN]), JOINED)
      assert.equal(await one(home, ['vm-list', 'name-label=guest', '--minimal']), vm)
    })

    it('join: the host, its control domain, local SRs and PIFs join the pool; the pool\'s shared SR gets a PBD for it', async () => {
      const home = await twoPools()
      const h1 = await hostNamed(home, 'xenserver-01')
      const h2 = await one(home, [...JOINER, 'host-list', '--minimal'])
      const dom0 = await one(home, [...JOINER, 'vm-list', 'is-control-domain=true', '--minimal'])
      const localSr = await one(home, [...JOINER, 'sr-list', 'name-label=Local storage', '--minimal'])
      const templates = await one(home, ['template-list', '--minimal'])
      const pool = await one(home, ['pool-list', '--minimal'])
      assert.deepEqual(await xe(home, [...JOINER, ...JOIN]), JOINED)
      assert.equal(await one(home, ['host-list', 'params=name-label', '--minimal']), 'xenserver-01,xenserver-02')
      assert.equal(await one(home, ['pool-list', '--minimal']), pool)
      assert.equal(await poolParam(home, 'master'), h1)
      assert.equal(await one(home, ['vm-list', 'is-control-domain=true', `resident-on=${h2}`, '--minimal']), dom0)
      assert.equal(await one(home, ['pbd-list', `sr-uuid=${localSr}`, 'params=host-uuid', '--minimal']), h2)
      // one pool object, the coordinator's templates only
      assert.equal(await one(home, ['template-list', '--minimal']), templates)
      // the joiner's PIFs are on the pool's networks of the same bridge
      for (const bridge of ['xenbr0', 'xenbr1']) {
        const net = await one(home, ['network-list', `bridge=${bridge}`, '--minimal'])
        assert.equal(await one(home, ['pif-list', `network-uuid=${net}`, 'params=host-uuid', '--minimal']), `${h1},${h2}`)
      }
      const nfsSr = await nfs(home)
      const pbd = await one(home, ['pbd-list', `sr-uuid=${nfsSr}`, `host-uuid=${h2}`, '--minimal'])
      assert.equal(await one(home, ['pbd-param-get', `uuid=${pbd}`, 'param-name=currently-attached']), 'true')
      assert.equal(await one(home, ['pbd-param-get', `uuid=${pbd}`, 'param-name=device-config']), 'server: 10.0.0.5; serverpath: /export')
      // create_pool_cpuinfo: the hosts' CPUs summed
      assert.match(await poolParam(home, 'cpu_info'), /socket_count: 2; cpu_count: 32;/)
      // the member is reached through its coordinator's pool (with the pool's password)
      assert.equal(await one(home, ['-s', '10.0.0.11', '-pw', 'xenserver', 'host-list', 'params=name-label', '--minimal']), 'xenserver-01,xenserver-02')
      // a pool of one more host cannot join elsewhere, nor join again
      assert.deepEqual(await xe(home, [...JOIN]), {
        stdout: '', stderr: 'You attempted an operation that was not allowed.\nreason: Host is already part of a pool\n', code: 1,
      })
    })

    it('a trial pool holds at most three hosts (LICENCE_RESTRICTION Pool_size)', async () => {
      const home = inventory()
      await withWorld(home, true, (s) => addHost(s, { nameLabel: 'xenserver-04', address: '10.0.0.13', password: 'secret', profile: 'xenserver-8' }))
      assert.deepEqual(await xe(home, ['-s', '10.0.0.13', '-pw', 'secret', ...JOIN]), {
        stdout: '', stderr: 'This operation is not allowed because your license lacks a needed feature. Please contact your support representative.\nfeature: Pool_size\n', code: 1,
      })
    })

    it('eject: warnings and the prompt (abort changes nothing); the coordinator cannot go; --force ejects', async () => {
      const home = await twoPools()
      assert.deepEqual(await xe(home, [...JOINER, ...JOIN]), JOINED)
      const [h1, h2] = [await hostNamed(home, 'xenserver-01'), await hostNamed(home, 'xenserver-02')]
      const vm = await one(home, ['vm-install', 'new-name-label=onlocal', 'template=Debian Bookworm 12', `sr-uuid=${await one(home, ['sr-list', 'name-label=Local storage', `host=xenserver-02`, '--minimal'])}`])
      const disk = await one(home, ['vbd-list', `vm-uuid=${vm}`, 'type=Disk', 'params=vdi-uuid', '--minimal'])
      const diskName = await one(home, ['vdi-param-get', `uuid=${disk}`, 'param-name=name-label'])
      const prompt = "WARNING: Ejecting a host from the pool will reinitialise that host's local SRs.\nWARNING: Any data contained with the local SRs will be lost.\n" +
        `The following VDI objects will be destroyed:\nVDI: ${disk} (${diskName})\nType 'yes' to continue\n`
      assert.deepEqual(await xe(home, ['pool-eject', `host-uuid=${h2}`], { stdin: ['no'] }), { stdout: `${prompt}Aborted (you typed: 'no')\n`, stderr: '', code: 0 })
      assert.equal(await one(home, ['host-list', '--minimal']), `${h1},${h2}`)
      assert.deepEqual(await xe(home, ['pool-eject', `host-uuid=${h1}`, '--force']), { stdout: '', stderr: `${INTERNAL}message: Xapi_pool.Cannot_eject_master\n`, code: 1 })
      assert.deepEqual(await xe(home, ['pool-eject', `host-uuid=${h2}`], { stdin: ['yes'] }), {
        stdout: `${prompt}Specified host will attempt to restart as a master of a new pool in 10.000 seconds...\n`, stderr: '', code: 0,
      })
      assert.equal(await one(home, ['host-list', '--minimal']), h1)
      // its local SRs and their VDIs are forgotten; the guest stays, without that disk
      assert.equal(await one(home, ['vdi-list', `uuid=${disk}`, '--minimal']), '')
      assert.equal(await one(home, ['vm-list', 'name-label=onlocal', '--minimal']), vm)
      assert.equal(await one(home, ['pif-list', `host-uuid=${h2}`, '--minimal']), '')
      assert.match(await poolParam(home, 'cpu_info'), /socket_count: 1; cpu_count: 16;/)
      // the host is back as a fresh standalone host: same uuid, its own pool, fresh local SRs and templates
      const again = ['-s', '10.0.0.11', '-pw', 'secret']
      assert.equal(await one(home, [...again, 'host-list', '--minimal']), h2)
      assert.equal(await one(home, [...again, 'pool-param-get', `uuid=${await one(home, [...again, 'pool-list', '--minimal'])}`, 'param-name=master']), h2)
      assert.equal(await one(home, [...again, 'sr-list', 'params=name-label', '--minimal']), 'Local storage,Removable storage,DVD drives')
      assert.equal((await one(home, [...again, 'template-list', '--minimal'])).split(',').length, (await one(home, ['template-list', '--minimal'])).split(',').length)
      // and it can join again
      assert.deepEqual(await xe(home, [...again, ...JOIN]), JOINED)
    })

    it('eject refuses a member with a running guest (OPERATION_NOT_ALLOWED) and with HA on', async () => {
      const home = inventory()
      const h2 = await hostNamed(home, 'xenserver-02')
      assert.deepEqual(await xe(home, ['pool-eject', `host-uuid=${h2}`, '--force']), { stdout: '', stderr: 'You attempted an operation that was not allowed.\nreason: VM resident on host\n', code: 1 })
      assert.deepEqual(await xe(home, ['pool-ha-enable']), ok)
      assert.deepEqual(await xe(home, ['pool-eject', `host-uuid=${h2}`, '--force']), { stdout: '', stderr: HA_IS_ENABLED, code: 1 })
    })
  })
})
