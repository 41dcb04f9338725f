// Test helpers: run xe in-process (command tier) or as a process (end-to-end tier), each against a
// temporary XESIM_HOME.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { runXe, type RunIo } from '../src/cli/main'

export const repoRoot = resolve(__dirname, '..', '..')
export const XE = join(repoRoot, 'bin', 'xe')
export const XESIM = join(repoRoot, 'bin', 'xesim')

export interface Result {
  stdout: string
  stderr: string
  code: number
}

const homes: string[] = []
export function tmpHome(): string {
  const h = mkdtempSync(join(tmpdir(), 'xesim-test-'))
  homes.push(h)
  return h
}
export function cleanupHomes(): void {
  for (const h of homes.splice(0)) rmSync(h, { recursive: true, force: true })
}

/** Runs `xe args…` in this process against `home`; stdin lines answer prompts. */
export async function xe(home: string, args: string[], opts: { env?: NodeJS.ProcessEnv; stdin?: string[] } = {}): Promise<Result> {
  let stdout = ''
  let stderr = ''
  const input = [...(opts.stdin ?? [])]
  const io: RunIo = {
    env: { HOME: home, XESIM_HOME: home, ...opts.env },
    cwd: process.cwd(),
    stdout: (s) => (stdout += s),
    stderr: (s) => (stderr += s),
    readLine: async () => input.shift(),
  }
  const code = await runXe(args, io)
  return { stdout, stderr, code }
}

/** A seeded world so that outputs are byte-for-byte reproducible. */
export async function seededHome(seed = 1): Promise<string> {
  const home = tmpHome()
  await xe(home, ['pool-list', '--minimal'], { env: { XESIM_SEED: String(seed) } })
  return home
}
