/**
 * Settings: when the vault locks itself, which central stores it syncs from, and how to hook
 * Latchkey into a shell. Errors from the main process arrive as `CODE: sentence`; the sentence is
 * shown where the change was asked for.
 */
import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { AppState, ShellSetup, StoreInput, StoreView } from '../../../preload/api';
import { api, failureOf } from '../api';
import { copyText } from '../ui/copy-text';
import { CheckIcon, CopyIcon } from '../ui/icons';
import type { VaultData } from '../vault-data';

const DEFAULT_LAYOUT = 'teams/{project}/{env}/{item}';
const SHELLS: readonly { name: keyof ShellSetup; file: string }[] = [
  { name: 'bash', file: '~/.bashrc' },
  { name: 'zsh', file: '~/.zshrc' },
  { name: 'fish', file: '~/.config/fish/config.fish' },
];

type Note = { tone: 'ok' | 'error'; text: string } | null;

function NoteLine({ note }: { note: Note }) {
  return (
    <div className="form-status" aria-live="polite">
      {note !== null && (
        <p className={note.tone} role={note.tone === 'error' ? 'alert' : 'status'}>
          {note.text}
        </p>
      )}
    </div>
  );
}

function AutoLock({ state, onState }: { state: AppState; onState: (state: AppState) => void }) {
  const [minutes, setMinutes] = useState(String(state.autoLockMinutes));
  const [note, setNote] = useState<Note>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => setMinutes(String(state.autoLockMinutes)), [state.autoLockMinutes]);

  async function save(
    settings: { autoLockMinutes?: number; lockOnSleep?: boolean },
    done: string,
  ): Promise<void> {
    setBusy(true);
    setNote(null);
    try {
      onState(await api().updateSettings(settings));
      setNote({ tone: 'ok', text: done });
    } catch (error) {
      setNote({ tone: 'error', text: failureOf(error).sentence });
    } finally {
      setBusy(false);
    }
  }

  function submit(event: FormEvent<HTMLFormElement>): void {
    event.preventDefault();
    const value = Number(minutes);
    if (!Number.isInteger(value) || value < 1) {
      setNote({ tone: 'error', text: 'Type a whole number of minutes, 1 or more.' });
      return;
    }
    void save({ autoLockMinutes: value }, `Saved: the vault locks after ${value} minutes without use.`);
  }

  const changed = minutes !== String(state.autoLockMinutes);
  return (
    <section className="panel" aria-labelledby="autolock-title">
      <h2 id="autolock-title" className="panel-title">
        Auto-lock
      </h2>
      <form className="inline-form" onSubmit={submit} noValidate>
        <label className="inline-field">
          <span>Lock after</span>
          <input
            className="input number"
            type="number"
            min={1}
            max={1440}
            step={1}
            aria-label="Auto-lock minutes"
            value={minutes}
            onChange={(event) => setMinutes(event.target.value)}
          />
          <span>minutes without use</span>
        </label>
        <button type="submit" className="button small" disabled={busy || !changed}>
          Save
        </button>
      </form>
      <label className="check">
        <input
          type="checkbox"
          checked={state.lockOnSleep}
          disabled={busy}
          onChange={(event) =>
            void save(
              { lockOnSleep: event.target.checked },
              event.target.checked ? 'Saved: the vault locks on sleep and screen lock.' : 'Saved.',
            )
          }
        />
        <span>Lock when the computer sleeps or the screen locks</span>
      </label>
      <NoteLine note={note} />
    </section>
  );
}

function StoreRow({ store, onRemoved }: { store: StoreView; onRemoved: (stores: StoreView[]) => void }) {
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function remove(): Promise<void> {
    setBusy(true);
    setError(null);
    try {
      onRemoved(await api().removeStore(store.name));
    } catch (failure) {
      setError(failureOf(failure).sentence);
      setBusy(false);
      setConfirming(false);
    }
  }

  return (
    <li className="store-row">
      <div className="store-row-main">
        <div>
          <strong>{store.name}</strong> <span className="muted wrap">{store.addr}</span>
          <div className="muted small">
            mount <code>{store.mount}</code> · layout <code>{store.layout}</code>
            {store.namespace !== undefined && (
              <>
                {' '}
                · namespace <code>{store.namespace}</code>
              </>
            )}{' '}
            · {store.auth} auth · {store.loggedIn ? 'signed in' : 'not signed in'}
          </div>
        </div>
        {!confirming && (
          <button
            type="button"
            className="button small"
            aria-label={`Remove ${store.name}`}
            onClick={() => setConfirming(true)}
          >
            Remove…
          </button>
        )}
      </div>
      {confirming && (
        <div className="confirm" role="group" aria-label={`Remove ${store.name}?`}>
          <p>
            Remove <strong>{store.name}</strong>? Latchkey forgets the store, its token and the secrets synced
            from it. The team’s store itself is not changed.
          </p>
          <div className="button-row">
            <button
              type="button"
              className="button danger small"
              onClick={() => void remove()}
              disabled={busy}
            >
              Yes, remove {store.name}
            </button>
            <button
              type="button"
              className="button small"
              onClick={() => setConfirming(false)}
              disabled={busy}
            >
              Keep it
            </button>
          </div>
        </div>
      )}
      {error !== null && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </li>
  );
}

function AddStore({ onAdded }: { onAdded: (store: StoreView) => void }) {
  const token = useRef<HTMLInputElement>(null);
  const [form, setForm] = useState({ name: '', addr: '', mount: '', layout: '', namespace: '' });
  const [note, setNote] = useState<Note>(null);
  const [busy, setBusy] = useState(false);

  function set(key: keyof typeof form, value: string): void {
    setForm((current) => ({ ...current, [key]: value }));
  }

  async function submit(event: FormEvent<HTMLFormElement>): Promise<void> {
    event.preventDefault();
    if (busy) return;
    const input: { -readonly [K in keyof StoreInput]: StoreInput[K] } = {
      name: form.name.trim(),
      addr: form.addr.trim(),
    };
    if (form.mount.trim() !== '') input.mount = form.mount.trim();
    if (form.layout.trim() !== '') input.layout = form.layout.trim();
    if (form.namespace.trim() !== '') input.namespace = form.namespace.trim();
    // Like the master password, the token is read once from an uncontrolled field and cleared.
    const field = token.current;
    if (field !== null && field.value !== '') {
      input.token = field.value;
      field.value = '';
    }
    setBusy(true);
    setNote(null);
    try {
      const added = await api().addStore(input);
      setForm({ name: '', addr: '', mount: '', layout: '', namespace: '' });
      setNote({ tone: 'ok', text: `Added ${added.name}. Open Sync to fetch its secrets.` });
      onAdded(added);
    } catch (error) {
      setNote({ tone: 'error', text: failureOf(error).sentence });
    } finally {
      setBusy(false);
    }
  }

  return (
    <form
      className="add-store"
      onSubmit={(event) => void submit(event)}
      aria-labelledby="add-store-title"
      noValidate
    >
      <h3 id="add-store-title" className="subhead">
        Add a store
      </h3>
      <div className="grid-fields">
        <label className="field">
          <span className="field-label">Store name</span>
          <input
            className="input"
            value={form.name}
            placeholder="corp"
            spellCheck={false}
            onChange={(e) => set('name', e.target.value)}
          />
        </label>
        <label className="field">
          <span className="field-label">Address</span>
          <input
            className="input"
            type="url"
            value={form.addr}
            placeholder="https://vault.example.com:8200"
            spellCheck={false}
            onChange={(e) => set('addr', e.target.value)}
          />
        </label>
        <label className="field">
          <span className="field-label">Mount</span>
          <input
            className="input"
            value={form.mount}
            placeholder="secret"
            spellCheck={false}
            onChange={(e) => set('mount', e.target.value)}
          />
        </label>
        <label className="field">
          <span className="field-label">Layout</span>
          <input
            className="input"
            value={form.layout}
            placeholder={DEFAULT_LAYOUT}
            spellCheck={false}
            onChange={(e) => set('layout', e.target.value)}
          />
        </label>
        <label className="field">
          <span className="field-label">Namespace (optional)</span>
          <input
            className="input"
            value={form.namespace}
            spellCheck={false}
            onChange={(e) => set('namespace', e.target.value)}
          />
        </label>
        <label className="field">
          <span className="field-label">Token (optional)</span>
          <input ref={token} className="input" type="password" autoComplete="off" spellCheck={false} />
        </label>
      </div>
      <p className="muted small">
        The token is kept sealed inside your vault. For userpass or OIDC sign-in, run{' '}
        <code>latchkey store add NAME --auth oidc</code> in a terminal.
      </p>
      <NoteLine note={note} />
      <button type="submit" className="button primary" disabled={busy}>
        {busy ? 'Adding…' : 'Add store'}
      </button>
    </form>
  );
}

function Stores({ data }: { data: VaultData }) {
  const list = data.stores.value;
  return (
    <section className="panel" aria-labelledby="stores-title">
      <h2 id="stores-title" className="panel-title">
        Stores
      </h2>
      <p className="muted small">
        The central stores Latchkey syncs from (HashiCorp Vault or OpenBao, KV version 2).
      </p>
      {list === null ? (
        <p className="muted">{data.stores.failure?.sentence ?? 'Loading stores…'}</p>
      ) : list.length === 0 ? (
        <p className="empty-inline">
          No stores yet. Add your team’s store below, or run <code>latchkey store add</code> in a terminal.
        </p>
      ) : (
        <ul className="store-list">
          {list.map((store) => (
            <StoreRow
              key={store.name}
              store={store}
              onRemoved={(stores) => {
                data.replaceStores(stores);
                data.reloadItems();
              }}
            />
          ))}
        </ul>
      )}
      <AddStore onAdded={() => data.reloadStores()} />
    </section>
  );
}

function ShellIntegration() {
  const [setup, setSetup] = useState<ShellSetup | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [shell, setShell] = useState<keyof ShellSetup>('bash');
  const [copied, setCopied] = useState<Note>(null);
  const snippet = useRef<HTMLElement>(null);

  useEffect(() => {
    let live = true;
    api()
      .shellSetup()
      .then(
        (found) => {
          if (live) setSetup(found);
        },
        (error: unknown) => {
          if (live) setFailure(failureOf(error).sentence);
        },
      );
    return () => {
      live = false;
    };
  }, []);

  useEffect(() => {
    if (copied === null) return undefined;
    const timer = window.setTimeout(() => setCopied(null), 4000);
    return () => window.clearTimeout(timer);
  }, [copied]);

  async function copy(): Promise<void> {
    if (setup === null) return;
    const ok = await copyText(setup[shell], snippet.current);
    setCopied(
      ok
        ? { tone: 'ok', text: 'Copied.' }
        : { tone: 'error', text: 'Could not copy: the text is selected, press Ctrl+C.' },
    );
  }

  const file = SHELLS.find((s) => s.name === shell)?.file ?? '';
  return (
    <section className="panel" aria-labelledby="shell-title">
      <h2 id="shell-title" className="panel-title">
        Shell integration
      </h2>
      <p className="muted small">
        With the hook, entering a repo you have allowed (<code>latchkey allow</code>) loads the secrets its{' '}
        <code>latchkey.yml</code> declares, and leaving unloads them.
      </p>
      <div className="segmented" role="group" aria-label="Shell">
        {SHELLS.map(({ name }) => (
          <button
            key={name}
            type="button"
            className="segment"
            aria-pressed={shell === name}
            onClick={() => {
              setShell(name);
              setCopied(null);
            }}
          >
            {name}
          </button>
        ))}
      </div>
      {failure !== null ? (
        <p className="error">{failure}</p>
      ) : setup === null ? (
        <p className="muted">Loading…</p>
      ) : (
        <>
          <p className="small">
            Add this to <code>{file}</code>:
          </p>
          <div className="snippet">
            <pre>
              <code ref={snippet}>{setup[shell]}</code>
            </pre>
            <button type="button" className="button small" onClick={() => void copy()}>
              {copied?.tone === 'ok' ? <CheckIcon /> : <CopyIcon />}
              Copy snippet
            </button>
          </div>
          <NoteLine note={copied} />
        </>
      )}
    </section>
  );
}

export function SettingsView({
  state,
  onState,
  data,
}: {
  state: AppState;
  onState: (state: AppState) => void;
  data: VaultData;
}) {
  return (
    <main className="page" aria-labelledby="settings-title">
      <header className="page-head">
        <div>
          <h1 id="settings-title">Settings</h1>
        </div>
      </header>
      <AutoLock state={state} onState={onState} />
      <Stores data={data} />
      <ShellIntegration />
      <section className="panel" aria-labelledby="about-title">
        <h2 id="about-title" className="panel-title">
          About
        </h2>
        <dl className="facts compact">
          <dt>Version</dt>
          <dd>Latchkey {api().version}</dd>
          <dt>Vault file</dt>
          <dd>
            <code className="wrap">{state.vaultPath}</code>
          </dd>
          <dt>Agent socket</dt>
          <dd>
            <code className="wrap">{state.socketPath}</code>
          </dd>
        </dl>
      </section>
    </main>
  );
}
