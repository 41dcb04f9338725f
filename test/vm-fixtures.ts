// Test VMs for the power, memory and guest-metrics tests: xesim has no vm-install on this branch, so a VM is
// made with the engine as VM.create + a template's settings would leave it (VM_metrics, mac_seed,
// base_template_name), with a disk on Local storage, an empty CD drive and a VIF on the management network.
import { withWorld } from '../src/engine/world'
import { tmpHome } from './helpers'
import { createVdi } from '../src/engine/vdi'
import { createVbd } from '../src/engine/vbd'
import { createVif } from '../src/engine/vif'
import { updateAllowedOperations } from '../src/engine/vm-lifecycle'
import { updateMemoryOverhead } from '../src/engine/vm'
import { EPOCH } from '../src/engine/values'
import type { Db, XObj } from '../src/engine/db'

export const MiB = 1024 * 1024
export const GiB = 1024 * MiB

export interface VmSpec {
  name: string
  /** default template to copy settings from (default Debian Bookworm 12) */
  template?: string
  domain?: 'hvm' | 'pv'
  disk?: boolean
  cd?: boolean
  /** network bridges to put VIFs on (device 0, 1, …); default the management network */
  bridges?: string[]
  memory?: number
  vcpus?: number
  fields?: Partial<XObj<'VM'>['f']>
}

/** Makes the VM in an open transaction; returns it. */
export function makeVm(db: Db, s: VmSpec): XObj<'VM'> {
  const tpl = db.all('VM').find((v) => v.f.name_label === (s.template ?? 'Debian Bookworm 12'))!
  const metrics = db.create('VM_metrics', {
    memory_actual: 0, VCPUs_number: 0, VCPUs_utilisation: [['0', 0]], VCPUs_CPU: [], VCPUs_params: [], VCPUs_flags: [], state: [],
    start_time: EPOCH, install_time: EPOCH, last_updated: EPOCH, other_config: [], hvm: false, nested_virt: false, nomigrate: false,
    current_domain_type: 'unspecified',
  })
  const oc = tpl.f.other_config.filter(([k]) => !['default_template', 'import_task', 'mac_seed', 'disks'].includes(k))
  const mem = s.memory ?? 2 * GiB
  const vm = db.create('VM', {
    ...tpl.f,
    uuid: db.ids.uuid(),
    name_label: s.name,
    name_description: '',
    is_a_template: false,
    is_default_template: false,
    other_config: [['base_template_name', tpl.f.name_label], ['mac_seed', db.ids.uuid()], ...oc],
    metrics: metrics.ref,
    domain_type: s.domain ?? 'hvm',
    HVM_boot_policy: (s.domain ?? 'hvm') === 'hvm' ? tpl.f.HVM_boot_policy : '',
    memory_static_max: mem,
    memory_dynamic_max: mem,
    memory_dynamic_min: mem,
    memory_target: mem,
    VCPUs_max: s.vcpus ?? 1,
    VCPUs_at_startup: s.vcpus ?? 1,
    ...s.fields,
  })
  const sr = db.all('SR').find((x) => x.f.name_label === 'Local storage')!
  if (s.disk ?? true) {
    const vdi = createVdi(db, { sr, name_label: `${s.name} disk`, virtual_size: 10 * GiB })
    createVbd(db, { vm, vdi, userdevice: '0', bootable: true, other_config: [['owner', 'true']] })
  }
  if (s.cd ?? true) createVbd(db, { vm, userdevice: '3', type: 'CD', mode: 'RO', empty: true })
  ;(s.bridges ?? ['xenbr0']).forEach((bridge, i) => {
    const net = db.all('network').find((n) => n.f.bridge === bridge)!
    createVif(db, { vm, network: net, device: String(i) })
  })
  updateMemoryOverhead(db, vm)
  updateAllowedOperations(db, vm)
  return vm
}

/** Makes the VMs in the world at `home`; returns their uuids. */
export async function installVms(home: string, ...specs: VmSpec[]): Promise<string[]> {
  return withWorld(home, true, ({ db }) => specs.map((s) => makeVm(db, s).f.uuid))
}

/** Runs fn on the world at `home` (a write transaction). */
export function inWorld<T>(home: string, fn: (db: Db) => T): Promise<T> {
  return withWorld(home, true, ({ db }) => fn(db))
}

/**
 * A world seeded with `seed` (virtual clock from 2026-01-01T00:00:00Z, reproducible ids). Made with the engine:
 * `xe` run in-process reads XESIM_SEED from the process environment only.
 */
export async function seededWorld(seed: number): Promise<string> {
  const home = tmpHome()
  await withWorld(home, false, () => undefined, { ...process.env, XESIM_SEED: String(seed) })
  return home
}
