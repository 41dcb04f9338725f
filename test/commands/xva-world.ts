// Helpers for the XVA tests: VMs with disks, a CD drive and VIFs made through the engine (there is no
// vm-install on this branch), xe runs that capture binary stdout, and a tar lister independent of xesim's.
import { gunzipSync } from 'node:zlib'
import { withWorld } from '../../src/engine/world'
import { createVdi } from '../../src/engine/vdi'
import { createVbd } from '../../src/engine/vbd'
import { createVif } from '../../src/engine/vif'
import { createSuspendImage } from '../../src/engine/suspend-image'
import { updateAllowedOperations } from '../../src/engine/vm-lifecycle'
import { memoryOverheadBytes } from '../../src/engine/vm'
import { NULL_REF, EPOCH } from '../../src/engine/values'
import { runXe, type RunIo } from '../../src/cli/main'

export const MiB = 1024 * 1024
export const GiB = 1024 * MiB

export interface VmSpec {
  name?: string
  /** virtual sizes of the disks, on the default SR */
  disks?: number[]
  /** bridges of the networks the VIFs go on */
  vifs?: string[]
  cd?: boolean
  power?: 'Halted' | 'Running' | 'Suspended'
  template?: boolean
}

export interface MadeVm {
  uuid: string
  ref: string
  vdis: string[]
}

/** A VM as VM.create leaves it, with disks (VBDs owned by the VM), an empty CD drive and VIFs. */
export async function makeVm(home: string, s: VmSpec = {}): Promise<MadeVm> {
  return withWorld(home, true, ({ db }) => {
    const pool = db.all('pool')[0]!
    const host = pool.f.master
    const metrics = db.create('VM_metrics', {
      memory_actual: 0, VCPUs_number: 0, VCPUs_utilisation: [['0', 0]], start_time: EPOCH, install_time: EPOCH, last_updated: EPOCH,
      current_domain_type: s.power === 'Running' || s.power === 'Suspended' ? 'hvm' : 'unspecified',
    })
    const running = s.power === 'Running'
    const vm = db.create('VM', {
      name_label: s.name ?? 'web01', name_description: 'test VM', power_state: running ? 'Running' : 'Halted', user_version: 1,
      is_a_template: s.template ?? false, memory_static_max: GiB, memory_dynamic_max: GiB, memory_dynamic_min: GiB, memory_target: GiB,
      memory_static_min: 512 * MiB, VCPUs_max: 2, VCPUs_at_startup: 2, actions_after_shutdown: 'destroy', actions_after_reboot: 'restart',
      actions_after_crash: 'restart', HVM_boot_policy: 'BIOS order', HVM_boot_params: [['order', 'cd'], ['firmware', 'bios']], HVM_shadow_multiplier: 1,
      platform: [['device-model', 'qemu-upstream-compat'], ['viridian', 'false'], ['acpi', '1']], other_config: [['mac_seed', db.ids.uuid()], ['base_template_name', 'Debian Bookworm 12']],
      domid: running ? 7 : -1, resident_on: running ? host : NULL_REF, metrics: metrics.ref, domain_type: 'hvm', tags: ['web'], generation_id: '0:0',
      hardware_platform_version: 0,
    })
    db.set(vm, { memory_overhead: memoryOverheadBytes(vm.f) })
    const sr = pool.f.default_SR
    const vdis: string[] = []
    ;(s.disks ?? [10 * GiB]).forEach((size, i) => {
      const vdi = createVdi(db, { sr, name_label: `${vm.f.name_label} disk ${i}`, name_description: 'Created by the test', virtual_size: size })
      vdis.push(vdi.f.uuid)
      createVbd(db, { vm, vdi, userdevice: String(i), bootable: i === 0, other_config: [['owner', '']] })
    })
    if (s.cd ?? true) createVbd(db, { vm, userdevice: '3', type: 'CD', mode: 'RO', empty: true })
    ;(s.vifs ?? ['xenbr0']).forEach((bridge, i) => {
      const network = db.all('network').find((n) => n.f.bridge === bridge)!
      createVif(db, { vm, network, device: String(i) })
    })
    if (running) for (const b of db.referrers('VBD', 'VM', vm.ref)) if (!b.f.empty) db.set(b, { currently_attached: true, device: `xvd${'abcd'[Number(b.f.userdevice)]}` })
    if (s.power === 'Suspended') {
      createSuspendImage(db, vm, host)
      db.set(vm, { power_state: 'Suspended', last_booted_record: '<xml/>', last_boot_CPU_flags: [['vendor', 'GenuineIntel']] })
    }
    updateAllowedOperations(db, vm)
    return { uuid: vm.f.uuid, ref: vm.ref, vdis }
  })
}

export interface BinResult {
  stdout: Buffer
  stderr: string
  code: number
}

/** xe in this process, with bytes on stdout kept as bytes and a working directory of the test's choosing. */
export async function xeBin(home: string, args: string[], o: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<BinResult> {
  const out: Buffer[] = []
  let stderr = ''
  const io: RunIo = {
    env: { HOME: home, XESIM_HOME: home, ...o.env },
    cwd: o.cwd ?? process.cwd(),
    stdout: (s) => void out.push(Buffer.from(s, 'utf8')),
    stderr: (s) => void (stderr += s),
    readLine: async () => undefined,
    writeStdout: async (b) => void out.push(Buffer.from(b)),
  }
  const code = await runXe(args, io)
  return { stdout: Buffer.concat(out), stderr, code }
}

export interface TarEntry {
  name: string
  size: number
  mode: number
  mtime: number
  type: number
  magic: string
  data: Buffer
}

/** A plain reading of a tar archive (512-byte headers, octal fields), independent of src/engine/xva.ts. */
export function listTar(buf: Buffer): { entries: TarEntry[]; trailer: number } {
  const b = buf[0] === 0x1f && buf[1] === 0x8b ? gunzipSync(buf) : buf
  const entries: TarEntry[] = []
  let off = 0
  for (;;) {
    const h = b.subarray(off, off + 512)
    if (h.length < 512 || h.every((x) => x === 0)) break
    const field = (o: number, l: number) => h.toString('latin1', o, o + l).replace(/\0.*$/s, '')
    const num = (o: number, l: number) => parseInt(field(o, l).trim() || '0', 8)
    const size = num(124, 12)
    entries.push({ name: field(0, 100), size, mode: num(100, 8), mtime: num(136, 12), type: h[156]!, magic: field(257, 6), data: b.subarray(off + 512, off + 512 + size) })
    off += 512 + Math.ceil(size / 512) * 512
  }
  return { entries, trailer: b.length - off }
}
