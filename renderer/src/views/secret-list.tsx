/**
 * The Secrets list, windowed: only the rows in view (plus a few) exist in the DOM, so 10,000 items
 * cost what 40 do. Rows have one fixed height; the group of the topmost row stays pinned on top.
 */
import { useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent } from 'react';
import type { ListRow } from '../search';

export const ROW_HEIGHT = 34;
const OVERSCAN = 8;

export function optionId(listId: string, position: number): string {
  return `${listId}-option-${position}`;
}

function GroupHeader({ row }: { row: Extract<ListRow, { kind: 'group' }> }) {
  return (
    <>
      <span className="group-project">{row.project}</span>
      <span className="group-sep" aria-hidden="true">
        /
      </span>
      <span className="group-env">{row.environment}</span>
      <span className="group-count">{row.count}</span>
    </>
  );
}

export interface SecretListProps {
  readonly listId: string;
  readonly rows: readonly ListRow[];
  /** Row index of each item position. */
  readonly itemRows: readonly number[];
  readonly total: number;
  readonly activePosition: number;
  readonly openRef: string | null;
  readonly onActivate: (position: number) => void;
  readonly onOpen: (position: number) => void;
  readonly onKeyDown: (event: KeyboardEvent<HTMLElement>) => void;
}

export function SecretList(props: SecretListProps) {
  const { listId, rows, itemRows, total, activePosition, openRef, onActivate, onOpen, onKeyDown } = props;
  const viewport = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(600);

  useLayoutEffect(() => {
    const element = viewport.current;
    if (element === null) return undefined;
    setHeight(element.clientHeight);
    const observer = new ResizeObserver(() => setHeight(element.clientHeight));
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  // Keep the active row in view, below the pinned group header.
  useLayoutEffect(() => {
    const element = viewport.current;
    const row = itemRows[activePosition];
    if (element === null || row === undefined) return;
    const top = row * ROW_HEIGHT;
    if (top - ROW_HEIGHT < element.scrollTop) element.scrollTop = Math.max(0, top - ROW_HEIGHT);
    else if (top + ROW_HEIGHT > element.scrollTop + element.clientHeight) {
      element.scrollTop = top + ROW_HEIGHT - element.clientHeight;
    }
    setScrollTop(element.scrollTop);
  }, [activePosition, itemRows]);

  // A shorter list may have clamped the scroll position.
  useEffect(() => {
    if (viewport.current !== null) setScrollTop(viewport.current.scrollTop);
  }, [rows]);

  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(rows.length, Math.ceil((scrollTop + height) / ROW_HEIGHT) + OVERSCAN);
  const topRow = rows[Math.min(rows.length - 1, Math.floor(scrollTop / ROW_HEIGHT))];
  const pinned = topRow === undefined ? undefined : topRow.kind === 'group' ? topRow : rows[topRow.group];
  const activeRow = rows[itemRows[activePosition] ?? -1];

  const drawn = [];
  for (let index = first; index < last; index++) {
    const row = rows[index];
    if (row === undefined) continue;
    const top = index * ROW_HEIGHT;
    if (row.kind === 'group') {
      drawn.push(
        <div key={`g${index}`} aria-hidden="true" className="list-group" style={{ top }}>
          <GroupHeader row={row} />
        </div>,
      );
      continue;
    }
    const { item, position } = row;
    const active = position === activePosition;
    const classes = ['list-item'];
    if (active) classes.push('active');
    if (item.ref === openRef) classes.push('open');
    drawn.push(
      <div
        key={item.ref}
        id={optionId(listId, position)}
        role="option"
        aria-selected={active}
        aria-label={item.ref}
        aria-setsize={total}
        aria-posinset={position + 1}
        className={classes.join(' ')}
        style={{ top }}
        onClick={() => {
          onActivate(position);
          onOpen(position);
        }}
      >
        <span className="item-name">{item.item}</span>
        {item.overdue && <span className="badge warning">rotate</span>}
        {item.source === 'local' && <span className="badge">local</span>}
        <span className="item-fields">
          {item.fields.length === 1 ? '1 field' : `${item.fields.length} fields`}
        </span>
      </div>,
    );
  }

  return (
    <div className="list-frame">
      {pinned !== undefined && pinned.kind === 'group' && scrollTop > 0 && (
        <div className="list-group pinned" aria-hidden="true">
          <GroupHeader row={pinned} />
        </div>
      )}
      <div
        ref={viewport}
        id={listId}
        className="list-viewport"
        role="listbox"
        aria-label="Secrets"
        tabIndex={0}
        aria-activedescendant={activeRow?.kind === 'item' ? optionId(listId, activePosition) : undefined}
        onScroll={(event) => setScrollTop(event.currentTarget.scrollTop)}
        onKeyDown={onKeyDown}
      >
        <div className="list-canvas" style={{ height: rows.length * ROW_HEIGHT }}>
          {drawn}
        </div>
      </div>
    </div>
  );
}
