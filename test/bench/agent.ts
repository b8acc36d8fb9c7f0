/**
 * The agent's socket: round trips on an open connection, new connections, and round trips while
 * the agent is busy unlocking. The agent runs in its own process (as `latchkey agent` does); the
 * floor is a bare echo server in its own process speaking the same frames over a Unix socket.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { AgentClient } from '../../main/core/agent/client';
import { Secret } from '../../main/core/crypto/secret';
import { parseFieldRef } from '../../main/core/vault/ref';
import { VaultStore } from '../../main/core/vault/vault-store';
import { type BenchRow } from './measure';
import { median, percentile } from './stats';

const CLI = resolve(__dirname, '..', '..', '..', 'bin', 'latchkey.js');
const PASSWORD = 'agent bench passphrase';
const ROUND_TRIPS = 2000;
const CONNECTIONS = 500;

const us = (ms: number): string => `${(ms * 1000).toFixed(0)} µs`;
const msText = (ms: number): string => `${ms.toFixed(2)} ms`;

function startEcho(path: string): Promise<ChildProcess> {
  const script = `
    const net = require('net');
    net.createServer((s) => {
      let buf = Buffer.alloc(0);
      s.on('data', (d) => {
        buf = Buffer.concat([buf, d]);
        while (buf.length >= 4) {
          const n = buf.readUInt32BE(0);
          if (buf.length < 4 + n) break;
          const body = JSON.parse(buf.subarray(4, 4 + n).toString());
          buf = buf.subarray(4 + n);
          const out = Buffer.from(JSON.stringify({ id: body.id, ok: true, result: { locked: false } }));
          const len = Buffer.alloc(4); len.writeUInt32BE(out.length);
          s.write(Buffer.concat([len, out]));
        }
      });
    }).listen(${JSON.stringify(path)}, () => process.stdout.write('ready\\n'));`;
  return new Promise((resolvePromise) => {
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout.once('data', () => resolvePromise(child));
  });
}

function startAgent(home: string, sock: string): Promise<ChildProcess> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [CLI, 'agent', '--password-stdin'], {
      env: { PATH: process.env.PATH, HOME: home, LATCHKEY_HOME: home, LATCHKEY_SOCK: sock },
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      if (/listening on/.test(err)) resolvePromise(child);
    });
    child.on('exit', () => reject(new Error(`agent exited: ${err}`)));
    child.stdin.end(`${PASSWORD}\n`);
  });
}

/** Sequential round trips of a raw echo exchange (the floor), timed one by one. */
async function echoRoundTrips(path: string, n: number): Promise<number[]> {
  const socket: Socket = await new Promise((r) => {
    const s = connect(path, () => r(s));
  });
  const times: number[] = [];
  let pending: ((v: void) => void) | undefined;
  let buf = Buffer.alloc(0);
  socket.on('data', (d: Buffer) => {
    buf = Buffer.concat([buf, d]);
    if (buf.length >= 4 && buf.length >= 4 + buf.readUInt32BE(0)) {
      buf = Buffer.alloc(0);
      pending?.();
    }
  });
  for (let i = 0; i < n; i++) {
    const body = Buffer.from(JSON.stringify({ id: i, method: 'status', params: {} }));
    const len = Buffer.alloc(4);
    len.writeUInt32BE(body.length);
    const started = performance.now();
    await new Promise<void>((r) => {
      pending = r;
      socket.write(Buffer.concat([len, body]));
    });
    times.push(performance.now() - started);
  }
  socket.destroy();
  return times;
}

async function clientRoundTrips(
  client: AgentClient,
  n: number,
  method: string,
  params: Record<string, unknown>,
): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const started = performance.now();
    await client.call(method, params);
    times.push(performance.now() - started);
  }
  return times;
}

export async function benchAgent(): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-bench-agent-'));
  const home = join(dir, 'home');
  const sock = join(dir, 'run', 'agent.sock');
  const echoPath = join(dir, 'echo.sock');
  const children: ChildProcess[] = [];
  try {
    const store = new VaultStore(home);
    (await store.create(Buffer.from(PASSWORD), { memoryKiB: 65536, iterations: 2, parallelism: 1 })).close();
    await store.change(Buffer.from(PASSWORD), (v) => {
      for (let i = 0; i < 20; i++)
        v.setField(parseFieldRef(`bench/development/item${i}/value`), Secret.fromString(`value-${i}`));
    });
    children.push(await startEcho(echoPath));
    children.push(await startAgent(home, sock));
    const client = await AgentClient.connect(sock);
    const ref = 'lk://bench/development/item0/value';
    // Warm up all three: the agent is a long-lived process, so its steady state is what a
    // developer meets all day (the first few hundred calls of a fresh one run unoptimised code).
    await echoRoundTrips(echoPath, 500);
    await clientRoundTrips(client, 500, 'status', {});
    await clientRoundTrips(client, 500, 'resolve', { refs: [ref] });
    const floor: number[] = [];
    const status: number[] = [];
    const resolveTimes: number[] = [];
    for (let round = 0; round < 5; round++) {
      floor.push(...(await echoRoundTrips(echoPath, ROUND_TRIPS / 5)));
      status.push(...(await clientRoundTrips(client, ROUND_TRIPS / 5, 'status', {})));
      resolveTimes.push(...(await clientRoundTrips(client, ROUND_TRIPS / 5, 'resolve', { refs: [ref] })));
    }
    // New connections: connect, hello, one status, close.
    const connects: number[] = [];
    for (let i = 0; i < CONNECTIONS; i++) {
      const started = performance.now();
      const c = await AgentClient.connect(sock);
      connects.push(performance.now() - started);
      c.close();
    }
    // While an unlock is in progress: lock, start an unlock on one connection (KDF + open), and
    // time status calls on another until it completes.
    const busy: number[] = [];
    for (let i = 0; i < 5; i++) {
      await client.call('lock');
      const other = await AgentClient.connect(sock);
      let done = false;
      const unlocking = client.call('unlock', { password: PASSWORD }).then(() => (done = true));
      while (!done) {
        const started = performance.now();
        await other.call('status');
        busy.push(performance.now() - started);
      }
      await unlocking;
      other.close();
    }
    client.close();
    const floorP50 = median(floor);
    const p50 = median(resolveTimes);
    const p99 = percentile(resolveTimes, 99);
    return [
      {
        name: 'agent round trip, open connection (`resolve` of one ref)',
        floor: `bare echo over a Unix socket: p50 ${us(floorP50)}, p99 ${us(percentile(floor, 99))}`,
        measured: `p50 ${us(p50)}, p99 ${us(p99)} (status: p50 ${us(median(status))}, p99 ${us(percentile(status, 99))}); n=${resolveTimes.length}`,
        ratio: p50 / floorP50,
        target: 'p50 ≤ 150 µs, p99 ≤ 500 µs',
        pass: p50 <= 0.15 && p99 <= 0.5,
      },
      {
        name: 'agent new connection (connect + hello)',
        floor: '—',
        measured: `p50 ${msText(median(connects))}, p99 ${msText(percentile(connects, 99))}; n=${connects.length}`,
        ratio: undefined,
        target: 'p99 ≤ 2 ms',
        pass: percentile(connects, 99) <= 2,
      },
      {
        name: 'agent round trip while an unlock is in progress (`status`)',
        floor: `idle: p99 ${us(percentile(status, 99))}`,
        measured: `p50 ${us(median(busy))}, p99 ${msText(percentile(busy, 99))}, worst ${msText(Math.max(...busy))}; n=${busy.length}`,
        ratio: percentile(busy, 99) / percentile(status, 99),
        target: 'p99 ≤ 5 ms',
        pass: percentile(busy, 99) <= 5,
      },
    ];
  } finally {
    await Promise.all(
      children.map(
        (c) =>
          new Promise<void>((r) => {
            if (c.exitCode !== null) return r();
            c.once('exit', () => r());
            c.kill('SIGTERM');
          }),
      ),
    );
    rmSync(dir, { recursive: true, force: true });
  }
}
