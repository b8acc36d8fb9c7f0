/**
 * The app's own settings, `app-settings.json` in the data directory (a private file replaced
 * atomically): auto-lock minutes and whether to lock on sleep and screen lock. Validated whole
 * when read; a damaged file falls back to the defaults rather than keeping the app from starting.
 */
import { join } from 'node:path';
import { z } from 'zod';
import { LatchkeyError } from '../../core/errors';
import { atomicReplace } from '../../core/vault/atomic-write';
import { ensurePrivateDir, readPrivateFile } from '../../core/vault/private-paths';

/** 0 means never; at most a week. */
export const MAX_AUTO_LOCK_MINUTES = 7 * 24 * 60;

export const AppSettingsSchema = z
  .object({
    autoLockMinutes: z.number().int().min(0).max(MAX_AUTO_LOCK_MINUTES),
    lockOnSleep: z.boolean(),
  })
  .strict();

export type AppSettings = z.infer<typeof AppSettingsSchema>;

export const DEFAULT_APP_SETTINGS: AppSettings = { autoLockMinutes: 15, lockOnSleep: true };

export class AppSettingsFile {
  readonly path: string;

  constructor(readonly dir: string) {
    this.path = join(dir, 'app-settings.json');
  }

  read(): AppSettings {
    let bytes: Buffer | undefined;
    try {
      bytes = readPrivateFile(this.path, 64 * 1024);
    } catch (error) {
      // An unsafe file (symlink, open mode) is an error the user must see, not a silent default.
      if (error instanceof LatchkeyError && error.code === 'UNSAFE_PATH') throw error;
      return DEFAULT_APP_SETTINGS;
    }
    if (bytes === undefined) return DEFAULT_APP_SETTINGS;
    try {
      const parsed = AppSettingsSchema.safeParse(JSON.parse(bytes.toString('utf8')));
      return parsed.success ? parsed.data : DEFAULT_APP_SETTINGS;
    } catch {
      return DEFAULT_APP_SETTINGS;
    }
  }

  async write(settings: AppSettings): Promise<void> {
    const valid = AppSettingsSchema.parse(settings);
    ensurePrivateDir(this.dir);
    await atomicReplace(this.path, [Buffer.from(`${JSON.stringify(valid, null, 2)}\n`)]);
  }
}
