/**
 * The `run` fast path bundle (scripts/bundle-run.mjs): the same compiled modules in one file, with
 * the slow-path modules left outside, the plan code id written in, and a V8 code cache beside it
 * that V8 accepts.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, test } from 'node:test';
import { LatchkeyError } from '../../main/core/errors';

const DIR = resolve(__dirname, '..', '..', 'main', 'cli', 'run');
const BUNDLE = join(DIR, 'launch.bundle.js');
const ROOT = resolve(__dirname, '..', '..', '..');

describe('the run bundle', () => {
  const text = readFileSync(BUNDLE, 'utf8');

  test('holds the fast path and none of the slow path (YAML, vault, argon2, scope rules)', () => {
    const modules = [...text.matchAll(/^\/\/ (dist\/\S+)$/gm)].map((m) => m[1]!);
    for (const m of [
      'cli/run/launch.js',
      'cli/run/child.js',
      'cli/run/plan-cache.js',
      'cli/run/node-handles.js',
      'core/agent/client.js',
      'core/errors.js',
    ])
      assert.ok(
        modules.some((x) => x.endsWith(m)),
        `${m} is in the bundle`,
      );
    for (const m of modules)
      assert.match(
        m,
        /^dist\/main\/(cli\/run|core\/agent|core\/errors|core\/project\/schema-locate|core\/vault\/paths)/,
      );
    assert.ok(!/node_modules\/(yaml|argon2|koffi)/.test(text));
  });

  test('every require it keeps is a builtin or a compiled module that exists', () => {
    const required = [...text.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]!);
    for (const r of new Set(required.filter((x) => x.startsWith('.')))) {
      const file = resolve(dirname(BUNDLE), r);
      assert.ok(existsSync(`${file}.js`) || existsSync(join(file, 'index.js')), `${r} resolves`);
    }
    for (const r of required.filter((x) => !x.startsWith('.'))) assert.match(r, /^node:/);
  });

  test('a LatchkeyError thrown by the slow path is reported by the bundle as one (two copies, one brand)', () => {
    const bundle = require(BUNDLE) as {
      reportError: (e: unknown, out: { isTTY: boolean; write(t: string): void }) => number;
    };
    let said = '';
    const sink = { isTTY: false, write: (t: string) => void (said += t) };
    assert.equal(bundle.reportError(new LatchkeyError('USAGE', 'say it plainly'), sink), 2);
    assert.equal(said, 'latchkey: USAGE: say it plainly\n');
    said = '';
    assert.equal(bundle.reportError(new Error('boom'), sink), 1);
    assert.match(said, /^latchkey: INTERNAL: an unexpected Error/);
  });

  test('the plan code id is written in: a sha256 over the code a plan depends on', () => {
    assert.match(text, /const BUILT_CODE_ID = "sha256:[0-9a-f]{64}"/);
    assert.ok(!text.includes('@@latchkey-plan-code-id@@'));
  });

  test('exports runFromArgv, and V8 accepts the code cache beside it', () => {
    const exports = require(BUNDLE) as { runFromArgv?: unknown };
    assert.equal(typeof exports.runFromArgv, 'function');
    const cache = join(DIR, 'launch.bundle.cache');
    assert.ok(readFileSync(cache).length > 0);
    const verdict = execFileSync(
      process.execPath,
      [join(ROOT, 'scripts', 'run-code-cache.mjs'), 'check', BUNDLE, cache],
      { encoding: 'utf8' },
    );
    assert.equal(verdict, 'accepted\n');
  });
});
