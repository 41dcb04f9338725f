// xe vm-memory-set memory=<size> <vm-selectors>: VM.set_memory (static-max = dynamic-min = dynamic-max); prints
// nothing. Reference: cli_operations.ml vm_memory_set; xapi-model.md §5.1.
import { verb, XeCommand } from '../cli/command'
import { parseBytes } from '../cli/enums'
import { doDeclaredOp } from '../cli/selectors'
import { vmOf } from '../cli/vm-power'
import { setMemory } from '../engine/vm-memory'
import type { XeContext } from '../cli/context'

export default verb(
  'vm-memory-set',
  class extends XeCommand {
    exec(ctx: XeContext): void {
      const value = parseBytes('memory', ctx.params.req('memory'))
      doDeclaredOp(ctx, (rec) => setMemory(ctx.db, vmOf(rec), value))
    }
  },
)
