// Field hooks of storage and network records: SR, PIF, VIF, VBD, VDI, network, network-sriov.
import { XapiError } from '../../engine/errors'
import { NULL_REF, type Ref } from '../../engine/values'
import { srHost } from '../../engine/sr'
import { attachError } from '../../engine/vbd'
import { setPifProperty } from '../../engine/pif'
import { setBondProperty } from '../../engine/bond'
import { parseEnum, parseInt64Big } from '../enums'
import type { Rec } from '../records'
import { nameOf } from '../records'
import { NID, UNKNOWN, obj, related, printServerError, hostRate, vmRate, type Hook } from './util'

// SR, PIF, VIF, VBD, VDI, network-sriov

const srHooks: Record<string, Hook> = {
  // "<shared>" with several PBDs, else the name of the only PBD's host (<not in database> with none)
  host: {
    get(rec) {
      const sr = obj(rec, 'SR')
      if (rec.db.referrers('PBD', 'SR', sr.ref).length > 1) return '<shared>'
      return nameOf(rec.db, srHost(rec.db, sr))
    },
  },
}

const pifMetrics = (rec: Rec) => related(rec.db, obj(rec, 'PIF').f.metrics, 'PIF_metrics')
const pifHooks: Record<string, Hook> = {
  // Host.query_data_source "pif_<device>_rx|tx" / 1024
  io_read_kbs: { get: (rec) => hostRate(rec, (p) => `pif_${p.f.device}_rx`) },
  io_write_kbs: { get: (rec) => hostRate(rec, (p) => `pif_${p.f.device}_tx`) },
  speed: {
    get(rec) {
      const m = pifMetrics(rec)
      return m ? `${m.f.speed} Mbit/s` : NID
    },
  },
  duplex: {
    get(rec) {
      const m = pifMetrics(rec)
      return !m ? NID : m.f.duplex ? 'full' : m.f.carrier ? 'half' : 'unknown'
    },
  },
  // set_in_map: PIF.set_property
  properties: { addToMap: (rec, _f, k, v) => setPifProperty(rec.db, obj(rec, 'PIF'), k, v) },
}

const bondHooks: Record<string, Hook> = {
  // set_in_map: Bond.set_property
  properties: { addToMap: (rec, _f, k, v) => setBondProperty(rec.db, obj(rec, 'Bond'), k, v) },
}

const vifHooks: Record<string, Hook> = {
  io_read_kbs: { get: (rec) => vmRate(rec, obj(rec, 'VIF').f.VM, `vif_${obj(rec, 'VIF').f.device}_rx`) },
  io_write_kbs: { get: (rec) => vmRate(rec, obj(rec, 'VIF').f.VM, `vif_${obj(rec, 'VIF').f.device}_tx`) },
  // add/remove parse each member with safe_i64_of_string "value"
  trunks: {
    addToSet(rec, _f, member) {
      const v = Number(parseInt64Big('value', member))
      const vif = obj(rec, 'VIF')
      if (!vif.f.trunks.includes(v)) rec.db.set(vif, { trunks: [v, ...vif.f.trunks] })
    },
    removeFromSet(rec, _f, member) {
      const v = Number(parseInt64Big('value', member))
      const vif = obj(rec, 'VIF')
      rec.db.set(vif, { trunks: vif.f.trunks.filter((x) => x !== v) })
    },
  },
}

const vbdHooks: Record<string, Hook> = {
  'vdi-name-label': {
    get(rec) {
      const vbd = obj(rec, 'VBD')
      return vbd.f.empty ? '<EMPTY>' : nameOf(rec.db, vbd.f.VDI)
    },
  },
  // VBD.assert_attachable: "true", or "false (error: <the exception as OCaml prints it>)"
  attachable: {
    get(rec) {
      let e: XapiError | undefined
      try {
        e = attachError(rec.db, obj(rec, 'VBD'))
      } catch (x) {
        if (!(x instanceof XapiError)) throw x
        e = x
      }
      return e ? `false (error: ${printServerError(e)})` : 'true'
    },
  },
  io_read_kbs: { get: (rec) => vmRate(rec, obj(rec, 'VBD').f.VM, `vbd_${obj(rec, 'VBD').f.device}_read`) },
  io_write_kbs: { get: (rec) => vmRate(rec, obj(rec, 'VBD').f.VM, `vbd_${obj(rec, 'VBD').f.device}_write`) },
}

const vdiHooks: Record<string, Hook> = {
  // this pool's uuid for its own metadata VDIs; otherwise VDI.read_database_pool_uuid, which answers "" (shown
  // as <not in database>) unless the VDI was read as a foreign pool's database (not modelled)
  'metadata-of-pool': {
    get(rec) {
      const local = rec.db.all('pool')[0]
      const mine = obj(rec, 'VDI').f.metadata_of_pool
      return local && mine === local.ref ? local.f.uuid : NID
    },
  },
}

const sriovHooks: Record<string, Hook> = {
  // Network_sriov.get_remaining_capacity: the physical PIF's PCI virtual functions not attached to or
  // reserved for a VM; "<unknown>" when that cannot be read
  'remaining-capacity': {
    get(rec) {
      try {
        const pif = rec.db.get(obj(rec, 'network_sriov').f.physical_PIF, 'PIF')
        const pci = rec.db.get(pif.f.PCI, 'PCI')
        const vfs = (pci.f as { virtual_functions?: Ref[] }).virtual_functions ?? []
        const idle = vfs.filter((r) => {
          const vf = rec.db.get(r, 'PCI').f as { attached_VMs?: Ref[]; scheduled_to_be_attached_to?: Ref }
          return (vf.attached_VMs ?? []).length === 0 && (vf.scheduled_to_be_attached_to ?? NULL_REF) === NULL_REF
        })
        return String(idle.length)
      } catch {
        return UNKNOWN
      }
    },
  },
}

const networkHooks: Record<string, Hook> = {
  // members are parsed by network_purpose_of_string
  purpose: {
    addToSet(rec, f, member) {
      const v = parseEnum('enum via Record_util.network_purpose_of_string', member) as 'nbd' | 'insecure_nbd'
      const n = obj(rec, 'network')
      if (!n.f.purpose.includes(v)) rec.db.set(n, { purpose: [v, ...n.f.purpose] })
    },
    removeFromSet(rec, f, member) {
      const v = parseEnum('enum via Record_util.network_purpose_of_string', member)
      const n = obj(rec, 'network')
      rec.db.set(n, { purpose: n.f.purpose.filter((x) => x !== v) })
    },
  },
}


/** Hooks by datamodel class, then CLI field name. */
export const HOOKS: Record<string, Record<string, Hook>> = {
  SR: srHooks,
  PIF: pifHooks,
  Bond: bondHooks,
  VIF: vifHooks,
  VBD: vbdHooks,
  VDI: vdiHooks,
  network: networkHooks,
  network_sriov: sriovHooks,
}
