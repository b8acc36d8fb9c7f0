/**
 * `latchkey run -- true` with 20 variables through a running agent, against a bare `node -e 0`,
 * with NODE_EXTRA_CA_CERTS unset and set to a real PEM file (Node 20 reads that file, and builds
 * its whole root store, at every start). latchkey is started the way people start it — the
 * bin/latchkey.js launcher as a program — with stdout and stderr on pipes, so masking is on.
 * `dotenvx run -- true` and `direnv exec . true` with the same 20 variables are in the same table
 * when they are installed (DOTENVX=/path/to/dotenvx, or on PATH; direnv on PATH).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { Secret } from '../../main/core/crypto/secret';
import { parseFieldRef } from '../../main/core/vault/ref';
import { VaultStore } from '../../main/core/vault/vault-store';
import { startAgent } from '../helpers/agent-process';
import { interleave, summary, type BenchRow, type Timed } from './measure';
import { median } from './stats';

const CLI = resolve(__dirname, '..', '..', '..', 'bin', 'latchkey.js');
const PASSWORD = 'run bench passphrase';
const VARIABLES = 20;
const ROUNDS = 40;
const TARGET_RATIO = 1.5;

/** A script: hello and resolve on the agent socket, then spawn `true` with the values, exit with its status. */
const MINIMAL_RUN = `
const net = require('net');
const refs = REFS;
const frame = (o) => { const b = Buffer.from(JSON.stringify(o)); const f = Buffer.alloc(4 + b.length); f.writeUInt32BE(b.length); b.copy(f, 4); return f; };
const s = net.connect(process.env.LATCHKEY_SOCK);
let buf = Buffer.alloc(0);
s.on('connect', () => s.write(frame({ id: 1, method: 'hello', params: { protocol: 1 } })));
s.on('data', (d) => {
  buf = Buffer.concat([buf, d]);
  while (buf.length >= 4 && buf.length >= 4 + buf.readUInt32BE(0)) {
    const m = JSON.parse(buf.subarray(4, 4 + buf.readUInt32BE(0)).toString());
    buf = buf.subarray(4 + buf.readUInt32BE(0));
    if (m.id === 1) { s.write(frame({ id: 2, method: 'resolve', params: { refs, allowMissing: true } })); continue; }
    s.destroy();
    const env = { ...process.env };
    refs.forEach((r, i) => { env['BENCH_VAR_' + i] = m.result.values[r]; });
    require('child_process').spawn('true', [], { stdio: 'inherit', env }).on('exit', (code) => process.exit(code));
  }
});
`;

function findOnPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const file = join(dir, name);
    if (dir && existsSync(file)) return file;
  }
  return undefined;
}

function spawnOrThrow(file: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv): void {
  const r = spawnSync(file, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0) {
    throw new Error(
      `${file} ${args.join(' ')} exited with ${String(r.status)}: ${r.stderr.toString().slice(0, 500)}`,
    );
  }
}

/** A PEM with one self-signed CA (openssl), else the system bundle, else none. */
function realPem(dir: string): { path: string; what: string } | undefined {
  const path = join(dir, 'dev-ca.pem');
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        join(dir, 'dev-ca.key'),
        '-out',
        path,
        '-days',
        '30',
        '-subj',
        '/CN=latchkey bench dev CA',
      ],
      { stdio: 'ignore' },
    );
    return { path, what: 'a one-certificate PEM' };
  } catch {
    for (const bundle of [
      '/etc/ssl/certs/ca-certificates.crt',
      '/etc/pki/tls/certs/ca-bundle.crt',
      '/etc/ssl/cert.pem',
    ]) {
      if (existsSync(bundle)) {
        const n = readFileSync(bundle, 'utf8').split('BEGIN CERTIFICATE').length - 1;
        return { path: bundle, what: `the system bundle (${n} certificates)` };
      }
    }
    return undefined;
  }
}

export async function benchRunCommand(): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-bench-run-'));
  const home = join(dir, 'home');
  const sock = join(dir, 'run', 'agent.sock');
  const repo = join(dir, 'repo');
  let stopAgent: (() => Promise<void>) | undefined;
  try {
    const store = new VaultStore(home);
    (await store.create(Buffer.from(PASSWORD), { memoryKiB: 65536, iterations: 2, parallelism: 1 })).close();
    const values = Array.from({ length: VARIABLES }, (_, i) => `dev-value-${i}-${'x'.repeat(24)}`);
    await store.change(Buffer.from(PASSWORD), (v) => {
      values.forEach((value, i) =>
        v.setField(parseFieldRef(`bench/development/item${i}/value`), Secret.fromString(value)),
      );
    });
    const agent = await startAgent(home, sock, [], PASSWORD);
    stopAgent = () => agent.stop();

    mkdirSync(repo);
    const names = values.map((_, i) => `BENCH_VAR_${i}`);
    writeFileSync(
      join(repo, 'latchkey.yml'),
      `project: bench\nvariables:\n${names.map((n, i) => `  ${n}: { ref: 'lk://bench/{env}/item${i}/value' }`).join('\n')}\n`,
    );
    writeFileSync(join(repo, '.env'), names.map((n, i) => `${n}="${values[i]!}"`).join('\n') + '\n');
    writeFileSync(join(repo, '.envrc'), names.map((n, i) => `export ${n}='${values[i]!}'`).join('\n') + '\n');

    const base: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: dir,
      LATCHKEY_HOME: home,
      LATCHKEY_SOCK: sock,
    };
    delete base.NODE_EXTRA_CA_CERTS;
    const pem = realPem(dir);
    const withCa: NodeJS.ProcessEnv = pem ? { ...base, NODE_EXTRA_CA_CERTS: pem.path } : base;
    const node = process.execPath;
    const run = (env: NodeJS.ProcessEnv) => (): void => spawnOrThrow(CLI, ['run', '--', 'true'], repo, env);
    const bare = (env: NodeJS.ProcessEnv) => (): void => spawnOrThrow(node, ['-e', '0'], repo, env);
    run(base)(); // the first run fills the plan cache, as the first run in a repo does

    // A straightforward Node client on the public modules: connect, hello, one resolve, spawn, wait.
    const minimal = join(dir, 'minimal-run.js');
    writeFileSync(
      minimal,
      MINIMAL_RUN.replace(
        'REFS',
        JSON.stringify(names.map((_, i) => `lk://bench/development/item${i}/value`)),
      ),
    );
    const steps: Record<string, Timed> = {
      run: run(base),
      node: bare(base),
      minimal: () => spawnOrThrow(node, [minimal], repo, base),
    };
    if (pem) {
      steps.runCa = run(withCa);
      steps.nodeCa = bare(withCa);
    }
    const notes: string[] = [];
    const dotenvx = process.env.DOTENVX ?? findOnPath('dotenvx');
    if (dotenvx && existsSync(dotenvx)) {
      steps.dotenvx = () => spawnOrThrow(dotenvx, ['run', '--', 'true'], repo, base);
    } else notes.push('dotenvx is not installed (set DOTENVX=/path/to/dotenvx)');
    const direnv = findOnPath('direnv');
    if (direnv) {
      const direnvEnv = {
        ...base,
        XDG_DATA_HOME: join(dir, 'xdg-data'),
        XDG_CONFIG_HOME: join(dir, 'xdg-config'),
      };
      spawnOrThrow(direnv, ['allow', '.'], repo, direnvEnv);
      steps.direnv = () => spawnOrThrow(direnv, ['exec', '.', 'true'], repo, direnvEnv);
    } else notes.push('direnv is not installed');

    const runs = await interleave(ROUNDS, steps, 3);
    const rows: BenchRow[] = [];
    const judged = (name: string, measured: number[], floor: number[], floorName: string): BenchRow => {
      const ratio = median(measured) / median(floor);
      return {
        name,
        floor: `${floorName}: ${summary(floor)}`,
        measured: summary(measured),
        ratio,
        target: `ratio ≤ ${TARGET_RATIO.toFixed(2)}`,
        pass: ratio <= TARGET_RATIO,
      };
    };
    rows.push(
      judged(
        `\`latchkey run -- true\`, ${VARIABLES} variables through the agent, NODE_EXTRA_CA_CERTS unset`,
        runs.run!,
        runs.node!,
        '`node -e 0`',
      ),
    );
    rows.push({
      name: `a bare Node client on net and child_process: connect, hello, resolve ${VARIABLES} refs, spawn \`true\``,
      floor: `\`node -e 0\`: ${summary(runs.node!)}`,
      measured: summary(runs.minimal!),
      ratio: median(runs.minimal!) / median(runs.node!),
      target: '— (a straightforward client: no plan, no checks, no masking, two round trips)',
      pass: undefined,
    });
    if (pem) {
      rows.push(
        judged(
          `\`latchkey run -- true\`, ${VARIABLES} variables, NODE_EXTRA_CA_CERTS set to ${pem.what}`,
          runs.runCa!,
          runs.nodeCa!,
          '`node -e 0` with it set',
        ),
      );
    } else notes.push('no PEM file could be made or found, so the NODE_EXTRA_CA_CERTS row is missing');
    for (const [key, label] of [
      ['dotenvx', `\`dotenvx run -- true\`, ${VARIABLES} variables from .env (for comparison)`],
      ['direnv', `\`direnv exec . true\`, ${VARIABLES} variables from .envrc (for comparison)`],
    ] as const) {
      const samples = runs[key];
      if (!samples) continue;
      rows.push({
        name: label,
        floor: `\`node -e 0\`: ${summary(runs.node!)}`,
        measured: summary(samples),
        ratio: median(samples) / median(runs.node!),
        target: '—',
        pass: undefined,
      });
    }
    if (notes.length > 0) {
      rows.push({
        name: 'skipped comparisons',
        floor: '—',
        measured: notes.join('; '),
        ratio: undefined,
        target: '—',
        pass: undefined,
      });
    }
    return rows;
  } finally {
    await stopAgent?.();
    rmSync(dir, { recursive: true, force: true });
  }
}
