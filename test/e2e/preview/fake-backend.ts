/**
 * DEVELOPMENT PREVIEW ONLY — not the product, and not what end-to-end tests hold the UI to.
 *
 * An in-memory stand-in for main's handler table so the renderer can be developed and looked at
 * before (and beside) the real backend: 10,000 generated items, stores with refusals and a failure,
 * an audit log, and hostile strings (`<img src=x onerror=…>`, `<script>`) wherever the store or a
 * caller controls text. Values are fake test strings; nothing here touches a disk or the network.
 */
import type {
  AppState,
  AuditQuery,
  AuditRow,
  GrantPreview,
  GrantRequest,
  ItemDetail,
  ItemSummary,
  ProvisionResult,
  RefusedItem,
  RevokeRequest,
  StoreInput,
  StoreView,
  SyncOutcome,
  TeamGrant,
  TeamMember,
  TeamView,
  VaultPhase,
} from '../../../preload/api';
import type { UiBackend } from '../harness';

export const PREVIEW_PASSWORD = 'correct horse battery staple';
export const HOSTILE_IMG = '<img src=x onerror=alert(1)>';
export const HOSTILE_SCRIPT = '<script>alert("xss")</script>';

export interface FakeOptions {
  phase?: VaultPhase;
  itemCount?: number;
  stores?: boolean;
  audit?: boolean;
  /** How long a simulated sync takes. */
  syncMs?: number;
  /** Makes verifyAudit report a broken chain. */
  brokenChain?: boolean;
  lastLockReason?: string;
  /** The Team view's policies: a sample team (default), or none yet. */
  team?: 'sample' | 'none';
}

class FakeError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const NOW = Date.now();
const DAY = 86_400_000;

const PROJECTS = (
  'payments checkout billing identity search catalog inventory shipping notifications analytics ' +
  'reporting gateway mobile-api web-app admin-console onboarding loyalty pricing recommendations ' +
  'fraud support-desk email-service sms-service media uploads maps scheduler workflows audit-trail ' +
  'feature-flags ledger invoicing tax partners marketplace reviews chat video docs-site status-page ' +
  'data-pipeline ml-platform crm hr-portal wiki build-farm ci-runners observability edge-proxy'
).split(' ');
const SERVICES: readonly [string, readonly string[]][] = [
  ['stripe', ['secret_key', 'publishable_key', 'webhook_secret']],
  ['postgres', ['url', 'password']],
  ['redis', ['url']],
  ['sentry', ['dsn']],
  ['sendgrid', ['api_key']],
  ['twilio', ['account_sid', 'auth_token']],
  ['s3-uploads', ['access_key_id', 'secret_access_key']],
  ['github-app', ['app_id', 'private_key']],
  ['datadog', ['api_key', 'app_key']],
  ['auth0', ['client_id', 'client_secret']],
  ['kafka', ['bootstrap', 'sasl_password']],
  ['elastic', ['url', 'api_key']],
  ['openai', ['api_key']],
  ['slack-webhook', ['url']],
  ['algolia', ['app_id', 'admin_key']],
  ['mailgun', ['api_key']],
  ['pagerduty', ['routing_key']],
  ['launchdarkly', ['sdk_key']],
  ['mapbox', ['token']],
  ['segment', ['write_key']],
];
const VARIANTS = [
  '',
  '-eu',
  '-us',
  '-replica',
  '-readonly',
  '-batch',
  '-legacy',
  '-v2',
  '-canary',
  '-internal',
];

function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function generateItems(count: number): ItemDetail[] {
  const next = random(7);
  const items: ItemDetail[] = [];
  const environments = ['development', 'staging'];
  outer: for (const project of PROJECTS) {
    for (const environment of environments) {
      for (const variant of VARIANTS) {
        for (const [service, fields] of SERVICES) {
          if (items.length >= count) break outer;
          const item = `${service}${variant}`;
          const ageDays = Math.floor(next() * 140);
          const version = 1 + Math.floor(next() * 12);
          const local = next() < 0.02;
          const path = `teams/${project}/${environment}/${item}`;
          items.push({
            ref: `${project}/${environment}/${item}`,
            project,
            environment,
            item,
            fields,
            source: local ? 'local' : `corp:${path}`,
            version: local ? null : version,
            updatedAt: new Date(NOW - ageDays * DAY - Math.floor(next() * DAY)).toISOString(),
            overdue: ageDays > 90,
            ageDays,
            rotateEvery: '90d',
            ...(local ? {} : { store: 'corp', path }),
            ...(next() < 0.5
              ? { owner: `@${project}-team`, description: `${service} credentials for ${project}` }
              : {}),
            ...(!local && ageDays < 3 && version > 1
              ? { previous: { version: version - 1, until: new Date(NOW + 2 * DAY).toISOString() } }
              : {}),
          });
        }
      }
    }
  }
  return items;
}

function hostileItems(): ItemDetail[] {
  const base = {
    project: 'zz-hostile',
    environment: 'development',
    source: `corp:teams/zz-hostile/development/x`,
    store: 'corp',
    path: `teams/zz-hostile/development/${HOSTILE_IMG}`,
    version: 3,
    updatedAt: new Date(NOW - 120 * DAY).toISOString(),
    overdue: true,
    ageDays: 120,
    rotateEvery: '90d',
  };
  return [
    {
      ...base,
      ref: `zz-hostile/development/${HOSTILE_IMG}`,
      item: HOSTILE_IMG,
      fields: [HOSTILE_SCRIPT, 'api_key'],
      owner: `"><svg onload=alert(1)>`,
      description: `Description with ${HOSTILE_IMG} and ${HOSTILE_SCRIPT}`,
    },
    { ...base, ref: `zz-hostile/development/${HOSTILE_SCRIPT}`, item: HOSTILE_SCRIPT, fields: ['token'] },
  ];
}

function summary(detail: ItemDetail): ItemSummary {
  const { ref, project, environment, item, fields, source, version, updatedAt, overdue } = detail;
  return { ref, project, environment, item, fields, source, version, updatedAt, overdue };
}

function refusals(): RefusedItem[] {
  const at = new Date(NOW - 5 * 60_000).toISOString();
  return [
    {
      ref: 'payments/production/stripe',
      path: 'teams/payments/production/stripe',
      rule: 'production-name',
      reason: "the environment 'production' is a production name",
      production: true,
      at,
    },
    {
      ref: 'checkout/prod-eu/postgres',
      path: 'teams/checkout/prod-eu/postgres',
      rule: 'production-name',
      reason: "the environment 'prod-eu' contains the production word 'prod'",
      production: true,
      at,
    },
    {
      ref: 'billing/staging/stripe',
      path: 'teams/billing/staging/stripe',
      rule: 'live-credential',
      reason: "the field 'secret_key' holds a live Stripe key (sk_live_…) although the path says staging",
      production: true,
      at,
    },
    {
      ref: 'search/qa/elastic',
      path: 'teams/search/qa/elastic',
      rule: 'unknown-environment',
      reason: "the environment 'qa' is neither development nor staging",
      production: false,
      at,
    },
    {
      ref: `zz-hostile/development/${HOSTILE_IMG}`,
      path: `teams/zz-hostile/development/${HOSTILE_SCRIPT}`,
      rule: 'metadata-disagrees',
      reason: `custom_metadata environment=${HOSTILE_IMG} disagrees with the path`,
      production: false,
      at,
    },
  ];
}

function initialStores(): StoreView[] {
  return [
    {
      name: 'corp',
      addr: 'https://vault.corp.example:8200',
      mount: 'secret',
      layout: 'teams/{project}/{env}/{item}',
      auth: 'oidc',
      loggedIn: true,
      lastGoodSync: new Date(NOW - 5 * 60_000).toISOString(),
      syncing: false,
      refused: refusals(),
    },
    {
      name: 'legacy',
      addr: 'https://bao.legacy.example',
      mount: 'kv',
      layout: 'apps/{project}/{env}/{item}',
      namespace: 'eng',
      auth: 'token',
      loggedIn: false,
      lastGoodSync: new Date(NOW - 3 * DAY).toISOString(),
      lastError: {
        code: 'STORE_AUTH',
        message: `the token for 'legacy' was refused (403 permission denied) — sign in again ${HOSTILE_IMG}`,
        at: new Date(NOW - 40 * 60_000).toISOString(),
      },
      syncing: false,
      refused: [],
    },
  ];
}

function generateAudit(items: readonly ItemDetail[]): AuditRow[] {
  const next = random(11);
  const rows: AuditRow[] = [];
  const whos = [
    'gui',
    'cli (pid 4121, /usr/bin/node)',
    'run (pid 9377, ~/src/payments)',
    'shell (pid 2210, ~/src/checkout)',
    'sync',
  ];
  const ops = ['read', 'read', 'read', 'reveal', 'copy', 'sync', 'unlock', 'lock', 'refusal', 'denial'];
  for (let i = 0; i < 320; i++) {
    const op = ops[Math.floor(next() * ops.length)] ?? 'read';
    const item = items[Math.floor(next() * items.length)];
    const withRef = op !== 'unlock' && op !== 'lock' && op !== 'sync';
    const result = op === 'refusal' ? 'refused' : op === 'denial' ? 'denied' : 'ok';
    rows.push({
      seq: i + 1,
      time: new Date(NOW - (320 - i) * 17 * 60_000).toISOString(),
      who: op === 'sync' ? 'sync' : (whos[Math.floor(next() * (whos.length - 1))] ?? 'gui'),
      op,
      ...(withRef && item !== undefined ? { ref: item.ref } : {}),
      result,
      ...(result === 'denied' ? { reason: 'the repo is not allowed — run latchkey allow' } : {}),
      ...(result === 'refused' ? { reason: 'production environment' } : {}),
    });
  }
  rows.push({
    seq: 321,
    time: new Date(NOW - 60_000).toISOString(),
    who: `run (pid 1, ${HOSTILE_IMG})`,
    op: 'read',
    ref: `zz-hostile/development/${HOSTILE_SCRIPT}`,
    result: 'denied',
    reason: HOSTILE_IMG,
  });
  return rows;
}

const DEV_ENVIRONMENTS: Record<string, TeamGrant['environment']> = {
  development: 'development',
  dev: 'development',
  staging: 'staging',
  stage: 'staging',
  stg: 'staging',
};

function teamGrant(target: string, grantedDaysAgo: number, expiresInDays?: number): TeamGrant {
  const [project = '', env = ''] = target.split('/');
  const expires = expiresInDays === undefined ? undefined : new Date(NOW + expiresInDays * DAY).toISOString();
  return {
    target,
    project,
    env,
    environment: DEV_ENVIRONMENTS[env] ?? 'development',
    grantedAt: new Date(NOW - grantedDaysAgo * DAY).toISOString(),
    ...(expires !== undefined ? { expires } : {}),
    expired: expiresInDays !== undefined && expiresInDays <= 0,
  };
}

function member(developer: string, grants: TeamGrant[], extra: Partial<TeamMember> = {}): TeamMember {
  return {
    developer,
    policy: `latchkey-dev-${developer}`,
    grants,
    edited: false,
    productionPaths: [],
    ...extra,
  };
}

function sampleTeam(): TeamMember[] {
  return [
    member('alice', [
      teamGrant('payments/development', 40),
      teamGrant('payments/staging', 40),
      teamGrant('web/development', 12),
    ]),
    member('bob', [teamGrant('web/development', 27, 3), teamGrant('web/staging', 27, 60)]),
    member('carol', [teamGrant('payments/staging', 32, -2)]),
    member('dave', [teamGrant('payments/development', 90)], { edited: true }),
    member('eve', [teamGrant('web/development', 5)], {
      edited: true,
      productionPaths: [
        'secret/data/teams/payments/production/*',
        'secret/metadata/teams/payments/production/*',
      ],
    }),
    member('zed', [teamGrant(`${HOSTILE_IMG}/development`, 1)], { edited: true }),
  ];
}

/** The policy text the core renders for these grants (main/core/provision/policy-document.ts). */
function renderTeamPolicy(developer: string, grants: readonly TeamGrant[]): string {
  const sorted = [...grants].sort((a, b) => a.target.localeCompare(b.target));
  const meta = {
    v: 1,
    developer,
    mount: 'secret',
    layout: 'teams/{project}/{env}/{item}',
    grants: sorted.map((g) => ({
      project: g.project,
      env: g.env,
      grantedAt: g.grantedAt,
      ...(g.expires !== undefined ? { expires: g.expires } : {}),
    })),
  };
  const lines = [
    `# latchkey-managed: read and list on development and staging paths only, for ${developer}.`,
    "# Managed by 'latchkey grant' and 'latchkey revoke'; 'latchkey access' reports edits by hand.",
    `# latchkey-grants: ${JSON.stringify(meta)}`,
  ];
  for (const g of sorted) {
    lines.push('', `# ${g.target}${g.expires !== undefined ? ` (expires ${g.expires})` : ''}`);
    for (const kind of ['data', 'metadata'])
      lines.push(
        `path "secret/${kind}/teams/${g.project}/${g.env}/*" {`,
        '  capabilities = ["read", "list"]',
        '}',
      );
  }
  return `${lines.join('\n')}\n`;
}

/** The preview's fake backend: a `UiBackend` that keeps everything in memory. */
export class FakeBackend implements UiBackend {
  readonly calls: { method: string; args: unknown[]; frame: { url: string; isMainFrame: boolean } }[] = [];
  state: AppState;
  items: ItemDetail[];
  stores: StoreView[];
  audit: AuditRow[];
  team: TeamMember[];
  failures = 0;
  readonly #listeners = new Set<(name: string, data: unknown) => void>();
  readonly #options: FakeOptions;

  constructor(options: FakeOptions = {}) {
    this.#options = options;
    this.state = {
      phase: options.phase ?? 'locked',
      autoLockMinutes: 15,
      lockOnSleep: true,
      unlockBlockedUntil: 0,
      ...(options.lastLockReason === '' ? {} : { lastLockReason: options.lastLockReason ?? 'idle' }),
      vaultPath: '/home/dev/.local/share/latchkey/vault.lk',
      socketPath: '/run/user/1000/latchkey/agent.sock',
    };
    const count = options.itemCount ?? 10_000;
    this.items = count === 0 ? [] : [...generateItems(count - 2), ...hostileItems()];
    this.stores = options.stores === false ? [] : initialStores();
    this.audit = options.audit === false ? [] : generateAudit(this.items);
    this.team = options.team === 'none' ? [] : sampleTeam();
  }

  onEvent(listener: (name: string, data: unknown) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  emit(name: string, data: unknown): void {
    for (const listener of this.#listeners) listener(name, data);
  }

  #setState(patch: Partial<AppState>): AppState {
    this.state = { ...this.state, ...patch };
    this.emit('state', this.state);
    return this.state;
  }

  #unlocked(): void {
    if (this.state.phase !== 'unlocked')
      throw new FakeError('LOCKED', "the vault is locked — run 'latchkey unlock' or unlock the app");
  }

  #item(ref: unknown): ItemDetail {
    const found = this.items.find((item) => item.ref === ref);
    if (found === undefined) throw new FakeError('NOT_FOUND', `no item lk://${String(ref)} in the vault`);
    return found;
  }

  async call(
    method: string,
    args: unknown[],
    frame: { url: string; isMainFrame: boolean },
  ): Promise<unknown> {
    this.calls.push({ method, args, frame });
    await new Promise((resolve) => setTimeout(resolve, 5));
    const [a, b] = args;
    switch (method) {
      case 'getState':
        return this.state;
      case 'createVault':
        if (this.state.phase !== 'absent') throw new FakeError('VAULT_EXISTS', 'a vault already exists here');
        return this.#setState({ phase: 'unlocked' });
      case 'unlock': {
        if (Date.now() < this.state.unlockBlockedUntil) {
          return {
            ok: false,
            code: 'RATE_LIMITED',
            message: 'too many wrong passwords — wait before trying again',
            retryAfterMs: this.state.unlockBlockedUntil - Date.now(),
          };
        }
        if (a !== PREVIEW_PASSWORD) {
          this.failures++;
          const retryAfterMs = Math.min(60_000, 1000 * 2 ** (this.failures - 1));
          this.state = { ...this.state, unlockBlockedUntil: Date.now() + retryAfterMs };
          return {
            ok: false,
            code: 'WRONG_PASSWORD',
            message: 'WRONG_PASSWORD: that password does not open this vault',
            retryAfterMs,
          };
        }
        this.failures = 0;
        return { ok: true, state: this.#setState({ phase: 'unlocked', unlockBlockedUntil: 0 }) };
      }
      case 'lock':
        return this.#setState({ phase: 'locked', lastLockReason: 'requested' });
      case 'listItems':
        this.#unlocked();
        return this.items.map(summary);
      case 'itemDetail':
        this.#unlocked();
        return this.#item(a);
      case 'reveal': {
        this.#unlocked();
        const item = this.#item(a);
        const value =
          item.project === 'zz-hostile'
            ? `${HOSTILE_SCRIPT}${HOSTILE_IMG}`
            : `test_${String(b)}_${item.item.replace(/[^a-z0-9]/g, '')}_4eC39HqLyjWDarjtT1zdp7dc`;
        return { value, hideAfterMs: 30_000 };
      }
      case 'copy':
        this.#unlocked();
        this.#item(a);
        return { clearAfterMs: 30_000 };
      case 'listStores':
        this.#unlocked();
        return this.stores;
      case 'addStore':
        return this.#addStore(a as StoreInput);
      case 'removeStore':
        if (!this.stores.some((s) => s.name === a))
          throw new FakeError('STORE_UNKNOWN', `no store named '${String(a)}'`);
        this.stores = this.stores.filter((s) => s.name !== a);
        return this.stores;
      case 'syncNow':
        return this.#sync(typeof a === 'string' ? a : undefined);
      case 'readAudit':
        return this.#readAudit(a ?? {});
      case 'verifyAudit':
        return this.#options.brokenChain === true
          ? {
              ok: false,
              lines: this.audit.length,
              problem:
                'line 57: its HMAC does not follow from line 56 — the line was edited, or one before it removed',
            }
          : { ok: true, lines: this.audit.length };
      case 'updateSettings': {
        const settings = (a ?? {}) as { autoLockMinutes?: number; lockOnSleep?: boolean };
        if (
          settings.autoLockMinutes !== undefined &&
          (settings.autoLockMinutes < 1 || settings.autoLockMinutes > 1440)
        ) {
          throw new FakeError('INVALID_SETTING', 'auto-lock must be between 1 and 1440 minutes');
        }
        return this.#setState(settings);
      }
      case 'shellSetup':
        return {
          bash: 'eval "$(latchkey shell-hook bash)"',
          zsh: 'eval "$(latchkey shell-hook zsh)"',
          fish: 'latchkey shell-hook fish | source',
        };
      case 'teamAccess':
        return this.#teamAccess(typeof a === 'string' ? a : undefined);
      case 'previewGrant':
        return this.#previewGrant(a as GrantRequest);
      case 'grant':
        return this.#grant(a as GrantRequest);
      case 'revoke':
        return this.#revoke(a as RevokeRequest);
      default:
        throw new FakeError('INVALID_ARGUMENT', `no call named '${method}'`);
    }
  }

  #addStore(input: StoreInput): StoreView {
    if (!/^[a-z][a-z0-9-]{0,31}$/.test(input.name)) {
      throw new FakeError(
        'INVALID_ARGUMENT',
        'a store name is lower-case letters, digits and -, starting with a letter',
      );
    }
    if (this.stores.some((s) => s.name === input.name)) {
      throw new FakeError(
        'STORE_EXISTS',
        `a store named '${input.name}' already exists — pick another name or remove it first`,
      );
    }
    if (!input.addr.startsWith('https://')) {
      throw new FakeError(
        'INSECURE_ADDRESS',
        `the address '${input.addr}' is not https:// — Latchkey only talks to stores over TLS`,
      );
    }
    const store: StoreView = {
      name: input.name,
      addr: input.addr,
      mount: input.mount ?? 'secret',
      layout: input.layout ?? 'teams/{project}/{env}/{item}',
      ...(input.namespace !== undefined ? { namespace: input.namespace } : {}),
      auth: 'token',
      loggedIn: input.token !== undefined,
      syncing: false,
      refused: [],
    };
    this.stores = [...this.stores, store];
    return store;
  }

  async #sync(only: string | undefined): Promise<SyncOutcome[]> {
    this.#unlocked();
    const targets = this.stores.filter((s) => only === undefined || s.name === only);
    const total = 480;
    const steps = 12;
    const stepMs = (this.#options.syncMs ?? 2400) / steps;
    this.stores = this.stores.map((s) => (targets.includes(s) ? { ...s, syncing: true } : s));
    for (let step = 0; step <= steps; step++) {
      for (const store of targets) {
        const listing = step < 3;
        this.emit('syncProgress', {
          store: store.name,
          listed: listing ? step * 160 : total,
          read: listing ? 0 : Math.round(((step - 3) / (steps - 3)) * total),
          total: listing ? 0 : total,
          done: step === steps,
        });
      }
      await new Promise((resolve) => setTimeout(resolve, stepMs));
    }
    const at = new Date().toISOString();
    const outcomes: SyncOutcome[] = targets.map((store) =>
      store.loggedIn
        ? {
            store: store.name,
            ok: true,
            added: 3,
            updated: 12,
            removed: 1,
            refused: store.refused.length,
            durationMs: 2412,
          }
        : {
            store: store.name,
            ok: false,
            added: 0,
            updated: 0,
            removed: 0,
            refused: 0,
            error: {
              code: 'STORE_AUTH',
              message: `the token for '${store.name}' was refused (403) — run 'latchkey store login ${store.name}'`,
            },
            durationMs: 310,
          },
    );
    this.stores = this.stores.map((s) => {
      if (!targets.some((t) => t.name === s.name)) return s;
      const outcome = outcomes.find((o) => o.store === s.name);
      return outcome?.ok === true
        ? { ...s, syncing: false, lastGoodSync: at, lastError: undefined }
        : {
            ...s,
            syncing: false,
            lastError: {
              code: outcome?.error?.code ?? 'SYNC_FAILED',
              message: outcome?.error?.message ?? 'failed',
              at,
            },
          };
    });
    return outcomes;
  }

  #teamStore(name: string | undefined): StoreView {
    this.#unlocked();
    if (this.stores.length === 0)
      throw new FakeError(
        'STORE_NOT_FOUND',
        "no store is configured; add your team's store in Settings first",
      );
    const store = name === undefined ? this.stores[0] : this.stores.find((s) => s.name === name);
    if (store === undefined) throw new FakeError('STORE_NOT_FOUND', `no store named '${String(name)}'`);
    return store;
  }

  async #teamAccess(name: string | undefined): Promise<TeamView> {
    const store = this.#teamStore(name);
    await new Promise((resolve) => setTimeout(resolve, 120));
    return { store: store.name, members: this.team };
  }

  /** The new grants a request gives, checked like the core: dev and staging only, plain names. */
  #planGrant(request: GrantRequest): { before: TeamGrant[]; after: TeamGrant[] } {
    if (!/^[a-z0-9][a-z0-9._-]{0,62}$/.test(request.developer))
      throw new FakeError('USAGE', `'${request.developer}' is not a developer name Latchkey can use`);
    const current = this.team.find((m) => m.developer === request.developer);
    if (current?.edited === true && request.replace !== true) {
      throw new FakeError(
        'POLICY_EDITED',
        `the policy 'latchkey-dev-${request.developer}' was edited by hand since Latchkey wrote it; merging would overwrite those edits — review it ('latchkey access'), then pass --replace to rewrite it from Latchkey's grants; nothing was written`,
      );
    }
    const days =
      request.expires === undefined
        ? undefined
        : Number(request.expires.slice(0, -1)) * ({ h: 1 / 24, d: 1, w: 7 }[request.expires.slice(-1)] ?? 1);
    const added = request.targets.map((target) => {
      const [project = '', env = ''] = target.split('/');
      if (/[*+?{}[\]]/.test(target))
        throw new FakeError(
          'PRODUCTION_REFUSED',
          `'${target}' has a wildcard; grants name one project and one environment, never a pattern`,
        );
      if (DEV_ENVIRONMENTS[env] === undefined)
        throw new FakeError(
          'PRODUCTION_REFUSED',
          `'${project}/${env}': the environment '${env}' is not development or staging. Latchkey grants only development and staging; nothing was granted`,
        );
      return teamGrant(target, 0, days);
    });
    const before = request.replace === true ? [] : [...(current?.grants ?? [])];
    const byTarget = new Map(before.map((g) => [g.target, g]));
    for (const g of added) byTarget.set(g.target, g);
    return { before: [...(current?.grants ?? [])], after: [...byTarget.values()] };
  }

  async #previewGrant(request: GrantRequest): Promise<GrantPreview> {
    this.#teamStore(request.store);
    const plan = this.#planGrant(request);
    await new Promise((resolve) => setTimeout(resolve, 150));
    const policy = `latchkey-dev-${request.developer}`;
    return {
      policy,
      text: renderTeamPolicy(request.developer, plan.after),
      calls: [
        `PUT /v1/sys/policies/acl/${policy} (the policy above)`,
        `POST /v1/identity/entity/name/${request.developer} policies=[${policy}]`,
        `POST /v1/auth/userpass/users/${request.developer}/policies token_policies=[${policy}]`,
        ...(request.invite === true ? [`POST /v1/auth/token/create policies=[${policy}] wrap 24h`] : []),
      ],
      before: plan.before.map((g) => g.target).sort(),
      after: plan.after.map((g) => g.target).sort(),
    };
  }

  async #grant(request: GrantRequest): Promise<ProvisionResult> {
    const store = this.#teamStore(request.store);
    const plan = this.#planGrant(request);
    await new Promise((resolve) => setTimeout(resolve, 250));
    const next = member(request.developer, plan.after);
    this.team = [...this.team.filter((m) => m.developer !== request.developer), next].sort((a, b) =>
      a.developer.localeCompare(b.developer),
    );
    const only = request.targets.map((t) => ` --only ${t}`).join('');
    return {
      developer: request.developer,
      before: plan.before.map((g) => g.target).sort(),
      after: plan.after.map((g) => g.target).sort(),
      ...(request.invite === true
        ? {
            inviteCommand: `latchkey store add ${store.name} --addr ${store.addr} --mount ${store.mount} --layout '${store.layout}'${only} --wrapped-token hvs.CAESIPreviewOnlyWrappingTokenXyZ0123456789abcdef`,
          }
        : {}),
    };
  }

  async #revoke(request: RevokeRequest): Promise<ProvisionResult> {
    this.#teamStore(request.store);
    const current = this.team.find((m) => m.developer === request.developer);
    const before = (current?.grants ?? []).map((g) => g.target).sort();
    if (current?.edited === true && request.targets !== undefined) {
      throw new FakeError(
        'POLICY_EDITED',
        `the policy '${current.policy}' was edited by hand since Latchkey wrote it; revoking part of it would overwrite those edits — review it ('latchkey access'), then pass --replace to rewrite it from Latchkey's grants; nothing was written`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    const drop = new Set(request.targets ?? before);
    const remaining = (current?.grants ?? []).filter((g) => !drop.has(g.target));
    this.team =
      remaining.length === 0
        ? this.team.filter((m) => m.developer !== request.developer)
        : this.team.map((m) => (m.developer === request.developer ? { ...m, grants: remaining } : m));
    return { developer: request.developer, before, after: remaining.map((g) => g.target).sort() };
  }

  #readAudit(query: AuditQuery): AuditRow[] {
    let rows = this.audit;
    if (query.ref !== undefined) rows = rows.filter((row) => row.ref?.includes(query.ref ?? '') ?? false);
    if (query.op !== undefined) rows = rows.filter((row) => row.op === query.op);
    if (query.since !== undefined) {
      const since = Date.parse(query.since);
      rows = rows.filter((row) => Date.parse(row.time) >= since);
    }
    return rows.slice(-(query.limit ?? 200));
  }
}
