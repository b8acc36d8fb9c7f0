import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { formatHelp } from '../../main/cli/command';
import { COMMANDS } from '../../main/cli/commands';

test("docs/cli.md shows every command's current help (regenerate with scripts/gen-cli-doc.mjs)", () => {
  const doc = readFileSync(resolve(__dirname, '../../../docs/cli.md'), 'utf8');
  for (const [name, entry] of Object.entries(COMMANDS)) {
    assert.ok(doc.includes(`## latchkey ${name}\n`), `docs/cli.md lacks ${name}`);
    assert.ok(doc.includes(formatHelp(entry.load()).trimEnd()), `docs/cli.md has stale help for ${name}`);
  }
});
