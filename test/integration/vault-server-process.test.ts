import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { test, type TestContext } from 'node:test';
import vault from 'node-vault';

for (const name of ['VAULT_ADDR', 'VAULT_TOKEN', 'VAULT_NAMESPACE', 'VAULT_PREFIX', 'VAULT_SKIP_VERIFY'])
  delete process.env[name];

const REPO_ROOT = resolve(__dirname, '..', '..', '..');
const MAIN = resolve(REPO_ROOT, 'dist', 'test', 'fixtures', 'vault-server', 'main.js');
const DEV_STORE = resolve(REPO_ROOT, 'scripts', 'dev-store.mjs');

/** A child process with its stdout collected line by line; killed when the test ends. */
class Child {
  readonly lines: string[] = [];
  private readonly proc: ChildProcessWithoutNullStreams;
  private readonly exit: Promise<number | null>;
  private stderr = '';

  constructor(t: TestContext, args: string[]) {
    this.proc = spawn(process.execPath, args, { cwd: REPO_ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    this.exit = new Promise((r) => this.proc.once('exit', (code) => r(code)));
    createInterface({ input: this.proc.stdout }).on('line', (line) => this.lines.push(line));
    this.proc.stderr.on('data', (d: Buffer) => (this.stderr += d.toString()));
    t.after(() => {
      if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill('SIGKILL');
    });
  }

  /** Waits until the collected stdout satisfies `ready` (10 s at most). */
  async waitFor(ready: (lines: readonly string[]) => boolean): Promise<string[]> {
    const deadline = Date.now() + 10_000;
    while (!ready(this.lines)) {
      if (this.proc.exitCode !== null)
        throw new Error(`exited with ${this.proc.exitCode}:\n${this.lines.join('\n')}\n${this.stderr}`);
      if (Date.now() > deadline)
        throw new Error(`not ready after 10 s:\n${this.lines.join('\n')}\n${this.stderr}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    return [...this.lines];
  }

  async stop(signal: NodeJS.Signals): Promise<number | null> {
    this.proc.kill(signal);
    return this.exit;
  }
}

test('main.js runs the server as its own process: one JSON ready line, seeded, driven over /__control, stopped by SIGTERM', async (t) => {
  const child = new Child(t, [MAIN, '--port', '0', '--seed', 'demo']);
  const [line] = await child.waitFor((lines) => lines.length > 0);
  const { url, rootToken } = JSON.parse(line as string) as { url: string; rootToken: string };
  assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
  const client = vault({ apiVersion: 'v1', endpoint: url, token: rootToken });
  const stripe = (await client.read('secret/data/teams/payments/development/stripe')) as {
    data: { metadata: { version: number } };
  };
  assert.equal(stripe.data.metadata.version, 2);
  const sealed = await fetch(`${url}/__control/sealed`, {
    method: 'POST',
    headers: { 'X-Vault-Token': rootToken },
    body: '{"on":true}',
  });
  assert.equal(sealed.status, 200);
  assert.equal((await fetch(`${url}/v1/sys/health`)).status, 503);
  assert.equal(await child.stop('SIGTERM'), 0);
});

test('the dev store prints a DEMO banner with the address, root token and VAULT_ADDR/VAULT_TOKEN exports, and its demo users log in', async (t) => {
  const child = new Child(t, [DEV_STORE, '--port', '0']);
  const lines = await child.waitFor((all) => all.filter((l) => l.startsWith('─')).length === 3);
  const banner = lines.join('\n');
  assert.match(banner, /DEMO store/);
  assert.match(banner, /NEVER put real secrets in it/);
  const addr = /export VAULT_ADDR=(http:\/\/127\.0\.0\.1:\d+)/.exec(banner)?.[1];
  const token = /export VAULT_TOKEN=(hvs\.\S+)/.exec(banner)?.[1];
  assert.ok(addr && token, banner);
  assert.ok(banner.includes(`Address:     ${addr}`) && banner.includes(`Root token:  ${token}`));
  const alice = vault({ apiVersion: 'v1', endpoint: addr });
  alice.token = '';
  await alice.userpassLogin({ username: 'alice', password: 'alice-demo-password' });
  await alice.read('secret/data/teams/payments/staging/stripe');
  const bob = vault({ apiVersion: 'v1', endpoint: addr });
  bob.token = '';
  await bob.userpassLogin({ username: 'bob', password: 'bob-demo-password' });
  await bob.read('secret/data/teams/web/development/session');
  await assert.rejects(
    bob.read('secret/data/teams/web/production/session'),
    (err: Error & { response?: { statusCode: number } }) => err.response?.statusCode === 403,
  );
  assert.equal(await child.stop('SIGINT'), 0);
});
