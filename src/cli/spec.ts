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
 * The entry of one command for the dispatcher. It reads dispatch.json, which the build derives from
 * commands.json without the optional-parameter lists (only help needs those): a third of the size.
 */
export function commandSpec(name: string): CommandSpec | undefined {
  const d = table<Record<string, Omit<CommandSpec, 'name' | 'optn'>>>('dispatch.json')[name]
  return d && { name, optn: [], ...d }
}
