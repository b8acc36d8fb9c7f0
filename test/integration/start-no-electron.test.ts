import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';

const root = path.resolve(__dirname, '../../..');
const startScript = path.join(root, 'scripts', 'start.mjs');
const electronInstalled = existsSync(path.join(root, 'node_modules', 'electron', 'path.txt'));

function environment(overrides: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.ELECTRON_OVERRIDE_DIST_PATH;
  for (const [name, value] of Object.entries(overrides)) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return env;
}

function start(env: NodeJS.ProcessEnv, args: string[] = []): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [startScript, ...args], {
    cwd: root,
    env,
    encoding: 'utf8',
    timeout: 30_000,
  });
}

function assertOneSentenceAboutElectron(result: SpawnSyncReturns<string>): void {
  assert.equal(result.status, 1);
  const lines = result.stderr.split('\n').filter((line) => line.trim() !== '');
  assert.equal(lines.length, 1, `exactly one line on stderr, got:\n${result.stderr}`);
  const line = lines[0] ?? '';
  assert.match(line, /Electron/);
  assert.match(line, /install\.js/, 'says how to download the binary');
  assert.match(line, /ELECTRON_OVERRIDE_DIST_PATH/, 'says how to use a local Electron build');
  assert.doesNotMatch(result.stderr, /^\s*at /m, 'no stack frames');
  assert.equal(result.stdout, '', 'nothing on stdout (no download attempt)');
}

/** A directory holding a stand-in for the Electron executable, as a shell script. */
function fakeElectron(script: string): string {
  const dist = mkdtempSync(path.join(tmpdir(), 'latchkey-fake-electron-'));
  const executable =
    process.platform === 'darwin'
      ? path.join(dist, 'Electron.app', 'Contents', 'MacOS', 'Electron')
      : path.join(dist, 'electron');
  mkdirSync(path.dirname(executable), { recursive: true });
  writeFileSync(executable, `#!/bin/sh\n${script}\n`);
  chmodSync(executable, 0o755);
  return dist;
}

const posixOnly = process.platform === 'win32' ? 'the stand-in Electron is a shell script' : false;

void describe('npm start', () => {
  void test(
    'without an Electron binary, exits 1 with one sentence saying how to get one',
    { skip: electronInstalled ? 'an Electron binary is installed on this machine' : false },
    () => {
      assertOneSentenceAboutElectron(start(environment({})));
    },
  );

  void test('an ELECTRON_OVERRIDE_DIST_PATH with no Electron in it gets the same sentence', () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'latchkey-no-electron-'));
    try {
      assertOneSentenceAboutElectron(start(environment({ ELECTRON_OVERRIDE_DIST_PATH: empty })));
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  void test("forwards Electron's exit status", { skip: posixOnly }, () => {
    const dist = fakeElectron('exit 7');
    try {
      const result = start(environment({ ELECTRON_OVERRIDE_DIST_PATH: dist }));
      assert.equal(result.status, 7, result.stderr);
    } finally {
      rmSync(dist, { recursive: true, force: true });
    }
  });

  void test(
    'runs Electron on the project directory and passes the remaining arguments on',
    { skip: posixOnly },
    () => {
      const dist = fakeElectron(`for a in "$@"; do printf 'arg:%s\\n' "$a"; done`);
      try {
        const result = start(environment({ ELECTRON_OVERRIDE_DIST_PATH: dist }), ['--lang=en', 'two words']);
        assert.equal(result.status, 0, result.stderr);
        assert.deepEqual(result.stdout.trim().split('\n'), [`arg:${root}`, 'arg:--lang=en', 'arg:two words']);
      } finally {
        rmSync(dist, { recursive: true, force: true });
      }
    },
  );

  void test('does not hand ELECTRON_RUN_AS_NODE to Electron', { skip: posixOnly }, () => {
    const dist = fakeElectron(`printf '%s' "\${ELECTRON_RUN_AS_NODE-unset}"`);
    try {
      const result = start(environment({ ELECTRON_OVERRIDE_DIST_PATH: dist, ELECTRON_RUN_AS_NODE: '1' }));
      assert.equal(result.status, 0, result.stderr);
      assert.equal(result.stdout, 'unset');
    } finally {
      rmSync(dist, { recursive: true, force: true });
    }
  });
});
