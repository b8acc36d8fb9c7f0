/**
 * Searching the Secrets list: every item gets one lower-cased key up front, so a keystroke costs a
 * substring test per item and nothing else; matches are then grouped by project and environment.
 */
import type { ItemSummary } from '../../preload/api';

export interface IndexedItem {
  readonly item: ItemSummary;
  /** `project/environment/item field… source`, lower-cased. */
  readonly key: string;
}

export type ListRow =
  | { readonly kind: 'group'; readonly project: string; readonly environment: string; readonly count: number }
  | { readonly kind: 'item'; readonly item: ItemSummary; readonly position: number; readonly group: number };

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Sorts items by project, environment and name, and computes their search keys. */
export function indexItems(items: readonly ItemSummary[]): IndexedItem[] {
  return [...items]
    .sort(
      (a, b) =>
        compare(a.project, b.project) || compare(a.environment, b.environment) || compare(a.item, b.item),
    )
    .map((item) => ({
      item,
      key: `${item.project}/${item.environment}/${item.item} ${item.fields.join(' ')} ${item.source}`.toLowerCase(),
    }));
}

/** The words of a query: lower-cased, `lk://` dropped, split on spaces. Empty when there are none. */
export function queryTerms(query: string): string[] {
  return query
    .toLowerCase()
    .replace(/lk:\/\//g, ' ')
    .split(/\s+/)
    .filter((term) => term !== '');
}

/** The items whose key contains every term, in index order. */
export function filterItems(index: readonly IndexedItem[], query: string): readonly IndexedItem[] {
  const terms = queryTerms(query);
  if (terms.length === 0) return index;
  if (terms.length === 1) {
    const term = terms[0] ?? '';
    return index.filter((entry) => entry.key.includes(term));
  }
  return index.filter((entry) => terms.every((term) => entry.key.includes(term)));
}

/** The rows the list draws: a header per project/environment, then its items. */
export function groupRows(matches: readonly IndexedItem[]): { rows: ListRow[]; itemRows: number[] } {
  const rows: ListRow[] = [];
  const itemRows: number[] = [];
  let i = 0;
  while (i < matches.length) {
    const first = matches[i]?.item;
    if (first === undefined) break;
    let end = i;
    while (end < matches.length) {
      const next = matches[end]?.item;
      if (next === undefined || next.project !== first.project || next.environment !== first.environment)
        break;
      end++;
    }
    const group = rows.length;
    rows.push({ kind: 'group', project: first.project, environment: first.environment, count: end - i });
    for (let j = i; j < end; j++) {
      const item = matches[j]?.item;
      if (item === undefined) continue;
      itemRows.push(rows.length);
      rows.push({ kind: 'item', item, position: j, group });
    }
    i = end;
  }
  return { rows, itemRows };
}
