/**
 * What the shell hook evals after a directory change into a repo (`latchkey shell-hook <shell>
 * --export`): restore what it had set, export the allowed schema's variables, and update its state.
 * Called only when the schema or one of the watched files changed, so a verdict that did not
 * change (still locked, still not allowed, same allowed bytes) prints nothing and changes nothing.
 *
 * It never asks for a password and never waits long: values come from the running agent only,
 * with a deadline, and every other outcome is one line on stderr. The start-up path stays off the
 * YAML parser and the vault code: the allow list already holds the names and refs the user
 * reviewed, pinned to the schema's hash.
 */
import { closeSync, constants, existsSync, lstatSync, openSync, readdirSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { isLatchkeyError } from '../../core/errors';
import { dataDir } from '../../core/vault/paths';
import { allowListPath, readAllowList, type AllowedSchema } from './allow-list';
import { hasNul, quoteForShell, type ShellKind } from './quote';
import { identifySchema, locateSchema, type SchemaIdentity } from './schema-identity';
import { shellRefusal } from './shell-variables';

/**
 * When the agent must have said hello (locked or not), in ms since this process started: Node
 * itself takes 40-60 ms to start, and the whole answer must be back within 100 ms of the prompt.
 * A local agent answers in a millisecond or two.
 */
export const AGENT_DEADLINE_MS = 75;
/** …but it always gets at least this long after the CLI has loaded, however slow start-up was. */
export const AGENT_MIN_WAIT_MS = 25;

/** How long to wait for the agent's hello: LATCHKEY_HOOK_WAIT_MS (1 to 10000), else the defaults above. */
export function agentWaitMs(env: NodeJS.ProcessEnv, sinceStartMs = performance.now()): number {
  const set = Number(env.LATCHKEY_HOOK_WAIT_MS);
  if (env.LATCHKEY_HOOK_WAIT_MS !== undefined && Number.isInteger(set) && set >= 1 && set <= 10_000)
    return set;
  return Math.max(AGENT_DEADLINE_MS - sinceStartMs, AGENT_MIN_WAIT_MS);
}
/** Once the agent said it is unlocked, how long resolving may take. */
const RESOLVE_WAIT_MS = 2000;
/** Linux refuses to exec with a single `NAME=value` string over 128 KiB (MAX_ARG_STRLEN). */
const MAX_VARIABLE_BYTES = 128 * 1024 - 1;
/** And all of the environment shares about 2 MiB with argv; the hook takes at most a quarter. */
const MAX_TOTAL_BYTES = 512 * 1024;
/** Stamps of shells not seen for this long are removed (a live one gets a new stamp at its next check). */
const STAMP_MAX_AGE_MS = 7 * 86_400_000;

export interface HookRequest {
  readonly shell: ShellKind;
  /** The shell's $PWD. */
  readonly dir: string;
  /** What the previous answer set as __latchkey_state. */
  readonly state: string;
  /** The shell's pid: names its stamp. */
  readonly pid: string;
  readonly env: NodeJS.ProcessEnv;
}

export interface HookAnswer {
  /** Shell code for stdout. */
  readonly code: string;
  /** At most one line for stderr (without the newline). */
  readonly message?: string;
  /** True when a connection to the agent was abandoned at the deadline (the process should exit). */
  readonly abandoned?: boolean;
}

type Fetched =
  | { kind: 'values'; values: Record<string, string>; missing: string[] }
  | { kind: 'no-agent' | 'locked' | 'slow' }
  | { kind: 'error'; message: string };

/** Control characters never reach the terminal in a message (paths come from the file system). */
function printable(s: string): string {
  return s.replace(/[\x00-\x1f\x7f]/g, '?');
}

function errorLine(error: unknown): string {
  if (isLatchkeyError(error))
    return `${error.code}: ${printable(error.message.split('\n')[0] ?? '').slice(0, 300)}`;
  return `INTERNAL: the shell hook failed (${error instanceof Error ? error.name : typeof error}); nothing was exported`;
}

/** Touches this shell's stamp before anything is read, so a change made after the read is newer. */
function touchStamp(dir: string, pid: string): { path: string; ok: boolean } {
  const stampDir = join(dir, 'shell');
  const path = join(stampDir, `${pid}.stamp`);
  if (!existsSync(dir)) return { path, ok: false };
  try {
    const { ensurePrivateDir } =
      require('../../core/vault/private-paths') as typeof import('../../core/vault/private-paths');
    ensurePrivateDir(stampDir);
    // O_TRUNC marks the mtime with the kernel's clock, the same clock that stamps the watched files.
    closeSync(
      openSync(
        path,
        constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | (constants.O_NOFOLLOW ?? 0),
        0o600,
      ),
    );
  } catch {
    return { path, ok: false };
  }
  try {
    const now = Date.now();
    for (const name of readdirSync(stampDir)) {
      if (!/^\d+\.stamp$/.test(name) || name === `${pid}.stamp`) continue;
      const p = join(stampDir, name);
      if (now - lstatSync(p).mtimeMs > STAMP_MAX_AGE_MS) unlinkSync(p);
    }
  } catch {
    /* tidying is best effort */
  }
  return { path, ok: true };
}

/** Values for `refs` from the running agent, within the deadline; never direct mode. */
async function fetchFromAgent(
  refs: readonly string[],
  env: NodeJS.ProcessEnv,
  dir: string,
): Promise<{ fetched: Fetched; abandoned: boolean }> {
  if (env.LATCHKEY_NO_AGENT === '1') return { fetched: { kind: 'no-agent' }, abandoned: false };
  const { socketPath } =
    require('../../core/agent/socket-path') as typeof import('../../core/agent/socket-path');
  const { probeAgent } = require('./agent-probe') as typeof import('./agent-probe');
  const sock = socketPath(env);
  const presence = await probeAgent(sock, agentWaitMs(env));
  switch (presence.kind) {
    case 'absent':
      return { fetched: { kind: 'no-agent' }, abandoned: false };
    case 'locked':
    case 'slow':
      return { fetched: { kind: presence.kind }, abandoned: false };
    case 'refused':
      return {
        fetched: { kind: 'error', message: `${presence.code}: ${printable(presence.message)}` },
        abandoned: false,
      };
    case 'unlocked':
      break;
  }
  // Unlocked: the client (and the method table, for MAX_REFS) is worth loading now. An agent that
  // answered hello answers resolve in milliseconds; the wait only bounds one that hangs in between.
  const { AgentClient } = require('../../core/agent/client') as typeof import('../../core/agent/client');
  const { MAX_REFS } =
    require('../../core/agent/protocol-version') as typeof import('../../core/agent/protocol-version');
  let timer: NodeJS.Timeout | undefined;
  let client: import('../../core/agent/client').AgentClient | undefined;
  const deadline = new Promise<'slow'>((resolve) => {
    timer = setTimeout(() => resolve('slow'), RESOLVE_WAIT_MS);
  });
  const work = (async (): Promise<Fetched> => {
    try {
      client = await AgentClient.connect(sock, RESOLVE_WAIT_MS);
      const values: Record<string, string> = {};
      const missing: string[] = [];
      for (let at = 0; at < refs.length; at += MAX_REFS) {
        const r = (await client.call('resolve', {
          refs: refs.slice(at, at + MAX_REFS),
          allowMissing: true,
          caller: { via: 'shell', cwd: dir },
        })) as { values: Record<string, string>; missing?: string[] };
        Object.assign(values, r.values);
        missing.push(...(r.missing ?? []));
      }
      return { kind: 'values', values, missing };
    } catch (error) {
      if (isLatchkeyError(error, 'AGENT_NOT_RUNNING')) return { kind: 'no-agent' };
      if (isLatchkeyError(error, 'LOCKED')) return { kind: 'locked' };
      return { kind: 'error', message: errorLine(error) };
    }
  })();
  const winner = await Promise.race([work, deadline]);
  clearTimeout(timer);
  client?.close();
  return winner === 'slow'
    ? { fetched: { kind: 'slow' }, abandoned: true }
    : { fetched: winner, abandoned: false };
}

/** Shell code, built line by line. */
class Script {
  readonly lines: string[] = [];
  constructor(private readonly shell: ShellKind) {}

  q(value: string): string {
    return quoteForShell(this.shell, value);
  }

  restore(): void {
    this.lines.push('__latchkey_restore');
  }

  set(name: string, value: string): void {
    this.lines.push(`__latchkey_set ${name} ${this.q(value)}`);
  }

  state(name: 'state' | 'stamp', value: string): void {
    this.lines.push(
      this.shell === 'fish'
        ? `set -g __latchkey_${name} ${this.q(value)}`
        : `__latchkey_${name}=${this.q(value)}`,
    );
  }

  watch(paths: readonly string[]): void {
    const words = paths.map((p) => this.q(p)).join(' ');
    this.lines.push(
      this.shell === 'fish' ? `set -g __latchkey_watch ${words}`.trimEnd() : `__latchkey_watch=(${words})`,
    );
  }

  text(): string {
    return this.lines.length === 0 ? '' : `${this.lines.join('\n')}\n`;
  }
}

function listNames(names: readonly string[]): string {
  const shown = names.slice(0, 8).join(', ');
  return names.length > 8 ? `${shown} and ${names.length - 8} more` : shown;
}

/**
 * The variables that can go into the environment: no NUL byte, each `NAME=value` under Linux's
 * 128 KiB exec limit and all of them under 512 KiB, so no command started from the shell fails
 * with E2BIG. The rest are named in `problems`.
 */
export function fitEnvironment(
  variables: readonly { readonly name: string; readonly ref: string }[],
  values: Readonly<Record<string, string>>,
): { sets: [string, string][]; problems: string[] } {
  const sets: [string, string][] = [];
  const problems: string[] = [];
  let total = 0;
  for (const v of variables) {
    const value = values[v.ref];
    if (value === undefined) continue;
    const size = Buffer.byteLength(v.name) + 1 + Buffer.byteLength(value);
    if (hasNul(value)) problems.push(`${v.name} holds a NUL byte`);
    else if (size > MAX_VARIABLE_BYTES) problems.push(`${v.name} is larger than 128 KiB`);
    else if (total + size > MAX_TOTAL_BYTES)
      problems.push(`${v.name} would take the environment past 512 KiB`);
    else {
      total += size;
      sets.push([v.name, value]);
    }
  }
  return { sets, problems };
}

/** The hook's answer for `request.dir`. */
export async function hookExport(request: HookRequest): Promise<HookAnswer> {
  const { shell, env } = request;
  const script = new Script(shell);
  const home = dataDir(env);
  const stamp = touchStamp(home, request.pid);
  const allowFile = allowListPath(env);

  /** Ends with `state`: quiet when it is the state the shell already has. */
  const finish = (
    state: string,
    watch: readonly string[],
    message?: string,
    apply?: (s: Script) => void,
  ): HookAnswer => {
    script.state('stamp', stamp.path);
    // Without a stamp a watched file would always look newer; then only a directory change re-checks.
    const watched = stamp.ok ? watch : existsSync(home) ? [] : [allowFile];
    if (state === request.state) {
      script.watch(watched);
      return { code: script.text() };
    }
    script.restore();
    apply?.(script);
    script.state('state', state);
    script.watch(watched);
    return { code: script.text(), ...(message !== undefined ? { message: `latchkey: ${message}` } : {}) };
  };

  let identity: SchemaIdentity;
  try {
    const found = locateSchema(request.dir);
    if (found === undefined) return finish('', []);
    identity = identifySchema(found);
  } catch (error) {
    return finish(`error ${errorLine(error)}`, [], errorLine(error));
  }
  const where = printable(identity.path);
  const base = [identity.path, allowFile];

  let entry: AllowedSchema | undefined;
  try {
    entry = readAllowList(env).find((e) => e.path === identity.key);
  } catch (error) {
    return finish(`error ${identity.hash} ${identity.key}`, base, errorLine(error));
  }
  if (entry === undefined) {
    return finish(
      `not-allowed ${identity.hash} ${identity.key}`,
      base,
      `${where} is not allowed; run 'latchkey allow' to review it and export its variables here`,
    );
  }
  if (entry.hash !== identity.hash) {
    return finish(
      `changed ${identity.hash} ${identity.key}`,
      base,
      `${where} changed since you allowed it; nothing exported — run 'latchkey allow' to review it again`,
    );
  }
  const exportedState = `exported ${identity.hash} ${identity.key}`;
  if (request.state === exportedState) return finish(exportedState, base);
  if (entry.variables.length === 0)
    return finish(exportedState, base, `${where} declares no variables; nothing to export`);

  // parseAllowList already refused the shell's own names; this keeps the promise if that changes.
  const usable = entry.variables.filter((v) => shellRefusal(v.name) === undefined);
  const refs = [...new Set(usable.map((v) => v.ref))];
  if (refs.length === 0)
    return finish(exportedState, base, `${where} declares no variables; nothing to export`);
  const { fetched, abandoned } = await fetchFromAgent(refs, env, request.dir);
  const { auditPaths } =
    require('../../core/audit/audit-files') as typeof import('../../core/audit/audit-files');
  const { socketPath } =
    require('../../core/agent/socket-path') as typeof import('../../core/agent/socket-path');
  // While locked or absent, the agent's unlock (it appends to the audit log) and its start (the
  // socket appears) trigger the next check, so the variables arrive at the next prompt.
  const waiting = [...base, auditPaths(home).log, socketPath(env)];
  switch (fetched.kind) {
    case 'no-agent':
      return finish(
        `no-agent ${identity.hash} ${identity.key}`,
        waiting,
        "no agent running — start 'latchkey agent' (the shell hook never asks for a password)",
      );
    case 'locked':
      return finish(
        `locked ${identity.hash} ${identity.key}`,
        waiting,
        "vault locked — run 'latchkey unlock'",
      );
    case 'slow':
      return {
        ...finish(
          `slow ${identity.hash} ${identity.key}`,
          waiting,
          'the agent did not answer in time; nothing exported (cd out and back in to retry)',
        ),
        abandoned,
      };
    case 'error':
      return finish(`error ${identity.hash} ${identity.key}`, waiting, fetched.message);
    case 'values':
      break;
  }

  const absent = usable.filter((v) => v.required && fetched.values[v.ref] === undefined);
  const { sets, problems } = fitEnvironment(usable, fetched.values);
  const exported = sets.map(([name]) => name);
  let message =
    exported.length > 0
      ? `exported ${listNames(exported)} (${entry.project}/${entry.environment})`
      : 'exported nothing';
  if (absent.length > 0) {
    const first = absent[0]!;
    message += `; your vault lacks ${first.ref} for ${first.name}${absent.length > 1 ? ` and ${absent.length - 1} more ('latchkey doctor' lists them)` : ''}`;
  }
  if (problems.length > 0) message += `; not exported: ${problems.join(', ')}`;
  return finish(exportedState, base, message, (s) => {
    for (const [name, value] of sets) s.set(name, value);
  });
}
