import type { ClipboardPort } from '../../main/app/desk/clipboard-guard';

/**
 * The one stand-in the app tests use: the system clipboard, kept in memory so a test can read what
 * the app put there and see whether it was cleared (Electron's clipboard needs a display server).
 */
export class MemoryClipboard implements ClipboardPort {
  text = '';
  clears = 0;
  readText(): string {
    return this.text;
  }
  writeText(text: string): void {
    this.text = text;
  }
  clear(): void {
    this.text = '';
    this.clears++;
  }
}
