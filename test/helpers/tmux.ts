import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

/** A real terminal: a detached tmux session running `command`, driven with send-keys. */
export class TmuxSession {
  readonly name = `lk-${randomBytes(4).toString('hex')}`;

  constructor(command: string, env: Record<string, string> = {}) {
    const exports = Object.entries(env)
      .map(([k, v]) => `export ${k}='${v.replace(/'/g, `'\\''`)}';`)
      .join(' ');
    execFileSync('tmux', [
      '-L',
      this.name,
      'new-session',
      '-d',
      '-s',
      this.name,
      '-x',
      '150',
      '-y',
      '40',
      `${exports} ${command}`,
    ]);
  }

  /** Types literal text (no Enter). */
  type(text: string): void {
    execFileSync('tmux', ['-L', this.name, 'send-keys', '-t', this.name, '-l', text]);
  }

  press(key: string): void {
    execFileSync('tmux', ['-L', this.name, 'send-keys', '-t', this.name, key]);
  }

  screen(): string {
    return execFileSync('tmux', [
      '-L',
      this.name,
      'capture-pane',
      '-p',
      '-t',
      this.name,
      '-S',
      '-200',
    ]).toString();
  }

  /** Waits until the screen matches, or fails with what it shows. */
  async waitFor(pattern: RegExp, timeoutMs = 15_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const s = this.screen();
      if (pattern.test(s)) return s;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${String(pattern)}; screen:\n${s}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  kill(): void {
    try {
      execFileSync('tmux', ['-L', this.name, 'kill-server'], { stdio: 'ignore' });
    } catch {
      /* already gone */
    }
  }
}
