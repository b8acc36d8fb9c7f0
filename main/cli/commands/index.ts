/**
 * The command table: names and one-line summaries only. A command's module is required when it
 * runs, so `latchkey --version` and `latchkey get` never load what other commands need.
 */
import type { CommandSpec } from '../command';

export interface CommandEntry {
  readonly summary: string;
  readonly load: () => CommandSpec;
}

export const COMMANDS: Readonly<Record<string, CommandEntry>> = {
  init: {
    summary: 'create the encrypted vault',
    load: () => (require('./init') as { command: CommandSpec }).command,
  },
  agent: {
    summary: 'run the agent that keeps the vault unlocked for every terminal',
    load: () => (require('./agent') as { command: CommandSpec }).command,
  },
  unlock: {
    summary: 'unlock the running agent or app',
    load: () => (require('./unlock') as { command: CommandSpec }).command,
  },
  lock: {
    summary: 'lock the running agent or app now',
    load: () => (require('./lock') as { command: CommandSpec }).command,
  },
  status: {
    summary: 'show the vault file, its generation and KDF settings',
    load: () => (require('./status') as { command: CommandSpec }).command,
  },
  set: {
    summary: 'add or update a local item field (value from the prompt or stdin)',
    load: () => (require('./set') as { command: CommandSpec }).command,
  },
  get: {
    summary: 'print one value, exactly',
    load: () => (require('./get') as { command: CommandSpec }).command,
  },
  ls: {
    summary: 'list items: names, environments, versions, sources (never values)',
    load: () => (require('./ls') as { command: CommandSpec }).command,
  },
  rm: {
    summary: 'remove a local item or one of its fields',
    load: () => (require('./rm') as { command: CommandSpec }).command,
  },
  passwd: {
    summary: 'change the master password (re-wraps the data key only)',
    load: () => (require('./passwd') as { command: CommandSpec }).command,
  },
  sync: {
    summary: 'fill the vault from the central store(s), refusing production',
    load: () => (require('./sync') as { command: CommandSpec }).command,
  },
  store: {
    summary: 'add, log in to, list or remove central stores',
    load: () => (require('./store') as { command: CommandSpec }).command,
  },
  audit: {
    summary: 'show the audit log, or verify its hash chain',
    load: () => (require('./audit') as { command: CommandSpec }).command,
  },
  'restore-backup': {
    summary: 'bring back the previous generation of the vault',
    load: () => (require('./restore-backup') as { command: CommandSpec }).command,
  },
  run: {
    summary: 'run a command with the secrets its repo declares in its environment',
    load: () => (require('./run') as { command: CommandSpec }).command,
  },
  doctor: {
    summary: "check this repo's latchkey.yml against your vault: what you lack and whom to ask",
    load: () => (require('./doctor') as { command: CommandSpec }).command,
  },
  env: {
    summary: 'print export statements for a script to eval (bash, zsh, fish)',
    load: () => (require('./env') as { command: CommandSpec }).command,
  },
  'shell-hook': {
    summary: "print the hook that exports an allowed repo's secrets in your shell",
    load: () => (require('./shell-hook') as { command: CommandSpec }).command,
  },
  allow: {
    summary: "let the shell hook export this repo's latchkey.yml (shows what, never values)",
    load: () => (require('./allow') as { command: CommandSpec }).command,
  },
  deny: {
    summary: "stop the shell hook exporting this repo's variables",
    load: () => (require('./deny') as { command: CommandSpec }).command,
  },
  grant: {
    summary: 'team leads: give a developer read access to development/staging in the store',
    load: () => (require('./grant') as { command: CommandSpec }).command,
  },
  revoke: {
    summary: "team leads: take a developer's access back (all, some, or the expired grants)",
    load: () => (require('./revoke') as { command: CommandSpec }).command,
  },
  access: {
    summary: 'team leads: who can read what, with hand-edited policies flagged',
    load: () => (require('./access') as { command: CommandSpec }).command,
  },
};
