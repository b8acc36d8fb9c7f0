/**
 * The sync engine: walks a store's layout, reads what changed, and turns it into a plan that is
 * applied to the vault in one go — or not at all. Production never enters: a folder whose
 * environment segment is not development or staging is listed but never opened; an item whose
 * metadata or values say production is dropped with a refusal record (names and rules, never
 * values). Any failed request fails the whole plan, so a bad sync leaves the last good copy.
 */
import { Secret } from '../crypto/secret';
import {
  classifyEnvironment,
  classifyMetadata,
  findLiveCredential,
  ScopeRefusal,
  type Environment,
} from '../scope';
import { checkName, formatItemRef, type ItemRef } from '../vault/ref';
import { MAX_FIELDS_PER_ITEM, MAX_VALUE_BYTES, type Vault } from '../vault/vault';
import { passesFilters, pinnedFolders, type Layout, type SyncFilter } from './layout';
import type { StoreProvider } from './provider';
import { pace, turnSpent } from '../vault/atomic-write';

export interface RefusalRecord {
  readonly ref: string;
  readonly path: string;
  readonly rule: string;
  readonly reason: string;
  /** True when a production signal fired (as opposed to an unknown environment or an unusable item). */
  readonly production: boolean;
  readonly at: string;
  /** The store version whose content was refused (so an unchanged version is not read again). */
  readonly version?: number;
}

export interface PlannedItem {
  readonly path: string;
  readonly ref: ItemRef;
  readonly version: number;
  readonly changedAt: string;
  readonly fields: (readonly [string, Secret])[];
}

export interface SyncPlan {
  readonly upserts: PlannedItem[];
  /** Paths whose current version we already hold. */
  readonly unchanged: string[];
  readonly refusals: RefusalRecord[];
  /** Paths that are fine upstream, whether changed or not (anything else we hold goes). */
  readonly present: Set<string>;
}

export interface SyncProgress {
  readonly listed: number;
  readonly read: number;
  readonly total: number;
}

export interface SyncOptions {
  readonly concurrency?: number;
  readonly filters?: readonly SyncFilter[];
  readonly onProgress?: (p: SyncProgress) => void;
  readonly now?: () => Date;
}

/** A counting semaphore: at most `limit` store requests in flight. */
class Limiter {
  #active = 0;
  readonly #waiting: (() => void)[] = [];
  constructor(private readonly limit: number) {}
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.#active >= this.limit) await new Promise<void>((r) => this.#waiting.push(r));
    this.#active++;
    try {
      return await task();
    } finally {
      this.#active--;
      this.#waiting.shift()?.();
    }
  }
}

/** Builds the plan. On any failure, every value read so far is zeroed and the error is rethrown. */
export async function planSync(
  provider: StoreProvider,
  layout: Layout,
  known: ReadonlyMap<string, number>,
  options: SyncOptions & { readonly refusedBefore?: readonly RefusalRecord[] } = {},
): Promise<SyncPlan> {
  // Items refused for their content at a version: that version is not read again.
  const refusedVersions = new Map<string, RefusalRecord>();
  for (const r of options.refusedBefore ?? []) if (r.version !== undefined) refusedVersions.set(r.path, r);
  const width = options.concurrency ?? 8;
  const limiter = new Limiter(width);
  const filters = options.filters ?? [];
  const now = (): string => (options.now?.() ?? new Date()).toISOString();
  const plan: SyncPlan = { upserts: [], unchanged: [], refusals: [], present: new Set() };
  const progress = { listed: 0, read: 0, total: 0 };
  const report = (): void => options.onProgress?.({ ...progress });
  const refuse = (path: string, ref: string, rule: string, reason: string, production: boolean): void => {
    plan.refusals.push({ ref, path, rule, reason, production, at: now() });
  };

  const readItem = async (path: string, ref: ItemRef): Promise<void> => {
    const refText = formatItemRef(ref);
    const meta = await limiter.run(() => provider.readMetadata(path));
    progress.read++;
    report();
    if (meta === undefined || meta.gone) return; // deleted upstream: not present, so removed locally
    const metaVerdict = classifyMetadata(meta.customMetadata, ref.environment);
    if (!metaVerdict.ok) {
      refuse(path, refText, metaVerdict.rule, metaVerdict.reason, metaVerdict.code === 'PRODUCTION_REFUSED');
      return;
    }
    if (known.get(path) === meta.currentVersion) {
      plan.unchanged.push(path);
      plan.present.add(path);
      return;
    }
    const before = refusedVersions.get(path);
    if (before?.version === meta.currentVersion) {
      plan.refusals.push(before);
      return;
    }
    const version = await limiter.run(() => provider.readVersion(path, meta.currentVersion));
    if (version === undefined) return;
    const fields = toFields(version.data, path, refText, (p, r, rule, reason, production) =>
      plan.refusals.push({
        ref: r,
        path: p,
        rule,
        reason,
        production,
        at: now(),
        version: meta.currentVersion,
      }),
    );
    if (fields === undefined) return;
    plan.upserts.push({ path, ref, version: meta.currentVersion, changedAt: meta.changedAt, fields });
    plan.present.add(path);
  };

  const walk = async (
    depth: number,
    prefix: string,
    bound: { project?: string; environment?: Environment },
  ): Promise<void> => {
    const segment = layout.segments[depth];
    if (segment === undefined) return;
    if (segment.kind === 'literal') return walk(depth + 1, `${prefix}${segment.value}/`, bound);
    const pinned = pinnedFolders(segment.kind, filters, bound);
    const keys = pinned ?? (await limiter.run(() => provider.list(prefix)));
    if (pinned === undefined) {
      progress.listed++;
      report();
    }
    const tasks: Promise<void>[] = [];
    // An item folder's reads go through a few workers rather than one waiting task per key, so a
    // folder of thousands of items does not keep thousands of pending calls alive (and the
    // garbage collector busy copying them) while the limiter lets eight through at a time.
    const items: { readonly path: string; readonly ref: ItemRef }[] = [];
    for (const key of keys) {
      if (turnSpent()) await pace();
      const isFolder = key.endsWith('/');
      const name = isFolder ? key.slice(0, -1) : key;
      const path = `${prefix}${name}`;
      if (segment.kind === 'item') {
        if (isFolder) continue; // deeper folders are not part of the layout
        const project = bound.project!;
        const environment = bound.environment!;
        const refText = `lk://${project}/${environment}/${name}`;
        const refusal = nameRefusal(name, 'item');
        if (refusal) {
          refuse(path, refText, refusal.rule, refusal.reason, refusal.production);
          continue;
        }
        progress.total++;
        items.push({ path, ref: { project, environment, item: name } });
        continue;
      }
      if (!isFolder) continue;
      if (segment.kind === 'env') {
        // The refusal happens here, on the listed name: the folder itself is never opened.
        const verdict = classifyEnvironment(name);
        const refText = `lk://${bound.project ?? '?'}/${name}/*`;
        if (!verdict.ok) {
          refuse(`${path}/`, refText, verdict.rule, verdict.reason, verdict.code === 'PRODUCTION_REFUSED');
          continue;
        }
        if (bound.project !== undefined && !passesFilters(filters, bound.project, verdict.environment))
          continue;
        tasks.push(walk(depth + 1, `${path}/`, { ...bound, environment: verdict.environment }));
      } else {
        const refusal = nameRefusal(name, 'project');
        if (refusal) {
          refuse(
            `${path}/`,
            `lk://${printableName(name)}/*`,
            refusal.rule,
            refusal.reason,
            refusal.production,
          );
          continue;
        }
        if (
          bound.environment === undefined
            ? !passesFilters(filters, name)
            : !passesFilters(filters, name, bound.environment)
        )
          continue;
        tasks.push(walk(depth + 1, `${path}/`, { ...bound, project: name }));
      }
    }
    if (items.length > 0) await readAll(items, width, (i) => readItem(i.path, i.ref));
    await settleAll(tasks);
  };

  try {
    await walk(0, '', {});
    return plan;
  } catch (error) {
    disposePlan(plan);
    throw error;
  }
}

/** Waits for every task, then rethrows the first failure (so no task is left running). */
async function settleAll(tasks: Promise<void>[]): Promise<void> {
  const results = await Promise.allSettled(tasks);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

/**
 * Runs `read` on every entry with at most `width` calls pending, reads them all even when some
 * fail, then rethrows the failure of the earliest entry (as `settleAll` over one task per entry).
 */
async function readAll<T>(
  entries: readonly T[],
  width: number,
  read: (entry: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failedAt = entries.length;
  let failure: unknown;
  const worker = async (): Promise<void> => {
    while (next < entries.length) {
      const at = next++;
      try {
        await read(entries[at]!);
      } catch (error) {
        if (at < failedAt) {
          failedAt = at;
          failure = error;
        }
      }
    }
  };
  const workers: Promise<void>[] = [];
  for (let i = 0; i < Math.min(Math.max(1, width), entries.length); i++) workers.push(worker());
  await Promise.all(workers);
  if (failedAt < entries.length) throw failure;
}

/** Why a store name cannot become a Latchkey name (production word, or not a plain name), if it cannot. */
function nameRefusal(
  name: string,
  what: string,
): { rule: string; reason: string; production: boolean } | undefined {
  try {
    checkName(name, what);
    return undefined;
  } catch (error) {
    if (error instanceof ScopeRefusal)
      return { rule: error.rule, reason: error.message, production: error.code === 'PRODUCTION_REFUSED' };
    return {
      rule: 'name-invalid',
      reason: `the ${what} name '${printableName(name)}' cannot be a Latchkey name`,
      production: false,
    };
  }
}

function printableName(s: string): string {
  return s.slice(0, 64).replace(/[^\x20-\x7e]/g, '?');
}

/** One item's key/value pairs as Secrets, or undefined (with a refusal) when it cannot be stored. */
function toFields(
  data: Readonly<Record<string, unknown>>,
  path: string,
  ref: string,
  refuse: (path: string, ref: string, rule: string, reason: string, production: boolean) => void,
): (readonly [string, Secret])[] | undefined {
  const entries = Object.entries(data);
  if (entries.length === 0 || entries.length > MAX_FIELDS_PER_ITEM) {
    refuse(
      path,
      ref,
      'item-field-count',
      `the item has ${entries.length} keys; Latchkey stores 1 to ${MAX_FIELDS_PER_ITEM}`,
      false,
    );
    return undefined;
  }
  const fields: (readonly [string, Secret])[] = [];
  const drop = (rule: string, reason: string, production: boolean): undefined => {
    fields.forEach(([, s]) => s.dispose());
    refuse(path, ref, rule, reason, production);
    return undefined;
  };
  for (const [name, value] of entries) {
    try {
      checkName(name, 'field');
    } catch {
      return drop(
        'field-name-invalid',
        `the key '${printableName(name)}' cannot be a Latchkey field name`,
        false,
      );
    }
    if (typeof value !== 'string') {
      return drop(
        'value-not-text',
        `the value of '${name}' is ${value === null ? 'null' : typeof value}, not text; Latchkey stores text values only`,
        false,
      );
    }
    const secret = Secret.fromString(value);
    if (secret.byteLength === 0 || secret.byteLength > MAX_VALUE_BYTES) {
      secret.dispose();
      return drop(
        'value-size',
        `the value of '${name}' is ${Buffer.byteLength(value)} bytes; Latchkey stores 1 to ${MAX_VALUE_BYTES}`,
        false,
      );
    }
    const live = findLiveCredential(secret.reveal());
    if (live !== undefined) {
      secret.dispose();
      return drop(
        live.rule,
        `the value of '${name}' looks like a live production credential (${live.description})`,
        true,
      );
    }
    fields.push([name, secret]);
  }
  return fields;
}

export function disposePlan(plan: SyncPlan): void {
  for (const item of plan.upserts) for (const [, s] of item.fields) s.dispose();
}

export interface SyncCounts {
  added: number;
  updated: number;
  unchanged: number;
  removed: number;
  refused: number;
  refusedProduction: number;
}

/**
 * Applies a plan to the vault (in memory; the caller saves once). Disposes the plan's values.
 * Items outside the filters were not looked at, so they are left alone.
 */
export async function applySync(
  vault: Vault,
  store: string,
  plan: SyncPlan,
  graceUntil: string,
  filters: readonly SyncFilter[] = [],
): Promise<SyncCounts> {
  const counts: SyncCounts = {
    added: 0,
    updated: 0,
    unchanged: plan.unchanged.length,
    removed: 0,
    refused: plan.refusals.length,
    refusedProduction: plan.refusals.filter((r) => r.production).length,
  };
  try {
    for (const item of plan.upserts) {
      // Sealing is a few microseconds per value: yield when the turn's budget is spent, so the
      // event loop keeps turning.
      if (turnSpent()) await pace();
      const result = vault.upsertStoreItem({
        store,
        path: item.path,
        ref: item.ref,
        version: item.version,
        changedUpstreamAt: item.changedAt,
        fields: item.fields,
        graceUntil,
      });
      // Sealed now: the plain values can go (disposePlan below finds them disposed already).
      for (const [, s] of item.fields) s.dispose();
      if (result === 'added') counts.added++;
      else if (result === 'updated') counts.updated++;
      else counts.unchanged++;
    }
    for (const [path, item] of vault.storeItemEntries(store)) {
      if (turnSpent()) await pace();
      if (plan.present.has(path) || !passesFilters(filters, item.project, item.environment)) continue;
      if (vault.removeStoreItem(store, path)) counts.removed++;
    }
    vault.prunePrevious();
  } finally {
    disposePlan(plan);
  }
  return counts;
}
