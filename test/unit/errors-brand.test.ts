/**
 * `instanceof LatchkeyError` across two copies of core/errors (the run bundle carries its own):
 * either copy recognises the other's errors; subclasses keep the ordinary test.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AgentSilent } from '../../main/core/agent/client';
import { LatchkeyError, isLatchkeyError } from '../../main/core/errors';

/** A second, independent copy of the compiled module, as the bundle has. */
function secondCopy(): typeof import('../../main/core/errors') {
  const path = require.resolve('../../main/core/errors');
  const first = require.cache[path];
  delete require.cache[path];
  try {
    return require(path) as typeof import('../../main/core/errors');
  } finally {
    require.cache[path] = first;
  }
}

test('either copy of LatchkeyError recognises the other’s errors, codes and exit statuses intact', () => {
  const other = secondCopy();
  assert.notEqual(other.LatchkeyError, LatchkeyError);
  const theirs = new other.LatchkeyError('PRODUCTION_REFUSED', 'no');
  const ours = new LatchkeyError('USAGE', 'say it');
  assert.ok(theirs instanceof LatchkeyError);
  assert.ok(ours instanceof other.LatchkeyError);
  assert.ok(isLatchkeyError(theirs, 'PRODUCTION_REFUSED'));
  assert.ok(other.isLatchkeyError(ours, 'USAGE'));
  assert.equal(theirs.exitCode, other.ERROR_CODES.PRODUCTION_REFUSED.exit);
});

test('nothing else passes for a LatchkeyError, and subclasses test as before', () => {
  for (const v of [new Error('x'), { code: 'USAGE', message: 'x' }, null, undefined, 'USAGE', 7]) {
    assert.equal(v instanceof LatchkeyError, false);
  }
  const silent = new AgentSilent('/tmp/x.sock');
  assert.ok(silent instanceof LatchkeyError);
  assert.ok(silent instanceof AgentSilent);
  assert.equal(new LatchkeyError('AGENT_NOT_RUNNING', 'x') instanceof AgentSilent, false);
});
