/**
 * The `latchkey` command: parses the command name, loads only that command's module, runs it and
 * turns every failure into one line `latchkey: CODE: sentence` and an exit status
 * (0 success, 1 failure, 2 misuse). Nothing heavy is imported at the top of this file.
 */
import { isLatchkeyError, LatchkeyError } from '../core/errors';
import { formatHelp, parseCommandArgs } from './command';
import { COMMANDS } from './commands';
import { processIo, writeAll, type CliIo } from './io';
import { version } from './version';

function topHelp(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length));
  const rows = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return [
    'usage: latchkey <command> [options]',
    '',
    'Latchkey keeps your development and staging secrets in an encrypted vault and refuses production.',
    '',
    'commands:',
    ...rows,
    '',
    "Run 'latchkey <command> --help' for a command's options. References look like lk://project/environment/item/field.",
    '',
  ].join('\n');
}

/** Runs the CLI and returns the exit status. */
export async function main(
  argv: readonly string[],
  io: CliIo = processIo(),
  env = process.env,
): Promise<number> {
  const [first, ...rest] = argv;
  if (first === '--version' || first === '-V' || first === 'version') {
    await writeAll(io.stdout, `latchkey ${version()}\n`);
    return 0;
  }
  if (
    first === undefined ||
    first === '--help' ||
    first === '-h' ||
    (first === 'help' && rest.length === 0)
  ) {
    await writeAll(io.stdout, topHelp());
    return first === undefined ? 2 : 0;
  }
  try {
    const name = first === 'help' ? rest[0]! : first;
    const entry = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
    if (entry === undefined) {
      throw new LatchkeyError(
        'USAGE',
        `'${name.slice(0, 40)}' is not a latchkey command; see 'latchkey --help'`,
      );
    }
    const spec = entry.load();
    // Only latchkey's own arguments count: after `--` they belong to the command `run` starts.
    const own = rest.includes('--') ? rest.slice(0, rest.indexOf('--')) : rest;
    if (first === 'help' || own.includes('--help') || own.includes('-h')) {
      await writeAll(io.stdout, formatHelp(spec));
      return 0;
    }
    const args = parseCommandArgs(spec, rest);
    return (await spec.run({ args, io, env })) ?? 0;
  } catch (error) {
    return reportError(error, io, env);
  }
}

/**
 * A refusal made here, before any vault was opened, still goes to the audit log: as a pending
 * line (no key needed), folded into the chain at the next unlock. Best effort: never masks the error.
 */
function recordRefusal(code: string, env: NodeJS.ProcessEnv): void {
  try {
    const { existsSync } = require('node:fs') as typeof import('node:fs');
    const { dataDir } = require('../core/vault/paths') as typeof import('../core/vault/paths');
    const dir = dataDir(env);
    if (!existsSync(dir)) return;
    const { recordPending } = require('../core/audit') as typeof import('../core/audit');
    const { cliWho } = require('./direct-vault') as typeof import('./direct-vault');
    recordPending(dir, { op: 'refusal', who: cliWho(), result: 'refused', reason: code });
  } catch {
    // The refusal itself stands either way.
  }
}

async function reportError(error: unknown, io: CliIo, env: NodeJS.ProcessEnv): Promise<number> {
  if (isLatchkeyError(error)) {
    if (error.code === 'PRODUCTION_REFUSED' || error.code === 'UNKNOWN_ENVIRONMENT')
      recordRefusal(error.code, env);
    await writeAll(io.stderr, `latchkey: ${error.code}: ${error.message}\n`);
    return error.exitCode;
  }
  // An unexpected error's message may quote input; show only its kind unless debugging.
  const kind = error instanceof Error ? error.name : typeof error;
  const detail = env.LATCHKEY_DEBUG === '1' && error instanceof Error ? `\n${error.stack ?? ''}` : '';
  await writeAll(
    io.stderr,
    `latchkey: INTERNAL: an unexpected ${kind} stopped the command; nothing was saved — please report it (LATCHKEY_DEBUG=1 shows details)${detail}\n`,
  );
  return 1;
}
