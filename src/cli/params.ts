// The parameters of one command as xe's server sees them: an ordered list of (key, value) pairs;
// lookups take the first occurrence (List.assoc), filters and setters see every occurrence.
import type { Param } from './args'
import { CliFailure } from './failure'
import { parseBoolLoose } from './enums'

/** Parameters that are never filters or fields (cli_operations.ml stdparams). */
export const STDPARAMS = ['server', 'password', 'port', 'username', 'minimal', 'force', 'multiple', 'all', 'message-priority', 'trace']

export class Params {
  constructor(readonly list: Param[]) {}
  has(k: string): boolean {
    return this.list.some(([key]) => key === k)
  }
  get(k: string): string | undefined {
    for (const [key, v] of this.list) if (key === k) return v
    return undefined
  }
  /** A parameter that `reqd` guarantees (checked before the command runs). */
  req(k: string): string {
    const v = this.get(k)
    if (v === undefined) throw new CliFailure(`Required parameter not found: ${k}`)
    return v
  }
  /** get_bool_param: Record_util.bool_of_string, case-insensitive. */
  bool(k: string, dflt = false): boolean {
    const v = this.get(k)
    if (v === undefined) return dflt
    return parseBoolLoose(k, v)
  }
  /** read_map_params: every `name:key=v` (or old `name-key=v`) as (key, v). */
  map(name: string): Param[] {
    const len = name.length + 1
    return this.list.filter(([p]) => p.startsWith(name) && p.length > len).map(([p, v]) => [p.slice(len), v])
  }
  /** get_set_param: a comma-separated list. */
  set(k: string): string[] | undefined {
    const v = this.get(k)
    return v === undefined ? undefined : v.split(',')
  }
  /** get_unique_param. */
  unique(k: string): string | undefined {
    const all = this.list.filter(([key]) => key === k)
    if (all.length > 1) throw new CliFailure(`Parameter ${k} is defined multiple times, define it only once.`)
    return all[0]?.[1]
  }
  without(keys: string[]): Param[] {
    return this.list.filter(([k]) => !keys.includes(k))
  }
}
