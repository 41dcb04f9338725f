// Command descriptions in xesim's own words (src/tables/help.json).
import { table } from '../engine/tables'

interface HelpTable {
  commands: Record<string, string>
  selectorsInfo: Record<'vm' | 'host' | 'sr', string>
}
export const helpTable = () => table<HelpTable>('help.json')

export function describeCommand(name: string): string {
  try {
    return helpTable().commands[name] ?? ''
  } catch {
    return ''
  }
}
