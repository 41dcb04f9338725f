// What a command's exec() receives.
import type { Db } from '../engine/db'
import type { Session } from '../engine/world'
import type { Params } from './params'
import type { Printer } from './printer'
import type { CommandSpec } from './spec'

export interface Io {
  /** Reads one line from standard input (xe's Prompt); undefined at end of input. */
  readLine(): Promise<string | undefined>
  env: NodeJS.ProcessEnv
  cwd: string
  /** Writes bytes to standard output after any text already printed (downloads to stdout); resolves when written. */
  writeStdout?(b: Uint8Array): Promise<void>
}

export interface XeContext {
  /** The xe command name. */
  name: string
  params: Params
  out: Printer
  /** The world, inside this command's transaction (not available to commands that manage their own). */
  db: Db
  /** The whole transaction: other pools of the world (pool-join, cross-pool migration). */
  session: Session
  /** The world's directory ($XESIM_HOME). */
  home: string
  spec: CommandSpec
  io: Io
}
