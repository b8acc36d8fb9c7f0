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
import { isLatchkeyError } from '../../core/errors';
import {
  chooseStore,
  createInvite,
  describeCall,
  expiryFrom,
  grantAccess,
  isExpired,
  parseTarget,
  policyNameOf,
  reviewAccess,
  revokeAccess,
  targetKey,
  withStoreCalls,
  type GrantTarget,
  type ProvisionScope,
  type StoreCalls,
} from '../../core/provision';
import type { StoreConfig, StoreConfigFile } from '../../core/sync/store-config';

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
    return chooseStore(this.stores.read(), name, {
      none: "no store is configured; add your team's store in Settings first",
      many: 'choose the store to provision',
    });
  }

  async #with<T>(
    config: StoreConfig,
    dryRun: boolean,
    work: (calls: StoreCalls, scope: ProvisionScope) => Promise<T>,
  ): Promise<T> {
    const scope: ProvisionScope = {
      mount: config.mount,
      layout: config.layout,
      userpassMount: 'userpass',
      now: new Date(this.now()),
    };
    try {
      return await withStoreCalls(this.session.vault(), config, dryRun, (calls) => work(calls, scope));
    } finally {
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
      if (request.invite) await createInvite(calls, outcome.policy, config, targets);
      return {
        policy: outcome.policy,
        text: outcome.text ?? '',
        calls: calls.calls.map(describeCall),
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
      const inviteCommand = request.invite
        ? await createInvite(calls, outcome.policy, config, targets)
        : undefined;
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
