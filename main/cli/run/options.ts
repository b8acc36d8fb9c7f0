/**
 * `latchkey run`'s command line. Options come first; the command starts at `--` or at the first
 * argument that is not an option, and everything from there on belongs to the command untouched
 * (so `latchkey run -- node --help` runs node with --help). Kept free of heavy imports: this is on
 * the start-up path of every `latchkey run`.
 */
import { LatchkeyError } from '../../core/errors';

export type MaskMode = 'auto' | 'always' | 'never';

export interface RunOptions {
  /** `--env`: the environment instead of the schema's default_env (checked when the plan is made). */
  readonly environment?: string;
  /** `--project`: the project the latchkey.yml found must declare (see docs/run.md). */
  readonly project?: string;
  /** `--secret NAME=ref`, in order; when present, latchkey.yml is not read. */
  readonly secrets: readonly string[];
  readonly mask: MaskMode;
  readonly passwordStdin: boolean;
  /** The program and its arguments, exactly as given. */
  readonly command: readonly string[];
}

const VALUE_OPTIONS = new Set(['env', 'project', 'secret']);
const FLAG_OPTIONS = new Set(['mask', 'no-mask', 'password-stdin']);

function usage(message: string): LatchkeyError {
  return new LatchkeyError('USAGE', `${message}; see 'latchkey run --help'`);
}

/** Parses the arguments after `run`; `help` is true when --help/-h comes before the command. */
export function parseRunArgv(argv: readonly string[]): { options: RunOptions; help: boolean } {
  let environment: string | undefined;
  let project: string | undefined;
  const secrets: string[] = [];
  let mask: MaskMode = 'auto';
  let passwordStdin = false;
  let help = false;
  let i = 0;
  for (; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      i++;
      break;
    }
    if (arg === '-h' || arg === '--help') {
      help = true;
      continue;
    }
    if (!arg.startsWith('-') || arg === '-') break; // the command
    if (!arg.startsWith('--')) throw usage(`unknown option '${arg.slice(0, 40)}'`);
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    if (VALUE_OPTIONS.has(name)) {
      let value: string;
      if (eq !== -1) value = arg.slice(eq + 1);
      else {
        const next = argv[i + 1];
        if (next === undefined) throw usage(`--${name} needs a value`);
        value = next;
        i++;
      }
      if (name === 'env') {
        if (environment !== undefined) throw usage('--env is given twice');
        environment = value;
      } else if (name === 'project') {
        if (project !== undefined) throw usage('--project is given twice');
        project = value;
      } else secrets.push(value);
    } else if (FLAG_OPTIONS.has(name)) {
      if (eq !== -1) throw usage(`--${name} takes no value`);
      if (name === 'password-stdin') passwordStdin = true;
      else {
        const wanted: MaskMode = name === 'mask' ? 'always' : 'never';
        if (mask !== 'auto' && mask !== wanted) throw usage('--mask and --no-mask contradict each other');
        mask = wanted;
      }
    } else {
      throw usage(`unknown option '--${name.slice(0, 40)}'`);
    }
  }
  const command = argv.slice(i);
  const options: RunOptions = {
    ...(environment !== undefined ? { environment } : {}),
    ...(project !== undefined ? { project } : {}),
    secrets,
    mask,
    passwordStdin,
    command,
  };
  if (!help) checkRunOptions(options);
  return { options, help };
}

/** The combinations `run` refuses, whichever way the options were parsed. */
export function checkRunOptions(options: RunOptions): void {
  if (options.command.length === 0) {
    throw usage("give the command to run after the options, e.g. 'latchkey run -- npm test'");
  }
  if (options.project !== undefined && options.secrets.length > 0) {
    throw usage('--project checks the latchkey.yml; with --secret each ref names its own project');
  }
  if (options.environment !== undefined && options.secrets.length > 0) {
    throw usage('--env picks the latchkey.yml environment; with --secret each ref names its own environment');
  }
}
