/**
 * `latchkey --version` against a bare `node -e 0`: what the CLI adds to Node's own start-up.
 * Both are spawned the same way, with the same environment, alternately.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { interleave, summary, type BenchRow } from './measure';
import { median } from './stats';

const ROOT = resolve(__dirname, '..', '..', '..');
const ROUNDS = 50;
const TARGET_RATIO = 1.1;

function spawnOrThrow(args: string[], env: NodeJS.ProcessEnv): void {
  const result = spawnSync(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  if (result.status !== 0) {
    throw new Error(
      `node ${args.join(' ')} exited with ${String(result.status)}: ${result.stderr.toString()}`,
    );
  }
}

export async function benchCliStartup(): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-bench-cli-'));
  try {
    const env = { ...process.env, LATCHKEY_HOME: join(dir, 'home') };
    const bin = join(ROOT, 'bin', 'latchkey.js');
    const runs = await interleave(
      ROUNDS,
      { cli: () => spawnOrThrow([bin, '--version'], env), node: () => spawnOrThrow(['-e', '0'], env) },
      3,
    );
    const ratio = median(runs.cli) / median(runs.node);
    return [
      {
        name: '`latchkey --version` wall time',
        floor: `\`node -e 0\`: ${summary(runs.node)}`,
        measured: summary(runs.cli),
        ratio,
        target: `ratio ≤ ${TARGET_RATIO.toFixed(2)}`,
        pass: ratio <= TARGET_RATIO,
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
