// The static RBAC roles. xapi does not keep roles in its database: Xapi_role (ocaml/xapi/xapi_role.ml)
// serves them from Rbac_static, a module generated at build time by ocaml/idl/ocaml_backend/gen_rbac.ml,
// and get_all answers Rbac_static.all_static_permissions @ Rbac_static.all_static_roles.
//
//  * Composite roles (datamodel_roles.ml `ordered`: name, description, is_internal): uuid = the MD5 digest
//    of the name read as a uuid (pool-admin's, Constants.rbac_pool_admin_uuid, is the same value); subroles =
//    their permissions.
//  * Permissions, one per client-side API call (implicit getters/setters and hidden calls included), keyed
//    setter (`VM.add_to_other_config/key:folder`), HTTP action (`http/get_export`) and extra permission
//    (`task.destroy/any`): uuid = MD5 of the wire name as spelt (`VM.start`), name_label = that name in
//    lower case (`vm.start`), description "A basic permission", no subroles, is_internal true. A message
//    grants its permission to the roles the datamodel lists for it (msg_allowed_roles, map_keys_roles,
//    the http_actions and extra_permissions tables); permissions granted to no role (local root only) are
//    not served. all_static_permissions is pool-admin's list, which holds every served permission.
//  * A role's ref is "OpaqueRef:" ^ uuid.
// The permission table (src/tables/rbac.json) is transcribed from xapi's rbac_static.csv by
// scripts/gen-rbac.mjs; it also gives the order of the composite roles, which `xe role-list` prints
// (get_all_records_where "subroles<>[]" answers all_static_roles as is).
import type { Db } from '../db'
import { table } from '../tables'

export interface RoleDef {
  uuid: string
  name_label: string
  name_description: string
  is_internal: boolean
}

/** The composite roles, in Rbac_static.all_static_roles order (the order `xe role-list` prints them in). */
export const ROLES: RoleDef[] = [
  {
    uuid: '7955168d-7bec-10ed-105f-c6a7e6e63249',
    name_label: 'vm-power-admin',
    name_description:
      'The VM Power Administrator role has full access to VM and template management and can choose where to start VMs and use the dynamic memory control and VM snapshot features',
    is_internal: false,
  },
  {
    uuid: 'aaa00ab5-7340-bfbc-0d1b-7cf342639a6e',
    name_label: 'vm-admin',
    name_description: 'The VM Administrator role can manage VMs and templates',
    is_internal: false,
  },
  {
    uuid: 'fb8d4ff9-310c-a959-0613-54101535d3d5',
    name_label: 'vm-operator',
    name_description: 'The VM Operator role can use VMs and interact with VM consoles',
    is_internal: false,
  },
  {
    uuid: '7233b8e3-eacb-d7da-2c95-f2e581cdbf4e',
    name_label: 'read-only',
    name_description: 'The Read-Only role can log in with basic read-only access',
    is_internal: false,
  },
  {
    uuid: '2c42debf-c64a-2ecd-f674-3350f06409f7',
    name_label: 'client-cert',
    name_description:
      'The Client Certificate role has access to functionality granted to those who authenticate using a client certificate',
    is_internal: true,
  },
  {
    uuid: '0165f154-ba3e-034e-6b27-5d271af109ba',
    name_label: 'pool-admin',
    name_description:
      'The Pool Administrator role has full access to all features and settings, including accessing Dom0 and managing subjects, roles and external authentication',
    is_internal: false,
  },
  {
    uuid: 'b9ce9791-0604-50cd-0649-09b3284c7dfd',
    name_label: 'pool-operator',
    name_description:
      'The Pool Operator role manages host- and pool-wide resources, including setting up storage, creating resource pools and managing patches, high availability (HA) and workload balancing (WLB)',
    is_internal: false,
  },
]

export const PERMISSION_DESCRIPTION = 'A basic permission'

interface RbacTable {
  /** role of each mask bit (bit i = columns[i]), in datamodel_roles.ml `ordered` order */
  columns: string[]
  /** the composite roles in all_static_roles order */
  roles: string[]
  /** runs of permissions sharing a prefix: [prefix, [rest, mask, rest, mask, …]], in get_all order */
  permissions: Array<[string, Array<string | number>]>
}

export interface Permission {
  /** the wire name as spelt in the datamodel (its MD5 is the uuid) */
  name: string
  /** bit i set when the composite role columns[i] holds it */
  mask: number
}

/** Every served permission, in Rbac_static.all_static_permissions order, with the roles holding it. */
export function permissions(): { columns: string[]; roles: string[]; list: Permission[] } {
  const t = table<RbacTable>('rbac.json')
  const list: Permission[] = []
  for (const [prefix, run] of t.permissions) {
    for (let i = 0; i < run.length; i += 2) list.push({ name: prefix + (run[i] as string), mask: run[i + 1] as number })
  }
  return { columns: t.columns, roles: t.roles, list }
}

/** gen_rbac.ml hash2uuid: the MD5 digest of the name, printed as a uuid. */
export function roleUuid(name: string): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const h = (require('node:crypto') as typeof import('node:crypto')).hash('md5', name)
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`
}

/** Creates the role objects in get_all order: the permissions, then the composite roles with their subroles. */
export function createRoles(db: Db): void {
  const { columns, roles, list } = permissions()
  const refs = list.map((p) => {
    const uuid = roleUuid(p.name)
    const ref = `OpaqueRef:${uuid}`
    db.create('role', { uuid, name_label: p.name.toLowerCase(), name_description: PERMISSION_DESCRIPTION, subroles: [], is_internal: true }, ref)
    return ref
  })
  for (const name of roles) {
    const r = ROLES.find((x) => x.name_label === name)!
    const bit = 1 << columns.indexOf(r.name_label)
    const subroles = refs.filter((_, i) => (list[i]!.mask & bit) !== 0)
    db.create('role', { ...r, subroles }, `OpaqueRef:${r.uuid}`)
  }
}
