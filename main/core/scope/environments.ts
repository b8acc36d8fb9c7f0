/**
 * Environment names: the two canonical environments, their aliases, and the classifier every layer
 * uses to turn a user's or a store's environment name into `development` or `staging` — or a refusal.
 */
import { looksLikeProductionEnvironment } from './production-words';
import {
  quoteName,
  refusal,
  ScopeRefusal,
  type Environment,
  type Refusal,
  type ScopeVerdict,
} from './verdict';

/** The canonical environments, in display order. */
export const ENVIRONMENTS: readonly Environment[] = ['development', 'staging'];

/** Built-in names (canonical and aliases), lower-case, to the environment they mean. */
export const BUILT_IN_ENVIRONMENT_NAMES: ReadonlyMap<string, Environment> = new Map<string, Environment>([
  ['development', 'development'],
  ['dev', 'development'],
  ['develop', 'development'],
  ['local', 'development'],
  ['staging', 'staging'],
  ['stg', 'staging'],
  ['stage', 'staging'],
]);

/** Longest name an alias may have; long enough for words, short enough to read in a refusal. */
export const MAX_ALIAS_LENGTH = 32;

const ASCII_LETTERS = new RegExp(`^[A-Za-z]{1,${MAX_ALIAS_LENGTH}}$`);

// WHATWG "ASCII whitespace". Unicode spaces (NBSP, ideographic space) are not trimmed: a name that
// needs them is not an exact development or staging name.
function isAsciiWhitespace(code: number): boolean {
  return code === 0x09 || code === 0x0a || code === 0x0c || code === 0x0d || code === 0x20;
}

/** Trims ASCII whitespace in linear time (a regex `\s+$` is quadratic on long hostile input). */
function trimAsciiWhitespace(name: string): string {
  let start = 0;
  let end = name.length;
  while (start < end && isAsciiWhitespace(name.charCodeAt(start))) start++;
  while (end > start && isAsciiWhitespace(name.charCodeAt(end - 1))) end--;
  return name.slice(start, end);
}

/**
 * The exact form used for positive classification: ASCII whitespace trimmed, only ASCII letters,
 * lower-cased. Letters are checked before lower-casing because `toLowerCase` turns some non-ASCII
 * letters into ASCII ones (KELVIN SIGN → `k`).
 */
function exactName(name: string): string | undefined {
  const trimmed = trimAsciiWhitespace(name);
  return ASCII_LETTERS.test(trimmed) ? trimmed.toLowerCase() : undefined;
}

function isEnvironment(value: unknown): value is Environment {
  return value === 'development' || value === 'staging';
}

function productionName(name: string): Refusal {
  return refusal(
    'PRODUCTION_REFUSED',
    'environment-name-production',
    `The environment ${quoteName(name)} looks like production (rule environment-name-production), and Latchkey ` +
      `never holds production secrets; use a development or staging environment instead.`,
  );
}

function unknownName(name: string): Refusal {
  const hint = /[^\x00-\x7f]/.test(name) ? ' Environment names use ASCII letters only.' : '';
  return refusal(
    'UNKNOWN_ENVIRONMENT',
    'environment-name-unknown',
    `The environment ${quoteName(name)} is neither development nor staging, so it is refused ` +
      `(rule environment-name-unknown); use development (dev, develop, local) or staging (stg, stage), ` +
      `or add a non-production alias for it as described in docs/scopes.md.${hint}`,
  );
}

function notText(): Refusal {
  return refusal(
    'UNKNOWN_ENVIRONMENT',
    'environment-name-unknown',
    'The environment is not a text name, so it is refused (rule environment-name-unknown); ' +
      'use development or staging.',
  );
}

/**
 * Why an alias may not be used, or undefined when it may. An alias must be 1–32 ASCII letters,
 * must not look like production in any spelling, must map to development or staging, and must not
 * redefine a built-in name as the other environment.
 */
function aliasProblem(alias: string, target: unknown): Refusal | undefined {
  if (typeof alias !== 'string') {
    return refusal(
      'UNKNOWN_ENVIRONMENT',
      'environment-alias-invalid',
      'An environment alias is not a text name (rule environment-alias-invalid); write the alias as 1 to ' +
        `${MAX_ALIAS_LENGTH} ASCII letters.`,
    );
  }
  if (
    looksLikeProductionEnvironment(alias) ||
    (typeof target === 'string' && looksLikeProductionEnvironment(target))
  ) {
    return refusal(
      'PRODUCTION_REFUSED',
      'environment-alias-production',
      `The environment alias ${quoteName(alias)} → ${quoteName(String(target))} looks like production ` +
        '(rule environment-alias-production), and no alias may name or point to production; choose a name ' +
        'without prod, production, prd or live, for development or staging.',
    );
  }
  const exact = exactName(alias);
  if (exact === undefined) {
    return refusal(
      'UNKNOWN_ENVIRONMENT',
      'environment-alias-invalid',
      `The environment alias ${quoteName(alias)} is not 1 to ${MAX_ALIAS_LENGTH} ASCII letters ` +
        '(rule environment-alias-invalid); choose a plain name such as sandbox or preview.',
    );
  }
  if (!isEnvironment(target)) {
    return refusal(
      'UNKNOWN_ENVIRONMENT',
      'environment-alias-invalid',
      `The environment alias ${quoteName(alias)} must stand for development or staging ` +
        '(rule environment-alias-invalid); set its target to one of the two.',
    );
  }
  const builtIn = BUILT_IN_ENVIRONMENT_NAMES.get(exact);
  if (builtIn !== undefined && builtIn !== target) {
    return refusal(
      'UNKNOWN_ENVIRONMENT',
      'environment-alias-conflict',
      `The environment alias ${quoteName(alias)} already means ${builtIn} and cannot be redefined as ` +
        `${target} (rule environment-alias-conflict); choose another name.`,
    );
  }
  return undefined;
}

/**
 * Checks one team-defined alias (e.g. `sandbox` → development) and returns its lower-case form.
 * Throws a ScopeRefusal: PRODUCTION_REFUSED (rule `environment-alias-production`) when the alias
 * looks like production in any spelling, UNKNOWN_ENVIRONMENT (`environment-alias-invalid`,
 * `environment-alias-conflict`) when it is not 1–32 ASCII letters, its target is not development
 * or staging, or it would redefine a built-in name.
 */
export function validateEnvironmentAlias(name: string, target: string): string {
  const problem = aliasProblem(name, target);
  if (problem !== undefined) throw new ScopeRefusal(problem);
  return exactName(name) as string;
}

/**
 * Builds the alias map `classifyEnvironment` accepts from configuration (`{ sandbox: 'development' }`),
 * validating every entry with `validateEnvironmentAlias`; throws on the first bad one.
 */
export function environmentAliases(
  entries: Iterable<readonly [string, string]> | Readonly<Record<string, string>>,
): ReadonlyMap<string, Environment> {
  const pairs: Iterable<readonly [string, string]> =
    Symbol.iterator in entries ? entries : Object.entries(entries);
  const map = new Map<string, Environment>();
  for (const [name, target] of pairs) map.set(validateEnvironmentAlias(name, target), target as Environment);
  return map;
}

function findExtraAlias(
  exact: string,
  extraAliases: ReadonlyMap<string, Environment>,
): readonly [string, unknown] | undefined {
  const direct: unknown = extraAliases.get(exact);
  if (direct !== undefined) return [exact, direct];
  // A map built by hand may hold keys that are not lower-case or carry spaces.
  for (const [key, target] of extraAliases) {
    if (typeof key === 'string' && exactName(key) === exact) return [key, target];
  }
  return undefined;
}

/**
 * Classifies an environment name. Guarantees:
 * - `ok` only when the name, with ASCII whitespace trimmed and lower-cased, is exactly one of
 *   development, dev, develop, local, staging, stg, stage, or a valid entry of `extraAliases`
 *   (re-validated here, so a hand-built map cannot smuggle in a production alias);
 * - PRODUCTION_REFUSED (rule `environment-name-production`) when the name carries a production word
 *   in any case, spacing, affix, look-alike or leet spelling;
 * - UNKNOWN_ENVIRONMENT (rule `environment-name-unknown`) for everything else, including look-alike
 *   spellings of `dev`, empty names and non-strings.
 */
export function classifyEnvironment(
  name: string,
  extraAliases?: ReadonlyMap<string, Environment>,
): ScopeVerdict {
  if (typeof name !== 'string') return notText();
  const exact = exactName(name);
  const builtIn = exact === undefined ? undefined : BUILT_IN_ENVIRONMENT_NAMES.get(exact);
  if (builtIn !== undefined) return { ok: true, environment: builtIn };
  if (looksLikeProductionEnvironment(name)) return productionName(name);
  if (exact !== undefined && extraAliases !== undefined) {
    const found = findExtraAlias(exact, extraAliases);
    if (found !== undefined) {
      const problem = aliasProblem(found[0], found[1]);
      if (problem !== undefined) return problem;
      return { ok: true, environment: found[1] as Environment };
    }
  }
  return unknownName(name);
}

/**
 * The canonical environment for `name`, or a thrown ScopeRefusal carrying the verdict's code,
 * rule and reason. Same rules as `classifyEnvironment`.
 */
export function canonicalEnvironment(
  name: string,
  extraAliases?: ReadonlyMap<string, Environment>,
): Environment {
  const verdict = classifyEnvironment(name, extraAliases);
  if (!verdict.ok) throw new ScopeRefusal(verdict);
  return verdict.environment;
}
