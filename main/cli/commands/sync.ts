import { wipe } from '../../core/crypto/secret';
import { LatchkeyError } from '../../core/errors';
import type { SyncProgress } from '../../core/sync/engine';
import { StoreConfigFile } from '../../core/sync/store-config';
import { DEFAULT_SYNC_SETTINGS, syncStore, type StoreSyncResult } from '../../core/sync/sync-store';
import type { CommandSpec } from '../command';
import { changeAudited, PASSWORD_STDIN_HELP, PASSWORD_STDIN_OPTION, vaultStore } from '../direct-vault';
import { writeAll, type CliIo } from '../io';
import { connectAgent } from '../agent-connection';
import { InputSource } from '../terminal-input';

export const command: CommandSpec = {
  name: 'sync',
  usage: '[<store>] [--json] [--concurrency N] [--request-timeout S] [--deadline S] [--password-stdin]',
  help: `Fills the vault from the central store(s): lists the layout's tree, reads only what changed
since the last sync, and writes everything in one atomic save at the end. A failed sync (network,
5xx, 403, timeout) changes nothing: the last good copy stays usable, and the report says what
failed and when the last good sync was.

Production never enters: folders whose environment is not development or staging are seen in a
listing but never opened; items whose metadata or values say production are refused. Each refusal
is listed (also by 'latchkey ls --refused'). A rotated item's previous value stays readable for 24 h
('latchkey get --previous'). Local items ('latchkey set') are never overwritten.`,
  options: {
    ...PASSWORD_STDIN_OPTION,
    json: { type: 'boolean' },
    concurrency: { type: 'string' },
    'request-timeout': { type: 'string' },
    deadline: { type: 'string' },
  },
  optionHelp: {
    'password-stdin': PASSWORD_STDIN_HELP,
    json: 'print the report as JSON (for scripts)',
    concurrency: 'requests in flight at once (default 8)',
    'request-timeout': 'seconds to wait for one answer (default 10)',
    deadline: 'seconds the whole sync may take (default 120)',
  },
  positionals: { min: 0, max: 1, names: 'at most one store name' },
  async run({ args, io, env }) {
    const store = vaultStore(env);
    const all = new StoreConfigFile(store.paths.dir).read();
    const name = args.positionals[0];
    const configs = name === undefined ? all : [new StoreConfigFile(store.paths.dir).get(name)];
    if (configs.length === 0) {
      throw new LatchkeyError(
        'STORE_NOT_FOUND',
        "no store is configured; add one with 'latchkey store add <name> --addr https://…'",
      );
    }
    const settings = {
      ...DEFAULT_SYNC_SETTINGS,
      concurrency: number(args.values.concurrency, 'concurrency', 8, 1, 64),
      requestTimeoutMs: number(args.values['request-timeout'], 'request-timeout', 10, 0.05, 600) * 1000,
      deadlineMs: number(args.values.deadline, 'deadline', 120, 0.1, 3600) * 1000,
    };
    const agent = args.values['password-stdin'] === true ? undefined : await connectAgent(env);
    let results: StoreSyncResult[];
    if (agent) {
      try {
        ({ results } = (await agent.call('sync', name === undefined ? {} : { store: name })) as {
          results: StoreSyncResult[];
        });
      } finally {
        agent.close();
      }
      return report(results, args.values.json === true, io);
    }
    const bar = io.stderr.isTTY && args.values.json !== true ? progressBar(io.stderr) : undefined;
    const input = new InputSource(io, args.values['password-stdin'] === true);
    const password = await input.password();
    try {
      results = await changeAudited(
        store,
        password,
        async ({ vault, record }) => {
          const out: StoreSyncResult[] = [];
          for (const config of configs) {
            const r = await syncStore(vault, config, {
              ...settings,
              ...(bar ? { onProgress: bar.update } : {}),
            });
            record({
              op: 'sync',
              ref: `store:${config.name}`,
              result: r.ok ? 'ok' : 'error',
              ...(r.error ? { reason: r.error.code } : {}),
            });
            for (const f of r.ok ? r.refusals : [])
              record({ op: 'refusal', ref: f.ref, result: 'refused', reason: f.rule });
            out.push(r);
          }
          return out;
        },
        (out) => out.some((r) => r.ok),
      );
    } finally {
      bar?.done();
      wipe(password);
      input.dispose();
    }
    return report(results, args.values.json === true, io);
  },
};

async function report(results: StoreSyncResult[], json: boolean, io: CliIo): Promise<number> {
  if (json) {
    await writeAll(io.stdout, `${JSON.stringify(results, null, 2)}\n`);
  } else {
    await writeAll(io.stdout, results.map((r) => formatResult(r, results.length > 1)).join(''));
  }
  const failed = results.find((r) => !r.ok);
  if (failed?.error) {
    await writeAll(io.stderr, `latchkey: ${failed.error.code}: ${failed.error.message}\n`);
    return 1;
  }
  return 0;
}

function number(raw: unknown, name: string, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (typeof raw !== 'string' || !Number.isFinite(n) || n < min || n > max) {
    throw new LatchkeyError('USAGE', `--${name} must be a number from ${min} to ${max}`);
  }
  return n;
}

/** The one-line summary (plus refusal lines) of one store's sync. */
export function formatResult(r: StoreSyncResult, named: boolean): string {
  const prefix = named ? `${r.store}: ` : '';
  const seconds = `${(r.durationMs / 1000).toFixed(1)} s`;
  if (!r.ok || !r.counts) {
    const last = r.lastGoodSync
      ? `last good sync ${r.lastGoodSync.slice(0, 19).replace('T', ' ')} UTC`
      : 'no good sync yet';
    return `${prefix}sync failed after ${seconds}: ${r.error?.message ?? 'unknown error'}; nothing was changed, ${last}\n`;
  }
  const c = r.counts;
  const synced = c.added + c.updated + c.unchanged;
  const other = c.refused - c.refusedProduction;
  const refused = `${c.refused} refused${c.refused === 0 ? '' : other === 0 ? ' (production)' : ` (${c.refusedProduction} production, ${other} other)`}`;
  const lines = [
    `${prefix}synced ${synced} item${synced === 1 ? '' : 's'}: ${c.updated + c.added} updated, ${c.removed} removed, ${refused}, 0 failed in ${seconds}\n`,
  ];
  for (const f of r.refusals.slice(0, 20)) lines.push(`  refused ${f.ref} (${f.path}): ${f.rule}\n`);
  if (r.refusals.length > 20)
    lines.push(`  … and ${r.refusals.length - 20} more: 'latchkey ls --refused' lists them all\n`);
  return lines.join('');
}

function progressBar(stream: NodeJS.WritableStream): {
  update: (store: string, p: SyncProgress) => void;
  done: () => void;
} {
  let last = 0;
  let drawn = false;
  return {
    update(store, p) {
      const now = Date.now();
      if (now - last < 80 && p.read < p.total) return;
      last = now;
      const width = 30;
      const fraction = p.total === 0 ? 0 : p.read / p.total;
      const filled = Math.round(fraction * width);
      stream.write(
        `\r${store} [${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${p.read}/${p.total} items`,
      );
      drawn = true;
    },
    done() {
      if (drawn) stream.write('\r\x1b[K');
    },
  };
}
