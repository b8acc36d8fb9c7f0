// `npm run dist` (scripts/dist.mjs) end to end: the one-sentence refusals, and — on Linux — a real
// electron-builder run (`--dir`: the unpacked app, no installer tools needed) from a stand-in
// Electron: a file holding the fuse sentinel and Electron's default fuse wire. It checks what the
// package holds (app.asar, the shipped CLI, the fuses) without an Electron binary or the network.
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';

const root = path.resolve(__dirname, '../../..');
const distScript = path.join(root, 'scripts', 'dist.mjs');
const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';

const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

function dist(args: string[], electronDist: string, timeout = 30_000): SpawnSyncReturns<string> {
  const env: NodeJS.ProcessEnv = { ...process.env, ELECTRON_OVERRIDE_DIST_PATH: electronDist };
  return spawnSync(process.execPath, [distScript, ...args], { cwd: root, env, encoding: 'utf8', timeout });
}

function assertOneSentence(result: SpawnSyncReturns<string>, pattern: RegExp): void {
  assert.equal(result.status, 1);
  const lines = result.stderr.split('\n').filter((line) => line.trim() !== '');
  assert.equal(lines.length, 1, `exactly one line on stderr, got:\n${result.stderr}`);
  assert.match(lines[0] ?? '', pattern);
  assert.equal(result.stdout, '', 'electron-builder did not start');
}

/** The file paths (leading `/`) inside an asar archive, read from its JSON header. */
function asarFiles(archive: string): string[] {
  const bytes = readFileSync(archive);
  // Chromium pickles: [4][header pickle size] then the header pickle [payload size][string length][JSON].
  const length = bytes.readUInt32LE(12);
  const header = JSON.parse(bytes.subarray(16, 16 + length).toString('utf8')) as AsarDirectory;
  const out: string[] = [];
  const walk = (dir: AsarDirectory, prefix: string): void => {
    for (const [name, entry] of Object.entries(dir.files)) {
      if ('files' in entry) walk(entry, `${prefix}/${name}`);
      else out.push(`${prefix}/${name}`);
    }
  };
  walk(header, '');
  return out;
}
interface AsarDirectory {
  readonly files: Record<string, AsarDirectory | { readonly size: number }>;
}

void describe('npm run dist', () => {
  void test('without an Electron binary, fails with one sentence and never starts electron-builder', () => {
    assertOneSentence(
      dist(['--dir'], tempDir('latchkey-no-electron-')),
      /no Electron binary is installed.*does not download/,
    );
  });

  void test('asked for another platform, fails with one sentence', () => {
    const other = process.platform === 'win32' ? '--linux' : '--win';
    assertOneSentence(
      dist([other, '--dir'], tempDir('latchkey-no-electron-')),
      /asks for a package for (Linux|Windows)/,
    );
  });

  void test(
    'packs the app from a stand-in Electron: app.asar, the CLI in resources/cli, every fuse flipped',
    { skip: process.platform === 'linux' ? false : 'the stand-in is a Linux Electron' },
    () => {
      const electronDist = tempDir('latchkey-stand-in-electron-');
      const wire = Buffer.concat([
        Buffer.from(SENTINEL, 'latin1'),
        Buffer.from([1, 9]),
        Buffer.from('101100011', 'latin1'),
      ]);
      writeFileSync(
        path.join(electronDist, 'electron'),
        Buffer.concat([Buffer.alloc(4096, 0x2e), wire, Buffer.alloc(1024)]),
        {
          mode: 0o755,
        },
      );
      writeFileSync(path.join(electronDist, 'LICENSE'), 'stand-in\n');
      mkdirSync(path.join(electronDist, 'resources'));
      const output = tempDir('latchkey-release-');

      const result = dist(['--dir', `-c.directories.output=${output}`], electronDist, 180_000);
      assert.equal(result.status, 0, `${result.stdout}\n${result.stderr}`);
      const app = path.join(output, 'linux-unpacked');

      const files = asarFiles(path.join(app, 'resources', 'app.asar'));
      for (const needed of [
        '/package.json',
        '/dist/main/app/main.js',
        '/dist/main/core/errors.js',
        '/dist/preload/preload.js',
        '/dist/renderer/index.html',
      ]) {
        assert.ok(files.includes(needed), `app.asar holds ${needed}`);
      }
      assert.deepEqual(
        files.filter((f) => f.startsWith('/dist/test/') || f === '/dist/.tsbuildinfo'),
        [],
      );

      const binary = readFileSync(path.join(app, 'latchkey-desktop'));
      const at = binary.indexOf(SENTINEL, 0, 'latin1') + SENTINEL.length + 2;
      assert.equal(binary.subarray(at, at + 9).toString('latin1'), '010011001');

      const launcher = path.join(app, 'resources', 'cli', 'bin', 'latchkey.js');
      assert.ok(existsSync(launcher));
      const version = spawnSync(process.execPath, [launcher, '--version'], {
        encoding: 'utf8',
        timeout: 30_000,
      });
      assert.match(version.stdout, /^latchkey \d+\.\d+\.\d+/);
    },
  );
});
