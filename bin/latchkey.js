#!/bin/sh
':' //; [ "$1" = run ] && [ "${NODE_EXTRA_CA_CERTS+set}" = set ] && { LATCHKEY_SAVED_NODE_EXTRA_CA_CERTS=$NODE_EXTRA_CA_CERTS; export LATCHKEY_SAVED_NODE_EXTRA_CA_CERTS; unset NODE_EXTRA_CA_CERTS; }; exec node "$0" "$@"
'use strict';
// The installed `latchkey` command: runs the compiled CLI from dist/ (built by `npm ci` via prepare).
//
// This file is both a shell script and JavaScript. Run as a program (npx, node_modules/.bin, PATH)
// /bin/sh reads the line above — to JavaScript it is a string and a comment — and execs node on
// this same file. For `latchkey run` it first moves NODE_EXTRA_CA_CERTS aside: Node 20 parses that
// file at every start, TLS or not, which would cost `run` tens of milliseconds; `run` hands it back
// to the command under its own name (docs/run.md). `node bin/latchkey.js …` works as before.
const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  // Answered here, before loading anything: `latchkey --version` costs what `node -e 0` costs.
  process.stdout.write(`latchkey ${require('../package.json').version}\n`);
  return;
}

function load(path) {
  try {
    return require(path);
  } catch (error) {
    if (error && error.code === 'MODULE_NOT_FOUND') {
      process.stderr.write(
        "latchkey: the CLI is not built yet; run 'npm run build' in the latchkey checkout\n",
      );
      process.exit(1);
    }
    throw error;
  }
}

function finish(promise) {
  promise.then(
    (status) => {
      process.exitCode = status;
    },
    () => {
      process.stderr.write('latchkey: INTERNAL: the command failed unexpectedly\n');
      process.exitCode = 1;
    },
  );
}

if (argv[0] === 'run') {
  // `run` skips the dispatcher and parses its own arguments: everything after the command's name
  // (even --help) belongs to the command, and the path people run all day loads only what it needs.
  // The bundle (scripts/bundle-run.mjs) is the same code in one file; launch.js if it is missing.
  let launch;
  try {
    launch = require('../dist/main/cli/run/launch.bundle.js');
  } catch (error) {
    if (!error || error.code !== 'MODULE_NOT_FOUND') throw error;
    launch = load('../dist/main/cli/run/launch.js');
  }
  finish(launch.runFromArgv(argv.slice(1)));
} else {
  finish(load('../dist/main/cli/main.js').main(argv));
}
