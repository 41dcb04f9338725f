// The command table (src/tables/commands.json, from xe-commands.json).
import { table } from '../engine/tables'

export interface SelectorCall {
  helper: string
  kind: 'vm' | 'host' | 'sr'
  dom0: boolean
  templates: boolean
  multiple: boolean
  ignore: string[]
}
export interface CommandSpec {
  name: string
  reqd: string[]
  optn: string[]
  flags: string[]
  selectors?: string
  calls?: SelectorCall[]
  class?: string
  pseudo?: boolean
  fd?: boolean
}

let index: Map<string, CommandSpec> | undefined
export function commandSpecs(): Map<string, CommandSpec> {
  if (!index) {
    index = new Map()
    for (const c of table<CommandSpec[]>('commands.json')) if (!c.pseudo) index.set(c.name, c)
  }
  return index
}
/**
 * The entry of one command for the dispatcher. It reads dispatch/<name>.json, which the build derives from
 * commands.json without the optional-parameter lists (only help needs those).
 */
export function commandSpec(name: string): CommandSpec | undefined {
  // the build also writes each entry to dispatch/<name>.json: a start reads only its own (names are [a-z0-9-])
  if (name.length > 100 || !/^[a-z0-9-]+$/.test(name)) return undefined
  let d: Omit<CommandSpec, 'optn'>
  try {
    d = table<Omit<CommandSpec, 'optn'>>(`dispatch/${name}.json`)
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    if (code === 'ENOENT' || code === 'ENAMETOOLONG') return undefined
    throw e
  }
  // (a file system that ignores case would find vm-list.json for VM-LIST)
  return d.name === name ? { optn: [], ...d } : undefined
}
