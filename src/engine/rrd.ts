// Live metrics: the data sources xapi reads from xcp-rrdd (Host.query_data_source, VM.query_data_source).
//
// Which data sources exist follows xcp-rrdd's plugins (xen-api ocaml/xcp-rrdd at the reference commit):
//  * host `cpu<N>` for every physical CPU (rrdp-cpu), `pif_<dev>_rx|tx` for every network device xcp-networkd
//    manages — physical NICs and bonds, never VLAN devices (rrdp-netdev get_link_stats);
//  * VM `cpu<N>` for each of its VCPUs_number vCPUs (rrdp-cpu), `memory_target` (rrdp-squeezed: the balloon
//    target squeezed wrote, i.e. VM.memory_target), `vif_<devid>_rx|tx` for attached VIFs (rrdp-netdev) and
//    `vbd_<device>_read|write` for attached VBDs (rrdp-iostat).
// A real host always has these while the object is live, so xe never shows "<unknown>" for them there. Their
// values are rates that change every 5 s; the emulated host is idle, so every rate and utilisation reads as a
// fixed 0.0 (printed "0.000"). Only memory_target carries data (VM.memory_target).
//
// VM.query_data_source is refused for a VM that is not Running or Paused (message_forwarding.ml asserts the
// power state first): VM_BAD_POWER_STATE [vm, "running;paused", actual]. A data source that does not exist
// fails (rrdd raises); records.ml turns both into its fallbacks ("<unknown>", 0, an empty list).
import type { Db, XObj } from './db'
import { XapiError } from './errors'
import { NULL_REF } from './values'

/** rrdd's "no such data source" failure (an Rrd_interface error in xapi; only its being raised matters). */
export class NoDataSource extends Error {
  constructor(readonly dataSource: string) {
    super(`Rrd_interface.Internal_error: No data source ${dataSource}`)
    this.name = 'NoDataSource'
  }
}

/** The idle value every emulated rate and utilisation has (see above). */
const IDLE = 0.0

/** Host.query_data_source: the latest value of a host data source. */
export function queryHostDs(db: Db, host: XObj<'host'>, dataSource: string): number {
  let m = /^cpu(\d+)$/.exec(dataSource)
  if (m) {
    const n = Number(m[1])
    if (db.referrers('host_cpu', 'host', host.ref).some((c) => c.f.number === n)) return IDLE
    throw new NoDataSource(dataSource)
  }
  m = /^pif_(.+)_(rx|tx)$/.exec(dataSource)
  if (m && hostNetDevices(db, host).has(m[1]!)) return IDLE
  throw new NoDataSource(dataSource)
}

/** The devices xcp-networkd reports for a host: physical NICs and bond masters (no VLAN devices). */
function hostNetDevices(db: Db, host: XObj<'host'>): Set<string> {
  const devs = new Set<string>()
  for (const p of db.referrers('PIF', 'host', host.ref)) {
    const isBondMaster = db.referrers('Bond', 'master', p.ref).length > 0
    if ((p.f.physical || isBondMaster) && p.f.VLAN < 0) devs.add(p.f.device)
  }
  return devs
}

const lower = (s: string) => s.charAt(0).toLowerCase() + s.slice(1)

/** VM.query_data_source: refused unless the VM is Running or Paused, then the latest value. */
export function queryVmDs(db: Db, vm: XObj<'VM'>, dataSource: string): number {
  const ps = vm.f.power_state
  if (ps !== 'Running' && ps !== 'Paused') throw new XapiError('VM_BAD_POWER_STATE', [vm.ref, 'running;paused', lower(ps)])
  if (dataSource === 'memory_target') return vm.f.memory_target
  let m = /^cpu(\d+)$/.exec(dataSource)
  if (m) {
    const metrics = db.tryGet(vm.f.metrics ?? NULL_REF, 'VM_metrics')
    if (metrics && Number(m[1]) < metrics.f.VCPUs_number) return IDLE
    throw new NoDataSource(dataSource)
  }
  m = /^vif_(.+)_(rx|tx)$/.exec(dataSource)
  if (m) {
    if (db.referrers('VIF', 'VM', vm.ref).some((v) => v.f.device === m![1] && v.f.currently_attached)) return IDLE
    throw new NoDataSource(dataSource)
  }
  m = /^vbd_(.+)_(read|write)$/.exec(dataSource)
  if (m) {
    if (db.referrers('VBD', 'VM', vm.ref).some((v) => v.f.device === m![1] && v.f.currently_attached)) return IDLE
    throw new NoDataSource(dataSource)
  }
  throw new NoDataSource(dataSource)
}
