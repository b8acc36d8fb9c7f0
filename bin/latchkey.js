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
  // Written to fd 1 directly: creating process.stdout on a pipe would load the net streams.
  try {
    require('node:fs').writeSync(1, `latchkey ${require('../package.json').version}\n`);
  } catch {
    process.exitCode = 1; // stdout closed: nothing to say it on
  }
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

/**
 * The run path as one file (scripts/bundle-run.mjs: the same compiled modules), compiled with V8's
 * code cache written at build time; undefined when it is not built (then launch.js is used).
 */
function loadRunBundle() {
  const fs = require('node:fs');
  const path = require('node:path');
  const file = path.join(__dirname, '..', 'dist', 'main', 'cli', 'run', 'launch.bundle.js');
  let source;
  try {
    source = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  let cachedData;
  try {
    cachedData = fs.readFileSync(file.replace(/\.js$/, '.cache'));
  } catch {
    cachedData = undefined;
  }
  const Module = require('node:module');
  const script = new (require('node:vm').Script)(Module.wrap(source), { filename: file, cachedData });
  const module = { exports: {} };
  script.runInThisContext()(module.exports, Module.createRequire(file), module, file, path.dirname(file));
  return module.exports;
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
  finish((loadRunBundle() ?? load('../dist/main/cli/run/launch.js')).runFromArgv(argv.slice(1)));
} else {
  finish(load('../dist/main/cli/main.js').main(argv));
}
