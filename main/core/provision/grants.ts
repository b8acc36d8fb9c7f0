/**
 * What a team lead grants: a developer, and project/environment pairs that must be development or
 * staging — nothing else can be named. Pure: names are checked here, before any request is made.
 */
import { LatchkeyError } from '../errors';
import { classifyEnvironment, classifyNameSegment, type Environment } from '../scope';

/** A developer's name as the store knows them (entity name, userpass user): the policy is named after it. */
const DEVELOPER = /^[a-z0-9][a-z0-9._-]{0,62}$/;
const PROJECT = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export const POLICY_PREFIX = 'latchkey-dev-';

export interface GrantTarget {
  readonly project: string;
  /** The environment folder exactly as it is spelled in the store (e.g. `development`, `dev`). */
  readonly env: string;
  /** What it classifies as. */
  readonly environment: Environment;
}

export interface Grant extends GrantTarget {
  /** ISO 8601, when it was (last) granted. */
  readonly grantedAt: string;
  /** ISO 8601, when it lapses (`--expires`); absent: until revoked. */
  readonly expires?: string;
}

export function checkDeveloper(name: string): string {
  if (!DEVELOPER.test(name)) {
    throw new LatchkeyError(
      'USAGE',
      `'${name.slice(0, 64)}' is not a developer name Latchkey can use: lower-case letters, digits, '.', '_' and '-' (at most 63), as the store knows them`,
    );
  }
  return name;
}

export function policyNameOf(developer: string): string {
  return `${POLICY_PREFIX}${checkDeveloper(developer)}`;
}

/** The developer a Latchkey policy name belongs to, or undefined for any other policy. */
export function developerOfPolicy(policy: string): string | undefined {
  if (!policy.startsWith(POLICY_PREFIX)) return undefined;
  const developer = policy.slice(POLICY_PREFIX.length);
  return DEVELOPER.test(developer) ? developer : undefined;
}

function refused(message: string): LatchkeyError {
  return new LatchkeyError('PRODUCTION_REFUSED', message);
}

/**
 * Parses `project/env`. Anything that is not positively development or staging — production in any
 * spelling, an unknown environment, a wildcard — is PRODUCTION_REFUSED: a lead can only ever grant
 * development and staging.
 */
export function parseTarget(text: string): GrantTarget {
  const parts = text.split('/');
  if (parts.length !== 2 || !parts[0] || !parts[1]) {
    throw new LatchkeyError(
      'USAGE',
      `'${text.slice(0, 80)}' is not project/environment (e.g. payments/development)`,
    );
  }
  const [project, env] = parts as [string, string];
  if (/[*+?{}[\]]/.test(text)) {
    throw refused(
      `'${text.slice(0, 80)}' has a wildcard; grants name one project and one environment, never a pattern`,
    );
  }
  if (!PROJECT.test(project) || !PROJECT.test(env)) {
    throw new LatchkeyError('USAGE', `'${text.slice(0, 80)}' is not project/environment: plain names only`);
  }
  const projectVerdict = classifyNameSegment(project);
  if (!projectVerdict.ok)
    throw refused(
      `the project '${project}' ${projectVerdict.reason.replace(/^[^:]*:\s*/, '')}; nothing was granted`,
    );
  const verdict = classifyEnvironment(env);
  if (!verdict.ok) {
    throw refused(
      `'${project}/${env}': ${verdict.reason.replace(/\.+$/, '')}. Latchkey grants only development and staging; nothing was granted`,
    );
  }
  return { project, env, environment: verdict.environment };
}

/** True when `name` could be a project or environment folder Latchkey grants (a plain name). */
export function isPlainName(name: string): boolean {
  return PROJECT.test(name);
}

export function targetKey(t: Pick<GrantTarget, 'project' | 'env'>): string {
  return `${t.project}/${t.env}`;
}

/** `30d`, `12h`, `2w` → an ISO expiry time from `now`. */
export function expiryFrom(text: string, now: Date): string {
  const m = /^(\d{1,4})([hdw])$/.exec(text);
  if (!m)
    throw new LatchkeyError(
      'USAGE',
      `--expires takes a duration like 30d, 12h or 2w, not '${text.slice(0, 20)}'`,
    );
  const n = Number(m[1]);
  const unit = m[2] === 'h' ? 3_600_000 : m[2] === 'd' ? 86_400_000 : 7 * 86_400_000;
  if (n === 0 || n * unit > 366 * 86_400_000) {
    throw new LatchkeyError('USAGE', '--expires must be more than nothing and at most a year');
  }
  return new Date(now.getTime() + n * unit).toISOString();
}

export function isExpired(grant: Grant, now: Date): boolean {
  return grant.expires !== undefined && Date.parse(grant.expires) <= now.getTime();
}
