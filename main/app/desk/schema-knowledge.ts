/**
 * What the app knows about items from the latchkey.yml files of the repos the developer allowed
 * (`latchkey allow` keeps their paths): owner, description and rotation period per item ref.
 * "Where known": an item no allowed schema declares simply has none. A schema that cannot be read
 * any more is skipped — the Secrets view must not fail because a repo moved.
 */
import { readAllowList } from '../../cli/shell/allow-list';
import { loadSchema } from '../../core/project/schema-file';
import { resolveVariables } from '../../core/project/resolve';
import { formatItemRef } from '../../core/vault/ref';

export interface ItemKnowledge {
  readonly owner?: string;
  readonly description?: string;
  readonly rotateEveryMs: number;
  /** The schema that declares it. */
  readonly schemaPath: string;
}

/** Knowledge per item ref (`project/environment/item`), read afresh from the allowed schemas. */
export function readSchemaKnowledge(env: NodeJS.ProcessEnv): Map<string, ItemKnowledge> {
  const out = new Map<string, ItemKnowledge>();
  let allowed;
  try {
    allowed = readAllowList(env);
  } catch {
    return out;
  }
  for (const entry of allowed) {
    let schema;
    try {
      schema = loadSchema(entry.path);
    } catch {
      continue;
    }
    for (const environment of ['development', 'staging'] as const) {
      for (const v of resolveVariables(schema, environment)) {
        const key = formatItemRef(v.ref);
        if (out.has(key)) continue;
        out.set(key, {
          ...(v.spec.owner !== undefined ? { owner: v.spec.owner } : {}),
          ...(v.spec.description !== undefined ? { description: v.spec.description } : {}),
          rotateEveryMs: v.spec.rotateEveryMs,
          schemaPath: schema.path,
        });
      }
    }
  }
  return out;
}

/** A rotation period as the UI shows it: '90d', '12h', '2w'. */
export function formatPeriod(ms: number): string {
  const units: readonly (readonly [string, number])[] = [
    ['w', 7 * 86_400_000],
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
  ];
  for (const [unit, size] of units) if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  return `${Math.round(ms / 1000)}s`;
}
