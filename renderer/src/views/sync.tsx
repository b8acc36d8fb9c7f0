/**
 * Sync: each store's status, last good sync and last error, a Sync now button with live progress,
 * and the items a store offered that Latchkey refused, each with the rule that refused it.
 */
import { useState } from 'react';
import type { RefusedItem, StoreView, SyncOutcome, SyncProgressEvent } from '../../../preload/api';
import { withoutCode } from '../api';
import { useClock } from '../clock';
import { formatCount, formatDateTime, formatDuration, formatRelative, formatStamp, plural } from '../format';
import { EmptyState } from '../ui/empty-state';
import { AlertIcon, ShieldIcon, SyncIcon } from '../ui/icons';
import type { VaultData } from '../vault-data';
import type { ViewName } from './workspace';

const REFUSED_SHOWN = 50;

function Progress({ name, event }: { name: string; event: SyncProgressEvent | undefined }) {
  const label = `Sync progress of ${name}`;
  if (event === undefined || (event.total === 0 && !event.done)) {
    return (
      <div className="progress-line">
        <progress aria-label={label} />
        <span className="muted">
          {event === undefined ? 'Starting…' : `Listing… ${plural(event.listed, 'item')} found`}
        </span>
      </div>
    );
  }
  return (
    <div className="progress-line">
      <progress
        aria-label={label}
        max={Math.max(1, event.total)}
        value={event.done ? event.total : event.read}
      />
      <span className="muted">
        {event.done
          ? 'Finishing…'
          : `Reading ${formatCount(event.read)} of ${formatCount(event.total)} changed`}
      </span>
    </div>
  );
}

function Outcome({ outcome }: { outcome: SyncOutcome }) {
  if (!outcome.ok) {
    return (
      <p className="error">
        This sync failed{outcome.error !== undefined ? `: ${withoutCode(outcome.error.message)}` : '.'}
      </p>
    );
  }
  return (
    <p className="ok">
      Synced in {formatDuration(outcome.durationMs)}: {formatCount(outcome.added)} added,{' '}
      {formatCount(outcome.updated)} updated, {formatCount(outcome.removed)} removed,{' '}
      {formatCount(outcome.refused)} refused.
    </p>
  );
}

function RefusedTable({ refused }: { refused: readonly RefusedItem[] }) {
  const [all, setAll] = useState(false);
  const shown = all ? refused : refused.slice(0, REFUSED_SHOWN);
  return (
    <>
      <div className="table-wrap">
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Item</th>
              <th scope="col">Rule</th>
              <th scope="col">Why</th>
              <th scope="col">When</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((item, i) => (
              <tr key={`${item.path}\u0000${i}`}>
                <td>
                  <code className="wrap">{item.ref}</code>
                  {item.path !== '' && item.path !== item.ref && (
                    <div className="muted small wrap">{item.path}</div>
                  )}
                </td>
                <td>
                  <code>{item.rule}</code>
                  {item.production && <div className="badge danger">production</div>}
                </td>
                <td className="wrap">{item.reason}</td>
                <td className="nowrap" title={formatDateTime(item.at)}>
                  {formatStamp(item.at)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {refused.length > REFUSED_SHOWN && (
        <button type="button" className="button link" onClick={() => setAll(!all)}>
          {all ? 'Show fewer' : `Show all ${formatCount(refused.length)}`}
        </button>
      )}
    </>
  );
}

function StoreCard({
  store,
  progress,
  outcome,
  busy,
  included,
  onSync,
  now,
}: {
  store: StoreView;
  progress: SyncProgressEvent | undefined;
  outcome: SyncOutcome | undefined;
  busy: boolean;
  /** Whether the running sync includes this store. */
  included: boolean;
  onSync: () => void;
  now: number;
}) {
  const syncing = store.syncing || (busy && included);
  let status: { text: string; tone: string };
  if (syncing) status = { text: 'Syncing', tone: 'accent' };
  else if (!store.loggedIn) status = { text: 'Not signed in', tone: 'warning' };
  else if (store.lastError !== undefined) status = { text: 'Last sync failed', tone: 'danger' };
  else if (store.lastGoodSync === undefined) status = { text: 'Never synced', tone: 'muted' };
  else status = { text: 'Up to date', tone: 'ok' };

  return (
    <section className="panel" aria-labelledby={`store-${store.name}`}>
      <header className="panel-head">
        <div>
          <h2 id={`store-${store.name}`} className="panel-title">
            {store.name}
            <span className={`badge ${status.tone}`}>{status.text}</span>
          </h2>
          <p className="muted small">
            <span className="wrap">{store.addr}</span> · mount <code>{store.mount}</code>
            {store.namespace !== undefined && (
              <>
                {' '}
                · namespace <code>{store.namespace}</code>
              </>
            )}{' '}
            · {store.auth} auth
          </p>
        </div>
        <button type="button" className="button small" onClick={onSync} disabled={busy || store.syncing}>
          <SyncIcon />
          Sync {store.name}
        </button>
      </header>
      <dl className="facts compact">
        <dt>Last good sync</dt>
        <dd>
          {store.lastGoodSync === undefined ? (
            'never'
          ) : (
            <>
              {formatDateTime(store.lastGoodSync)}{' '}
              <span className="muted">({formatRelative(store.lastGoodSync, now)})</span>
            </>
          )}
        </dd>
      </dl>
      {syncing && <Progress name={store.name} event={progress} />}
      {!syncing && outcome !== undefined && (outcome.ok || store.lastError === undefined) && (
        <Outcome outcome={outcome} />
      )}
      {!store.loggedIn && (
        <p className="notice warning">
          Latchkey has no valid token for this store. Run <code>latchkey store login {store.name}</code> in a
          terminal.
        </p>
      )}
      {store.lastError !== undefined && !syncing && (
        <div className="notice danger" role="note">
          <AlertIcon />
          <div>
            <strong>The last sync failed {formatRelative(store.lastError.at, now)}.</strong>{' '}
            {withoutCode(store.lastError.message)} <code className="muted">{store.lastError.code}</code>
            <div className="muted small">The last good copy stays usable offline.</div>
          </div>
        </div>
      )}
      <h3 className="subhead">
        <ShieldIcon /> Refused {store.refused.length > 0 ? `(${formatCount(store.refused.length)})` : ''}
      </h3>
      {store.refused.length === 0 ? (
        <p className="muted small">
          {store.syncing
            ? 'Syncing: anything refused is listed here when it finishes.'
            : store.lastGoodSync === undefined
              ? 'Not synced yet: anything refused (production, unknown environments, live keys) will be listed here.'
              : 'Nothing refused: every item this store offered is development or staging.'}
        </p>
      ) : (
        <>
          <p className="muted small">
            Latchkey keeps only secrets it can positively classify as development or staging. These were not
            stored.
          </p>
          <RefusedTable refused={store.refused} />
        </>
      )}
    </section>
  );
}

export function SyncView({ data, goTo }: { data: VaultData; goTo: (view: ViewName) => void }) {
  const { sync, stores } = data;
  const now = useClock(true, 30_000);
  const list = stores.value;
  const outcomes = new Map((sync.outcomes ?? []).map((outcome) => [outcome.store, outcome]));

  let body;
  if (list === null) {
    body =
      stores.failure !== null ? (
        <EmptyState title="The stores could not be listed">{stores.failure.sentence}</EmptyState>
      ) : (
        <p className="muted">Loading stores…</p>
      );
  } else if (list.length === 0) {
    body = (
      <EmptyState
        title="No stores yet"
        icon={<SyncIcon size={26} />}
        action={{ label: 'Open Settings', run: () => goTo('settings') }}
      >
        Add your team’s store in Settings, or run <code>latchkey store add</code> in a terminal.
      </EmptyState>
    );
  } else {
    body = list.map((store) => (
      <StoreCard
        key={store.name}
        store={store}
        progress={sync.progress.get(store.name)}
        outcome={outcomes.get(store.name)}
        busy={sync.running}
        included={sync.target === null || sync.target === store.name}
        onSync={() => data.startSync(store.name)}
        now={now}
      />
    ));
  }

  return (
    <main className="page" aria-labelledby="sync-title">
      <header className="page-head">
        <div>
          <h1 id="sync-title">Sync</h1>
          <p className="muted">
            Latchkey copies development and staging secrets from your team’s stores. Production is always
            refused.
          </p>
        </div>
        <button
          type="button"
          className="button primary"
          onClick={() => data.startSync()}
          disabled={sync.running || list === null || list.length === 0}
        >
          <SyncIcon />
          {sync.running ? 'Syncing…' : 'Sync now'}
        </button>
      </header>
      <div className="page-status" aria-live="polite">
        {sync.failure !== null && (
          <p className="notice danger" role="alert">
            The sync could not run: {sync.failure.sentence}
          </p>
        )}
      </div>
      {body}
    </main>
  );
}
