// Splitting a command line into words as a POSIX shell does for plain words: blanks separate, '…' and
// "…" quote, a backslash escapes the next character. No expansions. Used for `xesim run --init "…"`
// and by the completion helper (which also needs each word's text as typed).

export interface ShellWord {
  /** The word as typed (quotes and backslashes kept). */
  raw: string
  /** The word the command receives. */
  value: string
}

/** The words of `line`; when the line ends in a blank, a last empty word (the one being started). */
export function splitLine(line: string, openEnd = false): ShellWord[] {
  const words: ShellWord[] = []
  let raw = ''
  let value = ''
  let inWord = false
  let quote: '' | "'" | '"' = ''
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!
    if (quote === "'") {
      raw += c
      if (c === "'") quote = ''
      else value += c
      continue
    }
    if (quote === '"') {
      raw += c
      if (c === '"') quote = ''
      else if (c === '\\' && i + 1 < line.length && '$`"\\\n'.includes(line[i + 1]!)) {
        raw += line[++i]
        value += line[i]
      } else value += c
      continue
    }
    if (c === ' ' || c === '\t' || c === '\n') {
      if (inWord) words.push({ raw, value })
      raw = ''
      value = ''
      inWord = false
      continue
    }
    inWord = true
    raw += c
    if (c === "'" || c === '"') quote = c
    else if (c === '\\') {
      if (i + 1 < line.length) {
        raw += line[++i]
        value += line[i]
      }
    } else value += c
  }
  if (inWord) words.push({ raw, value })
  else if (openEnd) words.push({ raw: '', value: '' })
  return words
}

/** The arguments a shell would make of `line` (for `--init "--hosts 2 --vms 5"`). */
export function shellWords(line: string): string[] {
  return splitLine(line).map((w) => w.value)
}

/** A word quoted for a POSIX shell (single quotes). */
export function shQuote(s: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`
}
