/**
 * Secrets: every item grouped by project and environment, a search that filters as you type
 * (arrow keys move, Enter opens, Esc clears), and the open item's details beside the list.
 */
import { useDeferredValue, useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import type { ItemDetail } from '../../../preload/api';
import { api, failureOf, type ApiFailure } from '../api';
import { formatCount, plural } from '../format';
import { filterItems, groupRows, indexItems } from '../search';
import { EmptyState } from '../ui/empty-state';
import { KeyIcon, SearchIcon, SyncIcon } from '../ui/icons';
import type { VaultData } from '../vault-data';
import { ItemDetailView } from './item-detail';
import { ROW_HEIGHT, SecretList } from './secret-list';
import type { ViewName } from './workspace';

/** What the view remembers while another view is shown. */
export interface SecretsMemory {
  query: string;
  activeRef: string | null;
  openRef: string | null;
}

const LIST_ID = 'secret-list';

/**
 * The open item's details. While the next item loads, the previous one stays on screen (marked
 * stale) rather than flashing a placeholder on every arrow-and-Enter.
 */
function useDetail(ref: string | null): {
  detail: ItemDetail | null;
  failure: ApiFailure | null;
  stale: boolean;
} {
  const [state, setState] = useState<{
    ref: string | null;
    detail: ItemDetail | null;
    failure: ApiFailure | null;
  }>({
    ref: null,
    detail: null,
    failure: null,
  });
  useEffect(() => {
    if (ref === null) return undefined;
    let live = true;
    api()
      .itemDetail(ref)
      .then(
        (detail) => {
          if (live) setState({ ref, detail, failure: null });
        },
        (error: unknown) => {
          if (live) setState({ ref, detail: null, failure: failureOf(error) });
        },
      );
    return () => {
      live = false;
    };
  }, [ref]);
  if (state.ref === ref) return { detail: state.detail, failure: state.failure, stale: false };
  return { detail: ref === null ? null : state.detail, failure: null, stale: true };
}

export function SecretsView({
  data,
  memory,
  focusSearch,
  goTo,
}: {
  data: VaultData;
  memory: SecretsMemory;
  focusSearch: number;
  goTo: (view: ViewName) => void;
}) {
  const search = useRef<HTMLInputElement>(null);
  const [query, setQuery] = useState(memory.query);
  const [activeRef, setActiveRef] = useState(memory.activeRef);
  const [openRef, setOpenRef] = useState(memory.openRef);
  const deferredQuery = useDeferredValue(query);

  useEffect(() => {
    memory.query = query;
    memory.activeRef = activeRef;
    memory.openRef = openRef;
  }, [memory, query, activeRef, openRef]);

  useEffect(() => {
    search.current?.focus();
  }, [focusSearch]);

  const items = data.items.value;
  const index = useMemo(() => indexItems(items ?? []), [items]);
  const matches = useMemo(() => filterItems(index, deferredQuery), [index, deferredQuery]);
  const { rows, itemRows } = useMemo(() => groupRows(matches), [matches]);
  const projects = useMemo(() => new Set(index.map((entry) => entry.item.project)).size, [index]);

  const foundActive = activeRef === null ? -1 : matches.findIndex((entry) => entry.item.ref === activeRef);
  const activePosition = foundActive >= 0 ? foundActive : 0;
  const { detail, failure: detailFailure, stale } = useDetail(openRef);

  function move(to: number): void {
    if (matches.length === 0) return;
    const clamped = Math.max(0, Math.min(matches.length - 1, to));
    setActiveRef(matches[clamped]?.item.ref ?? null);
  }

  function onKeyDown(event: KeyboardEvent<HTMLElement>): void {
    const page = Math.max(1, Math.floor(window.innerHeight / ROW_HEIGHT) - 4);
    const inList = event.currentTarget.getAttribute('role') === 'listbox';
    switch (event.key) {
      case 'ArrowDown':
        move(activePosition + 1);
        break;
      case 'ArrowUp':
        move(activePosition - 1);
        break;
      case 'PageDown':
        move(activePosition + page);
        break;
      case 'PageUp':
        move(activePosition - page);
        break;
      case 'Home':
        if (!inList) return;
        move(0);
        break;
      case 'End':
        if (!inList) return;
        move(matches.length - 1);
        break;
      case 'Enter': {
        const ref = matches[activePosition]?.item.ref;
        if (ref === undefined) return;
        setActiveRef(ref);
        setOpenRef(ref);
        break;
      }
      case 'Escape':
        if (query === '') return;
        setQuery('');
        search.current?.focus();
        break;
      default:
        return;
    }
    event.preventDefault();
  }

  const stores = data.stores.value;
  let empty;
  if (data.items.failure !== null && items === null) {
    empty = <EmptyState title="The secrets could not be loaded">{data.items.failure.sentence}</EmptyState>;
  } else if (items !== null && items.length === 0 && stores !== null && stores.length === 0) {
    empty = (
      <EmptyState
        title="No secrets yet"
        icon={<KeyIcon size={26} />}
        action={{ label: 'Open Settings', run: () => goTo('settings') }}
      >
        Add your team’s store in Settings (or run <code>latchkey store add</code> in a terminal), then sync to
        fetch your development and staging secrets.
      </EmptyState>
    );
  } else if (items !== null && items.length === 0) {
    empty = (
      <EmptyState
        title="No secrets yet"
        icon={<SyncIcon size={26} />}
        action={{
          label: 'Run Sync',
          run: () => {
            data.startSync();
            goTo('sync');
          },
        }}
      >
        Run Sync to fetch your team’s development and staging secrets
        {stores !== null && stores.length > 0 ? ` from ${stores.map((s) => s.name).join(', ')}` : ''}.
      </EmptyState>
    );
  }
  if (empty !== undefined) {
    // Nothing to search or open yet: one calm message instead of two empty panes.
    return (
      <main className="page" aria-label="Secrets">
        {empty}
      </main>
    );
  }

  let body;
  if (items === null) {
    body = <p className="muted pad">Loading secrets…</p>;
  } else if (matches.length === 0) {
    body = (
      <EmptyState title="Nothing matches">
        No secret matches “{deferredQuery.trim()}”. Press <kbd>Esc</kbd> to clear the search.
      </EmptyState>
    );
  } else {
    body = (
      <SecretList
        listId={LIST_ID}
        rows={rows}
        itemRows={itemRows}
        total={matches.length}
        activePosition={activePosition}
        openRef={openRef}
        onActivate={(position) => setActiveRef(matches[position]?.item.ref ?? null)}
        onOpen={(position) => setOpenRef(matches[position]?.item.ref ?? null)}
        onKeyDown={onKeyDown}
      />
    );
  }

  const summary =
    items === null
      ? ''
      : deferredQuery.trim() === ''
        ? `${plural(items.length, 'secret')} in ${plural(projects, 'project')}`
        : `${formatCount(matches.length)} of ${formatCount(items.length)} match`;
  const activeItem = matches[activePosition]?.item;

  return (
    <main className="secrets" aria-label="Secrets">
      <section className="secrets-list" aria-label="Secret list">
        <div className="search">
          <SearchIcon />
          <input
            ref={search}
            type="search"
            aria-label="Search secrets"
            placeholder="Search secrets"
            value={query}
            spellCheck={false}
            autoComplete="off"
            aria-controls={LIST_ID}
            aria-activedescendant={
              activeItem !== undefined && matches.length > 0
                ? `${LIST_ID}-option-${activePosition}`
                : undefined
            }
            onChange={(event) => setQuery(event.target.value)}
            onKeyDown={onKeyDown}
          />
          <kbd className="search-hint" aria-hidden="true">
            /
          </kbd>
        </div>
        <p className="list-summary" role="status">
          {summary}
        </p>
        {body}
      </section>
      <section className="secrets-detail" aria-label="Secret details">
        {detailFailure !== null ? (
          <EmptyState title="This secret could not be opened">{detailFailure.sentence}</EmptyState>
        ) : detail !== null ? (
          <ItemDetailView key={detail.ref} detail={detail} stale={stale} />
        ) : openRef !== null ? (
          <p className="muted pad">Opening…</p>
        ) : (
          <EmptyState title="Pick a secret">
            Use <kbd>↑</kbd> <kbd>↓</kbd> and <kbd>Enter</kbd>, or click a row. Press <kbd>/</kbd> to search
            from anywhere.
          </EmptyState>
        )}
      </section>
    </main>
  );
}
