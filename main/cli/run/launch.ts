/**
 * `latchkey run`: which variables (the plan), their values (the agent, else the vault directly),
 * then the command with the values added to its environment. bin/latchkey.js calls
 * runFromArgv straight away, without the dispatcher: this is the path people run all day, so it
 * loads only what it needs — the YAML parser, the scope rules and the vault code stay unloaded
 * while the plan cache is valid and an agent is running.
 */
import { readlinkSync } from 'node:fs';
import { LatchkeyError, isLatchkeyError } from '../../core/errors';
import type { ReadSecrets } from '../../core/vault/read-secrets';
import { openAgent, type RunCaller } from './agent-link';
import { fdOutput, type FdOutput } from './fd-output';
import type { MaskedValue } from './masker';
import { chooseRunIo, type RunIo } from './run-io';
import { parseRunArgv, type RunOptions } from './options';
import { loadRunPlan, type PlannedVariable, type RunPlan } from './plan-cache';
import { overdueVariables, rotationWarning } from './rotation';

/**
 * Where bin/latchkey.js keeps NODE_EXTRA_CA_CERTS while `run` starts (Node 20 parses the file at
 * every start-up even when nothing uses TLS); the command gets it back under its own name.
 */
export const SAVED_CA_VARIABLE = 'LATCHKEY_SAVED_NODE_EXTRA_CA_CERTS';

const NO_SECRETS: ReadSecrets = { values: {}, missing: [], changedAt: {} };

/** This process's own outputs, and how `run` talks to the system (run-io.ts). */
export interface RunContext {
  readonly io: RunIo;
  readonly stdout: FdOutput;
  readonly stderr: FdOutput;
}

/** The context for this process: its fds 1 and 2 and the RunIo chooseRunIo picks. */
export function processRunContext(env: NodeJS.ProcessEnv): RunContext {
  const io = chooseRunIo(env);
  return { io, stdout: fdOutput(1, io.isatty(1)), stderr: fdOutput(2, io.isatty(2)) };
}

/**
 * Runs `options.command` with the plan's values; returns the exit status to exit with. The command
 * gets this process's own stdin, terminal and (unmasked) outputs.
 */
export async function runCommand(
  options: RunOptions,
  context: RunContext,
  env: NodeJS.ProcessEnv,
): Promise<number> {
  // Connect first: the kernel and the agent accept the connection while the plan is read.
  const link = options.passwordStdin ? undefined : openAgent(env, context.io.connect);
  const masked: MaskedValue[] = [];
  try {
    const plan = loadRunPlan(
      {
        cwd: process.cwd(),
        secrets: options.secrets,
        ...(options.environment !== undefined ? { environment: options.environment } : {}),
      },
      env,
    );
    checkProject(plan, options.project);
    const refs = [...new Set(plan.variables.map((v) => v.ref))];
    let secrets = NO_SECRETS;
    let child: typeof import('./child') | undefined;
    if (refs.length > 0) {
      let fromAgent: ReadSecrets | undefined;
      if (link) {
        const pending = link.resolve(refs, callerOf(context.io));
        child = require('./child') as typeof import('./child'); // loads while the agent reads
        fromAgent = await pending;
        link.close();
      }
      if (fromAgent) secrets = fromAgent;
      else {
        const { readDirect } = require('./direct-read') as typeof import('./direct-read');
        const { processIo } = require('../io') as typeof import('../io');
        secrets = await readDirect(refs, { env, io: processIo(), passwordStdin: options.passwordStdin });
      }
    }
    const missing = missingRequired(plan, secrets.missing);
    if (missing) throw missing;

    const maskOut = options.mask === 'always' || (options.mask === 'auto' && !context.stdout.isTTY);
    const maskErr = options.mask === 'always' || (options.mask === 'auto' && !context.stderr.isTTY);
    const childEnv: NodeJS.ProcessEnv = { ...env };
    if (Object.hasOwn(env, SAVED_CA_VARIABLE)) {
      childEnv.NODE_EXTRA_CA_CERTS = env[SAVED_CA_VARIABLE];
      delete childEnv[SAVED_CA_VARIABLE];
    }
    const injected: PlannedVariable[] = [];
    for (const v of plan.variables) {
      if (!Object.hasOwn(secrets.values, v.ref)) continue; // optional here and not in the vault
      const value = secrets.values[v.ref]!;
      if (value.includes('\0')) {
        throw new LatchkeyError(
          'INVALID_VALUE',
          `the value of ${v.name} (${v.ref}) holds a NUL byte, which no environment variable can; nothing was started`,
        );
      }
      childEnv[v.name] = value;
      injected.push(v);
      if (maskOut || maskErr) masked.push({ name: v.name, value: Buffer.from(value, 'utf8') });
    }
    const changedAt = secrets.changedAt;
    secrets = NO_SECRETS;
    const warning = rotationWarning(overdueVariables(injected, changedAt));
    if (warning !== undefined) context.stderr.write(warning);
    return await (child ?? (require('./child') as typeof import('./child'))).runChild({
      command: options.command,
      env: childEnv,
      mask: { stdout: maskOut, stderr: maskErr },
      values: masked,
      io: context.io,
      stderr: context.stderr,
    });
  } finally {
    link?.close();
    for (const m of masked) m.value.fill(0);
  }
}

/** `--project P`: the latchkey.yml found must be P's (docs/run.md). */
function checkProject(plan: RunPlan, project: string | undefined): void {
  if (project === undefined || plan.project === project) return;
  throw new LatchkeyError(
    'USAGE',
    `--project ${project} does not match ${plan.schemaPath ?? 'the latchkey.yml'}, which is for project '${plan.project ?? '?'}'; ` +
      "run from that project's directory or drop --project",
  );
}

/** SECRET_MISSING for the required variables the vault lacks (missingError's wording), else undefined. */
function missingRequired(plan: RunPlan, missing: readonly string[]): LatchkeyError | undefined {
  if (!plan.variables.some((v) => v.required && missing.includes(v.ref))) return undefined;
  const { missingError } = require('../secret-source') as typeof import('../secret-source');
  const { parseFieldRef } = require('../../core/vault/ref') as typeof import('../../core/vault/ref');
  return missingError(
    { variables: plan.variables.map((v) => ({ ...v, ref: parseFieldRef(v.ref) })) },
    missing,
  );
}

/** Who is asking, for the agent's audit line: `run`, the directory and the terminal. */
function callerOf(io: RunIo): RunCaller {
  let tty: string | undefined;
  if (process.platform === 'linux') {
    for (const fd of [0, 1, 2]) {
      if (!io.isatty(fd)) continue;
      try {
        tty = readlinkSync(`/proc/self/fd/${fd}`);
      } catch {
        tty = undefined;
      }
      break;
    }
  }
  return { via: 'run', cwd: process.cwd(), ...(tty ? { tty } : {}) };
}

/** `latchkey run …` from bin/latchkey.js: parses, runs, reports; returns the exit status. */
export async function runFromArgv(argv: readonly string[]): Promise<number> {
  let context: RunContext | undefined;
  try {
    context = processRunContext(process.env);
    const { options, help } = parseRunArgv(argv);
    if (help) {
      const { command } = require('../commands/run') as typeof import('../commands/run');
      const { formatHelp } = require('../command') as typeof import('../command');
      context.stdout.write(formatHelp(command));
      return 0;
    }
    return await runCommand(options, context, process.env);
  } catch (error) {
    return reportError(error, context?.stderr ?? fdOutput(2, false));
  }
}

/** The same one line as the dispatcher prints: `latchkey: CODE: sentence`. */
export function reportError(error: unknown, stderr: FdOutput): number {
  if (isLatchkeyError(error)) {
    stderr.write(`latchkey: ${error.code}: ${error.message}\n`);
    return error.exitCode;
  }
  const kind = error instanceof Error ? error.name : typeof error;
  const detail = process.env.LATCHKEY_DEBUG === '1' && error instanceof Error ? `\n${error.stack ?? ''}` : '';
  stderr.write(
    `latchkey: INTERNAL: an unexpected ${kind} stopped the command; nothing was started — please report it (LATCHKEY_DEBUG=1 shows details)${detail}\n`,
  );
  return 1;
}
