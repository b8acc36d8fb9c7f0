/**
 * The top of the UI: which screen the vault's phase calls for. The main process pushes every state
 * change ('state' events) and reloads the page on lock; a 'locked' event shows Unlock at once.
 */
import { useCallback, useEffect, useState } from 'react';
import type { AppState } from '../../preload/api';
import { api, bridge, failureOf, type ApiFailure } from './api';
import { CreateVaultView } from './views/create-vault';
import { UnlockView } from './views/unlock';
import { Workspace } from './views/workspace';

export function App() {
  if (bridge() === undefined) {
    return (
      <main className="centered">
        <div className="card">
          <h1>Latchkey cannot start here</h1>
          <p className="muted">
            This page only works inside the Latchkey app, which connects it to your vault.
          </p>
        </div>
      </main>
    );
  }
  return <Phases />;
}

function Phases() {
  const [state, setState] = useState<AppState | null>(null);
  const [failure, setFailure] = useState<ApiFailure | null>(null);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let live = true;
    const unsubscribe = api().on('state', (next) => {
      if (live) setState(next);
    });
    api()
      .getState()
      .then(
        (first) => {
          // A state event that arrived meanwhile is newer than this answer.
          if (live) setState((current) => current ?? first);
        },
        (error: unknown) => {
          if (live) setFailure(failureOf(error));
        },
      );
    return () => {
      live = false;
      unsubscribe();
    };
  }, [attempt]);

  const retry = useCallback(() => {
    setFailure(null);
    setAttempt((n) => n + 1);
  }, []);

  if (failure !== null && state === null) {
    return (
      <main className="centered">
        <div className="card" role="alert">
          <h1>Latchkey could not read the vault’s state</h1>
          <p>{failure.sentence}</p>
          <button type="button" className="button primary" onClick={retry}>
            Try again
          </button>
        </div>
      </main>
    );
  }
  if (state === null) return <main className="centered" aria-busy="true" />;
  switch (state.phase) {
    case 'absent':
      return <CreateVaultView state={state} onState={setState} />;
    case 'locked':
      return <UnlockView state={state} onState={setState} />;
    case 'unlocked':
      return <Workspace state={state} onState={setState} />;
  }
}
