/**
 * First run: choose the master password. Both fields are uncontrolled and read once on submit; the
 * strength meter reads the first field only when typing pauses and keeps the score, never the text.
 */
import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { AppState } from '../../../preload/api';
import { api, failureOf } from '../api';
import { estimateStrength, MIN_LENGTH, type Strength } from '../password-strength';
import { KeyIcon } from '../ui/icons';

const PAUSE_MS = 200;

export function StrengthMeter({ strength }: { strength: Strength | null }) {
  const score = strength?.score ?? -1;
  const label = strength === null || strength.label === '' ? 'Strength' : `Strength: ${strength.label}`;
  return (
    <div className="strength" data-score={score}>
      <div
        className="strength-bar"
        role="meter"
        aria-label="Password strength"
        aria-valuemin={0}
        aria-valuemax={4}
        aria-valuenow={Math.max(0, score)}
        aria-valuetext={strength?.label || 'empty'}
      >
        {[0, 1, 2, 3, 4].map((step) => (
          <span key={step} className={step <= score ? 'on' : undefined} />
        ))}
      </div>
      <p className="strength-text" aria-live="polite">
        <strong>{label}</strong>
        {strength !== null && <span> — {strength.hint}</span>}
      </p>
    </div>
  );
}

export function CreateVaultView({ onState }: { state: AppState; onState: (state: AppState) => void }) {
  const first = useRef<HTMLInputElement>(null);
  const second = useRef<HTMLInputElement>(null);
  const pause = useRef<number | undefined>(undefined);
  const [strength, setStrength] = useState<Strength | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => () => window.clearTimeout(pause.current), []);

  function measureLater(): void {
    window.clearTimeout(pause.current);
    pause.current = window.setTimeout(() => {
      const value = first.current?.value ?? '';
      setStrength(value === '' ? null : estimateStrength(value));
    }, PAUSE_MS);
  }

  async function submit(event: FormEvent<HTMLFormElement>): Promise<void> {
    event.preventDefault();
    const a = first.current;
    const b = second.current;
    if (a === null || b === null || busy) return;
    const password = a.value;
    const repeated = b.value;
    a.value = '';
    b.value = '';
    window.clearTimeout(pause.current);
    setStrength(null);
    const verdict = estimateStrength(password);
    if (password !== repeated) {
      setError('The two passwords are not the same. Type them again.');
      a.focus();
      return;
    }
    if (!verdict.acceptable) {
      setError(
        password.length < MIN_LENGTH
          ? `Use at least ${MIN_LENGTH} characters. ${verdict.hint}`
          : `That password is too easy to guess. ${verdict.hint}`,
      );
      a.focus();
      return;
    }
    setBusy(true);
    setError(null);
    try {
      onState(await api().createVault(password));
    } catch (failure) {
      setError(failureOf(failure).sentence);
      setBusy(false);
      a.focus();
    }
  }

  return (
    <main className="centered">
      <form
        className="card"
        onSubmit={(event) => void submit(event)}
        aria-labelledby="create-title"
        noValidate
      >
        <div className="card-mark" aria-hidden="true">
          <KeyIcon size={28} />
        </div>
        <h1 id="create-title">Create your vault</h1>
        <p className="muted">
          Latchkey keeps your development and staging secrets in an encrypted vault on this computer. Choose
          the master password that opens it.
        </p>
        <label className="field">
          <span className="field-label">Password</span>
          <input
            ref={first}
            type="password"
            name="new-password"
            autoComplete="new-password"
            spellCheck={false}
            autoFocus
            onInput={measureLater}
            aria-describedby="create-strength"
          />
        </label>
        <div id="create-strength">
          <StrengthMeter strength={strength} />
        </div>
        <label className="field">
          <span className="field-label">Repeat password</span>
          <input
            ref={second}
            type="password"
            name="repeat-password"
            autoComplete="new-password"
            spellCheck={false}
          />
        </label>
        <div className="notice warning" role="note">
          <strong>There is no recovery:</strong> if you forget it, your local vault cannot be opened; you can
          re-sync from the team store but local-only secrets are lost.
        </div>
        <div className="form-status" aria-live="polite">
          {error !== null && (
            <p className="error" role="alert">
              {error}
            </p>
          )}
        </div>
        <button type="submit" className="button primary wide" disabled={busy}>
          {busy ? 'Creating the vault…' : 'Create vault'}
        </button>
      </form>
    </main>
  );
}
