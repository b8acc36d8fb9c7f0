'use strict';
// The Electron fuses of the packaged app: flipped by the afterPack hook (after-pack.js), then read
// back, and the build fails if any fuse is not what FUSES says. Why a hook and not
// electron-builder's `electronFuses:` block, and what each fuse does: docs/packaging.md.
const path = require('node:path');

/**
 * Every fuse of the Electron fuse wire, decided (keys are @electron/fuses' FuseV1Options names).
 * The flip uses strictlyRequireAllFuses, so an Electron that adds a fuse stops the build until the
 * new fuse is decided here.
 */
const FUSES = Object.freeze({
  // ELECTRON_RUN_AS_NODE would turn the signed app into a general-purpose Node.
  RunAsNode: false,
  // Cookies on disk encrypted with the OS keystore (we keep none, but a later one must not be plain).
  EnableCookieEncryption: true,
  // NODE_OPTIONS / NODE_EXTRA_CA_CERTS could preload code into the main process.
  EnableNodeOptionsEnvironmentVariable: false,
  // --inspect/--inspect-brk and SIGUSR1 would open a debugger on the main process.
  EnableNodeCliInspectArguments: false,
  // app.asar is checked against the hash electron-builder embeds (macOS; Windows since Electron 30).
  EnableEmbeddedAsarIntegrityValidation: true,
  // Only app.asar is loaded: no `app/` directory or default_app.asar beside it.
  OnlyLoadAppFromAsar: true,
  // Electron's default: we ship no browser-process-specific V8 snapshot.
  LoadBrowserProcessSpecificV8Snapshot: false,
  // The UI comes from app://, never file://, so file:// needs no privileges beyond a browser's.
  GrantFileProtocolExtraPrivileges: false,
  // Electron's default: V8's guard-page trap handlers make WebAssembly bounds checks cheap.
  WasmTrapHandlers: true,
});

/** electron-builder's `Arch` values (the fuses test checks them) whose macOS signature needs a reset. */
const ARCH_ARM64 = 3;
const ARCH_UNIVERSAL = 4;

/**
 * The file that holds the fuse wire for the app electron-builder just packed into `appOutDir`,
 * named the way electron-builder names it (PlatformPackager.addElectronFuses): the Linux
 * executable, `<productFilename>.exe`, or the `.app` bundle (whose Electron Framework holds the wire).
 */
function electronBinaryPath(context) {
  const { appOutDir, electronPlatformName, packager } = context;
  switch (electronPlatformName) {
    case 'linux':
      return path.join(appOutDir, packager.executableName);
    case 'win32':
      return path.join(appOutDir, `${packager.appInfo.productFilename}.exe`);
    case 'darwin':
    case 'mas':
      return path.join(appOutDir, `${packager.appInfo.productFilename}.app`);
    default:
      throw new Error(`latchkey: no fuse rule for platform ${String(electronPlatformName)}`);
  }
}

/**
 * An arm64 (or universal) macOS binary is ad-hoc signed, and flipping a fuse breaks that signature:
 * reset it so that an unsigned development build still launches (a signing identity re-signs anyway).
 */
function needsAdHocSignatureReset(electronPlatformName, arch) {
  return (
    (electronPlatformName === 'darwin' || electronPlatformName === 'mas') &&
    (arch === ARCH_ARM64 || arch === ARCH_UNIVERSAL)
  );
}

/** Sets every fuse in FUSES on the Electron binary at `binary`, then checks each one by reading it back. */
async function flipFuses(binary, { resetAdHocDarwinSignature = false } = {}) {
  const fuses = await import('@electron/fuses');
  const config = { version: fuses.FuseVersion.V1, strictlyRequireAllFuses: true, resetAdHocDarwinSignature };
  for (const [name, enabled] of Object.entries(FUSES)) {
    const index = fuses.FuseV1Options[name];
    if (typeof index !== 'number')
      throw new Error(`latchkey: @electron/fuses does not know the fuse ${name}`);
    config[index] = enabled;
  }
  await fuses.flipFuses(binary, config);

  const wire = await fuses.getCurrentFuseWire(binary);
  const wrong = Object.entries(FUSES).filter(([name, enabled]) => {
    const expected = enabled ? fuses.FuseState.ENABLE : fuses.FuseState.DISABLE;
    return wire[fuses.FuseV1Options[name]] !== expected;
  });
  if (wrong.length > 0) {
    throw new Error(`latchkey: fuses not set after the flip: ${wrong.map(([name]) => name).join(', ')}`);
  }
}

/** Flips the fuses of the app electron-builder just packed (an afterPack context), verified. */
async function flipPackagedAppFuses(context) {
  const binary = electronBinaryPath(context);
  await flipFuses(binary, {
    resetAdHocDarwinSignature: needsAdHocSignatureReset(context.electronPlatformName, context.arch),
  });
  return binary;
}

module.exports = { FUSES, electronBinaryPath, flipFuses, flipPackagedAppFuses, needsAdHocSignatureReset };
