#!/usr/bin/env node
// `npm test`: build (which type-checks everything, main/app and preload against Electron's own
// types included), lint, then run every compiled test file under node:test and end with the
// closing line `N passed, N failed` that CI counts.
//   node scripts/test.mjs                 everything
//   node scripts/test.mjs unit/vault      only test files whose path contains one of the words
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { run } from 'node:test';
import { spec } from 'node:test/reporters';

const root = resolve(import.meta.dirname, '..');
const filters = process.argv.slice(2);

function step(name, command, args) {
  const started = Date.now();
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    process.stdout.write(`\n${name} failed\n0 passed, 1 failed\n`);
    process.exit(1);
  }
  process.stdout.write(`${name}: ok in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}

function findTests(dir) {
  const out = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...findTests(path));
    else if (entry.endsWith('.test.js')) out.push(path);
  }
  return out;
}

step('build', 'npm', ['run', '--silent', 'build']);
if (filters.length === 0) step('lint', 'npm', ['run', '--silent', 'lint']);
// Electronegativity exits 0 whatever it finds; the gate fails on findings not justified in
// security/electronegativity-exclusions.json (test/security/electronegativity-gate.ts).
if (filters.length === 0) {
  step('electronegativity', process.execPath, [
    join('dist', 'test', 'security', 'electronegativity-gate.js'),
  ]);
}

const testRoot = join(root, 'dist', 'test');
const files = findTests(testRoot)
  .filter((f) => filters.length === 0 || filters.some((w) => relative(testRoot, f).includes(w)))
  .sort();

let passed = 0;
let failed = 0;
let skipped = 0;
const failures = [];
const stream = run({ files, concurrency: 2, timeout: 5 * 60_000 });
stream.on('test:pass', (t) => {
  if (t.details?.type === 'suite') return;
  if (t.skip || t.todo) skipped++;
  else passed++;
});
stream.on('test:fail', (t) => {
  if (t.details?.type === 'suite') return;
  failed++;
  failures.push(`${t.file ? relative(root, t.file) : '?'}: ${t.name}`);
});
stream.compose(spec).pipe(process.stdout);
stream.on('end', () => {
  setImmediate(() => {
    if (failures.length > 0) process.stdout.write(`\nfailed:\n${failures.map((f) => `  ${f}`).join('\n')}\n`);
    process.stdout.write(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
    process.exitCode = failed > 0 || files.length === 0 ? 1 : 0;
  });
});
