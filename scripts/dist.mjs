#!/usr/bin/env node
// `npm run dist` (after the build): packages the app with electron-builder for this machine's
// platform and architecture, from the Electron in node_modules/electron/dist (or
// ELECTRON_OVERRIDE_DIST_PATH), found the way scripts/start.mjs finds it. electron-builder would
// otherwise download Electron; here a missing binary gets one sentence on stderr and exit status 1.
// Further arguments go to electron-builder (e.g. `npm run dist -- --dir`), except ones that name
// another platform or architecture: the local Electron and the native modules in node_modules are
// this machine's, so other platforms are packaged on their own machines (docs/packaging.md).
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { installedElectron, isFile } from './electron-binary.mjs';

const root = resolve(import.meta.dirname, '..');

const NO_ELECTRON =
  'latchkey: no Electron binary is installed, and packaging does not download one; run ' +
  '`node node_modules/electron/install.js` on a machine with network access or set ' +
  'ELECTRON_OVERRIDE_DIST_PATH to a directory holding an unpacked Electron build for this platform.';
const NOT_BUILT =
  'latchkey: the app is not built; run `npm run build` first (`npm run dist` builds it for you).';

const PLATFORM_FLAGS = {
  '--linux': 'linux',
  '-l': 'linux',
  '--mac': 'darwin',
  '--macos': 'darwin',
  '-m': 'darwin',
  '-o': 'darwin',
  '--win': 'win32',
  '--windows': 'win32',
  '-w': 'win32',
};
const PLATFORM_NAMES = { linux: 'Linux', darwin: 'macOS', win32: 'Windows' };
const ARCH_FLAGS = {
  '--x64': 'x64',
  '--ia32': 'ia32',
  '--armv7l': 'arm',
  '--arm64': 'arm64',
  '--universal': 'universal',
};

/** The unpacked Electron directory to package from, or undefined when none is installed. */
function electronDistDirectory() {
  return installedElectron(root)?.dist;
}

function failWith(sentence) {
  process.stderr.write(`${sentence}\n`);
  process.exit(1);
}

/** electron-builder's flags one by one, with short platform flags written together (`-mwl`) split. */
function flags(args) {
  return args.flatMap((arg) =>
    /^-[lmow]{2,}$/.test(arg) ? [...arg.slice(1)].map((letter) => `-${letter}`) : [arg],
  );
}

const args = process.argv.slice(2);
for (const arg of flags(args)) {
  const platform = PLATFORM_FLAGS[arg];
  const arch = ARCH_FLAGS[arg];
  if (
    (platform !== undefined && platform !== process.platform) ||
    (arch !== undefined && arch !== process.arch)
  ) {
    failWith(
      `latchkey: ${arg} asks for a package for ${PLATFORM_NAMES[platform] ?? arch}, but the Electron and ` +
        `native modules here are ${process.platform}-${process.arch}; package on such a machine instead.`,
    );
  }
}

const dist = electronDistDirectory();
if (dist === undefined) failWith(NO_ELECTRON);
if (!isFile(join(root, 'dist', 'main', 'app', 'main.js'))) failWith(NOT_BUILT);

const builder = join(root, 'node_modules', 'electron-builder', 'cli.js');
const result = spawnSync(
  process.execPath,
  [builder, `-c.electronDist=${dist}`, '--publish', 'never', ...args],
  { cwd: root, stdio: 'inherit' },
);
if (result.error) failWith(`latchkey: could not run electron-builder (${result.error.message}).`);
process.exit(result.status ?? 1);
