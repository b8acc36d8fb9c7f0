/**
 * Getting and keeping a Vault token: the token the Vault CLI users already have (VAULT_TOKEN,
 * ~/.vault-token), userpass login, and the OIDC browser flow with a localhost callback (as the
 * Vault CLI does it). Tokens are returned as Secrets for the caller to seal into the vault.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { LatchkeyError } from '../../errors';
import { Secret } from '../../crypto/secret';
import type { VaultApi } from './vault-api';

export interface IssuedToken {
  readonly token: Secret;
  readonly ttlSeconds: number;
  readonly renewable: boolean;
}

function obj(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
    ? (v as Record<string, unknown>)
    : undefined;
}

function authFailed(store: string, how: string, detail: string): LatchkeyError {
  return new LatchkeyError('STORE_AUTH_FAILED', `${how} at store '${store}' failed: ${detail}`);
}

/** The token a Vault CLI user already has: VAULT_TOKEN, else ~/.vault-token. */
export function existingVaultToken(env: NodeJS.ProcessEnv): Secret | undefined {
  if (env.VAULT_TOKEN && env.VAULT_TOKEN.trim() !== '') return Secret.fromString(env.VAULT_TOKEN.trim());
  try {
    const bytes = readFileSync(join(env.HOME ?? homedir(), '.vault-token'));
    let end = bytes.length;
    while (end > 0 && (bytes[end - 1] === 0x0a || bytes[end - 1] === 0x0d || bytes[end - 1] === 0x20)) end--;
    const token = Buffer.from(bytes.subarray(0, end));
    bytes.fill(0);
    return token.length > 0 ? new Secret(token) : undefined;
  } catch {
    return undefined;
  }
}

/** Reads the token's auth block from a login response. */
function issued(envelope: { auth?: unknown } | undefined, store: string, how: string): IssuedToken {
  const auth = obj(envelope?.auth);
  const token = auth?.client_token;
  if (typeof token !== 'string' || token.length === 0)
    throw authFailed(store, how, 'the answer holds no token');
  return {
    token: Secret.fromString(token),
    ttlSeconds: typeof auth?.lease_duration === 'number' ? auth.lease_duration : 0,
    renewable: auth?.renewable === true,
  };
}

/** Checks a token by looking itself up; STORE_AUTH_FAILED when the store refuses it. */
export async function checkToken(api: VaultApi, store: string): Promise<void> {
  try {
    await api.call('GET', 'auth/token/lookup-self', 'checking the token', { allow404: false, retry: true });
  } catch (error) {
    if (error instanceof LatchkeyError && error.code === 'STORE_PERMISSION_DENIED') {
      throw authFailed(
        store,
        'checking the token',
        `the token is invalid, expired or revoked; run 'latchkey store login ${store}'`,
      );
    }
    throw error;
  }
}

export async function loginUserpass(
  api: VaultApi,
  store: string,
  mount: string,
  user: string,
  password: Secret,
): Promise<IssuedToken> {
  try {
    const { envelope } = await api.call(
      'POST',
      `auth/${mount}/login/${encodeURIComponent(user)}`,
      `logging in as ${user}`,
      {
        body: { password: password.reveal().toString('utf8') },
        retry: false,
        allow404: false,
      },
    );
    return issued(envelope, store, `logging in as ${user}`);
  } catch (error) {
    if (
      error instanceof LatchkeyError &&
      (error.code === 'STORE_PROTOCOL' || error.code === 'STORE_PERMISSION_DENIED')
    ) {
      throw authFailed(store, `logging in as ${user}`, 'wrong user name or password');
    }
    throw error;
  }
}

/** Renews a renewable token when less than a third of `fullTtl` (or an hour) is left. */
export async function renewIfDue(
  api: VaultApi,
  info: { ttlSeconds: number; renewable: boolean },
): Promise<{ renewed: boolean; ttlSeconds: number }> {
  if (!info.renewable || info.ttlSeconds === 0 || info.ttlSeconds > 3600)
    return { renewed: false, ttlSeconds: info.ttlSeconds };
  const { envelope } = await api.call('POST', 'auth/token/renew-self', 'renewing the token', {
    body: { increment: '24h' },
    allow404: false,
  });
  const auth = obj(envelope?.auth);
  return {
    renewed: true,
    ttlSeconds: typeof auth?.lease_duration === 'number' ? auth.lease_duration : info.ttlSeconds,
  };
}

export interface OidcOptions {
  readonly mount: string;
  readonly role?: string;
  readonly callbackPort: number;
  /** Opens the URL for the user; the default uses $BROWSER or the platform's opener. */
  readonly openBrowser?: (url: string) => void;
  readonly say: (line: string) => void;
  readonly timeoutMs?: number;
}

/**
 * The OIDC flow of the Vault CLI: a listener on localhost:<port>/oidc/callback, auth_url from the
 * store, the browser sent there, and the code exchanged at the store's callback endpoint.
 */
export async function loginOidc(api: VaultApi, store: string, options: OidcOptions): Promise<IssuedToken> {
  const redirectUri = `http://localhost:${options.callbackPort}/oidc/callback`;
  const clientNonce = randomBytes(16).toString('hex');
  const listener = await listenForCallback(options.callbackPort, options.timeoutMs ?? 120_000);
  try {
    const { envelope } = await api.call(
      'POST',
      `auth/${options.mount}/oidc/auth_url`,
      'starting the OIDC login',
      {
        body: { role: options.role ?? '', redirect_uri: redirectUri, client_nonce: clientNonce },
        allow404: false,
      },
    );
    const authUrl = obj(envelope?.data)?.auth_url;
    if (typeof authUrl !== 'string' || !/^https?:\/\//.test(authUrl)) {
      throw authFailed(
        store,
        'starting the OIDC login',
        'the store gave no login address (is the role configured?)',
      );
    }
    options.say(`Opening your browser to log in to '${store}'. If it does not open, visit:\n  ${authUrl}`);
    (options.openBrowser ?? openInBrowser)(authUrl);
    const { state, code } = await listener.result;
    const query = new URLSearchParams({ state, code, client_nonce: clientNonce }).toString();
    const { envelope: done } = await api.call(
      'GET',
      `auth/${options.mount}/oidc/callback?${query}`,
      'finishing the OIDC login',
      {
        allow404: false,
        retry: false,
      },
    );
    return issued(done, store, 'the OIDC login');
  } finally {
    listener.close();
  }
}

function listenForCallback(
  port: number,
  timeoutMs: number,
): Promise<{ result: Promise<{ state: string; code: string }>; close: () => void }> {
  return new Promise((resolveListener, rejectListener) => {
    let settle: (v: { state: string; code: string }) => void = () => undefined;
    let fail: (e: Error) => void = () => undefined;
    const result = new Promise<{ state: string; code: string }>((res, rej) => {
      settle = res;
      fail = rej;
    });
    const server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', `http://localhost:${port}`);
      if (url.pathname !== '/oidc/callback') {
        res.writeHead(404).end();
        return;
      }
      const state = url.searchParams.get('state');
      const code = url.searchParams.get('code');
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(
        state && code
          ? 'Latchkey: you are logged in. You can close this tab.\n'
          : 'Latchkey: the login did not complete.\n',
      );
      if (state && code) settle({ state, code });
      else
        fail(
          new LatchkeyError('STORE_AUTH_FAILED', 'the OIDC provider sent the browser back without a code'),
        );
    });
    const timer = setTimeout(
      () => fail(new LatchkeyError('STORE_AUTH_FAILED', 'the OIDC login was not completed in time')),
      timeoutMs,
    );
    server.on('error', (error: NodeJS.ErrnoException) =>
      rejectListener(
        new LatchkeyError(
          'STORE_AUTH_FAILED',
          error.code === 'EADDRINUSE'
            ? `port ${port} is busy; pick another with --callback-port`
            : `cannot listen on port ${port}`,
        ),
      ),
    );
    server.listen(port, '127.0.0.1', () =>
      resolveListener({
        result,
        close: () => {
          clearTimeout(timer);
          server.closeAllConnections();
          server.close();
        },
      }),
    );
  });
}

/** Opens a URL with $BROWSER or the platform opener, passing it as one argument (never a shell). */
export function openInBrowser(url: string): void {
  const browser = process.env.BROWSER;
  const [command, args] = browser
    ? [browser, [url]]
    : process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['rundll32', ['url.dll,FileProtocolHandler', url]]
        : ['xdg-open', [url]];
  try {
    const child = spawn(command, args, { stdio: 'ignore', detached: true });
    child.on('error', () => undefined);
    child.unref();
  } catch {
    // The URL was printed; the user can open it by hand.
  }
}
