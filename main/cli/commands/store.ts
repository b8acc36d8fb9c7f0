import { existsSync } from 'node:fs';
import { Secret, wipe } from '../../core/crypto/secret';
import { LatchkeyError } from '../../core/errors';
import { DEFAULT_LAYOUT, parseFilter } from '../../core/sync/layout';
import { StoreConfigFile, validateStoreConfig, type StoreConfig } from '../../core/sync/store-config';
import { DEFAULT_SYNC_SETTINGS, storeApi } from '../../core/sync/sync-store';
import { checkStoreAccess, forgetStore, keepStoreToken } from '../../core/sync/store-admin';
import {
  existingVaultToken,
  loginOidc,
  loginUserpass,
  type IssuedToken,
} from '../../core/sync/vault-kv/auth';
import type { CommandContext, CommandSpec } from '../command';
import { changeAudited, vaultStore } from '../direct-vault';
import { writeAll } from '../io';
import { InputSource } from '../terminal-input';

const HELP = `Configures the central stores Latchkey syncs from (HashiCorp Vault / OpenBao, KV version 2).

  latchkey store add <name> --addr <url> [--mount secret] [--layout '${DEFAULT_LAYOUT}']
                     [--namespace NS] [--ca-cert FILE] [--only project[/env]]...
                     [--auth token|userpass|oidc] [--user NAME] [--role ROLE] [--token-stdin]
                     [--wrapped-token T]   (the one command a team lead's invite gives you)
  latchkey store login <name>     log in again (a new token replaces the old one)
  latchkey store ls [--json]      the configured stores
  latchkey store rm <name>        forget a store, its token and the items synced from it

The layout maps store paths to refs: teams/payments/development/stripe becomes
lk://payments/development/stripe with the default layout; each key of the secret is a field.
--addr defaults to VAULT_ADDR, --namespace to VAULT_NAMESPACE, --ca-cert to VAULT_CACERT.
There is no option to skip TLS verification.

Auth: 'token' (the default) takes --token-stdin (a line of standard input), else VAULT_TOKEN,
else the Vault CLI's ~/.vault-token; --wrapped-token unwraps a team lead's invite (it works once,
so it is safe on the command line: anyone who saw it later finds it used). 'userpass' asks for the password of --user. 'oidc' opens
your browser (or $BROWSER) and listens on localhost:--callback-port (8250) like the Vault CLI.
Tokens are kept inside the encrypted vault, never in the configuration file.
With --password-stdin the master password is the first line of standard input, then the token
(--token-stdin) or the store password (userpass).`;

export const command: CommandSpec = {
  name: 'store',
  usage: 'add|login|ls|rm [<name>] [options]',
  help: HELP,
  options: {
    kind: { type: 'string' },
    addr: { type: 'string' },
    mount: { type: 'string' },
    layout: { type: 'string' },
    namespace: { type: 'string' },
    'ca-cert': { type: 'string' },
    only: { type: 'string', multiple: true },
    auth: { type: 'string' },
    user: { type: 'string' },
    role: { type: 'string' },
    'oidc-mount': { type: 'string' },
    'callback-port': { type: 'string' },
    'token-stdin': { type: 'boolean' },
    'wrapped-token': { type: 'string' },
    'password-stdin': { type: 'boolean' },
    json: { type: 'boolean' },
  },
  optionHelp: {
    kind: "the store kind: 'vault' (HashiCorp Vault or OpenBao; the default)",
    addr: 'the store address, e.g. https://vault.example.com:8200 (default: VAULT_ADDR)',
    mount: "the KV version 2 mount (default 'secret')",
    layout: `how store paths map to refs (default '${DEFAULT_LAYOUT}')`,
    namespace: 'the Vault Enterprise / OpenBao namespace (default: VAULT_NAMESPACE)',
    'ca-cert': 'a PEM file of CA certificates to trust for this store (default: VAULT_CACERT)',
    only: 'sync only this project or project/environment (repeatable)',
    auth: "token, userpass or oidc (default 'token')",
    user: 'the user name for userpass',
    role: 'the OIDC role (default: the mount’s default role)',
    'oidc-mount': "the OIDC auth mount (default 'oidc'); for userpass, the userpass mount",
    'callback-port': 'the localhost port for the OIDC callback (default 8250)',
    'token-stdin': 'read the token from a line of standard input',
    'wrapped-token':
      "a single-use wrapping token from your team lead's 'latchkey grant --invite' (unwrapped once, here)",
    'password-stdin': 'read the master password from the first line of standard input',
    json: "print JSON (for 'ls')",
  },
  positionals: { min: 1, max: 2, names: 'a subcommand (add, login, ls, rm) and a store name' },
  async run(ctx) {
    const [sub, name] = ctx.args.positionals;
    switch (sub) {
      case 'add':
        return add(ctx, required(name));
      case 'login':
        return login(ctx, required(name));
      case 'ls':
        return list(ctx);
      case 'rm':
        return remove(ctx, required(name));
      default:
        throw new LatchkeyError(
          'USAGE',
          `'store ${String(sub).slice(0, 20)}' is not a subcommand: use add, login, ls or rm`,
        );
    }
  },
};

function required(name: string | undefined): string {
  if (name === undefined)
    throw new LatchkeyError('USAGE', "the store name is missing; see 'latchkey store --help'");
  return name;
}

function configFrom(ctx: CommandContext, name: string): StoreConfig {
  const v = ctx.args.values;
  const str = (key: string): string | undefined => (typeof v[key] === 'string' ? v[key] : undefined);
  const method = str('auth') ?? 'token';
  const auth =
    method === 'userpass'
      ? { method, user: str('user'), mount: str('oidc-mount') ?? 'userpass' }
      : method === 'oidc'
        ? {
            method,
            role: str('role'),
            mount: str('oidc-mount') ?? 'oidc',
            callbackPort: str('callback-port') === undefined ? 8250 : Number(str('callback-port')),
          }
        : { method };
  if (method === 'userpass' && !str('user'))
    throw new LatchkeyError('INVALID_STORE_CONFIG', '--auth userpass needs --user NAME');
  const only = Array.isArray(v.only) ? (v.only as string[]) : [];
  only.forEach((f) => parseFilter(f));
  const addr = str('addr') ?? ctx.env.VAULT_ADDR;
  if (!addr)
    throw new LatchkeyError(
      'INVALID_STORE_CONFIG',
      'the store address is missing: pass --addr or set VAULT_ADDR',
    );
  const caCert = str('ca-cert') ?? ctx.env.VAULT_CACERT;
  if (caCert && !existsSync(caCert))
    throw new LatchkeyError('INVALID_STORE_CONFIG', `the CA file ${caCert} does not exist`);
  const namespace = str('namespace') ?? ctx.env.VAULT_NAMESPACE;
  return validateStoreConfig({
    name,
    kind: str('kind') ?? 'vault',
    addr,
    mount: str('mount') ?? 'secret',
    layout: str('layout') ?? DEFAULT_LAYOUT,
    ...(namespace ? { namespace } : {}),
    ...(caCert ? { caCert } : {}),
    filters: only,
    auth,
  });
}

/** Gets a token by the store's auth method and checks it works and the mount is KV v2. */
async function obtainToken(ctx: CommandContext, config: StoreConfig, input: InputSource): Promise<Secret> {
  const api = storeApi(config, DEFAULT_SYNC_SETTINGS);
  try {
    let issued: IssuedToken | undefined;
    let token: Secret | undefined;
    const wrapped = ctx.args.values['wrapped-token'];
    if (typeof wrapped === 'string') {
      if (config.auth.method !== 'token')
        throw new LatchkeyError(
          'USAGE',
          '--wrapped-token gives a token: use it with --auth token (the default)',
        );
      token = await unwrapToken(api, config.name, wrapped);
    } else if (config.auth.method === 'token') {
      token =
        ctx.args.values['token-stdin'] === true
          ? new Secret(await input.line('the token'))
          : existingVaultToken(ctx.env);
      if (token === undefined) {
        throw new LatchkeyError(
          'STORE_AUTH_FAILED',
          'no token: pass --token-stdin, set VAULT_TOKEN, or log in with the Vault CLI first (~/.vault-token)',
        );
      }
    } else if (config.auth.method === 'userpass') {
      const password = new Secret(
        await input.password(`Password for ${config.auth.user} at ${config.name}: `),
      );
      try {
        issued = await loginUserpass(api, config.name, config.auth.mount, config.auth.user, password);
      } finally {
        password.dispose();
      }
    } else {
      issued = await loginOidc(api, config.name, {
        mount: config.auth.mount,
        ...(config.auth.role ? { role: config.auth.role } : {}),
        callbackPort: config.auth.callbackPort,
        say: (line) => ctx.io.stderr.write(`${line}\n`),
      });
    }
    token ??= issued!.token;
    await checkStoreAccess(config, token);
    return token;
  } finally {
    api.close();
  }
}

/**
 * Unwraps an invite (POST sys/wrapping/unwrap with the wrapping token): the token inside, once.
 * A used, expired or unknown wrapping token is STORE_AUTH_FAILED with what to do.
 */
async function unwrapToken(
  api: ReturnType<typeof storeApi>,
  store: string,
  wrapping: string,
): Promise<Secret> {
  if (!/^[A-Za-z0-9._-]{8,512}$/.test(wrapping)) {
    throw new LatchkeyError(
      'USAGE',
      '--wrapped-token is not a token (copy the whole command your team lead sent)',
    );
  }
  api.useToken(wrapping);
  let answer;
  try {
    answer = await api.call('POST', 'sys/wrapping/unwrap', 'unwrapping the invite', {
      retry: false,
      allow404: false,
    });
  } catch (error) {
    if (
      error instanceof LatchkeyError &&
      (error.code === 'STORE_PROTOCOL' || error.code === 'STORE_PERMISSION_DENIED')
    ) {
      throw new LatchkeyError(
        'STORE_AUTH_FAILED',
        `the invite for store '${store}' was already used, has expired, or is not valid; ask your team lead for a new one ('latchkey grant … --invite')`,
      );
    }
    throw error;
  } finally {
    api.useToken(undefined);
  }
  const auth = (answer.envelope as { auth?: { client_token?: unknown } } | undefined)?.auth;
  if (typeof auth?.client_token !== 'string') {
    throw api.protocolError('unwrapping the invite', 'the wrapped answer holds no token');
  }
  return Secret.fromString(auth.client_token);
}

async function add(ctx: CommandContext, name: string): Promise<void> {
  const file = new StoreConfigFile(vaultStore(ctx.env).paths.dir);
  const config = configFrom(ctx, name);
  if (file.read().some((s) => s.name === config.name)) {
    throw new LatchkeyError(
      'STORE_EXISTS',
      `a store named '${config.name}' exists; remove it first with 'latchkey store rm ${config.name}'`,
    );
  }
  await logInAndKeepToken(ctx, config, 'added');
  await file.write([...file.read(), config]);
  await writeAll(
    ctx.io.stderr,
    `Added store '${config.name}' (${config.addr}, mount ${config.mount}, layout ${config.layout}). Run 'latchkey sync ${config.name}'.\n`,
  );
}

async function login(ctx: CommandContext, name: string): Promise<void> {
  const config = new StoreConfigFile(vaultStore(ctx.env).paths.dir).get(name);
  await logInAndKeepToken(ctx, config, 'login');
  await writeAll(ctx.io.stderr, `Logged in to '${config.name}'.\n`);
}

/**
 * Checks the master password first (before talking to the store), gets a token by the store's
 * auth method, and seals it into the vault, audited.
 */
async function logInAndKeepToken(
  ctx: CommandContext,
  config: StoreConfig,
  reason: 'added' | 'login',
): Promise<void> {
  const store = vaultStore(ctx.env);
  const input = new InputSource(ctx.io, ctx.args.values['password-stdin'] === true);
  const password = await input.password();
  try {
    (await store.open(password)).close();
    const token = await obtainToken(ctx, config, input);
    try {
      await changeAudited(store, password, (v) => {
        v.record({ op: 'store', ref: `store:${config.name}`, result: 'ok', reason });
        keepStoreToken(v.vault, config.name, token);
      });
    } finally {
      token.dispose();
    }
  } finally {
    wipe(password);
    input.dispose();
  }
}

async function list(ctx: CommandContext): Promise<void> {
  const stores = new StoreConfigFile(vaultStore(ctx.env).paths.dir).read();
  if (ctx.args.values.json === true) {
    await writeAll(ctx.io.stdout, `${JSON.stringify(stores, null, 2)}\n`);
    return;
  }
  if (stores.length === 0) {
    await writeAll(
      ctx.io.stderr,
      "No stores yet. Add one with 'latchkey store add <name> --addr https://…'.\n",
    );
    return;
  }
  const rows = [
    ['NAME', 'ADDRESS', 'MOUNT', 'LAYOUT', 'AUTH', 'ONLY'],
    ...stores.map((s) => [
      s.name,
      s.addr + (s.namespace ? ` (ns ${s.namespace})` : ''),
      s.mount,
      s.layout,
      s.auth.method === 'userpass' ? `userpass:${s.auth.user}` : s.auth.method,
      s.filters.join(',') || '-',
    ]),
  ];
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  await writeAll(
    ctx.io.stdout,
    rows
      .map((r) =>
        r
          .map((cell, c) => cell.padEnd(widths[c]!))
          .join('  ')
          .trimEnd(),
      )
      .join('\n') + '\n',
  );
}

async function remove(ctx: CommandContext, name: string): Promise<void> {
  const file = new StoreConfigFile(vaultStore(ctx.env).paths.dir);
  file.get(name);
  const store = vaultStore(ctx.env);
  const input = new InputSource(ctx.io, ctx.args.values['password-stdin'] === true);
  const password = await input.password();
  try {
    const removed = await changeAudited(store, password, ({ vault, record }) => {
      record({ op: 'store', ref: `store:${name}`, result: 'ok', reason: 'removed' });
      return forgetStore(vault, name);
    });
    await file.write(file.read().filter((s) => s.name !== name));
    await writeAll(
      ctx.io.stderr,
      `Removed store '${name}', its token and ${removed} synced item${removed === 1 ? '' : 's'}.\n`,
    );
  } finally {
    wipe(password);
    input.dispose();
  }
}
