import assert from 'node:assert/strict'
import {
  DATAMODEL_ENUMS,
  bytesOfString,
  ocamlFloatOfString,
  ocamlInt64OfString,
  parseBoolLoose,
  parseBoolRaw,
  parseBoolStrict,
  parseBytes,
  parseBytesBig,
  parseEnum,
  parseFloatParam,
  parseForSet,
  parseInt64,
  parseInt64Big,
  parseInt64Raw,
  renderEnum,
  xeFloat,
} from '../../src/cli/enums'
import { CliFailure } from '../../src/cli/failure'
import { XapiError } from '../../src/engine/errors'

const RU = (f: string) => `enum via Record_util.${f}`

function failsWith(fn: () => unknown, message: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof CliFailure, `expected CliFailure, got ${String(e)}`)
    assert.equal(e.message, message)
    return true
  })
}
function failsWithXapi(fn: () => unknown, code: string, params: string[]): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof XapiError, `expected XapiError, got ${String(e)}`)
    assert.equal(e.code, code)
    assert.deepEqual(e.params, params)
    return true
  })
}

describe('enums: renderEnum', () => {
  const cases: Array<[string, Array<[string, string]>]> = [
    ['on_normal_exit_to_string', [['destroy', 'Destroy'], ['restart', 'Restart']]],
    [
      'on_crash_behaviour_to_string',
      [
        ['destroy', 'Destroy'],
        ['coredump_and_destroy', 'Core dump and destroy'],
        ['restart', 'Restart'],
        ['coredump_and_restart', 'Core dump and restart'],
        ['preserve', 'Preserve'],
        ['rename_restart', 'Rename restart'],
      ],
    ],
    [
      'on_softreboot_behaviour_to_string',
      [['soft_reboot', 'Soft reboot'], ['destroy', 'Destroy'], ['restart', 'Restart'], ['preserve', 'Preserve']],
    ],
    [
      'vdi_type_to_string',
      [
        ['system', 'System'],
        ['user', 'User'],
        ['ephemeral', 'Ephemeral'],
        ['suspend', 'Suspend'],
        ['crashdump', 'Crashdump'],
        ['ha_statefile', 'HA statefile'],
        ['metadata', 'Metadata'],
        ['redo_log', 'Redo log'],
        ['rrd', 'rrd'],
        ['pvs_cache', 'PVS cache'],
        ['cbt_metadata', 'CBT metadata'],
      ],
    ],
    ['bond_mode_to_string', [['balance-slb', 'balance-slb'], ['active-backup', 'active-backup'], ['lacp', 'lacp']]],
    ['allocation_algorithm_to_string', [['depth_first', 'depth-first'], ['breadth_first', 'breadth-first']]],
    [
      'pvs_proxy_status_to_string',
      [
        ['stopped', 'stopped'],
        ['initialised', 'initialised'],
        ['caching', 'caching'],
        ['incompatible_write_cache_mode', 'incompatible-write-cache-mode'],
        ['incompatible_protocol_version', 'incompatible-protocol-version'],
      ],
    ],
    ['tristate_to_string', [['yes', 'true'], ['no', 'false'], ['unspecified', 'unspecified']]],
    [
      'domain_type_to_string',
      [['hvm', 'hvm'], ['pv', 'pv'], ['pv_in_pvh', 'pv-in-pvh'], ['pvh', 'pvh'], ['unspecified', 'unspecified']],
    ],
    ['vm_placement_policy_to_string', [['normal', 'normal'], ['anti_affinity', 'anti-affinity']]],
    ['protocol_to_string', [['vt100', 'VT100'], ['rfb', 'RFB'], ['rdp', 'RDP']]],
    [
      'vm_power_state_to_lowercase_string',
      [['Halted', 'halted'], ['Paused', 'paused'], ['Running', 'running'], ['Suspended', 'suspended']],
    ],
    ['vbd_mode_to_string', [['RO', 'ro'], ['RW', 'rw']]],
    ['task_allowed_operations_to_string', [['cancel', 'Cancel'], ['destroy', 'Destroy']]],
    ['host_operation_to_string', [['vm_start', 'VM.start'], ['vm_resume', 'VM.resume'], ['vm_migrate', 'VM.migrate'], ['evacuate', 'evacuate']]],
    ['sr_operation_to_string', [['vdi_create', 'VDI.create'], ['pbd_destroy', 'PBD.destroy'], ['scan', 'scan']]],
    [
      'vm_operation_to_string',
      [['assert_operation_valid', 'assertoperationvalid'], ['data_source_op', 'data_sources_op'], ['start', 'start'], ['create_template', '(unknown operation)']],
    ],
  ]
  for (const [fn, pairs] of cases) {
    it(`${fn}: every constructor`, () => {
      for (const [v, out] of pairs) assert.equal(renderEnum(RU(fn), v), out, `${fn} ${v}`)
    })
  }

  it('hand-written tables cover every datamodel value of their enum', () => {
    const cover: Array<[string, string]> = [
      ['on_normal_exit_to_string', 'on_normal_exit'],
      ['on_crash_behaviour_to_string', 'on_crash_behaviour'],
      ['on_softreboot_behaviour_to_string', 'on_softreboot_behavior'],
      ['vdi_type_to_string', 'vdi_type'],
      ['bond_mode_to_string', 'bond_mode'],
      ['allocation_algorithm_to_string', 'allocation_algorithm'],
      ['pvs_proxy_status_to_string', 'pvs_proxy_status'],
      ['tristate_to_string', 'tristate_type'],
      ['domain_type_to_string', 'domain_type'],
      ['vm_placement_policy_to_string', 'placement_policy'],
      ['protocol_to_string', 'console_protocol'],
      ['vbd_mode_to_string', 'vbd_mode'],
      ['host_operation_to_string', 'host_allowed_operations'],
      ['sr_operation_to_string', 'storage_operations'],
    ]
    for (const [fn, e] of cover) for (const v of DATAMODEL_ENUMS[e]!) assert.doesNotThrow(() => renderEnum(RU(fn), v), `${fn} ${v}`)
  })

  it('generated to_string functions print the datamodel name unchanged', () => {
    const generated: Array<[string, string]> = [
      ['cls_to_string', 'cls'],
      ['certificate_type_to_string', 'certificate_type'],
      ['host_display_to_string', 'host_display'],
      ['host_ntp_mode_to_string', 'host_ntp_mode'],
      ['host_numa_affinity_policy_to_string', 'host_numa_affinity_policy'],
      ['ip_configuration_mode_to_string', 'ip_configuration_mode'],
      ['ipv6_configuration_mode_to_string', 'ipv6_configuration_mode'],
      ['latest_synced_updates_applied_state_to_string', 'latest_synced_updates_applied_state'],
      ['network_default_locking_mode_to_string', 'network_default_locking_mode'],
      ['on_boot_to_string', 'on_boot'],
      ['origin_to_string', 'origin'],
      ['pci_dom0_access_to_string', 'pci_dom0_access'],
      ['pif_igmp_status_to_string', 'pif_igmp_status'],
      ['primary_address_type_to_string', 'primary_address_type'],
      ['sdn_controller_protocol_to_string', 'sdn_controller_protocol'],
      ['task_status_type_to_string', 'task_status_type'],
      ['telemetry_frequency_to_string', 'telemetry_frequency'],
      ['tunnel_protocol_to_string', 'tunnel_protocol'],
      ['update_sync_frequency_to_string', 'update_sync_frequency'],
      ['vif_ipv4_configuration_mode_to_string', 'vif_ipv4_configuration_mode'],
      ['vif_ipv6_configuration_mode_to_string', 'vif_ipv6_configuration_mode'],
      ['vif_locking_mode_to_string', 'vif_locking_mode'],
      ['vm_secureboot_certificates_state_to_string', 'vm_secureboot_certificates_state'],
      ['vmss_frequency_to_string', 'vmss_frequency'],
      ['vmss_type_to_string', 'vmss_type'],
      ['cluster_operation_to_string', 'cluster_operation'],
    ]
    for (const [fn, e] of generated) for (const v of DATAMODEL_ENUMS[e]!) assert.equal(renderEnum(RU(fn), v), v, `${fn} ${v}`)
    // Identity also for values the local schema knows but the reference commit does not.
    assert.equal(renderEnum(RU('vm_secureboot_certificates_state_to_string'), 'not_applicable'), 'not_applicable')
  })

  it('every render spec used by the record tables is supported', () => {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const fs = require('node:fs') as typeof import('node:fs')
    const path = require('node:path') as typeof import('node:path')
    const dir = path.resolve(__dirname, '../../../src/tables/records')
    const specs = new Set<string>()
    const sps = new Set<string>()
    const walk = (o: unknown): void => {
      if (Array.isArray(o)) o.forEach(walk)
      else if (o && typeof o === 'object') {
        const r = (o as Record<string, unknown>).r
        const sp = (o as Record<string, unknown>).sp
        if (typeof r === 'string' && r.startsWith('enum via ')) specs.add(r)
        if (typeof sp === 'string' && sp.startsWith('enum via ')) sps.add(sp)
        Object.values(o).forEach(walk)
      }
    }
    for (const f of fs.readdirSync(dir)) walk(JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')))
    assert.ok(specs.size > 30)
    for (const s of specs) {
      try {
        renderEnum(s, 'x-probe-not-a-value')
      } catch (e) {
        assert.doesNotMatch(String(e), /unsupported/, s)
      }
    }
    for (const s of sps) assert.throws(() => parseEnum(s, 'x-probe-not-a-value'), CliFailure, s)
  })

  it('rejects unknown specs and impossible values', () => {
    assert.throws(() => renderEnum(RU('no_such_enum_to_string'), 'a'), /unsupported render spec/)
    assert.throws(() => renderEnum(RU('on_normal_exit_to_string'), 'preserve'), /no case/)
  })
})

describe('enums: parseEnum', () => {
  const generated: Array<[string, string]> = [
    ['on_normal_exit_of_string', 'on_normal_exit'],
    ['on_crash_behaviour_of_string', 'on_crash_behaviour'],
    ['on_softreboot_behavior_of_string', 'on_softreboot_behavior'],
    ['vbd_mode_of_string', 'vbd_mode'],
    ['vbd_type_of_string', 'vbd_type'],
    ['vif_locking_mode_of_string', 'vif_locking_mode'],
    ['vmss_frequency_of_string', 'vmss_frequency'],
    ['vmss_type_of_string', 'vmss_type'],
    ['network_default_locking_mode_of_string', 'network_default_locking_mode'],
    ['on_boot_of_string', 'on_boot'],
    ['host_ntp_mode_of_string', 'host_ntp_mode'],
    ['host_numa_affinity_policy_of_string', 'host_numa_affinity_policy'],
    ['network_purpose_of_string', 'network_purpose'],
  ]
  for (const [fn, e] of generated) {
    it(`${fn}: every value, any ASCII case`, () => {
      for (const v of DATAMODEL_ENUMS[e]!) {
        assert.equal(parseEnum(RU(fn), v), v)
        assert.equal(parseEnum(RU(fn), v.toUpperCase()), v)
        assert.equal(parseEnum(RU(fn), v.toLowerCase()), v)
      }
    })
  }

  it('generated of_string failure: names in datamodel order, input lower-cased', () => {
    failsWith(() => parseEnum(RU('on_normal_exit_of_string'), 'Preserve'), "Expected one of 'destroy', 'restart', got preserve")
    failsWith(
      () => parseEnum(RU('on_crash_behaviour_of_string'), 'Core dump and destroy'),
      "Expected one of 'destroy', 'coredump_and_destroy', 'restart', 'coredump_and_restart', 'preserve', 'rename_restart', got core dump and destroy",
    )
    failsWith(
      () => parseEnum(RU('on_softreboot_behavior_of_string'), 'Soft reboot'),
      "Expected one of 'soft_reboot', 'destroy', 'restart', 'preserve', got soft reboot",
    )
    failsWith(() => parseEnum(RU('vbd_mode_of_string'), 'READ'), "Expected one of 'RO', 'RW', got read")
    failsWith(() => parseEnum(RU('vbd_type_of_string'), 'USB'), "Expected one of 'CD', 'Disk', 'Floppy', got usb")
    failsWith(
      () => parseEnum(RU('vif_locking_mode_of_string'), 'network-default'),
      "Expected one of 'network_default', 'locked', 'unlocked', 'disabled', got network-default",
    )
    failsWith(() => parseEnum(RU('vmss_frequency_of_string'), 'Monthly'), "Expected one of 'hourly', 'daily', 'weekly', got monthly")
    failsWith(() => parseEnum(RU('vmss_type_of_string'), 'x'), "Expected one of 'snapshot', 'checkpoint', 'snapshot_with_quiesce', got x")
    failsWith(() => parseEnum(RU('network_default_locking_mode_of_string'), 'LOCKED'), "Expected one of 'unlocked', 'disabled', got locked")
    failsWith(() => parseEnum(RU('on_boot_of_string'), ''), "Expected one of 'reset', 'persist', got ")
    failsWith(() => parseEnum(RU('host_ntp_mode_of_string'), 'NTP'), "Expected one of 'DHCP', 'Custom', 'Factory', 'Disabled', got ntp")
    failsWith(
      () => parseEnum(RU('host_numa_affinity_policy_of_string'), 'best-effort'),
      "Expected one of 'any', 'best_effort', 'default_policy', got best-effort",
    )
  })

  it('lower-casing is ASCII only (String.lowercase_ascii)', () => {
    failsWith(() => parseEnum(RU('on_normal_exit_of_string'), 'DÉSTROY'), "Expected one of 'destroy', 'restart', got dÉstroy")
  })

  it('allocation_algorithm_of_string: dashes only', () => {
    assert.equal(parseEnum(RU('allocation_algorithm_of_string'), 'depth-first'), 'depth_first')
    assert.equal(parseEnum(RU('allocation_algorithm_of_string'), 'Breadth-First'), 'breadth_first')
    failsWith(() => parseEnum(RU('allocation_algorithm_of_string'), 'Depth_First'), 'Invalid allocation algorithm. Got depth_first')
  })

  it('domain_type_of_string: no "unspecified", dashed pv-in-pvh', () => {
    for (const [i, o] of [['hvm', 'hvm'], ['PV', 'pv'], ['pv-in-pvh', 'pv_in_pvh'], ['PVH', 'pvh']]) assert.equal(parseEnum(RU('domain_type_of_string'), i!), o)
    failsWith(() => parseEnum(RU('domain_type_of_string'), 'Unspecified'), 'Invalid domain type. Got unspecified')
    failsWith(() => parseEnum(RU('domain_type_of_string'), 'pv_in_pvh'), 'Invalid domain type. Got pv_in_pvh')
  })

  it('the other hand-written parsers', () => {
    assert.equal(parseEnum(RU('bond_mode_of_string'), ''), 'balance-slb')
    assert.equal(parseEnum(RU('bond_mode_of_string'), 'Active-Backup'), 'active-backup')
    assert.equal(parseEnum(RU('bond_mode_of_string'), 'LACP'), 'lacp')
    failsWith(() => parseEnum(RU('bond_mode_of_string'), 'RR'), 'Invalid bond mode. Got rr')
    assert.equal(parseEnum(RU('vm_placement_policy_of_string'), 'Anti-Affinity'), 'anti_affinity')
    failsWith(() => parseEnum(RU('vm_placement_policy_of_string'), 'X'), 'Invalid VM placement policy, got x')
    assert.equal(parseEnum('Record_util.string_to_vdi_onboot', 'PERSIST'), 'persist')
    failsWith(() => parseEnum('Record_util.string_to_vdi_onboot', 'Keep'), "Expected 'persist' or 'reset', got Keep")
    assert.equal(parseEnum('Record_util.string_to_vm_operation', 'assertoperationvalid'), 'assert_operation_valid')
    failsWithXapi(() => parseEnum('Record_util.string_to_vm_operation', 'Start'), 'INVALID_VALUE', ['blocked_operation', 'Start'])
  })

  it('render then parse round trips where xe allows it', () => {
    const rt: Array<[string, string, string]> = [
      ['on_normal_exit_to_string', 'on_normal_exit_of_string', 'on_normal_exit'],
      ['domain_type_to_string', 'domain_type_of_string', 'domain_type'],
      ['allocation_algorithm_to_string', 'allocation_algorithm_of_string', 'allocation_algorithm'],
      ['vif_locking_mode_to_string', 'vif_locking_mode_of_string', 'vif_locking_mode'],
      ['host_ntp_mode_to_string', 'host_ntp_mode_of_string', 'host_ntp_mode'],
      ['host_numa_affinity_policy_to_string', 'host_numa_affinity_policy_of_string', 'host_numa_affinity_policy'],
      ['network_default_locking_mode_to_string', 'network_default_locking_mode_of_string', 'network_default_locking_mode'],
      ['on_boot_to_string', 'on_boot_of_string', 'on_boot'],
      ['vmss_frequency_to_string', 'vmss_frequency_of_string', 'vmss_frequency'],
      ['vmss_type_to_string', 'vmss_type_of_string', 'vmss_type'],
    ]
    for (const [r, p, e] of rt)
      for (const v of DATAMODEL_ENUMS[e]!) {
        if (e === 'domain_type' && v === 'unspecified') continue
        assert.equal(parseEnum(RU(p), renderEnum(RU(r), v)), v, `${e} ${v}`)
      }
    // "Core dump and destroy" / "Soft reboot" print but cannot be set back.
    assert.throws(() => parseEnum(RU('on_crash_behaviour_of_string'), renderEnum(RU('on_crash_behaviour_to_string'), 'rename_restart')), CliFailure)
  })
})

describe('enums: booleans', () => {
  it('parseBoolLoose: Record_util.bool_of_string via get_bool_param', () => {
    for (const t of ['true', 'TRUE', 't', 'T', 'yes', 'Yes', 'y', 'Y', '1']) assert.equal(parseBoolLoose('force', t), true, t)
    for (const f of ['false', 'False', 'f', 'no', 'NO', 'n', '0']) assert.equal(parseBoolLoose('force', f), false, f)
    failsWith(() => parseBoolLoose('force', 'On'), "Failed to parse parameter 'force': Expected 'true','t','yes','y','1','false','f','no','n','0' got On")
    failsWith(() => parseBoolLoose('live', ''), "Failed to parse parameter 'live': Expected 'true','t','yes','y','1','false','f','no','n','0' got ")
    failsWith(() => parseBoolLoose('live', ' true'), "Failed to parse parameter 'live': Expected 'true','t','yes','y','1','false','f','no','n','0' got  true")
  })
  it('parseBoolStrict: safe_bool_of_string', () => {
    assert.equal(parseBoolStrict('is-a-template', 'true'), true)
    assert.equal(parseBoolStrict('is-a-template', 'false'), false)
    for (const bad of ['True', 'yes', '1', '', 'true ']) {
      failsWith(() => parseBoolStrict('is-a-template', bad), "Failed to parse parameter 'is-a-template': expecting a boolean (true or false)")
    }
  })
  it('parseBoolRaw: Stdlib.bool_of_string caught by p_set', () => {
    assert.equal(parseBoolRaw('ha-always-run', 'true'), true)
    assert.equal(parseBoolRaw('ha-always-run', 'false'), false)
    failsWith(() => parseBoolRaw('ha-always-run', 'yes'), 'Parameter ha-always-run must be a boolean (true or false)')
  })
})

describe('enums: Int64.of_string', () => {
  const ok: Array<[string, bigint]> = [
    ['0', 0n],
    ['42', 42n],
    ['+5', 5n],
    ['-5', -5n],
    ['007', 7n],
    ['1_000', 1000n],
    ['1__0_', 10n],
    ['0x10', 16n],
    ['0X1f', 31n],
    ['-0x1', -1n],
    ['0o17', 15n],
    ['0O17', 15n],
    ['0b101', 5n],
    ['0B11', 3n],
    ['0u42', 42n],
    ['9223372036854775807', 9223372036854775807n],
    ['-9223372036854775808', -9223372036854775808n],
    ['0xFFFFFFFFFFFFFFFF', -1n],
    ['0x8000000000000000', -9223372036854775808n],
    ['0u18446744073709551615', -1n],
    ['-0xFFFFFFFFFFFFFFFF', 1n],
  ]
  for (const [s, v] of ok) it(`accepts ${JSON.stringify(s)}`, () => assert.equal(ocamlInt64OfString(s), v))
  const bad = ['', '-', '+', ' 1', '1 ', '1.0', '1e3', '_1', '0x', '0x_1', '0xg', '9223372036854775808', '-9223372036854775809', '0x10000000000000000', '0o8', '0b2', '12a', '--1', '+-1', '1k', '\u0661']
  for (const s of bad) it(`rejects ${JSON.stringify(s)}`, () => assert.equal(ocamlInt64OfString(s), undefined))

  it('parseInt64: safe_i64_of_string', () => {
    assert.equal(parseInt64('VCPUs-max', '4'), 4)
    assert.equal(parseInt64Big('order', '9223372036854775807'), 9223372036854775807n)
    failsWith(() => parseInt64('VCPUs-max', 'four'), "Failed to parse parameter 'VCPUs-max': expecting an integer")
    failsWith(() => parseInt64('value', ''), "Failed to parse parameter 'value': expecting an integer")
  })
  it('parseInt64Raw: uncaught Failure "Int64.of_string" -> INTERNAL_ERROR', () => {
    assert.equal(parseInt64Raw('MTU', '9000'), 9000)
    failsWithXapi(() => parseInt64Raw('MTU', 'big'), 'INTERNAL_ERROR', ['Failure: Int64.of_string'])
  })
})

describe('enums: float_of_string', () => {
  const ok: Array<[string, number]> = [
    ['1', 1],
    ['1.5', 1.5],
    ['-2.25', -2.25],
    ['+.5', 0.5],
    ['1.', 1],
    ['1e3', 1000],
    ['1E-2', 0.01],
    ['1_000.5', 1000.5],
    ['  2', 2],
    ['\t3', 3],
    ['0x1p3', 8],
    ['-0x1.8p1', -3],
    ['0xA', 10],
    ['0x.8', 0.5],
    ['0x1p 3', 8],
    [' 0x10', 16],
    ['inf', Infinity],
    ['-Infinity', -Infinity],
    ['1e400', Infinity],
  ]
  for (const [s, v] of ok) it(`accepts ${JSON.stringify(s)}`, () => assert.equal(ocamlFloatOfString(s), v))
  it('accepts nan forms', () => {
    for (const s of ['nan', 'NaN', '-nan', 'nan(123)', ' NAN']) assert.ok(Number.isNaN(ocamlFloatOfString(s)), s)
  })
  it('keeps negative zero', () => assert.ok(Object.is(ocamlFloatOfString('-0'), -0)))
  const bad = ['', '_', '.', '1e', '1e+', 'e5', '2 ', '1,5', 'abc', '0x', '0x.', '0x1p', '0xg', ' 0x', 'infinit', 'nan(', '- 1', '1.5.2']
  for (const s of bad) it(`rejects ${JSON.stringify(s)}`, () => assert.equal(ocamlFloatOfString(s), undefined))

  it('parseFloatParam: p_set message', () => {
    assert.equal(parseFloatParam('HVM-shadow-multiplier', '1.5'), 1.5)
    failsWith(() => parseFloatParam('HVM-shadow-multiplier', 'x'), 'Parameter HVM-shadow-multiplier must be a floating-point number')
  })
})

describe('enums: bytes_of_string', () => {
  const G = 1n << 30n
  const ok: Array<[string, bigint]> = [
    ['0', 0n],
    ['1024', 1024n],
    ['10b', 10n],
    ['10bytes', 10n],
    ['10 BYTES', 10n],
    ['1k', 1024n],
    ['1KB', 1024n],
    ['1KiB', 1024n],
    ['512m', 512n << 20n],
    ['512 MiB', 512n << 20n],
    ['1G', G],
    ['1gb', G],
    ['2 GiB', 2n * G],
    ['1t', 1n << 40n],
    ['1TiB', 1n << 40n],
    ['1\tG', G],
    ['1\n\r G', G],
    ['+5k', 5120n],
    ['-0', 0n],
    ['1_024', 1024n],
    ['1G trailing words', G],
    ['1 ', 1n],
    ['8589934592G', -9223372036854775808n],
  ]
  for (const [s, v] of ok) it(`accepts ${JSON.stringify(s)}`, () => assert.equal(bytesOfString(s), v))
  const bad = ['', ' 1G', '-1', '-1G', 'G', '1x', '1 2', '1.5G', '0x10', '1_000_000_000_000_000_000_000', '9223372036854775808', '+', '1kibi', '1\u000bG', 'constructor', '1constructor']
  for (const s of bad) it(`rejects ${JSON.stringify(s)}`, () => assert.equal(bytesOfString(s), undefined))

  it('parseBytes: message names the field and echoes the text', () => {
    assert.equal(parseBytes('memory-static-max', '2GiB'), 2147483648)
    assert.equal(parseBytesBig('memory-static-max', '1T'), 1n << 40n)
    failsWith(
      () => parseBytes('memory-static-max', '2 Gigs'),
      "Failed to parse field 'memory-static-max': expecting an integer (possibly with suffix KiB, MiB, GiB, TiB), got '2 Gigs'",
    )
    failsWith(() => parseBytes('virtual-size', ''), "Failed to parse field 'virtual-size': expecting an integer (possibly with suffix KiB, MiB, GiB, TiB), got ''")
  })
})

describe('enums: xeFloat (%.3f)', () => {
  const cases: Array<[number, string]> = [
    [0, '0.000'],
    [-0, '-0.000'],
    [1, '1.000'],
    [1.5, '1.500'],
    [-1.5, '-1.500'],
    [-0.0001, '-0.000'],
    [0.0625, '0.062'], // exact tie: to even
    [0.1875, '0.188'], // exact tie: to even
    [2.0625, '2.062'],
    [0.0005, '0.001'], // the double is slightly above the tie
    [1.0005, '1.000'], // the double is slightly below the tie
    [123456.789, '123456.789'],
    [1e21, '1000000000000000000000.000'],
    [2 ** 70, '1180591620717411303424.000'],
    [5e-324, '0.000'],
    [Infinity, 'inf'],
    [-Infinity, '-inf'],
    [NaN, 'nan'],
  ]
  for (const [v, s] of cases) it(`${String(v)} -> ${s}`, () => assert.equal(xeFloat(v), s))
  it('negative NaN prints -nan', () => {
    const dv = new DataView(new ArrayBuffer(8))
    dv.setUint32(0, 0xfff80000)
    dv.setUint32(4, 0)
    const n = dv.getFloat64(0)
    // Only meaningful where the engine keeps the sign bit of this NaN.
    const kept = new DataView(new ArrayBuffer(8))
    kept.setFloat64(0, n)
    if (kept.getUint8(0) & 0x80) assert.equal(xeFloat(n), '-nan')
  })
})

describe('enums: parseForSet (records.ml setter parsers)', () => {
  it('int64: safe by default, raw for the four direct Int64.of_string setters', () => {
    assert.equal(parseForSet('VCPUs-max', 'int64', '2'), 2)
    failsWith(() => parseForSet('VCPUs-max', 'int64', '2x'), "Failed to parse parameter 'VCPUs-max': expecting an integer")
    for (const f of ['MTU', 'ha-host-failures-to-tolerate', 'ext-auth-cache-size', 'ext-auth-cache-expiry']) {
      failsWithXapi(() => parseForSet(f, 'int64', 'x'), 'INTERNAL_ERROR', ['Failure: Int64.of_string'])
    }
  })
  it('VIF trunks: comma list, each parsed as "value"', () => {
    assert.deepEqual(parseForSet('trunks', 'int64', '1,2,0x10'), [1, 2, 16])
    assert.deepEqual(parseForSet('trunks', 'int64', ''), [])
    failsWith(() => parseForSet('trunks', 'int64', '1,,2'), "Failed to parse parameter 'value': expecting an integer")
  })
  it('bool: raw fields vs safe fields', () => {
    failsWith(() => parseForSet('ha-always-run', 'bool', 'yes'), 'Parameter ha-always-run must be a boolean (true or false)')
    failsWith(() => parseForSet('allow-caching', 'bool', 'TRUE'), 'Parameter allow-caching must be a boolean (true or false)')
    failsWith(() => parseForSet('https-only', 'bool', '1'), 'Parameter https-only must be a boolean (true or false)')
    failsWith(
      () => parseForSet('is-a-template', 'bool (OCaml bool_of_string: exactly "true"/"false")', 'yes'),
      "Failed to parse parameter 'is-a-template': expecting a boolean (true or false)",
    )
    assert.equal(parseForSet('shared', 'bool (OCaml bool_of_string: exactly "true"/"false")', 'true'), true)
  })
  it('float, bytes, enum', () => {
    assert.equal(parseForSet('HVM-shadow-multiplier', 'float', '2'), 2)
    failsWith(() => parseForSet('fill-rate', 'float', ''), 'Parameter fill-rate must be a floating-point number')
    assert.equal(parseForSet('memory-static-max', 'bytes with optional suffix (b|bytes|k|kb|kib|m|mb|mib|g|gb|gib|t|tb|tib)', '1G'), 1073741824)
    assert.equal(parseForSet('actions-after-crash', 'enum via Record_util.on_crash_behaviour_of_string', 'Preserve'), 'preserve')
    assert.throws(() => parseForSet('suspend-SR', 'uuid of SR', 'x'), /does not handle/)
  })
})
