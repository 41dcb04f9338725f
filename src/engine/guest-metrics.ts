// VM_guest_metrics: what a running guest's agent reports through xenstore and how xapi records it
// (xapi_guest_agent.ml get_initial_guest_metrics / create_and_set_guest_metrics / all, xapi_xenops.ml
// update_vm create_guest_metrics_if_needed, xapi_vm_helpers.ml delete_guest_metrics). Reference:
// xapi-model.md §4.3 ("a fresh one appears when the guest agent reports").
//
// When the agent reports. A real guest's agent writes its keys a few seconds after the kernel boots; xapi
// then records them. xesim has no process running between two xe commands, and a seeded world's clock only
// moves when a command changes the world, so a report "a few seconds later" could never be observed by a
// script polling with read-only commands (`vm-param-get … param-name=networks`). The report is therefore part
// of the operation that boots the guest (start, reboot, resume, unpause of a VM started paused): the guest is
// modelled as booting instantly, scripts that poll for an address succeed at their first poll, and seeded
// worlds stay reproducible.
//
// What the agent reports. Every guest is modelled with its tools installed (PV drivers detected): a Linux
// guest (xe-guest-utilities) or, for a viridian HVM guest, a Windows guest (XenServer VM Tools). The OS
// identity follows the template the VM came from (other_config:base_template_name, else its name). Each
// attached VIF reports an IPv4 address and the IPv6 link-local address of its MAC (EUI-64), keyed as the
// agent's attr/vif/<device>/ipv4|ipv6/<n> entries turn into VM_guest_metrics.networks (`<dev>/ip`,
// `<dev>/ipv4/0`, `<dev>/ipv6/0`, VIFs in device order, as xapi's guest agent unit tests document).
//
// Addresses. A VIF with a static IPv4 configuration (VIF.ipv4_configuration_mode Static) reports that address.
// Otherwise the address comes, deterministically, from the subnet of the VIF's network: the subnet of a PIF
// configured on it (the management network is 10.0.0.0/24 in the default world), else the range in the
// network's other_config ip_begin/ip_end/netmask (the host internal management network), else a private
// 10.0.<k>.0/24 for the k-th network without a configured subnet. The first free address from .100 on is
// taken (free: not a PIF's, the gateway's or the DNS server's address, and not reported by another VM that is
// running, paused or suspended); a guest that reboots or starts again keeps its previous address when it is
// still free, as a DHCP lease would.
import type { Db, Derived, XObj } from './db'
import { EPOCH, NULL_REF, mapGet, xapiDate, type Ref, type XMap } from './values'

type GuestMetrics = XObj<'VM_guest_metrics'>['f']

/** delete_guest_metrics: VM.guest_metrics is cleared and the object destroyed (at start: it may be stale). */
export function deleteGuestMetrics(db: Db, vm: XObj<'VM'>): void {
  const gm = db.tryGet(vm.f.guest_metrics, 'VM_guest_metrics')
  db.set(vm, { guest_metrics: NULL_REF })
  if (gm) db.destroy(gm)
}

/**
 * create_guest_metrics_if_needed for a domain whose guest has not reported anything yet (a VM started paused):
 * xapi creates the object from the empty xenstore tree.
 */
export function ensureGuestMetrics(db: Db, vm: XObj<'VM'>): void {
  if (db.tryGet(vm.f.guest_metrics, 'VM_guest_metrics')) return
  createGuestMetrics(db, vm, { ...EMPTY_REPORT, last_updated: xapiDate(db.clock.now()) })
}

/**
 * The guest agent reports (Xapi_guest_agent.all): the VM's guest metrics get the agent's data, created first if
 * the VM has none. `previous` are the networks the guest reported before (kept leases).
 */
export function guestAgentReports(db: Db, vm: XObj<'VM'>, previous: XMap = []): void {
  const report = agentReport(db, vm, previous)
  const gm = db.tryGet(vm.f.guest_metrics, 'VM_guest_metrics')
  if (!gm) {
    createGuestMetrics(db, vm, report)
    return
  }
  // xapi only writes when the agent's data changed (its cache ignores the timestamps)
  const data = (r: Report | GuestMetrics) =>
    JSON.stringify([r.os_version, r.PV_drivers_version, r.netbios_name, r.networks, r.services, r.other, r.can_use_hotplug_vbd, r.can_use_hotplug_vif])
  if (data(report) === data(gm.f)) return
  db.set(gm, {
    os_version: report.os_version, PV_drivers_version: report.PV_drivers_version, netbios_name: report.netbios_name,
    networks: report.networks, services: report.services, other: report.other, can_use_hotplug_vbd: report.can_use_hotplug_vbd,
    can_use_hotplug_vif: report.can_use_hotplug_vif, last_updated: report.last_updated, PV_drivers_detected: report.PV_drivers_detected,
    PV_drivers_up_to_date: report.PV_drivers_up_to_date,
  })
}

/** The networks the VM's guest last reported (kept across a reboot or a new start as DHCP leases are). */
export function reportedNetworks(db: Db, vm: XObj<'VM'>): XMap {
  return db.tryGet(vm.f.guest_metrics, 'VM_guest_metrics')?.f.networks ?? []
}

type Report = Omit<GuestMetrics, 'uuid' | 'memory' | 'disks' | 'other_config' | 'live'>

const EMPTY_REPORT: Report = {
  os_version: [], PV_drivers_version: [], PV_drivers_up_to_date: false, networks: [], other: [], last_updated: EPOCH,
  can_use_hotplug_vbd: 'unspecified', can_use_hotplug_vif: 'unspecified', PV_drivers_detected: false, netbios_name: [], services: [],
}

/** create_and_set_guest_metrics: memory and disks empty, live, no other_config. */
function createGuestMetrics(db: Db, vm: XObj<'VM'>, r: Report): void {
  const gm = db.create('VM_guest_metrics', { ...r, memory: [], disks: [], other_config: [], live: true })
  db.set(vm, { guest_metrics: gm.ref })
}

// ---------------------------------------------------------------------------------------------------------
// The agent's report.

interface LinuxOs {
  match: RegExp
  name: string
  uname: string
  distro: string
  major?: string
  minor?: string
}
/** What xe-linux-distribution writes (data/os_name, os_uname, os_distro, os_majorver, os_minorver). */
const LINUX: LinuxOs[] = [
  { match: /debian.*\b12\b|bookworm/i, name: 'Debian GNU/Linux 12 (bookworm)', uname: '6.1.0-28-amd64', distro: 'debian', major: '12', minor: '8' },
  { match: /debian.*\b11\b|bullseye/i, name: 'Debian GNU/Linux 11 (bullseye)', uname: '5.10.0-33-amd64', distro: 'debian', major: '11', minor: '11' },
  { match: /debian.*\b10\b|buster/i, name: 'Debian GNU/Linux 10 (buster)', uname: '4.19.0-27-amd64', distro: 'debian', major: '10', minor: '13' },
  { match: /ubuntu.*24\.04|noble/i, name: 'Ubuntu 24.04.1 LTS', uname: '6.8.0-49-generic', distro: 'ubuntu', major: '24', minor: '04' },
  { match: /ubuntu.*22\.04|jammy/i, name: 'Ubuntu 22.04.5 LTS', uname: '5.15.0-126-generic', distro: 'ubuntu', major: '22', minor: '04' },
  { match: /ubuntu.*20\.04|focal/i, name: 'Ubuntu 20.04.6 LTS', uname: '5.4.0-202-generic', distro: 'ubuntu', major: '20', minor: '04' },
  { match: /centos stream 10/i, name: 'CentOS Stream 10 (Coughlan)', uname: '6.12.0-31.el10.x86_64', distro: 'centos', major: '10' },
  { match: /centos stream 9/i, name: 'CentOS Stream 9', uname: '5.14.0-527.el9.x86_64', distro: 'centos', major: '9' },
  { match: /centos 7/i, name: 'CentOS Linux release 7.9.2009 (Core)', uname: '3.10.0-1160.el7.x86_64', distro: 'centos', major: '7', minor: '9' },
  { match: /rocky.*9/i, name: 'Rocky Linux 9.5 (Blue Onyx)', uname: '5.14.0-503.14.1.el9_5.x86_64', distro: 'rocky', major: '9', minor: '5' },
  { match: /rocky.*8/i, name: 'Rocky Linux 8.10 (Green Obsidian)', uname: '4.18.0-553.el8_10.x86_64', distro: 'rocky', major: '8', minor: '10' },
  { match: /red hat.*10/i, name: 'Red Hat Enterprise Linux 10.0 (Coughlan)', uname: '6.12.0-55.el10.x86_64', distro: 'rhel', major: '10', minor: '0' },
  { match: /red hat.*9/i, name: 'Red Hat Enterprise Linux 9.5 (Plow)', uname: '5.14.0-503.11.1.el9_5.x86_64', distro: 'rhel', major: '9', minor: '5' },
  { match: /red hat.*8/i, name: 'Red Hat Enterprise Linux 8.10 (Ootpa)', uname: '4.18.0-553.el8_10.x86_64', distro: 'rhel', major: '8', minor: '10' },
  { match: /red hat.*7/i, name: 'Red Hat Enterprise Linux Server release 7.9 (Maipo)', uname: '3.10.0-1160.el7.x86_64', distro: 'rhel', major: '7', minor: '9' },
  { match: /oracle.*8/i, name: 'Oracle Linux Server 8.10', uname: '5.15.0-209.161.7.2.el8uek.x86_64', distro: 'oracle', major: '8', minor: '10' },
  { match: /oracle.*7/i, name: 'Oracle Linux Server 7.9', uname: '5.4.17-2136.el7uek.x86_64', distro: 'oracle', major: '7', minor: '9' },
  { match: /suse.*15/i, name: 'SUSE Linux Enterprise Server 15 SP6', uname: '6.4.0-150600.23.25-default', distro: 'sles', major: '15', minor: '6' },
  { match: /suse.*12/i, name: 'SUSE Linux Enterprise Server 12 SP5', uname: '4.12.14-122.234-default', distro: 'sles', major: '12', minor: '5' },
  { match: /scientific/i, name: 'Scientific Linux release 7.9 (Nitrogen)', uname: '3.10.0-1160.el7.x86_64', distro: 'scientific', major: '7', minor: '9' },
]
const GENERIC_LINUX: LinuxOs = { match: /./, name: 'Linux', uname: '6.1.0-28-amd64', distro: 'linux' }

/** Windows editions by template name (os_name is "<edition>|<system root>|<boot partition>"). */
const WINDOWS: Array<[RegExp, string]> = [
  [/2025/, 'Microsoft Windows Server 2025 Standard'], [/2022/, 'Microsoft Windows Server 2022 Standard'],
  [/2019/, 'Microsoft Windows Server 2019 Standard'], [/2016/, 'Microsoft Windows Server 2016 Standard'],
  [/11/, 'Microsoft Windows 11 Pro'], [/10/, 'Microsoft Windows 10 Pro'],
]

const osName = (vm: XObj<'VM'>) => mapGet(vm.f.other_config, 'base_template_name') ?? vm.f.name_label
const isWindows = (vm: XObj<'VM'>) => vm.f.domain_type === 'hvm' && mapGet(vm.f.platform, 'viridian') === 'true'

/** The control/* keys the toolstack writes for every domain (read back in reverse listing order). */
function toolstackControl(vm: XObj<'VM'>): XMap {
  return [['platform-feature-xs_reset_watches', '1'], ['platform-feature-multiprocessor-suspend', '1'], ['has-vendor-device', vm.f.has_vendor_device ? '1' : '0']]
}

function agentReport(db: Db, vm: XObj<'VM'>, previous: XMap): Report {
  const now = xapiDate(db.clock.now())
  const networks = reportNetworks(db, vm, previous)
  if (isWindows(vm)) {
    const edition = WINDOWS.find(([re]) => re.test(osName(vm)))?.[1] ?? 'Microsoft Windows Server 2022 Standard'
    const host = (vm.f.uuid.replace(/-/g, '').slice(0, 7)).toUpperCase()
    return {
      ...EMPTY_REPORT,
      os_version: [['name', `${edition}|C:\\Windows|\\Device\\Harddisk0\\Partition2`], ['distro', 'windows'], ['major', '10'], ['minor', '0'], ['spmajor', '0'], ['spminor', '0']],
      PV_drivers_version: [
        ['major', '9'], ['minor', '4'], ['micro', '0'], ['build', '146'], ['xenbus', 'XenServer 9.1.9.105 '], ['xenvbd', 'XenServer 9.1.8.79 '],
        ['xenvif', 'XenServer 9.1.12.101 '], ['xeniface', 'XenServer 9.1.10.87 '], ['xennet', 'XenServer 9.1.7.65 '],
      ],
      netbios_name: [['host_name', `WIN-${host}`]],
      networks,
      other: [
        ...toolstackControl(vm), ['feature-ts2', '1'], ['feature-ts', '1'], ['feature-suspend', '1'], ['feature-static-ip-setting', '1'],
        ['feature-shutdown', '1'], ['feature-s4', '1'], ['feature-s3', '1'], ['feature-reboot', '1'], ['feature-poweroff', '1'],
        ['feature-laptop-slate-mode', '1'], ['feature-balloon', '1'], ['data-ts', '1'],
      ],
      last_updated: now,
      can_use_hotplug_vbd: 'yes',
      can_use_hotplug_vif: 'yes',
      PV_drivers_detected: true,
      PV_drivers_up_to_date: true,
    }
  }
  const os = LINUX.find((o) => o.match.test(osName(vm))) ?? GENERIC_LINUX
  const osVersion: XMap = [['name', os.name], ['uname', os.uname], ['distro', os.distro]]
  if (os.major !== undefined) osVersion.push(['major', os.major])
  if (os.minor !== undefined) osVersion.push(['minor', os.minor])
  return {
    ...EMPTY_REPORT,
    os_version: osVersion,
    PV_drivers_version: [['major', '8'], ['minor', '4'], ['micro', '0'], ['build', '1']],
    networks,
    other: [...toolstackControl(vm), ['feature-sysrq', '1'], ['feature-suspend', '1'], ['feature-reboot', '1'], ['feature-poweroff', '1'], ['feature-balloon', '1']],
    last_updated: now,
    PV_drivers_detected: true,
    PV_drivers_up_to_date: true,
  }
}

// ---------------------------------------------------------------------------------------------------------
// Addresses.

const ip4 = (s: string): number | undefined => {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s)
  if (!m) return undefined
  const parts = m.slice(1, 5).map(Number)
  if (parts.some((p) => p > 255)) return undefined
  return ((parts[0]! << 24) >>> 0) + (parts[1]! << 16) + (parts[2]! << 8) + parts[3]!
}
const ip4Text = (n: number) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.')

/** Candidate host addresses of a network, in the order the modelled DHCP server offers them. */
interface Pool {
  first: number
  last: number
  start: number
  reserved: Set<number>
}

function subnetPool(base: number, mask: number, reserved: Set<number>): Pool {
  const size = 2 ** (32 - popcount(mask))
  const network = (base & mask) >>> 0
  const first = network + 1
  const last = network + size - 2
  return { first, last, start: Math.min(last, network + 100) < first ? first : Math.min(last, network + 100), reserved }
}
const popcount = (m: number) => m.toString(2).replace(/0/g, '').length

/** The pool of addresses a network's guests get (see the header), or undefined for none. */
function networkPool(db: Db, net: XObj<'network'>): Pool | undefined {
  const pifs = db.referrers('PIF', 'network', net.ref)
  const reserved = new Set<number>()
  for (const p of pifs) for (const a of [p.f.IP, p.f.gateway, ...p.f.DNS.split(',')]) {
    const n = ip4(a.trim())
    if (n !== undefined) reserved.add(n)
  }
  const configured = pifs.find((p) => ip4(p.f.IP) !== undefined && ip4(p.f.netmask) !== undefined)
  if (configured) return subnetPool(ip4(configured.f.IP)!, ip4(configured.f.netmask)!, reserved)
  const begin = ip4(mapGet(net.f.other_config, 'ip_begin') ?? '')
  const end = ip4(mapGet(net.f.other_config, 'ip_end') ?? '')
  if (begin !== undefined && end !== undefined && end > begin) {
    // the host takes ip_begin (xapi's DHCP server for this network hands out the rest)
    return { first: begin + 1, last: end, start: begin + 1, reserved: new Set([begin]) }
  }
  // a private /24 per network without a configured subnet, avoiding the configured ones
  const configuredNets = new Set<number>()
  for (const p of db.all('PIF')) {
    const a = ip4(p.f.IP)
    const m = ip4(p.f.netmask)
    if (a !== undefined && m !== undefined) configuredNets.add((a & 0xffffff00) >>> 0)
  }
  const unconfigured = db.all('network').filter((n) => !db.referrers('PIF', 'network', n.ref).some((p) => ip4(p.f.IP) !== undefined) && mapGet(n.f.other_config, 'ip_begin') === undefined)
  let k = 0
  for (const n of unconfigured) {
    do k++
    while (k < 256 && configuredNets.has(ip4(`10.0.${k}.0`)!))
    if (k >= 256) return undefined
    if (n.ref === net.ref) {
      const base = ip4(`10.0.${k}.0`)!
      return subnetPool(base, ip4('255.255.255.0')!, new Set([base + 1]))
    }
  }
  return undefined
}

const LIVE = ['Running', 'Paused', 'Suspended'] as const

/** The IPv4 addresses in a guest metrics' networks map. */
function reportedAddresses(networks: ReadonlyArray<readonly [string, string]>): number[] {
  const addrs: number[] = []
  for (const [, v] of networks) {
    const n = ip4(v)
    if (n !== undefined) addrs.push(n)
  }
  return addrs
}

/**
 * The addresses the guests of live VMs (running, paused or suspended) report, kept per Db (Db.derived) as VMs and
 * their guest metrics change, so that a boot does not read every live VM's guest metrics again.
 */
class GuestAddresses implements Derived {
  /** each live VM's reported IPv4 addresses */
  private byVm = new Map<Ref, number[]>()
  /** how many live VMs report each address */
  private count = new Map<number, number>()
  private stale = new Set<Ref>()
  constructor(private readonly db: Db) {
    // the stored live VMs as the store's indexes have them; the ones this transaction changed (or whose guest
    // metrics it changed), as they are now
    for (const [ref, networks] of db.store.guestNetworks(db.scope, LIVE)) {
      if (db.touched(ref)) continue
      const addrs = reportedAddresses(networks === null ? [] : (JSON.parse(networks) as Array<[string, string]>))
      this.byVm.set(ref, addrs)
      for (const n of addrs) this.count.set(n, (this.count.get(n) ?? 0) + 1)
    }
    for (const vm of db.changedOf('VM')) this.stale.add(vm.ref)
    for (const gm of db.changedOf('VM_guest_metrics')) for (const vm of db.referrers('VM', 'guest_metrics', gm.ref)) this.stale.add(vm.ref)
  }
  changed(o: XObj): void {
    if (o.cls === 'VM') this.stale.add(o.ref)
    else if (o.cls === 'VM_guest_metrics') for (const vm of this.db.referrers('VM', 'guest_metrics', o.ref)) this.stale.add(vm.ref)
  }
  private refresh(): void {
    for (const ref of this.stale) {
      for (const n of this.byVm.get(ref) ?? []) {
        const c = this.count.get(n)! - 1
        if (c === 0) this.count.delete(n)
        else this.count.set(n, c)
      }
      this.byVm.delete(ref)
      const vm = this.db.tryGet(ref, 'VM')
      if (!vm || !(LIVE as readonly string[]).includes(vm.f.power_state)) continue
      const addrs = reportedAddresses(this.db.tryGet(vm.f.guest_metrics, 'VM_guest_metrics')?.f.networks ?? [])
      this.byVm.set(ref, addrs)
      for (const n of addrs) this.count.set(n, (this.count.get(n) ?? 0) + 1)
    }
    this.stale.clear()
  }
  /** Whether a live VM other than `except` reports n. */
  usedByOthers(n: number, except: Ref): boolean {
    const c = this.count.get(n) ?? 0
    if (c === 0) return false
    let mine = 0
    for (const m of this.byVm.get(except) ?? []) if (m === n) mine++
    return c > mine
  }
  current(): this {
    if (this.stale.size) this.refresh()
    return this
  }
}

/** Addresses other live VMs' guests report (or hold statically), which the DHCP server will not hand out. */
interface UsedAddresses {
  has(n: number): boolean
  add(n: number): void
}
function addressesInUse(db: Db, except: XObj<'VM'>): UsedAddresses {
  const reported = db.derived('guest-metrics.addresses', () => new GuestAddresses(db)).current()
  const used = new Set<number>()
  for (const vif of db.referrers('VIF', 'ipv4_configuration_mode', 'Static')) {
    if (vif.f.VM === except.ref) continue
    const n = ip4((vif.f.ipv4_addresses[0] ?? '').split('/')[0]!)
    if (n !== undefined) used.add(n)
  }
  return { has: (n) => used.has(n) || reported.usedByOthers(n, except.ref), add: (n) => used.add(n) }
}

function pickAddress(pool: Pool, used: UsedAddresses, wanted: number | undefined): number | undefined {
  const free = (n: number) => n >= pool.first && n <= pool.last && !pool.reserved.has(n) && !used.has(n)
  if (wanted !== undefined && free(wanted)) return wanted
  for (let n = pool.start; n <= pool.last; n++) if (free(n)) return n
  for (let n = pool.first; n < pool.start; n++) if (free(n)) return n
  return undefined
}

/** The IPv6 link-local address of a MAC (modified EUI-64), as Linux and Windows configure it. */
export function linkLocalOfMac(mac: string): string | undefined {
  const b = mac.split(':').map((x) => parseInt(x, 16))
  if (b.length !== 6 || b.some((x) => Number.isNaN(x))) return undefined
  const words = [(((b[0]! ^ 2) << 8) | b[1]!), ((b[2]! << 8) | 0xff), ((0xfe << 8) | b[3]!), ((b[4]! << 8) | b[5]!)]
  return `fe80::${words.map((w) => w.toString(16)).join(':')}`
}

/** VM_guest_metrics.networks for the VM's attached VIFs, in device order. */
function reportNetworks(db: Db, vm: XObj<'VM'>, previous: XMap): XMap {
  const vifs = db.referrers('VIF', 'VM', vm.ref).filter((v) => v.f.currently_attached).sort((a, b) => Number(a.f.device) - Number(b.f.device))
  const used = addressesInUse(db, vm)
  const out: XMap = []
  for (const vif of vifs) {
    const dev = vif.f.device
    let v4: string | undefined
    if (vif.f.ipv4_configuration_mode === 'Static' && vif.f.ipv4_addresses.length > 0) v4 = vif.f.ipv4_addresses[0]!.split('/')[0]
    else {
      const net = db.tryGet(vif.f.network, 'network')
      const pool = net ? networkPool(db, net) : undefined
      const n = pool ? pickAddress(pool, used, ip4(mapGet(previous, `${dev}/ip`) ?? '')) : undefined
      if (n !== undefined) {
        used.add(n)
        v4 = ip4Text(n)
      }
    }
    if (v4 !== undefined) out.push([`${dev}/ip`, v4], [`${dev}/ipv4/0`, v4])
    const v6 = linkLocalOfMac(vif.f.MAC)
    if (v6 !== undefined) out.push([`${dev}/ipv6/0`, v6])
  }
  return out
}
