/**
 * The one IPC contract between the renderer and the main process: everything the UI may ask of the
 * app is a member of `LatchkeyApi`, exposed by preload.ts as `window.latchkey`. Main's handler table
 * (`{ [K in keyof LatchkeyCalls]: Handler<K> }`), the preload's object and the end-to-end harness are
 * all typed against this file, so a call is added here first and the compiler finds the rest.
 * The renderer imports types from this file only (and the plain constants below).
 *
 * Everything that crosses is plain data (structured-cloneable): no functions, no class instances,
 * no Electron objects. Only `reveal` ever carries a secret value, and only when the user asked.
 */

/** Where the app is: no vault yet (first run), locked, or unlocked. */
export type VaultPhase = 'absent' | 'locked' | 'unlocked';

export interface AppState {
  readonly phase: VaultPhase;
  /** Auto-lock after this many minutes without use (system idle time in the app). */
  readonly autoLockMinutes: number;
  readonly lockOnSleep: boolean;
  /** After repeated wrong passwords: unlock is refused until this time (ms since epoch), else 0. */
  readonly unlockBlockedUntil: number;
  /**
   * Why the vault last locked, if it did: 'requested' (Lock), 'idle' (auto-lock minutes), 'suspend',
   * 'screen-locked', 'quit' or 'stopping'; show anything else as it is.
   */
  readonly lastLockReason?: string;
  readonly vaultPath: string;
  readonly socketPath: string;
}

export type UnlockResult =
  | { readonly ok: true; readonly state: AppState }
  | {
      readonly ok: false;
      readonly code: 'WRONG_PASSWORD' | 'RATE_LIMITED';
      /** A sentence for the person, without the code. */
      readonly message: string;
      /** Wait this long before the next attempt is accepted (grows with each failure). */
      readonly retryAfterMs: number;
    };

/** One item as the Secrets list shows it: names and provenance, never a value. */
export interface ItemSummary {
  /** `lk://project/environment/item` */
  readonly ref: string;
  readonly project: string;
  readonly environment: string;
  readonly item: string;
  readonly fields: readonly string[];
  /** 'local', or `store:path` for a synced item. */
  readonly source: string;
  readonly version: number | null;
  /** ISO time of the last change (upstream for a synced item). */
  readonly updatedAt: string;
  /** A rotation warning: the item is older than its `rotate_every` (from a known latchkey.yml). */
  readonly overdue: boolean;
}

export interface ItemDetail extends ItemSummary {
  readonly store?: string;
  readonly path?: string;
  /** From latchkey.yml where a known project declares a variable with this ref. */
  readonly owner?: string;
  readonly description?: string;
  /** e.g. '90d', from latchkey.yml. */
  readonly rotateEvery?: string;
  /** Days since the last change. */
  readonly ageDays: number;
  /** The version before the last change, while its grace period lasts. */
  readonly previous?: { readonly version: number | null; readonly until: string };
}

export interface RevealedValue {
  readonly value: string;
  /** The UI hides the value again after this long. */
  readonly hideAfterMs: number;
}

export interface CopyResult {
  /** The clipboard is cleared after this long if it still holds the value. */
  readonly clearAfterMs: number;
}

export interface RefusedItem {
  readonly ref: string;
  readonly path: string;
  readonly rule: string;
  readonly reason: string;
  readonly production: boolean;
  readonly at: string;
}

export interface StoreView {
  readonly name: string;
  readonly addr: string;
  readonly mount: string;
  readonly layout: string;
  readonly namespace?: string;
  readonly auth: 'token' | 'userpass' | 'oidc';
  readonly loggedIn: boolean;
  readonly lastGoodSync?: string;
  /** The last sync's failure, in words, if the last sync failed. */
  readonly lastError?: { readonly code: string; readonly message: string; readonly at: string };
  readonly syncing: boolean;
  readonly refused: readonly RefusedItem[];
}

/** What the Settings view may add: the same fields and validation as `latchkey store add`. */
export interface StoreInput {
  readonly name: string;
  readonly addr: string;
  readonly mount?: string;
  readonly layout?: string;
  readonly namespace?: string;
  /** A token to log in with at once (kept sealed in the vault, never in stores.json). */
  readonly token?: string;
}

export interface SyncOutcome {
  readonly store: string;
  readonly ok: boolean;
  readonly added: number;
  readonly updated: number;
  readonly removed: number;
  readonly refused: number;
  readonly error?: { readonly code: string; readonly message: string };
  readonly durationMs: number;
}

export interface SyncProgressEvent {
  readonly store: string;
  readonly listed: number;
  readonly read: number;
  readonly total: number;
  readonly done: boolean;
}

/** `readAudit` returns the newest `limit` (default 1000) matching lines, newest first. */
export interface AuditQuery {
  /** ISO 8601 time: only lines at or after it. */
  readonly since?: string;
  /** Only lines on this ref or under it (`lk://payments/development` matches its items). */
  readonly ref?: string;
  /** Only lines with this op ('read', 'unlock', 'sync', 'refusal', 'denial', …). */
  readonly op?: string;
  readonly limit?: number;
}

export interface AuditRow {
  readonly seq: number;
  readonly time: string;
  /** e.g. 'gui', 'cli (pid 123, /usr/bin/node)', 'run (pid 9, ~/src/app)'. */
  readonly who: string;
  readonly op: string;
  readonly ref?: string;
  readonly result: string;
  readonly reason?: string;
}

export interface AuditVerifyResult {
  readonly ok: boolean;
  readonly lines: number;
  /** In words, when not ok: which line and what is wrong with it. */
  readonly problem?: string;
}

export interface SettingsInput {
  readonly autoLockMinutes?: number;
  readonly lockOnSleep?: boolean;
}

export interface ShellSetup {
  readonly bash: string;
  readonly zsh: string;
  readonly fish: string;
}

/** One grant in the Team view. */
export interface TeamGrant {
  /** `project/env` */
  readonly target: string;
  readonly project: string;
  readonly env: string;
  readonly environment: 'development' | 'staging';
  readonly grantedAt: string;
  readonly expires?: string;
  readonly expired: boolean;
}

export interface TeamMember {
  readonly developer: string;
  readonly policy: string;
  readonly grants: readonly TeamGrant[];
  /** The policy is not exactly what Latchkey wrote (edited by hand, or foreign). */
  readonly edited: boolean;
  /** Paths in the policy that reach production or an unknown environment. */
  readonly productionPaths: readonly string[];
}

export interface TeamView {
  readonly store: string;
  readonly members: readonly TeamMember[];
}

/** A grant the Team view asks for (the same checks as `latchkey grant`). */
export interface GrantRequest {
  /** Default: the only store. */
  readonly store?: string;
  readonly developer: string;
  /** `project/env` each. */
  readonly targets: readonly string[];
  /** A duration like `30d`, `12h`, `2w`. */
  readonly expires?: string;
  readonly replace?: boolean;
  /** Also create a single-use wrapped token and return the developer's command. */
  readonly invite?: boolean;
}

export interface RevokeRequest {
  readonly store?: string;
  readonly developer: string;
  /** `project/env` each; absent: everything. */
  readonly targets?: readonly string[];
}

/** A dry run: the policy text and the writes it would send. Nothing was sent. */
export interface GrantPreview {
  readonly policy: string;
  readonly text: string;
  readonly calls: readonly string[];
  readonly before: readonly string[];
  readonly after: readonly string[];
}

export interface ProvisionResult {
  readonly developer: string;
  readonly before: readonly string[];
  readonly after: readonly string[];
  /** With `invite`: the one command the developer runs (it holds a single-use wrapping token). */
  readonly inviteCommand?: string;
}

/** A failure a handler reports: the stable code and the sentence, as the CLI prints them. */
export interface ApiErrorShape {
  readonly code: string;
  readonly message: string;
}

/** The calls: each returns a promise of plain data, or rejects with an `ApiErrorShape`-like error. */
export interface LatchkeyCalls {
  getState(): Promise<AppState>;
  /** First run: create the vault. The password is read once from an uncontrolled input. */
  createVault(password: string): Promise<AppState>;
  unlock(password: string): Promise<UnlockResult>;
  lock(): Promise<AppState>;
  listItems(): Promise<ItemSummary[]>;
  itemDetail(ref: string): Promise<ItemDetail>;
  /** Rate-limited and audited. */
  reveal(ref: string, field: string): Promise<RevealedValue>;
  /** Done by the main process; rate-limited and audited; the clipboard is cleared later. */
  copy(ref: string, field: string): Promise<CopyResult>;
  listStores(): Promise<StoreView[]>;
  addStore(input: StoreInput): Promise<StoreView>;
  removeStore(name: string): Promise<StoreView[]>;
  syncNow(store?: string): Promise<SyncOutcome[]>;
  readAudit(query: AuditQuery): Promise<AuditRow[]>;
  verifyAudit(): Promise<AuditVerifyResult>;
  updateSettings(settings: SettingsInput): Promise<AppState>;
  shellSetup(): Promise<ShellSetup>;
  /** Team leads: who can read what, from the Latchkey-managed policies in the store. */
  teamAccess(store?: string): Promise<TeamView>;
  /** Team leads: the policy a grant would write, and its calls; nothing is sent. */
  previewGrant(request: GrantRequest): Promise<GrantPreview>;
  grant(request: GrantRequest): Promise<ProvisionResult>;
  revoke(request: RevokeRequest): Promise<ProvisionResult>;
}

/** Events main pushes to the page; each listener gets plain data only (never the IPC event). */
export interface LatchkeyEvents {
  state: AppState;
  syncProgress: SyncProgressEvent;
}

export type Unsubscribe = () => void;

export interface LatchkeyApi extends LatchkeyCalls {
  /** The app's version, from package.json (e.g. "0.1.0"); "unknown" if main did not pass it. */
  readonly version: string;
  on<E extends keyof LatchkeyEvents>(event: E, listener: (data: LatchkeyEvents[E]) => void): Unsubscribe;
}

/** Every call's name, in one list: the preload builds its object from it, main registers it. */
export const CALL_NAMES = [
  'getState',
  'createVault',
  'unlock',
  'lock',
  'listItems',
  'itemDetail',
  'reveal',
  'copy',
  'listStores',
  'addStore',
  'removeStore',
  'syncNow',
  'readAudit',
  'verifyAudit',
  'updateSettings',
  'shellSetup',
  'teamAccess',
  'previewGrant',
  'grant',
  'revoke',
] as const satisfies readonly (keyof LatchkeyCalls)[];

export type CallName = (typeof CALL_NAMES)[number];
/** Fails to compile when a call of `LatchkeyCalls` is missing from `CALL_NAMES`. */
export const CALL_NAMES_COMPLETE: [Exclude<keyof LatchkeyCalls, CallName>] extends [never] ? true : never =
  true;

/** The IPC channel of a call, and the one channel events arrive on. */
export const CALL_CHANNEL_PREFIX = 'latchkey:';
export const EVENT_CHANNEL = 'latchkey:event';
export const EVENT_NAMES = ['state', 'syncProgress'] as const satisfies readonly (keyof LatchkeyEvents)[];

/**
 * The renderer-process argument through which main hands the preload the app version
 * (`webPreferences.additionalArguments`); the sandboxed preload has no file access of its own.
 */
export const VERSION_ARGUMENT = '--latchkey-version=';

declare global {
  interface Window {
    readonly latchkey: LatchkeyApi;
  }
}
