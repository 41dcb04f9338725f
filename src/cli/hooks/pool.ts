// Field hooks of the pool record (records.ml pool_record).
import * as host from '../../engine/host'
import { consistentHostField, licenseState, onEveryHost } from '../../engine/pool'
import { supportedTypes } from '../../engine/sr'
import { parseBoolRaw, parseBoolStrict, parseInt64Big, parseInt64Raw } from '../enums'
import { setHaHostFailuresToTolerate } from '../../engine/ha'
import { obj, semi, bool, refOrNull, type Hook } from './util'

// pool (records.ml pool_record)

const poolHooks: Record<string, Hook> = {
  // Pool.set_ha_host_failures_to_tolerate (Int64.of_string): not negative, must keep the HA plan
  'ha-host-failures-to-tolerate': { set: (rec, f, text) => setHaHostFailuresToTolerate(rec.db, parseInt64Raw(f.name, text)) },
  // "" clears the reference; otherwise SR.get_by_uuid (UUID_INVALID for an unknown uuid)
  'default-SR': { set: refOrNull('SR', 'default_SR') },
  'crash-dump-SR': { set: refOrNull('SR', 'crash_dump_SR') },
  'suspend-image-SR': { set: refOrNull('SR', 'suspend_image_SR') },
  // SR.get_supported_types, joined with "; "
  'supported-sr-types': { get: (rec) => semi(supportedTypes(rec.db)) },
  'vswitch-controller': { get: (rec) => obj(rec, 'pool').f.vswitch_controller || '<not set>' },
  // Pool.get_license_state, rendered as a map
  'license-state': { get: (rec) => licenseState(rec.db).map(([k, v]) => `${k}: ${v}`).join('; ') },
  // true only if every host is https-only; setting it sets every host (Stdlib.bool_of_string)
  'https-only': {
    get: (rec) => bool(rec.db.all('host').every((h) => h.f.https_only)),
    set(rec, _f, text) {
      const value = parseBoolRaw('https-only', text)
      for (const h of rec.db.all('host')) host.setHttpsOnly(rec.db, h, value)
    },
  },
  // get_consistent_field_or_default over the hosts: "<inconsistent>" when they differ
  'ssh-enabled': { get: (rec) => consistentHostField(rec.db, (h) => bool(h.f.ssh_enabled)) },
  'ssh-enabled-timeout': {
    get: (rec) => consistentHostField(rec.db, (h) => String(h.f.ssh_enabled_timeout)),
    set(rec, _f, text) {
      const v = parseInt64Big('ssh-enabled-timeout', text)
      onEveryHost(rec.db, 'SET_SSH_TIMEOUT_PARTIALLY_FAILED', (h) => host.setSshEnabledTimeout(rec.db, h, v))
    },
  },
  'ssh-expiry': { get: (rec) => consistentHostField(rec.db, (h) => h.f.ssh_expiry) },
  'console-idle-timeout': {
    get: (rec) => consistentHostField(rec.db, (h) => String(h.f.console_idle_timeout)),
    set(rec, _f, text) {
      const v = parseInt64Big('console-idle-timeout', text)
      onEveryHost(rec.db, 'SET_CONSOLE_TIMEOUT_PARTIALLY_FAILED', (h) => host.setConsoleIdleTimeout(rec.db, h, v))
    },
  },
  'ssh-auto-mode': {
    get: (rec) => consistentHostField(rec.db, (h) => bool(h.f.ssh_auto_mode)),
    set(rec, _f, text) {
      const v = parseBoolStrict('ssh-auto-mode', text)
      onEveryHost(rec.db, 'SET_SSH_AUTO_MODE_PARTIALLY_FAILED', (h) => host.setSshAutoMode(rec.db, h, v))
    },
  },
}


/** Hooks by datamodel class, then CLI field name. */
export const HOOKS: Record<string, Record<string, Hook>> = {
  pool: poolHooks,
}
