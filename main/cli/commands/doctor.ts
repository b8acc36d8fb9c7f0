import { isLatchkeyError, LatchkeyError } from '../../core/errors';
import type { ReadSecrets } from '../../core/vault/read-secrets';
import { formatFieldRef } from '../../core/vault/ref';
import { connectAgent } from '../agent-connection';
import type { CommandSpec } from '../command';
import { PASSWORD_STDIN_HELP, PASSWORD_STDIN_OPTION, vaultStore } from '../direct-vault';
import { writeAll } from '../io';
import { formatAge, formatPolicy, overdueVariables } from '../run/rotation';
import { fetchValues, planVariables, type VariablePlan } from '../secret-source';

type Status = 'ok' | 'missing' | 'unchecked';

interface AgentState {
  readonly running: boolean;
  readonly locked?: boolean;
  readonly socket?: string;
  readonly error?: string;
}

interface VariableReport {
  readonly name: string;
  readonly ref: string;
  readonly required: boolean;
  readonly owner: string | null;
  readonly status: Status;
  readonly rotation?: { readonly age: string; readonly policy: string };
}

export const command: CommandSpec = {
  name: 'doctor',
  usage: '[--env E] [--json] [--password-stdin]',
  help: `Checks this repo's latchkey.yml against your vault: lists every variable (name, ref, whether
it is required here, its owner), says which ones your vault lacks and whom to ask, flags values past
their rotation policy, and shows whether the agent is running and unlocked. Values are never shown.

Exits 0 when every required variable is there, 1 when one is missing or the vault could not be
checked (agent locked, or no agent and no password). Run it after cloning a repo, and when
'latchkey run' says a secret is missing.`,
  options: { env: { type: 'string' }, json: { type: 'boolean' }, ...PASSWORD_STDIN_OPTION },
  optionHelp: {
    env: "check this environment instead of latchkey.yml's default_env",
    json: 'print JSON (for scripts and CI)',
    'password-stdin': PASSWORD_STDIN_HELP,
  },
  positionals: { min: 0, max: 0, names: 'no arguments' },
  async run({ args, io, env }) {
    const plan = planVariables({
      cwd: process.cwd(),
      ...(typeof args.values.env === 'string' ? { environment: args.values.env } : {}),
    });
    const passwordStdin = args.values['password-stdin'] === true;
    const agent = passwordStdin ? { running: false } : await agentState(env);
    let found: ReadSecrets | undefined;
    let reason: string | undefined;
    if (agent.error !== undefined) {
      reason = `the agent's socket cannot be used: ${agent.error}`;
    } else if (agent.locked === true) {
      reason = "the agent is locked — run 'latchkey unlock', then 'latchkey doctor' again";
    } else if (!agent.running && !vaultStore(env).exists()) {
      // A newcomer with no vault yet lacks everything.
      found = { values: {}, missing: plan.variables.map((v) => formatFieldRef(v.ref)), changedAt: {} };
      reason = "you have no vault yet — run 'latchkey init', then 'latchkey sync'";
    } else {
      try {
        const read = await fetchValues(
          plan.variables.map((v) => v.ref),
          { env, io, passwordStdin },
        );
        // Only which refs are there and when they changed; the values are dropped here.
        found = { values: {}, missing: read.missing, changedAt: read.changedAt };
      } catch (error) {
        if (!isLatchkeyError(error, 'NO_TERMINAL') && !isLatchkeyError(error, 'LOCKED')) throw error;
        reason = isLatchkeyError(error, 'LOCKED')
          ? "the vault is locked — run 'latchkey unlock', then 'latchkey doctor' again"
          : "no agent is running and there is no terminal to ask your master password on; start 'latchkey agent' or pass --password-stdin";
      }
    }
    const variables = report(plan, found);
    const missingRequired = variables.filter((v) => v.required && v.status === 'missing');
    const ok = found !== undefined && missingRequired.length === 0;
    if (args.values.json === true) {
      const out = {
        schema: plan.schema?.path ?? null,
        project: plan.schema?.project ?? null,
        environment: plan.environment ?? null,
        agent,
        checked: found !== undefined,
        ...(reason !== undefined ? { reason } : {}),
        variables,
        missingRequired: missingRequired.map((v) => v.name),
        ok,
      };
      await writeAll(io.stdout, `${JSON.stringify(out, null, 2)}\n`);
    } else {
      await writeAll(io.stdout, text(plan, agent, variables, missingRequired, found !== undefined, reason));
    }
    return ok ? 0 : 1;
  },
};

async function agentState(env: NodeJS.ProcessEnv): Promise<AgentState> {
  let client;
  try {
    client = await connectAgent(env);
  } catch (error) {
    if (error instanceof LatchkeyError) return { running: false, error: error.message };
    throw error;
  }
  if (!client) return { running: false };
  try {
    const status = (await client.call('status')) as { locked?: unknown; socket?: unknown };
    return {
      running: true,
      locked: status.locked === true,
      ...(typeof status.socket === 'string' ? { socket: status.socket } : {}),
    };
  } finally {
    client.close();
  }
}

function report(plan: VariablePlan, found: ReadSecrets | undefined): VariableReport[] {
  const overdue = new Map(
    overdueVariables(
      plan.variables.map((v) => ({
        name: v.name,
        ref: formatFieldRef(v.ref),
        required: v.required,
        ...(v.rotateEveryMs !== undefined ? { rotateEveryMs: v.rotateEveryMs } : {}),
      })),
      found?.changedAt ?? {},
    ).map((o) => [o.variable.name, o]),
  );
  return plan.variables.map((v) => {
    const ref = formatFieldRef(v.ref);
    const late = overdue.get(v.name);
    return {
      name: v.name,
      ref,
      required: v.required,
      owner: v.owner ?? null,
      status: found === undefined ? 'unchecked' : found.missing.includes(ref) ? 'missing' : 'ok',
      ...(late ? { rotation: { age: formatAge(late.ageMs), policy: formatPolicy(v.rotateEveryMs!) } } : {}),
    };
  });
}

function text(
  plan: VariablePlan,
  agent: AgentState,
  variables: readonly VariableReport[],
  missingRequired: readonly VariableReport[],
  checked: boolean,
  reason: string | undefined,
): string {
  const agentLine = agent.error
    ? `unusable (${agent.error})`
    : agent.running
      ? `running, ${agent.locked ? 'locked' : 'unlocked'}${agent.socket ? ` (${agent.socket})` : ''}`
      : 'not running (the vault is opened directly)';
  const lines = [
    `latchkey.yml  ${plan.schema?.path ?? '-'}`,
    `project       ${plan.schema?.project ?? '-'}`,
    `environment   ${plan.environment ?? '-'}`,
    `agent         ${agentLine}`,
    '',
  ];
  const statusText = (v: VariableReport): string => {
    if (v.status === 'unchecked') return 'not checked';
    if (v.status === 'missing') return v.required ? 'MISSING' : 'missing (optional here)';
    return v.rotation
      ? `ok, but ${v.rotation.age} old (policy ${v.rotation.policy}): ask for a rotation`
      : 'ok';
  };
  const rows = [
    ['VARIABLE', 'REQUIRED', 'REF', 'OWNER', 'STATUS'],
    ...variables.map((v) => [v.name, v.required ? 'yes' : 'no', v.ref, v.owner ?? '-', statusText(v)]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const r of rows)
    lines.push(r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  '));
  if (variables.length === 0) lines.push('(latchkey.yml declares no variables)');
  lines.push('');
  if (!checked) {
    lines.push(`Could not check your vault: ${reason ?? 'unknown reason'}.`);
  } else if (missingRequired.length > 0) {
    const n = missingRequired.length;
    lines.push(
      `${n} required secret${n === 1 ? ' is' : 's are'} missing from your vault; ask for access, then run 'latchkey sync':`,
    );
    const w = Math.max(...missingRequired.map((v) => v.name.length));
    for (const v of missingRequired) {
      lines.push(
        `  ${v.name.padEnd(w)}  ${v.ref}  ${v.owner ? `ask ${v.owner}` : 'no owner listed: ask your team lead'}`,
      );
    }
    if (reason) lines.push(`(${reason})`);
  } else {
    const n = variables.filter((v) => v.required).length;
    lines.push(
      n === 0
        ? 'No variable is required in this environment.'
        : `All ${n} required secret${n === 1 ? ' is' : 's are'} in your vault.`,
    );
  }
  return `${lines.join('\n')}\n`;
}
