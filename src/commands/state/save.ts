import { Args, Command } from '@oclif/core'
import { saveWorld } from '../../engine/state'
import { worldHome } from '../../engine/world'

export default class StateSave extends Command {
  static override description = 'Save the whole world of $XESIM_HOME to FILE (a CI fixture); never overwrites FILE'
  static override args = { file: Args.string({ description: 'file to create', required: true }) }

  async run(): Promise<void> {
    const { args } = await this.parse(StateSave)
    try {
      await saveWorld(worldHome(), args.file)
    } catch (e) {
      this.error((e as Error).message, { exit: 1 })
    }
  }
}
