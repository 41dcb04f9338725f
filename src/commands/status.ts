import { Command, Flags } from '@oclif/core'
import { worldStatus } from '../engine/status'
import { withWorld, worldHome } from '../engine/world'
import { WorldStateError } from '../engine/errors'
import { chalkFor } from '../cli/esm'
import { renderStatus } from '../cli/xesim-view'

export default class Status extends Command {
  static override description = `An overview of the world's pools: hosts (memory, enabled, master), VMs (power state, host, memory, VCPUs, IPs), SRs (type, size, used)

Coloured on a terminal; plain when NO_COLOR is set or the output is not a terminal (FORCE_COLOR forces colours).`
  static override examples = ['<%= config.bin %> status', '<%= config.bin %> status --json']
  static override flags = { json: Flags.boolean({ description: 'print the overview as JSON (sizes in bytes)' }) }

  async run(): Promise<void> {
    const { flags } = await this.parse(Status)
    let status
    try {
      status = await withWorld(worldHome(), false, (w) => worldStatus(w.scopes().map((scope) => w.pool(scope))))
    } catch (e) {
      if (e instanceof WorldStateError) this.error(`the xesim world ${e.file} cannot be used: ${e.reason}`, { exit: 1 })
      throw e
    }
    process.stdout.write(flags.json ? `${JSON.stringify(status, null, 2)}\n` : renderStatus(status, await chalkFor(process.stdout)))
  }
}
