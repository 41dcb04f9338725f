// End-to-end: storage administration scripts run unchanged against bin/xe (issue 4 "done when", storage part).
// Formats: xe-cli-behaviour.md §3.5 (--minimal, sr-create's direct Print), §4 (errors: descriptions and parameters on
// stderr, `Error code:` for SM failures, exit 1), §8 (vdi-import / vdi-export files), §9 (sr-create, CD commands);
// rules: xapi-model.md §3 (cascades), §9 (VBD hot-plug, CDs), §11 (SRs, PBDs, VDIs).
import assert from 'node:assert/strict'
import { dirname } from 'node:path'
import { cleanupHomes, tmpHome, XE } from '../helpers'

let execa: typeof import('execa').execa
before(async () => {
  ;({ execa } = await import('execa'))
})

const env = (home: string) => ({ XESIM_HOME: home, HOME: home, XESIM_SEED: '12', NODE_EXTRA_CA_CERTS: undefined, PATH: `${dirname(XE)}:${process.env.PATH}` })
const sh = (home: string, script: string) => execa('bash', ['-euo', 'pipefail', '-c', script], { env: env(home), reject: false, cwd: home, stripFinalNewline: false })
const inUse = (vdi: string, name: string, op: string) =>
  `This operation cannot be performed because this VDI is in use by some other operation\nvdi: ${vdi} (${name})\noperation: ${op}\n`

describe('e2e: storage scripts (issue 4)', function () {
  this.timeout(120000)
  after(cleanupHomes)

  it('a shared NFS SR: a VDI hot-plugged into a running VM, refused while in use, then torn down', async () => {
    const home = tmpHome()
    const setup = await sh(home, `
      xe sr-probe type=nfs device-config:server=filer.example.com 2>probe.err || echo "probe-exit=$?"
      SR=$(xe sr-create name-label="NFS VMs" type=nfs shared=true content-type=user \\
             device-config:server=filer.example.com device-config:serverpath=/vol/xen --minimal | head -1)
      VM=$(xe vm-install template="Debian Bookworm 12" new-name-label=db01)
      xe vm-start uuid=$VM
      VDI=$(xe vdi-create sr-uuid=$SR name-label=pgdata virtual-size=20GiB)
      VBD=$(xe vbd-create vm-uuid=$VM vdi-uuid=$VDI device=autodetect)
      xe vbd-plug uuid=$VBD
      echo "sr=$SR vm=$VM vdi=$VDI vbd=$VBD"
      xe vbd-param-get uuid=$VBD param-name=device
      xe sr-param-get uuid=$SR param-name=virtual-allocation
      xe pbd-list sr-uuid=$SR params=currently-attached --minimal
    `)
    assert.equal(setup.exitCode, 0, setup.stderr)
    const lines = setup.stdout.split('\n')
    assert.equal(lines[0], 'probe-exit=1')
    const m = /^sr=(\S+) vm=(\S+) vdi=(\S+) vbd=(\S+)$/.exec(lines[1]!)
    assert.ok(m, setup.stdout)
    const [, sr, , vdi] = m!
    assert.equal(lines[2], 'xvdb', 'hot-plugged as the second disk')
    assert.equal(lines[3], String(20 * 1024 ** 3), 'the data disk\'s 20 GiB (the root disk is on Local storage)')
    assert.equal(lines[4], 'true')

    // refused while in use: each on its own, with xe's exact text and exit code 1
    for (const [cmd, stderr] of [
      [`xe vdi-destroy uuid=${vdi}`, inUse(vdi!, 'pgdata', 'destroy')],
      [`xe pbd-unplug uuid=$(xe pbd-list sr-uuid=${sr} --minimal)`, inUse(vdi!, 'pgdata', '<unknown>')],
      [`xe sr-destroy uuid=${sr}`, `The SR is still connected to a host via a PBD. It cannot be destroyed or forgotten.\nsr: ${sr} (NFS VMs)\n`],
      [`xe sr-forget uuid=${sr}`, `The SR is still connected to a host via a PBD. It cannot be destroyed or forgotten.\nsr: ${sr} (NFS VMs)\n`],
    ] as const) {
      const r = await sh(home, cmd)
      assert.deepEqual([r.exitCode, r.stdout, r.stderr], [1, '', stderr], cmd)
    }

    const teardown = await sh(home, `
      SR=${sr}
      for VM in $(xe vm-list is-control-domain=false --minimal | tr , ' '); do xe vm-shutdown uuid=$VM --force; done
      for VBD in $(xe vbd-list vdi-uuid=${vdi} --minimal | tr , ' '); do xe vbd-destroy uuid=$VBD; done
      xe vdi-destroy uuid=${vdi}
      xe vm-uninstall vm=db01 --force >/dev/null
      PBD=$(xe pbd-list sr-uuid=$SR --minimal)
      xe pbd-unplug uuid=$PBD
      xe sr-destroy uuid=$SR
      echo "srs=[$(xe sr-list uuid=$SR --minimal)] pbds=[$(xe pbd-list uuid=$PBD --minimal)] vdis=[$(xe vdi-list sr-uuid=$SR --minimal)]"
    `)
    assert.equal(teardown.exitCode, 0, teardown.stderr)
    assert.equal(teardown.stdout, 'srs=[] pbds=[] vdis=[]\n')
  })

  it('an ISO SR from a directory: sr-scan, then CD insert, swap and eject in a running VM', async () => {
    const home = tmpHome()
    const r = await sh(home, `
      mkdir -p isos
      head -c 300000 /dev/urandom > isos/debian-12.iso
      head -c 200000 /dev/urandom > isos/alpine-3.20.iso
      echo notes > isos/README
      ISO=$(xe sr-create name-label="ISO library" type=iso content-type=iso shared=true \\
              device-config:location=$PWD/isos device-config:legacy_mode=true --minimal | head -1)
      xe sr-scan uuid=$ISO
      xe cd-list params=name-label --minimal
      VM=$(xe vm-install template="Debian Bookworm 12" new-name-label=web01)
      xe vbd-create vm-uuid=$VM device=3 type=CD mode=RO >/dev/null
      xe vm-start uuid=$VM
      xe vm-cd-insert uuid=$VM cd-name=debian-12.iso
      xe vm-cd-list uuid=$VM vdi-params=name-label vbd-params=empty --minimal
      xe vm-cd-eject uuid=$VM
      xe vm-cd-insert uuid=$VM cd-name=alpine-3.20.iso
      xe vm-cd-list uuid=$VM vdi-params=name-label vbd-params=empty --minimal
      xe vm-cd-eject uuid=$VM
      xe vbd-list vm-uuid=$VM type=CD params=empty --minimal
      rm isos/alpine-3.20.iso
      xe sr-scan uuid=$ISO
      xe cd-list params=name-label --minimal
    `)
    assert.equal(r.exitCode, 0, r.stderr)
    assert.equal(r.stdout, [
      'debian-12.iso,alpine-3.20.iso', // SR.VDIs: newest first
      'debian-12.iso,false', // vm-cd-list: a VBD table then a VDI table; --minimal joins them in reverse order (§3.5)
      'alpine-3.20.iso,false',
      'true',
      'debian-12.iso',
      '',
    ].join('\n'))

    const err = async (cmd: string, stderr: string) => {
      const x = await sh(home, cmd)
      assert.deepEqual([x.exitCode, x.stdout, x.stderr], [1, '', stderr], cmd)
    }
    await err('xe vm-cd-insert vm=web01 cd-name=alpine-3.20.iso', 'Error: CD alpine-3.20.iso not found\n')
    const vbd = (await sh(home, 'xe vbd-list vm-name-label=web01 type=CD --minimal')).stdout.trim()
    await err('xe vm-cd-eject vm=web01', `Operation could not be performed because the drive is empty\nvbd: ${vbd}\n`)
    await sh(home, 'xe vm-cd-insert vm=web01 cd-name=debian-12.iso')
    const vm = (await sh(home, 'xe vm-list name-label=web01 --minimal')).stdout.trim()
    await err('xe vm-cd-insert vm=web01 cd-name=debian-12.iso', `The VM has no empty CD drive (VBD).\nvm: ${vm} (web01)\n`)
    const iso = (await sh(home, 'xe sr-list name-label="ISO library" --minimal')).stdout.trim()
    await err(`xe sr-create name-label=bad type=iso content-type=iso device-config:location=${home}/nowhere device-config:legacy_mode=true`,
      'Error code: SR_BACKEND_FAILURE_226\nError parameters: , Invalid local path, \n')
    await err(`xe sr-destroy uuid=${iso}`, `The SR is still connected to a host via a PBD. It cannot be destroyed or forgotten.\nsr: ${iso} (ISO library)\n`)
  })

  it('vdi-import of a file then vdi-export gives the same bytes (raw and vhd); export never overwrites', async () => {
    const home = tmpHome()
    const r = await sh(home, `
      head -c 3000000 /dev/urandom > disk.img
      SR=$(xe sr-list name-label="Local storage" --minimal)
      VDI=$(xe vdi-create sr-uuid=$SR name-label=imported virtual-size=8MiB)
      xe vdi-import uuid=$VDI filename=disk.img
      xe vdi-export uuid=$VDI filename=out.img
      cmp disk.img <(head -c 3000000 out.img) && echo raw-same
      [ "$(stat -c %s out.img)" = 8388608 ] && echo full-size
      xe vdi-export uuid=$VDI filename=out.vhd format=vhd
      V2=$(xe vdi-create sr-uuid=$SR name-label=from-vhd virtual-size=8MiB)
      xe vdi-import uuid=$V2 filename=out.vhd format=vhd
      xe vdi-export uuid=$V2 filename= | cmp - out.img && echo vhd-same
      xe vdi-export uuid=$VDI filename=out.img || echo "exit=$?"
    `)
    assert.equal(r.stdout, 'raw-same\nfull-size\nvhd-same\nexit=1\n', r.stderr)
    assert.equal(r.stderr, 'Operation failed. Error: Sys_error("out.img: File exists")\n')
    assert.equal(r.exitCode, 0)
    const missing = await sh(home, 'xe vdi-import uuid=$(xe vdi-list name-label=imported --minimal) filename=nothere.img')
    assert.deepEqual([missing.exitCode, missing.stdout, missing.stderr], [1, '', "Operation failed. Error: file 'nothere.img' does not exist\n"])
    const abs = await sh(home, 'cd / && xe vdi-export uuid=$(xe vdi-list name-label=imported --minimal) filename=$HOME/out.img')
    assert.deepEqual([abs.exitCode, abs.stdout], [1, ''])
    assert.equal(abs.stderr, `Operation failed. Error: Sys_error("${home}/out.img: File exists")\n`)
  })
})
