// Where an installed Electron binary is, found the way the electron package's index.js finds it
// (node_modules/electron/path.txt, or ELECTRON_OVERRIDE_DIST_PATH) but without its side effect:
// when the binary is missing, require('electron') spawns install.js to download it. Shared by
// `npm start` (scripts/start.mjs) and `npm run dist` (scripts/dist.mjs); never downloads anything.
import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** The executable's path inside an Electron dist directory, as the electron package's install.js names it. */
function platformExecutable() {
  switch (process.platform) {
    case 'darwin':
      return 'Electron.app/Contents/MacOS/Electron';
    case 'win32':
      return 'electron.exe';
    case 'linux':
    case 'freebsd':
    case 'openbsd':
      return 'electron';
    default:
      return undefined;
  }
}

export function isFile(path) {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * The installed Electron for the project at `root`: its unpacked dist directory and the executable
 * inside it, or undefined when none is installed.
 */
export function installedElectron(root) {
  let packageDir;
  try {
    packageDir = dirname(createRequire(join(root, 'package.json')).resolve('electron/package.json'));
  } catch {
    packageDir = undefined;
  }
  let executable;
  if (packageDir !== undefined) {
    try {
      executable = readFileSync(join(packageDir, 'path.txt'), 'utf8').trim() || undefined;
    } catch {
      executable = undefined;
    }
  }
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  const dist = override || (packageDir === undefined ? undefined : join(packageDir, 'dist'));
  const name = executable ?? (override ? platformExecutable() : undefined);
  if (dist === undefined || name === undefined || !isFile(join(dist, name))) return undefined;
  return { dist, binary: join(dist, name) };
}
