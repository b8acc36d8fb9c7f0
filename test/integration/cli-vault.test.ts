import assert from 'node:assert/strict';
import {
  chmodSync,
  chownSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  renameSync,
  rmSync,
} from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runCli, type CliResult } from '../helpers/cli';
import { tempHome } from '../helpers/temp-home';

const PW = 'a long test passphrase';
const CANARY = 'CANARY-7d1f0e2a-never-leak';

function ok(r: CliResult, what = ''): void {
  assert.equal(r.status, 0, `${what} failed: ${r.stderr}`);
}

function failsWith(r: CliResult, code: string, status = 1): void {
  assert.equal(r.status, status, `expected exit ${status}, got ${r.status}: ${r.stderr}`);
  assert.match(r.stderr, new RegExp(`^latchkey: ${code}: \\S.*\\n$`), r.stderr);
  assert.equal(r.stderr.split('\n').length, 2, 'one line');
}

/** Every byte of every file in the data dir, plus outputs: the canary appears nowhere. */
function assertNoCanary(dir: string, outputs: string[] = []): void {
  const needles = [CANARY, Buffer.from(CANARY).toString('hex'), Buffer.from(CANARY).toString('base64')];
  const walk = (d: string): void => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (entry.isFile()) {
        const bytes = readFileSync(p);
        for (const n of needles) assert.equal(bytes.indexOf(n), -1, `canary in ${p}`);
      }
    }
  };
  walk(dir);
  for (const o of outputs) for (const n of needles) assert.ok(!o.includes(n), `canary in output: ${o}`);
}

async function init(home: string): Promise<void> {
  ok(await runCli(['init', '--password-stdin', '--kdf-target-ms', '1'], { home, input: `${PW}\n` }), 'init');
}

describe('the latchkey CLI in direct mode', () => {
  const t = tempHome();
  const home = t.home;
  const errors: string[] = [];
  const run = async (args: string[], input?: string): Promise<CliResult> => {
    const r = await runCli(args, { home, input: input ?? `${PW}\n` });
    errors.push(r.stderr);
    return r;
  };
  before(() => init(home));
  after(() => t.cleanup());

  test('--version and --help work without a vault', async () => {
    const v = await run(['--version']);
    ok(v);
    assert.match(v.stdout.toString(), /^latchkey \d+\.\d+\.\d+\n$/);
    const h = await run(['--help']);
    ok(h);
    for (const c of ['init', 'set', 'get', 'ls', 'rm', 'passwd', 'status', 'restore-backup']) {
      assert.match(h.stdout.toString(), new RegExp(`\\n  ${c} `));
    }
    const sh = await run(['set', '--help']);
    ok(sh);
    assert.match(sh.stdout.toString(), /^usage: latchkey set <ref>/);
  });

  test('init creates a 0700 data directory and a 0600 vault, and refuses to overwrite it', async () => {
    assert.equal(statSync(home).mode & 0o777, 0o700);
    assert.equal(statSync(join(home, 'vault.lkv')).mode & 0o777, 0o600);
    const before = readFileSync(join(home, 'vault.lkv'));
    failsWith(await run(['init', '--password-stdin', '--kdf-target-ms', '1']), 'VAULT_EXISTS');
    assert.ok(readFileSync(join(home, 'vault.lkv')).equals(before));
  });

  test('set then get returns exactly the value, multiline and Unicode included', async () => {
    const value = `line one\n  "quoted" $HOME \\ back\u00e9 \u{1F511}\nlast line  `;
    ok(await run(['set', 'lk://payments/development/db/url', '--password-stdin'], `${PW}\n${value}\n`));
    const got = await run(['get', 'payments/development/db/url', '--password-stdin']);
    ok(got);
    assert.equal(got.stdout.toString('utf8'), value);
  });

  test('aliases are canonical: dev and stg name development and staging', async () => {
    ok(await run(['set', 'lk://web/dev/api/key', '--password-stdin'], `${PW}\nsecret-dev\n`));
    const got = await run(['get', 'lk://web/development/api/key', '--password-stdin']);
    assert.equal(got.stdout.toString(), 'secret-dev');
    ok(await run(['set', 'lk://web/STG/api/key', '--password-stdin'], `${PW}\nsecret-stg\n`));
    assert.equal(
      (await run(['get', 'lk://web/staging/api/key', '--password-stdin'])).stdout.toString(),
      'secret-stg',
    );
  });

  test('ls lists names, environments and sources but never values; --json for scripts', async () => {
    ok(
      await run(['set', 'lk://payments/staging/stripe/secret_key', '--password-stdin'], `${PW}\n${CANARY}\n`),
    );
    const ls = await run(['ls', '--password-stdin']);
    ok(ls);
    const text = ls.stdout.toString();
    assert.match(text, /lk:\/\/payments\/staging\/stripe\s+secret_key\s+1\s+local/);
    assert.ok(!text.includes(CANARY));
    const json = await run(['ls', 'payments/staging', '--json', '--password-stdin']);
    const rows = JSON.parse(json.stdout.toString()) as { ref: string; fields: string[] }[];
    assert.deepEqual(
      rows.map((r) => r.ref),
      ['lk://payments/staging/stripe'],
    );
    assert.ok(!json.stdout.toString().includes(CANARY));
  });

  test('rm removes a field, then the item', async () => {
    ok(await run(['set', 'lk://tmp/development/x/a', '--password-stdin'], `${PW}\n1\n`));
    ok(await run(['set', 'lk://tmp/development/x/b', '--password-stdin'], `${PW}\n2\n`));
    ok(await run(['rm', 'lk://tmp/development/x/a', '--password-stdin']));
    failsWith(await run(['get', 'lk://tmp/development/x/a', '--password-stdin']), 'ITEM_NOT_FOUND');
    ok(await run(['rm', 'lk://tmp/development/x', '--password-stdin']));
    failsWith(await run(['get', 'lk://tmp/development/x/b', '--password-stdin']), 'ITEM_NOT_FOUND');
    failsWith(await run(['rm', 'lk://tmp/development/x', '--password-stdin']), 'ITEM_NOT_FOUND');
  });

  test('a wrong password fails with WRONG_PASSWORD and leaves the file byte-identical', async () => {
    const before = readFileSync(join(home, 'vault.lkv'));
    for (const args of [
      ['get', 'lk://payments/staging/stripe/secret_key', '--password-stdin'],
      ['set', 'lk://payments/staging/stripe/secret_key', '--password-stdin'],
      ['ls', '--password-stdin'],
    ]) {
      failsWith(await run(args, `not the password\n${CANARY}-2\n`), 'WRONG_PASSWORD');
    }
    assert.ok(readFileSync(join(home, 'vault.lkv')).equals(before));
  });

  test('every production spelling in a ref is refused and nothing is stored', async () => {
    const before = readFileSync(join(home, 'vault.lkv'));
    for (const env of [
      'prod',
      'production',
      'PROD',
      'Prod',
      'prd',
      'live',
      'prod-eu',
      'eu-prod',
      'prod1',
      'pr0d',
      'ｐｒｏｄ',
      'рrod',
    ]) {
      const r = await run(
        ['set', `lk://payments/${env}/stripe/secret_key`, '--password-stdin'],
        `${PW}\n${CANARY}\n`,
      );
      failsWith(r, 'PRODUCTION_REFUSED');
    }
    failsWith(
      await run(['set', 'lk://payments/qa/stripe/secret_key', '--password-stdin'], `${PW}\nx\n`),
      'UNKNOWN_ENVIRONMENT',
    );
    failsWith(
      await run(
        ['set', 'lk://payments/development/stripe/secret_key', '--password-stdin'],
        `${PW}\nsk_live_${'a'.repeat(24)}\n`,
      ),
      'PRODUCTION_REFUSED',
    );
    assert.ok(readFileSync(join(home, 'vault.lkv')).equals(before));
  });

  test('malformed refs and misuse exit 2 with a clear message', async () => {
    for (const bad of [
      'lk://../x/y/z',
      'lk://a/development/b',
      'a/development/b/c/d',
      'a//b/c',
      'a/development/b c/d',
      'a/development/b/\u0007',
      '',
    ]) {
      failsWith(await run(['get', bad, '--password-stdin']), 'INVALID_REF', 2);
    }
    failsWith(await run(['frobnicate']), 'USAGE', 2);
    failsWith(await run(['get']), 'USAGE', 2);
    failsWith(await run(['get', '--bogus', 'a/development/b/c']), 'USAGE', 2);
    // A value can never be given on the command line.
    failsWith(await run(['set', 'lk://a/development/b/c', CANARY, '--password-stdin']), 'USAGE', 2);
  });

  test('without a terminal and without --password-stdin the CLI says how to give the password', async () => {
    failsWith(await run(['get', 'lk://payments/staging/stripe/secret_key'], ''), 'NO_TERMINAL', 2);
  });

  test('passwd changes the password; the old one stops working', async () => {
    const p2 = 'the second passphrase';
    ok(await run(['passwd', '--password-stdin'], `${PW}\n${p2}\n`));
    failsWith(await run(['ls', '--password-stdin']), 'WRONG_PASSWORD');
    const got = await run(['get', 'lk://payments/staging/stripe/secret_key', '--password-stdin'], `${p2}\n`);
    assert.equal(got.stdout.toString(), CANARY);
    failsWith(await run(['passwd', '--password-stdin'], `${p2}\nshort\n`), 'PASSWORD_INVALID');
    ok(await run(['passwd', '--password-stdin'], `${p2}\n${PW}\n`));
  });

  test('status reads the header without a password', async () => {
    const r = await run(['status', '--json'], '');
    ok(r);
    const s = JSON.parse(r.stdout.toString()) as { generation: number; kdf: { memoryKiB: number } };
    assert.ok(s.generation > 1);
    assert.equal(s.kdf.memoryKiB, 65536);
  });

  test('restore-backup brings back the previous generation, and can itself be undone', async () => {
    ok(await run(['set', 'lk://restore/development/x/v', '--password-stdin'], `${PW}\nfirst\n`));
    ok(await run(['set', 'lk://restore/development/x/v', '--password-stdin'], `${PW}\nsecond\n`));
    const g = JSON.parse((await run(['status', '--json'], '')).stdout.toString()) as { generation: number };
    failsWith(await run(['restore-backup', '--password-stdin']), 'NO_TERMINAL', 2);
    ok(await run(['restore-backup', '--yes', '--password-stdin']));
    assert.equal(
      (await run(['get', 'lk://restore/development/x/v', '--password-stdin'])).stdout.toString(),
      'first',
    );
    const g2 = JSON.parse((await run(['status', '--json'], '')).stdout.toString()) as { generation: number };
    assert.equal(g2.generation, g.generation + 1);
    ok(await run(['restore-backup', '--yes', '--password-stdin']));
    assert.equal(
      (await run(['get', 'lk://restore/development/x/v', '--password-stdin'])).stdout.toString(),
      'second',
    );
  });

  test('no planted canary value appears in any file of the data dir or in any error output', () => {
    assertNoCanary(home, errors);
  });
});

describe('unsafe paths are refused with a message saying how to fix them', () => {
  const t = tempHome();
  before(() => init(t.home));
  after(() => t.cleanup());
  const get = (home: string): Promise<CliResult> =>
    runCli(['get', 'lk://a/development/b/c', '--password-stdin'], { home, input: `${PW}\n` });

  test('a group- or world-readable data directory', async () => {
    chmodSync(t.home, 0o755);
    const r = await get(t.home);
    failsWith(r, 'UNSAFE_PATH');
    assert.match(r.stderr, /chmod 700/);
    chmodSync(t.home, 0o700);
  });

  test('a world-readable vault file', async () => {
    chmodSync(join(t.home, 'vault.lkv'), 0o644);
    const r = await get(t.home);
    failsWith(r, 'UNSAFE_PATH');
    assert.match(r.stderr, /chmod 600/);
    chmodSync(join(t.home, 'vault.lkv'), 0o600);
  });

  test('a symlinked data directory', async () => {
    const link = join(t.dir, 'link-home');
    symlinkSync(t.home, link);
    failsWith(await get(link), 'UNSAFE_PATH');
  });

  test('a symlinked vault file', async () => {
    const real = join(t.dir, 'elsewhere.lkv');
    renameSync(join(t.home, 'vault.lkv'), real);
    symlinkSync(real, join(t.home, 'vault.lkv'));
    failsWith(await get(t.home), 'UNSAFE_PATH');
    rmSync(join(t.home, 'vault.lkv'));
    renameSync(real, join(t.home, 'vault.lkv'));
  });

  test('a vault path that is a directory', async () => {
    const other = tempHome();
    mkdirSync(other.home, { mode: 0o700 });
    mkdirSync(join(other.home, 'vault.lkv'), { mode: 0o700 });
    failsWith(await get(other.home), 'UNSAFE_PATH');
    other.cleanup();
  });

  test(
    'a data directory owned by another user',
    { skip: process.getuid?.() !== 0 && 'needs root to chown' },
    async () => {
      chownSync(t.home, 65534, 65534);
      try {
        const r = await get(t.home);
        failsWith(r, 'UNSAFE_PATH');
        assert.match(r.stderr, /belongs to uid 65534/);
      } finally {
        chownSync(t.home, 0, 0);
      }
    },
  );
});
