/**
 * Team (for team leads): who can read which development and staging secrets of the team's store —
 * a developers × project/environment matrix read from the Latchkey-managed policies — with grant
 * (previewed first: the policy text and the calls, nothing sent), revoke with a confirmation that
 * says what the developer loses, and the grants that lapse within a week. The same provisioning as
 * `latchkey grant`, `revoke` and `access`: the main process checks every name and refuses
 * production, and its sentence is shown as it comes (`CODE: sentence`).
 */
import { Fragment, useCallback, useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import type {
  GrantPreview,
  GrantRequest,
  ProvisionResult,
  TeamGrant,
  TeamMember,
  TeamView as TeamAccess,
} from '../../../preload/api';
import { api, failureOf, type ApiFailure } from '../api';
import { useClock } from '../clock';
import { formatDateTime, formatRelative, plural } from '../format';
import { copyText } from '../ui/copy-text';
import { EmptyState } from '../ui/empty-state';
import { AlertIcon, CheckIcon, CopyIcon, KeyIcon, SyncIcon } from '../ui/icons';
import type { VaultData } from '../vault-data';
import type { ViewName } from './workspace';

/** The core's rule for a developer name (main/core/provision/grants.ts). */
const DEVELOPER = /^[a-z0-9][a-z0-9._-]{0,62}$/;
/** The durations `--expires` takes (the core also caps them at a year). */
const DURATION = /^\d{1,4}[hdw]$/;
/** The longest `project/env` the IPC schema accepts. */
const MAX_TARGET = 130;
const SOON_MS = 7 * 86_400_000;
const day = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });

type Note = { tone: 'ok' | 'error'; text: string } | null;

/** A revoke the person is asked to confirm: everything (`targets` absent) or some grants. */
interface RevokeAsk {
  readonly developer: string;
  readonly policy: string;
  readonly targets?: readonly string[];
  readonly before: readonly string[];
  readonly after: readonly string[];
}

function formatDay(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : day.format(date);
}

function listOrNothing(keys: readonly string[]): string {
  return keys.length === 0 ? 'nothing' : keys.join(', ');
}

/** A failure from the main process: production refusals stand out, hand edits get a next step. */
function FailureNotice({ failure, developer }: { failure: ApiFailure; developer?: string }) {
  if (failure.code === 'PRODUCTION_REFUSED') {
    return (
      <div className="notice danger" role="alert">
        <AlertIcon />
        <div>
          <strong>Refused.</strong> {failure.sentence}
        </div>
      </div>
    );
  }
  if (failure.code === 'POLICY_EDITED') {
    return (
      <div className="notice warning" role="alert">
        <AlertIcon />
        <div>
          <strong>The policy was changed outside Latchkey.</strong> {failure.sentence}
          <div className="muted small">
            In the app: tick “Replace {developer ?? 'the developer'}’s policy” and preview again, or use
            Revoke all and grant afresh.
          </div>
        </div>
      </div>
    );
  }
  return (
    <p className="notice danger" role="alert">
      {failure.sentence}
    </p>
  );
}

/** What the developer can read now and after the change. */
function Change({
  before,
  after,
  verb,
}: {
  before: readonly string[];
  after: readonly string[];
  verb: string;
}) {
  const lost = before.filter((key) => !after.includes(key));
  const gained = after.filter((key) => !before.includes(key));
  return (
    <dl className="facts compact change">
      <dt>Can read now</dt>
      <dd>{listOrNothing(before)}</dd>
      <dt>After this</dt>
      <dd>{listOrNothing(after)}</dd>
      {verb === 'lose' && lost.length > 0 && (
        <>
          <dt>Loses</dt>
          <dd className="error">{lost.join(', ')}</dd>
        </>
      )}
      {verb === 'gain' && gained.length > 0 && (
        <>
          <dt>Gains</dt>
          <dd className="ok">{gained.join(', ')}</dd>
        </>
      )}
    </dl>
  );
}

function GrantCell({
  grant,
  developer,
  canRevoke,
  onRevoke,
}: {
  grant: TeamGrant | undefined;
  developer: string;
  canRevoke: boolean;
  onRevoke: () => void;
}) {
  if (grant === undefined) {
    return (
      <td className="grant-cell none">
        <span aria-hidden="true">—</span>
        <span className="sr-only">not granted</span>
      </td>
    );
  }
  return (
    <td className={`grant-cell ${grant.expired ? 'expired' : 'granted'}`}>
      <span className="grant-state">
        {grant.expired ? <AlertIcon /> : <CheckIcon />}
        {grant.expired ? 'Expired' : 'Granted'}
      </span>
      <span
        className="grant-until"
        title={`Granted ${formatDateTime(grant.grantedAt)}${grant.expires !== undefined ? ` · expires ${formatDateTime(grant.expires)}` : ''}`}
      >
        {grant.expires === undefined
          ? 'no expiry'
          : `${grant.expired ? 'on' : 'until'} ${formatDay(grant.expires)}`}
      </span>
      {canRevoke && (
        <button
          type="button"
          className="cell-revoke"
          title={`Revoke ${grant.target} from ${developer}`}
          onClick={onRevoke}
        >
          Revoke
        </button>
      )}
    </td>
  );
}

/** A path that may break after each '/' rather than anywhere. */
function Breakable({ text }: { text: string }) {
  return text.split('/').map((part, i) => (
    <Fragment key={i}>
      {i > 0 && (
        <>
          /<wbr />
        </>
      )}
      {part}
    </Fragment>
  ));
}

function MemberHeader({ member }: { member: TeamMember }) {
  const production = member.productionPaths;
  return (
    <th scope="row" className="member">
      <span className="member-name">{member.developer}</span>
      {(member.edited || production.length > 0) && (
        <span className="member-flags">
          {member.edited && <span className="badge warning">edited by hand</span>}
          {production.length > 0 && <span className="badge danger">reaches production</span>}
        </span>
      )}
      {production.length > 0 && (
        <details className="paths">
          <summary>{plural(production.length, 'production path')}</summary>
          <ul>
            {production.map((path, i) => (
              <li key={`${path}\u0000${i}`}>
                <code>
                  <Breakable text={path} />
                </code>
              </li>
            ))}
          </ul>
        </details>
      )}
    </th>
  );
}

function AccessMatrix({
  access,
  onRevoke,
}: {
  access: TeamAccess;
  onRevoke: (member: TeamMember, targets?: readonly string[]) => void;
}) {
  const columns = useMemo(() => {
    const found = new Map<string, { project: string; env: string }>();
    for (const member of access.members)
      for (const grant of member.grants) found.set(grant.target, { project: grant.project, env: grant.env });
    return [...found.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([target, parts]) => ({ target, ...parts }));
  }, [access]);
  const anyEdited = access.members.some((m) => m.edited);
  const anyProduction = access.members.some((m) => m.productionPaths.length > 0);

  return (
    <>
      <div className="table-wrap matrix-wrap">
        <table className="table matrix" aria-label={`Access in ${access.store}`}>
          <thead>
            <tr>
              <th scope="col">Developer</th>
              {columns.map((column) => (
                <th scope="col" key={column.target} className="target-head">
                  <span className="target-project">{column.project}/</span>
                  <span className="target-env">{column.env}</span>
                </th>
              ))}
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {access.members.map((member) => {
              const byTarget = new Map(member.grants.map((grant) => [grant.target, grant]));
              return (
                <tr key={member.policy} className={member.productionPaths.length > 0 ? 'danger' : undefined}>
                  <MemberHeader member={member} />
                  {columns.map((column) => (
                    <GrantCell
                      key={column.target}
                      grant={byTarget.get(column.target)}
                      developer={member.developer}
                      canRevoke={!member.edited}
                      onRevoke={() => onRevoke(member, [column.target])}
                    />
                  ))}
                  <td className="row-actions">
                    <button type="button" className="button small" onClick={() => onRevoke(member)}>
                      Revoke all
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {(anyEdited || anyProduction) && (
        <p className="muted small legend">
          {anyProduction && (
            <>
              <strong className="error">Reaches production:</strong> the policy names a production path
              (listed under the name). Latchkey never adds to it; Revoke all removes it, or fix it in the
              store.{' '}
            </>
          )}
          {anyEdited && (
            <>
              <strong className="warning-text">Edited by hand:</strong> the policy is not what Latchkey wrote.
              Latchkey will not merge into it or revoke part of it; review it in the store, or use Revoke all.
            </>
          )}
        </p>
      )}
    </>
  );
}

function Expiring({
  access,
  now,
  onRevoke,
}: {
  access: TeamAccess;
  now: number;
  onRevoke: (member: TeamMember, targets: readonly string[]) => void;
}) {
  const rows = access.members
    .flatMap((member) =>
      member.grants
        .filter(
          (grant) =>
            grant.expires !== undefined && (grant.expired || Date.parse(grant.expires) - now <= SOON_MS),
        )
        .map((grant) => ({ member, grant })),
    )
    .sort((a, b) => Date.parse(a.grant.expires ?? '') - Date.parse(b.grant.expires ?? ''));

  return (
    <section className="panel" aria-labelledby="expiring-title">
      <h2 id="expiring-title" className="panel-title">
        Expiring soon
        {rows.length > 0 && <span className="badge warning">{rows.length}</span>}
      </h2>
      <p className="muted small">
        Vault has no expiry per path: a lapsed grant stays in force until it is revoked.
      </p>
      {rows.length === 0 ? (
        <p className="empty-inline">No grant expires in the next 7 days.</p>
      ) : (
        <ul className="expiring-list">
          {rows.map(({ member, grant }) => (
            <li key={`${member.policy}\u0000${grant.target}`} className="expiring-row">
              <div>
                <strong>{member.developer}</strong> · <code className="wrap">{grant.target}</code>
                <div className={`small expiring-when${grant.expired ? ' expired' : ''}`}>
                  {grant.expired ? 'Expired' : 'Expires'} {formatRelative(grant.expires, now)} (
                  {formatDateTime(grant.expires)})
                </div>
              </div>
              {member.edited ? (
                <span className="muted small">edited by hand: use Revoke all</span>
              ) : (
                <button
                  type="button"
                  className="button small"
                  title={`Revoke ${grant.target} from ${member.developer}`}
                  onClick={() => onRevoke(member, [grant.target])}
                >
                  Revoke
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function RevokeDialog({
  ask,
  store,
  onClose,
  onRevoked,
}: {
  ask: RevokeAsk;
  store: string;
  onClose: () => void;
  onRevoked: (result: ProvisionResult) => void;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<ApiFailure | null>(null);
  const all = ask.targets === undefined;

  useEffect(() => {
    const element = dialog.current;
    if (element !== null && !element.open) element.showModal();
    return () => element?.close();
  }, []);

  async function revoke(): Promise<void> {
    setBusy(true);
    setFailure(null);
    try {
      const result = await api().revoke({
        store,
        developer: ask.developer,
        ...(ask.targets !== undefined ? { targets: [...ask.targets] } : {}),
      });
      onRevoked(result);
    } catch (error) {
      setFailure(failureOf(error));
      setBusy(false);
    }
  }

  return (
    <dialog
      ref={dialog}
      className="dialog"
      aria-labelledby="revoke-title"
      onCancel={(event) => {
        event.preventDefault();
        if (!busy) onClose();
      }}
    >
      <h2 id="revoke-title" className="panel-title">
        {all ? `Revoke all of ${ask.developer}’s access?` : `Revoke ${listOrNothing(ask.targets)}?`}
      </h2>
      <p>
        <strong>{ask.developer}</strong> will lose{' '}
        {all ? 'everything Latchkey granted' : `read access to ${listOrNothing(ask.targets)}`} in {store}.
      </p>
      <Change before={ask.before} after={ask.after} verb="lose" />
      <p className="muted small">
        {all ? (
          <>
            Latchkey deletes the policy <code>{ask.policy}</code> and takes it off {ask.developer}’s identity
            and userpass user, so tokens they already hold lose access at once.
          </>
        ) : (
          <>
            Latchkey rewrites the policy <code>{ask.policy}</code> without it; tokens {ask.developer} already
            holds lose that access at once.
          </>
        )}{' '}
        Revoking takes away access, not what was already read: rotate anything they must no longer know.
      </p>
      {failure !== null && <FailureNotice failure={failure} developer={ask.developer} />}
      <div className="button-row">
        <button type="button" className="button danger" onClick={() => void revoke()} disabled={busy}>
          {busy ? 'Revoking…' : all ? 'Revoke all' : 'Revoke'}
        </button>
        <button type="button" className="button" onClick={onClose} disabled={busy}>
          Cancel
        </button>
      </div>
    </dialog>
  );
}

interface TargetRow {
  readonly id: number;
  readonly text: string;
}

interface FieldErrors {
  developer?: string;
  targets?: string;
  expires?: string;
}

function Invite({ developer, command, onDone }: { developer: string; command: string; onDone: () => void }) {
  const shown = useRef<HTMLElement>(null);
  const region = useRef<HTMLElement>(null);
  const [copied, setCopied] = useState<Note>(null);

  useEffect(() => {
    region.current?.scrollIntoView({ block: 'nearest' });
  }, []);

  async function copy(): Promise<void> {
    const ok = await copyText(command, shown.current);
    setCopied(
      ok
        ? { tone: 'ok', text: 'Copied.' }
        : { tone: 'error', text: 'Could not copy: the command is selected, press Ctrl+C.' },
    );
  }

  return (
    <section ref={region} className="invite" aria-labelledby="invite-title">
      <h3 id="invite-title" className="subhead">
        <KeyIcon /> Invite for {developer}
      </h3>
      <p className="small">
        Send this command to {developer} privately — a direct message, not a shared channel. It works{' '}
        <strong>once, within 24 h</strong>: it adds the store to their Latchkey with exactly this access.
        Latchkey shows it only now.
      </p>
      <pre className="invite-command">
        <code ref={shown} aria-label="Invite command">
          {command}
        </code>
      </pre>
      <div className="button-row">
        <button type="button" className="button small" onClick={() => void copy()}>
          {copied?.tone === 'ok' ? <CheckIcon /> : <CopyIcon />}
          Copy command
        </button>
        <button type="button" className="button small" onClick={onDone}>
          Done
        </button>
        {copied !== null && (
          <span
            className={`small copy-note ${copied.tone}`}
            role={copied.tone === 'error' ? 'alert' : 'status'}
          >
            {copied.text}
          </span>
        )}
      </div>
    </section>
  );
}

function GrantForm({ store, onGranted }: { store: string; onGranted: () => void }) {
  const nextId = useRef(1);
  const [developer, setDeveloper] = useState('');
  const [targets, setTargets] = useState<TargetRow[]>([{ id: 0, text: '' }]);
  const [expires, setExpires] = useState('');
  const [invite, setInvite] = useState(false);
  const [replace, setReplace] = useState(false);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [failure, setFailure] = useState<ApiFailure | null>(null);
  const [busy, setBusy] = useState<'preview' | 'grant' | null>(null);
  const [preview, setPreview] = useState<{ request: GrantRequest; result: GrantPreview } | null>(null);
  const [done, setDone] = useState<ProvisionResult | null>(null);
  const previewRegion = useRef<HTMLElement>(null);

  /** Any change to the request makes an earlier preview stale. */
  function changed(): void {
    setPreview(null);
    setFailure(null);
  }

  function setTarget(id: number, text: string): void {
    setTargets((rows) => rows.map((row) => (row.id === id ? { ...row, text } : row)));
    changed();
  }

  function request(): GrantRequest | null {
    const found: FieldErrors = {};
    const name = developer.trim();
    if (name === '') found.developer = 'Type the developer’s name as the store knows them.';
    else if (!DEVELOPER.test(name))
      found.developer =
        'Use lower-case letters, digits, “.”, “_” and “-” (at most 63), starting with a letter or digit.';
    const texts = [...new Set(targets.map((row) => row.text.trim()).filter((text) => text !== ''))];
    if (texts.length === 0)
      found.targets = 'Name at least one project/environment, e.g. payments/development.';
    else if (texts.some((text) => text.length > MAX_TARGET))
      found.targets = `A project/environment is at most ${MAX_TARGET} characters.`;
    else if (texts.some((text) => text.length < 3 || !text.includes('/')))
      found.targets = 'Write each one as project/environment, e.g. payments/development.';
    const duration = expires.trim();
    if (duration !== '' && !DURATION.test(duration))
      found.expires = 'Type a duration like 30d, 12h or 2w, or leave it empty.';
    setErrors(found);
    if (Object.keys(found).length > 0) return null;
    return {
      store,
      developer: name,
      targets: texts,
      ...(duration !== '' ? { expires: duration } : {}),
      ...(invite ? { invite: true } : {}),
      ...(replace ? { replace: true } : {}),
    };
  }

  async function runPreview(event: FormEvent<HTMLFormElement>): Promise<void> {
    event.preventDefault();
    if (busy !== null) return;
    setDone(null);
    setFailure(null);
    setPreview(null);
    const asked = request();
    if (asked === null) return;
    setBusy('preview');
    try {
      const result = await api().previewGrant(asked);
      setPreview({ request: asked, result });
      window.requestAnimationFrame(() => previewRegion.current?.scrollIntoView({ block: 'nearest' }));
    } catch (error) {
      setFailure(failureOf(error));
    } finally {
      setBusy(null);
    }
  }

  async function grant(): Promise<void> {
    if (preview === null || busy !== null) return;
    setBusy('grant');
    setFailure(null);
    try {
      const result = await api().grant(preview.request);
      setDone(result);
      setPreview(null);
      setTargets([{ id: nextId.current++, text: '' }]);
      setExpires('');
      setInvite(false);
      setReplace(false);
      onGranted();
    } catch (error) {
      setFailure(failureOf(error));
    } finally {
      setBusy(null);
    }
  }

  const name = developer.trim() === '' ? 'the developer' : developer.trim();
  return (
    <section className="panel" aria-labelledby="grant-title">
      <h2 id="grant-title" className="panel-title">
        Grant access
      </h2>
      <p className="muted small">
        A grant writes one policy per developer, <code>latchkey-dev-&lt;name&gt;</code>, with read and list on
        exactly the folders of each project environment, and attaches it to their identity and userpass user.
      </p>
      <form className="grant-form" onSubmit={(event) => void runPreview(event)} noValidate>
        <div className="grid-fields">
          <div className="field">
            <label className="field-label" htmlFor="grant-developer">
              Developer
            </label>
            <input
              id="grant-developer"
              className="input"
              value={developer}
              placeholder="alice"
              spellCheck={false}
              autoComplete="off"
              aria-invalid={errors.developer !== undefined}
              aria-describedby="developer-help"
              onChange={(event) => {
                setDeveloper(event.target.value);
                changed();
              }}
            />
            <span
              id="developer-help"
              className={errors.developer !== undefined ? 'error small' : 'muted small'}
            >
              {errors.developer ?? 'As the store knows them: a–z, 0–9, “.”, “_” and “-”.'}
            </span>
          </div>
          <div className="field">
            <label className="field-label" htmlFor="grant-expires">
              Expires after (optional)
            </label>
            <input
              id="grant-expires"
              className="input"
              value={expires}
              placeholder="never"
              spellCheck={false}
              autoComplete="off"
              aria-invalid={errors.expires !== undefined}
              aria-describedby="expires-help"
              onChange={(event) => {
                setExpires(event.target.value);
                changed();
              }}
            />
            <span id="expires-help" className={errors.expires !== undefined ? 'error small' : 'muted small'}>
              {errors.expires ?? 'e.g. 30d, 12h or 2w (at most a year); empty: until revoked.'}
            </span>
          </div>
        </div>
        <fieldset className="targets" aria-describedby="targets-help">
          <legend className="field-label">Project/environment</legend>
          <ul className="target-rows">
            {targets.map((row, i) => (
              <li key={row.id} className="target-row">
                <input
                  className="input"
                  value={row.text}
                  placeholder="payments/development"
                  spellCheck={false}
                  autoComplete="off"
                  aria-label={`Project/environment ${i + 1}`}
                  aria-invalid={errors.targets !== undefined && row.text.trim() !== '' ? true : undefined}
                  onChange={(event) => setTarget(row.id, event.target.value)}
                />
                {targets.length > 1 && (
                  <button
                    type="button"
                    className="button small"
                    aria-label={`Remove project/environment ${i + 1}`}
                    onClick={() => {
                      setTargets((rows) => rows.filter((r) => r.id !== row.id));
                      changed();
                    }}
                  >
                    Remove
                  </button>
                )}
              </li>
            ))}
          </ul>
          <button
            type="button"
            className="button link add-target"
            onClick={() => {
              setTargets((rows) => [...rows, { id: nextId.current++, text: '' }]);
              changed();
            }}
          >
            + Add another
          </button>
          <span id="targets-help" className={errors.targets !== undefined ? 'error small' : 'muted small'}>
            {errors.targets ??
              'Development and staging only: Latchkey refuses production in any spelling, unknown environments and wildcards.'}
          </span>
        </fieldset>
        <label className="check">
          <input
            type="checkbox"
            checked={invite}
            onChange={(event) => {
              setInvite(event.target.checked);
              changed();
            }}
          />
          <span>
            Create an invite: a one-time command {name} runs to add the store with exactly this access
          </span>
        </label>
        {(replace || failure?.code === 'POLICY_EDITED') && (
          <label className="check">
            <input
              type="checkbox"
              checked={replace}
              onChange={(event) => {
                setReplace(event.target.checked);
                setPreview(null);
              }}
            />
            <span>
              Replace {name}’s policy: rewrite it from these grants only (drops the hand edits and any other
              grants)
            </span>
          </label>
        )}
        <div className="form-status" aria-live="polite">
          {failure !== null && <FailureNotice failure={failure} developer={developer.trim()} />}
        </div>
        <div className="button-row">
          <button type="submit" className="button primary" disabled={busy !== null}>
            {busy === 'preview' ? 'Previewing…' : 'Preview'}
          </button>
        </div>
      </form>

      {preview !== null && (
        <section
          ref={previewRegion}
          className="preview"
          aria-labelledby="preview-title"
          aria-busy={busy === 'grant'}
        >
          <h3 id="preview-title" className="subhead">
            Preview for {preview.request.developer} — nothing has been sent yet
          </h3>
          <Change before={preview.result.before} after={preview.result.after} verb="gain" />
          <p className="small preview-label">
            The policy <code>{preview.result.policy}</code> after this grant:
          </p>
          <pre className="policy-text">
            <code>{preview.result.text}</code>
          </pre>
          <p className="small preview-label">What Latchkey will send to {store}:</p>
          <ol className="call-list">
            {preview.result.calls.map((call, i) => (
              <li key={`${call}\u0000${i}`}>
                <code className="wrap">{call}</code>
              </li>
            ))}
          </ol>
          <div className="button-row">
            <button
              type="button"
              className="button primary"
              onClick={() => void grant()}
              disabled={busy !== null}
            >
              <KeyIcon />
              {busy === 'grant' ? 'Granting…' : 'Grant'}
            </button>
            <button
              type="button"
              className="button"
              onClick={() => setPreview(null)}
              disabled={busy !== null}
            >
              Cancel
            </button>
          </div>
        </section>
      )}

      {done !== null && (
        <div className="granted" aria-live="polite">
          <p className="ok" role="status">
            Granted: {done.developer} can now read {listOrNothing(done.after)}.
          </p>
          {done.inviteCommand !== undefined && (
            <Invite developer={done.developer} command={done.inviteCommand} onDone={() => setDone(null)} />
          )}
        </div>
      )}
    </section>
  );
}

function useTeamAccess(store: string | null): {
  access: TeamAccess | null;
  failure: ApiFailure | null;
  loading: boolean;
  reload: () => void;
} {
  const [access, setAccess] = useState<TeamAccess | null>(null);
  const [failure, setFailure] = useState<ApiFailure | null>(null);
  const [loading, setLoading] = useState(false);
  const generation = useRef(0);

  const reload = useCallback(() => {
    const mine = ++generation.current;
    if (store === null) return;
    setLoading(true);
    api()
      .teamAccess(store)
      .then(
        (found) => {
          if (mine !== generation.current) return;
          setAccess(found);
          setFailure(null);
        },
        (error: unknown) => {
          if (mine === generation.current) setFailure(failureOf(error));
        },
      )
      .finally(() => {
        if (mine === generation.current) setLoading(false);
      });
  }, [store]);

  useEffect(() => {
    setAccess(null);
    setFailure(null);
    reload();
    return () => {
      generation.current++;
    };
  }, [reload]);

  return { access, failure, loading, reload };
}

export function TeamView({ data, goTo }: { data: VaultData; goTo: (view: ViewName) => void }) {
  const stores = data.stores.value;
  const [chosen, setChosen] = useState<string | null>(null);
  const store =
    stores === null || stores.length === 0
      ? null
      : (stores.find((s) => s.name === chosen)?.name ?? stores[0]?.name ?? null);
  const { access, failure, loading, reload } = useTeamAccess(store);
  const [ask, setAsk] = useState<RevokeAsk | null>(null);
  const [note, setNote] = useState<Note>(null);
  const now = useClock(true, 60_000);

  const askRevoke = useCallback((member: TeamMember, targets?: readonly string[]) => {
    const before = member.grants.map((grant) => grant.target).sort();
    const after = targets === undefined ? [] : before.filter((key) => !targets.includes(key));
    setNote(null);
    setAsk({
      developer: member.developer,
      policy: member.policy,
      ...(targets !== undefined ? { targets } : {}),
      before,
      after,
    });
  }, []);

  let body;
  if (stores === null) {
    body =
      data.stores.failure !== null ? (
        <EmptyState title="The stores could not be listed">{data.stores.failure.sentence}</EmptyState>
      ) : (
        <p className="muted">Loading stores…</p>
      );
  } else if (store === null) {
    body = (
      <EmptyState
        title="No team store yet"
        icon={<KeyIcon size={26} />}
        action={{ label: 'Open Settings', run: () => goTo('settings') }}
      >
        Add your team’s store in Settings, with a token that may write policies. Then grant your developers
        their development and staging secrets here.
      </EmptyState>
    );
  } else {
    let matrix;
    if (access === null) {
      matrix =
        failure !== null ? (
          <div className="notice danger" role="alert">
            <AlertIcon />
            <div>
              <strong>Latchkey could not read who has access.</strong> {failure.sentence}
              <div className="button-row">
                <button type="button" className="button small" onClick={reload}>
                  Try again
                </button>
              </div>
            </div>
          </div>
        ) : (
          <p className="muted">Reading the policies in {store}…</p>
        );
    } else if (access.members.length === 0) {
      matrix = (
        <div className="empty-inline">
          <strong>No one has access through Latchkey yet.</strong> Use <em>Grant access</em> below: a grant
          writes the policy <code>latchkey-dev-&lt;name&gt;</code> with read and list on exactly the project
          environments you name, and attaches it to the developer in the store.
        </div>
      );
    } else {
      matrix = <AccessMatrix access={access} onRevoke={askRevoke} />;
    }
    body = (
      <>
        <section className="panel" aria-labelledby="access-title" aria-busy={loading}>
          <h2 id="access-title" className="panel-title">
            Access
            {access !== null && access.members.length > 0 && (
              <span className="badge">{plural(access.members.length, 'developer')}</span>
            )}
          </h2>
          <p className="muted small">
            Read from the <code>latchkey-dev-*</code> policies in {store}. Production can never be granted.
          </p>
          {failure !== null && access !== null && (
            <p className="error" role="alert">
              {failure.sentence}
            </p>
          )}
          {matrix}
        </section>
        {access !== null && access.members.length > 0 && (
          <Expiring access={access} now={now} onRevoke={askRevoke} />
        )}
        <GrantForm key={store} store={store} onGranted={reload} />
        {ask !== null && (
          <RevokeDialog
            ask={ask}
            store={store}
            onClose={() => setAsk(null)}
            onRevoked={(result) => {
              setAsk(null);
              setNote({
                tone: 'ok',
                text: `Revoked: ${result.developer} can now read ${listOrNothing(result.after)}.`,
              });
              reload();
            }}
          />
        )}
      </>
    );
  }

  return (
    <main className="page wide" aria-labelledby="team-title">
      <header className="page-head">
        <div>
          <h1 id="team-title">Team</h1>
          <p className="muted">
            Who can read which development and staging secrets of your team’s store, and grants for new
            developers. Production is never granted.
          </p>
        </div>
        {stores !== null && stores.length > 0 && (
          <div className="page-actions">
            {stores.length > 1 && (
              <select
                className="input"
                aria-label="Store"
                value={store ?? ''}
                onChange={(event) => {
                  setChosen(event.target.value);
                  setNote(null);
                }}
              >
                {stores.map((s) => (
                  <option key={s.name} value={s.name}>
                    {s.name}
                  </option>
                ))}
              </select>
            )}
            <button
              type="button"
              className="button"
              onClick={() => {
                setNote(null);
                reload();
              }}
              disabled={loading}
            >
              <SyncIcon />
              Refresh
            </button>
          </div>
        )}
      </header>
      <div className="page-status" aria-live="polite">
        {note !== null && (
          <p className={`notice ${note.tone === 'ok' ? 'ok' : 'danger'}`} role="status">
            {note.text}
          </p>
        )}
      </div>
      {body}
    </main>
  );
}
