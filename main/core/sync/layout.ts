/**
 * A store layout maps store paths to refs: `teams/{project}/{env}/{item}` reads
 * `teams/payments/development/stripe` as `lk://payments/development/stripe`. Layouts and filters
 * are checked when a store is added: one that could only ever reach production (or nothing but
 * unknown environments) is refused there and then.
 */
import { LatchkeyError } from '../errors';
import { canonicalEnvironment, classifyNameSegment, ScopeRefusal, type Environment } from '../scope';

export type LayoutSegment =
  { readonly kind: 'literal'; readonly value: string } | { readonly kind: 'project' | 'env' | 'item' };

export interface Layout {
  readonly pattern: string;
  readonly segments: readonly LayoutSegment[];
}

export const DEFAULT_LAYOUT = 'teams/{project}/{env}/{item}';

const LITERAL = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

function invalid(message: string): LatchkeyError {
  return new LatchkeyError('INVALID_STORE_CONFIG', message);
}

/** Parses and checks a layout pattern. */
export function parseLayout(pattern: string): Layout {
  const trimmed = pattern.replace(/^\/+|\/+$/g, '');
  if (trimmed.length === 0 || trimmed.length > 512)
    throw invalid(`the layout '${pattern.slice(0, 80)}' is empty or too long`);
  const segments: LayoutSegment[] = trimmed.split('/').map((part) => {
    if (part === '{project}' || part === '{env}' || part === '{item}') {
      return { kind: part.slice(1, -1) as 'project' | 'env' | 'item' };
    }
    if (part.includes('{') || part.includes('}')) {
      throw invalid(
        `the layout segment '${part.slice(0, 40)}' is not one of {project}, {env}, {item} or a plain name`,
      );
    }
    if (!LITERAL.test(part) || part.includes('..')) {
      throw invalid(
        `the layout segment '${part.slice(0, 40)}' is not a plain name (letters, digits, '_', '.', '-')`,
      );
    }
    // A fixed path segment naming production would make every item production.
    if (!classifyNameSegment(part).ok) {
      throw new ScopeRefusal({
        ok: false,
        code: 'PRODUCTION_REFUSED',
        rule: 'layout-production',
        reason: `the layout '${pattern}' has the fixed segment '${part}', a production name; such a layout could only reach production secrets, so it is refused`,
      });
    }
    return { kind: 'literal', value: part };
  });
  for (const kind of ['project', 'env', 'item'] as const) {
    const n = segments.filter((s) => s.kind === kind).length;
    if (n !== 1) {
      throw invalid(
        `the layout '${pattern}' must contain {${kind}} exactly once` +
          (kind === 'env' ? ': without it no item can be classified as development or staging' : ''),
      );
    }
  }
  if (segments[segments.length - 1]?.kind !== 'item')
    throw invalid(`the layout '${pattern}' must end with {item}`);
  return {
    pattern: segments.map((s) => (s.kind === 'literal' ? s.value : `{${s.kind}}`)).join('/'),
    segments,
  };
}

/** A sync filter: only this project, or only this project's environment. */
export interface SyncFilter {
  readonly project: string;
  readonly environment?: Environment;
  /** The environment folder as spelled in the filter (`dev`, `development`), when one is given. */
  readonly folder?: string;
}

/** Parses `project` or `project/env`; a production environment is refused outright. */
export function parseFilter(text: string): SyncFilter {
  const [project, env, extra] = text.split('/');
  if (!project || extra !== undefined || !LITERAL.test(project)) {
    throw invalid(`the filter '${text.slice(0, 80)}' must be a project or project/environment`);
  }
  const verdict = classifyNameSegment(project);
  if (!verdict.ok) throw new ScopeRefusal(verdict);
  return env === undefined ? { project } : { project, environment: canonicalEnvironment(env), folder: env };
}

/** Whether a project (and environment, when known) passes the filters (none = everything). */
export function passesFilters(
  filters: readonly SyncFilter[],
  project: string,
  environment?: Environment,
): boolean {
  if (filters.length === 0) return true;
  return filters.some(
    (f) =>
      f.project === project &&
      (environment === undefined || f.environment === undefined || f.environment === environment),
  );
}

/**
 * The folders a walk may take at a project or environment level without listing the parent, when
 * the filters name them all: a developer granted only payments/development may not list `teams/`,
 * and need not. Undefined when the level must be listed. The names still go through every check a
 * listed name does.
 */
export function pinnedFolders(
  kind: LayoutSegment['kind'],
  filters: readonly SyncFilter[],
  bound: { readonly project?: string; readonly environment?: Environment },
): string[] | undefined {
  if (filters.length === 0 || kind === 'literal' || kind === 'item') return undefined;
  if (kind === 'project') {
    const relevant = filters.filter(
      (f) =>
        bound.environment === undefined || f.environment === undefined || f.environment === bound.environment,
    );
    return [...new Set(relevant.map((f) => `${f.project}/`))];
  }
  const relevant = filters.filter((f) => bound.project === undefined || f.project === bound.project);
  if (relevant.some((f) => f.folder === undefined)) return undefined;
  return [...new Set(relevant.map((f) => `${f.folder!}/`))];
}
