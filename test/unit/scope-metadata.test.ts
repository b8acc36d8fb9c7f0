/**
 * Central-store metadata as a scope signal: production anywhere refuses, disagreement with the
 * path refuses, an environment key that names nothing known refuses.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import {
  classifyMetadata,
  environmentAliases,
  normalizeMetadataKey,
  type ScopeVerdict,
} from '../../main/core/scope';

function expectRefused(verdict: ScopeVerdict, code: string, rule: string): string {
  assert.equal(verdict.ok, false, 'expected a refusal');
  if (verdict.ok) return '';
  assert.equal(verdict.code, code);
  assert.equal(verdict.rule, rule);
  assert.ok(verdict.reason.includes(`(rule ${rule})`), verdict.reason);
  return verdict.reason;
}

const ENVIRONMENT_KEYS = [
  'environment',
  'Environment',
  'ENVIRONMENT',
  'env',
  'ENV',
  'stage',
  'Stage',
  'tier',
  'deployment',
  'deploy_env',
  'DEPLOY_ENV',
  'deploy-env',
  'deployEnv',
  'environment_name',
  'EnvironmentName',
  'aws:environment',
  'AWS:Environment',
  'app.kubernetes.io/environment',
  'NODE_ENV',
  'target_environment',
];

describe('metadata environment keys', () => {
  for (const key of ENVIRONMENT_KEYS) {
    test(`metadata ${JSON.stringify(key)} that agrees with the path is accepted`, () => {
      assert.deepEqual(classifyMetadata({ [key]: 'development' }, 'development'), {
        ok: true,
        environment: 'development',
      });
      assert.deepEqual(classifyMetadata({ [key]: 'stg' }, 'staging'), { ok: true, environment: 'staging' });
    });

    test(`metadata ${JSON.stringify(key)} naming production is refused with PRODUCTION_REFUSED`, () => {
      expectRefused(
        classifyMetadata({ [key]: 'production' }, 'development'),
        'PRODUCTION_REFUSED',
        'metadata-production',
      );
    });

    test(`metadata ${JSON.stringify(key)} naming the other environment is refused as disagreement`, () => {
      expectRefused(
        classifyMetadata({ [key]: 'staging' }, 'development'),
        'PRODUCTION_REFUSED',
        'metadata-disagrees',
      );
    });
  }

  test('every spelling of production in an environment key is refused', () => {
    for (const value of ['prod', 'PROD', ' Production ', 'prod-eu', 'live', 'pr0d', '\u0440rod', 'prd']) {
      expectRefused(
        classifyMetadata({ environment: value }, 'staging'),
        'PRODUCTION_REFUSED',
        'metadata-production',
      );
    }
  });

  test('aliases in metadata values are understood', () => {
    assert.equal(classifyMetadata({ env: 'dev' }, 'development').ok, true);
    assert.equal(classifyMetadata({ env: 'LOCAL' }, 'development').ok, true);
    assert.equal(classifyMetadata({ env: 'stage' }, 'staging').ok, true);
  });

  test('team aliases apply to metadata values when passed', () => {
    const aliases = environmentAliases({ sandbox: 'development' });
    assert.equal(classifyMetadata({ environment: 'sandbox' }, 'development', aliases).ok, true);
    expectRefused(
      classifyMetadata({ environment: 'sandbox' }, 'development'),
      'UNKNOWN_ENVIRONMENT',
      'metadata-unknown',
    );
    expectRefused(
      classifyMetadata({ environment: 'sandbox' }, 'staging', aliases),
      'PRODUCTION_REFUSED',
      'metadata-disagrees',
    );
  });

  test('an environment key naming an unknown environment is refused as unknown', () => {
    for (const value of ['qa', 'dev-eu', 'd\u0435v', '', '   ']) {
      expectRefused(
        classifyMetadata({ environment: value }, 'development'),
        'UNKNOWN_ENVIRONMENT',
        'metadata-unknown',
      );
    }
  });

  test('an environment key whose value is not text is refused as unknown', () => {
    for (const value of [1, true, null, ['development'], { name: 'development' }, undefined]) {
      expectRefused(
        classifyMetadata({ tier: value }, 'development'),
        'UNKNOWN_ENVIRONMENT',
        'metadata-unknown',
      );
    }
  });

  test('the disagreement sentence names the key and both environments and says what to do', () => {
    const reason = expectRefused(
      classifyMetadata({ stage: 'staging' }, 'development'),
      'PRODUCTION_REFUSED',
      'metadata-disagrees',
    );
    assert.ok(reason.includes('"stage"'));
    assert.ok(reason.includes('says staging'));
    assert.ok(reason.includes('path says development'));
    assert.match(reason, /make the path and the metadata agree/);
  });

  test('key normalisation unifies case, separators and namespaces', () => {
    assert.equal(normalizeMetadataKey('deployEnv'), 'deploy_env');
    assert.equal(normalizeMetadataKey('DEPLOY-ENV'), 'deploy_env');
    assert.equal(normalizeMetadataKey('aws:environment'), 'environment');
    assert.equal(normalizeMetadataKey('app.kubernetes.io/environment'), 'environment');
    assert.equal(normalizeMetadataKey('app'), 'app');
  });
});

describe('metadata: other keys', () => {
  test('a value that is exactly a production word refuses, whatever its key', () => {
    for (const [key, value] of [
      ['scope', 'production'],
      ['scope', 'PROD'],
      ['status', 'live'],
      ['note', ' Production '],
      ['label', 'pr0d'],
      ['label', '\uff50\uff52\uff4f\uff44'],
      ['cluster', 'prod2'],
    ] as const) {
      expectRefused(
        classifyMetadata({ [key]: value }, 'development'),
        'PRODUCTION_REFUSED',
        'metadata-production',
      );
    }
  });

  test('ordinary metadata that merely mentions production is ignored', () => {
    const metadata = {
      owner: 'team-payments',
      rotate_every: '90d',
      description: 'copied from prod last week',
      team: 'live-chat',
      product: 'catalog',
      count: 3,
      enabled: true,
      nothing: null,
    };
    assert.deepEqual(classifyMetadata(metadata, 'staging'), { ok: true, environment: 'staging' });
  });

  test('empty metadata is accepted', () => {
    assert.deepEqual(classifyMetadata({}, 'development'), { ok: true, environment: 'development' });
  });

  test('nested metadata is walked with the same rules', () => {
    expectRefused(
      classifyMetadata({ tags: { environment: 'production' } }, 'development'),
      'PRODUCTION_REFUSED',
      'metadata-production',
    );
    expectRefused(
      classifyMetadata({ labels: [{ deeper: { scope: 'prod' } }] }, 'development'),
      'PRODUCTION_REFUSED',
      'metadata-production',
    );
  });

  test('AWS-style tag lists are read as key/value pairs', () => {
    const tags = [
      { Key: 'Owner', Value: 'payments' },
      { Key: 'Environment', Value: 'staging' },
    ];
    assert.equal(classifyMetadata({ Tags: tags }, 'staging').ok, true);
    expectRefused(
      classifyMetadata({ Tags: tags }, 'development'),
      'PRODUCTION_REFUSED',
      'metadata-disagrees',
    );
    expectRefused(
      classifyMetadata({ Tags: [{ Key: 'env', Value: 'prod' }] }, 'staging'),
      'PRODUCTION_REFUSED',
      'metadata-production',
    );
  });

  test('a __proto__ key from JSON is checked like any other key', () => {
    const metadata = JSON.parse('{"__proto__": {"environment": "production"}}') as Record<string, unknown>;
    expectRefused(classifyMetadata(metadata, 'development'), 'PRODUCTION_REFUSED', 'metadata-production');
  });

  test('when several rules fire, production is reported before disagreement and unknown', () => {
    expectRefused(
      classifyMetadata({ tier: 'qa', env: 'staging', scope: 'production' }, 'development'),
      'PRODUCTION_REFUSED',
      'metadata-production',
    );
    expectRefused(
      classifyMetadata({ tier: 'qa', env: 'staging' }, 'development'),
      'PRODUCTION_REFUSED',
      'metadata-disagrees',
    );
  });
});

describe('metadata: hostile input', () => {
  test('metadata nested deeper than the limit is refused as unreadable', () => {
    const root: Record<string, unknown> = {};
    let node = root;
    for (let i = 0; i < 50; i++) {
      const child: Record<string, unknown> = {};
      node.x = child;
      node = child;
    }
    expectRefused(classifyMetadata(root, 'development'), 'UNKNOWN_ENVIRONMENT', 'metadata-unreadable');
  });

  test('metadata with too many entries is refused as unreadable', () => {
    const metadata: Record<string, unknown> = {};
    for (let i = 0; i < 20_000; i++) metadata[`k${i}`] = 'v';
    expectRefused(classifyMetadata(metadata, 'development'), 'UNKNOWN_ENVIRONMENT', 'metadata-unreadable');
  });

  test('a cyclic structure does not hang the check', () => {
    const metadata: Record<string, unknown> = { owner: 'x' };
    metadata.self = metadata;
    expectRefused(classifyMetadata(metadata, 'development'), 'UNKNOWN_ENVIRONMENT', 'metadata-unreadable');
  });

  test('metadata that is not an object is refused as unreadable', () => {
    for (const metadata of [['environment', 'development'], 'development', 42]) {
      expectRefused(
        classifyMetadata(metadata as unknown as Record<string, unknown>, 'development'),
        'UNKNOWN_ENVIRONMENT',
        'metadata-unreadable',
      );
    }
  });

  test('a huge environment value is refused with a short sentence', () => {
    const reason = expectRefused(
      classifyMetadata({ environment: 'q'.repeat(1_000_000) }, 'development'),
      'UNKNOWN_ENVIRONMENT',
      'metadata-unknown',
    );
    assert.ok(reason.length < 600);
  });

  test('a metadata refusal never repeats values of other keys', () => {
    const reason = expectRefused(
      classifyMetadata({ note: 'CANARY-9f3e', environment: 'production' }, 'development'),
      'PRODUCTION_REFUSED',
      'metadata-production',
    );
    assert.ok(!reason.includes('CANARY-9f3e'));
  });
});
