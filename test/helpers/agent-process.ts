import { spawn, type ChildProcess } from 'node:child_process';
import { CLI } from './cli';

/** A real `latchkey agent` in a child process, with LATCHKEY_HOME and LATCHKEY_SOCK set. */
export interface AgentProcess {
  readonly child: ChildProcess;
  readonly stderr: () => string;
  stop(): Promise<void>;
}

export function startAgent(
  home: string,
  sock: string,
  args: string[] = [],
  password?: string,
): Promise<AgentProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [CLI, 'agent', ...(password ? ['--password-stdin'] : []), ...args],
      {
        env: { PATH: process.env.PATH, HOME: home, LATCHKEY_HOME: home, LATCHKEY_SOCK: sock },
        stdio: ['pipe', 'pipe', 'pipe'],
        detached: true,
      },
    );
    let err = '';
    const timer = setTimeout(() => reject(new Error(`agent did not start: ${err}`)), 20_000);
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      if (/^latchkey agent: listening on /m.test(err)) {
        clearTimeout(timer);
        resolve({
          child,
          stderr: () => err,
          stop: () =>
            new Promise((r) => {
              if (child.exitCode !== null) return r();
              child.once('exit', () => r());
              child.kill('SIGTERM');
            }),
        });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (!/^latchkey agent: listening on /m.test(err)) reject(new Error(`agent exited (${code}): ${err}`));
    });
    child.stdin.end(password ? `${password}\n` : '');
  });
}
