import { Command, Flags } from '@oclif/core'
import { parseSeed, PROFILES, worldHome } from '../engine/world'
import { resetWorld } from '../engine/state'
import type { Profile } from '../engine/world/fresh-host'

export default class Reset extends Command {
  static override description = 'Recreate the default world (a freshly installed host) in $XESIM_HOME'
  static override examples = ['<%= config.bin %> reset', '<%= config.bin %> reset --profile xcp-ng-8.3 --seed 42']
  static override flags = {
    profile: Flags.string({ description: 'which product the fresh host runs', options: PROFILES, default: 'xenserver-8' }),
    seed: Flags.string({ description: 'make uuids, refs, MACs and timestamps reproducible (an integer)' }),
  }

  async run(): Promise<void> {
    const { flags } = await this.parse(Reset)
    const home = worldHome()
    let seed: number | undefined
    try {
      seed = parseSeed(flags.seed ?? process.env.XESIM_SEED)
    } catch (e) {
      this.error((e as Error).message, { exit: 1 })
    }
    const { movedAside } = resetWorld(home, { profile: flags.profile as Profile, seed })
    if (movedAside) this.log(`The unreadable world was moved to ${movedAside}`)
    this.log(`Reset the world in ${home} (${flags.profile}${seed === undefined ? '' : `, seed ${seed}`})`)
  }
}
