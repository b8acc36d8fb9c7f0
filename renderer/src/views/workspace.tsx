/**
 * The unlocked app: a header with the views and an always-visible Lock button, and the view itself.
 * `/` or Ctrl+K (⌘K) jumps to the secrets search from anywhere.
 */
import { useCallback, useEffect, useRef, useState, type MouseEvent } from 'react';
import type { AppState } from '../../../preload/api';
import { api, failureOf } from '../api';
import { PadlockIcon } from '../ui/icons';
import { useVaultData } from '../vault-data';
import { AuditView } from './audit';
import { SecretsView, type SecretsMemory } from './secrets';
import { SettingsView } from './settings';
import { SyncView } from './sync';
import { TeamView } from './team';

export type ViewName = 'secrets' | 'sync' | 'audit' | 'team' | 'settings';

const VIEWS: readonly { name: ViewName; label: string }[] = [
  { name: 'secrets', label: 'Secrets' },
  { name: 'sync', label: 'Sync' },
  { name: 'audit', label: 'Audit' },
  { name: 'team', label: 'Team' },
  { name: 'settings', label: 'Settings' },
];

function isEditable(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return (
    target.isContentEditable ||
    target instanceof HTMLInputElement ||
    target instanceof HTMLTextAreaElement ||
    target instanceof HTMLSelectElement
  );
}

export function Workspace({ state, onState }: { state: AppState; onState: (state: AppState) => void }) {
  const [view, setView] = useState<ViewName>('secrets');
  const [locking, setLocking] = useState(false);
  const [lockError, setLockError] = useState<string | null>(null);
  const [focusSearch, setFocusSearch] = useState(1);
  const data = useVaultData();
  const memory = useRef<SecretsMemory>({ query: '', activeRef: null, openRef: null });

  const goTo = useCallback((next: ViewName) => setView(next), []);
  const searchNow = useCallback(() => {
    setView('secrets');
    setFocusSearch((n) => n + 1);
  }, []);

  useEffect(() => {
    function onKey(event: KeyboardEvent): void {
      const ctrlK = (event.ctrlKey || event.metaKey) && !event.altKey && event.key.toLowerCase() === 'k';
      const slash =
        event.key === '/' && !event.ctrlKey && !event.metaKey && !event.altKey && !isEditable(event.target);
      if (!ctrlK && !slash) return;
      event.preventDefault();
      searchNow();
    }
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [searchNow]);

  async function lock(): Promise<void> {
    setLocking(true);
    setLockError(null);
    try {
      onState(await api().lock());
    } catch (error) {
      setLockError(failureOf(error).sentence);
      setLocking(false);
    }
  }

  function navigate(event: MouseEvent<HTMLAnchorElement>, name: ViewName): void {
    // The links only switch views; the page itself never navigates.
    event.preventDefault();
    setView(name);
  }

  const syncing = data.sync.running || (data.stores.value?.some((store) => store.syncing) ?? false);

  return (
    <div className="workspace">
      <header className="topbar">
        <div className="brand" title={`Latchkey ${api().version}`}>
          <PadlockIcon size={18} />
          <span>Latchkey</span>
        </div>
        <nav aria-label="Views">
          <ul className="tabs">
            {VIEWS.map(({ name, label }) => (
              <li key={name}>
                <a
                  href={`#${name}`}
                  className="tab"
                  aria-current={view === name ? 'page' : undefined}
                  onClick={(event) => navigate(event, name)}
                >
                  {label}
                  {name === 'sync' && syncing && (
                    <>
                      <span className="tab-dot" aria-hidden="true" />
                      <span className="sr-only">(syncing)</span>
                    </>
                  )}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div className="topbar-end">
          {lockError !== null && (
            <span className="error small" role="alert">
              {lockError}
            </span>
          )}
          <button type="button" className="button" onClick={() => void lock()} disabled={locking}>
            <PadlockIcon />
            Lock
          </button>
        </div>
      </header>
      {view === 'secrets' && (
        <SecretsView data={data} memory={memory.current} focusSearch={focusSearch} goTo={goTo} />
      )}
      {view === 'sync' && <SyncView data={data} goTo={goTo} />}
      {view === 'audit' && <AuditView />}
      {view === 'team' && <TeamView data={data} goTo={goTo} />}
      {view === 'settings' && <SettingsView state={state} onState={onState} data={data} />}
    </div>
  );
}
