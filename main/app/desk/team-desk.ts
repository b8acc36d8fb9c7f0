/**
 * The Team view's backend: the same provisioning as `latchkey grant`, `revoke` and `access`
 * (main/core/provision), with the lead's store token from the unlocked vault and every grant,
 * revoke and refusal in the audit log (via gui).
 */
import type {
  GrantPreview,
  GrantRequest,
  ProvisionResult,
  RevokeRequest,
  TeamView,
} from '../../../preload/api';
import type { VaultSession } from '../../core/agent/vault-session';
import type { AuditWho } from '../../core/audit';
import { LatchkeyError, isLatchkeyError } from '../../core/errors';
import {
  StoreCalls,
  expiryFrom,
  grantAccess,
  isExpired,
  parseTarget,
  policyNameOf,
  reviewAccess,
  revokeAccess,
  targetKey,
  type GrantTarget,
  type ProvisionScope,
} from '../../core/provision';
import type { StoreConfig, StoreConfigFile } from '../../core/sync/store-config';
import { DEFAULT_SYNC_SETTINGS, storeApi, tokenKey } from '../../core/sync/sync-store';

const INVITE_WRAP_TTL = '24h';
const INVITE_TOKEN_TTL = '720h';

export class TeamDesk {
  constructor(
    private readonly session: VaultSession,
    private readonly stores: StoreConfigFile,
    private readonly now: () => number,
  ) {}

  #who(): AuditWho {
    return { via: 'gui', pid: process.pid };
  }

  #store(name: string | undefined): StoreConfig {
    if (name !== undefined) return this.stores.get(name);
    const all = this.stores.read();
    if (all.length === 1) return all[0]!;
    throw new LatchkeyError(
      'STORE_NOT_FOUND',
      all.length === 0
        ? "no store is configured; add your team's store in Settings first"
        : 'choose the store to provision',
    );
  }

  async #with<T>(
    config: StoreConfig,
    dryRun: boolean,
    work: (calls: StoreCalls, scope: ProvisionScope) => Promise<T>,
  ): Promise<T> {
    const vault = this.session.vault();
    const token = vault.readSystemSecret(tokenKey(config.name));
    if (token === undefined) {
      throw new LatchkeyError(
        'STORE_AUTH_FAILED',
        `there is no token for store '${config.name}'; run 'latchkey store login ${config.name}'`,
      );
    }
    const api = storeApi(config, DEFAULT_SYNC_SETTINGS);
    try {
      api.useToken(token.reveal().toString('utf8'));
      token.dispose();
      const scope: ProvisionScope = {
        mount: config.mount,
        layout: config.layout,
        userpassMount: 'userpass',
        now: new Date(this.now()),
      };
      return await work(new StoreCalls(api, dryRun), scope);
    } finally {
      token.dispose();
      api.close();
      this.session.touch();
    }
  }

  /** Parses the request's targets; a refusal is audited before it is thrown. */
  #targets(developer: string, texts: readonly string[], config: StoreConfig): GrantTarget[] {
    try {
      policyNameOf(developer);
      return texts.map((t) => parseTarget(t));
    } catch (error) {
      if (isLatchkeyError(error, 'PRODUCTION_REFUSED')) {
        this.session.audit({
          op: 'refusal',
          who: this.#who(),
          ref: `grant:${developer.slice(0, 64)}@${config.name}`,
          result: 'refused',
          reason: 'PRODUCTION_REFUSED',
        });
      }
      throw error;
    }
  }

  async teamAccess(store?: string): Promise<TeamView> {
    const config = this.#store(store);
    const now = new Date(this.now());
    const rows = await this.#with(config, false, (calls, scope) => reviewAccess(calls, scope));
    return {
      store: config.name,
      members: rows.map((r) => ({
        developer: r.developer,
        policy: r.policy,
        edited: r.edited,
        productionPaths: [...r.productionPaths],
        grants: r.grants.map((g) => ({
          target: targetKey(g),
          project: g.project,
          env: g.env,
          environment: g.environment,
          grantedAt: g.grantedAt,
          ...(g.expires ? { expires: g.expires } : {}),
          expired: isExpired(g, now),
        })),
      })),
    };
  }

  async previewGrant(request: GrantRequest): Promise<GrantPreview> {
    const config = this.#store(request.store);
    const targets = this.#targets(request.developer, request.targets, config);
    const expires = request.expires ? expiryFrom(request.expires, new Date(this.now())) : undefined;
    return this.#with(config, true, async (calls, scope) => {
      const outcome = await grantAccess(calls, request.developer, targets, scope, {
        ...(expires ? { expires } : {}),
        replace: request.replace === true,
      });
      if (request.invite) await calls.createWrappedToken([outcome.policy], INVITE_TOKEN_TTL, INVITE_WRAP_TTL);
      return {
        policy: outcome.policy,
        text: outcome.text ?? '',
        calls: calls.calls.map((c) => `${c.method} /v1/${c.path}${c.summary ? ` ${c.summary}` : ''}`),
        before: outcome.before,
        after: outcome.after,
      };
    });
  }

  async grant(request: GrantRequest): Promise<ProvisionResult> {
    const config = this.#store(request.store);
    const targets = this.#targets(request.developer, request.targets, config);
    const expires = request.expires ? expiryFrom(request.expires, new Date(this.now())) : undefined;
    const ref = `grant:${request.developer}@${config.name}`;
    return this.#with(config, false, async (calls, scope) => {
      let outcome;
      try {
        outcome = await grantAccess(calls, request.developer, targets, scope, {
          ...(expires ? { expires } : {}),
          replace: request.replace === true,
        });
      } catch (error) {
        if (isLatchkeyError(error, 'PRODUCTION_REFUSED'))
          this.session.audit({
            op: 'refusal',
            who: this.#who(),
            ref,
            result: 'refused',
            reason: 'PRODUCTION_REFUSED',
          });
        throw error;
      }
      for (const t of targets)
        this.session.audit({
          op: 'grant',
          who: this.#who(),
          ref: `${ref}:${targetKey(t)}`,
          result: 'ok',
          reason: expires ? `until:${expires}` : 'granted',
        });
      let inviteCommand: string | undefined;
      if (request.invite) {
        const invite = await calls.createWrappedToken([outcome.policy], INVITE_TOKEN_TTL, INVITE_WRAP_TTL);
        if (invite) {
          const only = targets.map((t) => ` --only ${targetKey(t)}`).join('');
          inviteCommand =
            `latchkey store add ${config.name} --addr ${config.addr} --mount ${config.mount} --layout '${config.layout}'` +
            `${config.namespace ? ` --namespace ${config.namespace}` : ''}${only} --wrapped-token ${invite.token}`;
        }
      }
      return {
        developer: request.developer,
        before: outcome.before,
        after: outcome.after,
        ...(inviteCommand ? { inviteCommand } : {}),
      };
    });
  }

  async revoke(request: RevokeRequest): Promise<ProvisionResult> {
    const config = this.#store(request.store);
    policyNameOf(request.developer);
    const targets = request.targets?.map((t) => parseTarget(t));
    return this.#with(config, false, async (calls, scope) => {
      const outcome = await revokeAccess(calls, request.developer, scope, targets ? { targets } : {});
      const removed = outcome.before.filter((k) => !outcome.after.includes(k));
      for (const k of removed)
        this.session.audit({
          op: 'revoke',
          who: this.#who(),
          ref: `grant:${request.developer}@${config.name}:${k}`,
          result: 'ok',
          reason: 'revoked',
        });
      return { developer: request.developer, before: outcome.before, after: outcome.after };
    });
  }
}
