/**
 * The vault on disk: one data directory holding the vault file, its previous generation and the
 * writer lock. Opening for a change takes the lock, and a save refuses to overwrite a file whose
 * generation moved since it was read (an external replacement) — nothing is ever lost silently.
 */
import { existsSync } from 'node:fs';
import { LatchkeyError } from '../errors';
import type { KdfParams } from '../crypto/kdf';
import { atomicCreate, atomicReplace, removeAbandonedTemps, type StepHook } from './atomic-write';
import { HEADER_BYTES, MAX_FILE_BYTES, readHeader, type VaultHeader } from './format';
import { dataPaths, type DataPaths } from './paths';
import { checkPrivateDir, ensurePrivateDir, readPrivateFile } from './private-paths';
import { Vault } from './vault';
import { acquireWriterLock } from './writer-lock';

export class VaultStore {
  readonly paths: DataPaths;

  constructor(paths: DataPaths | string = dataPaths()) {
    this.paths = typeof paths === 'string' ? dataPaths(paths) : paths;
  }

  exists(): boolean {
    return existsSync(this.paths.vault);
  }

  #checkDir(): void {
    if (!existsSync(this.paths.dir)) {
      throw new LatchkeyError(
        'VAULT_NOT_FOUND',
        `there is no vault in ${this.paths.dir}; create one with 'latchkey init'`,
      );
    }
    checkPrivateDir(this.paths.dir);
  }

  /** The vault file's bytes (permission-checked). */
  readFile(): Buffer {
    this.#checkDir();
    const bytes = readPrivateFile(this.paths.vault, MAX_FILE_BYTES);
    if (bytes === undefined) {
      throw new LatchkeyError(
        'VAULT_NOT_FOUND',
        `there is no vault at ${this.paths.vault}; create one with 'latchkey init'`,
      );
    }
    return bytes;
  }

  /** The previous generation's bytes. */
  readBackup(): Buffer {
    this.#checkDir();
    const bytes = readPrivateFile(this.paths.backup, MAX_FILE_BYTES);
    if (bytes === undefined) {
      throw new LatchkeyError(
        'NO_BACKUP',
        `there is no previous generation at ${this.paths.backup} to restore`,
      );
    }
    return bytes;
  }

  /** Header of the current file, without a password (reads only the header bytes). */
  readHeader(): VaultHeader {
    this.#checkDir();
    const head = readPrivateFile(this.paths.vault, HEADER_BYTES, true);
    if (head === undefined) {
      throw new LatchkeyError(
        'VAULT_NOT_FOUND',
        `there is no vault at ${this.paths.vault}; create one with 'latchkey init'`,
      );
    }
    return readHeader(head);
  }

  /** Creates a new vault (generation 1). Never overwrites an existing one. */
  async create(password: Uint8Array, kdf: KdfParams): Promise<Vault> {
    ensurePrivateDir(this.paths.dir);
    if (this.exists()) {
      throw new LatchkeyError(
        'VAULT_EXISTS',
        `a vault already exists at ${this.paths.vault}; Latchkey never overwrites one`,
      );
    }
    const vault = await Vault.create(password, kdf);
    try {
      const { chunks, generation } = await vault.serialize();
      await atomicCreate(this.paths.vault, chunks);
      vault.markSaved(generation);
      return vault;
    } catch (error) {
      vault.close();
      throw error;
    }
  }

  /** Opens the current vault with the password (no lock: for reading). */
  async open(password: Uint8Array): Promise<Vault> {
    return Vault.open(this.readFile(), password);
  }

  /**
   * Writes the vault's next generation. The caller holds the writer lock. Refuses with
   * VAULT_CHANGED when the file on disk is not the generation the vault was read at.
   */
  async save(vault: Vault, hook?: StepHook): Promise<void> {
    const onDisk = this.readHeader().generation;
    if (onDisk !== vault.generation) {
      throw new LatchkeyError(
        'VAULT_CHANGED',
        `the vault on disk is generation ${onDisk}, not ${vault.generation} as read; another process replaced it — run the command again`,
      );
    }
    const { chunks, generation } = await vault.serialize();
    await atomicReplace(this.paths.vault, chunks, this.paths.backup, hook);
    vault.markSaved(generation);
    removeAbandonedTemps(this.paths.dir);
  }

  /**
   * Opens the vault under the writer lock, lets `change` modify it, saves one new generation if
   * `change` returns normally, and always closes the vault and releases the lock.
   */
  async change<T>(
    password: Uint8Array,
    change: (vault: Vault) => T | Promise<T>,
    hook?: StepHook,
    shouldSave: (result: T) => boolean = () => true,
  ): Promise<T> {
    this.#checkDir();
    const lock = await acquireWriterLock(this.paths.lock);
    try {
      const vault = await this.open(password);
      try {
        const result = await change(vault);
        if (shouldSave(result)) await this.save(vault, hook);
        return result;
      } finally {
        vault.close();
      }
    } finally {
      lock.release();
    }
  }

  /**
   * Makes the previous generation current again, as a new generation (so the counter only grows),
   * after proving it opens with `password`. The replaced file becomes the backup, so a restore can
   * itself be undone.
   */
  async restoreBackup(password: Uint8Array): Promise<{ restoredGeneration: number; newGeneration: number }> {
    this.#checkDir();
    const lock = await acquireWriterLock(this.paths.lock);
    try {
      const backup = await Vault.open(this.readBackup(), password);
      try {
        const restoredGeneration = backup.generation;
        let current = 0;
        try {
          current = this.readHeader().generation;
        } catch {
          // A damaged current file is the usual reason to restore: continue from the backup's count.
        }
        backup.markSaved(Math.max(current, restoredGeneration));
        const { chunks, generation } = await backup.serialize();
        await atomicReplace(this.paths.vault, chunks, this.paths.backup);
        return { restoredGeneration, newGeneration: generation };
      } finally {
        backup.close();
      }
    } finally {
      lock.release();
    }
  }
}
