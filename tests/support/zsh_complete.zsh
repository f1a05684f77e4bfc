# What zsh's own completion system offers for a command line (tests/completions.rs).
# Usage: zsh -f zsh_complete.zsh FPATH_DIR LINE. An interactive zsh in a pseudo-terminal
# (zpty) runs compinit with the script in FPATH_DIR, gets LINE and a TAB; compadd is
# wrapped to print each match (then adds it as usual), and a post-function marks the end.
zmodload zsh/zpty || exit 3
zpty z zsh -f -i
zpty -w z "PS1=''; PROMPT=''; unsetopt zle_bracketed_paste 2>/dev/null; fpath=(${(q)1} \$fpath); autoload -Uz compinit; compinit -u -D"
zpty -w z "compadd() { local -a __m; builtin compadd -O __m \"\$@\"; print -rn -- \${(pj:\\0:)__m/#/@@}\$'\\0'; builtin compadd \"\$@\" }"
zpty -w z "_biopass_done() { print -rn -- '@@EN''D@@' }; comppostfuncs=(_biopass_done)"
zpty -w z "zstyle ':completion:*' list-prompt ''; zstyle ':completion:*' menu no; LISTMAX=100000"
zpty -n -w z "$2"$'\t'
zpty -r z out '*@@END@@*' || exit 4
zpty -d z
for m in ${(0)out}; do [[ $m == *@@* ]] && print -r -- ${m##*@@}; done | grep -v '^END@@$' | sort -u
