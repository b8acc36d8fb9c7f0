/**
 * HashiCorp Vault / OpenBao KV version 2 as a StoreProvider: LIST on `metadata/`, metadata reads
 * for versions, data reads of one version. Response shapes are checked; anything else is
 * STORE_PROTOCOL.
 */
import { LatchkeyError } from '../../errors';
import type { EntryMetadata, EntryVersion, StoreProvider, TokenInfo } from '../provider';
import type { VaultApi } from './vault-api';

function obj(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
    ? (v as Record<string, unknown>)
    : undefined;
}

/** Vault paths are URL paths: encode each segment, keep the slashes. */
function encodePath(path: string): string {
  return path
    .split('/')
    .map((s) => encodeURIComponent(s))
    .join('/');
}

export class Kv2Provider implements StoreProvider {
  constructor(
    private readonly api: VaultApi,
    private readonly mount: string,
  ) {}

  /**
   * Confirms the mount is KV version 2 (sys/internal/ui/mounts). A token that may not ask is let
   * through: the reads will tell.
   */
  async checkMount(): Promise<void> {
    const what = `checking the mount '${this.mount}'`;
    let answer: Awaited<ReturnType<VaultApi['call']>>;
    try {
      answer = await this.api.call('GET', `sys/internal/ui/mounts/${encodePath(this.mount)}`, what);
    } catch (error) {
      if (error instanceof LatchkeyError && error.code === 'STORE_PERMISSION_DENIED') return;
      throw error;
    }
    const { status, envelope } = answer;
    const data = obj(envelope?.data);
    const version = obj(data?.options)?.version;
    if (status === 404 || data === undefined) {
      throw new LatchkeyError(
        'INVALID_STORE_CONFIG',
        `the store has no mount '${this.mount}' (or you may not see it); check --mount`,
      );
    }
    if (version !== '2') {
      throw new LatchkeyError(
        'INVALID_STORE_CONFIG',
        `the mount '${this.mount}' is not a KV version 2 secrets engine`,
      );
    }
  }

  async whoami(): Promise<TokenInfo> {
    const { status, envelope } = await this.api.call('GET', 'auth/token/lookup-self', 'checking the token', {
      allow404: false,
    });
    const data = obj(envelope?.data);
    if (status !== 200 || data === undefined)
      throw this.api.protocolError('checking the token', 'no token data');
    return {
      displayName: typeof data.display_name === 'string' ? data.display_name : 'unknown',
      policies: Array.isArray(data.policies)
        ? data.policies.filter((p): p is string => typeof p === 'string')
        : [],
      ttlSeconds: typeof data.ttl === 'number' ? data.ttl : 0,
      renewable: data.renewable === true,
      ...(typeof data.expire_time === 'string' ? { expireTime: data.expire_time } : {}),
    };
  }

  async list(folder: string): Promise<string[]> {
    const path = `${this.mount}/metadata/${encodePath(folder.replace(/\/+$/, ''))}`.replace(/\/+$/, '');
    // `GET ?list=true` is the documented equivalent of the LIST verb, which some HTTP stacks and
    // proxies cannot carry.
    const { status, envelope } = await this.api.call('GET', `${path}/?list=true`, `listing ${folder || '/'}`);
    if (status === 404) return [];
    const keys = obj(envelope?.data)?.keys;
    if (!Array.isArray(keys) || !keys.every((k) => typeof k === 'string')) {
      throw this.api.protocolError(`listing ${folder}`, 'the answer has no list of keys');
    }
    return keys;
  }

  async readMetadata(path: string): Promise<EntryMetadata | undefined> {
    const what = `reading the metadata of ${path}`;
    const { status, envelope } = await this.api.call(
      'GET',
      `${this.mount}/metadata/${encodePath(path)}`,
      what,
    );
    if (status === 404) return undefined;
    const data = obj(envelope?.data);
    const current = data?.current_version;
    const versions = obj(data?.versions);
    if (
      data === undefined ||
      typeof current !== 'number' ||
      !Number.isInteger(current) ||
      versions === undefined
    ) {
      throw this.api.protocolError(what, 'the metadata has no current_version or versions');
    }
    const info = obj(versions[String(current)]);
    const deletion = info?.deletion_time;
    const gone =
      current === 0 ||
      info === undefined ||
      info.destroyed === true ||
      (typeof deletion === 'string' && deletion !== '');
    const changedAt =
      typeof info?.created_time === 'string'
        ? info.created_time
        : typeof data.updated_time === 'string'
          ? data.updated_time
          : '';
    return { currentVersion: current, changedAt, gone, customMetadata: obj(data.custom_metadata) ?? {} };
  }

  async readVersion(path: string, version: number): Promise<EntryVersion | undefined> {
    const what = `reading ${path} (version ${version})`;
    const { status, envelope } = await this.api.call(
      'GET',
      `${this.mount}/data/${encodePath(path)}?version=${version}`,
      what,
    );
    if (status === 404) return undefined;
    const body = obj(envelope?.data);
    const data = obj(body?.data);
    const meta = obj(body?.metadata);
    if (body?.data === null) return undefined; // deleted or destroyed under us
    if (data === undefined || meta === undefined || meta.version !== version) {
      throw this.api.protocolError(what, 'the answer has no data for that version');
    }
    return { version, data };
  }

  close(): void {
    this.api.close();
  }
}
