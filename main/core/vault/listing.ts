/**
 * What a listing shows of an item: names, environment, version, source — never a value. Shared
 * by `latchkey ls` in direct mode and the agent's `list` method.
 */
import type { ItemRecord } from './items';
import { formatItemRef } from './ref';

export interface ListedItem {
  readonly ref: string;
  readonly project: string;
  readonly environment: string;
  readonly item: string;
  readonly fields: string[];
  readonly source: string;
  readonly version: number | null;
  readonly updatedAt: string;
  /** A local item with the same ref as a synced one: it is used instead. */
  readonly override: boolean;
}

export function listedItems(items: readonly ItemRecord[]): ListedItem[] {
  const refOf = (i: ItemRecord): string =>
    formatItemRef({ project: i.project, environment: i.environment, item: i.name });
  const synced = new Set(items.filter((i) => i.origin.kind === 'store').map(refOf));
  return items.map((i) => ({
    ref: refOf(i),
    project: i.project,
    environment: i.environment,
    item: i.name,
    fields: i.fields.map(([name]) => name),
    source: i.origin.kind === 'local' ? 'local' : `${i.origin.store}:${i.origin.path}`,
    version: i.origin.kind === 'store' ? i.origin.version : i.revision,
    updatedAt: i.origin.kind === 'store' ? i.origin.changedUpstreamAt : i.updatedAt,
    override: i.origin.kind === 'local' && synced.has(refOf(i)),
  }));
}
