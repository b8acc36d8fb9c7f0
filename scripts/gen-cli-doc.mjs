// Writes docs/cli.md from the commands' own specs (test/unit/cli-doc.test.ts checks it is current).
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';

const require = createRequire(import.meta.url);
const root = resolve(import.meta.dirname, '..');
const { COMMANDS } = require(resolve(root, 'dist/main/cli/commands/index.js'));
const { formatHelp } = require(resolve(root, 'dist/main/cli/command.js'));

let out = `# The latchkey command

Generated from the commands' own help by \`node scripts/gen-cli-doc.mjs\`; \`latchkey <command> --help\`
prints the same text. Exit status: 0 success, 1 failure (one line \`latchkey: CODE: sentence\` on
stderr, see [errors.md](errors.md)), 2 misuse.

References look like \`lk://<project>/<environment>/<item>/<field>\`; the \`lk://\` prefix is optional.
Environments are \`development\` (aliases dev, develop, local) and \`staging\` (stg, stage); anything
else is refused (see [scopes.md](scopes.md)).

Passwords and values are never taken from the command line: they are asked on the terminal with
echo off, or read from standard input with \`--password-stdin\` (first line the password, then the value).
`;
for (const [name, entry] of Object.entries(COMMANDS)) {
  out += `\n## latchkey ${name}\n\n${entry.summary}.\n\n\`\`\`\n${formatHelp(entry.load()).trimEnd()}\n\`\`\`\n`;
}
writeFileSync(resolve(root, 'docs/cli.md'), out);
