'use strict';
// electron-builder's afterPack hook (electron-builder.yml), called once per packed app (per
// architecture, and once more for a universal macOS app), before electron-builder signs it:
// ships the CLI into resources/cli, then flips the Electron fuses and verifies them. Signing comes
// after both, so the signature covers the CLI's files and the flipped binary. docs/packaging.md.
const path = require('node:path');
const { FUSES, flipPackagedAppFuses } = require('./fuses');
const { resourcesDir, shipCli } = require('./ship-cli');

async function afterPack(context) {
  const projectDir = context.packager.projectDir;
  const launcher = shipCli(projectDir, resourcesDir(context), context.electronPlatformName);
  const binary = await flipPackagedAppFuses(context);
  process.stdout.write(
    `  • latchkey: CLI shipped  launcher=${path.relative(context.appOutDir, launcher)}\n` +
      `  • latchkey: fuses flipped and verified  file=${path.relative(context.appOutDir, binary)}\n`,
  );
}

module.exports = { afterPack, FUSES };
