// End-to-end: shell scripts of the kind administrators run against xe (nightly backups, snapshot rotation,
// provisioning from a template), run unchanged with bin/xe first on PATH. Outputs as xe-cli-behaviour.md §3
// (records, --minimal lists), §9 (vm-install, vm-snapshot, vm-uninstall, snapshot-*), §4 (prompts on stdout).
import assert from 'node:assert/strict'
import { dirname } from 'node:path'
import { cleanupHomes, tmpHome, XE } from '../helpers'

let execa: typeof import('execa').execa
before(async () => {
  ;({ execa } = await import('execa'))
})

const env = (home: string) => ({
  XESIM_HOME: home, HOME: home, XESIM_SEED: '7', NODE_EXTRA_CA_CERTS: undefined, PATH: `${dirname(XE)}:${process.env.PATH}`,
})
/** Runs a bash script with `xe` resolving to bin/xe. */
const sh = (home: string, script: string, input?: string) =>
  execa('bash', ['-euo', 'pipefail', '-c', script], { env: env(home), reject: false, ...(input === undefined ? {} : { input }) })

describe('e2e: snapshot scripts (§9)', function () {
  this.timeout(120000)
  after(cleanupHomes)

  it('nightly backup: snapshot, make it a VM, export it, uninstall it — nothing is left behind', async () => {
    const home = tmpHome()
    const setup = await sh(home, `xe vm-install template="Debian Bookworm 12" new-name-label=db01`)
    assert.equal(setup.exitCode, 0, setup.stderr)
    const vm = setup.stdout
    const before = await sh(home, 'xe sr-list name-label="Local storage" params=physical-utilisation --minimal; xe vdi-list --minimal')
    const r = await sh(home, `
      VM=$(xe vm-list name-label=db01 --minimal)
      SNAP=$(xe vm-snapshot uuid=$VM new-name-label="db01-nightly" new-name-description="nightly backup")
      echo "snapshot $SNAP"
      xe template-param-set is-a-template=false uuid=$SNAP
      xe vm-export uuid=$SNAP filename="$HOME/db01-nightly.xva" >"$HOME/export.log"
      xe vm-uninstall uuid=$SNAP force=true
      xe snapshot-list snapshot-of=$VM --minimal
    `)
    assert.equal(r.exitCode, 0, r.stderr)
    const lines = r.stdout.split('\n')
    const snap = /^snapshot ([0-9a-f-]{36})$/.exec(lines[0]!)![1]
    assert.equal(lines[1], 'The following items are about to be destroyed')
    assert.equal(lines[2], `VM : ${snap} (db01-nightly)`)
    assert.match(lines[3]!, /^VDI: [0-9a-f-]{36} \(0\) $/)
    assert.equal(lines[4], 'All objects destroyed')
    assert.equal(lines[5], '')
    assert.equal(lines.length, 6)
    const exported = await sh(home, 'cat "$HOME/export.log"; tar -tf "$HOME/db01-nightly.xva" | head -2')
    assert.equal(exported.stdout, 'Export succeeded\nova.xml\nRef:2/00000000', 'xe-cli-behaviour.md §8: "Export succeeded"; an XVA is a tar of ova.xml and chunk files')
    const after = await sh(home, 'xe sr-list name-label="Local storage" params=physical-utilisation --minimal; xe vdi-list --minimal')
    assert.equal(after.stdout, before.stdout)
    const state = await sh(home, `xe vm-list uuid=${vm} params=power-state --minimal; xe vm-param-get uuid=${vm} param-name=parent`)
    assert.equal(state.stdout, 'halted\n<not in database>')
  })

  it('rotation: keep the newest 3 snapshots of a VM, uninstall the older ones', async () => {
    const home = tmpHome()
    const r = await sh(home, `
      VM=$(xe vm-install template="Debian Bookworm 12" new-name-label=web01)
      for i in 1 2 3 4 5; do
        xe vm-snapshot uuid=$VM new-name-label="web01-$i" >/dev/null
      done
      KEEP=3
      xe snapshot-list snapshot-of=$VM params=uuid,snapshot-time \\
        | awk '$1 == "uuid" { u = $NF } $1 == "snapshot-time" { print $NF, u }' \\
        | sort | head -n -$KEEP \\
        | while read -r time uuid; do
            echo "removing $uuid ($time)"
            xe snapshot-uninstall uuid=$uuid force=true >/dev/null
          done
      xe snapshot-list snapshot-of=$VM params=name-label --minimal
    `)
    assert.equal(r.exitCode, 0, r.stderr)
    const lines = r.stdout.split('\n')
    assert.equal(lines.length, 3)
    assert.match(lines[0]!, /^removing [0-9a-f-]{36} \(2026\d{4}T\d\d:\d\d:\d\dZ\)$/)
    assert.match(lines[1]!, /^removing /)
    assert.deepEqual(lines[2]!.split(',').sort(), ['web01-3', 'web01-4', 'web01-5'])
    const vdis = await sh(home, 'xe vdi-list is-a-snapshot=true params=name-label --minimal')
    assert.equal(vdis.stdout.split(',').length, 3)
  })

  it('provisioning: install from "Debian Bookworm 12", then clone the result', async () => {
    const home = tmpHome()
    const r = await sh(home, `
      GOLD=$(xe vm-install template="Debian Bookworm 12" new-name-label=golden sr-name-label="Local storage")
      xe vm-param-set uuid=$GOLD name-description="golden image"
      CLONE=$(xe vm-clone uuid=$GOLD new-name-label=web02)
      xe vm-list is-control-domain=false params=name-label,name-description,power-state
      for vm in $GOLD $CLONE; do xe vbd-list vm-uuid=$vm params=vdi-uuid --minimal; done
    `)
    assert.equal(r.exitCode, 0, r.stderr)
    const [listing, disks] = [r.stdout.slice(0, r.stdout.lastIndexOf('\n\n\n') + 3), r.stdout.slice(r.stdout.lastIndexOf('\n\n\n') + 3)]
    assert.equal(listing, [
      'name-label ( RW)          : golden\n    name-description ( RW): golden image\n         power-state ( RO): halted\n\n\n',
      'name-label ( RW)          : web02\n    name-description ( RW): golden image\n         power-state ( RO): halted\n\n\n',
    ].join(''))
    const [a, b] = disks.trim().split('\n')
    assert.match(a!, /^[0-9a-f-]{36}$/)
    assert.match(b!, /^[0-9a-f-]{36}$/)
    assert.notEqual(a, b)
  })

  it('the uninstall prompt reads the answer from standard input (§4)', async () => {
    const home = tmpHome()
    assert.equal((await sh(home, 'xe vm-install template="Debian Bookworm 12" new-name-label=tmp >/dev/null')).exitCode, 0)
    const no = await sh(home, 'echo nope | xe vm-uninstall vm=tmp')
    assert.equal(no.exitCode, 0)
    assert.match(no.stdout, /\nType 'yes' to continue\nAborted \(you typed: 'nope'\)$/)
    const yes = await sh(home, 'xe vm-uninstall vm=tmp', 'yes\n')
    assert.equal(yes.exitCode, 0, yes.stderr)
    assert.match(yes.stdout, /\nType 'yes' to continue\nAll objects destroyed$/)
    assert.equal((await sh(home, 'xe vm-list name-label=tmp --minimal')).stdout, '')
  })
})
