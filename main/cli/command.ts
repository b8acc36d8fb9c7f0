/**
 * What every command file under main/cli/commands/ exports: its spec (name, usage, options, help)
 * and run(ctx). The dispatcher loads a command's module only when it is invoked.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { LatchkeyError } from '../core/errors';
import type { CliIo } from './io';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

export interface CommandSpec {
  readonly name: string;
  /** One line after the name in usage: `<ref> [--password-stdin]`. */
  readonly usage: string;
  /** Paragraphs shown by --help after the usage line. */
  readonly help: string;
  readonly options: OptionSpec;
  /** Descriptions of each option for --help, keyed by option name. */
  readonly optionHelp: Readonly<Record<string, string>>;
  readonly positionals: { readonly min: number; readonly max: number; readonly names: string };
  run(ctx: CommandContext): Promise<number | void>;
}

export interface ParsedArgs {
  readonly values: Readonly<Record<string, string | boolean | string[] | boolean[] | undefined>>;
  readonly positionals: readonly string[];
}

export interface CommandContext {
  readonly args: ParsedArgs;
  readonly io: CliIo;
  readonly env: NodeJS.ProcessEnv;
}

/** Parses argv against a spec; every misuse is a USAGE error that names the problem. */
export function parseCommandArgs(spec: CommandSpec, argv: readonly string[]): ParsedArgs {
  let parsed: ParsedArgs;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: spec.options,
      allowPositionals: true,
      strict: true,
    }) as ParsedArgs;
  } catch (error) {
    const message = (error as Error).message.replace(/\. To specify a positional argument.*$/s, '');
    throw new LatchkeyError('USAGE', `${message}; see 'latchkey ${spec.name} --help'`);
  }
  const n = parsed.positionals.length;
  if (n < spec.positionals.min || n > spec.positionals.max) {
    const expected = spec.positionals.max === 0 ? 'no arguments' : spec.positionals.names;
    throw new LatchkeyError(
      'USAGE',
      `'latchkey ${spec.name}' takes ${expected}; see 'latchkey ${spec.name} --help'`,
    );
  }
  return parsed;
}

/** The text of `latchkey <name> --help`. */
export function formatHelp(spec: CommandSpec): string {
  const lines = [`usage: latchkey ${spec.name} ${spec.usage}`.trimEnd(), '', spec.help.trim(), ''];
  const names = Object.keys(spec.options);
  if (names.length > 0) {
    lines.push('options:');
    for (const name of names) {
      const o = spec.options[name]!;
      const flag = `${o.short ? `-${o.short}, ` : ''}--${name}${o.type === 'string' ? ' <value>' : ''}`;
      lines.push(`  ${flag.padEnd(28)} ${spec.optionHelp[name] ?? ''}`.trimEnd());
    }
    lines.push('');
  }
  return lines.join('\n');
}
