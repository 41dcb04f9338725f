// Field hooks of the VM records (vm, template, snapshot: records.ml vm_record).
import type { XObj } from '../../engine/db'
import { XapiError } from '../../engine/errors'
import { addToMap, removeFromMap } from '../../engine/fields'
import { type Ref, type XMap } from '../../engine/values'
import { queryVmDs } from '../../engine/rrd'
import { allowedVbdDevices, allowedVifDevices, possibleHosts, setBiosStrings, SETTABLE_BIOS_STRING_KEYS } from '../../engine/vm'
import {
  setHvmShadowMultiplier, setMemoryDynamicMax, setMemoryDynamicMin, setMemoryStaticMax, setMemoryStaticMin, setVcpusAtStartup, setVcpusMax,
} from '../../engine/vm-memory'
import { CliFailure } from '../failure'
import { parseBoolRaw, parseBytes, parseEnum, parseFloatParam, parseInt64, xeFloat } from '../enums'
import { setHaAlwaysRun, setHaRestartPriority } from '../../engine/ha'
import type { Rec } from '../records'
import { refsOfUuids, uuidOf } from '../records'
import { UNKNOWN, obj, related, semi, bool, refOrNull, vmMetric, type Hook } from './util'

// VM, template, snapshot (records.ml vm_record)

const vmOf = (rec: Rec) => obj(rec, 'VM')

/** VCPUs-utilisation: "<n>: <cpu n as %.3f>" for each of VM_metrics.VCPUs_number vCPUs; [] if any query fails. */
function vcpusUtilisation(rec: Rec): Array<[string, string]> {
  const vm = vmOf(rec)
  const m = related(rec.db, vm.f.metrics, 'VM_metrics')
  const n = m ? m.f.VCPUs_number : 0
  try {
    return Array.from({ length: n }, (_, i): [string, string] => [String(i), xeFloat(queryVmDs(rec.db, vm, `cpu${i}`))])
  } catch {
    return []
  }
}

/** VM_metrics.numa_node_memory as "node: bytes" pairs. */
const numaPairs = (m: XObj<'VM_metrics'>): Array<[string, string]> =>
  ((m.f as { numa_node_memory?: XMap<number> }).numa_node_memory ?? []).map(([k, v]) => [String(k), String(v)])

const VCPUS_PARAMS_KEYS = ['weight', 'cap', 'mask']
const VM_OP_PARSER = 'enum via Record_util.string_to_vm_operation'

// The memory-*, VCPUs-* and HVM-shadow-multiplier setters call the API setters records.ml wires them to, with
// their checks (operation and power state, §5.1 constraints, VCPU limits, dom0 rules; engine/vm-memory.ts). The
// domain-type and actions-after-* setters keep the generic parse-then-store path.
/** A setter that parses its value as records.ml does, then calls the VM API setter. */
const setter = <T>(parse: (field: string, text: string) => T, apply: (db: Rec['db'], vm: XObj<'VM'>, v: T) => void): Hook => ({
  set: (rec, f, text) => apply(rec.db, vmOf(rec), parse(f.name, text)),
})

const vmHooks: Record<string, Hook> = {
  // VM.set_ha_restart_priority (validated; keeps the HA plan) and the deprecated VM.set_ha_always_run (bool_of_string)
  'ha-restart-priority': setter((_f, text) => text, setHaRestartPriority),
  'ha-always-run': setter(parseBoolRaw, setHaAlwaysRun),
  // Record_util.bytes_of_string <field>, then VM.set_memory_static_max (→ set_memory_static_range) and so on
  'memory-static-max': setter(parseBytes, setMemoryStaticMax),
  'memory-static-min': setter(parseBytes, setMemoryStaticMin),
  'memory-dynamic-max': setter(parseBytes, setMemoryDynamicMax),
  'memory-dynamic-min': setter(parseBytes, setMemoryDynamicMin),
  // safe_i64_of_string <field>, then VM.set_VCPUs_max / set_VCPUs_at_startup
  'VCPUs-max': setter(parseInt64, setVcpusMax),
  'VCPUs-at-startup': setter(parseInt64, setVcpusAtStartup),
  // float_of_string, then VM.set_HVM_shadow_multiplier
  'HVM-shadow-multiplier': setter(parseFloatParam, setHvmShadowMultiplier),
  // VM.query_data_source "memory_target" (the balloon target): 0 for a VM that is not running (the call
  // fails with VM_BAD_POWER_STATE), "<unknown>" on any other failure
  'memory-target': {
    get(rec) {
      try {
        return String(Math.trunc(queryVmDs(rec.db, vmOf(rec), 'memory_target')))
      } catch (e) {
        return e instanceof XapiError && e.code === 'VM_BAD_POWER_STATE' ? '0' : UNKNOWN
      }
    },
  },
  // VM.get_allowed_VBD_devices / get_allowed_VIF_devices, [] if the call fails
  'allowed-VBD-devices': {
    getSet(rec) {
      try {
        return allowedVbdDevices(rec.db, vmOf(rec))
      } catch {
        return []
      }
    },
  },
  'allowed-VIF-devices': {
    getSet(rec) {
      try {
        return allowedVifDevices(rec.db, vmOf(rec))
      } catch {
        return []
      }
    },
  },
  // VM.get_possible_hosts as uuids (a display-only list: no get_set, so "( RO)")
  'possible-hosts': { get: (rec) => semi(possibleHosts(rec.db, vmOf(rec)).map((h) => uuidOf(rec.db, h))) },
  'VCPUs-utilisation': { getMap: vcpusUtilisation },
  // VM.get_cooperative always answers true (and records.ml says true when the call fails)
  cooperative: { get: () => 'true' },
  // the only quoted value xe prints (§3.3)
  'last-boot-record': { get: (rec) => `'${vmOf(rec).f.last_booted_record}'` },
  // VM_metrics fields that fall back to a plain value rather than <not in database>
  hvm: vmMetric('false', (m) => bool(m.f.hvm)),
  nomigrate: vmMetric('false', (m) => bool(m.f.nomigrate)),
  'nested-virt': vmMetric('false', (m) => bool(m.f.nested_virt)),
  'numa-optimised': vmMetric('false', (m) => bool(!!(m.f as { numa_optimised?: boolean }).numa_optimised)),
  'numa-nodes': vmMetric('0', (m) => String((m.f as { numa_nodes?: number }).numa_nodes ?? 0)),
  'numa-node-memory': {
    ...vmMetric('[]', (m) => numaPairs(m).map(([k, v]) => `${k}: ${v}`).join('; ')),
    getMap(rec) {
      const m = related(rec.db, vmOf(rec).f.metrics, 'VM_metrics')
      return m ? numaPairs(m) : []
    },
  },
  'start-time': vmMetric('<unknown time>', (m) => m.f.start_time),
  'install-time': vmMetric('<unknown time>', (m) => m.f.install_time),
  // only weight, cap and mask may be added (Record_failure otherwise)
  'VCPUs-params': {
    addToMap(rec, _f, k, v) {
      if (!VCPUS_PARAMS_KEYS.includes(k)) throw new CliFailure(`Failed to add parameter '${k}': expecting 'weight','cap' or 'mask'`)
      addToMap(rec.db, vmOf(rec), 'VCPUs_params', k, v)
    },
  },
  // set_map: every key of one command at once, each checked against the settable keys (Record_failure)
  'bios-strings': {
    setMap(rec, _f, pairs) {
      for (const [k] of pairs) {
        if (!SETTABLE_BIOS_STRING_KEYS.includes(k)) throw new CliFailure(`Unknown key '${k}': expecting ${SETTABLE_BIOS_STRING_KEYS.join(', ')}`)
      }
      setBiosStrings(rec.db, vmOf(rec), pairs)
    },
  },
  // keys are operation names as xe prints them (string_to_vm_operation: INVALID_VALUE for any other)
  'blocked-operations': {
    addToMap: (rec, _f, k, v) => addToMap(rec.db, vmOf(rec), 'blocked_operations', parseEnum(VM_OP_PARSER, k), v),
    removeFromMap: (rec, _f, k) => removeFromMap(rec.db, vmOf(rec), 'blocked_operations', parseEnum(VM_OP_PARSER, k)),
  },
  affinity: { set: refOrNull('host', 'affinity') },
  appliance: { set: refOrNull('VM_appliance', 'appliance') },
  // xapi also checks the VMSS feature and the policy's type (a later issue)
  'snapshot-schedule': { set: refOrNull('VMSS', 'snapshot_schedule') },
  // "" clears; otherwise comma-separated VM_group uuids (VM.set_groups' own checks: a later issue)
  groups: { set: (rec, _f, text) => rec.db.set(vmOf(rec), { groups: refsOfUuids(rec.db, 'VM_group', text, true) as Ref[] }) },
}


/** Hooks by datamodel class, then CLI field name. */
export const HOOKS: Record<string, Record<string, Hook>> = {
  VM: vmHooks,
}
