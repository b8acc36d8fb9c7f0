/**
 * Resolving a schema for an environment, ref templates, and rotation durations.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { isLatchkeyError } from '../../main/core/errors';
import {
  expandRefTemplate,
  MAX_DURATION_MS,
  parseDuration,
  parseSchema,
  resolveVariables,
} from '../../main/core/project';
import type { Environment } from '../../main/core/scope';
import { formatFieldRef } from '../../main/core/vault/ref';

const SCHEMA = parseSchema(
  [
    'project: payments',
    'variables:',
    '  STRIPE_SECRET_KEY: { ref: "lk://payments/{env}/stripe/secret_key", environments: [dev] }',
    '  SHARED_DB: { ref: "lk://platform/staging/db/url" }',
    '  OWN: { ref: "lk://{project}/{env}/own/key", environments: [staging] }',
    '',
  ].join('\n'),
  'latchkey.yml',
);

function codeOf(fn: () => unknown): string {
  try {
    fn();
    return 'OK';
  } catch (error) {
    return isLatchkeyError(error) ? error.code : String(error);
  }
}

describe('resolveVariables', () => {
  test('substitutes {env} and {project} and keeps file order', () => {
    const resolved = resolveVariables(SCHEMA, 'development');
    assert.deepEqual(
      resolved.map((r) => [r.name, formatFieldRef(r.ref)]),
      [
        ['STRIPE_SECRET_KEY', 'lk://payments/development/stripe/secret_key'],
        ['SHARED_DB', 'lk://platform/staging/db/url'],
        ['OWN', 'lk://payments/development/own/key'],
      ],
    );
  });

  test('marks a variable required only in its environments', () => {
    const required = (env: Environment) => resolveVariables(SCHEMA, env).map((r) => [r.name, r.required]);
    assert.deepEqual(required('development'), [
      ['STRIPE_SECRET_KEY', true],
      ['SHARED_DB', true],
      ['OWN', false],
    ]);
    assert.deepEqual(required('staging'), [
      ['STRIPE_SECRET_KEY', false],
      ['SHARED_DB', true],
      ['OWN', true],
    ]);
  });

  test('a fixed environment segment stays fixed in every environment', () => {
    const staging = resolveVariables(SCHEMA, 'development').find((r) => r.name === 'SHARED_DB');
    assert.equal(staging?.ref.environment, 'staging');
    assert.equal(staging?.ref.project, 'platform');
  });

  test('each result carries its spec', () => {
    const [first] = resolveVariables(SCHEMA, 'staging');
    assert.equal(first?.spec, SCHEMA.variables[0]);
  });

  test('a production environment passed from untyped code is refused', () => {
    assert.equal(
      codeOf(() => resolveVariables(SCHEMA, 'production' as Environment)),
      'PRODUCTION_REFUSED',
    );
    assert.equal(
      codeOf(() => resolveVariables(SCHEMA, 'qa' as Environment)),
      'UNKNOWN_ENVIRONMENT',
    );
  });
});

describe('expandRefTemplate', () => {
  test('replaces every {env} and {project} and nothing else', () => {
    assert.equal(
      expandRefTemplate('lk://{project}/{env}/x-{env}/f', 'payments', 'staging'),
      'lk://payments/staging/x-staging/f',
    );
    assert.equal(expandRefTemplate('lk://a/dev/b/c', 'payments', 'staging'), 'lk://a/dev/b/c');
  });
});

describe('parseDuration', () => {
  test('reads a whole number and one unit', () => {
    assert.equal(parseDuration('90d'), 90 * 86_400_000);
    assert.equal(parseDuration('1s'), 1000);
    assert.equal(parseDuration('15m'), 15 * 60_000);
    assert.equal(parseDuration('12h'), 12 * 3_600_000);
    assert.equal(parseDuration('2w'), 14 * 86_400_000);
  });

  test('accepts ten years (3650d) and refuses more', () => {
    assert.equal(parseDuration('3650d'), MAX_DURATION_MS);
    assert.equal(
      codeOf(() => parseDuration('3651d')),
      'SCHEMA_INVALID',
    );
    assert.equal(
      codeOf(() => parseDuration('522w')),
      'SCHEMA_INVALID',
    );
    assert.equal(
      codeOf(() => parseDuration('9999999999d')),
      'SCHEMA_INVALID',
    );
  });

  test('refuses zero, fractions, signs, spaces, upper case, mixed and unknown units', () => {
    for (const text of [
      '0d',
      '00d',
      '01d',
      '1.5d',
      '-1d',
      '+1d',
      ' 90d',
      '90d ',
      '90 d',
      '90D',
      '90',
      'd',
      '90dd',
      '1h30m',
      '3y',
      '',
      '1e3s',
    ]) {
      assert.equal(
        codeOf(() => parseDuration(text)),
        'SCHEMA_INVALID',
        JSON.stringify(text),
      );
    }
  });
});
