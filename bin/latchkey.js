#!/usr/bin/env node
'use strict';
// The installed `latchkey` command: runs the compiled CLI from dist/ (built by `npm ci` via prepare).
const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  // Answered here, before loading anything: `latchkey --version` costs what `node -e 0` costs.
  process.stdout.write(`latchkey ${require('../package.json').version}\n`);
  return;
}
let cli;
try {
  cli = require('../dist/main/cli/main.js');
} catch (error) {
  if (error && error.code === 'MODULE_NOT_FOUND') {
    process.stderr.write(
      "latchkey: the CLI is not built yet; run 'npm run build' in the latchkey checkout\n",
    );
    process.exit(1);
  }
  throw error;
}
cli.main(argv).then(
  (status) => {
    process.exitCode = status;
  },
  () => {
    process.stderr.write('latchkey: INTERNAL: the command failed unexpectedly\n');
    process.exitCode = 1;
  },
);
