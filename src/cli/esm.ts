// ESM-only packages (chalk 5, execa 9) from this CommonJS code: a real dynamic import(), which tsc would
// otherwise rewrite into require() when compiling to CommonJS.
// eslint-disable-next-line @typescript-eslint/no-implied-eval
const dynamicImport = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<unknown>

export function importEsm<T>(specifier: string): Promise<T> {
  return dynamicImport(specifier) as Promise<T>
}

/** chalk for a stream: colours unless NO_COLOR is set (no-color.org); FORCE_COLOR or a TTY turn them on. */
export async function chalkFor(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv = process.env): Promise<import('chalk').ChalkInstance> {
  const chalk = await importEsm<typeof import('chalk')>('chalk')
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return new chalk.Chalk({ level: 0 })
  const support = stream === process.stderr ? chalk.supportsColorStderr : chalk.supportsColor
  return new chalk.Chalk({ level: support ? support.level : 0 })
}
