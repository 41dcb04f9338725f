// xe help (cli_frontend.ml rio_help): the usage header, the common and full command lists, and one
// record per command named.
import type { Printer } from './printer'
import type { Params } from './params'
import { commandSpecs } from './spec'
import { helpTable } from './describe'
import { usageHeader } from './args'

const HEADER = (argv0: string) => `${usageHeader(argv0, false)}\nTo get help on a specific command:\n  ${argv0} help <command>\n\n`

/** make_list: lines of 4-space-indented, ", "-joined names, wrapped before 74 characters. */
export function makeList(names: string[]): string[] {
  const indent = '    '
  const lines: string[] = []
  let cur = indent + (names[0] ?? '')
  for (const n of names.slice(1)) {
    if (cur.length + n.length > 74) {
      lines.push(cur)
      cur = indent + n
    } else cur += ', ' + n
  }
  lines.push(cur)
  return lines
}

function selectorsOf(flags: string[]): 'vm' | 'host' | 'sr' | undefined {
  const v = flags.includes('Vm_selectors')
  const h = flags.includes('Host_selectors')
  const s = flags.includes('Sr_selectors')
  if (v && !h && !s) return 'vm'
  if (h && !v && !s) return 'host'
  if (s && !v && !h) return 'sr'
  return undefined
}

export function help(out: Printer, params: Params, argv0 = 'xe'): void {
  const specs = commandSpecs()
  const named = params.list.filter(([k]) => !['server', 'username', 'password', 'port', 'minimal', 'all'].includes(k))
  if (named.length > 0) {
    const h = helpTable()
    for (const [name] of named) {
      const c = specs.get(name)
      if (!c) {
        out.list([`Unknown command '${name}'`])
        continue
      }
      const optional = [...c.optn]
      if (c.flags.includes('Vm_selectors')) optional.push('<vm-selectors>')
      if (c.flags.includes('Sr_selectors')) optional.push('<sr-selectors>')
      if (c.flags.includes('Host_selectors')) optional.push('<host-selectors>')
      const sel = selectorsOf(c.flags)
      const desc = (h.commands[name] ?? '') + (sel ? h.selectorsInfo[sel] : '')
      out.table([[
        ['command name        ', name],
        ['reqd params     ', c.reqd.join(', ')],
        ['optional params ', optional.join(', ')],
        ['description     ', desc],
      ]])
    }
    return
  }
  const visible = [...specs.values()].filter((c) => !c.flags.includes('Hidden')).map((c) => c.name)
  visible.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  if (params.get('all') === 'true') {
    if (out.minimal) return out.list(visible)
    const host = visible.filter((n) => n.startsWith('host-'))
    const vm = visible.filter((n) => !n.startsWith('host-') && n.startsWith('vm-'))
    const other = visible.filter((n) => !n.startsWith('host-') && !n.startsWith('vm-'))
    out.list([HEADER(argv0) + 'Full command list\n-----------------\n'])
    out.list(makeList(host))
    out.list(makeList(['']))
    out.list(makeList(vm))
    out.list(makeList(['']))
    out.list(makeList(other))
    return
  }
  const common = visible.filter((n) => specs.get(n)!.flags.includes('Standard'))
  if (out.minimal) return out.list(common)
  out.list([HEADER(argv0) + `To get a full listing of commands:\n  ${argv0} help --all\n\nCommon command list\n-------------------\n`])
  out.list(makeList(common))
}
