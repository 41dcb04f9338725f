// xe pool-dump-database file-name=: the pool's database downloaded into a new file (never over an existing one;
// an empty name writes to stdout). Prints nothing. The format is xesim's own (JSON of the pool's objects), read
// back by pool-restore-database. Reference: xe-cli-behaviour.md §8 (downloads); cli_operations.ml pool_dump_db;
// pool_db_backup.ml write_database.
import { verb, XeCommand } from '../cli/command'
import { client, openDownload } from '../cli/xva'
import { withWorld } from '../engine/world'
import { dumpDatabase } from '../engine/pool-ops'
import type { XeContext } from '../cli/context'

export default verb(
  'pool-dump-database',
  class extends XeCommand {
    static override ownTransactions = true
    static override mutates = false
    async exec(ctx: XeContext): Promise<void> {
      const filename = ctx.params.req('file-name')
      const text = await withWorld(ctx.home, false, ({ db, store }) => JSON.stringify(dumpDatabase(db, store.getMeta('profile') ?? '')) + '\n', ctx.io.env)
      await client(ctx, async () => {
        const sink = openDownload(ctx, filename, undefined)
        await sink.write(Buffer.from(text, 'utf8'))
        await sink.end()
      })
    }
  },
)
