// Field hooks of host, host-cpu, patch and update records.
import type { XObj } from '../../engine/db'
import { type Ref } from '../../engine/values'
import { queryHostDs } from '../../engine/rrd'
import * as host from '../../engine/host'
import { parseBoolRaw, parseBoolStrict, parseEnum, parseInt64Big, xeFloat } from '../enums'
import type { Rec } from '../records'
import { UNKNOWN, obj, refOrNull, type Hook } from './util'

// host (records.ml host_record)

const hostOf = (rec: Rec) => obj(rec, 'host')

/** Host.patches: the uuid of each host_patch's pool_patch (Pool_patch.get_uuid: HANDLE_INVALID if dangling). */
function hostPatches(rec: Rec): string[] {
  return rec.db.referrers('host_patch', 'host', rec.obj.ref).map((hp) => rec.db.get(rec.db.get(hp.ref, 'host_patch').f.pool_patch, 'pool_patch').f.uuid)
}
/** Host.updates: Pool_update.get_uuid of each. */
function hostUpdates(rec: Rec): string[] {
  return hostOf(rec).f.updates.map((u) => rec.db.get(u, 'pool_update').f.uuid)
}

const hostHooks: Record<string, Hook> = {
  'suspend-image-sr-uuid': { set: refOrNull('SR', 'suspend_image_sr') },
  'crash-dump-sr-uuid': { set: refOrNull('SR', 'crash_dump_sr') },
  // Host.compute_free_memory (expensive)
  'memory-free-computed': { get: (rec) => String(host.computeFreeMemory(rec.db, hostOf(rec))) },
  patches: { get: (rec) => hostPatches(rec).join(', '), getSet: hostPatches },
  updates: { get: (rec) => hostUpdates(rec).join(', '), getSet: hostUpdates },
  'https-only': { set: (rec, _f, text) => host.setHttpsOnly(rec.db, hostOf(rec), parseBoolRaw('https-only', text)) },
  iscsi_iqn: { set: (rec, _f, text) => host.setIscsiIqn(rec.db, hostOf(rec), text) },
  multipathing: { set: (rec, _f, text) => host.setMultipathing(rec.db, hostOf(rec), parseBoolStrict('multipathing', text)) },
  'ssl-legacy': { set: (rec, _f, text) => host.setSslLegacy(rec.db, hostOf(rec), parseBoolStrict('ssl-legacy', text)) },
  'uefi-certificates': { set: () => host.setUefiCertificates() },
  'ssh-enabled-timeout': { set: (rec, _f, text) => host.setSshEnabledTimeout(rec.db, hostOf(rec), parseInt64Big('ssh-enabled-timeout', text)) },
  'console-idle-timeout': { set: (rec, _f, text) => host.setConsoleIdleTimeout(rec.db, hostOf(rec), parseInt64Big('console-idle-timeout', text)) },
  'ssh-auto-mode': { set: (rec, _f, text) => host.setSshAutoMode(rec.db, hostOf(rec), parseBoolStrict('ssh-auto-mode', text)) },
  'max-cstate': { set: (rec, _f, text) => host.setMaxCstate(rec.db, hostOf(rec), text) },
  'ntp-mode': {
    set: (rec, f, text) => host.setNtpMode(rec.db, hostOf(rec), parseEnum(f.spec.sp!, text) as XObj<'host'>['f']['ntp_mode']),
  },
  // split on ',', trimmed, empty names dropped
  'ntp-custom-servers': {
    set: (rec, _f, text) => host.setNtpCustomServers(rec.db, hostOf(rec), text.split(',').map((s) => s.trim()).filter((s) => s !== '')),
  },
}

// ---------------------------------------------------------------------------------------------------------
// patches and updates (records.ml pool_patch_record, pool_update_record): hosts by Host.get_uuid, guidance by
// name, both joined ", " (compatibility joiner)

const patchHooks: Record<string, Hook> = {
  // Host_patch.get_host of each host_patch, then Host.get_uuid (HANDLE_INVALID if one is gone)
  hosts: {
    getSet: (rec) => (rec.db.field(rec.obj, 'host_patches') as Ref[]).map((hp) => rec.db.get(rec.db.get(hp, 'host_patch').f.host, 'host').f.uuid),
  },
  'after-apply-guidance': { getSet: (rec) => [...obj(rec, 'pool_patch').f.after_apply_guidance] },
}
const updateHooks: Record<string, Hook> = {
  hosts: { getSet: (rec) => obj(rec, 'pool_update').f.hosts.map((h) => rec.db.get(h, 'host').f.uuid) },
  'after-apply-guidance': { getSet: (rec) => [...obj(rec, 'pool_update').f.after_apply_guidance] },
}

// ---------------------------------------------------------------------------------------------------------
// host_cpu: Host.query_data_source "cpu<N>" as %.3f (an idle host: 0.000), "<unknown>" on failure

const hostCpuHooks: Record<string, Hook> = {
  utilisation: {
    get(rec) {
      try {
        const c = obj(rec, 'host_cpu')
        return xeFloat(queryHostDs(rec.db, rec.db.get(c.f.host, 'host'), `cpu${c.f.number}`))
      } catch {
        return UNKNOWN
      }
    },
  },
}


/** Hooks by datamodel class, then CLI field name. */
export const HOOKS: Record<string, Record<string, Hook>> = {
  host: hostHooks,
  host_cpu: hostCpuHooks,
  pool_patch: patchHooks,
  pool_update: updateHooks,
}
