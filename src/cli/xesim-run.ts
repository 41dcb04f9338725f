// xesim run: a command (a script, a test runner, anything) in a throwaway world. The world is built in a
// fresh directory, an `xe` (and an `xesim`) that talk to it go first on PATH, the command runs with the
// terminal's stdin/stdout/stderr, and its exit code comes back. Optionally: what it changed (a world
// diff), and whether running it again changes anything more (idempotence).
import { spawnSync } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { constants, tmpdir } from 'node:os'
import { delimiter, join, resolve } from 'node:path'
import { diffWorlds, snapshotHome, type ObjectChange, type WorldSnapshot } from '../engine/diff'
import { loadWorld, resetWorld } from '../engine/state'
import type { Profile } from '../engine/world/fresh-host'
import { importEsm } from './esm'
import { shellWords, shQuote } from './shell-words'

/** The repository's bin/ (bin/xe, bin/xesim), from dist/src/cli. */
export const binDir = resolve(__dirname, '..', '..', '..', 'bin')

export interface RunWorldOptions {
  /** A saved world (xesim state save) to start from. */
  fixture?: string
  profile?: Profile
  /** `xesim init` flags, as one string. */
  init?: string
  seed?: number
  /** Build the world in this directory (new or empty) and leave it there. */
  keep?: string
  /** Report what the command changed. */
  diff?: boolean
  /** Run the command a second time; fail if that changes the world. */
  checkIdempotent?: boolean
  command: string[]
}

export interface RunWorldIo {
  env: NodeJS.ProcessEnv
  /** Where xesim's own messages go (the command keeps the real stderr). */
  stderr(s: string): void
}

export interface RunWorldResult {
  code: number
  /** With diff: what the (first) run changed. */
  changes?: ObjectChange[]
  /** With checkIdempotent, when the first run succeeded: what the second run changed. */
  secondRunChanges?: ObjectChange[]
  /** The second run failed or changed the world. */
  notIdempotent?: boolean
}

/** The exit code of `xesim run --check-idempotent` when the second run changed the world. */
export const NOT_IDEMPOTENT_EXIT = 1

/** A failure of xesim run itself (not of the command), with its message and exit code. */
export class RunFailure extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message)
  }
}

function writeWrapper(dir: string, name: string, home: string): void {
  const script = [
    '#!/bin/sh',
    `# ${name} for the world of one xesim run`,
    `XESIM_HOME=${shQuote(home)}`,
    'export XESIM_HOME',
    `exec ${shQuote(process.execPath)} ${shQuote(join(binDir, name))} "$@"`,
    '',
  ].join('\n')
  const file = join(dir, name)
  writeFileSync(file, script)
  chmodSync(file, 0o755)
}

function worldDir(keep: string | undefined): string {
  if (keep === undefined) return mkdtempSync(join(tmpdir(), 'xesim-run-'))
  if (existsSync(keep) && readdirSync(keep).length > 0) throw new RunFailure(`${keep} is not empty; --keep needs a new or empty directory (xesim does not overwrite worlds)`)
  mkdirSync(keep, { recursive: true })
  return resolve(keep)
}

function buildWorld(home: string, o: RunWorldOptions, env: NodeJS.ProcessEnv): void {
  if (o.fixture !== undefined) {
    try {
      loadWorld(home, o.fixture)
    } catch (e) {
      throw new RunFailure((e as Error).message)
    }
    return
  }
  if (o.init !== undefined) {
    const args = shellWords(o.init)
    if (o.seed !== undefined && !args.includes('--seed')) args.push('--seed', String(o.seed))
    const r = spawnSync(process.execPath, [join(binDir, 'xesim'), 'init', ...args], { stdio: ['ignore', 2, 2], env: { ...env, XESIM_HOME: home } })
    if (r.status !== 0) throw new RunFailure(`xesim init ${o.init} failed${r.status === null ? '' : ` (exit code ${r.status})`}`, r.status || 1)
    return
  }
  resetWorld(home, { profile: o.profile, seed: o.seed })
}

/** The shell's exit code for a process that died of a signal: 128 + its number. */
function signalExit(signal: string): number {
  const n = (constants.signals as Record<string, number>)[signal]
  return n ? 128 + n : 1
}

/** Runs the command once with the terminal's stdio; its exit code (shell conventions for failures to start). */
async function runOnce(command: string[], env: NodeJS.ProcessEnv, io: RunWorldIo): Promise<number> {
  const { execa } = await importEsm<typeof import('execa')>('execa')
  const child = execa(command[0]!, command.slice(1), { stdio: 'inherit', env, extendEnv: false, reject: false })
  // Ctrl-C reaches the command from the terminal; xesim waits for it to end and then cleans up.
  const ignore = () => {}
  const forward = (sig: NodeJS.Signals) => () => child.kill(sig)
  const onTerm = forward('SIGTERM')
  const onHup = forward('SIGHUP')
  process.on('SIGINT', ignore)
  process.on('SIGTERM', onTerm)
  process.on('SIGHUP', onHup)
  try {
    const r = await child
    if (r.exitCode !== undefined) return r.exitCode
    if (r.signal) return signalExit(r.signal)
    const code = (r as unknown as { code?: string }).code
    if (code === 'ENOENT') {
      io.stderr(`xesim run: ${command[0]}: command not found\n`)
      return 127
    }
    if (code === 'EACCES') {
      io.stderr(`xesim run: ${command[0]}: permission denied\n`)
      return 126
    }
    io.stderr(`xesim run: ${command[0]}: ${r.shortMessage ?? 'could not be run'}\n`)
    return 1
  } finally {
    process.off('SIGINT', ignore)
    process.off('SIGTERM', onTerm)
    process.off('SIGHUP', onHup)
  }
}

/** Runs `o.command` in a new world; returns the exit code xesim run should end with. */
export async function runInWorld(o: RunWorldOptions, io: RunWorldIo): Promise<RunWorldResult> {
  if (o.command.length === 0) throw new RunFailure('no command to run: xesim run [FLAGS] -- COMMAND [ARGS…]')
  const home = worldDir(o.keep)
  let bin: string | undefined
  try {
    buildWorld(home, o, io.env)
    bin = mkdtempSync(join(tmpdir(), 'xesim-run-bin-'))
    writeWrapper(bin, 'xe', home)
    writeWrapper(bin, 'xesim', home)
    const env: NodeJS.ProcessEnv = { ...io.env, XESIM_HOME: home, PATH: [bin, io.env.PATH].filter(Boolean).join(delimiter) }
    const watch = o.diff || o.checkIdempotent
    const before: WorldSnapshot | undefined = watch ? await snapshotHome(home) : undefined
    const result: RunWorldResult = { code: await runOnce(o.command, env, io) }
    const afterFirst = watch ? await snapshotHome(home) : undefined
    if (o.diff) result.changes = diffWorlds(before!, afterFirst!)
    if (o.checkIdempotent) {
      if (result.code !== 0) {
        io.stderr(`xesim run: the first run failed (exit code ${result.code}); idempotence was not checked\n`)
        return result
      }
      const second = await runOnce(o.command, env, io)
      const afterSecond = await snapshotHome(home)
      result.secondRunChanges = diffWorlds(afterFirst!, afterSecond)
      if (second !== 0) {
        io.stderr(`xesim run: not idempotent: the second run failed (exit code ${second})\n`)
        result.code = second
        result.notIdempotent = true
      } else if (result.secondRunChanges.length > 0) {
        const n = result.secondRunChanges.length
        io.stderr(`xesim run: not idempotent: the second run changed ${n} object${n === 1 ? '' : 's'}\n`)
        result.code = NOT_IDEMPOTENT_EXIT
        result.notIdempotent = true
      }
    }
    return result
  } finally {
    if (bin) rmSync(bin, { recursive: true, force: true })
    if (o.keep === undefined) rmSync(home, { recursive: true, force: true })
    else io.stderr(`xesim run: the world is kept in ${home}\n`)
  }
}
