// Records of the default world, in-process: every class prints exactly the fields of its table
// (src/tables/records/<class>.json, transcribed from xe-records.json) in order with xe's annotations
// (xe-cli-behaviour.md §3.2 layout, §3.4 param-list), and the fields records.ml computes print what xapi
// computes (§3.3 value rendering). Expected key lists are built from the tables here, independently of
// src/cli/records.ts.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { cleanupHomes, repoRoot, seededHome, tmpHome, xe } from '../helpers'
import { resetWorld } from '../../src/engine/state'
import { ROLES } from '../../src/engine/data/rbac'

interface TableField {
  n: string
  a: string
  h?: 1
  d?: 1
}
const tableOf = (cls: string) => JSON.parse(readFileSync(join(repoRoot, 'src/tables/records', `${cls}.json`), 'utf8')) as { fields: TableField[] }
/** The keys xe prints: `<name> <annotation>`, plus ` [DEPRECATED]` (§3.2). Hidden fields are left out (§3.4). */
const expectedKeys = (cls: string) => tableOf(cls).fields.filter((f) => !f.h).map((f) => `${f.n} ${f.a}${f.d ? ' [DEPRECATED]' : ''}`)

/**
 * Checks the multi_line_record layout (§3.2) against the expected keys and returns the values by field name:
 * w = 4 + the longest key, the first key padded on the right, the others on the left, `: ` then the value,
 * the record followed by two empty lines.
 */
function parseRecord(stdout: string, keys: string[]): Map<string, string> {
  assert.ok(stdout.endsWith('\n\n\n'), 'a record ends with two empty lines (§3.2)')
  const lines = stdout.slice(0, -3).split('\n')
  assert.equal(lines.length, keys.length, 'one line per non-hidden field (§3.4)')
  const w = 4 + Math.max(...keys.map((k) => k.length))
  const values = new Map<string, string>()
  keys.forEach((k, i) => {
    const head = (i === 0 ? k.padEnd(w) : k.padStart(w)) + ': '
    assert.ok(lines[i]!.startsWith(head), `line ${i + 1} is ${JSON.stringify(head)}…, got ${JSON.stringify(lines[i])}`)
    values.set(k.slice(0, k.indexOf(' (')), lines[i]!.slice(head.length))
  })
  return values
}

async function uuids(home: string, cls: string): Promise<string[]> {
  const out = (await xe(home, [`${cls}-list`, '--minimal'])).stdout.trim()
  return out === '' ? [] : out.split(',')
}
async function record(home: string, cls: string, uuid: string): Promise<Map<string, string>> {
  const r = await xe(home, [`${cls}-param-list`, `uuid=${uuid}`])
  assert.equal(r.code, 0, r.stderr)
  return parseRecord(r.stdout, expectedKeys(cls))
}
const get = async (home: string, cls: string, uuid: string, name: string, key?: string) =>
  (await xe(home, [`${cls}-param-get`, `uuid=${uuid}`, `param-name=${name}`, ...(key ? [`param-key=${key}`] : [])])).stdout.replace(/\n$/, '')
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => String(from + i)).join('; ')

describe('records: every class of the default world prints its table (xe-cli-behaviour.md §3.2, §3.4; xe-records.json)', function () {
  let home: string
  let xcp: string
  before(async () => {
    home = await seededHome(5)
    xcp = tmpHome()
    resetWorld(xcp, { profile: 'xcp-ng-8.3', seed: 5 })
  })
  after(cleanupHomes)

  const CLASSES = ['pool', 'host', 'host-cpu', 'vm', 'template', 'sr', 'pbd', 'sm', 'pif', 'network', 'console']
  for (const cls of CLASSES) {
    it(`${cls}-param-list: every non-hidden field of ${cls}.json, in order, with its annotation (§3.2, §3.4)`, async () => {
      for (const world of [home, xcp]) {
        const all = await uuids(world, cls)
        assert.ok(all.length > 0, `the default world has ${cls} records`)
        for (const u of all) await record(world, cls, u)
      }
    })
  }

  it('role-param-list: uuid, name, description for every static role (§3.4)', async () => {
    for (const r of ROLES) {
      const v = await record(home, 'role', r.uuid)
      assert.equal(v.get('name'), r.name_label)
    }
  })

  it('vdi-param-list (XCP-ng tools ISO): the VDI table, metadata-of-pool <not in database> (§3.2, §3.3)', async () => {
    const [vdi] = await uuids(xcp, 'vdi')
    const v = await record(xcp, 'vdi', vdi!)
    // records.ml vdi metadata-of-pool: not this pool's metadata VDI, and VDI.read_database_pool_uuid answers ""
    assert.equal(v.get('metadata-of-pool'), '<not in database>')
    assert.equal(v.get('type'), 'User')
  })

  it('hidden fields stay out of param-list but param-get reads them (§3.4)', async () => {
    const [pool] = await uuids(home, 'pool')
    // records.ml pool vswitch-controller (hidden): "" reads as <not set> (§3.3 special values)
    assert.equal(await get(home, 'pool', pool!, 'vswitch-controller'), '<not set>')
    const [dom0] = await uuids(home, 'vm')
    assert.equal(await get(home, 'vm', dom0!, 'nomigrate'), 'false')
  })
})

describe('records: computed fields print what xapi computes (xe-cli-behaviour.md §3.3)', function () {
  let home: string
  let xcp: string
  let pool: string
  let host: string
  let dom0: string
  let template: string
  before(async () => {
    home = await seededHome(6)
    xcp = tmpHome()
    resetWorld(xcp, { profile: 'xcp-ng-8.3', seed: 6 })
    ;[pool] = await uuids(home, 'pool') as [string]
    ;[host] = await uuids(home, 'host') as [string]
    ;[dom0] = await uuids(home, 'vm') as [string]
    template = (await xe(home, ['template-list', 'name-label=Other install media', '--minimal'])).stdout.trim()
  })
  after(cleanupHomes)

  it('pool: supported-sr-types, license-state, the host-wide fields, ha-statefiles (§3.3)', async () => {
    const p = await record(home, 'pool', pool)
    // records.ml supported-sr-types = SR.get_supported_types joined "; ": xapi's SMAPIv1 driver table in
    // Hashtbl.fold order (as a real pool with these thirteen plugins prints it)
    assert.equal(p.get('supported-sr-types'), 'smb; lvm; iso; nfs; lvmofcoe; udev; hba; dummy; ext; lvmoiscsi; lvmohba; file; iscsi')
    // records.ml license-state = Pool.get_license_state as a map: lowest edition, "never" without an expiry
    assert.equal(p.get('license-state'), 'edition: trial; expiry: never')
    // records.ml https-only: every host https-only; ssh-* / console-idle-timeout: the hosts' common value
    assert.equal(p.get('https-only'), 'false')
    assert.equal(p.get('ssh-enabled'), 'true')
    assert.equal(p.get('ssh-enabled-timeout'), '0')
    assert.equal(p.get('ssh-expiry'), '19700101T00:00:00Z')
    assert.equal(p.get('console-idle-timeout'), '0')
    assert.equal(p.get('ssh-auto-mode'), 'false')
    // records.ml ha-statefiles: each statefile ref as a uuid, joined "; " — empty set, empty string
    assert.equal(p.get('ha-statefiles'), '')
    // master / default-SR: references print uuids, a null one <not in database> (§3.3 references)
    assert.equal(p.get('master'), host)
    assert.equal(p.get('crash-dump-SR'), '<not in database>')
    const x = await record(xcp, 'pool', (await uuids(xcp, 'pool'))[0]!)
    assert.equal(x.get('supported-sr-types'), 'smb; largeblock; lvm; iso; nfs; lvmofcoe; udev; hba; zfs; dummy; cephfs; xfs; ext; lvmoiscsi; lvmohba; file; glusterfs; iscsi')
    assert.equal(x.get('license-state'), 'edition: xcp-ng; expiry: never')
  })

  it('pool-list shows expensive fields as <expensive field>, param-list computes them (§3.4)', async () => {
    const r = await xe(home, ['pool-list', 'params=supported-sr-types'])
    assert.equal(r.stdout, 'supported-sr-types ( RO)    : <expensive field>\n\n\n')
  })

  it('host: operations by host_operation_to_string, memory-free-computed, patches, updates (§3.3)', async () => {
    const h = await record(home, 'host', host)
    // records.ml host allowed-operations: Record_util.host_operation_to_string spells vm_* as VM.*
    assert.equal(h.get('allowed-operations'), 'VM.migrate; provision; VM.resume; enable; evacuate; VM.start')
    // records.ml memory-free-computed = Host.compute_free_memory: total - host overhead - (dynamic-min +
    // overhead) of every resident VM (here dom0)
    const total = Number(h.get('memory-total'))
    const overhead = Number(h.get('memory-overhead'))
    const dom0Min = Number(await get(home, 'vm', dom0, 'memory-dynamic-min'))
    const dom0Overhead = Number(await get(home, 'vm', dom0, 'memory-overhead'))
    assert.equal(Number(h.get('memory-free-computed')), total - overhead - dom0Min - dom0Overhead)
    // records.ml patches / updates: uuids joined ", " (compatibility joiner) — none on a fresh host
    assert.equal(h.get('patches'), '')
    assert.equal(h.get('updates'), '')
    assert.equal(h.get('ha-statefiles'), '')
    assert.equal(h.get('resident-vms'), dom0)
  })

  it('host-cpu: utilisation is Host.query_data_source "cpu<N>" as %.3f (an idle host: 0.000) (§3.3 floats)', async () => {
    for (const c of await uuids(home, 'host-cpu')) assert.equal((await record(home, 'host-cpu', c)).get('utilisation'), '0.000')
  })

  it('control domain: memory-target, device lists, possible-hosts, VCPUs-utilisation, cooperative, last-boot-record (§3.3)', async () => {
    const v = await record(home, 'vm', dom0)
    // records.ml memory-target = VM.query_data_source "memory_target": the balloon target of a running domain
    assert.equal(v.get('memory-target'), v.get('memory-static-max'))
    // records.ml allowed-VBD-devices = VM.get_allowed_VBD_devices: a PV control domain may use disks 0-255
    assert.equal(v.get('allowed-VBD-devices'), range(0, 255))
    // records.ml allowed-VIF-devices = VM.get_allowed_VIF_devices: 0-15 minus the VIFs' devices
    assert.equal(v.get('allowed-VIF-devices'), range(0, 15))
    // records.ml possible-hosts = VM.get_possible_hosts as uuids (a list without get_set: "( RO)")
    assert.equal(v.get('possible-hosts'), host)
    // records.ml VCPUs-utilisation: "<n>: <cpu n as %.3f>" for each of VCPUs-number vCPUs
    const n = Number(v.get('VCPUs-number'))
    assert.equal(v.get('VCPUs-utilisation'), Array.from({ length: n }, (_, i) => `${i}: 0.000`).join('; '))
    assert.equal(await get(home, 'vm', dom0, 'VCPUs-utilisation', String(n - 1)), '0.000')
    // records.ml cooperative: VM.get_cooperative is always true (deprecated)
    assert.equal(v.get('cooperative'), 'true')
    // records.ml last-boot-record: the one value xe wraps in '…' (§3.3 strings)
    assert.equal(v.get('last-boot-record'), "''")
    assert.equal(v.get('hvm'), 'false')
    assert.equal(v.get('current-domain-type'), 'pv')
    // guest metrics are absent: their fields print <not in database> (§3.3 metrics-backed fields)
    assert.equal(v.get('os-version'), '<not in database>')
    assert.equal(v.get('live'), '<not in database>')
  })

  it('halted template: memory-target 0, HVM device range, VCPUs-utilisation empty, possible-hosts (§3.3)', async () => {
    const t = await record(home, 'template', template)
    // records.ml get_memory_target: VM_BAD_POWER_STATE from VM.query_data_source reads as 0
    assert.equal(t.get('memory-target'), '0')
    // HVM guests: disks 0-254 (the first four on the emulated IDE bus, listed by disk number)
    assert.equal(t.get('allowed-VBD-devices'), range(0, 254))
    assert.equal(t.get('allowed-VIF-devices'), range(0, 15))
    // no vCPUs running: an empty map
    assert.equal(t.get('VCPUs-utilisation'), '')
    // the host passes assert_can_boot_here (memory, vCPUs, HVM support)
    assert.equal(t.get('possible-hosts'), host)
    assert.equal(t.get('power-state'), 'halted')
    assert.equal(t.get('resident-on'), '<not in database>')
  })

  it('sr: host by name (<shared> with several PBDs), operations by sr_operation_to_string (§3.3)', async () => {
    const hostName = await get(home, 'host', host, 'name-label')
    for (const sr of await uuids(home, 'sr')) {
      const s = await record(home, 'sr', sr)
      // records.ml sr host: get_name_from_ref of the only PBD's host
      assert.equal(s.get('host'), hostName)
      for (const op of s.get('allowed-operations')!.split('; ')) assert.match(op, /^(scan|destroy|forget|plug|unplug|update|VDI\.\w+|PBD\.\w+)$/)
    }
    const local = (await xe(home, ['sr-list', 'name-label=Local storage', '--minimal'])).stdout.trim()
    assert.match((await record(home, 'sr', local)).get('allowed-operations')!, /VDI\.create/)
  })

  it('pif: speed in Mbit/s, duplex full/half/unknown, I/O rates from the host data sources (§3.3)', async () => {
    const eth0 = (await xe(home, ['pif-list', 'device=eth0', '--minimal'])).stdout.trim()
    const eth1 = (await xe(home, ['pif-list', 'device=eth1', '--minimal'])).stdout.trim()
    const up = await record(home, 'pif', eth0)
    // records.ml pif speed: "<speed> Mbit/s"; duplex: full, else half with carrier, else unknown
    assert.equal(up.get('speed'), '1000 Mbit/s')
    assert.equal(up.get('duplex'), 'full')
    // records.ml io_read_kbs / io_write_kbs: Host.query_data_source "pif_<device>_rx|tx" / 1024 as %.3f
    assert.equal(up.get('io_read_kbs'), '0.000')
    assert.equal(up.get('io_write_kbs'), '0.000')
    const down = await record(home, 'pif', eth1)
    assert.equal(down.get('speed'), '0 Mbit/s')
    assert.equal(down.get('duplex'), 'unknown')
    assert.equal(down.get('network-name-label'), 'Pool-wide network associated with eth1')
  })

  it('console and pbd: enums by Record_util, references by uuid and name (§3.3)', async () => {
    const protocols = []
    for (const c of await uuids(home, 'console')) protocols.push((await record(home, 'console', c)).get('protocol'))
    // records.ml console protocol: Record_util.protocol_to_string
    assert.deepEqual(protocols.sort(), ['RFB', 'VT100'])
    const [pbd] = await uuids(home, 'pbd')
    const p = await record(home, 'pbd', pbd!)
    assert.equal(p.get('host'), host)
    assert.equal(p.get('host-name-label'), await get(home, 'host', host, 'name-label'))
  })
})

describe('records: setters with their own checks (xe-cli-behaviour.md §3.3, §4, §10)', function () {
  let home: string
  let pool: string
  let host: string
  let dom0: string
  let template: string
  before(async () => {
    home = await seededHome(8)
    ;[pool] = await uuids(home, 'pool') as [string]
    ;[host] = await uuids(home, 'host') as [string]
    ;[dom0] = await uuids(home, 'vm') as [string]
    template = (await xe(home, ['template-list', 'name-label=Other install media', '--minimal'])).stdout.trim()
  })
  after(cleanupHomes)

  it('pool default-SR / crash-dump-SR take an SR uuid; "" clears; a bad uuid is UUID_INVALID (§4)', async () => {
    const sr = await get(home, 'pool', pool, 'default-SR')
    assert.equal((await xe(home, ['pool-param-set', `uuid=${pool}`, 'crash-dump-SR=' + sr])).code, 0)
    assert.equal(await get(home, 'pool', pool, 'crash-dump-SR'), sr)
    assert.equal((await xe(home, ['pool-param-set', `uuid=${pool}`, 'crash-dump-SR='])).code, 0)
    assert.equal(await get(home, 'pool', pool, 'crash-dump-SR'), '<not in database>')
    const bad = await xe(home, ['pool-param-set', `uuid=${pool}`, 'default-SR=nope'])
    assert.deepEqual(bad, { stdout: '', stderr: 'The uuid you supplied was invalid.\ntype: SR\nuuid: nope\n', code: 1 })
  })

  it('pool ssh-enabled-timeout sets every host; out of range is SET_SSH_TIMEOUT_PARTIALLY_FAILED (§4)', async () => {
    assert.equal((await xe(home, ['pool-param-set', `uuid=${pool}`, 'ssh-enabled-timeout=600'])).code, 0)
    assert.equal(await get(home, 'host', host, 'ssh-enabled-timeout'), '600')
    assert.equal(await get(home, 'pool', pool, 'ssh-enabled-timeout'), '600')
    const name = await get(home, 'host', host, 'name-label')
    const r = await xe(home, ['pool-param-set', `uuid=${pool}`, 'ssh-enabled-timeout=172801'])
    assert.deepEqual(r, { stdout: '', stderr: `Some hosts failed to set SSH timeout.\nhosts: ${host} (${name})\n`, code: 1 })
    const nan = await xe(home, ['pool-param-set', `uuid=${pool}`, 'ssh-enabled-timeout=soon'])
    // safe_i64_of_string's Record_failure
    assert.equal(nan.stderr, "Error: Failed to parse parameter 'ssh-enabled-timeout': expecting an integer\n")
  })

  it('host ssl-legacy=true is VALUE_NOT_SUPPORTED; iscsi_iqn keeps other-config in step (§4)', async () => {
    const r = await xe(home, ['host-param-set', `uuid=${host}`, 'ssl-legacy=true'])
    assert.equal(r.code, 1)
    assert.match(r.stderr, /^You attempted to set a value that is not supported by this implementation\..*\nfield: value\nvalue: true\nreason: Legacy SSL support has been removed\n$/)
    assert.equal((await xe(home, ['host-param-set', `uuid=${host}`, 'iscsi_iqn=iqn.2026-01.com.example:x'])).code, 0)
    assert.equal(await get(home, 'host', host, 'other-config', 'iscsi_iqn'), 'iqn.2026-01.com.example:x')
    // Host.set_iscsi_iqn refuses "" (INVALID_VALUE)
    assert.equal((await xe(home, ['host-param-set', `uuid=${host}`, 'iscsi_iqn='])).stderr, 'The value given is invalid\nfield: value\nvalue: \n')
  })

  it('VCPUs-params accepts only weight, cap and mask (records.ml Record_failure text) (§4)', async () => {
    const r = await xe(home, ['vm-param-set', `uuid=${template}`, 'VCPUs-params:colour=blue'])
    assert.deepEqual(r, { stdout: '', stderr: "Error: Failed to add parameter 'colour': expecting 'weight','cap' or 'mask'\n", code: 1 })
    assert.equal((await xe(home, ['vm-param-set', `uuid=${template}`, 'VCPUs-params:weight=512'])).code, 0)
    assert.equal(await get(home, 'template', template, 'VCPUs-params'), 'weight: 512')
  })

  it('bios-strings: set_map checks the keys, then VM.set_bios_strings fills the generic strings (§3.3, §10)', async () => {
    const bad = await xe(home, ['template-param-set', `uuid=${template}`, 'bios-strings:colour=blue'])
    assert.equal(bad.stderr, "Error: Unknown key 'colour': expecting bios-vendor, bios-version, system-manufacturer, system-product-name, system-version, system-serial-number, baseboard-manufacturer, baseboard-product-name, baseboard-version, baseboard-serial-number, baseboard-asset-tag, baseboard-location-in-chassis, enclosure-asset-tag\n")
    assert.equal((await xe(home, ['template-param-set', `uuid=${template}`, 'bios-strings:bios-vendor=Acme'])).code, 0)
    const b = await get(home, 'template', template, 'bios-strings')
    assert.match(b, /^bios-vendor: Acme; bios-version: ; system-manufacturer: Xen; system-product-name: HVM domU; /)
    assert.match(b, /; oem-2: MS_VM_CERT\/SHA1\/bdbeb6e0a816d43fa6d3fe8aaef04c2bad9d3e3d$/)
    const again = await xe(home, ['template-param-set', `uuid=${template}`, 'bios-strings:bios-vendor=Other'])
    assert.equal(again.stderr, 'The BIOS strings for this VM have already been set and cannot be changed.\n')
  })

  it('blocked-operations keys are operation names as xe prints them (string_to_vm_operation) (§3.3, §4)', async () => {
    assert.equal((await xe(home, ['vm-param-set', `uuid=${dom0}`, 'blocked-operations:data_sources_op=no'])).code, 0)
    assert.equal(await get(home, 'vm', dom0, 'blocked-operations'), 'data_sources_op: no')
    const bad = await xe(home, ['vm-param-set', `uuid=${dom0}`, 'blocked-operations:fly=no'])
    assert.equal(bad.stderr, 'The value given is invalid\nfield: blocked_operation\nvalue: fly\n')
    assert.equal((await xe(home, ['vm-param-remove', `uuid=${dom0}`, 'param-name=blocked-operations', 'param-key=data_sources_op'])).code, 0)
    assert.equal(await get(home, 'vm', dom0, 'blocked-operations'), '')
  })

  it('affinity takes a host uuid and "" clears it (§10)', async () => {
    assert.equal((await xe(home, ['template-param-set', `uuid=${template}`, `affinity=${host}`])).code, 0)
    assert.equal(await get(home, 'template', template, 'affinity'), host)
    assert.equal((await xe(home, ['template-param-set', `uuid=${template}`, 'affinity='])).code, 0)
    assert.equal(await get(home, 'template', template, 'affinity'), '<not in database>')
  })
})
