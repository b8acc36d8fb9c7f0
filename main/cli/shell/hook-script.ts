/**
 * The code `latchkey shell-hook <shell>` prints for an rc file to eval. Per prompt it costs a string
 * comparison and a stat of each watched file; it calls back into latchkey only when the schema
 * governing $PWD is a different file than before (found by walking up with `test -e`, no process
 * started) or a watched file — the schema, allowed.json, while locked the audit log — is newer than
 * the stamp the CLI touched when it last answered. Leaving a repo is pure shell: the saved values
 * come back without starting anything.
 *
 * Shell state, all in unexported variables:
 *   __latchkey_pwd      $PWD at the last check
 *   __latchkey_schema   the schema file the shell found for it ('' = none)
 *   __latchkey_state    the CLI's opaque verdict, handed back to it so it stays quiet when nothing changed
 *   __latchkey_watch    files whose change triggers a re-check; __latchkey_stamp the CLI's stamp
 *   __latchkey_names    variables the hook set; for each NAME it replaced, __latchkey_had_NAME=1,
 *                       __latchkey_old_NAME (the old value) and __latchkey_x_NAME=1 if it was exported.
 * Every local is __latchkey_-prefixed and no secret may have such a name (shell-variables.ts), so
 * a variable being set can never be one of the hook's own.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { quoteForShell, type ShellKind } from './quote';

/** How the hook runs latchkey again: this Node and this checkout's bin/latchkey.js, by absolute path. */
export function cliCommand(): string[] {
  const bin = resolve(__dirname, '..', '..', '..', '..', 'bin', 'latchkey.js');
  return [process.execPath, existsSync(bin) ? bin : resolve(process.argv[1] ?? bin)];
}

function bashLike(shell: 'bash' | 'zsh', cli: readonly string[]): string {
  const call = cli.map((w) => quoteForShell(shell, w)).join(' ');
  const zsh = shell === 'zsh';
  // The differences: how a variable is read by name, and how its attributes are asked.
  const byName = (v: string): string => (zsh ? `\${(P)${v}}` : `\${!${v}-}`);
  const isSet = zsh ? '(( ${+parameters[$1]} ))' : '[[ -n ${!1+set} ]]';
  const isExported = zsh ? '[[ ${parameters[$1]} == *-export* ]]' : '[[ ${!1@a} == *x* ]]';
  const unexport = zsh ? 'typeset -g +x' : 'export -n';
  const local = zsh ? 'emulate -L zsh\n  ' : '';
  const split = zsh ? '${=__latchkey_names}' : '${__latchkey_names-}';
  return `# Latchkey shell hook (${shell}); see docs/shell.md.
__latchkey_cli() { ${call} "$@"; }
__latchkey_pwd=
[[ -n \${__latchkey_names+set} ]] || __latchkey_names=
[[ -n \${__latchkey_state+set} ]] || __latchkey_state=
[[ -n \${__latchkey_schema+set} ]] || __latchkey_schema=
[[ -n \${__latchkey_stamp+set} ]] || __latchkey_stamp=
[[ -n \${__latchkey_watch+set} ]] || __latchkey_watch=()

__latchkey_set() {
  ${local}if [[ " $__latchkey_names " != *" $1 "* ]]; then
    __latchkey_names="$__latchkey_names $1"
    if ${isSet}; then
      typeset -g "__latchkey_old_$1=${zsh ? '${(P)1}' : '${!1}'}" "__latchkey_had_$1=1"
      if ${isExported}; then typeset -g "__latchkey_x_$1=1"; fi
    fi
  fi
  export "$1=$2"
}

__latchkey_restore() {
  ${local}local IFS=$' \\t\\n' __latchkey_n __latchkey_v
  for __latchkey_n in ${split}; do
    __latchkey_v=__latchkey_had_$__latchkey_n
    if [[ -n ${byName('__latchkey_v')} ]]; then
      __latchkey_v=__latchkey_old_$__latchkey_n
      export "$__latchkey_n=${byName('__latchkey_v')}"
      __latchkey_v=__latchkey_x_$__latchkey_n
      [[ -n ${byName('__latchkey_v')} ]] || ${unexport} "$__latchkey_n"
    else
      unset "$__latchkey_n"
    fi
    unset "__latchkey_had_$__latchkey_n" "__latchkey_old_$__latchkey_n" "__latchkey_x_$__latchkey_n"
  done
  __latchkey_names=
}

__latchkey_find() {
  ${local}local __latchkey_d=$PWD __latchkey_p
  __latchkey_found=
  while :; do
    [[ $__latchkey_d == / ]] && __latchkey_d=
    if [[ -e $__latchkey_d/latchkey.yml || -L $__latchkey_d/latchkey.yml ]]; then
      __latchkey_found=$__latchkey_d/latchkey.yml; return 0
    fi
    if [[ -e $__latchkey_d/.latchkey.yml || -L $__latchkey_d/.latchkey.yml ]]; then
      __latchkey_found=$__latchkey_d/.latchkey.yml; return 0
    fi
    __latchkey_p=\${__latchkey_d%/*}
    [[ -z $__latchkey_d || $__latchkey_p == "$__latchkey_d" ]] && return 0
    __latchkey_d=$__latchkey_p
  done
}

__latchkey_hook() {
  local __latchkey_status=$?
  ${local}local __latchkey_f __latchkey_changed=
  for __latchkey_f in "\${__latchkey_watch[@]}"; do
    if [[ $__latchkey_f -nt $__latchkey_stamp ]]; then __latchkey_changed=1; break; fi
  done
  if [[ -n $__latchkey_changed || $PWD != "$__latchkey_pwd" ]]; then
    __latchkey_pwd=$PWD
    __latchkey_find
    if [[ -n $__latchkey_changed || $__latchkey_found != "$__latchkey_schema" ]]; then
      __latchkey_schema=$__latchkey_found
      __latchkey_watch=()
      if [[ -z $__latchkey_found ]]; then
        __latchkey_restore
        __latchkey_state=
      else
        eval "$(__latchkey_cli shell-hook ${shell} --export "--dir=$PWD" "--state=$__latchkey_state" "--pid=$$" </dev/null)"
      fi
    fi
  fi
  return $__latchkey_status
}
${
  zsh
    ? `autoload -Uz add-zsh-hook
add-zsh-hook chpwd __latchkey_hook
add-zsh-hook precmd __latchkey_hook`
    : `# Before any other PROMPT_COMMAND (a string, or an array since bash 5.1), and only once.
__latchkey_found=
for __latchkey_f in "\${PROMPT_COMMAND[@]}"; do
  [[ ";$__latchkey_f;" == *";__latchkey_hook;"* ]] && __latchkey_found=1
done
if [[ -z $__latchkey_found ]]; then
  if [[ "\${PROMPT_COMMAND@a}" == *a* ]]; then
    PROMPT_COMMAND=(__latchkey_hook "\${PROMPT_COMMAND[@]}")
  else
    PROMPT_COMMAND="__latchkey_hook\${PROMPT_COMMAND:+;$PROMPT_COMMAND}"
  fi
fi
unset __latchkey_f __latchkey_found`
}
`;
}

function fish(cli: readonly string[]): string {
  const call = cli.map((w) => quoteForShell('fish', w)).join(' ');
  return `# Latchkey shell hook (fish); see docs/shell.md.
function __latchkey_cli
    ${call} $argv
end
set -g __latchkey_pwd ''
set -q __latchkey_names; or set -g __latchkey_names
set -q __latchkey_state; or set -g __latchkey_state ''
set -q __latchkey_schema; or set -g __latchkey_schema ''
set -q __latchkey_stamp; or set -g __latchkey_stamp ''
set -q __latchkey_watch; or set -g __latchkey_watch

function __latchkey_set --argument-names __latchkey_n __latchkey_v
    if not contains -- $__latchkey_n $__latchkey_names
        set -g -a __latchkey_names $__latchkey_n
        if set -q -g $__latchkey_n
            set -g __latchkey_had_$__latchkey_n 1
            set -g __latchkey_old_$__latchkey_n $$__latchkey_n
            if set -q -g -x $__latchkey_n
                set -g __latchkey_x_$__latchkey_n 1
            end
        end
    end
    set -g -x $__latchkey_n $__latchkey_v
end

function __latchkey_restore
    for __latchkey_n in $__latchkey_names
        if set -q __latchkey_had_$__latchkey_n
            set -l __latchkey_o __latchkey_old_$__latchkey_n
            if set -q __latchkey_x_$__latchkey_n
                set -g -x $__latchkey_n $$__latchkey_o
            else
                set -g -u $__latchkey_n $$__latchkey_o
            end
        else
            set -e -g $__latchkey_n
        end
        set -e -g __latchkey_had_$__latchkey_n
        set -e -g __latchkey_old_$__latchkey_n
        set -e -g __latchkey_x_$__latchkey_n
    end
    set -g __latchkey_names
end

function __latchkey_find
    set -l __latchkey_d $PWD
    set -g __latchkey_found ''
    while true
        test "$__latchkey_d" = /; and set __latchkey_d ''
        for __latchkey_name in latchkey.yml .latchkey.yml
            if test -e "$__latchkey_d/$__latchkey_name"; or test -L "$__latchkey_d/$__latchkey_name"
                set -g __latchkey_found "$__latchkey_d/$__latchkey_name"
                return 0
            end
        end
        set -l __latchkey_p (string replace -r -- '/[^/]*$' '' "$__latchkey_d")
        if test -z "$__latchkey_d"; or test "$__latchkey_p" = "$__latchkey_d"
            return 0
        end
        set __latchkey_d $__latchkey_p
    end
end

function __latchkey_hook --on-variable PWD --on-event fish_prompt
    set -l __latchkey_changed
    for __latchkey_f in $__latchkey_watch
        if test "$__latchkey_f" -nt "$__latchkey_stamp"
            set __latchkey_changed 1
            break
        end
    end
    if test -z "$__latchkey_changed"; and test "$PWD" = "$__latchkey_pwd"
        return
    end
    set -g __latchkey_pwd $PWD
    __latchkey_find
    if test -n "$__latchkey_changed"; or test "$__latchkey_found" != "$__latchkey_schema"
        set -g __latchkey_schema $__latchkey_found
        set -g __latchkey_watch
        if test -z "$__latchkey_found"
            __latchkey_restore
            set -g __latchkey_state ''
        else
            __latchkey_cli shell-hook fish --export "--dir=$PWD" "--state=$__latchkey_state" "--pid=$fish_pid" </dev/null | source
        end
    end
end
`;
}

/** The hook for `shell`, calling back `cli` (argv words). */
export function hookScript(shell: ShellKind, cli: readonly string[] = cliCommand()): string {
  return shell === 'fish' ? fish(cli) : bashLike(shell, cli);
}
