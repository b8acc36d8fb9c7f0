/**
 * latchkey.yml on disk: found by walking upward from a directory, read only from a regular file
 * (never through a symbolic link, never a FIFO), hashed over its exact bytes. Real temp dirs.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { isLatchkeyError } from '../../main/core/errors';
import { findSchema, loadSchema, MAX_SCHEMA_BYTES } from '../../main/core/project';

const VALID = 'project: payments\nvariables:\n  API_KEY: { ref: "lk://payments/{env}/api/key" }\n';
const posix = process.platform !== 'win32';

let root: string;
let counter = 0;

before(() => {
  root = realpathSync(mkdtempSync(join(tmpdir(), 'latchkey-project-')));
});
after(() => rmSync(root, { recursive: true, force: true }));

/** A fresh directory tree under the temp root. */
function repo(): string {
  const dir = join(root, `repo${counter++}`);
  mkdirSync(dir);
  return dir;
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
    return 'OK';
  } catch (error) {
    return isLatchkeyError(error) ? error.code : String(error);
  }
}

describe('findSchema', () => {
  test('finds latchkey.yml in the start directory', () => {
    const dir = repo();
    writeFileSync(join(dir, 'latchkey.yml'), VALID);
    assert.equal(findSchema(dir), join(dir, 'latchkey.yml'));
  });

  test('walks upward from a nested directory to the repo root', () => {
    const dir = repo();
    writeFileSync(join(dir, 'latchkey.yml'), VALID);
    const deep = join(dir, 'services', 'api', 'src');
    mkdirSync(deep, { recursive: true });
    assert.equal(findSchema(deep), join(dir, 'latchkey.yml'));
  });

  test('accepts the hidden name .latchkey.yml', () => {
    const dir = repo();
    writeFileSync(join(dir, '.latchkey.yml'), VALID);
    mkdirSync(join(dir, 'sub'));
    assert.equal(findSchema(join(dir, 'sub')), join(dir, '.latchkey.yml'));
  });

  test('the nearest schema wins over one further up', () => {
    const dir = repo();
    writeFileSync(join(dir, 'latchkey.yml'), VALID);
    mkdirSync(join(dir, 'inner', 'deeper'), { recursive: true });
    writeFileSync(join(dir, 'inner', 'latchkey.yml'), VALID);
    assert.equal(findSchema(join(dir, 'inner', 'deeper')), join(dir, 'inner', 'latchkey.yml'));
  });

  test('resolves a relative start directory', () => {
    const dir = repo();
    writeFileSync(join(dir, 'latchkey.yml'), VALID);
    const relative = join(dir, 'a', '..');
    assert.equal(findSchema(relative), join(dir, 'latchkey.yml'));
  });

  test('returns undefined when no directory up to the root has one', () => {
    const dir = repo();
    mkdirSync(join(dir, 'x', 'y'), { recursive: true });
    assert.equal(findSchema(join(dir, 'x', 'y')), undefined);
  });

  test('one directory holding both names is refused', () => {
    const dir = repo();
    writeFileSync(join(dir, 'latchkey.yml'), VALID);
    writeFileSync(join(dir, '.latchkey.yml'), VALID);
    assert.equal(
      codeOf(() => findSchema(dir)),
      'SCHEMA_INVALID',
    );
  });

  test('a symlinked schema is reported, not followed and not skipped', { skip: !posix }, () => {
    const dir = repo();
    writeFileSync(join(dir, 'latchkey.yml'), VALID);
    const inner = join(dir, 'inner');
    mkdirSync(inner);
    writeFileSync(join(dir, 'elsewhere.yml'), VALID);
    symlinkSync(join(dir, 'elsewhere.yml'), join(inner, 'latchkey.yml'));
    assert.equal(
      codeOf(() => findSchema(inner)),
      'UNSAFE_PATH',
    );
  });

  test('a dangling symlink named latchkey.yml is reported', { skip: !posix }, () => {
    const dir = repo();
    symlinkSync(join(dir, 'missing.yml'), join(dir, 'latchkey.yml'));
    assert.equal(
      codeOf(() => findSchema(dir)),
      'UNSAFE_PATH',
    );
  });

  test('a directory named latchkey.yml is reported', () => {
    const dir = repo();
    mkdirSync(join(dir, 'latchkey.yml'));
    assert.equal(
      codeOf(() => findSchema(dir)),
      'UNSAFE_PATH',
    );
  });
});

describe('loadSchema', () => {
  test('reads a schema, with its absolute path and the SHA-256 of its bytes', () => {
    const dir = repo();
    const path = join(dir, 'latchkey.yml');
    writeFileSync(path, VALID);
    const schema = loadSchema(path);
    assert.equal(schema.path, path);
    assert.equal(schema.project, 'payments');
    assert.equal(schema.hash, createHash('sha256').update(VALID).digest('hex'));
  });

  test('the hash changes when one byte of the file changes', () => {
    const dir = repo();
    const path = join(dir, 'latchkey.yml');
    writeFileSync(path, VALID);
    const before = loadSchema(path).hash;
    writeFileSync(path, VALID.replace('api/key', 'api/kez'));
    assert.notEqual(loadSchema(path).hash, before);
  });

  test('the hash covers a byte-order mark the parser ignores', () => {
    const dir = repo();
    const path = join(dir, 'latchkey.yml');
    writeFileSync(path, VALID);
    const plain = loadSchema(path);
    writeFileSync(path, `\ufeff${VALID}`);
    const withBom = loadSchema(path);
    assert.deepEqual(withBom.variables, plain.variables);
    assert.notEqual(withBom.hash, plain.hash);
  });

  test('a missing file is SCHEMA_NOT_FOUND', () => {
    assert.equal(
      codeOf(() => loadSchema(join(repo(), 'latchkey.yml'))),
      'SCHEMA_NOT_FOUND',
    );
  });

  test('a symlink is refused even when it points at a valid schema', { skip: !posix }, () => {
    const dir = repo();
    writeFileSync(join(dir, 'real.yml'), VALID);
    symlinkSync(join(dir, 'real.yml'), join(dir, 'latchkey.yml'));
    assert.equal(
      codeOf(() => loadSchema(join(dir, 'latchkey.yml'))),
      'UNSAFE_PATH',
    );
  });

  test(
    'a FIFO is refused without blocking',
    { skip: !posix || spawnSync('mkfifo', ['--version']).error !== undefined },
    () => {
      const dir = repo();
      const path = join(dir, 'latchkey.yml');
      assert.equal(spawnSync('mkfifo', [path]).status, 0);
      assert.equal(
        codeOf(() => loadSchema(path)),
        'UNSAFE_PATH',
      );
      assert.equal(
        codeOf(() => findSchema(dir)),
        'UNSAFE_PATH',
      );
    },
  );

  test('a file over 256 KiB is refused by its size, before it is read', () => {
    const dir = repo();
    const path = join(dir, 'latchkey.yml');
    writeFileSync(path, `${VALID}#${'x'.repeat(MAX_SCHEMA_BYTES)}\n`);
    try {
      loadSchema(path);
      assert.fail('expected a refusal');
    } catch (error) {
      assert.ok(isLatchkeyError(error, 'SCHEMA_INVALID'));
      assert.match(error.message, /at most 256 KiB/);
    }
  });

  test('a file that is not UTF-8 is refused naming the first bad line', () => {
    const dir = repo();
    const path = join(dir, 'latchkey.yml');
    writeFileSync(
      path,
      Buffer.concat([Buffer.from('project: payments\nvariables: {}\n# caf'), Buffer.from([0xe9, 0x0a])]),
    );
    try {
      loadSchema(path);
      assert.fail('expected a refusal');
    } catch (error) {
      assert.ok(isLatchkeyError(error, 'SCHEMA_INVALID'));
      assert.ok(error.message.startsWith(`${path}:3: is not valid UTF-8`), error.message);
    }
  });

  test('binary junk on disk is refused cleanly', () => {
    const dir = repo();
    const path = join(dir, 'latchkey.yml');
    writeFileSync(path, Buffer.from(Array.from({ length: 2048 }, (_, i) => (i * 151 + 7) & 0xff)));
    assert.equal(
      codeOf(() => loadSchema(path)),
      'SCHEMA_INVALID',
    );
  });

  test('errors name the path as given and the line', () => {
    const dir = repo();
    const path = join(dir, 'latchkey.yml');
    writeFileSync(
      path,
      'project: payments\nvariables:\n  A:\n    ref: lk://payments/{env}/a/b\n    owmer: x\n',
    );
    try {
      loadSchema(path);
      assert.fail('expected a refusal');
    } catch (error) {
      assert.ok(isLatchkeyError(error, 'SCHEMA_INVALID'));
      assert.ok(error.message.startsWith(`${path}:5: unknown key 'owmer'`), error.message);
    }
  });
});
