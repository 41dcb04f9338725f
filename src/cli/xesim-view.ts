// How xesim's own tools show things to people: world diffs and the pool overview as cli-table3 tables,
// coloured with the chalk instance given (a level-0 chalk gives plain text).
import type { ChalkInstance } from 'chalk'
import type { ObjectChange } from '../engine/diff'
import { diffSummary } from '../engine/diff'
import type { PoolStatus } from '../engine/status'

type TableCtor = typeof import('cli-table3')
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Table = (): TableCtor => require('cli-table3') as TableCtor

/** Tables whose colours come only from chalk (cli-table3's own would ignore NO_COLOR). */
function newTable(chalk: ChalkInstance, head: string[], extra: Partial<import('cli-table3').TableConstructorOptions> = {}) {
  const T = Table()
  return new T({ head: head.map((h) => chalk.bold(h)), style: { head: [], border: [], compact: true }, ...extra })
}

/** Bytes for people: binary units, one decimal. */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || n < 1024) return `${n} B`
  const units = ['KiB', 'MiB', 'GiB', 'TiB', 'PiB']
  let v = n
  let i = -1
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024
    i++
  }
  return `${v.toFixed(1)} ${units[i]}`
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`

// ---------------------------------------------------------------------------------------------------------
// Diffs

const MARK: Record<ObjectChange['change'], string> = { created: '+', destroyed: '-', changed: '~' }

/** One line: how many objects were created, changed, destroyed. */
export function diffSummaryLine(changes: ObjectChange[]): string {
  if (changes.length === 0) return 'No changes.'
  const n = diffSummary(changes)
  return `${n.created} created, ${n.changed} changed, ${n.destroyed} destroyed.`
}

/** A world diff as a table: one row per created or destroyed object, one per changed field. */
export function renderDiff(changes: ObjectChange[], chalk: ChalkInstance, width = 120): string {
  if (changes.length === 0) return `${diffSummaryLine(changes)}\n`
  const paint: Record<ObjectChange['change'], (s: string) => string> = { created: chalk.green, destroyed: chalk.red, changed: chalk.yellow }
  const longest = Math.max(6, ...changes.flatMap((c) => (c.fields ?? []).flatMap((f) => [f.before?.length ?? 0, f.after?.length ?? 0])))
  // the two value columns share what the others leave of the width; long values wrap
  const valueWidth = Math.min(longest + 2, Math.max(24, Math.floor((width - 100) / 2)))
  const t = newTable(chalk, ['', 'class', 'uuid', 'name-label', 'field', 'before', 'after'], {
    colWidths: [null, null, null, null, null, valueWidth, valueWidth],
    wordWrap: true,
    wrapOnWordBoundary: false,
  })
  for (const c of changes) {
    const head = [paint[c.change](MARK[c.change]), paint[c.change](c.class), c.uuid, c['name-label']]
    if (c.change !== 'changed') {
      t.push([...head, chalk.dim(c.change), '', ''])
      continue
    }
    ;(c.fields ?? []).forEach((f, i) => {
      const before = f.before === undefined ? chalk.dim('(none)') : f.before
      const after = f.after === undefined ? chalk.dim('(none)') : f.after
      t.push([...(i === 0 ? head : ['', '', '', '']), f.field, before, after])
    })
  }
  return `${t.toString()}\n${diffSummaryLine(changes)}\n`
}

/** A world diff for machines. */
export function diffJson(changes: ObjectChange[]): string {
  return `${JSON.stringify(changes, null, 2)}\n`
}

// ---------------------------------------------------------------------------------------------------------
// The pool overview

export function renderStatus(s: PoolStatus, chalk: ChalkInstance): string {
  const out: string[] = []
  const yesNo = (b: boolean, good = true) => (b === good ? chalk.green(b ? 'yes' : 'no') : chalk.red(b ? 'yes' : 'no'))
  const pools = s.pools.map((p) => p['name-label'] || p.uuid).join(', ')
  out.push(`${chalk.bold(s.pools.length === 1 ? 'Pool' : 'Pools')} ${chalk.cyan(pools || '(none)')}: ${plural(s.hosts.length, 'host')}, ${plural(s.vms.length, 'VM')}, ${plural(s.srs.length, 'SR')}`)

  const hosts = newTable(chalk, ['host', 'master', 'enabled', 'live', 'memory used', 'memory free', 'memory total'], { colAligns: ['left', 'left', 'left', 'left', 'right', 'right', 'right'] })
  for (const h of s.hosts) {
    const usedShare = h['memory-total'] > 0 ? h['memory-used'] / h['memory-total'] : 0
    const used = formatBytes(h['memory-used'])
    hosts.push([
      h['name-label'],
      h.master ? chalk.cyan('master') : '',
      yesNo(h.enabled),
      yesNo(h.live),
      usedShare > 0.9 ? chalk.red(used) : usedShare > 0.75 ? chalk.yellow(used) : used,
      formatBytes(h['memory-free']),
      formatBytes(h['memory-total']),
    ])
  }
  out.push('', chalk.bold('Hosts'), hosts.toString())

  const power: Record<string, (x: string) => string> = { running: chalk.green, halted: chalk.dim, paused: chalk.yellow, suspended: chalk.blue }
  const vms = newTable(chalk, ['VM', 'power state', 'host', 'memory', 'VCPUs', 'IPs'], { colAligns: ['left', 'left', 'left', 'right', 'right', 'left'] })
  for (const v of s.vms) {
    vms.push([v['name-label'], (power[v['power-state']] ?? ((x: string) => x))(v['power-state']), v.host, formatBytes(v.memory), String(v.VCPUs), v.IPs.join('\n')])
  }
  out.push('', chalk.bold('VMs'), s.vms.length ? vms.toString() : chalk.dim('(no VMs)'))

  const srs = newTable(chalk, ['SR', 'type', 'shared', 'size', 'used', 'used %'], { colAligns: ['left', 'left', 'left', 'right', 'right', 'right'] })
  for (const r of s.srs) {
    const share = r['physical-size'] > 0 ? r['physical-utilisation'] / r['physical-size'] : 0
    const pct = r['physical-size'] > 0 ? `${(share * 100).toFixed(1)} %` : '-'
    srs.push([r['name-label'], r.type, r.shared ? 'yes' : 'no', formatBytes(r['physical-size']), formatBytes(r['physical-utilisation']), share > 0.9 ? chalk.red(pct) : share > 0.75 ? chalk.yellow(pct) : pct])
  }
  out.push('', chalk.bold('SRs'), srs.toString())
  return `${out.join('\n')}\n`
}
