/**
 * The central store's admin API as provisioning needs it (docs/provisioning.md lists each call):
 * ACL policies, identity entities and aliases, userpass users' token policies, wrapped tokens.
 * Every write goes through `write`, so a dry run records the calls instead of sending them while
 * the reads it needs to plan still happen.
 */
import { LatchkeyError } from '../errors';
import type { VaultApi } from '../sync/vault-kv/vault-api';

export interface PlannedCall {
  readonly method: 'PUT' | 'POST' | 'DELETE';
  readonly path: string;
  /** What is sent, as shown in a dry run (a policy's text is shown separately). */
  readonly summary: string;
}

/** A planned call as a dry run prints it: `PUT /v1/sys/policies/acl/latchkey-dev-alice {…}`. */
export function describeCall(c: PlannedCall): string {
  return `${c.method} /v1/${c.path}${c.summary ? ` ${c.summary}` : ''}`;
}

function obj(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
    ? (v as Record<string, unknown>)
    : undefined;
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

export interface EntityInfo {
  readonly id: string;
  readonly policies: string[];
  readonly aliasAccessors: string[];
}

export class StoreCalls {
  /** Writes not sent (dry run) or sent, in order. */
  readonly calls: PlannedCall[] = [];

  constructor(
    private readonly api: VaultApi,
    private readonly dryRun: boolean,
  ) {}

  async #write(call: PlannedCall, body: unknown): Promise<Record<string, unknown> | undefined> {
    this.calls.push(call);
    if (this.dryRun) return undefined;
    const { envelope } = await this.api.call(call.method, call.path, `${call.method} ${call.path}`, {
      ...(body === undefined ? {} : { body }),
      retry: false,
      allow404: false,
    });
    return envelope as Record<string, unknown> | undefined;
  }

  async readPolicy(name: string): Promise<string | undefined> {
    const { status, envelope } = await this.api.call(
      'GET',
      `sys/policies/acl/${name}`,
      `reading the policy ${name}`,
    );
    if (status === 404) return undefined;
    const policy = obj(envelope?.data)?.policy;
    if (typeof policy !== 'string')
      throw this.api.protocolError(`reading the policy ${name}`, 'no policy text');
    return policy;
  }

  async listPolicies(): Promise<string[]> {
    const { status, envelope } = await this.api.call(
      'GET',
      'sys/policies/acl?list=true',
      'listing the ACL policies',
    );
    if (status === 404) return [];
    return strings(obj(envelope?.data)?.keys);
  }

  writePolicy(name: string, text: string): Promise<unknown> {
    return this.#write(
      {
        method: 'PUT',
        path: `sys/policies/acl/${name}`,
        summary: `{"policy": <the HCL above, ${text.length} bytes>}`,
      },
      { policy: text },
    );
  }

  deletePolicy(name: string): Promise<unknown> {
    return this.#write({ method: 'DELETE', path: `sys/policies/acl/${name}`, summary: '' }, undefined);
  }

  async readEntity(name: string): Promise<EntityInfo | undefined> {
    const { status, envelope } = await this.api.call(
      'GET',
      `identity/entity/name/${name}`,
      `reading the entity ${name}`,
    );
    if (status === 404) return undefined;
    const data = obj(envelope?.data);
    if (data === undefined || typeof data.id !== 'string') return undefined;
    const aliases = Array.isArray(data.aliases) ? data.aliases.map(obj) : [];
    return {
      id: data.id,
      policies: strings(data.policies),
      aliasAccessors: aliases.map((a) => a?.mount_accessor).filter((a): a is string => typeof a === 'string'),
    };
  }

  /**
   * Creates the entity, or updates its policies to exactly these; returns its id (unknown in a dry
   * run). Only a new entity gets Latchkey's metadata: an existing one's metadata is not touched.
   */
  async writeEntity(name: string, policies: readonly string[], isNew: boolean): Promise<string | undefined> {
    const body = isNew ? { policies, metadata: { 'managed-by': 'latchkey' } } : { policies };
    const answer = await this.#write(
      { method: 'POST', path: `identity/entity/name/${name}`, summary: JSON.stringify(body) },
      body,
    );
    const id = obj(answer?.data)?.id;
    return typeof id === 'string' ? id : undefined;
  }

  async linkAlias(entityId: string, login: string, accessor: string): Promise<void> {
    await this.#write(
      {
        method: 'POST',
        path: 'identity/entity-alias',
        summary: JSON.stringify({ name: login, canonical_id: entityId, mount_accessor: accessor }),
      },
      { name: login, canonical_id: entityId, mount_accessor: accessor },
    );
  }

  /** The accessor of an auth mount (`userpass/`), from sys/auth; undefined if it is not there. */
  async authAccessor(mount: string): Promise<string | undefined> {
    const { status, envelope } = await this.api.call('GET', 'sys/auth', 'reading the auth mounts');
    if (status === 404) return undefined;
    const mounts = obj(envelope?.data) ?? (envelope as Record<string, unknown> | undefined);
    const entry = obj(mounts?.[`${mount.replace(/\/+$/, '')}/`]);
    return typeof entry?.accessor === 'string' ? entry.accessor : undefined;
  }

  async readUserpassPolicies(mount: string, user: string): Promise<string[] | undefined> {
    let answer;
    try {
      answer = await this.api.call('GET', `auth/${mount}/users/${user}`, `reading the ${mount} user ${user}`);
    } catch (error) {
      // No such auth mount (or no right to see it): there is no userpass user to update.
      if (
        error instanceof LatchkeyError &&
        (error.code === 'STORE_PROTOCOL' || error.code === 'STORE_PERMISSION_DENIED')
      )
        return undefined;
      throw error;
    }
    if (answer.status === 404) return undefined;
    const data = obj(answer.envelope?.data);
    return data === undefined ? undefined : strings(data.token_policies ?? data.policies);
  }

  async writeUserpassPolicies(mount: string, user: string, policies: readonly string[]): Promise<void> {
    await this.#write(
      {
        method: 'POST',
        path: `auth/${mount}/users/${user}`,
        summary: JSON.stringify({ token_policies: policies }),
      },
      { token_policies: policies },
    );
  }

  /**
   * A new token with `policies`, response-wrapped: the answer is a single-use wrapping token that
   * lives `wrapTtl`. Undefined in a dry run.
   */
  async createWrappedToken(
    policies: readonly string[],
    ttl: string,
    wrapTtl: string,
  ): Promise<{ token: string; ttl: number } | undefined> {
    const body = { policies, ttl, display_name: 'latchkey-invite', renewable: true };
    this.calls.push({
      method: 'POST',
      path: 'auth/token/create',
      summary: `${JSON.stringify(body)} with X-Vault-Wrap-TTL: ${wrapTtl}`,
    });
    if (this.dryRun) return undefined;
    const { envelope } = await this.api.call('POST', 'auth/token/create', 'creating the invite token', {
      body,
      retry: false,
      allow404: false,
      headers: { 'X-Vault-Wrap-TTL': wrapTtl },
    });
    const wrap = obj((envelope as Record<string, unknown> | undefined)?.wrap_info);
    if (typeof wrap?.token !== 'string')
      throw this.api.protocolError('creating the invite token', 'the answer was not wrapped');
    return { token: wrap.token, ttl: typeof wrap.ttl === 'number' ? wrap.ttl : 0 };
  }
}
