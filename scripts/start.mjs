#!/usr/bin/env node
// `npm start` (after the build): runs Electron on this project, whose package.json "main" is
// dist/main/app/main.js, passes on any further arguments and exits with Electron's exit status.
//
// The binary is found the way the electron package's index.js finds it (node_modules/electron/
// path.txt, or ELECTRON_OVERRIDE_DIST_PATH) but without its side effect: when the binary is missing,
// require('electron') spawns install.js to download it from the network. Here a missing binary gets
// one sentence on stderr and exit status 1.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { join, resolve } from 'node:path';
import { installedElectron, isFile } from './electron-binary.mjs';

const root = resolve(import.meta.dirname, '..');
const mainScript = join(root, 'dist', 'main', 'app', 'main.js');

const NO_ELECTRON =
  'latchkey: no Electron binary is installed; to get one, run `node node_modules/electron/install.js` ' +
  'on a machine with network access or set ELECTRON_OVERRIDE_DIST_PATH to a directory holding an ' +
  'Electron build (the latchkey CLI and agent work without it).';
const NOT_BUILT =
  'latchkey: the app is not built; run `npm run build` first (`npm start` builds it for you).';

/** The Electron executable to run, or undefined when none is installed. Never downloads anything. */
function electronBinary() {
  return installedElectron(root)?.binary;
}

function failWith(sentence) {
  process.stderr.write(`${sentence}\n`);
  process.exit(1);
}

const binary = electronBinary();
if (binary === undefined) failWith(NO_ELECTRON);
if (!isFile(mainScript)) failWith(NOT_BUILT);

// A leftover ELECTRON_RUN_AS_NODE would make Electron run main.js as plain Node.
const env = { ...process.env };
delete env.ELECTRON_RUN_AS_NODE;

const child = spawn(binary, [root, ...process.argv.slice(2)], { cwd: root, env, stdio: 'inherit' });
let finished = false;

child.on('error', (error) => {
  if (finished) return;
  finished = true;
  failWith(`latchkey: could not run Electron at ${binary} (${error.code ?? error.message}).`);
});

child.on('close', (code, signal) => {
  if (finished) return;
  finished = true;
  if (code !== null) process.exit(code);
  process.exit(128 + (constants.signals[signal] ?? 0));
});

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    if (!finished) child.kill(signal);
  });
}
