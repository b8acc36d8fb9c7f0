/**
 * refuseProduction / checkScope: every signal is applied, any production signal or disagreement
 * refuses, and no refusal ever carries the secret value.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { inspect } from 'node:util';

import { LatchkeyError } from '../../main/core/errors';
import {
  checkScope,
  environmentAliases,
  refuseProduction,
  SCOPE_RULES,
  ScopeRefusal,
  type ScopeInput,
} from '../../main/core/scope';

const CANARY = 'CANARY-9f3e';

function bytes(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'utf8'));
}

function refusedWith(input: ScopeInput, code: string, rule: string): ScopeRefusal {
  let caught: unknown;
  try {
    refuseProduction(input);
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof ScopeRefusal, 'refuseProduction threw a ScopeRefusal');
  assert.ok(caught instanceof LatchkeyError);
  assert.equal(caught.code, code);
  assert.equal(caught.rule, rule);
  const verdict = checkScope(input);
  assert.deepEqual(verdict, { ok: false, code, rule, reason: caught.message });
  return caught;
}

const CLEAN: ScopeInput = {
  environment: 'dev',
  segments: ['payments', 'stripe', 'secret_key'],
  metadata: { environment: 'development', owner: 'payments' },
  value: bytes('sk_test_4eC39HqLyjWDarjtT1zdp7dc'),
};

describe('refuseProduction', () => {
  test('a clean development item returns its canonical environment', () => {
    assert.equal(refuseProduction(CLEAN), 'development');
    assert.deepEqual(checkScope(CLEAN), { ok: true, environment: 'development' });
  });

  test('an environment alone is enough input', () => {
    assert.equal(refuseProduction({ environment: 'STG' }), 'staging');
  });

  test('a production environment is refused', () => {
    refusedWith({ ...CLEAN, environment: 'prod-eu' }, 'PRODUCTION_REFUSED', 'environment-name-production');
  });

  test('an unknown environment is refused', () => {
    refusedWith({ ...CLEAN, environment: 'qa' }, 'UNKNOWN_ENVIRONMENT', 'environment-name-unknown');
  });

  test('a production name segment is refused even in a development environment', () => {
    refusedWith(
      { ...CLEAN, segments: ['payments', 'stripe-prod'] },
      'PRODUCTION_REFUSED',
      'name-production-word',
    );
  });

  test('a segment that is not text is refused', () => {
    refusedWith(
      { ...CLEAN, segments: ['payments', 7 as unknown as string] },
      'UNKNOWN_ENVIRONMENT',
      'name-not-text',
    );
  });

  test('segments passed as a single string are still checked', () => {
    refusedWith(
      { ...CLEAN, segments: 'prod-db' as unknown as string[] },
      'PRODUCTION_REFUSED',
      'name-production-word',
    );
    refusedWith(
      { ...CLEAN, segments: { 0: 'x' } as unknown as string[] },
      'UNKNOWN_ENVIRONMENT',
      'name-not-text',
    );
  });

  test('metadata naming production is refused', () => {
    refusedWith(
      { ...CLEAN, metadata: { environment: 'production' } },
      'PRODUCTION_REFUSED',
      'metadata-production',
    );
  });

  test('metadata that disagrees with the path environment is refused', () => {
    refusedWith(
      { ...CLEAN, environment: 'stg', metadata: { env: 'development' } },
      'PRODUCTION_REFUSED',
      'metadata-disagrees',
    );
  });

  test('a live credential in a development item is refused', () => {
    refusedWith(
      { ...CLEAN, value: bytes('sk_live_4eC39HqLyjWDarjtT1zdp7dc') },
      'PRODUCTION_REFUSED',
      'stripe-live-secret-key',
    );
  });

  test('a production URL in a development item is refused', () => {
    refusedWith(
      { ...CLEAN, value: bytes('postgres://app:pw@db.prod.internal:5432/app') },
      'PRODUCTION_REFUSED',
      'url-production-host',
    );
  });

  test('a production signal is reported before an unknown environment', () => {
    refusedWith(
      { environment: 'qa', value: bytes('rzp_live_ILgsfZCZoFIKMb') },
      'PRODUCTION_REFUSED',
      'razorpay-live-key',
    );
    refusedWith(
      { environment: 'qa', metadata: { tier: 'production' } },
      'PRODUCTION_REFUSED',
      'metadata-production',
    );
  });

  test('metadata is still checked for production when the environment is unknown', () => {
    refusedWith(
      { environment: 'qa', metadata: { scope: 'prod' } },
      'PRODUCTION_REFUSED',
      'metadata-production',
    );
  });

  test('team aliases apply to the environment and to metadata', () => {
    const extraAliases = environmentAliases({ sandbox: 'development' });
    assert.equal(
      refuseProduction({ environment: 'sandbox', metadata: { environment: 'sandbox' }, extraAliases }),
      'development',
    );
    refusedWith({ environment: 'sandbox' }, 'UNKNOWN_ENVIRONMENT', 'environment-name-unknown');
  });

  test('checkScope never throws for a refusal', () => {
    assert.doesNotThrow(() =>
      checkScope({ environment: 'production', metadata: { env: 'prod' }, value: bytes('x') }),
    );
  });

  test('a value that is not bytes is a programming error, not a pass', () => {
    assert.throws(
      () => checkScope({ environment: 'dev', value: 'sk_live_x' as unknown as Uint8Array }),
      LatchkeyError,
    );
  });

  test('a ScopeRefusal turns back into the same verdict', () => {
    const error = refusedWith({ environment: 'live' }, 'PRODUCTION_REFUSED', 'environment-name-production');
    assert.deepEqual(error.toVerdict(), checkScope({ environment: 'live' }));
  });
});

describe('refusals never carry the value', () => {
  const PLANTED: readonly string[] = [
    `sk_live_4eC39HqLyjWDarjtT1zdp7dc${CANARY}`,
    `rk_live_4eC39HqLyjWDarjtT1zdp7dc${CANARY}`,
    `pk_live_4eC39HqLyjWDarjtT1zdp7dc${CANARY}`,
    `access_token$production$abc$${CANARY}`,
    `rzp_live_ILgsfZCZoFIKMb${CANARY}`,
    `pdl_live_apikey_01gtgztp8fy8d7hx_${CANARY}`,
    `live_dHar4XY7LxsDOtmnkVtjNVWXLSlXsM ${CANARY}`,
    `https://x-checkout-live.adyenpayments.com/${CANARY}`,
    `https://api-m.paypal.com/${CANARY}`,
    `https://connect.squareup.com/${CANARY}`,
    `postgres://app:${CANARY}@db.prod.internal:5432/app`,
  ];
  for (const planted of PLANTED) {
    test(`a refusal of ${JSON.stringify(planted.slice(0, 28))}… does not contain the planted canary`, () => {
      const input: ScopeInput = {
        environment: 'development',
        segments: ['payments', 'key'],
        value: bytes(planted),
      };
      const verdict = checkScope(input);
      assert.equal(verdict.ok, false);
      if (verdict.ok) return;
      const error = refusedWith(input, 'PRODUCTION_REFUSED', verdict.rule);
      for (const text of [
        error.message,
        String(error),
        inspect(error),
        JSON.stringify(error),
        JSON.stringify(verdict),
      ]) {
        assert.ok(!text.includes(CANARY), `no canary in: ${text.slice(0, 200)}`);
        assert.ok(!text.includes('4eC39Hq'), 'no key material');
      }
    });
  }

  test('every rule sentence names its rule, says what to do and ends with a full stop', () => {
    const inputs: ScopeInput[] = [
      { environment: 'prod' },
      { environment: 'qa' },
      { environment: 'dev', segments: ['prod-db'] },
      { environment: 'dev', segments: [1 as unknown as string] },
      { environment: 'dev', metadata: { environment: 'production' } },
      { environment: 'dev', metadata: { environment: 'staging' } },
      { environment: 'dev', metadata: { environment: 'qa' } },
      { environment: 'dev', metadata: [] as unknown as Record<string, unknown> },
      ...[...new Set(PLANTED)].map((p) => ({ environment: 'dev', value: bytes(p) })),
    ];
    for (const input of inputs) {
      const verdict = checkScope(input);
      assert.equal(verdict.ok, false);
      if (verdict.ok) continue;
      assert.match(verdict.reason, /^[A-Z]/, verdict.reason);
      assert.match(verdict.reason, /\.$/, verdict.reason);
      assert.ok(verdict.reason.includes(`(rule ${verdict.rule})`), verdict.reason);
      assert.match(
        verdict.reason,
        /; (use|rename|if it|make|set|store|point|choose|fix|simplify)\b/,
        verdict.reason,
      );
    }
  });
});

describe('rule ids', () => {
  test('rule ids are unique', () => {
    const ids = SCOPE_RULES.map((rule) => rule.id);
    assert.equal(new Set(ids).size, ids.length);
  });

  test('docs/scopes.md documents every rule id', () => {
    // Compiled to dist/test/unit: the repository root is three levels up.
    const docs = readFileSync(join(__dirname, '..', '..', '..', 'docs', 'scopes.md'), 'utf8');
    for (const rule of SCOPE_RULES)
      assert.ok(docs.includes(`\`${rule.id}\``), `docs/scopes.md mentions ${rule.id}`);
  });
});
