import {
  readAudit,
  whoText,
  readAuditAnchor,
  verifyAudit,
  type AuditEntry,
  type VerifyReport,
} from '../../core/audit';
import { wipe } from '../../core/crypto/secret';
import { LatchkeyError } from '../../core/errors';
import { parseDuration } from '../../core/project';
import type { CommandSpec } from '../command';
import { connectAgent } from '../agent-connection';
import { PASSWORD_STDIN_HELP, PASSWORD_STDIN_OPTION, vaultStore } from '../direct-vault';
import { writeAll } from '../io';
import { InputSource } from '../terminal-input';
import { formatRows } from './ls';

export const command: CommandSpec = {
  name: 'audit',
  usage: '[--since T] [--ref R] [--op OP] [--limit N] [--json] [--verify [--password-stdin]]',
  help: `Shows the audit log: one line per read, unlock, lock, sync, refusal and denial — who (via
cli, run, shell or the app; pid, program, directory, terminal), what (ref, never a value), when
(UTC) and the result. --since takes an ISO time or an age like 2h or 7d.

--verify checks the whole hash chain with the vault's key (through the running agent, or after
asking for your password) and reports the first edited, deleted, reordered or truncated line.`,
  options: {
    ...PASSWORD_STDIN_OPTION,
    since: { type: 'string' },
    ref: { type: 'string' },
    op: { type: 'string' },
    limit: { type: 'string' },
    json: { type: 'boolean' },
    verify: { type: 'boolean' },
  },
  optionHelp: {
    'password-stdin': PASSWORD_STDIN_HELP,
    since: 'only events at or after this time (ISO 8601) or this long ago (30m, 2h, 7d)',
    ref: 'only events about this ref (or refs starting with it)',
    op: 'only this operation (read, unlock, lock, sync, refusal, denial, …)',
    limit: 'at most this many events (the latest)',
    json: 'print JSON (for scripts)',
    verify: 'check the hash chain and report the first problem',
  },
  positionals: { min: 0, max: 0, names: 'no arguments' },
  async run({ args, io, env }) {
    const store = vaultStore(env);
    if (args.values.verify === true) {
      const report = await verify(args.values['password-stdin'] === true, io, env);
      if (args.values.json === true) await writeAll(io.stdout, `${JSON.stringify(report, null, 2)}\n`);
      else if (report.ok)
        await writeAll(io.stdout, `audit log intact: ${report.lines} lines, chain and anchor verified\n`);
      if (!report.ok) {
        const p = report.firstProblem;
        throw new LatchkeyError(
          'AUDIT_TAMPERED',
          p
            ? `the audit log fails verification at line ${p.line} (seq ${p.seq}): ${p.kind} — ${p.message}`
            : 'the audit log fails verification',
        );
      }
      return;
    }
    const since = sinceOf(args.values.since);
    const limit = args.values.limit === undefined ? undefined : Number(args.values.limit);
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 1))
      throw new LatchkeyError('USAGE', '--limit must be a positive whole number');
    const entries = readAudit(store.paths.dir, {
      ...(since ? { since } : {}),
      ...(typeof args.values.ref === 'string' ? { ref: args.values.ref } : {}),
      ...(typeof args.values.op === 'string' ? { op: args.values.op } : {}),
      ...(limit ? { limit } : {}),
    });
    if (args.values.json === true) {
      await writeAll(io.stdout, `${JSON.stringify(entries, null, 2)}\n`);
      return;
    }
    if (entries.length === 0) {
      await writeAll(io.stderr, 'No audit events match.\n');
      return;
    }
    await writeAll(
      io.stdout,
      formatRows([['TIME', 'SEQ', 'WHO', 'OP', 'REF', 'RESULT'], ...entries.map(row)]),
    );
  },
};

function row(e: AuditEntry): string[] {
  return [
    e.time.slice(0, 19).replace('T', ' '),
    String(e.seq),
    whoText(e.who),
    e.op,
    e.ref ?? '',
    e.reason ? `${e.result} (${e.reason})` : e.result,
  ];
}

function sinceOf(raw: unknown): Date | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string') throw new LatchkeyError('USAGE', '--since takes a time');
  if (/^\d+[smhdw]$/.test(raw)) return new Date(Date.now() - parseDuration(raw));
  const at = Date.parse(raw);
  if (Number.isNaN(at))
    throw new LatchkeyError(
      'USAGE',
      `--since '${raw.slice(0, 40)}' is neither an ISO time nor an age like 2h`,
    );
  return new Date(at);
}

async function verify(
  passwordStdin: boolean,
  io: Parameters<CommandSpec['run']>[0]['io'],
  env: NodeJS.ProcessEnv,
): Promise<VerifyReport> {
  const agent = passwordStdin ? undefined : await connectAgent(env);
  if (agent) {
    try {
      return (await agent.call('verifyAudit')) as VerifyReport;
    } finally {
      agent.close();
    }
  }
  const store = vaultStore(env);
  const input = new InputSource(io, passwordStdin);
  const password = await input.password();
  try {
    const vault = await store.open(password);
    const key = vault.deriveAuditKey();
    try {
      return verifyAudit(store.paths.dir, key, readAuditAnchor(vault));
    } finally {
      key.fill(0);
      vault.close();
    }
  } finally {
    wipe(password);
    input.dispose();
  }
}
