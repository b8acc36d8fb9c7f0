/** Dates, ages and counts as a person reads them. All times arrive as ISO strings (UTC). */

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const timeOnly = new Intl.DateTimeFormat(undefined, { timeStyle: 'short' });
const timeWithSeconds = new Intl.DateTimeFormat(undefined, { timeStyle: 'medium' });
const dayOnly = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' });
const count = new Intl.NumberFormat();

function parse(iso: string | undefined): Date | undefined {
  if (iso === undefined || iso === '') return undefined;
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** "12 Mar 2025, 14:05", or "unknown". */
export function formatDateTime(iso: string | undefined): string {
  const date = parse(iso);
  return date === undefined ? 'unknown' : dateTime.format(date);
}

/** A compact stamp for tables: the time today, else the day and time; seconds only if asked. */
export function formatStamp(iso: string, options: { seconds?: boolean } = {}, now = Date.now()): string {
  const date = parse(iso);
  if (date === undefined) return iso;
  const time = (options.seconds === true ? timeWithSeconds : timeOnly).format(date);
  return new Date(now).toDateString() === date.toDateString() ? time : `${dayOnly.format(date)}, ${time}`;
}

/** "just now", "5 min ago", "3 h ago", "12 days ago"; "in 2 days" for a future time. */
export function formatRelative(iso: string | undefined, now = Date.now()): string {
  const date = parse(iso);
  if (date === undefined) return 'unknown';
  const seconds = Math.round((now - date.getTime()) / 1000);
  // A clock that ticks rarely can trail a fresh timestamp a little: that is "just now" as well.
  if (seconds < 45 && seconds > -120) return 'just now';
  const s = Math.abs(seconds);
  const text =
    s < 3600
      ? `${Math.round(s / 60)} min`
      : s < 86_400
        ? `${Math.round(s / 3600)} h`
        : plural(Math.round(s / 86_400), 'day');
  return seconds < 0 ? `in ${text}` : `${text} ago`;
}

/** "1 day", "3 days". */
export function plural(n: number, word: string, many = `${word}s`): string {
  return `${formatCount(n)} ${n === 1 ? word : many}`;
}

/** 10000 → "10,000" in the user's locale. */
export function formatCount(n: number): string {
  return count.format(n);
}

/** Whole seconds left until `until` (ms since epoch), at least 0. */
export function secondsLeft(until: number, now = Date.now()): number {
  return Math.max(0, Math.ceil((until - now) / 1000));
}

/** "3 s", "1 min 5 s". */
export function formatSeconds(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  const rest = seconds % 60;
  return rest === 0 ? `${minutes} min` : `${minutes} min ${rest} s`;
}

/** "1.2 s" or "340 ms". */
export function formatDuration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}
