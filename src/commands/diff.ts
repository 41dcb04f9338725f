import { Args, Command, Flags } from '@oclif/core'
import { diffWorlds, snapshotFile } from '../engine/diff'
import { WorldStateError } from '../engine/errors'
import { chalkFor } from '../cli/esm'
import { diffJson, renderDiff } from '../cli/xesim-view'

export default class Diff extends Command {
  static override description = `Show what changed from world A to world B, object by object (created, destroyed, fields changed)

A and B are files written by xesim state save (or world directories). Fields carry xe's names. The exit
code follows diff(1): 0 when the worlds hold the same objects, 1 when they differ, 2 when one cannot be read.`
  static override examples = ['<%= config.bin %> diff before.db after.db', '<%= config.bin %> diff --json before.db after.db']
  static override args = {
    a: Args.string({ description: 'the world before (a file written by xesim state save)', required: true }),
    b: Args.string({ description: 'the world after', required: true }),
  }
  static override flags = { json: Flags.boolean({ description: 'print the changes as JSON' }) }

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Diff)
    let changes
    try {
      changes = diffWorlds(snapshotFile(args.a), snapshotFile(args.b))
    } catch (e) {
      const msg = e instanceof WorldStateError ? `${e.file} cannot be read: ${e.reason}` : (e as Error).message
      this.error(msg, { exit: 2 })
    }
    process.stdout.write(flags.json ? diffJson(changes) : renderDiff(changes, await chalkFor(process.stdout), process.stdout.columns || 120))
    process.exitCode = changes.length > 0 ? 1 : 0
  }
}
