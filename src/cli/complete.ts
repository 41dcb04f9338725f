// Shell completion for xe, on a fast path (bin/xesim-complete: no oclif, no engine; ≈ a bare node start):
// verbs, their parameters (src/tables/commands.json: reqd + optn, `name=` as xe takes them and `map:` for
// maps), and values from the current world for uuid and name parameters (vm=, uuid=, sr-uuid=,
// template=, host=, network-uuid=, …). The world is only read, and never created.
import { existsSync } from 'node:fs'
import type BetterSqlite3 from 'better-sqlite3'
import { table } from '../engine/tables'
import { worldFile } from '../engine/store'
import { worldHome } from '../engine/world'
import { splitLine } from './shell-words'

interface CommandRow {
  name: string
  reqd: string[]
  optn: string[]
  flags: string[]
  class?: string
  selectors?: string
  pseudo?: boolean
}

const commands = (): CommandRow[] => table<CommandRow[]>('commands.json').filter((c) => !c.pseudo)
const recordFields = (): Record<string, string[]> => table<Record<string, string[]>>('records/index.json')


// ---------------------------------------------------------------------------------------------------------
// Reading the world (read-only; a world that is missing or unreadable simply offers no values)

interface Named {
  uuid: string
  name: string
}

class WorldReader {
  private db: BetterSqlite3.Database | null | undefined
  private classes: string[] | undefined
  constructor(private readonly file: string) {}

  private open(): BetterSqlite3.Database | null {
    if (this.db !== undefined) return this.db
    this.db = null
    if (!existsSync(this.file)) return null
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const Database = require('better-sqlite3') as typeof BetterSqlite3
      this.db = new Database(this.file, { readonly: true, fileMustExist: true, timeout: 200 })
    } catch {
      this.db = null
    }
    return this.db
  }

  /** The datamodel class behind an xe class name (sr → SR, vm-group → VM_group, appliance → VM_appliance). */
  datamodelClass(cliClass: string): string | undefined {
    const special: Record<string, string> = { vm: 'VM', template: 'VM', snapshot: 'VM', appliance: 'VM_appliance', patch: 'pool_patch', update: 'pool_update', 'hostdriver-variant': 'Driver_variant' }
    if (special[cliClass]) return special[cliClass]
    const db = this.open()
    if (!db) return undefined
    try {
      this.classes ??= (db.prepare('SELECT DISTINCT cls FROM objects').all() as Array<{ cls: string }>).map((r) => r.cls)
    } catch {
      return undefined
    }
    const key = (s: string) => s.toLowerCase().replace(/[-_]/g, '')
    return this.classes.find((c) => key(c) === key(cliClass))
  }

  /** The objects of an xe class: their uuids and name-labels (VMs split into vm, template, snapshot). */
  objects(cliClass: string): Named[] {
    const cls = this.datamodelClass(cliClass)
    const db = this.open()
    if (!cls || !db) return []
    let where = ''
    if (cliClass === 'vm') where = " AND json_extract(data, '$.is_a_template') = 0"
    else if (cliClass === 'template') where = " AND json_extract(data, '$.is_a_template') = 1 AND json_extract(data, '$.is_a_snapshot') = 0"
    else if (cliClass === 'snapshot') where = " AND json_extract(data, '$.is_a_snapshot') = 1"
    try {
      const rows = db.prepare(`SELECT uuid, json_extract(data, '$.name_label') AS name FROM objects WHERE cls = ?${where} ORDER BY rowid`).all(cls) as Array<{ uuid: string | null; name: unknown }>
      return rows.filter((r) => r.uuid).map((r) => ({ uuid: r.uuid!, name: typeof r.name === 'string' ? r.name : '' }))
    } catch {
      return []
    }
  }

  close(): void {
    if (this.db) this.db.close()
  }
}

// ---------------------------------------------------------------------------------------------------------
// What to offer

/** The xe class a verb acts on: its table class, else the longest class name it starts with. */
function verbClass(verb: string, spec: CommandRow | undefined): string | undefined {
  if (spec?.class) return spec.class
  let best: string | undefined
  for (const c of Object.keys(recordFields())) if (verb.startsWith(`${c}-`) && (!best || c.length > best.length)) best = c
  return best
}

/** The parameters a verb takes, as typed on xe's command line: `name=`, or `map:` for map parameters. */
export function verbParameters(spec: CommandRow): string[] {
  const out: string[] = []
  const add = (p: string) => {
    const w = p.endsWith(':') ? p : `${p}=`
    if (!out.includes(w)) out.push(w)
  }
  for (const p of spec.reqd) add(p)
  if (spec.selectors) add(spec.selectors) // vm=, host=, sr= select the objects (<vm-selectors> in xe help)
  for (const p of spec.optn) add(p)
  return out
}

const NAME_CLASSES: Record<string, string> = { vm: 'vm', host: 'host', sr: 'sr', template: 'template', snapshot: 'snapshot', network: 'network', vdi: 'vdi', on: 'host', 'template-name': 'template', 'template-name-label': 'template' }

/** Values for `param=` of `verb`: uuids or names from the world, field names for params=. */
function values(verb: string, spec: CommandRow | undefined, param: string, world: WorldReader): string[] {
  const cls = verbClass(verb, spec)
  const uuids = (c: string | undefined) => (c ? world.objects(c).map((o) => o.uuid) : [])
  const names = (c: string) => world.objects(c).map((o) => o.name).filter((n) => n !== '')
  if (param === 'uuid') return uuids(cls)
  if (param === 'params' || param === 'param-name') return cls ? [...(recordFields()[cls] ?? []), ...(param === 'params' ? ['all'] : [])] : []
  if (NAME_CLASSES[param]) return names(NAME_CLASSES[param]!)
  const lower = param.toLowerCase()
  let m = /^(.*)-name-label$/.exec(lower)
  if (m) return world.datamodelClass(m[1]!) ? names(m[1]!) : []
  if (/(^|-)sr$/.test(lower)) return uuids('sr') // default-SR, crash-dump-SR, suspend-image-SR
  m = /^(.*)-uuids?$/.exec(lower)
  if (m) {
    // vm-uuid, sr-uuid, network-uuid, …; suspend-VDI-uuid → vdi; new-…-uuid and the like by their last word
    const c = world.datamodelClass(m[1]!) ? m[1]! : m[1]!.split('-').pop()!
    return uuids(c)
  }
  return []
}

/** Everything that may complete `word` (the whole word, unquoted) after `before` (the words before it). */
export function candidates(before: string[], word: string, world: WorldReader): string[] {
  const all = commands()
  if (before.length <= 1 || (before.length === 2 && before[1] === 'help')) {
    return [...all.filter((c) => !c.flags.includes('Hidden')).map((c) => c.name), ...(before.length <= 1 ? ['help'] : [])]
  }
  const verb = before[1]!
  const spec = all.find((c) => c.name === verb)
  if (!spec) return []
  const eq = word.indexOf('=')
  if (eq >= 0) {
    const param = word.slice(0, eq)
    const value = word.slice(eq + 1)
    // params=a,b,<tab>: complete the last field of the list
    const listed = param === 'params' ? value.slice(0, value.lastIndexOf(',') + 1) : ''
    return [...new Set(values(verb, spec, param, world))].map((v) => `${param}=${listed}${v}`)
  }
  if (word.startsWith('-')) {
    const flags = ['--minimal', ...(spec.selectors ? ['--multiple'] : []), ...(spec.optn.includes('force') ? ['--force'] : [])]
    return flags.filter((f) => !before.includes(f))
  }
  const given = new Set(before.slice(2).map((w) => w.replace(/[=:].*$/, '')))
  return verbParameters(spec).filter((p) => p.endsWith(':') || !given.has(p.slice(0, -1)))
}

/** A word as typed into the shell: characters the shell would split or expand get a backslash. */
export function shellEscape(s: string): string {
  return s.replace(/[^A-Za-z0-9_@%+=:,./~^-]/g, (c) => `\\${c}`)
}

export interface CompletionRequest {
  shell: 'bash' | 'zsh'
  /** The command line up to the cursor, as typed. */
  line: string
  /**
   * bash: the current word as bash split it (COMP_WORDS[COMP_CWORD]); bash also breaks words at = and
   * :, so replies are cut to that part. zsh: unused (replies are whole words).
   */
  cur?: string
  env: NodeJS.ProcessEnv
}

/** The replies for a completion request, one per line, escaped for the shell. */
export function complete(req: CompletionRequest): string[] {
  const words = splitLine(req.line, true)
  if (words.length === 0) return []
  const current = words[words.length - 1]!
  const before = words.slice(0, -1).map((w) => w.value)
  const world = new WorldReader(worldFile(worldHome(req.env)))
  try {
    const typed = current.value
    const full = candidates(before, typed, world).filter((c) => c.startsWith(typed)).map(shellEscape)
    if (req.shell === 'zsh' || req.cur === undefined) return full
    // bash replaces only COMP_WORDS[COMP_CWORD]: what follows the last = or : of the word
    if (!current.raw.endsWith(req.cur)) return full
    const cut = current.raw.slice(0, current.raw.length - req.cur.length)
    return full.filter((c) => c.startsWith(cut)).map((c) => c.slice(cut.length))
  } finally {
    world.close()
  }
}

/**
 * Rebuilds the command line from bash's COMP_WORDS when COMP_LINE is not there (COMP_WORDS split at
 * = and :, so those words are joined back to their neighbours, as xe's own completion does).
 */
export function lineFromWords(words: string[], cword: number): string {
  const out: string[] = []
  for (let i = 0; i <= cword && i < words.length; i++) {
    const w = words[i]!
    if (/^[=:]+$/.test(w) && out.length > 0) {
      out[out.length - 1] += w
      if (i < cword) out[out.length - 1] += words[++i] ?? ''
    } else out.push(w)
  }
  return out.join(' ')
}

/** bin/xesim-complete: `bash --line LINE CUR`, `bash --words CWORD WORD…`, `zsh --line LINE`. */
export function completeMain(argv: string[], env: NodeJS.ProcessEnv = process.env): string {
  const [shell, mode, ...rest] = argv
  if (shell !== 'bash' && shell !== 'zsh') return ''
  let line: string
  let cur: string | undefined
  if (mode === '--words') {
    const cword = Number(rest[0])
    const words = rest.slice(1)
    line = lineFromWords(words, cword)
    cur = words[cword] ?? ''
  } else {
    line = rest[0] ?? ''
    cur = rest[1]
  }
  const replies = complete({ shell, line, cur: shell === 'bash' ? (cur ?? '') : undefined, env })
  return replies.length ? `${replies.join('\n')}\n` : ''
}
