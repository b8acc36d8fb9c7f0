/**
 * One secret: its fields (masked; Reveal shows a value for a while, Copy has the main process put
 * it on the clipboard) and where it comes from, how old it is and what it replaced.
 */
import { useEffect, useState } from 'react';
import type { ItemDetail } from '../../../preload/api';
import { api, failureOf } from '../api';
import { useClock } from '../clock';
import { formatDateTime, formatRelative, formatSeconds, plural, secondsLeft } from '../format';
import { AlertIcon, CopyIcon, EyeIcon, EyeOffIcon } from '../ui/icons';

const MASK = '••••••••••••';

function FieldRow({ itemRef, field }: { itemRef: string; field: string }) {
  const [revealed, setRevealed] = useState<{ value: string; until: number } | null>(null);
  const [copiedFor, setCopiedFor] = useState<number | null>(null);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const now = useClock(revealed !== null);

  useEffect(() => {
    if (revealed === null) return undefined;
    const timer = window.setTimeout(() => setRevealed(null), Math.max(0, revealed.until - Date.now()));
    return () => window.clearTimeout(timer);
  }, [revealed]);

  useEffect(() => {
    if (copiedFor === null) return undefined;
    const timer = window.setTimeout(() => setCopiedFor(null), copiedFor);
    return () => window.clearTimeout(timer);
  }, [copiedFor]);

  async function reveal(): Promise<void> {
    if (revealed !== null) {
      setRevealed(null);
      return;
    }
    setBusy(true);
    setFailure(null);
    try {
      const result = await api().reveal(itemRef, field);
      setRevealed({ value: result.value, until: Date.now() + result.hideAfterMs });
    } catch (error) {
      setFailure(failureOf(error).sentence);
    } finally {
      setBusy(false);
    }
  }

  async function copy(): Promise<void> {
    setBusy(true);
    setFailure(null);
    setCopiedFor(null);
    try {
      const result = await api().copy(itemRef, field);
      setCopiedFor(Math.max(1000, result.clearAfterMs));
    } catch (error) {
      setFailure(failureOf(error).sentence);
    } finally {
      setBusy(false);
    }
  }

  const hidesIn = revealed === null ? 0 : secondsLeft(revealed.until, now);
  return (
    <li className="field-row" role="group" aria-label={field}>
      <div className="field-head">
        <span className="field-name">{field}</span>
        <div className="field-actions">
          <button
            type="button"
            className="button small"
            onClick={() => void reveal()}
            disabled={busy && revealed === null}
          >
            {revealed === null ? <EyeIcon /> : <EyeOffIcon />}
            {revealed === null ? 'Reveal' : 'Hide'}
          </button>
          <button type="button" className="button small" onClick={() => void copy()} disabled={busy}>
            <CopyIcon />
            Copy
          </button>
        </div>
      </div>
      {revealed === null ? (
        <div className="field-value masked">
          <span aria-hidden="true">{MASK}</span>
          <span className="sr-only">Value hidden</span>
        </div>
      ) : (
        <div className="field-value revealed">
          <code>{revealed.value}</code>
        </div>
      )}
      <div className="field-status" role="status">
        {revealed !== null && <span className="muted">Hides in {formatSeconds(hidesIn)}</span>}
        {copiedFor !== null && (
          <span className="ok">Copied — clears in {formatSeconds(Math.round(copiedFor / 1000))}</span>
        )}
        {failure !== null && <span className="error">{failure}</span>}
      </div>
    </li>
  );
}

function Source({ detail }: { detail: ItemDetail }) {
  if (detail.source === 'local')
    return (
      <>
        Local — set on this computer with <code>latchkey set</code>
      </>
    );
  const store = detail.store ?? detail.source.split(':')[0] ?? detail.source;
  const path = detail.path ?? detail.source.slice(store.length + 1);
  return (
    <>
      Store <strong>{store}</strong>
      {path !== '' && (
        <>
          {' · '}
          <code>{path}</code>
        </>
      )}
    </>
  );
}

function Rotation({ detail }: { detail: ItemDetail }) {
  const age = plural(detail.ageDays, 'day');
  if (detail.overdue) {
    return (
      <span className="warning-text">
        <AlertIcon /> {age} old — overdue
        {detail.rotateEvery !== undefined ? `; rotate every ${detail.rotateEvery}` : ''}
      </span>
    );
  }
  return (
    <>
      {age} old{detail.rotateEvery !== undefined ? ` · rotate every ${detail.rotateEvery}` : ''}
    </>
  );
}

export function ItemDetailView({ detail, stale = false }: { detail: ItemDetail; stale?: boolean }) {
  return (
    <article className="detail" aria-labelledby="detail-title" aria-busy={stale}>
      <header className="detail-head">
        <h2 id="detail-title">{detail.item}</h2>
        <p className="detail-ref">
          <code>{detail.ref.startsWith('lk://') ? detail.ref : `lk://${detail.ref}`}</code>
        </p>
        <p className="detail-tags">
          <span className="badge">{detail.project}</span>
          <span className="badge env">{detail.environment}</span>
          {detail.overdue && <span className="badge warning">rotation overdue</span>}
        </p>
      </header>
      <section aria-labelledby="fields-title">
        <h3 id="fields-title">Fields</h3>
        {detail.fields.length === 0 ? (
          <p className="muted">This item has no fields.</p>
        ) : (
          <ul className="fields">
            {detail.fields.map((field) => (
              // A new item starts with every value hidden again.
              <FieldRow key={`${detail.ref}\u0000${field}`} itemRef={detail.ref} field={field} />
            ))}
          </ul>
        )}
      </section>
      <section aria-labelledby="detail-facts-title">
        <h3 id="detail-facts-title">Details</h3>
        <dl className="facts">
          <dt>Source</dt>
          <dd>
            <Source detail={detail} />
          </dd>
          <dt>Version</dt>
          <dd>{detail.version ?? '—'}</dd>
          <dt>Last changed</dt>
          <dd>
            {formatDateTime(detail.updatedAt)}{' '}
            <span className="muted">({formatRelative(detail.updatedAt)})</span>
          </dd>
          <dt>Rotation</dt>
          <dd className={detail.overdue ? 'overdue' : undefined}>
            <Rotation detail={detail} />
          </dd>
          {detail.owner !== undefined && (
            <>
              <dt>Owner</dt>
              <dd>{detail.owner}</dd>
            </>
          )}
          {detail.description !== undefined && (
            <>
              <dt>Description</dt>
              <dd>{detail.description}</dd>
            </>
          )}
          {detail.previous !== undefined && (
            <>
              <dt>Previous version</dt>
              <dd>
                {detail.previous.version === null
                  ? 'The previous value'
                  : `Version ${detail.previous.version}`}{' '}
                stays available until {formatDateTime(detail.previous.until)}, so running apps keep working
                through the rotation.
              </dd>
            </>
          )}
        </dl>
      </section>
    </article>
  );
}
