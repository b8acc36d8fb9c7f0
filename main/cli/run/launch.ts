/**
 * `latchkey run`: which variables (the plan), their values (the agent, else the vault directly),
 * then the command with the values added to its environment. bin/latchkey.js calls
 * runFromArgv straight away, without the dispatcher: this is the path people run all day, so it
 * loads only what it needs — the YAML parser, the scope rules and the vault code stay unloaded
 * while the plan cache is valid and an agent is running.
 */
import { readlinkSync } from 'node:fs';
import { isatty } from 'node:tty';
import { LatchkeyError, isLatchkeyError } from '../../core/errors';
import type { ReadSecrets } from '../../core/vault/read-secrets';
import type { CliIo } from '../io';
import { openAgent, type AgentLink, type RunCaller } from './agent-link';
import { fdOutput } from './fd-output';
import type { MaskedValue } from './mask-stream';
import { parseRunArgv, type RunOptions } from './options';
import { loadRunPlan, type PlannedVariable, type RunPlan } from './plan-cache';
import { overdueVariables, rotationWarning } from './rotation';

/**
 * Where bin/latchkey.js keeps NODE_EXTRA_CA_CERTS while `run` starts (Node 20 parses the file at
 * every start-up even when nothing uses TLS); the command gets it back under its own name.
 */
export const SAVED_CA_VARIABLE = 'LATCHKEY_SAVED_NODE_EXTRA_CA_CERTS';

const NO_SECRETS: ReadSecrets = { values: {}, missing: [], changedAt: {} };

/** Runs `options.command` with the plan's values; returns the exit status to exit with. */
export async function runCommand(
  options: RunOptions,
  io: CliIo,
  env: NodeJS.ProcessEnv,
  inheritFds: boolean,
): Promise<number> {
  // Connect first and let the hello go out: the agent answers it while the plan is read.
  const agentPending = options.passwordStdin ? undefined : openAgent(env);
  agentPending?.catch(() => undefined);
  let link: AgentLink | undefined;
  const masked: MaskedValue[] = [];
  try {
    if (agentPending) await new Promise((resolve) => setImmediate(resolve));
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
      link = agentPending ? await agentPending : undefined;
      if (link) {
        const pending = link.resolve(refs, callerOf());
        child = require('./child') as typeof import('./child'); // loads while the agent reads
        secrets = await pending;
        link.close();
      } else {
        const { readDirect } = require('./direct-read') as typeof import('./direct-read');
        secrets = await readDirect(refs, { env, io, passwordStdin: options.passwordStdin });
      }
    }
    const missing = missingRequired(plan, secrets.missing);
    if (missing) throw missing;

    const maskOut = options.mask === 'always' || (options.mask === 'auto' && io.stdout.isTTY !== true);
    const maskErr = options.mask === 'always' || (options.mask === 'auto' && io.stderr.isTTY !== true);
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
    if (warning !== undefined) io.stderr.write(warning);
    return await (child ?? (require('./child') as typeof import('./child'))).runChild({
      command: options.command,
      env: childEnv,
      mask: { stdout: maskOut, stderr: maskErr },
      values: masked,
      io,
      inheritFds,
    });
  } finally {
    link?.close();
    void agentPending?.then(
      (l) => l?.close(),
      () => undefined,
    );
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
function callerOf(): RunCaller {
  let tty: string | undefined;
  if (process.platform === 'linux') {
    for (const fd of [0, 1, 2]) {
      if (!isatty(fd)) continue;
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
  const io = lazyProcessIo();
  try {
    const { options, help } = parseRunArgv(argv);
    if (help) {
      const { command } = require('../commands/run') as typeof import('../commands/run');
      const { formatHelp } = require('../command') as typeof import('../command');
      io.stdout.write(formatHelp(command));
      return 0;
    }
    return await runCommand(options, io, process.env, true);
  } catch (error) {
    return reportError(error, io);
  }
}

/**
 * The process's streams: stdout and stderr written by descriptor; stdin created only if something
 * asks for it (nothing in `run` does: the command reads fd 0 itself).
 */
function lazyProcessIo(): CliIo {
  const stdout = fdOutput(1);
  const stderr = fdOutput(2);
  return {
    get stdin() {
      return process.stdin;
    },
    stdout,
    stderr,
  };
}

/** The same one line as the dispatcher prints: `latchkey: CODE: sentence`. */
function reportError(error: unknown, io: CliIo): number {
  if (isLatchkeyError(error)) {
    io.stderr.write(`latchkey: ${error.code}: ${error.message}\n`);
    return error.exitCode;
  }
  const kind = error instanceof Error ? error.name : typeof error;
  const detail = process.env.LATCHKEY_DEBUG === '1' && error instanceof Error ? `\n${error.stack ?? ''}` : '';
  io.stderr.write(
    `latchkey: INTERNAL: an unexpected ${kind} stopped the command; nothing was started — please report it (LATCHKEY_DEBUG=1 shows details)${detail}\n`,
  );
  return 1;
}
