/**
 * Central-store metadata as a scope signal: Vault `custom_metadata`, AWS tags and the like.
 * Metadata that names an environment must agree with the item's path; metadata that says
 * production anywhere refuses the item.
 */
import { classifyEnvironment } from './environments';
import { camelTokens, foldLookalikes, separatorTokens } from './normalize';
import { isExactProductionWord } from './production-words';
import { quoteName, refusal, type Environment, type Refusal, type ScopeVerdict } from './verdict';

/**
 * Keys (lower-case tokens joined by `_`, namespace prefix removed) whose value names an environment.
 * `deployEnv`, `DEPLOY-ENV`, `aws:environment` and `app.kubernetes.io/environment` all land here.
 */
export const ENVIRONMENT_METADATA_KEYS: ReadonlySet<string> = new Set([
  'environment',
  'env',
  'stage',
  'tier',
  'deployment',
  'deploy_env',
  'deploy_environment',
  'deploy_stage',
  'deployment_env',
  'deployment_environment',
  'deployment_stage',
  'deployment_tier',
  'environment_name',
  'environment_tier',
  'environment_type',
  'env_name',
  'env_tier',
  'env_type',
  'stage_name',
  'target_env',
  'target_environment',
]);

/** Leading key tokens that only say whose convention a key follows (`aws:`, `app.kubernetes.io/`, `NODE_`). */
const NAMESPACE_TOKENS: ReadonlySet<string> = new Set([
  'aws',
  'app',
  'kubernetes',
  'k8s',
  'io',
  'latchkey',
  'vault',
  'tag',
  'tags',
  'custom',
  'node',
  'rails',
  'rack',
  'flask',
  'django',
  'spring',
  'dotnet',
  'aspnetcore',
]);

// Hostile metadata (deep nesting, millions of keys) is refused rather than walked for ever.
const MAX_DEPTH = 8;
const MAX_ENTRIES = 10_000;

/** Severity of a refusal: production signals first, then disagreement, then unknown values. */
const SEVERITY: Readonly<Record<string, number>> = {
  'metadata-production': 0,
  'metadata-disagrees': 1,
  'metadata-unreadable': 2,
  'metadata-unknown': 3,
};

/** The key as lower-case tokens joined by `_`, with namespace prefixes removed. */
export function normalizeMetadataKey(key: string): string {
  const tokens = separatorTokens(foldLookalikes(key), false)
    .flatMap(camelTokens)
    .map((token) => token.toLowerCase());
  let start = 0;
  while (start < tokens.length - 1 && NAMESPACE_TOKENS.has(tokens[start] ?? '')) start++;
  return tokens.slice(start).join('_');
}

function production(key: string, value: string): Refusal {
  return refusal(
    'PRODUCTION_REFUSED',
    'metadata-production',
    `The metadata ${quoteName(key)} says ${quoteName(value)}, which is production (rule metadata-production), ` +
      'so the item is refused; if it really is a development or staging secret, fix its metadata in the ' +
      'central store.',
  );
}

function disagrees(key: string, said: Environment, pathEnvironment: Environment): Refusal {
  return refusal(
    'PRODUCTION_REFUSED',
    'metadata-disagrees',
    `The metadata ${quoteName(key)} says ${said} but the item's path says ${pathEnvironment} ` +
      '(rule metadata-disagrees), and signals that disagree are refused; make the path and the metadata ' +
      'agree in the central store.',
  );
}

function unknown(key: string, value: unknown): Refusal {
  const said = typeof value === 'string' ? `says ${quoteName(value.slice(0, 32))}` : 'is not a text value';
  return refusal(
    'UNKNOWN_ENVIRONMENT',
    'metadata-unknown',
    `The metadata ${quoteName(key)} ${said}, which is neither development nor staging (rule metadata-unknown), ` +
      'so the item is refused; set it to development or staging in the central store, or remove it.',
  );
}

function unreadable(): Refusal {
  return refusal(
    'UNKNOWN_ENVIRONMENT',
    'metadata-unreadable',
    `The item's metadata is nested deeper than ${MAX_DEPTH} levels or has more than ${MAX_ENTRIES} entries ` +
      '(rule metadata-unreadable), so its environment cannot be checked and the item is refused; ' +
      'simplify the metadata in the central store.',
  );
}

/** A `{ Key, Value }` pair, the shape of AWS tag lists. */
function tagPair(value: object): readonly [string, unknown] | undefined {
  let key: unknown;
  let tagValue: unknown;
  let fields = 0;
  for (const [name, field] of Object.entries(value)) {
    fields++;
    const lower = name.toLowerCase();
    if (lower === 'key') key = field;
    else if (lower === 'value') tagValue = field;
  }
  return fields === 2 && typeof key === 'string' ? [key, tagValue] : undefined;
}

interface Walk {
  readonly pathEnvironment: Environment | undefined;
  readonly extraAliases: ReadonlyMap<string, Environment> | undefined;
  readonly refusals: Refusal[];
  entries: number;
}

function checkEntry(walk: Walk, key: string, value: unknown, depth: number): void {
  if (++walk.entries > MAX_ENTRIES || depth > MAX_DEPTH) {
    walk.refusals.push(unreadable());
    return;
  }
  if (ENVIRONMENT_METADATA_KEYS.has(normalizeMetadataKey(key))) {
    if (typeof value !== 'string') {
      walk.refusals.push(unknown(key, value));
      return;
    }
    const verdict = classifyEnvironment(value, walk.extraAliases);
    if (!verdict.ok) {
      walk.refusals.push(
        verdict.code === 'PRODUCTION_REFUSED' ? production(key, value) : unknown(key, value),
      );
    } else if (walk.pathEnvironment !== undefined && verdict.environment !== walk.pathEnvironment) {
      walk.refusals.push(disagrees(key, verdict.environment, walk.pathEnvironment));
    }
    return;
  }
  if (typeof value === 'string') {
    if (isExactProductionWord(value)) walk.refusals.push(production(key, value));
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  if (Array.isArray(value)) {
    for (const element of value as readonly unknown[]) {
      const pair = typeof element === 'object' && element !== null ? tagPair(element) : undefined;
      if (pair !== undefined) checkEntry(walk, pair[0], pair[1], depth + 1);
      else checkEntry(walk, key, element, depth + 1);
      if (walk.entries > MAX_ENTRIES) return;
    }
    return;
  }
  for (const [name, field] of Object.entries(value)) {
    checkEntry(walk, name, field, depth + 1);
    if (walk.entries > MAX_ENTRIES) return;
  }
}

function worst(refusals: readonly Refusal[]): Refusal | undefined {
  let chosen: Refusal | undefined;
  for (const candidate of refusals) {
    if (chosen === undefined || (SEVERITY[candidate.rule] ?? 9) < (SEVERITY[chosen.rule] ?? 9))
      chosen = candidate;
  }
  return chosen;
}

/**
 * Metadata refusals with or without a known path environment (without one, disagreement cannot be
 * judged but production and unknown values still refuse). For refuse.ts; callers use classifyMetadata.
 */
export function metadataRefusal(
  metadata: unknown,
  pathEnvironment: Environment | undefined,
  extraAliases?: ReadonlyMap<string, Environment>,
): Refusal | undefined {
  if (metadata === undefined || metadata === null) return undefined;
  const walk: Walk = { pathEnvironment, extraAliases, refusals: [], entries: 0 };
  if (typeof metadata !== 'object' || Array.isArray(metadata)) {
    return refusal(
      'UNKNOWN_ENVIRONMENT',
      'metadata-unreadable',
      "The item's metadata is not a set of keys and values (rule metadata-unreadable), so its environment " +
        'cannot be checked and the item is refused; fix the metadata in the central store.',
    );
  }
  for (const [key, value] of Object.entries(metadata)) {
    checkEntry(walk, key, value, 1);
    if (walk.entries > MAX_ENTRIES) break;
  }
  return worst(walk.refusals);
}

/**
 * Checks an item's metadata against the environment its path names. Guarantees a refusal when:
 * - an environment key (`environment`, `env`, `stage`, `tier`, `deployment`, `deploy_env`,
 *   `environment_name`, `aws:environment`, … in any case or separator style) names production
 *   → PRODUCTION_REFUSED, rule `metadata-production`;
 * - it names the other environment → PRODUCTION_REFUSED, rule `metadata-disagrees`;
 * - it names no known environment or is not text → UNKNOWN_ENVIRONMENT, rule `metadata-unknown`;
 * - any other key's value is exactly a production word (`{ scope: 'production' }`)
 *   → PRODUCTION_REFUSED, rule `metadata-production`;
 * - the metadata is too deep or too large to check → UNKNOWN_ENVIRONMENT, rule `metadata-unreadable`.
 * Nested objects and AWS-style `[{ Key, Value }]` tag lists are walked with the same rules.
 * When several rules fire, the most serious is reported (production, disagreement, unreadable, unknown).
 */
export function classifyMetadata(
  metadata: Readonly<Record<string, unknown>>,
  pathEnvironment: Environment,
  extraAliases?: ReadonlyMap<string, Environment>,
): ScopeVerdict {
  return (
    metadataRefusal(metadata, pathEnvironment, extraAliases) ?? { ok: true, environment: pathEnvironment }
  );
}
