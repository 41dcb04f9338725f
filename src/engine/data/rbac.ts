// The static RBAC roles (xen-api ocaml/idl/datamodel_roles.ml; ids from ocaml_backend/gen_rbac.ml).
// xapi serves roles from a generated table, not from its database: role uuids are the MD5 digest of the
// role name read as a uuid (pool-admin's, Constants.rbac_pool_admin_uuid, is the same value), and a role's
// ref is "OpaqueRef:" ^ uuid. The ~1800 permission roles (subroles of these, one per API call / keyed
// setter / HTTP action, description "A basic permission") are generated from the whole datamodel and are
// not reproduced here: subroles stay empty.

export interface RoleDef {
  uuid: string
  name_label: string
  name_description: string
  is_internal: boolean
}

/** In decreasing order of privilege, as datamodel_roles.ml lists them. */
export const ROLES: RoleDef[] = [
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
    uuid: '2c42debf-c64a-2ecd-f674-3350f06409f7',
    name_label: 'client-cert',
    name_description:
      'The Client Certificate role has access to functionality granted to those who authenticate using a client certificate',
    is_internal: true,
  },
  {
    uuid: '7233b8e3-eacb-d7da-2c95-f2e581cdbf4e',
    name_label: 'read-only',
    name_description: 'The Read-Only role can log in with basic read-only access',
    is_internal: false,
  },
]
