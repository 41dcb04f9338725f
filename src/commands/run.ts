import { Command, Flags } from '@oclif/core'
import { parseSeed, PROFILES } from '../engine/world'
import type { Profile } from '../engine/world/fresh-host'
import type { ObjectChange } from '../engine/diff'
import { chalkFor } from '../cli/esm'
import { diffJson, renderDiff } from '../cli/xesim-view'
import { RunFailure, runInWorld } from '../cli/xesim-run'

export default class Run extends Command {
  static override description = `Run a command (a script, a test runner, anything) in a throwaway world and exit with its exit code

The world is created in a temporary directory and removed afterwards (unless --keep). An \`xe\` (and an \`xesim\`) that talk to it come first on the command's PATH; stdin, stdout and stderr are the terminal's. Exit codes: the command's (127 if it is not found, 128+N if signal N ends it); 1 when --check-idempotent finds that a second run changed the world.`
  // the command's words are not oclif's: run() splits them off (and oclif must not read `run cat` as a topic)
  static override strict = false
  static override usage = 'run [--fixture FILE | --profile NAME | --init "FLAGS"] [--seed S] [--keep DIR] [--diff [--json]] [--check-idempotent] -- COMMAND [ARGS…]'
  static override examples = [
    '<%= config.bin %> run -- ./provision.sh',
    '<%= config.bin %> run --fixture ci/pool.db --diff -- bash -c \'xe vm-install template="Debian Bookworm 12" new-name-label=web01\'',
    '<%= config.bin %> run --seed 7 --check-idempotent -- ansible-playbook site.yml',
  ]
  static override flags = {
    fixture: Flags.string({ helpValue: 'FILE', description: 'start from a world saved with xesim state save', exclusive: ['profile', 'init', 'seed'] }),
    profile: Flags.string({ helpValue: 'NAME', description: 'start from a freshly installed host of this product (xenserver-8 or xcp-ng-8.3)', options: PROFILES, exclusive: ['init'] }),
    init: Flags.string({ helpValue: 'FLAGS', description: 'start from the world `xesim init FLAGS` builds (e.g. "--hosts 2 --vms 5")' }),
    seed: Flags.string({ helpValue: 'S', description: 'make uuids, refs, MACs and timestamps of the new world reproducible (an integer)' }),
    keep: Flags.string({ helpValue: 'DIR', description: 'build the world in DIR (new or empty) and keep it afterwards' }),
    diff: Flags.boolean({ description: 'afterwards, print what the command changed in the world, object by object' }),
    json: Flags.boolean({ description: 'print the --diff (and --check-idempotent) reports as JSON' }),
    'check-idempotent': Flags.boolean({ description: 'run the command twice; fail if the second run changes the world' }),
  }

  /** Splits xesim's flags from the command: at `--`, else at the first word that is not a flag of run. */
  private split(argv: string[]): { own: string[]; command: string[] } {
    const dd = argv.indexOf('--')
    if (dd >= 0) return { own: argv.slice(0, dd), command: argv.slice(dd + 1) }
    const takesValue = new Set(Object.entries(Run.flags).filter(([, f]) => f.type === 'option').map(([n]) => `--${n}`))
    let i = 0
    const own: string[] = []
    while (i < argv.length && argv[i]!.startsWith('-') && argv[i] !== '-') {
      own.push(argv[i]!)
      if (takesValue.has(argv[i]!) && i + 1 < argv.length) own.push(argv[++i]!)
      i++
    }
    return { own, command: argv.slice(i) }
  }

  async run(): Promise<void> {
    const { own, command } = this.split(this.argv)
    const { flags, argv } = await this.parse(Run, own)
    if (argv.length > 0) this.error(`unexpected argument ${String(argv[0])}: put the command after --`, { exit: 2 })
    let seed: number | undefined
    try {
      seed = flags.fixture ? undefined : parseSeed(flags.seed ?? process.env.XESIM_SEED)
    } catch (e) {
      this.error((e as Error).message, { exit: 1 })
    }
    if (flags.init !== undefined && !this.config.findCommand('init')) {
      this.error('--init needs `xesim init`, which this xesim does not have yet; start from --fixture FILE or --profile NAME instead', { exit: 1 })
    }
    if (flags.json && !flags.diff && !flags['check-idempotent']) this.error('--json formats the --diff and --check-idempotent reports; give one of them', { exit: 1 })
    const show = async (changes: ObjectChange[], stream: NodeJS.WriteStream) =>
      stream.write(flags.json ? diffJson(changes) : renderDiff(changes, await chalkFor(stream), stream.columns || 120))
    try {
      const r = await runInWorld(
        {
          fixture: flags.fixture, profile: flags.profile as Profile | undefined, init: flags.init, seed, keep: flags.keep,
          diff: flags.diff, checkIdempotent: flags['check-idempotent'], command,
        },
        {
          env: process.env,
          stderr: (s) => process.stderr.write(s),
        },
      )
      if (r.changes) await show(r.changes, process.stdout)
      // what the second run changed explains the failure: on stderr, as the failure message is
      if (r.notIdempotent && r.secondRunChanges?.length) await show(r.secondRunChanges, process.stderr)
      process.exitCode = r.code
    } catch (e) {
      if (e instanceof RunFailure) this.error(e.message, { exit: e.exitCode })
      throw e
    }
  }
}
