import { existsSync, statSync } from 'node:fs';
import { readHeader, MAX_FILE_BYTES } from '../../core/vault/format';
import { readPrivateFile } from '../../core/vault/private-paths';
import type { CommandSpec } from '../command';
import { vaultStore } from '../direct-vault';
import { writeAll } from '../io';
import { connectAgent } from '../agent-connection';

export const command: CommandSpec = {
  name: 'status',
  usage: '[--json]',
  help: `Shows where the vault is, its generation, size and key-derivation settings, and whether a
previous generation is kept. Needs no password: it reads only the file's plaintext header.`,
  options: { json: { type: 'boolean' } },
  optionHelp: { json: 'print JSON (for scripts)' },
  positionals: { min: 0, max: 0, names: 'no arguments' },
  async run({ args, io, env }) {
    const store = vaultStore(env);
    const report: Record<string, unknown> = {
      dataDir: store.paths.dir,
      vault: store.paths.vault,
      exists: store.exists(),
    };
    if (store.exists()) {
      const header = store.readHeader();
      report.formatVersion = 1;
      report.generation = header.generation;
      report.createdAt = new Date(header.createdMs).toISOString();
      report.sizeBytes = statSync(store.paths.vault).size;
      report.kdf = { algorithm: 'argon2id', ...header.kdf };
      if (existsSync(store.paths.backup)) {
        try {
          const backup = readPrivateFile(store.paths.backup, MAX_FILE_BYTES);
          report.backupGeneration = backup ? readHeader(backup).generation : null;
        } catch {
          report.backupGeneration = 'unreadable';
        }
      } else {
        report.backupGeneration = null;
      }
    }
    const agent = await connectAgent(env).catch((error: unknown) => {
      report.agentError = error instanceof Error ? error.message : 'unusable socket';
      return undefined;
    });
    if (agent) {
      try {
        report.agent = await agent.call('status');
        const a = report.agent as { locked: boolean; socket: string };
        report.mode = `agent at ${a.socket}, ${a.locked ? "locked — run 'latchkey unlock'" : 'unlocked'}`;
      } finally {
        agent.close();
      }
    } else {
      report.mode = 'direct (no agent running)';
    }
    if (args.values.json === true) {
      await writeAll(io.stdout, `${JSON.stringify(report, null, 2)}\n`);
      return;
    }
    if (!store.exists()) {
      await writeAll(io.stdout, `No vault yet in ${store.paths.dir}. Create one with 'latchkey init'.\n`);
      return;
    }
    const kdf = report.kdf as { memoryKiB: number; iterations: number; parallelism: number };
    const lines = [
      `vault       ${store.paths.vault}`,
      `format      v1, generation ${String(report.generation)}, created ${String(report.createdAt)}`,
      `size        ${String(report.sizeBytes)} bytes`,
      `kdf         Argon2id, ${kdf.memoryKiB / 1024} MiB, ${kdf.iterations} passes, ${kdf.parallelism} lane`,
      `backup      ${backupLine(report.backupGeneration)}`,
      `mode        ${String(report.mode)}`,
    ];
    await writeAll(io.stdout, `${lines.join('\n')}\n`);
  },
};

function backupLine(generation: unknown): string {
  if (generation === null) return 'none yet';
  return typeof generation === 'number' ? `generation ${generation}` : 'present but unreadable';
}
