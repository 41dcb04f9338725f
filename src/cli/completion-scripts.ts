// The completion scripts `xesim completion bash|zsh` prints. They ask bin/xesim-complete (src/cli/complete.ts)
// for the replies, so that verbs, parameters and the world's uuids and names come without loading oclif.
import { join } from 'node:path'
import { binDir } from './xesim-run'
import { shQuote } from './shell-words'

export const COMPLETE_BIN = join(binDir, 'xesim-complete')

export function bashCompletion(helper = COMPLETE_BIN): string {
  const h = shQuote(helper)
  return `# xe completion for bash, printed by \`xesim completion bash\`.
# Install: echo 'source <(xesim completion bash)' >> ~/.bashrc
_xesim_xe() {
  local cur=\${COMP_WORDS[COMP_CWORD]} reply
  COMPREPLY=()
  if [[ -n \${COMP_LINE-} ]]; then
    while IFS= read -r reply; do COMPREPLY+=("$reply"); done < <(${h} bash --line "\${COMP_LINE:0:COMP_POINT}" "$cur" 2>/dev/null)
  else
    while IFS= read -r reply; do COMPREPLY+=("$reply"); done < <(${h} bash --words "$COMP_CWORD" "\${COMP_WORDS[@]}" 2>/dev/null)
  fi
  # parameters (name=, map:) wait for their value: no space after them
  for reply in "\${COMPREPLY[@]}"; do
    if [[ $reply == *[=:] ]]; then
      compopt -o nospace 2>/dev/null
      break
    fi
  done
  return 0
}
complete -F _xesim_xe xe
`
}

export function zshCompletion(helper = COMPLETE_BIN): string {
  const h = shQuote(helper)
  return `#compdef xe
# xe completion for zsh, printed by \`xesim completion zsh\`.
# Install: echo 'source <(xesim completion zsh)' >> ~/.zshrc
_xesim_xe() {
  local -a replies nospace plain
  local line="\${(j: :)words[1,CURRENT-1]} \${PREFIX}"
  replies=("\${(@f)$(${h} zsh --line "$line" 2>/dev/null)}")
  replies=(\${replies:#})
  nospace=(\${(M)replies:#*[=:]})
  plain=(\${replies:#*[=:]})
  (( \${#nospace} )) && compadd -Q -S '' -a nospace
  (( \${#plain} )) && compadd -Q -a plain
  return 0
}
if (( ! $+functions[compdef] )); then
  autoload -Uz compinit && compinit
fi
compdef _xesim_xe xe
`
}
