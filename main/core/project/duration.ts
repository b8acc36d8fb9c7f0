/**
 * Rotation periods as people write them in latchkey.yml: a whole number and one unit, `90d`.
 */
import { LatchkeyError } from '../errors';
import { printable } from '../vault/ref';

const UNIT_MS = {
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
} as const;

/** The longest period accepted: ten years of 365 days (3650d). */
export const MAX_DURATION_MS = 3650 * UNIT_MS.d;

const DURATION = /^([1-9][0-9]{0,9})([smhdw])$/;

/**
 * Milliseconds in `text`: a positive whole number without leading zeros followed by one unit —
 * `s` seconds, `m` minutes, `h` hours, `d` days, `w` weeks (`90d`, `12w`) — at most 3650d.
 * Throws SCHEMA_INVALID for anything else (no spaces, fractions, mixed units or upper case).
 */
export function parseDuration(text: string): number {
  const match = typeof text === 'string' ? DURATION.exec(text) : null;
  if (match === null) {
    throw new LatchkeyError(
      'SCHEMA_INVALID',
      `'${printable(String(text))}' is not a duration: write a whole number and one unit s, m, h, d or w, like 90d`,
    );
  }
  const ms = Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
  if (ms > MAX_DURATION_MS) {
    throw new LatchkeyError(
      'SCHEMA_INVALID',
      `'${text}' is longer than 10 years (3650d); choose a shorter period`,
    );
  }
  return ms;
}
