/**
 * Unlocking a vault against the bare Argon2id derivation at the same parameters: what `open` adds
 * to the KDF it cannot avoid. Uses the parameters `latchkey init` would calibrate on this machine.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { calibrateKdf, deriveKey, SALT_BYTES } from '../../main/core/crypto/kdf';
import { VaultStore } from '../../main/core/vault/vault-store';
import { interleave, ms, summary, type BenchRow } from './measure';
import { median } from './stats';

const ROUNDS = 12;
const TARGET_RATIO = 1.15;
const TARGET_UNLOCK_MS = 500;
const MIN_MEMORY_KIB = 64 * 1024;
const PASSWORD = 'correct horse battery staple';

export async function benchUnlock(): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-bench-unlock-'));
  try {
    const { params, predictedMs } = await calibrateKdf(TARGET_UNLOCK_MS);
    const store = new VaultStore(join(dir, 'home'));
    (await store.create(Buffer.from(PASSWORD), params)).close();
    const salt = randomBytes(SALT_BYTES);
    const runs = await interleave(ROUNDS, {
      unlock: async () => (await store.open(Buffer.from(PASSWORD))).close(),
      kdf: async () => (await deriveKey(Buffer.from(PASSWORD), salt, params)).fill(0),
    });
    const unlock = median(runs.unlock);
    const ratio = unlock / median(runs.kdf);
    const paramText = `${params.memoryKiB / 1024} MiB, ${params.iterations} passes, ${params.parallelism} lane`;
    return [
      {
        name: 'unlock (`store.open`) vs bare KDF',
        floor: `\`deriveKey\`: ${summary(runs.kdf)}`,
        measured: summary(runs.unlock),
        ratio,
        target: `ratio ≤ ${TARGET_RATIO.toFixed(2)}`,
        pass: ratio <= TARGET_RATIO,
      },
      {
        name: 'unlock time at calibrated defaults',
        floor: `calibrated: Argon2id ${paramText} (predicted ${ms(predictedMs)})`,
        measured: ms(unlock),
        ratio: undefined,
        target: `${TARGET_UNLOCK_MS} ms ± 20%, memory ≥ ${MIN_MEMORY_KIB / 1024} MiB`,
        // "About" half a second: within ±20% of what the calibration aims at.
        pass:
          params.memoryKiB >= MIN_MEMORY_KIB && Math.abs(unlock - TARGET_UNLOCK_MS) <= TARGET_UNLOCK_MS * 0.2,
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
