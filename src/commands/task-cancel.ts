// xe task-cancel uuid=<task>: asks the operation behind the task to stop; prints nothing.
// Reference: xe-cli-behaviour.md §9 (task-cancel), xapi-model.md §15.
import { verb, XeCommand } from '../cli/command'
import { cancelTask } from '../engine/task'
import type { XeContext } from '../cli/context'

export default verb(
  'task-cancel',
  class extends XeCommand {
    exec(ctx: XeContext): void {
      cancelTask(ctx.db, ctx.db.getByUuid('task', ctx.params.req('uuid')))
    }
  },
)
