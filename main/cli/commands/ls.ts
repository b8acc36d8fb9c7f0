import { wipe } from '../../core/crypto/secret';
import { listedItems, type ListedItem } from '../../core/vault/listing';
import { parseRefFilter } from '../../core/vault/ref';
import type { CommandSpec } from '../command';
import { openAudited, PASSWORD_STDIN_HELP, PASSWORD_STDIN_OPTION, vaultStore } from '../direct-vault';
import { writeAll, type CliIo } from '../io';
import { connectAgent } from '../agent-connection';
import { InputSource } from '../terminal-input';
import { syncStates, type StoreSyncState } from '../../core/sync/sync-store';

/** Aligns rows of cells into columns. */
export function formatRows(table: readonly (readonly string[])[]): string {
  const widths = table[0]!.map((_, c) => Math.max(...table.map((row) => row[c]!.length)));
  return (
    table
      .map((row) =>
        row
          .map((cell, c) => cell.padEnd(widths[c]!))
          .join('  ')
          .trimEnd(),
      )
      .join('\n') + '\n'
  );
}

export function formatTable(rows: readonly ListedItem[]): string {
  if (rows.length === 0) return '';
  return formatRows([
    ['REF', 'FIELDS', 'VERSION', 'SOURCE', 'UPDATED'],
    ...rows.map((r) => [
      r.ref,
      r.fields.join(','),
      String(r.version ?? ''),
      r.override ? `${r.source} (override)` : r.source,
      r.updatedAt.slice(0, 19).replace('T', ' '),
    ]),
  ]);
}

export const command: CommandSpec = {
  name: 'ls',
  usage: '[<project>[/<environment>]] [--refused] [--json] [--password-stdin]',
  help: `Lists items with their fields, environment, version and source (local, or store:path).
A local item that shadows a synced one is marked "(override)". Never prints values.
With --refused, lists what the last good sync of each store refused, and why.`,
  options: { ...PASSWORD_STDIN_OPTION, json: { type: 'boolean' }, refused: { type: 'boolean' } },
  optionHelp: {
    'password-stdin': PASSWORD_STDIN_HELP,
    json: 'print a JSON array (for scripts)',
    refused: 'list refused items (ref, store path, rule, time) instead',
  },
  positionals: { min: 0, max: 1, names: 'at most one filter' },
  async run({ args, io, env }) {
    const filterText = args.positionals[0];
    const filter = filterText === undefined ? { project: '' } : parseRefFilter(filterText);
    const json = args.values.json === true;
    const agent = args.values['password-stdin'] === true ? undefined : await connectAgent(env);
    if (agent) {
      try {
        if (args.values.refused === true) {
          const { stores } = (await agent.call('refusals')) as { stores: Record<string, StoreSyncState> };
          return printRefusals(stores, filter.project, json, io);
        }
        const { items } = (await agent.call(
          'list',
          filterText === undefined ? {} : { filter: filterText },
        )) as { items: ListedItem[] };
        return printItems(items, json, io);
      } finally {
        agent.close();
      }
    }
    const store = vaultStore(env);
    const input = new InputSource(io, args.values['password-stdin'] === true);
    const password = await input.password();
    try {
      const v = await openAudited(store, password);
      try {
        if (args.values.refused === true) return printRefusals(syncStates(v.vault), filter.project, json, io);
        return printItems(listedItems(v.vault.list(filter)), json, io);
      } finally {
        v.close();
      }
    } finally {
      wipe(password);
      input.dispose();
    }
  },
};

async function printItems(rows: readonly ListedItem[], json: boolean, io: CliIo): Promise<void> {
  if (json) await writeAll(io.stdout, `${JSON.stringify(rows, null, 2)}\n`);
  else if (rows.length === 0)
    await writeAll(
      io.stderr,
      "No items yet. Add one with 'latchkey set lk://project/development/item/field'.\n",
    );
  else await writeAll(io.stdout, formatTable(rows));
}

async function printRefusals(
  states: Readonly<Record<string, StoreSyncState>>,
  project: string,
  json: boolean,
  io: CliIo,
): Promise<void> {
  const refused = Object.entries(states).flatMap(([store, state]) =>
    state.refusals
      .filter((r) => !project || r.ref.startsWith(`lk://${project}/`))
      .map((r) => ({ store, ...r })),
  );
  if (json) await writeAll(io.stdout, `${JSON.stringify(refused, null, 2)}\n`);
  else if (refused.length === 0) await writeAll(io.stderr, 'Nothing was refused by the last syncs.\n');
  else
    await writeAll(
      io.stdout,
      formatRows([
        ['REF', 'STORE PATH', 'RULE', 'WHEN'],
        ...refused.map((r) => [r.ref, `${r.store}:${r.path}`, r.rule, r.at.slice(0, 19).replace('T', ' ')]),
      ]),
    );
}
