/**
 * Why values are sealed with our XChaCha20-Poly1305 on Node's native ChaCha20-Poly1305 rather than
 * libsodium-wrappers: per-call cost for vault-sized values, bulk throughput, and what loading
 * libsodium's WebAssembly would add to every CLI start. No target: the ratios are the argument.
 * Ratios are ours ÷ libsodium's, so below 1 means ours is faster.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { xchachaOpen, xchachaSeal } from '../../main/core/crypto/xchacha20poly1305';
import { interleave, summary, type BenchRow } from './measure';
import { median } from './stats';

const ROOT = resolve(__dirname, '..', '..', '..');
const SMALL_BYTES = 64;
const SMALL_CALLS = 10_000;
const SMALL_BLOCKS = 20;
const LARGE_BYTES = 1024 * 1024;
const LARGE_ROUNDS = 20;
const LOAD_ROUNDS = 15;

type Seal = (key: Uint8Array, nonce: Uint8Array, plain: Uint8Array, aad: Uint8Array) => Uint8Array;
type Open = (
  key: Uint8Array,
  nonce: Uint8Array,
  sealed: Uint8Array,
  aad: Uint8Array,
) => Uint8Array | undefined;

interface Aead {
  readonly seal: Seal;
  readonly open: Open;
}

async function libsodium(): Promise<Aead> {
  // Loaded here, not at the top, so its WebAssembly start-up does not run during other benchmarks.
  const s = await (await import('../helpers/sodium.js')).sodium();
  return {
    seal: (key, nonce, plain, aad) =>
      s.crypto_aead_xchacha20poly1305_ietf_encrypt(plain, aad, null, nonce, key),
    open: (key, nonce, sealed, aad) =>
      s.crypto_aead_xchacha20poly1305_ietf_decrypt(null, sealed, aad, nonce, key),
  };
}

const native: Aead = { seal: xchachaSeal, open: xchachaOpen };

function perSecond(bytes: number, msPerCall: number): string {
  return `${(bytes / 2 ** 20 / (msPerCall / 1000)).toFixed(0)} MiB/s`;
}

/** Per-call seal and open cost for `size`-byte values, `calls` calls per implementation in `blocks` interleaved blocks. */
async function compare(
  size: number,
  calls: number,
  blocks: number,
  ours: Aead,
  theirs: Aead,
): Promise<BenchRow[]> {
  const key = randomBytes(32);
  const nonce = randomBytes(24);
  const aad = randomBytes(32);
  const plain = randomBytes(size);
  const sealed = native.seal(key, nonce, plain, aad);
  const perBlock = calls / blocks;
  const loop = (fn: () => unknown) => () => {
    for (let i = 0; i < perBlock; i++) fn();
  };
  const runs = await interleave(blocks, {
    ourSeal: loop(() => ours.seal(key, nonce, plain, aad)),
    theirSeal: loop(() => theirs.seal(key, nonce, plain, aad)),
    ourOpen: loop(() => ours.open(key, nonce, sealed, aad)),
    theirOpen: loop(() => theirs.open(key, nonce, sealed, aad)),
  });
  const perCall = (samples: number[]) => samples.map((t) => t / perBlock);
  const label = size >= 1024 * 1024 ? `${size / 2 ** 20} MiB` : `${size} B`;
  const row = (op: string, mine: number[], libs: number[]): BenchRow => {
    const m = median(perCall(mine));
    const l = median(perCall(libs));
    const rate = size >= 1024 * 1024 ? ` — ${perSecond(size, m)} vs ${perSecond(size, l)}` : '';
    return {
      name: `XChaCha20-Poly1305 ${op} ${label} (× ${calls.toLocaleString('en')}), ours vs libsodium`,
      floor: `libsodium: ${summary(perCall(libs))}`,
      measured: `ours: ${summary(perCall(mine))}${rate}`,
      ratio: m / l,
      target: '— (lower is better)',
      pass: undefined,
    };
  };
  return [row('seal', runs.ourSeal, runs.theirSeal), row('open', runs.ourOpen, runs.theirOpen)];
}

/** Milliseconds a fresh Node process spends on `script`'s timed part, as the script prints it. */
function childMs(script: string): number {
  const result = spawnSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8' });
  const value = Number(result.stdout.trim());
  if (result.status !== 0 || !Number.isFinite(value)) {
    throw new Error(`timing child failed (${String(result.status)}): ${result.stderr}`);
  }
  return value;
}

async function compareLoad(): Promise<BenchRow> {
  const timed = (body: string) =>
    `const t=process.hrtime.bigint();${body}.then(()=>console.log(Number(process.hrtime.bigint()-t)/1e6))`;
  const ourModule = JSON.stringify(resolve(ROOT, 'dist', 'main', 'core', 'crypto', 'xchacha20poly1305.js'));
  // Each child reports its own figure (Node's start-up excluded); the spawn's wall time is not used.
  const inner = { sodium: [] as number[], ours: [] as number[] };
  await interleave(LOAD_ROUNDS, {
    sodium: () => inner.sodium.push(childMs(timed(`require('libsodium-wrappers-sumo').ready`))),
    ours: () => inner.ours.push(childMs(timed(`Promise.resolve(require(${ourModule}))`))),
  });
  const sodium = inner.sodium.slice(-LOAD_ROUNDS);
  const ours = inner.ours.slice(-LOAD_ROUNDS);
  return {
    name: 'load + ready in a fresh process, ours vs libsodium',
    floor: `libsodium-wrappers-sumo: ${summary(sodium)}`,
    measured: `ours: ${summary(ours)}`,
    ratio: median(ours) / median(sodium),
    target: '— (lower is better)',
    pass: undefined,
  };
}

export async function benchAead(): Promise<BenchRow[]> {
  const theirs = await libsodium();
  return [
    ...(await compare(SMALL_BYTES, SMALL_CALLS, SMALL_BLOCKS, native, theirs)),
    ...(await compare(LARGE_BYTES, LARGE_ROUNDS, LARGE_ROUNDS, native, theirs)),
    await compareLoad(),
  ];
}
