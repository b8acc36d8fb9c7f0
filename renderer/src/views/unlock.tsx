/**
 * Unlock: one password field, read once from an uncontrolled input and cleared at once (a React
 * controlled input would leave a string per keystroke in memory). The main process enforces a
 * growing delay after wrong passwords; this view shows it as a countdown and waits it out.
 */
import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { AppState } from '../../../preload/api';
import { api, failureOf, withoutCode } from '../api';
import { useClock } from '../clock';
import { formatSeconds, plural, secondsLeft } from '../format';
import { PadlockIcon } from '../ui/icons';

/** Why the vault locked, said politely; undefined when there is nothing worth saying. */
export function lockReasonText(reason: string | undefined, autoLockMinutes: number): string | undefined {
  switch (reason) {
    case undefined:
    case '':
      return undefined;
    case 'idle':
      return `Locked after ${plural(autoLockMinutes, 'minute')} idle.`;
    case 'suspend':
    case 'sleep':
      return 'Locked when the computer went to sleep.';
    case 'screen-locked':
    case 'lock-screen':
      return 'Locked when the screen was locked.';
    case 'requested':
      return 'You locked the vault.';
    default:
      return `Locked (${reason}).`;
  }
}

export function UnlockView({ state, onState }: { state: AppState; onState: (state: AppState) => void }) {
  const field = useRef<HTMLInputElement>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [blockedUntil, setBlockedUntil] = useState(state.unlockBlockedUntil);

  useEffect(() => {
    setBlockedUntil((current) => Math.max(current, state.unlockBlockedUntil));
  }, [state.unlockBlockedUntil]);

  const now = useClock(blockedUntil > Date.now());
  // The clock only ticks while blocked: when it is not running its time is stale (from when the
  // view mounted), so a delay of 0 ("try again now") must not count from it.
  const wait = secondsLeft(blockedUntil, Math.max(now, Date.now()));
  const blocked = wait > 0;

  async function submit(event: FormEvent<HTMLFormElement>): Promise<void> {
    event.preventDefault();
    const input = field.current;
    if (input === null || busy || blocked) return;
    // Read once, then clear the field: the password is never kept in React state.
    const password = input.value;
    input.value = '';
    if (password === '') {
      setError('Type your master password.');
      input.focus();
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const result = await api().unlock(password);
      if (result.ok) {
        onState(result.state);
        return;
      }
      setError(withoutCode(result.message));
      setBlockedUntil(Date.now() + Math.max(0, result.retryAfterMs));
    } catch (failure) {
      setError(failureOf(failure).sentence);
    } finally {
      setBusy(false);
    }
    input.focus();
  }

  const reason = lockReasonText(state.lastLockReason, state.autoLockMinutes);

  return (
    <main className="centered">
      <form
        className="card narrow"
        onSubmit={(event) => void submit(event)}
        aria-labelledby="unlock-title"
        noValidate
      >
        <div className="card-mark" aria-hidden="true">
          <PadlockIcon size={28} />
        </div>
        <h1 id="unlock-title">Unlock Latchkey</h1>
        <p className="muted">{reason ?? 'Your vault is locked.'}</p>
        <label className="field">
          <span className="field-label">Password</span>
          <input
            ref={field}
            type="password"
            name="password"
            autoComplete="current-password"
            spellCheck={false}
            autoFocus
            aria-invalid={error !== null}
            aria-describedby="unlock-status"
          />
        </label>
        <div id="unlock-status" className="form-status" aria-live="polite">
          {error !== null && (
            <p className="error" role="alert">
              {error}
            </p>
          )}
          {blocked && (
            <p className="muted">
              {error === null ? 'Too many wrong passwords. ' : ''}You can try again in {formatSeconds(wait)}.
            </p>
          )}
        </div>
        <button type="submit" className="button primary wide" disabled={busy || blocked}>
          {busy ? 'Unlocking…' : 'Unlock'}
        </button>
        <p className="fine-print">
          Also unlocks the terminal: <code>latchkey run</code> works until the vault locks again.
        </p>
      </form>
    </main>
  );
}
