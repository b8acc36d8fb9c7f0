import { dirname } from 'node:path';
import { LatchkeyError } from '../../core/errors';
import { findSchema, loadSchema, resolveVariables } from '../../core/project';
import { formatFieldRef } from '../../core/vault/ref';
import type { CommandSpec } from '../command';
import { writeAll } from '../io';
import { readAllowList, writeAllowList, type AllowedSchema, type AllowedVariable } from '../shell/allow-list';
import { schemaKey, startDirectory } from '../shell/schema-identity';
import { shellRefusal } from '../shell/shell-variables';

/** Control characters never reach the terminal (paths come from the file system). */
function printable(s: string): string {
  return s.replace(/[\x00-\x1f\x7f]/g, '?');
}

export const command: CommandSpec = {
  name: 'allow',
  usage: '[dir]',
  help: `Lets the shell hook export the variables of this repo's latchkey.yml (found from dir, default
the current directory, upward). Shows what the hook will export — variable names and refs for the
schema's default environment, never values — and records the file's path and SHA-256 in
allowed.json in the data directory. If the file changes, the hook stops exporting until you run
'latchkey allow' again and review the new version.`,
  options: {},
  optionHelp: {},
  positionals: { min: 0, max: 1, names: 'at most one directory' },
  async run({ args, io, env }) {
    const start = startDirectory(args.positionals[0]);
    const path = findSchema(start);
    if (path === undefined) {
      throw new LatchkeyError(
        'SCHEMA_NOT_FOUND',
        `there is no latchkey.yml in ${printable(start)} or any directory above it; there is nothing to allow`,
      );
    }
    const schema = loadSchema(path);
    const key = schemaKey(path);
    const resolved = resolveVariables(schema, schema.defaultEnvironment);
    const variables: AllowedVariable[] = [];
    const leftAlone: string[] = [];
    for (const v of resolved) {
      if (shellRefusal(v.name) !== undefined) leftAlone.push(v.name);
      else variables.push({ name: v.name, ref: formatFieldRef(v.ref), required: v.required });
    }
    const width = Math.max(0, ...variables.map((v) => v.name.length));
    const lines = [
      `${printable(key)} (sha256 ${schema.hash.slice(0, 16)}…)`,
      variables.length === 0
        ? `project ${schema.project}, environment ${schema.defaultEnvironment}: it declares no variable the hook would export`
        : `project ${schema.project}, environment ${schema.defaultEnvironment} (its default); the shell hook will export:`,
      ...variables.map(
        (v) =>
          `  ${v.name.padEnd(width)}  ${v.ref}${v.required ? '' : `  (optional in ${schema.defaultEnvironment})`}`,
      ),
      ...(leftAlone.length > 0
        ? [`left alone by the hook (the shell's own variables): ${leftAlone.join(', ')}`]
        : []),
    ];
    const entries = readAllowList(env);
    const previous = entries.find((e) => e.path === key);
    const entry: AllowedSchema = {
      path: key,
      hash: schema.hash,
      allowedAt: new Date().toISOString(),
      project: schema.project,
      environment: schema.defaultEnvironment,
      variables,
    };
    const unchanged =
      previous !== undefined &&
      previous.hash === entry.hash &&
      JSON.stringify(previous.variables) === JSON.stringify(entry.variables) &&
      previous.environment === entry.environment;
    if (unchanged) {
      lines.push('Already allowed; nothing changed.');
    } else {
      await writeAllowList(env, [...entries.filter((e) => e.path !== key), entry]);
      lines.push(
        `${previous ? 'Allowed this version (it replaces the one allowed before)' : 'Allowed'}: the hook exports these in ${printable(dirname(key))} and below.`,
      );
    }
    await writeAll(io.stdout, `${lines.join('\n')}\n`);
  },
};
