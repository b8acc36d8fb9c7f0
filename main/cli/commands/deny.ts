import { join } from 'node:path';
import type { CommandSpec } from '../command';
import { writeAll } from '../io';
import { readAllowList, writeAllowList } from '../shell/allow-list';
import { locateSchema, SCHEMA_NAMES, schemaKey, startDirectory } from '../shell/schema-identity';

export const command: CommandSpec = {
  name: 'deny',
  usage: '[dir]',
  help: `Stops the shell hook exporting the variables of this repo's latchkey.yml (found from dir,
default the current directory, upward): removes it from allowed.json. Works for a repo whose
schema was deleted too: name its directory. Shells inside the repo put back their previous values
at their next prompt.`,
  options: {},
  optionHelp: {},
  positionals: { min: 0, max: 1, names: 'at most one directory' },
  async run({ args, io, env }) {
    const start = startDirectory(args.positionals[0]);
    let found: string | undefined;
    try {
      found = locateSchema(start);
    } catch {
      found = undefined; // a schema we would refuse to read can still be denied by its directory
    }
    const keys =
      found !== undefined ? [schemaKey(found)] : SCHEMA_NAMES.map((n) => schemaKey(join(start, n)));
    const entries = readAllowList(env);
    const kept = entries.filter((e) => !keys.includes(e.path));
    const shown = (found !== undefined ? keys[0]! : start).replace(/[\x00-\x1f\x7f]/g, '?');
    if (kept.length === entries.length) {
      await writeAll(io.stdout, `${shown} was not allowed; nothing changed.\n`);
      return;
    }
    await writeAllowList(env, kept);
    await writeAll(io.stdout, `Denied ${shown}: the shell hook no longer exports its variables.\n`);
  },
};
