/** Provisioning's pure parts: targets, the policy document, production scanning, pinned sync folders. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  developerOfPolicy,
  expiryFrom,
  grantPaths,
  parseTarget,
  policyNameOf,
  readPolicy,
  renderPolicy,
} from '../../main/core/provision';
import { namesProduction } from '../../main/core/provision/policy-document';
import { parseFilter, parseLayout, pinnedFolders } from '../../main/core/sync/layout';

const LAYOUT = 'teams/{project}/{env}/{item}';

describe('grant targets', () => {
  test('development and staging in their spellings; everything else refused before any request', () => {
    assert.deepEqual(parseTarget('payments/development'), {
      project: 'payments',
      env: 'development',
      environment: 'development',
    });
    assert.deepEqual(parseTarget('payments/dev'), {
      project: 'payments',
      env: 'dev',
      environment: 'development',
    });
    assert.deepEqual(parseTarget('payments/stg'), {
      project: 'payments',
      env: 'stg',
      environment: 'staging',
    });
    for (const bad of [
      'payments/production',
      'payments/prd',
      'payments/qa',
      'payments/*',
      'payments/de+v',
      'prod/development',
      'payments/ｐｒｏｄ',
    ]) {
      assert.throws(
        () => parseTarget(bad),
        (e: Error & { code?: string }) => e.code === 'PRODUCTION_REFUSED' || e.code === 'USAGE',
        bad,
      );
    }
    assert.throws(() => parseTarget('payments'), /project\/environment/);
  });
  test('developer names and policy names', () => {
    assert.equal(policyNameOf('alice'), 'latchkey-dev-alice');
    assert.equal(developerOfPolicy('latchkey-dev-alice'), 'alice');
    assert.equal(developerOfPolicy('payments-dev'), undefined);
    assert.throws(() => policyNameOf('Alice Smith'), /not a developer name/);
    assert.throws(() => policyNameOf('../root'), /not a developer name/);
  });
  test('expiry durations', () => {
    const now = new Date('2026-11-25T00:00:00.000Z');
    assert.equal(expiryFrom('30d', now), '2026-12-25T00:00:00.000Z');
    assert.equal(expiryFrom('12h', now), '2026-11-25T12:00:00.000Z');
    assert.throws(() => expiryFrom('0d', now));
    assert.throws(() => expiryFrom('2y', now));
  });
});

describe('the policy document', () => {
  const doc = {
    developer: 'alice',
    mount: 'secret',
    layout: LAYOUT,
    grants: [
      { ...parseTarget('payments/staging'), grantedAt: '2026-11-25T00:00:00.000Z' },
      {
        ...parseTarget('payments/development'),
        grantedAt: '2026-11-25T00:00:00.000Z',
        expires: '2026-12-25T00:00:00.000Z',
      },
    ],
  };
  test('names exactly the data and metadata of each environment folder, sorted, and reads back unedited', () => {
    const text = renderPolicy(doc);
    assert.deepEqual(grantPaths(doc, doc.grants[0]!), [
      'secret/data/teams/payments/staging/*',
      'secret/metadata/teams/payments/staging/*',
    ]);
    assert.ok(text.indexOf('payments/development') < text.indexOf('payments/staging'));
    const read = readPolicy(text);
    assert.equal(read.edited, false);
    assert.deepEqual(read.productionPaths, []);
    assert.equal(read.document?.grants.length, 2);
    assert.equal(renderPolicy(read.document), text);
  });
  test('any change by hand is an edit; a foreign policy has no document', () => {
    const text = renderPolicy(doc);
    assert.equal(readPolicy(text.replace('"read", "list"', '"read", "list", "update"')).edited, true);
    assert.equal(readPolicy(`${text}# note\n`).edited, true);
    const hostile = renderPolicy({ ...doc, grants: [{ ...doc.grants[0]!, project: '<img src=x>' }] });
    assert.equal(readPolicy(hostile).document, undefined, 'a project parseTarget would refuse is not ours');
    const foreign = readPolicy('path "secret/data/x/*" { capabilities = ["read"] }\n');
    assert.equal(foreign.document, undefined);
    assert.equal(foreign.edited, true);
  });
  test('production paths: by name anywhere, by the environment position, and globs above it', () => {
    const layout = parseLayout(LAYOUT);
    assert.equal(namesProduction('secret/data/teams/payments/production/*', layout, 'secret'), true);
    assert.equal(namesProduction('secret/data/teams/payments/qa/*', layout, 'secret'), true);
    assert.equal(namesProduction('secret/data/teams/payments/+/*', layout, 'secret'), true);
    assert.equal(namesProduction('secret/data/teams/payments/*', layout, 'secret'), true);
    assert.equal(namesProduction('secret/data/teams/*', layout, 'secret'), true);
    assert.equal(namesProduction('secret/data/prod-keys/x', layout, 'secret'), true);
    assert.equal(namesProduction('secret/data/teams/payments/development/*', layout, 'secret'), false);
    assert.equal(namesProduction('secret/metadata/teams/payments/staging/*', layout, 'secret'), false);
    // Off the layout's fixed segments a glob cannot reach the layout's environments.
    assert.equal(namesProduction('secret/data/x/*', layout, 'secret'), false);
    assert.equal(namesProduction('secret/data/+/payments/*', layout, 'secret'), true);
  });
});

describe('pinned sync folders', () => {
  test('filters that name project and environment need no listing above them', () => {
    const filters = [parseFilter('payments/development'), parseFilter('web/stg')];
    assert.deepEqual(pinnedFolders('project', filters, {}), ['payments/', 'web/']);
    assert.deepEqual(pinnedFolders('env', filters, { project: 'payments' }), ['development/']);
    assert.deepEqual(pinnedFolders('env', filters, { project: 'web' }), ['stg/']);
    assert.equal(pinnedFolders('env', [parseFilter('payments')], { project: 'payments' }), undefined);
    assert.equal(pinnedFolders('project', [], {}), undefined);
    assert.equal(
      pinnedFolders('item', filters, { project: 'payments', environment: 'development' }),
      undefined,
    );
  });
});
