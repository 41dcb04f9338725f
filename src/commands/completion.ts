import { Args, Command } from '@oclif/core'
import { bashCompletion, zshCompletion } from '../cli/completion-scripts'

export default class Completion extends Command {
  static override description = `Print a completion script for xe: verbs, their parameters, and uuids and names from the current world

Install it with one line: echo 'source <(xesim completion bash)' >> ~/.bashrc (zsh: ~/.zshrc).`
  static override examples = ['source <(<%= config.bin %> completion bash)', 'source <(<%= config.bin %> completion zsh)']
  static override args = { shell: Args.string({ description: 'the shell', options: ['bash', 'zsh'], required: true }) }

  async run(): Promise<void> {
    const { args } = await this.parse(Completion)
    process.stdout.write(args.shell === 'zsh' ? zshCompletion() : bashCompletion())
  }
}
