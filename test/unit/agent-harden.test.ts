import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { test } from 'node:test';

test(
  'hardenProcess marks the process non-dumpable on Linux',
  { skip: process.platform !== 'linux' && 'Linux only' },
  () => {
    const mod = resolve(__dirname, '..', '..', 'main', 'core', 'agent', 'harden-process.js');
    const script = `
    const koffi = require('koffi');
    const prctl = koffi.load('libc.so.6').func('int prctl(int, unsigned long, unsigned long, unsigned long, unsigned long)');
    const before = prctl(3, 0, 0, 0, 0);
    const result = require(${JSON.stringify(mod)}).hardenProcess();
    const after = prctl(3, 0, 0, 0, 0);
    process.stdout.write(JSON.stringify({ before, after, result }));`;
    const out = spawnSync(process.execPath, ['-e', script], {
      cwd: resolve(__dirname, '..', '..', '..'),
      encoding: 'utf8',
    });
    const r = JSON.parse(out.stdout) as { before: number; after: number; result: { nonDumpable: boolean } };
    assert.equal(r.before, 1);
    assert.equal(r.after, 0);
    assert.equal(r.result.nonDumpable, true);
  },
);
