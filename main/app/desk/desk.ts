/**
 * The desktop app's backend: everything the UI can ask for, over the same core the CLI and the
 * agent use — one VaultSession (the app hosts the agent on it, so every terminal works while the
 * app is unlocked), the stores file, the sync engine and the audit log. No electron import: the
 * IPC handler table calls this, and the end-to-end tests drive it under plain Node with a real
 * vault, a real audit log and the test Vault server.
 *
 * Values leave only through `reveal` (to the renderer, on request) and `copy` (to the clipboard),
 * both audited and held to a budget; every other answer carries names, never values.
 */
import type {
  AppState,
  AuditQuery,
  AuditRow,
  AuditVerifyResult,
  CopyResult,
  ItemDetail,
  ItemSummary,
  LatchkeyEvents,
  RevealedValue,
  SettingsInput,
  ShellSetup,
  StoreInput,
  StoreView,
  SyncOutcome,
  UnlockResult,
  VaultPhase,
} from '../../../preload/api';
import { socketPath } from '../../core/agent/socket-path';
import { VaultSession } from '../../core/agent/vault-session';
import { readAudit, readAuditAnchor, verifyAudit, type AuditWho } from '../../core/audit';
import { calibrateKdf, type KdfParams } from '../../core/crypto/kdf';
import { checkNewPassword } from '../../core/crypto/password';
import { Secret, wipe } from '../../core/crypto/secret';
import { LatchkeyError } from '../../core/errors';
import { DEFAULT_LAYOUT } from '../../core/sync/layout';
import { checkStoreAccess, forgetStore, hasStoreToken, keepStoreToken } from '../../core/sync/store-admin';
import { StoreConfigFile, validateStoreConfig, type StoreConfig } from '../../core/sync/store-config';
import { DEFAULT_SYNC_SETTINGS, syncStates, syncStore, type SyncSettings } from '../../core/sync/sync-store';
import { listedItems, type ListedItem } from '../../core/vault/listing';
import { dataDir, dataPaths } from '../../core/vault/paths';
import { parseFieldRef, parseItemOrFieldRef } from '../../core/vault/ref';
import { VaultStore } from '../../core/vault/vault-store';
import { AppSettingsFile, type AppSettings } from './app-settings';
import { CallBudget } from './call-budget';
import { CLIPBOARD_CLEAR_MS, ClipboardGuard, type ClipboardPort } from './clipboard-guard';
import { auditRow, problemText } from './audit-rows';
import { formatPeriod, readSchemaKnowledge, type ItemKnowledge } from './schema-knowledge';
import { TeamDesk } from './team-desk';
import { UnlockThrottle } from './unlock-throttle';

export const REVEAL_HIDE_MS = 30_000;
/** Reveals and copies together: this many in any minute. */
const VALUE_CALLS_PER_MINUTE = 30;
const DAY_MS = 86_400_000;

export type DeskListener = <E extends keyof LatchkeyEvents>(event: E, data: LatchkeyEvents[E]) => void;

export interface DeskOptions {
  /** LATCHKEY_HOME, LATCHKEY_SOCK and the rest, as the CLI reads them. */
  readonly env: NodeJS.ProcessEnv;
  readonly clipboard: ClipboardPort;
  /** The KDF parameters for a new vault; by default calibrated to about half a second here. */
  readonly kdfParams?: () => Promise<KdfParams>;
  readonly syncSettings?: Partial<Omit<SyncSettings, 'onProgress'>>;
  readonly revealHideMs?: number;
  readonly clipboardClearMs?: number;
  readonly now?: () => number;
}

export class Desk {
  readonly store: VaultStore;
  readonly session: VaultSession;
  /** The Team view's calls (team leads): grant, revoke, review. */
  readonly team: TeamDesk;
  readonly #env: NodeJS.ProcessEnv;
  readonly #settingsFile: AppSettingsFile;
  readonly #stores: StoreConfigFile;
  readonly #clipboard: ClipboardGuard;
  readonly #throttle: UnlockThrottle;
  readonly #valueBudget: CallBudget;
  readonly #listeners = new Set<DeskListener>();
  readonly #options: DeskOptions;
  readonly #now: () => number;
  readonly #syncing = new Set<string>();
  readonly #lastErrors = new Map<string, { code: string; message: string; at: string }>();
  #settings: AppSettings;
  #lastLockReason: string | undefined;

  constructor(options: DeskOptions) {
    this.#options = options;
    this.#env = options.env;
    this.#now = options.now ?? Date.now;
    const dir = dataDir(options.env);
    this.store = new VaultStore(dataPaths(dir));
    this.#settingsFile = new AppSettingsFile(dir);
    this.#stores = new StoreConfigFile(dir);
    this.#settings = this.#settingsFile.read();
    this.#clipboard = new ClipboardGuard(options.clipboard, options.clipboardClearMs ?? CLIPBOARD_CLEAR_MS);
    this.#throttle = new UnlockThrottle(this.#now);
    this.#valueBudget = new CallBudget(VALUE_CALLS_PER_MINUTE, 60_000, this.#now);
    this.session = new VaultSession(this.store, {
      lockAfterMs: this.#settings.autoLockMinutes * 60_000,
      onLock: (reason) => this.#locked(reason),
    });
    this.team = new TeamDesk(this.session, this.#stores, this.#now);
  }

  /** Subscribes to the events the UI shows (state changes, sync progress). */
  on(listener: DeskListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  get settings(): AppSettings {
    return this.#settings;
  }

  #emit<E extends keyof LatchkeyEvents>(event: E, data: LatchkeyEvents[E]): void {
    for (const listener of this.#listeners) {
      try {
        listener(event, data);
      } catch {
        // A listener's failure is its own; the others still hear.
      }
    }
  }

  #locked(reason: string): void {
    this.#lastLockReason = reason;
    void this.#clipboard.clearIfOurs();
    this.#emit('state', this.getState());
  }

  #who(): AuditWho {
    return { via: 'gui', pid: process.pid };
  }

  // ---- state, create, unlock, lock -------------------------------------------------------------

  getState(): AppState {
    const phase: VaultPhase = !this.store.exists() ? 'absent' : this.session.locked ? 'locked' : 'unlocked';
    return {
      phase,
      autoLockMinutes: this.#settings.autoLockMinutes,
      lockOnSleep: this.#settings.lockOnSleep,
      unlockBlockedUntil: this.#throttle.blockedUntil,
      ...(this.#lastLockReason !== undefined ? { lastLockReason: this.#lastLockReason } : {}),
      vaultPath: this.store.paths.vault,
      socketPath: socketPath(this.#env),
    };
  }

  /** First run: creates the vault (never over an existing one) and unlocks it. */
  async createVault(password: string): Promise<AppState> {
    if (this.store.exists()) {
      throw new LatchkeyError(
        'VAULT_EXISTS',
        `a vault already exists at ${this.store.paths.vault}; Latchkey never overwrites one — unlock it instead`,
      );
    }
    const bytes = Buffer.from(password, 'utf8');
    try {
      checkNewPassword(bytes);
      const params = this.#options.kdfParams
        ? await this.#options.kdfParams()
        : (await calibrateKdf(500)).params;
      (await this.store.create(bytes, params)).close();
      await this.session.unlock(bytes);
    } finally {
      wipe(bytes);
    }
    this.#lastLockReason = undefined;
    const state = this.getState();
    this.#emit('state', state);
    return state;
  }

  async unlock(password: string): Promise<UnlockResult> {
    if (!this.store.exists()) {
      throw new LatchkeyError('VAULT_NOT_FOUND', 'there is no vault yet; create one first');
    }
    const wait = this.#throttle.waitMs();
    if (wait > 0) {
      return {
        ok: false,
        code: 'RATE_LIMITED',
        message: `too many wrong passwords; try again in ${Math.ceil(wait / 1000)} s`,
        retryAfterMs: wait,
      };
    }
    if (typeof password !== 'string' || password.length === 0) {
      throw new LatchkeyError('PASSWORD_INVALID', 'type your master password');
    }
    const bytes = Buffer.from(password, 'utf8');
    try {
      await this.session.unlock(bytes);
    } catch (error) {
      if (error instanceof LatchkeyError && error.code === 'WRONG_PASSWORD') {
        const retryAfterMs = this.#throttle.failed();
        return {
          ok: false,
          code: 'WRONG_PASSWORD',
          message: 'that is not the master password of this vault',
          retryAfterMs,
        };
      }
      throw error;
    } finally {
      wipe(bytes);
    }
    this.#throttle.succeeded();
    this.#lastLockReason = undefined;
    const state = this.getState();
    this.#emit('state', state);
    return { ok: true, state };
  }

  /** Locks now: the keys are dropped (the app reloads the renderer on the 'state' event). */
  lock(reason = 'requested'): AppState {
    if (this.session.locked) {
      this.#lastLockReason ??= reason;
      return this.getState();
    }
    this.session.lock(reason);
    return this.getState();
  }

  // ---- secrets -----------------------------------------------------------------------------------

  listItems(): ItemSummary[] {
    const vault = this.session.vault();
    const knowledge = readSchemaKnowledge(this.#env);
    const now = this.#now();
    this.session.touch();
    return listedItems(vault.list()).map((i) => summaryOf(i, knowledge.get(i.ref), now));
  }

  itemDetail(ref: string): ItemDetail {
    const parsed = parseItemOrFieldRef(ref);
    const vault = this.session.vault();
    const record = vault.findItem(parsed);
    if (record === undefined) {
      throw new LatchkeyError('ITEM_NOT_FOUND', `there is no item ${ref.slice(0, 300)} in the vault`);
    }
    const listed = listedItems([record])[0]!;
    const known = readSchemaKnowledge(this.#env).get(listed.ref);
    const summary = summaryOf(listed, known, this.#now());
    this.session.touch();
    const previous =
      record.previous !== undefined && Date.parse(record.previous.until) > this.#now()
        ? { version: record.previous.version, until: record.previous.until }
        : undefined;
    return {
      ...summary,
      ...(record.origin.kind === 'store' ? { store: record.origin.store, path: record.origin.path } : {}),
      ...(known?.owner !== undefined ? { owner: known.owner } : {}),
      ...(known?.description !== undefined ? { description: known.description } : {}),
      ...(known !== undefined ? { rotateEvery: formatPeriod(known.rotateEveryMs) } : {}),
      ageDays: Math.max(0, Math.floor((this.#now() - Date.parse(summary.updatedAt)) / DAY_MS)),
      ...(previous ? { previous } : {}),
    };
  }

  /** One field's value, for the renderer to show for `hideAfterMs`. Audited; held to a budget. */
  reveal(ref: string, field: string): RevealedValue {
    const value = this.#readValue(ref, field, 'reveal');
    return { value, hideAfterMs: this.#options.revealHideMs ?? REVEAL_HIDE_MS };
  }

  /** Puts one field's value on the clipboard; it is cleared later if still ours. Audited. */
  async copy(ref: string, field: string): Promise<CopyResult> {
    const value = this.#readValue(ref, field, 'copy');
    return { clearAfterMs: await this.#clipboard.copy(value) };
  }

  #readValue(ref: string, field: string, why: 'reveal' | 'copy'): string {
    const item = parseItemOrFieldRef(ref);
    const fieldRef = parseFieldRef(`lk://${item.project}/${item.environment}/${item.item}/${field}`);
    const vault = this.session.vault();
    if (!this.#valueBudget.take()) {
      this.session.audit({
        op: 'denial',
        who: this.#who(),
        ref: fieldRefText(fieldRef),
        result: 'denied',
        reason: `${why}-rate`,
      });
      throw new LatchkeyError(
        'RATE_LIMITED',
        `too many values shown or copied in the last minute; wait a little and ${why} again`,
      );
    }
    const epoch = this.session.epoch;
    const secret = vault.readField(fieldRef);
    try {
      // The line is written before the value leaves; if it cannot be, the value does not leave.
      this.session.audit({
        op: 'read',
        who: this.#who(),
        ref: fieldRefText(fieldRef),
        result: 'ok',
        reason: why,
      });
      this.session.checkEpoch(epoch);
      this.session.touch();
      return secret.reveal().toString('utf8');
    } finally {
      secret.dispose();
    }
  }

  // ---- stores and sync ---------------------------------------------------------------------------

  listStores(): StoreView[] {
    const configs = this.#stores.read();
    const vault = this.session.locked ? undefined : this.session.vault();
    const states = vault ? syncStates(vault) : {};
    return configs.map((c) => {
      const state = states[c.name];
      const lastError = this.#lastErrors.get(c.name);
      return {
        name: c.name,
        addr: c.addr,
        mount: c.mount,
        layout: c.layout,
        ...(c.namespace ? { namespace: c.namespace } : {}),
        auth: c.auth.method,
        loggedIn: vault ? hasStoreToken(vault, c.name) : false,
        ...(state?.lastGoodSync ? { lastGoodSync: state.lastGoodSync } : {}),
        ...(lastError ? { lastError } : {}),
        syncing: this.#syncing.has(c.name),
        refused: (state?.refusals ?? []).map((r) => ({
          ref: r.ref,
          path: r.path,
          rule: r.rule,
          reason: r.reason,
          production: r.production,
          at: r.at,
        })),
      };
    });
  }

  /**
   * Adds a store with the same validation as `latchkey store add` (a layout or address that could
   * only reach production is refused), checks the token against it, and keeps the token sealed.
   */
  async addStore(input: StoreInput): Promise<StoreView> {
    const config: StoreConfig = validateStoreConfig({
      name: input.name,
      kind: 'vault',
      addr: input.addr,
      mount: input.mount ?? 'secret',
      layout: input.layout ?? DEFAULT_LAYOUT,
      ...(input.namespace ? { namespace: input.namespace } : {}),
      filters: [],
      auth: { method: 'token' },
    });
    if (this.#stores.read().some((s) => s.name === config.name)) {
      throw new LatchkeyError(
        'STORE_EXISTS',
        `a store named '${config.name}' exists; remove it first or choose another name`,
      );
    }
    this.session.vault(); // LOCKED before anything is sent
    if (input.token !== undefined) {
      const token = Secret.fromString(input.token);
      try {
        await checkStoreAccess(config, token);
        await this.session.change((vault) => {
          this.session.audit({
            op: 'store',
            who: this.#who(),
            ref: `store:${config.name}`,
            result: 'ok',
            reason: 'added',
          });
          keepStoreToken(vault, config.name, token);
        });
      } finally {
        token.dispose();
      }
    } else {
      this.session.audit({
        op: 'store',
        who: this.#who(),
        ref: `store:${config.name}`,
        result: 'ok',
        reason: 'added',
      });
    }
    await this.#stores.write([...this.#stores.read(), config]);
    return this.listStores().find((s) => s.name === config.name)!;
  }

  /** Forgets a store, its token and the items synced from it. */
  async removeStore(name: string): Promise<StoreView[]> {
    this.#stores.get(name);
    await this.session.change((vault) => {
      this.session.audit({
        op: 'store',
        who: this.#who(),
        ref: `store:${name}`,
        result: 'ok',
        reason: 'removed',
      });
      return forgetStore(vault, name);
    });
    await this.#stores.write(this.#stores.read().filter((s) => s.name !== name));
    this.#lastErrors.delete(name);
    return this.listStores();
  }

  /** Syncs one store or all, saving once; progress arrives as 'syncProgress' events. */
  async syncNow(only?: string): Promise<SyncOutcome[]> {
    const configs = only === undefined ? this.#stores.read() : [this.#stores.get(only)];
    if (configs.length === 0) {
      throw new LatchkeyError(
        'STORE_NOT_FOUND',
        "no store is configured; add your team's store in Settings first",
      );
    }
    const busy = configs.find((c) => this.#syncing.has(c.name));
    if (busy) {
      throw new LatchkeyError('VAULT_BUSY', `store '${busy.name}' is syncing already; wait for it to finish`);
    }
    this.session.vault();
    for (const c of configs) this.#syncing.add(c.name);
    const who: AuditWho = { via: 'sync', pid: process.pid };
    try {
      const results = await this.session.change(
        async (vault) => {
          const out = [];
          for (const config of configs) {
            const settings: SyncSettings = {
              ...DEFAULT_SYNC_SETTINGS,
              ...this.#options.syncSettings,
              onProgress: (store, p) =>
                this.#emit('syncProgress', {
                  store,
                  listed: p.listed,
                  read: p.read,
                  total: p.total,
                  done: false,
                }),
            };
            const r = await syncStore(vault, config, settings);
            this.session.audit({
              op: 'sync',
              who,
              ref: `store:${config.name}`,
              result: r.ok ? 'ok' : 'error',
              ...(r.error ? { reason: r.error.code } : {}),
            });
            for (const f of r.ok ? r.refusals : [])
              this.session.audit({ op: 'refusal', who, ref: f.ref, result: 'refused', reason: f.rule });
            if (r.error)
              this.#lastErrors.set(config.name, { ...r.error, at: new Date(this.#now()).toISOString() });
            else this.#lastErrors.delete(config.name);
            const total = r.counts ? r.counts.added + r.counts.updated + r.counts.unchanged : 0;
            this.#emit('syncProgress', { store: config.name, listed: total, read: total, total, done: true });
            out.push(r);
          }
          return out;
        },
        (out) => out.some((r) => r.ok),
      );
      this.session.touch();
      return results.map((r) => ({
        store: r.store,
        ok: r.ok,
        added: r.counts?.added ?? 0,
        updated: r.counts?.updated ?? 0,
        removed: r.counts?.removed ?? 0,
        refused: r.refusals.length,
        ...(r.error ? { error: { code: r.error.code, message: r.error.message } } : {}),
        durationMs: r.durationMs,
      }));
    } finally {
      for (const c of configs) this.#syncing.delete(c.name);
    }
  }

  // ---- audit -------------------------------------------------------------------------------------

  readAudit(query: AuditQuery): AuditRow[] {
    this.session.vault(); // the log names refs: only while unlocked
    const entries = readAudit(this.store.paths.dir, {
      ...(query.since !== undefined ? { since: new Date(query.since) } : {}),
      ...(query.ref !== undefined ? { ref: query.ref } : {}),
      ...(query.op !== undefined ? { op: query.op } : {}),
      limit: query.limit ?? 1000,
    });
    return entries.reverse().map(auditRow);
  }

  verifyAudit(): AuditVerifyResult {
    const vault = this.session.vault();
    const key = vault.deriveAuditKey();
    try {
      const report = verifyAudit(this.store.paths.dir, key, readAuditAnchor(vault));
      return {
        ok: report.ok,
        lines: report.lines,
        ...(report.firstProblem ? { problem: problemText(report.firstProblem) } : {}),
      };
    } finally {
      key.fill(0);
    }
  }

  // ---- settings ----------------------------------------------------------------------------------

  async updateSettings(input: SettingsInput): Promise<AppState> {
    const next: AppSettings = { ...this.#settings, ...input };
    await this.#settingsFile.write(next);
    this.#settings = next;
    this.session.setLockAfter(next.autoLockMinutes * 60_000);
    const state = this.getState();
    this.#emit('state', state);
    return state;
  }

  shellSetup(): ShellSetup {
    return {
      bash: 'eval "$(latchkey shell-hook bash)"   # in ~/.bashrc',
      zsh: 'eval "$(latchkey shell-hook zsh)"    # in ~/.zshrc',
      fish: 'latchkey shell-hook fish | source    # in ~/.config/fish/config.fish',
    };
  }

  /** On quit: lock (dropping keys) and clear the clipboard if it holds our value. */
  async dispose(): Promise<void> {
    await this.#clipboard.clearIfOurs();
    if (!this.session.locked) this.session.lock('quit');
  }
}

function fieldRefText(r: { project: string; environment: string; item: string; field: string }): string {
  return `lk://${r.project}/${r.environment}/${r.item}/${r.field}`;
}

function summaryOf(i: ListedItem, known: ItemKnowledge | undefined, now: number): ItemSummary {
  return {
    ref: i.ref,
    project: i.project,
    environment: i.environment,
    item: i.item,
    fields: i.fields,
    source: i.source,
    version: i.version,
    updatedAt: i.updatedAt,
    overdue: isOverdue(known, i.updatedAt, now),
  };
}

function isOverdue(known: ItemKnowledge | undefined, updatedAt: string, now: number): boolean {
  if (known === undefined) return false;
  const at = Date.parse(updatedAt);
  return Number.isFinite(at) && now - at > known.rotateEveryMs;
}
