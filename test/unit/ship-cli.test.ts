// The `latchkey` CLI as the packaged app ships it (build/ship-cli.js, run by the afterPack hook):
// written into a stand-in resources/ directory from this build, then run with plain node.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire, isBuiltin } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

const root = path.resolve(__dirname, '../../..');

interface ShipCliModule {
  readonly CLI_CODE: readonly string[];
  productionPackages(this: void, projectDir: string): string[];
  shipCli(this: void, projectDir: string, resourcesDir: string, platform: string): string;
}

const { productionPackages, shipCli } = require(path.join(root, 'build', 'ship-cli.js')) as ShipCliModule;

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? listFiles(full) : [full];
  });
}

/** The package directories directly under a node_modules directory (`name` or `@scope/name`). */
function installedPackages(nodeModules: string): string[] {
  return readdirSync(nodeModules).flatMap((name) =>
    name.startsWith('@')
      ? readdirSync(path.join(nodeModules, name)).map((inner) => `${name}/${inner}`)
      : [name],
  );
}

void describe('the CLI shipped in the packaged app', () => {
  let work = '';
  let resources = '';
  let cli = '';
  let launcher = '';

  before(() => {
    work = mkdtempSync(path.join(tmpdir(), 'latchkey-ship-cli-'));
    resources = path.join(work, 'resources');
    launcher = shipCli(root, resources, 'linux');
    cli = path.join(resources, 'cli');
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  void test('is laid out as in the repository, with an executable launcher at cli/bin/latchkey.js', () => {
    assert.equal(launcher, path.join(cli, 'bin', 'latchkey.js'));
    assert.ok((statSync(launcher).mode & 0o111) !== 0, 'the launcher is executable');
    assert.ok(existsSync(path.join(cli, 'dist', 'main', 'cli', 'main.js')));
    assert.ok(existsSync(path.join(cli, 'dist', 'main', 'core', 'errors.js')));
  });

  void test('runs with plain node from resources/cli: --version and --help', () => {
    const version = spawnSync(process.execPath, [launcher, '--version'], {
      cwd: work,
      encoding: 'utf8',
      timeout: 30_000,
    });
    const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };
    assert.equal(version.stdout, `latchkey ${pkg.version}\n`);
    const help = spawnSync(process.execPath, [launcher, '--help'], {
      cwd: work,
      encoding: 'utf8',
      timeout: 30_000,
    });
    assert.equal(help.status, 0, help.stderr);
    assert.match(help.stdout, /^usage: latchkey <command>/);
  });

  void test('every require() in the shipped code resolves inside resources/cli or to a Node built-in', () => {
    const unresolved: string[] = [];
    for (const file of listFiles(path.join(cli, 'dist')).filter((f) => f.endsWith('.js'))) {
      const source = readFileSync(file, 'utf8');
      for (const match of source.matchAll(/\brequire\(\s*(['"])([^'"]+)\1\s*\)/g)) {
        const specifier = match[2] ?? '';
        if (isBuiltin(specifier)) continue;
        let resolved: string;
        try {
          resolved = createRequire(file).resolve(specifier);
        } catch {
          resolved = '(not found)';
        }
        if (!resolved.startsWith(cli + path.sep))
          unresolved.push(`${path.relative(cli, file)}: ${specifier} → ${resolved}`);
      }
    }
    assert.deepEqual(unresolved, []);
  });

  void test('leaves out main/app (Electron), the compiled tests and every development package', () => {
    assert.deepEqual(readdirSync(path.join(cli, 'dist', 'main')).sort(), ['cli', 'core']);
    const shipped = installedPackages(path.join(cli, 'node_modules'));
    for (const dev of [
      'electron',
      'typescript',
      'electron-builder',
      '@doyensec/electronegativity',
      '@electron/fuses',
    ]) {
      assert.ok(!shipped.includes(dev), `${dev} is not shipped`);
    }
  });

  void test('ships exactly the installed production dependencies of package-lock.json', () => {
    const expected = productionPackages(root).map((key) => key.slice('node_modules/'.length));
    assert.deepEqual(installedPackages(path.join(cli, 'node_modules')).sort(), expected.sort());
    for (const runtime of ['argon2', 'koffi', 'yaml', 'zod']) assert.ok(expected.includes(runtime), runtime);
  });

  void test('its package.json carries the version and nothing to run', () => {
    const shipped = JSON.parse(readFileSync(path.join(cli, 'package.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as Record<string, unknown>;
    assert.equal(shipped.version, pkg.version);
    assert.equal(shipped.scripts, undefined);
    assert.equal(shipped.dependencies, undefined);
  });

  void test('Windows builds get latchkey.cmd beside the launcher; others do not', () => {
    assert.ok(!existsSync(path.join(cli, 'bin', 'latchkey.cmd')));
    const windows = path.join(work, 'windows-resources');
    shipCli(root, windows, 'win32');
    const cmd = readFileSync(path.join(windows, 'cli', 'bin', 'latchkey.cmd'), 'utf8');
    assert.match(cmd, /node "%~dp0latchkey\.js" %\*/);
  });
});
