// Field hooks of the remaining records: RBAC, schedules, GPUs, PCI, drivers, vTPM, rate limits.
import type { Db, XObj } from '../../engine/db'
import { NULL_REF, type Ref } from '../../engine/values'
import type { Rec } from '../records'
import { uuidOf } from '../records'
import { NID, obj, related, semi, bool, cFixed, type Hook } from './util'

// RBAC, schedules, GPUs, PCI, drivers, vTPM

const subjectHooks: Record<string, Hook> = {
  // Subject.get_roles, each by Role.get_name_label (<not in database> for one that cannot be read)
  roles: { getSet: (rec) => obj(rec, 'subject').f.roles.map((r) => related(rec.db, r, 'role')?.f.name_label ?? NID) },
}

const vmssHooks: Record<string, Hook> = {
  // VMSS.get_VMs, each by VM.get_uuid
  VMs: { getSet: (rec) => (rec.db.field(rec.obj, 'VMs') as Ref[]).map((r) => related(rec.db, r, 'VM')?.f.uuid ?? NID) },
}

/** PCI.dependencies shown by pci_id (PCI.get_record of each: HANDLE_INVALID if one is dangling). */
function pciDependencies(db: Db, pciRef: Ref): string[] {
  return db.get(pciRef, 'PCI').f.dependencies.map((d) => db.get(d, 'PCI').f.pci_id)
}

const pciHooks: Record<string, Hook> = {
  dependencies: { getSet: (rec) => pciDependencies(rec.db, rec.obj.ref) },
}
const pgpuHooks: Record<string, Hook> = {
  dependencies: { getSet: (rec) => pciDependencies(rec.db, obj(rec, 'PGPU').f.PCI) },
}

const gpuGroupHooks: Record<string, Hook> = {
  // GPU_group.get_enabled_VGPU_types / get_supported_VGPU_types (kept up to date from the group's PGPUs)
  'enabled-VGPU-types': { get: (rec) => semi(obj(rec, 'GPU_group').f.enabled_VGPU_types.map((r) => uuidOf(rec.db, r))) },
  'supported-VGPU-types': { get: (rec) => semi(obj(rec, 'GPU_group').f.supported_VGPU_types.map((r) => uuidOf(rec.db, r))) },
}

const vgpuTypeHooks: Record<string, Hook> = {
  'max-resolution': { get: (rec) => `${obj(rec, 'VGPU_type').f.max_resolution_x}x${obj(rec, 'VGPU_type').f.max_resolution_y}` },
}

const vgpuHooks: Record<string, Hook> = {
  // VGPU_type.get_model_name, <not in database> if the type cannot be read
  'type-model-name': { get: (rec) => related(rec.db, obj(rec, 'VGPU').f.type, 'VGPU_type')?.f.model_name ?? NID },
  // each key with the length of its value in bytes
  'compatibility-metadata': {
    get: (rec) => semi(obj(rec, 'VGPU').f.compatibility_metadata.map(([k, v]) => `${k}:(${Buffer.byteLength(v, 'utf8')} bytes)`)),
  },
}

/** The driver of a variant (Host_driver.get_record: HANDLE_INVALID if it is gone). */
const driverOf = (rec: Rec) => rec.db.get(obj(rec, 'Driver_variant').f.driver, 'Host_driver')
const variantHooks: Record<string, Hook> = {
  priority: { get: (rec) => cFixed(obj(rec, 'Driver_variant').f.priority, 1, 5) },
  active: { get: (rec) => bool(driverOf(rec).f.active_variant === rec.obj.ref) },
  selected: { get: (rec) => bool(driverOf(rec).f.selected_variant === rec.obj.ref) },
  'driver-name': { get: (rec) => driverOf(rec).f.name },
  'host-uuid': {
    get(rec) {
      try {
        return uuidOf(rec.db, driverOf(rec).f.host)
      } catch {
        return NID
      }
    },
  },
}

/** Host_driver.get_variants, highest priority first (a stable sort). */
function variantsOf(rec: Rec): Array<XObj<'Driver_variant'>> {
  return (rec.db.field(rec.obj, 'variants') as Ref[])
    .map((r) => rec.db.get(r, 'Driver_variant'))
    .map((v, i) => [v, i] as const)
    .sort((a, b) => b[0].f.priority - a[0].f.priority || a[1] - b[1])
    .map(([v]) => v)
}
const variantName = (rec: Rec, ref: Ref) => variantsOf(rec).find((v) => v.ref === ref)?.f.name ?? '<none>'
const hostDriverHooks: Record<string, Hook> = {
  'active-variant': { get: (rec) => variantName(rec, obj(rec, 'Host_driver').f.active_variant) },
  'selected-variant': { get: (rec) => variantName(rec, obj(rec, 'Host_driver').f.selected_variant) },
  variants: { get: (rec) => semi(variantsOf(rec).map((v) => `${v.f.name}/${v.f.version}`)) },
  'variants-dev-status': { get: (rec) => semi(variantsOf(rec).map((v) => `${v.f.name}=${v.f.status}`)) },
  'variants-uuid': { get: (rec) => semi(variantsOf(rec).map((v) => `${v.f.name}/${v.f.uuid}`)) },
  'variants-hw-present': { get: (rec) => semi(variantsOf(rec).filter((v) => v.f.hardware_present).map((v) => v.f.name)) },
}

const vtpmHooks: Record<string, Hook> = {
  // VTPM.get_contents (the value of its internal `contents` secret): its MD5 and its length in bytes
  secret: {
    get(rec) {
      const secretRef = (obj(rec, 'VTPM').f as { contents?: Ref }).contents ?? NULL_REF
      const value = rec.db.get(secretRef, 'secret').f.value
      return `MD5=${(require('node:crypto') as typeof import('node:crypto')).createHash('md5').update(value, 'utf8').digest('hex')} size=${Buffer.byteLength(value, 'utf8')} bytes`
    },
  },
}

const rateLimitHooks: Record<string, Hook> = {
  // the callers' references themselves (Ref.string_of), not their uuids
  callers: { getSet: (rec) => [...(rec.db.field(rec.obj, 'callers') as Ref[])] },
}


/** Hooks by datamodel class, then CLI field name. */
export const HOOKS: Record<string, Record<string, Hook>> = {
  subject: subjectHooks,
  VMSS: vmssHooks,
  PCI: pciHooks,
  PGPU: pgpuHooks,
  GPU_group: gpuGroupHooks,
  VGPU_type: vgpuTypeHooks,
  VGPU: vgpuHooks,
  Driver_variant: variantHooks,
  Host_driver: hostDriverHooks,
  VTPM: vtpmHooks,
  Rate_limit: rateLimitHooks,
}
