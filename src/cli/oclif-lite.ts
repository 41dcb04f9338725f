// The stand-in base class used on xe's fast path: xe commands are oclif command classes, but loading
// @oclif/core costs ~3.5x a bare node start, so bin/xe runs them on this minimal base instead.
// Nothing on the fast path calls oclif behaviour; oclif itself (manifest, xesim) uses the real class.
export class Command {
  static id?: string
  static strict = true
  static hidden = false
  static summary?: string
  static description?: string
  constructor(
    public argv: string[] = [],
    public config?: unknown,
  ) {}
}
