// The printer (cli_printer.ml): records as aligned key/value blocks, lists, messages; --minimal
// buffers the first field of each record and prints everything once at the end.
export type Record_ = Array<[string, string]>

export interface Sink {
  out(s: string): void
  err(s: string): void
}

/** multi_line_record: the first key left-aligned, the others right-aligned, to 4 + the longest key. */
export function recordText(r: Record_): string {
  let w = 0
  for (const [k] of r) w = Math.max(w, Buffer.byteLength(k))
  w += 4
  const pad = (s: string) => ' '.repeat(Math.max(0, w - Buffer.byteLength(s)))
  return r.map(([k, v], i) => (i === 0 ? k + pad(k) : pad(k) + k) + ': ' + v).join('\n') + '\n'
}

const escapeCommas = (s: string) => s.replace(/[\\,]/g, (c) => '\\' + c)

export class Printer {
  private chunks: string[] = []
  constructor(private sink: Sink, readonly minimal: boolean) {}

  table(records: Record_[]): void {
    if (this.minimal) {
      if (records.length > 0 && records.every((r) => r.length > 0)) this.chunks.unshift(records.map((r) => escapeCommas(r[0]![1])).join(','))
      return
    }
    for (const r of records) this.sink.out(recordText(r) + '\n\n')
  }
  list(items: string[]): void {
    if (this.minimal) {
      this.chunks.unshift(items.map(escapeCommas).join(','))
      return
    }
    for (const s of items) this.sink.out(s + '\n')
  }
  msg(s: string): void {
    if (!this.minimal) this.sink.out(s + '\n')
  }
  stderr(s: string): void {
    if (!this.minimal) this.sink.err(s + '\n')
  }
  /** Output that bypasses the printer (marshal (Print s) in xe): always printed, even with --minimal. */
  direct(s: string): void {
    this.sink.out(s + '\n')
  }
  /** Text the server sends to stderr itself (marshal (PrintStderr s)) or the client prints: always, as given. */
  directStderr(s: string): void {
    this.sink.err(s)
  }
  /** Called once when the command succeeded. */
  flush(): void {
    if (this.minimal) this.sink.out(this.chunks.join(',') + '\n')
  }
}
