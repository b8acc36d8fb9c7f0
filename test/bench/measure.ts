/**
 * What every benchmark shares: a clock, an interleaved runner, and the row each one reports.
 * Every figure is a ratio against a floor measured in the same run, because the machines are
 * shared and noisy: a slow minute slows the floor as much as the thing measured.
 */
import { median, percentile } from './stats';

/** One line of the results table. `ratio` and `pass` are undefined when there is nothing to judge. */
export interface BenchRow {
  readonly name: string;
  /** What the measured thing is compared with, and its figure. */
  readonly floor: string;
  readonly measured: string;
  readonly ratio: number | undefined;
  readonly target: string;
  readonly pass: boolean | undefined;
}

/** Milliseconds from a monotonic clock. */
export function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/** Milliseconds one call of `fn` takes. */
export async function timeMs(fn: () => unknown): Promise<number> {
  const started = nowMs();
  await fn();
  return nowMs() - started;
}

/** Something to time: a function, or a function with untimed preparation run just before it. */
export type Timed = (() => unknown) | { readonly before: () => unknown; readonly run: () => unknown };

async function timeStep(step: Timed): Promise<number> {
  if (typeof step === 'function') return timeMs(step);
  await step.before();
  return timeMs(step.run);
}

/**
 * Times every step `rounds` times, one of each per round, after `warmup` untimed rounds. The
 * order rotates every round (AB BA AB … for two steps) so no step always runs straight after
 * another's side effects. Returns the samples per step, in milliseconds.
 */
export async function interleave<K extends string>(
  rounds: number,
  steps: Readonly<Record<K, Timed>>,
  warmup = 1,
): Promise<Record<K, number[]>> {
  const names = Object.keys(steps) as K[];
  for (let i = 0; i < warmup; i++) for (const name of names) await timeStep(steps[name]);
  const out = Object.fromEntries(names.map((name) => [name, [] as number[]])) as Record<K, number[]>;
  for (let i = 0; i < rounds; i++) {
    const order = i % 2 === 0 ? names : [...names].reverse();
    const shift = Math.floor(i / 2) % names.length;
    for (const name of [...order.slice(shift), ...order.slice(0, shift)])
      out[name].push(await timeStep(steps[name]));
  }
  return out;
}

/** "12.3 ms" with a precision that suits the magnitude. */
export function ms(value: number): string {
  if (value >= 100) return `${value.toFixed(0)} ms`;
  if (value >= 10) return `${value.toFixed(1)} ms`;
  if (value >= 0.1) return `${value.toFixed(2)} ms`;
  return `${(value * 1000).toFixed(2)} µs`;
}

/** "median 12.3 ms (p90 14.0 ms, n=40)". */
export function summary(samples: readonly number[]): string {
  return `median ${ms(median(samples))} (p90 ${ms(percentile(samples, 90))}, n=${samples.length})`;
}
