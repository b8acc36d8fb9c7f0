/**
 * Audit: the tamper-evident log of every read and change, newest first, filterable by reference,
 * operation and time, with a check of the whole hash chain.
 */
import { useEffect, useMemo, useState } from 'react';
import type { AuditQuery, AuditRow, AuditVerifyResult } from '../../../preload/api';
import { api, asSentence, failureOf, type ApiFailure } from '../api';
import { formatCount, formatDateTime, formatStamp } from '../format';
import { EmptyState } from '../ui/empty-state';
import { AlertIcon, CheckIcon, ShieldIcon } from '../ui/icons';

const PAGE = 200;
const TYPING_PAUSE_MS = 250;
const KNOWN_OPERATIONS = [
  'read',
  'reveal',
  'copy',
  'set',
  'remove',
  'sync',
  'refusal',
  'denial',
  'unlock',
  'unlock-failed',
  'lock',
  'store',
];
const SINCE: readonly { label: string; ms: number }[] = [
  { label: 'Any time', ms: 0 },
  { label: 'Last hour', ms: 3_600_000 },
  { label: 'Last 24 hours', ms: 86_400_000 },
  { label: 'Last 7 days', ms: 7 * 86_400_000 },
  { label: 'Last 30 days', ms: 30 * 86_400_000 },
];

function resultTone(result: string): string {
  if (result === 'ok') return 'ok';
  if (result === 'refused' || result === 'denied') return 'warning';
  return 'danger';
}

function Verify() {
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<AuditVerifyResult | null>(null);
  const [failure, setFailure] = useState<ApiFailure | null>(null);

  async function verify(): Promise<void> {
    setBusy(true);
    setResult(null);
    setFailure(null);
    try {
      setResult(await api().verifyAudit());
    } catch (error) {
      setFailure(failureOf(error));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="verify">
      <button type="button" className="button" onClick={() => void verify()} disabled={busy}>
        <ShieldIcon />
        {busy ? 'Verifying…' : 'Verify chain'}
      </button>
      <div aria-live="polite" className="verify-result">
        {result?.ok === true && (
          <p className="ok" role="status">
            <CheckIcon /> The chain is intact: {formatCount(result.lines)} lines verified.
          </p>
        )}
        {result?.ok === false && (
          <p className="notice danger" role="alert">
            <AlertIcon />
            <span>
              <strong>The chain is broken.</strong>{' '}
              {asSentence(result.problem ?? 'a line does not match the chain.')} ({formatCount(result.lines)}{' '}
              lines checked)
            </span>
          </p>
        )}
        {failure !== null && (
          <p className="error" role="alert">
            {failure.sentence}
          </p>
        )}
      </div>
    </div>
  );
}

export function AuditView() {
  const [refText, setRefText] = useState('');
  const [ref, setRef] = useState('');
  const [op, setOp] = useState('');
  const [since, setSince] = useState(0);
  const [limit, setLimit] = useState(PAGE);
  const [rows, setRows] = useState<AuditRow[] | null>(null);
  const [failure, setFailure] = useState<ApiFailure | null>(null);
  const [seenOps, setSeenOps] = useState<ReadonlySet<string>>(() => new Set(KNOWN_OPERATIONS));

  useEffect(() => {
    const timer = window.setTimeout(() => setRef(refText.trim()), TYPING_PAUSE_MS);
    return () => window.clearTimeout(timer);
  }, [refText]);

  useEffect(() => {
    let live = true;
    const query: { -readonly [K in keyof AuditQuery]: AuditQuery[K] } = { limit };
    if (ref !== '') query.ref = ref.replace(/^lk:\/\//, '');
    if (op !== '') query.op = op;
    if (since > 0) query.since = new Date(Date.now() - since).toISOString();
    api()
      .readAudit(query)
      .then(
        (found) => {
          if (!live) return;
          setRows(found);
          setFailure(null);
          setSeenOps((current) => {
            const missing = found.filter((row) => !current.has(row.op));
            return missing.length === 0 ? current : new Set([...current, ...missing.map((row) => row.op)]);
          });
        },
        (error: unknown) => {
          if (live) setFailure(failureOf(error));
        },
      );
    return () => {
      live = false;
    };
  }, [ref, op, since, limit]);

  const newestFirst = useMemo(() => (rows === null ? [] : [...rows].sort((a, b) => b.seq - a.seq)), [rows]);
  const filtered = ref !== '' || op !== '' || since > 0;

  let body;
  if (failure !== null && rows === null) {
    body = <EmptyState title="The audit log could not be read">{failure.sentence}</EmptyState>;
  } else if (rows === null) {
    body = <p className="muted">Loading the audit log…</p>;
  } else if (rows.length === 0) {
    body = filtered ? (
      <EmptyState title="No lines match these filters">
        Try a shorter reference or another time range.
      </EmptyState>
    ) : (
      <EmptyState title="No audit lines yet" icon={<ShieldIcon size={26} />}>
        Every read of a secret — from this app, <code>latchkey run</code> or your shell — is recorded here
        with who asked and when. Values never are.
      </EmptyState>
    );
  } else {
    body = (
      <>
        <div className="table-wrap">
          <table className="table audit-table">
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Who</th>
                <th scope="col">Operation</th>
                <th scope="col">Reference</th>
                <th scope="col">Result</th>
              </tr>
            </thead>
            <tbody>
              {newestFirst.map((row) => (
                <tr key={row.seq}>
                  <td className="nowrap" title={`${formatDateTime(row.time)} · line ${row.seq}`}>
                    {formatStamp(row.time, { seconds: true })}
                  </td>
                  <td className="wrap">{row.who}</td>
                  <td className="nowrap">{row.op}</td>
                  <td>
                    {row.ref !== undefined ? (
                      <code className="wrap">{row.ref}</code>
                    ) : (
                      <span className="muted">—</span>
                    )}
                  </td>
                  <td>
                    <span className={`badge ${resultTone(row.result)}`}>{row.result}</span>
                    {row.reason !== undefined && <div className="muted small wrap">{row.reason}</div>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {rows.length >= limit && (
          <button type="button" className="button link" onClick={() => setLimit(limit + PAGE)}>
            Show older lines
          </button>
        )}
      </>
    );
  }

  return (
    <main className="page wide fill" aria-labelledby="audit-title">
      <header className="page-head">
        <div>
          <h1 id="audit-title">Audit</h1>
          <p className="muted">
            Who read or changed what, and when. Hash-chained, so edits and deletions show up.
          </p>
        </div>
        <Verify />
      </header>
      <div className="filters" role="group" aria-label="Filters">
        <input
          type="search"
          className="input"
          aria-label="Filter by reference"
          placeholder="Reference, e.g. payments/development"
          value={refText}
          spellCheck={false}
          onChange={(event) => setRefText(event.target.value)}
        />
        <select
          className="input"
          aria-label="Operation"
          value={op}
          onChange={(event) => setOp(event.target.value)}
        >
          <option value="">All operations</option>
          {[...seenOps].sort().map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </select>
        <select
          className="input"
          aria-label="Time range"
          value={since}
          onChange={(event) => setSince(Number(event.target.value))}
        >
          {SINCE.map((option) => (
            <option key={option.ms} value={option.ms}>
              {option.label}
            </option>
          ))}
        </select>
      </div>
      {failure !== null && rows !== null && (
        <p className="error" role="alert">
          {failure.sentence}
        </p>
      )}
      {body}
    </main>
  );
}
