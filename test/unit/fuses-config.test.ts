// The packaged app's fuses and packaging settings, read from electron-builder.yml and the afterPack
// hook it names — and the hook's flip run for real on stand-in Electron binaries: bytes around the
// fuse sentinel, laid out as Electron lays them out, so no Electron download is needed.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { Arch } from 'electron-builder';
import { parse } from 'yaml';

const root = path.resolve(__dirname, '../../..');

interface PackContext {
  readonly appOutDir: string;
  readonly electronPlatformName: string;
  readonly arch: number;
  readonly packager: {
    readonly executableName: string;
    readonly appInfo: { readonly productFilename: string };
  };
}

interface FusesModule {
  readonly FUSES: Readonly<Record<string, boolean>>;
  electronBinaryPath(context: PackContext): string;
  flipPackagedAppFuses(context: PackContext): Promise<string>;
  needsAdHocSignatureReset(platform: string, arch: number): boolean;
}

interface AfterPackModule {
  readonly FUSES: Readonly<Record<string, boolean>>;
  afterPack(context: PackContext): Promise<void>;
}

const fuses = require(path.join(root, 'build', 'fuses.js')) as FusesModule;
const afterPackModule = require(path.join(root, 'build', 'after-pack.js')) as AfterPackModule;
const config = parse(readFileSync(path.join(root, 'electron-builder.yml'), 'utf8')) as Record<
  string,
  unknown
>;

/** Fuse values SECURITY.md requires, by @electron/fuses' FuseV1Options name. */
const REQUIRED: Readonly<Record<string, boolean>> = {
  RunAsNode: false,
  EnableNodeOptionsEnvironmentVariable: false,
  EnableNodeCliInspectArguments: false,
  EnableEmbeddedAsarIntegrityValidation: true,
  OnlyLoadAppFromAsar: true,
  EnableCookieEncryption: true,
  GrantFileProtocolExtraPrivileges: false,
  LoadBrowserProcessSpecificV8Snapshot: false,
};

const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
/** Electron 45's fuse wire as shipped: RunAsNode, NODE_OPTIONS, inspect, file:// privileges and WASM trap handlers on. */
const ELECTRON_DEFAULT_WIRE = '101100011';
/** The wire after the flip, in FuseV1Options order (RunAsNode first, WasmTrapHandlers last). */
const FLIPPED_WIRE = '010011001';

const PREFIX = Buffer.from('\x7fELF stand-in for an Electron executable\n'.padEnd(4096, '.'), 'latin1');
const SUFFIX = Buffer.from('the rest of the binary'.padEnd(2048, '~'), 'latin1');

/** The bytes of a binary holding one fuse wire per entry of `wires` (two: a universal macOS binary). */
function electronBytes(...wires: string[]): Buffer {
  const parts: Buffer[] = [PREFIX];
  for (const wire of wires) {
    parts.push(
      Buffer.from(SENTINEL, 'latin1'),
      Buffer.from([1, wire.length]),
      Buffer.from(wire, 'latin1'),
      SUFFIX,
    );
  }
  return Buffer.concat(parts);
}

/** Every fuse wire in `bytes`, read independently of @electron/fuses: sentinel, version 1, length, states. */
function wiresIn(bytes: Buffer): string[] {
  const wires: string[] = [];
  for (
    let at = bytes.indexOf(SENTINEL, 0, 'latin1');
    at !== -1;
    at = bytes.indexOf(SENTINEL, at + 1, 'latin1')
  ) {
    const start = at + SENTINEL.length;
    assert.equal(bytes[start], 1, 'fuse wire version 1');
    const length = bytes[start + 1] ?? 0;
    wires.push(bytes.subarray(start + 2, start + 2 + length).toString('latin1'));
  }
  return wires;
}

function yamlSection(name: string): Record<string, unknown> {
  const section = config[name];
  assert.ok(typeof section === 'object' && section !== null, `electron-builder.yml has a ${name} section`);
  return section as Record<string, unknown>;
}

void describe('electron-builder.yml', () => {
  void test('packs the app into app.asar', () => {
    assert.equal(config.asar, true);
  });

  void test('flips fuses in exactly one place: the afterPack hook, not an electronFuses block as well', () => {
    assert.equal(config.afterPack, './build/after-pack.js');
    assert.equal(config.electronFuses, undefined);
    assert.equal(typeof afterPackModule.afterPack, 'function');
    assert.equal(afterPackModule.FUSES, fuses.FUSES, 'the hook flips the map this test checks');
  });

  void test('macOS: hardened runtime, with entitlements that grant V8 its JIT and nothing else', () => {
    const mac = yamlSection('mac');
    assert.equal(mac.hardenedRuntime, true);
    assert.equal(mac.entitlements, 'build/entitlements.mac.plist');
    assert.equal(mac.entitlementsInherit, 'build/entitlements.mac.plist');
    const plist = readFileSync(path.join(root, 'build', 'entitlements.mac.plist'), 'utf8').replace(
      /<!--[\s\S]*?-->/g,
      '',
    );
    assert.deepEqual(
      [...plist.matchAll(/<key>([^<]+)<\/key>\s*<(true|false)\/>/g)].map((m) => `${m[1]}=${m[2]}`),
      ['com.apple.security.cs.allow-jit=true'],
    );
  });

  void test('Linux: the app is not installed as `latchkey`, the name of the CLI', () => {
    const linux = yamlSection('linux');
    assert.equal(linux.executableName, 'latchkey-desktop');
    assert.match(String(linux.maintainer), /<[^@>\s]+@[^>\s]+>/, 'deb needs a maintainer with an email');
  });

  void test('no update feed is configured', () => {
    assert.equal(config.publish, null);
  });
});

void describe('the fuse map of the afterPack hook', () => {
  for (const [name, value] of Object.entries(REQUIRED)) {
    void test(`${name} is ${value ? 'on' : 'off'}`, () => {
      assert.equal(fuses.FUSES[name], value);
    });
  }

  void test('decides every fuse @electron/fuses knows, and no other', async () => {
    const { FuseV1Options } = await import('@electron/fuses');
    const known = Object.keys(FuseV1Options).filter((key) => Number.isNaN(Number(key)));
    assert.deepEqual(Object.keys(fuses.FUSES).sort(), known.sort());
  });

  void test('the packaged Electron has the ASAR-integrity fix of CVE-2025-55305', () => {
    const { version } = JSON.parse(readFileSync(require.resolve('electron/package.json'), 'utf8')) as {
      version: string;
    };
    const [major = 0, minor = 0, patch = 0] = version.split(/[.-]/).map(Number);
    const floor: Record<number, [number, number]> = { 35: [7, 5], 36: [8, 1], 37: [3, 1] };
    assert.ok(major >= 35, `Electron ${version} predates every fixed line`);
    const [minMinor, minPatch] = floor[major] ?? [0, 0];
    assert.ok(
      minor > minMinor || (minor === minMinor && patch >= minPatch),
      `Electron ${version} lacks the fix`,
    );
  });
});

void describe('the flip on a stand-in Electron binary', () => {
  const dirs: string[] = [];
  after(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  function appOutDir(): string {
    const dir = mkdtempSync(path.join(tmpdir(), 'latchkey-fuses-test-'));
    dirs.push(dir);
    return dir;
  }

  function context(dir: string, electronPlatformName: string, arch: number = Arch.x64): PackContext {
    return {
      appOutDir: dir,
      electronPlatformName,
      arch,
      packager: { executableName: 'latchkey-desktop', appInfo: { productFilename: 'Latchkey' } },
    };
  }

  function writeBinary(file: string, bytes: Buffer): void {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, bytes, { mode: 0o755 });
  }

  void test('Linux: sets every fuse of the executable and leaves every other byte as it was', async () => {
    const dir = appOutDir();
    const binary = path.join(dir, 'latchkey-desktop');
    const before = electronBytes(ELECTRON_DEFAULT_WIRE);
    writeBinary(binary, before);

    assert.equal(await fuses.flipPackagedAppFuses(context(dir, 'linux')), binary);
    const afterFlip = readFileSync(binary);
    assert.deepEqual(wiresIn(afterFlip), [FLIPPED_WIRE]);
    assert.equal(afterFlip.length, before.length);
    const wireAt = before.indexOf(SENTINEL, 0, 'latin1') + SENTINEL.length + 2;
    assert.ok(afterFlip.subarray(0, wireAt).equals(before.subarray(0, wireAt)));
    assert.ok(afterFlip.subarray(wireAt + 9).equals(before.subarray(wireAt + 9)));
  });

  void test('Windows: flips the .exe named after the product', async () => {
    const dir = appOutDir();
    writeBinary(path.join(dir, 'Latchkey.exe'), electronBytes(ELECTRON_DEFAULT_WIRE));
    await fuses.flipPackagedAppFuses(context(dir, 'win32'));
    assert.deepEqual(wiresIn(readFileSync(path.join(dir, 'Latchkey.exe'))), [FLIPPED_WIRE]);
  });

  void test('macOS: flips the wire inside the .app bundle’s Electron Framework', async () => {
    const dir = appOutDir();
    const framework = path.join(
      dir,
      'Latchkey.app',
      'Contents',
      'Frameworks',
      'Electron Framework.framework',
      'Electron Framework',
    );
    writeBinary(framework, electronBytes(ELECTRON_DEFAULT_WIRE));
    assert.equal(fuses.electronBinaryPath(context(dir, 'darwin')), path.join(dir, 'Latchkey.app'));
    await fuses.flipPackagedAppFuses(context(dir, 'darwin'));
    assert.deepEqual(wiresIn(readFileSync(framework)), [FLIPPED_WIRE]);
  });

  void test('a universal binary (one wire per architecture) has both wires flipped', async () => {
    const dir = appOutDir();
    writeBinary(
      path.join(dir, 'latchkey-desktop'),
      electronBytes(ELECTRON_DEFAULT_WIRE, ELECTRON_DEFAULT_WIRE),
    );
    await fuses.flipPackagedAppFuses(context(dir, 'linux'));
    assert.deepEqual(wiresIn(readFileSync(path.join(dir, 'latchkey-desktop'))), [FLIPPED_WIRE, FLIPPED_WIRE]);
  });

  void test('an Electron with a fuse nobody decided stops the build, and the binary is left unchanged', async () => {
    const dir = appOutDir();
    const binary = path.join(dir, 'latchkey-desktop');
    const before = electronBytes(`${ELECTRON_DEFAULT_WIRE}1`);
    writeBinary(binary, before);
    await assert.rejects(fuses.flipPackagedAppFuses(context(dir, 'linux')), /strictlyRequireAllFuses/);
    assert.ok(readFileSync(binary).equals(before));
  });

  void test('a binary without a fuse wire stops the build', async () => {
    const dir = appOutDir();
    writeBinary(path.join(dir, 'latchkey-desktop'), PREFIX);
    await assert.rejects(fuses.flipPackagedAppFuses(context(dir, 'linux')), /sentinel/);
  });

  void test('the ad-hoc signature is reset for arm64 and universal macOS builds only', () => {
    assert.equal(fuses.needsAdHocSignatureReset('darwin', Arch.arm64), true);
    assert.equal(fuses.needsAdHocSignatureReset('darwin', Arch.universal), true);
    assert.equal(fuses.needsAdHocSignatureReset('mas', Arch.arm64), true);
    assert.equal(fuses.needsAdHocSignatureReset('darwin', Arch.x64), false);
    assert.equal(fuses.needsAdHocSignatureReset('linux', Arch.arm64), false);
    assert.equal(fuses.needsAdHocSignatureReset('win32', Arch.arm64), false);
  });
});
