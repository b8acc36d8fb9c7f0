/**
 * The `run` fast path bundle (scripts/bundle-run.mjs): the same compiled modules in one file, with
 * the slow-path modules and core/errors left outside, and a V8 code cache beside it.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, test } from 'node:test';

const DIR = resolve(__dirname, '..', '..', 'main', 'cli', 'run');
const BUNDLE = join(DIR, 'launch.bundle.js');

describe('the run bundle', () => {
  const text = readFileSync(BUNDLE, 'utf8');

  test('holds the fast path and none of the slow path (YAML, vault, argon2, scope rules)', () => {
    const modules = [...text.matchAll(/^\/\/ (dist\/\S+)$/gm)].map((m) => m[1]!);
    for (const m of ['cli/run/launch.js', 'cli/run/child.js', 'cli/run/plan-cache.js', 'core/agent/client.js'])
      assert.ok(modules.some((x) => x.endsWith(m)), `${m} is in the bundle`);
    for (const m of modules) assert.match(m, /^dist\/main\/(cli\/run|core\/agent|core\/project\/schema-locate|core\/vault\/paths)/);
    assert.ok(!/node_modules\/(yaml|argon2|koffi)/.test(text));
  });

  test('every require it keeps is a builtin or a compiled module that exists, errors among them', () => {
    const required = [...text.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]!);
    const local = [...new Set(required.filter((r) => r.startsWith('.')))];
    assert.ok(local.includes('../../core/errors'), 'one shared copy of LatchkeyError');
    for (const r of local) {
      const file = resolve(dirname(BUNDLE), r);
      assert.ok(existsSync(`${file}.js`) || existsSync(join(file, 'index.js')), `${r} resolves`);
    }
    for (const r of required.filter((x) => !x.startsWith('.'))) assert.match(r, /^node:/);
  });

  test('exports runFromArgv, and a code cache sits beside it', () => {
    const exports = require(BUNDLE) as { runFromArgv?: unknown };
    assert.equal(typeof exports.runFromArgv, 'function');
    assert.ok(readFileSync(join(DIR, 'launch.bundle.cache')).length > 0);
  });
});
