/**
 * Copying a secret for the user: the main process writes the clipboard, and after the timeout
 * clears it only if it still holds our value (the user may have copied something else since).
 * Only a SHA-256 of the value is kept for that comparison, never the value itself.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

/** The system clipboard, as the app needs it (Electron's `clipboard` in the app). */
export interface ClipboardPort {
  readText(): string | Promise<string>;
  writeText(text: string): void | Promise<void>;
  clear(): void;
}

export const CLIPBOARD_CLEAR_MS = 30_000;

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

export class ClipboardGuard {
  #ours: Buffer | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly clipboard: ClipboardPort,
    private readonly clearAfterMs = CLIPBOARD_CLEAR_MS,
  ) {}

  /** Puts `value` on the clipboard and schedules its removal; returns the delay. */
  async copy(value: string): Promise<number> {
    await this.clipboard.writeText(value);
    this.#ours = digest(value);
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.clearIfOurs(), this.clearAfterMs);
    this.#timer.unref();
    return this.clearAfterMs;
  }

  /** Clears the clipboard now if it still holds the value we put there (on lock, on quit, on time). */
  async clearIfOurs(): Promise<boolean> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    const ours = this.#ours;
    this.#ours = undefined;
    if (ours === undefined) return false;
    let current: string;
    try {
      current = await this.clipboard.readText();
    } catch {
      return false;
    }
    const same = timingSafeEqual(digest(current), ours);
    if (same) this.clipboard.clear();
    return same;
  }
}
