'use strict';
// Ships the `latchkey` CLI inside the packaged app, in <resources>/cli, for "Install command line
// tool" (docs/packaging.md). Plain `node` cannot read app.asar and the RunAsNode fuse is off, so the
// CLI gets its own copy, laid out as in the repository so that bin/latchkey.js finds
// ../dist/main/cli/main.js and ../package.json: the launcher, the compiled CLI and core (not
// main/app), a package.json with the version, and the installed production node_modules. It runs
// on the system's Node. Not electron-builder's extraResources: whatever extraResources copies from
// inside the project is left out of app.asar, and the app needs dist/main/core as well.
const { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } = require('node:fs');
const path = require('node:path');

/** The directories of dist/main that the CLI needs; main/app (Electron) is not one of them. */
const CLI_CODE = ['cli', 'core'];

/** The `resources` directory of an app electron-builder packed into `appOutDir`. */
function resourcesDir(context) {
  const { appOutDir, electronPlatformName, packager } = context;
  if (electronPlatformName === 'darwin' || electronPlatformName === 'mas') {
    return path.join(appOutDir, `${packager.appInfo.productFilename}.app`, 'Contents', 'Resources');
  }
  return path.join(appOutDir, 'resources');
}

/**
 * The node_modules paths (relative to `projectDir`, e.g. `node_modules/yaml`) of the production
 * dependency closure recorded in package-lock.json, limited to those installed here (of koffi's
 * per-platform packages, only this machine's is).
 */
function productionPackages(projectDir) {
  const lock = JSON.parse(readFileSync(path.join(projectDir, 'package-lock.json'), 'utf8'));
  if (lock.packages === undefined)
    throw new Error('latchkey: package-lock.json has no "packages" (lockfile v2+ needed)');
  return Object.entries(lock.packages)
    .filter(
      ([key, entry]) => key.startsWith('node_modules/') && !entry.dev && !entry.devOptional && !entry.link,
    )
    .map(([key]) => key)
    .filter((key) => existsSync(path.join(projectDir, key)))
    .sort();
}

/** Copies one package without its nested node_modules (those are entries of their own in the lock). */
function copyPackage(projectDir, key, cliDir) {
  const from = path.join(projectDir, key);
  const nested = path.join(from, 'node_modules');
  cpSync(from, path.join(cliDir, key), { recursive: true, filter: (source) => source !== nested });
}

/**
 * Writes the CLI into `<resourcesDir>/cli` from the built project in `projectDir`, replacing what
 * was there. `platform` is electron-builder's platform name (win32 also gets latchkey.cmd).
 * Returns the launcher's path.
 */
function shipCli(projectDir, targetResourcesDir, platform) {
  const cliDir = path.join(targetResourcesDir, 'cli');
  for (const part of CLI_CODE) {
    if (!existsSync(path.join(projectDir, 'dist', 'main', part))) {
      throw new Error(`latchkey: dist/main/${part} is missing; run \`npm run build\` before packaging`);
    }
  }
  rmSync(cliDir, { recursive: true, force: true });
  mkdirSync(path.join(cliDir, 'bin'), { recursive: true });

  const launcher = path.join(cliDir, 'bin', 'latchkey.js');
  cpSync(path.join(projectDir, 'bin', 'latchkey.js'), launcher);
  chmodSync(launcher, 0o755);
  if (platform === 'win32') {
    cpSync(path.join(projectDir, 'build', 'cli', 'latchkey.cmd'), path.join(cliDir, 'bin', 'latchkey.cmd'));
  }

  const pkg = JSON.parse(readFileSync(path.join(projectDir, 'package.json'), 'utf8'));
  const cliPackage = {
    name: pkg.name,
    version: pkg.version,
    description: pkg.description,
    license: pkg.license,
    private: true,
    engines: pkg.engines,
  };
  writeFileSync(path.join(cliDir, 'package.json'), `${JSON.stringify(cliPackage, null, 2)}\n`);

  for (const part of CLI_CODE) {
    cpSync(path.join(projectDir, 'dist', 'main', part), path.join(cliDir, 'dist', 'main', part), {
      recursive: true,
    });
  }
  for (const key of productionPackages(projectDir)) copyPackage(projectDir, key, cliDir);
  return launcher;
}

module.exports = { CLI_CODE, productionPackages, resourcesDir, shipCli };
