/**
 * Live credentials in secret values: each format has a positive and a test/sandbox negative, the
 * scan works on bytes only, and nothing about a match reveals the value.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { isLatchkeyError } from '../../main/core/errors';
import { findLiveCredential, LIVE_CREDENTIAL_FORMATS } from '../../main/core/scope';

const CANARY = 'CANARY-9f3e';

function bytes(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'utf8'));
}

/** rule → values that must match it, and test/sandbox look-alikes that must match nothing. */
const EXAMPLES: Readonly<
  Record<string, { readonly live: readonly string[]; readonly notLive: readonly string[] }>
> = {
  'stripe-live-secret-key': {
    live: [
      'sk_live_4eC39HqLyjWDarjtT1zdp7dc',
      `STRIPE_SECRET_KEY=sk_live_51H8xYzAbCdEf0123456789${CANARY}`,
      '{"key":"sk_live_4eC39HqLyjWDarjtT1zdp7dc"}',
    ],
    notLive: [
      'sk_test_4eC39HqLyjWDarjtT1zdp7dc',
      'SK_LIVE_4eC39HqLyjWDarjtT1zdp7dc',
      'sk_live_short',
      'task_live_4eC39HqLyjWDarjtT1zdp7dc',
      'whsec_4eC39HqLyjWDarjtT1zdp7dc4eC39HqL',
    ],
  },
  'stripe-live-restricted-key': {
    live: [`rk_live_51H8xYzAbCdEf0123456789${CANARY}`],
    notLive: ['rk_test_51H8xYzAbCdEf0123456789', 'rk_live_'],
  },
  'stripe-live-publishable-key': {
    live: [`pk_live_51H8xYzAbCdEf0123456789${CANARY}`],
    notLive: ['pk_test_51H8xYzAbCdEf0123456789'],
  },
  'braintree-production-token': {
    live: [`access_token$production$x7vdk4r8kq2zbvq8$0e6c1f3a${CANARY}`],
    notLive: ['access_token$sandbox$x7vdk4r8kq2zbvq8$0e6c1f3a', 'ACCESS_TOKEN$PRODUCTION$x'],
  },
  'razorpay-live-key': {
    live: [`rzp_live_ILgsfZCZoFIKMb${CANARY}`],
    notLive: ['rzp_test_ILgsfZCZoFIKMb', 'rzp_live_ab'],
  },
  'paddle-live-key': {
    live: [`pdl_live_apikey_01gtgztp8fy8d7hxwy3k6y0xqm_${CANARY}`],
    notLive: ['pdl_sdbx_apikey_01gtgztp8fy8d7hxwy3k6y0xqm_ABC'],
  },
  'mollie-live-key': {
    live: [
      `live_${'dHar4XY7LxsDOtmnkVtjNVWXLSlXsM'}`,
      `MOLLIE_KEY=live_${'A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5'}\n${CANARY}`,
    ],
    notLive: [
      `test_${'dHar4XY7LxsDOtmnkVtjNVWXLSlXsM'}`,
      `live_${'dHar4XY7LxsDOtmnkVtjNVWXLSlXs'}`,
      `live_${'dHar4XY7LxsDOtmnkVtjNVWXLSlXsMx'}`,
      `olive_${'dHar4XY7LxsDOtmnkVtjNVWXLSlXsM'}`,
    ],
  },
  'adyen-live-endpoint': {
    live: [
      `https://1797a841fbb37ca7-AdyenDemo-checkout-live.adyenpayments.com/checkout?${CANARY}`,
      'https://1797a841fbb37ca7-AdyenDemo-pal-live.adyenpayments.com/pal/servlet',
      'https://live.adyen.com/hpp/pay.shtml',
      'https://pal-live.adyen.com/pal/servlet',
      'HTTPS://CA-LIVE.ADYEN.COM/ca/services',
    ],
    notLive: [
      'https://checkout-test.adyen.com/v71',
      'https://test.adyen.com/hpp/pay.shtml',
      'https://pal-test.adyen.com/pal/servlet',
      'https://olive.adyen.community/',
    ],
  },
  'paypal-live-host': {
    live: [
      `https://api-m.paypal.com/v1/oauth2/token#${CANARY}`,
      'https://API.PayPal.com/v1',
      'api-m.paypal.com',
    ],
    notLive: [
      'https://api-m.sandbox.paypal.com/v1/oauth2/token',
      'https://api.sandbox.paypal.com/v1',
      'https://www.paypal.com/',
      'https://api.paypal.community/',
      'https://xapi.paypal.com/',
    ],
  },
  'square-production-host': {
    live: [`https://connect.squareup.com/v2/payments?${CANARY}`, 'https://pci-connect.squareup.com/v2'],
    notLive: ['https://connect.squareupsandbox.com/v2/payments'],
  },
  'url-production-host': {
    live: [
      `postgres://app:${CANARY}@db.prod.internal:5432/x`,
      'https://api-prod.example.com',
      'https://prod-eu.db.example.com',
      'https://PROD.example.com/',
      'redis://:secret@prod1-cache:6379/0',
      'mongodb://u:p@a.dev.internal,b.PROD.internal:27017/db',
      'amqps://user:pw@rabbit.production.corp',
      'DATABASE_URL=jdbc:postgresql://prd-db.corp:5432/app',
      'line one\nAPI=https://eu-prod.api.example.com/v1\nline three',
    ],
    notLive: [
      'https://product.example.com',
      'https://reproduce.example.com',
      'postgres://u:p@db.dev.internal:5432/x',
      'https://staging.example.com/prod',
      'https://example.com/?env=prod',
      'https://example.com/#prod',
      'postgres://u:prod@db.dev.internal/x',
      '//prod.example.com',
      'https://[fd00::1]:5432/prod',
      'prod.example.com',
      '://prod.example.com',
    ],
  },
};

describe('live credential formats', () => {
  test('every format in live-credentials.ts has examples in this file', () => {
    const rules = new Set(LIVE_CREDENTIAL_FORMATS.map((format) => format.rule));
    assert.deepEqual([...rules].sort(), Object.keys(EXAMPLES).sort());
  });

  for (const [rule, { live, notLive }] of Object.entries(EXAMPLES)) {
    for (const value of live) {
      test(`${rule} is found in ${JSON.stringify(value.slice(0, 60))}`, () => {
        const match = findLiveCredential(bytes(value));
        assert.equal(match?.rule, rule);
      });
    }
    for (const value of notLive) {
      test(`${rule}: the test or sandbox form ${JSON.stringify(value.slice(0, 60))} is not a live credential`, () => {
        assert.equal(findLiveCredential(bytes(value)), undefined);
      });
    }
  }

  test('ordinary development values are not live credentials', () => {
    for (const value of [
      'hunter2',
      'postgres://dev:dev@localhost:5432/app',
      'https://api.example.com',
      'live',
      'prod',
    ]) {
      assert.equal(findLiveCredential(bytes(value)), undefined, value);
    }
  });
});

describe('live credential matches reveal nothing', () => {
  test('a match holds only the rule, a description and advice, never the value', () => {
    const match = findLiveCredential(bytes(`sk_live_4eC39HqLyjWDarjtT1zdp7dc${CANARY}`));
    assert.ok(match !== undefined);
    assert.deepEqual(Object.keys(match).sort(), ['advice', 'description', 'rule']);
    const text = JSON.stringify(match);
    assert.ok(!text.includes(CANARY));
    assert.ok(!text.includes('4eC39Hq'));
  });

  test('no format description or advice can contain a value (they are fixed text)', () => {
    for (const format of LIVE_CREDENTIAL_FORMATS) {
      assert.ok(format.description.length > 0 && format.advice.length > 0);
    }
  });
});

describe('live credential scanning works on bytes', () => {
  test('scanning never decodes the value into a string', () => {
    const patched: Array<[object, string, unknown]> = [];
    const calls: string[] = [];
    const spy = (target: object, name: string): void => {
      const original = (target as Record<string, unknown>)[name];
      if (typeof original !== 'function') return;
      patched.push([target, name, original]);
      (target as Record<string, unknown>)[name] = function (this: unknown, ...args: unknown[]): unknown {
        calls.push(name);
        return (original as (...a: unknown[]) => unknown).apply(this, args);
      };
    };
    for (const name of [
      'toString',
      'toJSON',
      'utf8Slice',
      'latin1Slice',
      'asciiSlice',
      'ucs2Slice',
      'hexSlice',
      'base64Slice',
    ]) {
      spy(Buffer.prototype as object, name);
    }
    spy(Uint8Array.prototype, 'toString');
    spy(TextDecoder.prototype, 'decode');
    try {
      const value = bytes(
        `x=https://connect.squareup.com ${'a'.repeat(10_000)} postgres://u:p@db.prod.internal/x`,
      );
      findLiveCredential(value);
      findLiveCredential(bytes(`sk_live_4eC39HqLyjWDarjtT1zdp7dc`));
      findLiveCredential(bytes(`nothing to see ${'b'.repeat(10_000)}`));
    } finally {
      for (const [target, name, original] of patched) (target as Record<string, unknown>)[name] = original;
    }
    assert.deepEqual(calls, []);
  });

  test('scanning does not change the value', () => {
    const value = bytes(`sk_live_4eC39HqLyjWDarjtT1zdp7dc ${CANARY} https://api-prod.example.com`);
    const before = Buffer.from(value);
    findLiveCredential(value);
    assert.deepEqual(Buffer.from(value), before);
  });

  test('only the bytes of the view are scanned, not the rest of its buffer', () => {
    const whole = bytes(`sk_live_4eC39HqLyjWDarjtT1zdp7dc|harmless|sk_live_4eC39HqLyjWDarjtT1zdp7dc`);
    const view = whole.subarray(33, 41);
    assert.equal(Buffer.from(view).toString('latin1'), 'harmless');
    assert.equal(findLiveCredential(view), undefined);
  });

  test('a key cut at the end of the view is judged on the bytes in the view', () => {
    const whole = bytes('sk_live_4eC39HqLyjWDarjtT1zdp7dc');
    assert.equal(findLiveCredential(whole.subarray(0, 12)), undefined);
    assert.equal(findLiveCredential(whole.subarray(0, 18))?.rule, 'stripe-live-secret-key');
  });

  test('an empty value has no live credential', () => {
    assert.equal(findLiveCredential(new Uint8Array(0)), undefined);
  });

  test('invalid UTF-8 around a live key does not hide it', () => {
    const value = Buffer.concat([
      Buffer.from([0xff, 0xfe, 0xc0, 0x80, 0xed, 0xa0, 0x80, 0x0a]),
      Buffer.from('sk_live_4eC39HqLyjWDarjtT1zdp7dc'),
      Buffer.from([0xf8, 0x88, 0x80, 0x80, 0x80]),
    ]);
    assert.equal(findLiveCredential(value)?.rule, 'stripe-live-secret-key');
  });

  test('random bytes are scanned without error', () => {
    const value = new Uint8Array(1 << 16);
    let state = 0x9f3e;
    for (let i = 0; i < value.length; i++) {
      state = (state * 1103515245 + 12345) >>> 0;
      value[i] = state >>> 24;
    }
    assert.doesNotThrow(() => findLiveCredential(value));
  });

  test('a 1 MB value is scanned in well under a second, with or without a credential', () => {
    const plain = Buffer.alloc(1 << 20, 'a');
    let started = Date.now();
    assert.equal(findLiveCredential(plain), undefined);
    assert.ok(Date.now() - started < 2000);

    const withKey = Buffer.alloc(1 << 20, 'A');
    withKey.write('\nsk_live_4eC39HqLyjWDarjtT1zdp7dc\n', withKey.length - 40, 'latin1');
    started = Date.now();
    assert.equal(findLiveCredential(withKey)?.rule, 'stripe-live-secret-key');
    assert.ok(Date.now() - started < 2000);

    const withUrl = Buffer.alloc(1 << 20, '/');
    withUrl.write('postgres://u:p@db.prod.internal/x', 512 * 1024, 'latin1');
    assert.equal(findLiveCredential(withUrl)?.rule, 'url-production-host');
  });

  test('many URL separators do not make the scan slow', () => {
    const started = Date.now();
    assert.equal(findLiveCredential(Buffer.from('a://'.repeat(250_000))), undefined);
    assert.equal(findLiveCredential(Buffer.from('a://@,,:'.repeat(125_000))), undefined);
    assert.ok(Date.now() - started < 2000);
  });

  test('a value that is not bytes is a programming error, never a silent pass', () => {
    assert.throws(
      () => findLiveCredential('sk_live_4eC39HqLyjWDarjtT1zdp7dc' as unknown as Uint8Array),
      (error: unknown) => isLatchkeyError(error, 'INTERNAL') && !error.message.includes('4eC39Hq'),
    );
  });
});
