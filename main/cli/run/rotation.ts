/**
 * The one-line rotation warning `latchkey run` prints when injected values are older than their
 * schema's rotate_every. Same rule as overdueRotations in secret-source (a unit test holds them
 * together), on the run plan's plain refs so the start-up path stays light.
 */
import type { PlannedVariable } from './plan-cache';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;
/** How many variables the warning names before "and N more". */
const NAMED = 3;

export interface Overdue {
  readonly variable: PlannedVariable;
  readonly ageMs: number;
}

/** The variables whose item changed longer ago than their rotate_every, in plan order. */
export function overdueVariables(
  variables: readonly PlannedVariable[],
  changedAt: Readonly<Record<string, string>>,
  now = Date.now(),
): Overdue[] {
  const out: Overdue[] = [];
  for (const variable of variables) {
    const at = Object.hasOwn(changedAt, variable.ref) ? changedAt[variable.ref] : undefined;
    if (at === undefined || variable.rotateEveryMs === undefined) continue;
    const ageMs = now - Date.parse(at);
    if (ageMs > variable.rotateEveryMs) out.push({ variable, ageMs });
  }
  return out;
}

/** `120 days`, `5 hours`, `1.2 seconds`. */
export function formatAge(ms: number): string {
  const unit = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  if (ms >= 2 * DAY) return unit(Math.floor(ms / DAY), 'day');
  if (ms >= 2 * HOUR) return unit(Math.floor(ms / HOUR), 'hour');
  if (ms >= 2 * MINUTE) return unit(Math.floor(ms / MINUTE), 'minute');
  if (ms >= 10 * SECOND) return unit(Math.floor(ms / SECOND), 'second');
  return `${(Math.floor(ms / 100) / 10).toFixed(1)} seconds`;
}

/** A rotation policy as latchkey.yml writes it: the largest whole unit, `90d`, `12w`, `36h`, `1s`. */
export function formatPolicy(ms: number): string {
  for (const [size, suffix] of [
    [WEEK, 'w'],
    [DAY, 'd'],
    [HOUR, 'h'],
    [MINUTE, 'm'],
  ] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${suffix}`;
  }
  return `${Math.round(ms / SECOND)}s`;
}

/** The warning line (with newline), or undefined when nothing is overdue. */
export function rotationWarning(overdue: readonly Overdue[]): string | undefined {
  if (overdue.length === 0) return undefined;
  const named = overdue
    .slice(0, NAMED)
    .map((o) => `${o.variable.name}: ${formatAge(o.ageMs)}, > ${formatPolicy(o.variable.rotateEveryMs!)}`);
  if (overdue.length > NAMED) named.push(`and ${overdue.length - NAMED} more`);
  const subject =
    overdue.length === 1
      ? '1 secret is past its rotation policy'
      : `${overdue.length} secrets are past their rotation policy`;
  const ask = overdue.length === 1 ? 'ask its owner to rotate it' : 'ask their owners to rotate them';
  return `latchkey: warning: ${subject} (${named.join('; ')}); ${ask}\n`;
}
