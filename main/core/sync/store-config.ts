/**
 * The configured central stores, kept in `stores.json` in the data directory (0600). It holds no
 * secret: tokens live inside the encrypted vault. Every field is validated when read, so a
 * hand-edited or hostile file cannot smuggle in a production layout or a malformed address.
 */
import { join } from 'node:path';
import { LatchkeyError } from '../errors';
import { atomicReplace } from '../vault/atomic-write';
import { ensurePrivateDir, readPrivateFile } from '../vault/private-paths';
import { parseFilter, parseLayout, type SyncFilter } from './layout';

export type StoreAuth =
  | { readonly method: 'token' }
  | { readonly method: 'userpass'; readonly user: string; readonly mount: string }
  | {
      readonly method: 'oidc';
      readonly role?: string;
      readonly mount: string;
      readonly callbackPort: number;
    };

export interface StoreConfig {
  readonly name: string;
  readonly kind: 'vault';
  /** Base address, e.g. https://vault.corp:8200 (no trailing slash, no path). */
  readonly addr: string;
  readonly mount: string;
  readonly layout: string;
  readonly namespace?: string;
  /** Path of a PEM file with the CA certificate(s) to trust for this store. */
  readonly caCert?: string;
  readonly filters: readonly string[];
  readonly auth: StoreAuth;
}

const STORE_NAME = /^[a-z0-9][a-z0-9_-]{0,31}$/;
const MOUNT = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}(\/[A-Za-z0-9][A-Za-z0-9_.-]{0,63})*$/;
const NAMESPACE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}(\/[A-Za-z0-9][A-Za-z0-9_.-]{0,63})*$/;
const USER = /^[A-Za-z0-9][A-Za-z0-9_.@-]{0,127}$/;

function invalid(message: string): LatchkeyError {
  return new LatchkeyError('INVALID_STORE_CONFIG', message);
}

export function checkStoreName(name: string): string {
  if (!STORE_NAME.test(name)) {
    throw invalid(
      `'${name.slice(0, 40)}' is not a valid store name: use lower-case letters, digits, '-' and '_' (at most 32)`,
    );
  }
  return name;
}

/** Normalises and checks an address: http(s), a host, no credentials, path or query. */
export function checkAddress(addr: string): string {
  let url: URL;
  try {
    url = new URL(addr);
  } catch {
    throw invalid(`'${addr.slice(0, 80)}' is not a URL; write it like https://vault.example.com:8200`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw invalid(`the store address must use https://`);
  if (url.username || url.password)
    throw invalid('the store address must not contain a user name or password');
  if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash) {
    throw invalid(
      'the store address must be just scheme, host and port (the /v1/ path is added by Latchkey)',
    );
  }
  if (url.protocol === 'http:' && !['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)) {
    throw invalid(
      'plain http:// is only accepted for a store on this machine (127.0.0.1 or localhost); use https://',
    );
  }
  return url.origin;
}

/** Checks every field of one store definition (from the CLI or from the file). */
export function validateStoreConfig(raw: unknown): StoreConfig {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw invalid('a store definition must be an object');
  const r = raw as Record<string, unknown>;
  const str = (key: string): string => {
    const v = r[key];
    if (typeof v !== 'string') throw invalid(`the store field '${key}' must be a string`);
    return v;
  };
  const name = checkStoreName(str('name'));
  if (r.kind !== 'vault')
    throw invalid(`store '${name}': only kind 'vault' (HashiCorp Vault / OpenBao) is supported`);
  const addr = checkAddress(str('addr'));
  const mount = str('mount').replace(/^\/+|\/+$/g, '');
  if (!MOUNT.test(mount) || mount.includes('..'))
    throw invalid(`store '${name}': '${mount.slice(0, 40)}' is not a valid mount path`);
  const layout = parseLayout(str('layout')).pattern;
  let namespace: string | undefined;
  if (r.namespace !== undefined) {
    namespace = str('namespace').replace(/^\/+|\/+$/g, '');
    if (!NAMESPACE.test(namespace))
      throw invalid(`store '${name}': '${namespace.slice(0, 40)}' is not a valid namespace`);
  }
  let caCert: string | undefined;
  if (r.caCert !== undefined) caCert = str('caCert');
  const filters = Array.isArray(r.filters) ? r.filters : [];
  for (const f of filters) {
    if (typeof f !== 'string') throw invalid(`store '${name}': filters must be strings`);
    parseFilter(f);
  }
  return {
    name,
    kind: 'vault',
    addr,
    mount,
    layout,
    ...(namespace ? { namespace } : {}),
    ...(caCert ? { caCert } : {}),
    filters: filters as string[],
    auth: validateAuth(r.auth, name),
  };
}

function validateAuth(raw: unknown, store: string): StoreAuth {
  const a = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const mount = typeof a.mount === 'string' && MOUNT.test(a.mount) ? a.mount : undefined;
  switch (a.method) {
    case 'token':
      return { method: 'token' };
    case 'userpass':
      if (typeof a.user !== 'string' || !USER.test(a.user))
        throw invalid(`store '${store}': userpass needs a valid --user`);
      return { method: 'userpass', user: a.user, mount: mount ?? 'userpass' };
    case 'oidc': {
      const port = a.callbackPort === undefined ? 8250 : a.callbackPort;
      if (!Number.isInteger(port) || (port as number) < 1024 || (port as number) > 65535) {
        throw invalid(`store '${store}': the OIDC callback port must be 1024–65535`);
      }
      if (a.role !== undefined && (typeof a.role !== 'string' || !USER.test(a.role)))
        throw invalid(`store '${store}': invalid OIDC role`);
      return {
        method: 'oidc',
        mount: mount ?? 'oidc',
        callbackPort: port as number,
        ...(a.role ? { role: a.role } : {}),
      };
    }
    default:
      throw invalid(`store '${store}': auth must be token, userpass or oidc`);
  }
}

/** The stores file of a data directory. */
export class StoreConfigFile {
  readonly path: string;

  constructor(readonly dir: string) {
    this.path = join(dir, 'stores.json');
  }

  read(): StoreConfig[] {
    const bytes = readPrivateFile(this.path, 1024 * 1024);
    if (bytes === undefined) return [];
    let doc: unknown;
    try {
      doc = JSON.parse(bytes.toString('utf8'));
    } catch {
      throw invalid(`${this.path} is not valid JSON; fix it or remove it and add the stores again`);
    }
    const stores = (doc as { stores?: unknown }).stores;
    if (!Array.isArray(stores)) throw invalid(`${this.path} has no "stores" list`);
    const out = stores.map((s) => validateStoreConfig(s));
    if (new Set(out.map((s) => s.name)).size !== out.length)
      throw invalid(`${this.path} names a store twice`);
    return out;
  }

  get(name: string): StoreConfig {
    const found = this.read().find((s) => s.name === name);
    if (!found) {
      throw new LatchkeyError(
        'STORE_NOT_FOUND',
        `there is no store named '${name.slice(0, 40)}'; 'latchkey store ls' lists them`,
      );
    }
    return found;
  }

  async write(stores: readonly StoreConfig[]): Promise<void> {
    ensurePrivateDir(this.dir);
    await atomicReplace(this.path, [Buffer.from(`${JSON.stringify({ stores }, null, 2)}\n`)]);
  }
}

export function parsedFilters(config: StoreConfig): SyncFilter[] {
  return config.filters.map((f) => parseFilter(f));
}
