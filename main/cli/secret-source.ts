/**
 * What `run`, `env`, the shell hook and `doctor` share: which variables a command gets (from the
 * repo's latchkey.yml, or `--secret NAME=ref`), and their values — from the agent when one is
 * running, else by opening the vault directly.
 */
import { canonicalEnvironment, type Environment } from '../core/scope';
import { LatchkeyError } from '../core/errors';
import {
  checkVariableName,
  findSchema,
  loadSchema,
  resolveVariables,
  type ProjectSchema,
} from '../core/project';
import type { ReadSecrets } from '../core/vault/read-secrets';
import { formatFieldRef, parseFieldRef, type FieldRef } from '../core/vault/ref';
import { connectAgent } from './agent-connection';
import { readAudited, vaultStore } from './direct-vault';
import type { CliIo } from './io';
import { InputSource } from './terminal-input';

export interface WantedVariable {
  readonly name: string;
  readonly ref: FieldRef;
  readonly required: boolean;
  readonly owner?: string;
  readonly rotateEveryMs?: number;
}

export interface VariablePlan {
  readonly schema?: ProjectSchema;
  readonly environment?: Environment;
  readonly variables: WantedVariable[];
}

/** The variables to inject: `--secret NAME=ref` pairs, or the schema found upward from `cwd`. */
export function planVariables(options: {
  cwd: string;
  secrets?: readonly string[];
  environment?: string;
}): VariablePlan {
  if (options.secrets && options.secrets.length > 0) {
    const variables = options.secrets.map((pair): WantedVariable => {
      const eq = pair.indexOf('=');
      if (eq <= 0)
        throw new LatchkeyError(
          'USAGE',
          `--secret takes NAME=lk://project/env/item/field, not '${pair.slice(0, 60)}'`,
        );
      const name = pair.slice(0, eq);
      checkVariableName(name, []);
      return { name, ref: parseFieldRef(pair.slice(eq + 1)), required: true };
    });
    const names = new Set<string>();
    for (const v of variables) {
      if (names.has(v.name)) throw new LatchkeyError('USAGE', `--secret names ${v.name} twice`);
      names.add(v.name);
    }
    return { variables };
  }
  const path = findSchema(options.cwd);
  if (path === undefined) {
    throw new LatchkeyError(
      'SCHEMA_NOT_FOUND',
      'there is no latchkey.yml here or in any parent directory; add one (see docs/latchkey-yml.md) or pass --secret NAME=lk://…',
    );
  }
  const schema = loadSchema(path);
  const environment =
    options.environment === undefined ? schema.defaultEnvironment : canonicalEnvironment(options.environment);
  const variables = resolveVariables(schema, environment).map((v) => ({
    name: v.name,
    ref: v.ref,
    required: v.required,
    ...(v.spec.owner ? { owner: v.spec.owner } : {}),
    rotateEveryMs: v.spec.rotateEveryMs,
  }));
  return { schema, environment, variables };
}

/** Reads the refs, through the agent when it runs (no password needed), else directly. */
export async function fetchValues(
  refs: readonly FieldRef[],
  context: { env: NodeJS.ProcessEnv; io: CliIo; passwordStdin: boolean },
): Promise<ReadSecrets> {
  if (refs.length === 0) return { values: {}, missing: [], changedAt: {} };
  const agent = context.passwordStdin ? undefined : await connectAgent(context.env);
  if (agent) {
    try {
      return (await agent.call('resolve', {
        refs: refs.map((r) => formatFieldRef(r)),
        allowMissing: true,
      })) as ReadSecrets;
    } finally {
      agent.close();
    }
  }
  return readAudited(vaultStore(context.env), new InputSource(context.io, context.passwordStdin), refs);
}

/** The error for the first required variable the vault lacks: which variable, which ref, who owns it. */
export function missingError(plan: VariablePlan, missing: readonly string[]): LatchkeyError | undefined {
  const lacking = plan.variables.filter((v) => v.required && missing.includes(formatFieldRef(v.ref)));
  const first = lacking[0];
  if (first === undefined) return undefined;
  const ask = first.owner
    ? `ask ${first.owner} (its owner) for access, then run 'latchkey sync'`
    : "add it with 'latchkey set' or sync it from your store";
  const more = lacking.length > 1 ? ` (and ${lacking.length - 1} more: 'latchkey doctor' lists them)` : '';
  return new LatchkeyError(
    'SECRET_MISSING',
    `${first.name} needs ${formatFieldRef(first.ref)}, which your vault does not have; ${ask}${more}`,
  );
}

/** Variables whose item is older than its rotate_every. */
export function overdueRotations(
  plan: VariablePlan,
  changedAt: Readonly<Record<string, string>>,
  now = Date.now(),
): WantedVariable[] {
  return plan.variables.filter((v) => {
    const at = changedAt[formatFieldRef(v.ref)];
    return at !== undefined && v.rotateEveryMs !== undefined && now - Date.parse(at) > v.rotateEveryMs;
  });
}
