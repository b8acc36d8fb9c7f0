/**
 * The master-password KDF: Argon2id v1.3 through the `argon2` package. The hash runs on libuv's
 * thread pool (the package's native AsyncWorker), never on the JavaScript thread, so an agent
 * keeps serving its socket while a vault unlocks.
 *
 * Parameters are checked against a floor and a ceiling BEFORE any hashing: a downgraded header
 * must not open, and a header asking for absurd memory or time must not hang or exhaust the machine.
 */
import { LatchkeyError } from '../errors';
import { normalizePassword } from './password';
import { wipe } from './secret';

export interface KdfParams {
  /** Memory in KiB. */
  readonly memoryKiB: number;
  /** Passes over memory. */
  readonly iterations: number;
  /** Lanes. Format v1 requires 1 so that any libsodium binding (crypto_pwhash) can derive the key. */
  readonly parallelism: number;
}

export const SALT_BYTES = 16;
export const DERIVED_KEY_BYTES = 32;

/** RFC 9106's second recommendation uses 64 MiB; we never go below it. */
export const KDF_FLOOR = { memoryKiB: 64 * 1024, iterations: 2, parallelism: 1 } as const;
/** Beyond these a header is absurd: several seconds to minutes of work or gigabytes of memory. */
export const KDF_CEILING = {
  memoryKiB: 2 * 1024 * 1024,
  iterations: 64,
  parallelism: 1,
  /** memory × passes, in MiB: bounds the total work whatever the split. */
  workMiB: 16 * 1024,
} as const;

let invocations = 0;
/** How many times the KDF has actually run in this process (tests use it to prove refusal happens before). */
export function kdfInvocationCount(): number {
  return invocations;
}

/** Throws KDF_PARAMS_REFUSED unless every parameter is an integer within the floor and ceiling. */
export function checkKdfParams(p: KdfParams): void {
  const fields: [keyof KdfParams, number, number][] = [
    ['memoryKiB', KDF_FLOOR.memoryKiB, KDF_CEILING.memoryKiB],
    ['iterations', KDF_FLOOR.iterations, KDF_CEILING.iterations],
    ['parallelism', KDF_FLOOR.parallelism, KDF_CEILING.parallelism],
  ];
  for (const [name, min, max] of fields) {
    const v = p[name];
    if (!Number.isInteger(v) || v < min || v > max) {
      throw new LatchkeyError(
        'KDF_PARAMS_REFUSED',
        `the vault header asks for Argon2id ${name}=${String(v)}, outside the allowed ${min}–${max}; ` +
          `the file may have been tampered with — restore it with 'latchkey restore-backup' or from your own backup`,
      );
    }
  }
  const work = (p.memoryKiB / 1024) * p.iterations;
  if (work > KDF_CEILING.workMiB) {
    throw new LatchkeyError(
      'KDF_PARAMS_REFUSED',
      `the vault header asks for ${Math.round(work)} MiB×passes of Argon2id work, above the ceiling of ` +
        `${KDF_CEILING.workMiB}; the file may have been tampered with — restore it with 'latchkey restore-backup'`,
    );
  }
}

type Argon2 = typeof import('argon2');
let argon2Module: Argon2 | undefined;
function argon2(): Argon2 {
  // Loaded on first use so commands that never derive a key do not pay for the native module.
  argon2Module ??= require('argon2') as Argon2;
  return argon2Module;
}

/**
 * Derives the 32-byte key-encryption key from the password bytes. Checks the parameters first.
 * The password (bytes, normalised per normalizePassword) is not modified; the caller zeroes it.
 */
export async function deriveKey(password: Uint8Array, salt: Uint8Array, params: KdfParams): Promise<Buffer> {
  checkKdfParams(params);
  if (salt.length !== SALT_BYTES)
    throw new LatchkeyError('VAULT_CORRUPT', 'the vault header has a malformed salt');
  const a = argon2();
  invocations++;
  const input = normalizePassword(password);
  try {
    return await a.hash(input, {
      type: a.argon2id,
      version: 0x13,
      raw: true,
      salt: Buffer.from(salt),
      memoryCost: params.memoryKiB,
      timeCost: params.iterations,
      parallelism: params.parallelism,
      hashLength: DERIVED_KEY_BYTES,
    });
  } finally {
    wipe(input);
  }
}

export interface CalibrationResult {
  readonly params: KdfParams;
  /** Predicted unlock time with these parameters, in milliseconds. */
  readonly predictedMs: number;
}

/**
 * Picks parameters so that one derivation takes about `targetMs` on this machine: memory first
 * (doubling from 64 MiB up to `maxMemoryKiB` while three passes still fit), then passes. Never
 * below the floor. Shared machines are noisy, so each point is the fastest of two timings after
 * a warm-up, and the fixed cost of a derivation (allocating its memory) is measured, not assumed
 * away: time(t) = fixed + t × perPass, from timings at 2 and 4 passes.
 */
export async function calibrateKdf(targetMs: number, maxMemoryKiB = 1024 * 1024): Promise<CalibrationResult> {
  const salt = Buffer.alloc(SALT_BYTES, 0x5a);
  const password = Buffer.from('latchkey calibration');
  const time = async (params: KdfParams, runs: number): Promise<number> => {
    let best = Infinity;
    for (let i = 0; i < runs; i++) {
      const started = process.hrtime.bigint();
      (await deriveKey(password, salt, params)).fill(0);
      best = Math.min(best, Number(process.hrtime.bigint() - started) / 1e6);
    }
    return best;
  };
  const floor: KdfParams = { ...KDF_FLOOR };
  const floorMs = await time(floor, 1); // also the warm-up
  if (floorMs >= targetMs) return { params: floor, predictedMs: floorMs };
  const atFloor = await time(floor, 2);
  const msPerMiBPass = atFloor / ((floor.memoryKiB / 1024) * floor.iterations);
  let memoryKiB: number = KDF_FLOOR.memoryKiB;
  const ceilingMemory = Math.min(maxMemoryKiB, KDF_CEILING.memoryKiB);
  while (memoryKiB * 2 <= ceilingMemory && ((memoryKiB * 2) / 1024) * 3 * msPerMiBPass <= targetMs)
    memoryKiB *= 2;
  const two = await time({ memoryKiB, iterations: 2, parallelism: 1 }, 2);
  const four = await time({ memoryKiB, iterations: 4, parallelism: 1 }, 2);
  const perPass = Math.max((four - two) / 2, 0.01);
  const fixed = Math.max(two - 2 * perPass, 0);
  let iterations = Math.round((targetMs - fixed) / perPass);
  iterations = Math.max(KDF_FLOOR.iterations, Math.min(iterations, KDF_CEILING.iterations));
  while ((memoryKiB / 1024) * iterations > KDF_CEILING.workMiB) iterations--;
  return { params: { memoryKiB, iterations, parallelism: 1 }, predictedMs: fixed + perPass * iterations };
}
