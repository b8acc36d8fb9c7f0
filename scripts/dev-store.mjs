#!/usr/bin/env node
// `npm run dev-store`: a DEMO central store for trying Latchkey — the test Vault server
// (test/fixtures/vault-server, compiled to dist/) on 127.0.0.1, seeded with a fake team, in memory.
// It is not Vault and it is never for real secrets. See docs/dev-store.md.
//   node scripts/dev-store.mjs [--port 8200]
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';

const root = resolve(import.meta.dirname, '..');
const entry = resolve(root, 'dist', 'test', 'fixtures', 'vault-server', 'main.js');

function usage(code) {
  process.stdout.write(
    'usage: node scripts/dev-store.mjs [--port <port>]   (default port 8200; 0 picks a free one)\n',
  );
  process.exit(code);
}

const args = process.argv.slice(2);
let port = 8200;
for (let i = 0; i < args.length; i++) {
  const arg = args[i];
  if (arg === '--help' || arg === '-h') usage(0);
  else if (arg === '--port') {
    port = Number(args[++i]);
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      process.stderr.write('dev-store: --port needs a number from 0 to 65535\n');
      process.exit(2);
    }
  } else {
    process.stderr.write(`dev-store: unknown argument ${arg}\n`);
    usage(2);
  }
}

if (!existsSync(entry)) {
  process.stderr.write(
    `dev-store: ${entry} is missing; build first with \`npm run build\` (\`npm run dev-store\` does both).\n`,
  );
  process.exit(1);
}

const child = spawn(
  process.execPath,
  [entry, '--host', '127.0.0.1', '--port', String(port), '--seed', 'demo'],
  {
    stdio: ['ignore', 'pipe', 'inherit'],
  },
);
let ready = false;

createInterface({ input: child.stdout }).once('line', (line) => {
  const { url, rootToken } = JSON.parse(line);
  ready = true;
  const rule = '─'.repeat(78);
  process.stdout.write(
    [
      rule,
      '  Latchkey DEMO store: a fake Vault for trying Latchkey.',
      '  NEVER put real secrets in it. It has no TLS, keeps everything in memory, and',
      '  prints its root token. It is gone when you press Ctrl-C.',
      rule,
      `  Address:     ${url}`,
      `  Root token:  ${rootToken}`,
      '',
      '  In another terminal:',
      `    export VAULT_ADDR=${url}`,
      `    export VAULT_TOKEN=${rootToken}`,
      '',
      '  Demo users (userpass):  alice / alice-demo-password   payments: development, staging',
      '                          bob   / bob-demo-password     web: development, staging (via identity)',
      '  OIDC role "dev" signs in as alice (vault login -method=oidc role=dev).',
      '',
      '  Secrets: secret/teams/{payments,web}/{development,staging,production}/…, plus what',
      '  Latchkey must refuse: payments/prod-eu/, payments/ｐｒｏｄ/ (full-width), a staging item',
      '  whose metadata says production, and a live-looking sk_live_ key in staging.',
      rule,
      '',
    ].join('\n'),
  );
});

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => child.kill('SIGTERM'));
}

child.on('exit', (code, signal) => {
  if (!ready) {
    process.stderr.write(
      `dev-store: the demo store did not start${port === 8200 ? ' (is something else on port 8200? try --port)' : ''}\n`,
    );
    process.exit(code || 1);
  }
  process.exit(signal ? 0 : (code ?? 0));
});
