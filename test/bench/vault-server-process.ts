/**
 * The Vault-compatible test server in a process of its own, seeded with `many:<items>` items, for
 * the benchmarks that sync from it (sync.ts, agent.ts): started, ready once it prints its
 * `{"url","rootToken"}` line, and stopped.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

const SERVER_MAIN = resolve(__dirname, '..', 'fixtures', 'vault-server', 'main.js');

export interface ServerProcess {
  readonly url: string;
  readonly rootToken: string;
  readonly child: ChildProcess;
}

/** Starts the server seeded with `items` items and waits (at most 60 s) until it is ready. */
export function startServer(items: number): Promise<ServerProcess> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [SERVER_MAIN, '--seed', `many:${items}`], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('the test Vault server did not start within 60 s'));
    }, 60_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the test Vault server exited before it was ready (${String(code ?? signal)})`));
    });
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      out += chunk;
      const nl = out.indexOf('\n');
      if (nl < 0) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      child.stdout.removeAllListeners('data');
      child.stdout.resume();
      try {
        const ready = JSON.parse(out.slice(0, nl)) as { url?: unknown; rootToken?: unknown };
        if (typeof ready.url !== 'string' || typeof ready.rootToken !== 'string')
          throw new Error('no url/rootToken');
        resolvePromise({ url: ready.url, rootToken: ready.rootToken, child });
      } catch (error) {
        child.kill('SIGKILL');
        reject(
          new Error(`the test Vault server said ${JSON.stringify(out.slice(0, 200))}: ${String(error)}`),
        );
      }
    });
  });
}

/** Stops it (SIGTERM, then SIGKILL after 5 s). */
export async function stopServer(server: ServerProcess): Promise<void> {
  const { child } = server;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}
