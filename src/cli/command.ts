// The base of every xe command. Under oclif (manifest generation, `xesim xe …`) it extends oclif's
// Command; on bin/xe's fast path (globalThis.__xesimFast) it extends the tiny stand-in in oclif-lite.
import type { Command as OclifCommand } from '@oclif/core'
import type { XeContext } from './context'
import { describeCommand } from './describe'

const fast = (globalThis as { __xesimFast?: boolean }).__xesimFast === true
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Base: typeof OclifCommand = fast ? require('./oclif-lite').Command : require('@oclif/core').Command

export abstract class XeCommand extends Base {
  static override strict = false
  /** xe verbs stay out of `xesim --help` (xe has its own help); they remain commands in the manifest. */
  static override hidden = true
  /** Whether the command may change the world (read-only commands run in a read transaction). */
  static mutates = true
  /** Whether the command opens its own transactions (e.g. event-wait, which waits between them). */
  static ownTransactions = false
  /** Whether xesim implements the command (generated placeholders say false). */
  static implemented = true

  abstract exec(ctx: XeContext): void | Promise<void>

  /** Under oclif: run through the same dispatcher as bin/xe, so behaviour is identical. */
  async run(): Promise<void> {
    const { main } = await import('./main')
    await main([this.id ?? '', ...this.argv])
  }
}
/**
 * Names a command class after its xe verb: oclif shows (and caches in the manifest) the description
 * in xesim's own words, read lazily so that bin/xe's fast path never loads the help texts.
 */
export function verb<T extends abstract new (...a: never[]) => XeCommand>(name: string, cls: T): T {
  Object.defineProperty(cls, 'description', { get: () => describeCommand(name), enumerable: true, configurable: true })
  return cls
}

export type XeCommandClass = (abstract new (...a: never[]) => XeCommand) & { mutates: boolean; implemented: boolean; ownTransactions: boolean }
