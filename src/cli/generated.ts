// Factories for the command modules the build generates from the tables: the per-class families
// (xe's gen_cmds) and placeholders for the verbs xesim does not implement yet.
import { verb, XeCommand } from './command'
import { CliFailure } from './failure'
import { familyMutates, runFamily, type FamilyVerb } from './families'
import type { XeContext } from './context'

export function familyCommand(cls: string, kind: FamilyVerb) {
  return verb(
    `${cls}-${kind}`,
    class extends XeCommand {
      static override mutates = familyMutates(kind)
      exec(ctx: XeContext): void {
        runFamily(ctx, cls, kind)
      }
    },
  )
}

export function notImplemented(name: string) {
  return verb(
    name,
    class extends XeCommand {
      static override implemented = false
      exec(): void {
        throw new CliFailure(`${name} is not implemented by xesim yet`)
      }
    },
  )
}
