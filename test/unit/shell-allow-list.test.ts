import assert from 'node:assert/strict';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { findSchema, loadSchema, MAX_SCHEMA_BYTES, SCHEMA_FILE_NAMES } from '../../main/core/project';
import {
  allowListPath,
  formatAllowList,
  parseAllowList,
  readAllowList,
  writeAllowList,
  type AllowedSchema,
} from '../../main/cli/shell/allow-list';
import {
  identifySchema,
  locateSchema,
  SCHEMA_MAX_BYTES,
  SCHEMA_NAMES,
  schemaKey,
} from '../../main/cli/shell/schema-identity';
import { shellRefusal } from '../../main/cli/shell/shell-variables';

const root = mkdtempSync(join(tmpdir(), 'latchkey-allow-'));
after(() => rmSync(root, { recursive: true, force: true }));

const ENTRY: AllowedSchema = {
  path: '/work/repo/latchkey.yml',
  hash: 'a'.repeat(64),
  allowedAt: '2026-01-02T03:04:05.000Z',
  project: 'app',
  environment: 'development',
  variables: [
    { name: 'DB_PASSWORD', ref: 'lk://app/development/db/password', required: true },
    { name: 'OPTIONAL', ref: 'lk://app/development/x/y', required: false },
  ],
};

function outcome(fn: () => unknown): string {
  try {
    const v = fn();
    return `ok:${String(v)}`;
  } catch (error) {
    return `err:${(error as { code?: string }).code ?? 'none'}`;
  }
}

describe('the hook finds and names a schema exactly as core/project does, without the YAML parser', () => {
  test('the file names and the size limit are the same constants', () => {
    assert.deepEqual([...SCHEMA_NAMES], [...SCHEMA_FILE_NAMES]);
    assert.equal(SCHEMA_MAX_BYTES, MAX_SCHEMA_BYTES);
  });

  test('locateSchema gives findSchema’s answer for nested, hidden, doubled, linked and absent schemas', () => {
    const t = join(root, 'locate');
    const cases: Record<string, string> = {
      'a/latchkey.yml': 'project: a\nvariables: {}\n',
      'a/b/c/.keep': '',
      'a/n/.latchkey.yml': 'project: n\nvariables: {}\n',
      'a/n/deep/.keep': '',
      'both/latchkey.yml': 'project: b\nvariables: {}\n',
      'both/.latchkey.yml': 'project: b\nvariables: {}\n',
      'both/x/.keep': '',
      'linked/.keep': '',
      'fifo-like/latchkey.yml/.keep': '', // a directory named latchkey.yml
    };
    for (const [rel, text] of Object.entries(cases)) {
      mkdirSync(join(t, rel, '..'), { recursive: true });
      if (!rel.endsWith('.keep')) writeFileSync(join(t, rel), text);
    }
    symlinkSync(join(t, 'a', 'latchkey.yml'), join(t, 'linked', 'latchkey.yml'));
    for (const dir of ['a', 'a/b/c', 'a/n', 'a/n/deep', 'both', 'both/x', 'linked', 'fifo-like', '.', '/']) {
      const start = dir === '/' ? '/' : join(t, dir);
      assert.equal(
        outcome(() => locateSchema(start)),
        outcome(() => findSchema(start)),
        dir,
      );
    }
  });

  test('identifySchema hashes the exact bytes, as loadSchema does', () => {
    const path = join(root, 'hash', 'latchkey.yml');
    mkdirSync(join(root, 'hash'));
    for (const text of ['project: a\nvariables: {}\n', '\ufeffproject: a\r\nvariables: {}\r\n# é\n']) {
      writeFileSync(path, text);
      assert.equal(identifySchema(path).hash, loadSchema(path).hash);
    }
  });

  test('a schema larger than the limit is refused by its size, a symlink is never followed', () => {
    const dir = join(root, 'big');
    mkdirSync(dir);
    writeFileSync(join(dir, 'latchkey.yml'), Buffer.alloc(SCHEMA_MAX_BYTES + 1, 0x23));
    assert.throws(() => identifySchema(join(dir, 'latchkey.yml')), { code: 'SCHEMA_INVALID' });
    symlinkSync(join(dir, 'latchkey.yml'), join(dir, 'link.yml'));
    assert.throws(() => identifySchema(join(dir, 'link.yml')), { code: 'UNSAFE_PATH' });
  });

  test('a checkout reached through a symlinked directory has the same key as its real path', () => {
    const real = join(root, 'real-checkout');
    mkdirSync(real);
    writeFileSync(join(real, 'latchkey.yml'), 'project: a\nvariables: {}\n');
    symlinkSync(real, join(root, 'alias-checkout'));
    assert.equal(schemaKey(join(root, 'alias-checkout', 'latchkey.yml')), join(real, 'latchkey.yml'));
    assert.equal(
      identifySchema(join(root, 'alias-checkout', 'latchkey.yml')).key,
      join(real, 'latchkey.yml'),
    );
  });
});

describe('allowed.json', () => {
  test('it is written atomically as a 0600 file and reads back the same', async () => {
    const env = { LATCHKEY_HOME: join(root, 'home-write') };
    await writeAllowList(env, [ENTRY]);
    assert.equal(statSync(allowListPath(env)).mode & 0o777, 0o600);
    assert.deepEqual(readAllowList(env), [ENTRY]);
    assert.equal(readFileSync(allowListPath(env), 'utf8'), formatAllowList([ENTRY]));
  });

  test('no file yet is an empty list', () => {
    assert.deepEqual(readAllowList({ LATCHKEY_HOME: join(root, 'nothing-here') }), []);
  });

  test('a list other users can read, or a symlink, is refused rather than used', async () => {
    const env = { LATCHKEY_HOME: join(root, 'home-mode') };
    await writeAllowList(env, [ENTRY]);
    chmodSync(allowListPath(env), 0o644);
    assert.throws(() => readAllowList(env), { code: 'UNSAFE_PATH' });
    const other = { LATCHKEY_HOME: join(root, 'home-link') };
    mkdirSync(other.LATCHKEY_HOME, { mode: 0o700 });
    symlinkSync(allowListPath(env), allowListPath(other));
    assert.throws(() => readAllowList(other), { code: 'UNSAFE_PATH' });
  });

  const valid = JSON.parse(formatAllowList([ENTRY])) as {
    version: number;
    allowed: Record<string, unknown>[];
  };
  const variant = (
    change: (doc: { version: number; allowed: Record<string, unknown>[] }) => void,
  ): Buffer => {
    const doc = structuredClone(valid);
    change(doc);
    return Buffer.from(JSON.stringify(doc));
  };
  const entry0 = (doc: { allowed: Record<string, unknown>[] }): Record<string, unknown> => doc.allowed[0]!;
  const variables0 = (doc: { allowed: Record<string, unknown>[] }): Record<string, unknown>[] =>
    entry0(doc).variables as Record<string, unknown>[];

  const BAD: Record<string, Buffer> = {
    'not JSON': Buffer.from('{"version":1,'),
    'not UTF-8': Buffer.from([0x7b, 0xff, 0x7d]),
    'an array': Buffer.from('[]'),
    'another version': variant((d) => (d.version = 2)),
    'an extra top-level key': variant((d) => Object.assign(d, { extra: 1 })),
    'a __proto__ key': Buffer.from(
      formatAllowList([ENTRY]).replace('"version": 1', '"__proto__": {}, "version": 1'),
    ),
    'a relative path': variant((d) => (entry0(d).path = 'repo/latchkey.yml')),
    'a short hash': variant((d) => (entry0(d).hash = 'abc')),
    'an unknown environment': variant((d) => (entry0(d).environment = 'production')),
    'a production ref': variant((d) => (variables0(d)[0]!.ref = 'lk://app/production/db/password')),
    'a ref in another environment': variant((d) => (variables0(d)[0]!.ref = 'lk://app/staging/db/password')),
    'a ref with a path separator': variant((d) => (variables0(d)[0]!.ref = 'lk://app/development/../etc')),
    "the hook's own variable name": variant((d) => (variables0(d)[0]!.name = '__latchkey_names')),
    "a shell's read-only variable": variant((d) => (variables0(d)[0]!.name = 'UID')),
    'a name that is not an identifier': variant((d) => (variables0(d)[0]!.name = 'A;B')),
    'a variable named twice': variant((d) => (variables0(d)[1]!.name = 'DB_PASSWORD')),
    "'required' not a boolean": variant((d) => (variables0(d)[0]!.required = 'yes')),
    'a path listed twice': variant((d) => d.allowed.push(structuredClone(d.allowed[0]!))),
    'a bad date': variant((d) => (entry0(d).allowedAt = 'yesterday')),
  };
  for (const [what, bytes] of Object.entries(BAD)) {
    test(`a list with ${what} is refused whole, with a sentence saying how to recover`, () => {
      assert.throws(
        () => parseAllowList(bytes, '/data/allowed.json'),
        (error: Error & { code?: string }) => {
          assert.equal(error.code, 'STORAGE_FAILED');
          assert.match(
            error.message,
            /^\/data\/allowed\.json is not a valid allow list \(.+\); move it away and run 'latchkey allow' again/,
          );
          return true;
        },
      );
    });
  }

  test('the list Latchkey writes is valid', () => {
    assert.deepEqual(parseAllowList(Buffer.from(formatAllowList([ENTRY])), 'x'), [ENTRY]);
  });
});

describe('names a shell keeps for itself', () => {
  test('are refused for the hook and env; ordinary secret names are not', () => {
    for (const name of [
      'UID',
      'status',
      'PWD',
      'SECONDS',
      'HISTFILE',
      'BASH_ENV',
      'fish_function_path',
      'ZSH_VERSION',
      '__latchkey_names',
      '__LATCHKEY_X',
      'argv',
      'path',
    ]) {
      assert.ok(shellRefusal(name), name);
    }
    for (const name of [
      'DB_PASSWORD',
      'API_TOKEN',
      'STRIPE_SECRET_KEY',
      'HOSTNAME',
      'KEYS',
      'GITHUB_TOKEN',
      'Path_to_x',
    ]) {
      assert.equal(shellRefusal(name), undefined, name);
    }
  });
});
