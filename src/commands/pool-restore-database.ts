// xe pool-restore-database file-name= [dry-run=] [--force]: without --force (and not a dry run) a Failure; the
// file is uploaded (it must be named on the command line and exist), checked, and — unless dry-run is given, with
// any value — replaces the pool's database: members are forgotten, this host stays the coordinator.
// Prints "Dry-run backup restore successful" or the reboot notice (Records.string_of_float "%.3f" of
// Constants.db_restore_fuse_time 30.). Reference: xe-cli-behaviour.md §8 (uploads); cli_operations.ml
// pool_restore_db; pool_db_backup.ml restore_from_xml / prepare_database_for_restore.
import { readFileSync } from 'node:fs'
import { verb, XeCommand } from '../cli/command'
import { InternalError } from '../cli/failure'
import { checkUpload, client } from '../cli/xva'
import { withWorld } from '../engine/world'
import { parseDump, restoreDatabase } from '../engine/pool-ops'
import type { XeContext } from '../cli/context'

export default verb(
  'pool-restore-database',
  class extends XeCommand {
    static override ownTransactions = true
    async exec(ctx: XeContext): Promise<void> {
      const dryRun = ctx.params.has('dry-run')
      if (!ctx.params.has('force') && !dryRun) {
        throw new InternalError('Failure: This operation will restore the database backup to this host, making it the master. All slave hosts are assumed dead and they will be forgotten. This operation must be forced (use --force).')
      }
      const filename = ctx.params.req('file-name')
      await client(ctx, async () => {
        const path = checkUpload(ctx, filename)
        const text = readFileSync(path, 'utf8')
        await withWorld(ctx.home, !dryRun, ({ db, store }) => restoreDatabase(db, parseDump(text, store.getMeta('profile') ?? ''), dryRun), ctx.io.env)
      })
      ctx.out.list([dryRun ? 'Dry-run backup restore successful' : 'Host will reboot with restored database in 30.000 seconds...'])
    }
  },
)
