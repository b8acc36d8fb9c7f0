/**
 * Names a shell keeps for itself. latchkey.yml names are already plain identifiers, never
 * LATCHKEY_* and never loader variables (core/project/variable-name.ts); inside an interactive
 * shell a few more names must not be set from a secret: ones the shell makes read-only or
 * computes (UID, SECONDS, status), ones whose assignment changes the shell itself (HISTFILE,
 * COLUMNS, USERNAME in zsh, fish_function_path), and the hook's own `__latchkey_*` state. `run`
 * may still inject them into a program; the hook and `env` do not.
 */

/** The names, one list per shell, separated by whitespace. */
const EXACT = new Set(
  [
    // POSIX shells and all three.
    `_ PWD OLDPWD SHLVL PPID LINENO OPTIND OPTARG RANDOM SECONDS REPLY UID EUID GID EGID COLUMNS
     LINES MAIL MAILCHECK MAILPATH TMOUT HISTFILE HISTSIZE HISTFILESIZE HISTCONTROL HISTIGNORE
     HISTTIMEFORMAT HISTCMD HISTCHARS SAVEHIST INPUTRC TIMEFORMAT FIGNORE EXECIGNORE PIPESTATUS
     GROUPS FUNCNAME DIRSTACK COMPREPLY COPROC MAPFILE HOSTTYPE MACHTYPE OSTYPE EPOCHSECONDS
     EPOCHREALTIME SRANDOM PROMPT_DIRTRIM POSIXLY_CORRECT`,
    // zsh.
    `argv ARGC status pipestatus ERRNO USERNAME TTY TTYIDLE SPROMPT RPS1 RPS2 RPROMPT2 PROMPT2
     PROMPT3 PROMPT4 POSTEDIT PERIOD WORDCHARS KEYTIMEOUT LISTMAX REPORTTIME REPORTMEMORY
     TMPPREFIX TMPSUFFIX TRY_BLOCK_ERROR TRY_BLOCK_INTERRUPT histchars path cdpath fpath manpath
     mailpath module_path psvar watch WATCH WATCHFMT LOGCHECK DIRSTACKSIZE parameters options
     functions aliases galiases saliases commands builtins history historywords jobstates
     jobtexts jobdirs modules nameddirs userdirs dirstack funcstack functrace funcfiletrace
     funcsourcetrace reswords signals widgets keymaps termcap terminfo sysparams epochtime errnos
     zle_bracketed_paste`,
    // fish.
    `version FISH_VERSION fish_pid hostname CMD_DURATION last_pid status_generation`,
  ]
    .join(' ')
    .trim()
    .split(/\s+/),
);

const PREFIXES = ['BASH', 'COMP_', 'READLINE_', 'ZSH_', 'zsh_', 'fish_', 'FISH_', '__fish', '__latchkey'];

/** Why the shell hook and `env` will not set `name` in a shell, or undefined when they may. */
export function shellRefusal(name: string): string | undefined {
  if (EXACT.has(name)) return `${name} is the shell's own variable`;
  if (PREFIXES.some((p) => name.startsWith(p))) return `${name} belongs to the shell or to the Latchkey hook`;
  if (name.toLowerCase().startsWith('__latchkey')) return `${name} belongs to the Latchkey hook`;
  return undefined;
}
