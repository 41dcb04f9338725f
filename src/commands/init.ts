import { Command, Flags } from '@oclif/core'
import { parseSeed, PROFILES, worldHome } from '../engine/world'
import { resetWorld } from '../engine/state'
import type { Profile } from '../engine/world/fresh-host'

/** The seed of `xesim init` without --seed (or XESIM_SEED): an inventory is always reproducible. */
export const DEFAULT_INIT_SEED = 1

export default class Init extends Command {
  static override description =
    'Replace the world in $XESIM_HOME with a seeded inventory: a pool of N hosts sharing an NFS SR, with M guests spread over them (same seed, same world)'
  static override examples = ['<%= config.bin %> init --hosts 3 --vms 20', '<%= config.bin %> init --hosts 8 --vms 10000 --seed 42']
  static override flags = {
    hosts: Flags.integer({ description: 'hosts in the pool (the first is the coordinator)', min: 1, max: 64, default: 1 }),
    vms: Flags.integer({ description: 'guests to create', min: 0, max: 100000, default: 0 }),
    'shared-sr': Flags.string({ description: 'shared SR holding the guests\' disks (default: nfs when there is more than one host, else the local SR)', options: ['nfs', 'none'] }),
    seed: Flags.string({ description: `make the world reproducible (an integer; default XESIM_SEED, else ${DEFAULT_INIT_SEED})` }),
    profile: Flags.string({ description: 'which product the hosts run', options: PROFILES, default: 'xenserver-8' }),
  }

  async run(): Promise<void> {
    const { flags } = await this.parse(Init)
    const home = worldHome()
    let seed: number
    try {
      seed = parseSeed(flags.seed ?? process.env.XESIM_SEED) ?? DEFAULT_INIT_SEED
    } catch (e) {
      this.error((e as Error).message, { exit: 1 })
    }
    const sharedSr = (flags['shared-sr'] ?? (flags.hosts > 1 ? 'nfs' : 'none')) as 'nfs' | 'none'
    const { movedAside } = resetWorld(home, { profile: flags.profile as Profile, seed, inventory: { hosts: flags.hosts, vms: flags.vms, sharedSr } })
    if (movedAside) this.log(`The unreadable world was moved to ${movedAside}`)
    this.log(`Built a pool of ${flags.hosts} host${flags.hosts === 1 ? '' : 's'} with ${flags.vms} VM${flags.vms === 1 ? '' : 's'} in ${home} (${flags.profile}, seed ${seed})`)
  }
}
