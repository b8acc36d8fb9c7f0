#!/usr/bin/env node
// V8's code cache for the `run` bundle (called by scripts/bundle-run.mjs, each step in a Node of
// its own):
//
//   write BUNDLE CACHE eager|lazy   compile the bundle — every function, or only the top level —
//                                   evaluate its top level (module definitions; no command runs)
//                                   and write the cache of everything compiled.
//   check BUNDLE CACHE              print "accepted" or "rejected": does a Node with default
//                                   flags take the cache, as the launcher would?
//
// "eager" compiles with V8's --no-lazy, switched on only while the bundle is compiled and off again
// before the cache is made, so the cache carries the default flags and a normal Node accepts it.
// V8 validates every cache it is given (version, flags, checksum) and ignores a bad one, and
// `check` confirms acceptance before the build keeps it.
import { readFileSync, writeFileSync } from 'node:fs';
import Module from 'node:module';
import { dirname, resolve } from 'node:path';
import v8 from 'node:v8';
import { Script } from 'node:vm';

const [step, bundleArg = '', cacheArg = '', mode] = process.argv.slice(2);
const bundle = resolve(bundleArg);
const cache = resolve(cacheArg);
const source = Module.wrap(readFileSync(bundle, 'utf8'));
if (step === 'write') {
  if (mode === 'eager') v8.setFlagsFromString('--no-lazy');
  const script = new Script(source, { filename: bundle });
  if (mode === 'eager') v8.setFlagsFromString('--lazy');
  const module = { exports: {} };
  script.runInThisContext()(module.exports, Module.createRequire(bundle), module, bundle, dirname(bundle));
  writeFileSync(cache, script.createCachedData());
} else if (step === 'check') {
  const script = new Script(source, { filename: bundle, cachedData: readFileSync(cache) });
  process.stdout.write(script.cachedDataRejected === false ? 'accepted\n' : 'rejected\n');
} else {
  process.stderr.write('usage: run-code-cache.mjs write BUNDLE CACHE eager|lazy | check BUNDLE CACHE\n');
  process.exit(2);
}
