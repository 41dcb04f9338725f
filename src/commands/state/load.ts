import { Args, Command } from '@oclif/core'
import { loadWorld } from '../../engine/state'
import { worldHome } from '../../engine/world'

export default class StateLoad extends Command {
  static override description = 'Replace the world of $XESIM_HOME with the one saved in FILE'
  static override args = { file: Args.string({ description: 'a file written by xesim state save', required: true }) }

  async run(): Promise<void> {
    const { args } = await this.parse(StateLoad)
    try {
      loadWorld(worldHome(), args.file)
    } catch (e) {
      this.error((e as Error).message, { exit: 1 })
    }
  }
}
