// Reads the committed data tables (src/tables, copied beside the compiled code by the build).
import { readFileSync } from 'node:fs'
import { join } from 'node:path'

const dir = join(__dirname, '..', 'tables')
const cache = new Map<string, unknown>()
export function table<T>(name: string): T {
  let v = cache.get(name)
  if (v === undefined) {
    v = JSON.parse(readFileSync(join(dir, name), 'utf8'))
    cache.set(name, v)
  }
  return v as T
}
export const tablesDir = dir
