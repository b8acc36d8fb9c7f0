/**
 * Environment names and name segments: what is development or staging, what is production, and
 * what is merely unknown. Every refusal must be explicit and carry its rule.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { isLatchkeyError, LatchkeyError } from '../../main/core/errors';
import {
  canonicalEnvironment,
  classifyEnvironment,
  classifyNameSegment,
  environmentAliases,
  ScopeRefusal,
  validateEnvironmentAlias,
  type Environment,
  type ScopeVerdict,
} from '../../main/core/scope';

/** Shows a test input with its invisible and look-alike characters visible. */
function show(text: string): string {
  const shown = text.length > 40 ? `${text.slice(0, 40)}…(${text.length} chars)` : text;
  return JSON.stringify(shown).replace(/[^\x20-\x7e]/g, (c) => `\\u{${c.codePointAt(0)!.toString(16)}}`);
}

function expectRefused(verdict: ScopeVerdict, code: string, rule: string): void {
  assert.equal(verdict.ok, false, 'expected a refusal');
  if (verdict.ok) return;
  assert.equal(verdict.code, code);
  assert.equal(verdict.rule, rule);
  assert.ok(verdict.reason.includes(`(rule ${rule})`), `reason names its rule: ${verdict.reason}`);
}

/** [input, what it is]. Every one must be refused as production, never as merely unknown. */
const PRODUCTION_SPELLINGS: readonly (readonly [string, string])[] = [
  ['prod', 'the short word'],
  ['production', 'the long word'],
  ['prd', 'the abbreviation'],
  ['live', 'live'],
  ['PROD', 'upper case'],
  ['Prod', 'title case'],
  ['pRoD', 'mixed case'],
  ['LIVE', 'live in upper case'],
  [' Prod ', 'spaces around'],
  ['\tprod\t', 'tabs around'],
  ['\r\nprod\r\n', 'line breaks around'],
  ['\u00a0prod\u00a0', 'no-break spaces around'],
  ['\u3000prod', 'an ideographic space before'],
  ['prod-eu', 'a hyphenated suffix'],
  ['eu-prod', 'a hyphenated prefix'],
  ['prod_us', 'an underscored suffix'],
  ['us_prod', 'an underscored prefix'],
  ['prod.eu', 'a dotted suffix'],
  ['prod:eu', 'a colon suffix'],
  ['prod/eu', 'a slash suffix'],
  ['prod eu', 'a spaced suffix'],
  ['prodEU', 'a camelCase suffix'],
  ['euProd', 'a camelCase prefix'],
  ['PRODeu', 'an upper-case word with a glued suffix'],
  ['euPROD', 'an upper-case word with a glued prefix'],
  ['xxPRODyy', 'an upper-case word inside lower case'],
  ['prodeu', 'a glued suffix'],
  ['euprod', 'a glued prefix'],
  ['production_us', 'production with a suffix'],
  ['us-production', 'production with a prefix'],
  ['prod1', 'a number'],
  ['prod01', 'a zero-padded number'],
  ['production2', 'production with a number'],
  ['prd3', 'the abbreviation with a number'],
  ['eu-prod-1', 'prefix and number'],
  ['live-eu', 'live with a suffix'],
  ['staging-prod', 'a staging prefix'],
  ['dev-prod', 'a development prefix'],
  ['prod-dev', 'a development suffix'],
  ['preprod', 'pre-production'],
  ['nonprod', 'non-production'],
  ['pr0d', 'a zero for the o'],
  ['PR0D', 'a zero in upper case'],
  ['pr0duct10n', 'leet production'],
  ['l1ve', 'a one for the i'],
  ['1ive', 'a one for the l'],
  ['l!ve', 'an exclamation mark for the i'],
  ['|ive', 'a bar for the l'],
  ['p r o d', 'spaced-out letters'],
  ['p-r-o-d', 'hyphenated letters'],
  ['\u0440rod', 'Cyrillic er for p'],
  ['\u0440r\u043ed', 'Cyrillic er and o'],
  ['PR\u041eD', 'Cyrillic capital O'],
  ['\u0420ROD', 'Cyrillic capital Er'],
  ['PRODUC\u0422ION', 'Cyrillic capital Te'],
  ['pr\u03bfd', 'Greek omicron'],
  ['\u03c1rod', 'Greek rho'],
  ['PR\u039fD', 'Greek capital omicron'],
  ['l\u0456ve', 'Cyrillic i'],
  ['li\u0475e', 'Cyrillic izhitsa for v'],
  ['pr\u0585d', 'Armenian oh'],
  ['\uff50\uff52\uff4f\uff44', 'fullwidth letters'],
  ['\uff30\uff32\uff2f\uff24', 'fullwidth capitals'],
  ['\ud835\udc29\ud835\udc2b\ud835\udc28\ud835\udc1d', 'mathematical bold'],
  ['\ud835\udcc5\ud835\udcc7\u2134\ud835\udcb9', 'mathematical script'],
  ['\ud835\ude99\ud835\ude9b\ud835\ude98\ud835\ude8d', 'mathematical monospace'],
  ['\u2119\u211d\ud835\udd46\ud835\udd3b', 'double-struck capitals'],
  ['\u24df\u24e1\u24de\u24d3', 'circled letters'],
  ['\u1d56\u02b3\u1d52\u1d48', 'superscript letters'],
  ['\u1d18\u0280\u1d0f\u1d05', 'small capitals'],
  ['\ua4d1\ua4e3\ua4f3\ua4d3', 'Lisu letters'],
  ['\u13e2\u13d2O\u13a0', 'Cherokee letters'],
  ['p\u200brod', 'a zero-width space inside'],
  ['p\u200crod', 'a zero-width non-joiner inside'],
  ['p\u200drod', 'a zero-width joiner inside'],
  ['pr\u2060od', 'a word joiner inside'],
  ['\ufeffprod', 'a byte-order mark before'],
  ['pr\u00adod', 'a soft hyphen inside'],
  ['p\u202erod', 'a bidi override inside'],
  ['prod\ufe0f', 'a variation selector after'],
  ['pr\u034fod', 'a combining grapheme joiner inside'],
  ['pr\u0000od', 'a NUL inside'],
  ['p\u0301rod', 'a combining acute accent'],
  ['pro\u0308d', 'a combining diaeresis'],
  ['p\u0332r\u0332o\u0332d\u0332', 'combining low lines'],
  ['pr\u00f3d', 'a precomposed accented o'],
];

describe('environment names: production is refused', () => {
  for (const [name, what] of PRODUCTION_SPELLINGS) {
    test(`every production spelling is refused with PRODUCTION_REFUSED: ${what} ${show(name)}`, () => {
      expectRefused(classifyEnvironment(name), 'PRODUCTION_REFUSED', 'environment-name-production');
    });
  }

  test('a production refusal says what to do and shows look-alike letters escaped', () => {
    const verdict = classifyEnvironment('\u0440rod');
    assert.equal(verdict.ok, false);
    if (verdict.ok) return;
    assert.match(verdict.reason, /use a development or staging environment/);
    assert.ok(verdict.reason.includes('\\u{440}rod'), verdict.reason);
  });
});

describe('environment names: only exact development and staging names are positive', () => {
  const POSITIVE: readonly (readonly [string, Environment])[] = [
    ['development', 'development'],
    ['dev', 'development'],
    ['develop', 'development'],
    ['local', 'development'],
    ['staging', 'staging'],
    ['stg', 'staging'],
    ['stage', 'staging'],
    ['DEV', 'development'],
    ['Development', 'development'],
    ['LOCAL', 'development'],
    ['Develop', 'development'],
    ['STAGING', 'staging'],
    ['Stg', 'staging'],
    ['sTaGe', 'staging'],
    [' dev ', 'development'],
    ['\tstaging\n', 'staging'],
    ['\r\nstg\f', 'staging'],
  ];
  for (const [name, environment] of POSITIVE) {
    test(`the alias ${show(name)} classifies as ${environment}`, () => {
      assert.deepEqual(classifyEnvironment(name), { ok: true, environment });
    });
  }

  const UNKNOWN: readonly (readonly [string, string])[] = [
    ['qa', 'another environment'],
    ['test', 'test'],
    ['uat', 'acceptance'],
    ['sandbox', 'an alias nobody configured'],
    ['dev-eu', 'dev with a suffix'],
    ['dev1', 'dev with a number'],
    ['staging-eu', 'staging with a suffix'],
    ['development2', 'development with a number'],
    ['devel', 'a near miss'],
    ['dev staging', 'two names'],
    ['d e v', 'spaced-out dev'],
    ['DEV!', 'dev with punctuation'],
    ['d\u0435v', 'dev with a Cyrillic ie'],
    ['\u0455taging', 'staging with a Cyrillic dze'],
    ['stag\u0131ng', 'staging with a dotless i'],
    ['STAG\u0130NG', 'staging with a dotted capital I'],
    ['\uff44\uff45\uff56', 'fullwidth dev'],
    ['\ud835\udc1d\ud835\udc1e\ud835\udc2f', 'mathematical bold dev'],
    ['dev\u200b', 'dev with a zero-width space'],
    ['de\u0301v', 'dev with a combining accent'],
    ['dev\u00a0', 'dev with a no-break space'],
    ['\u00a0dev', 'dev after a no-break space'],
    ['\u000bdev', 'dev after a vertical tab'],
    ['dev\u0000', 'dev with a NUL'],
    ['', 'the empty name'],
    ['   ', 'only spaces'],
    ['\t\n', 'only whitespace'],
    ['x'.repeat(33), 'a long letter run'],
    ['delivery', 'a word with live in the middle'],
  ];
  for (const [name, what] of UNKNOWN) {
    test(`a name that is not positively development or staging is UNKNOWN_ENVIRONMENT: ${what} ${show(name)}`, () => {
      expectRefused(classifyEnvironment(name), 'UNKNOWN_ENVIRONMENT', 'environment-name-unknown');
    });
  }

  test('a name that is not a string is refused as unknown', () => {
    for (const value of [undefined, null, 42, {}, ['dev']]) {
      expectRefused(classifyEnvironment(value as string), 'UNKNOWN_ENVIRONMENT', 'environment-name-unknown');
    }
  });

  test('lower-casing cannot turn a non-ASCII letter into a positive name (KELVIN SIGN)', () => {
    const map = environmentAliases({ kit: 'development' });
    expectRefused(classifyEnvironment('\u212Ait', map), 'UNKNOWN_ENVIRONMENT', 'environment-name-unknown');
    assert.deepEqual(classifyEnvironment('KIT', map), { ok: true, environment: 'development' });
  });

  test('an unknown name is refused with advice to use an alias or a known name', () => {
    const verdict = classifyEnvironment('qa');
    assert.equal(verdict.ok, false);
    if (verdict.ok) return;
    assert.match(verdict.reason, /neither development nor staging/);
    assert.match(verdict.reason, /use development \(dev, develop, local\) or staging \(stg, stage\)/);
  });

  test('an unknown non-ASCII name is told that names use ASCII letters only', () => {
    const verdict = classifyEnvironment('d\u0435v');
    assert.equal(verdict.ok, false);
    if (verdict.ok) return;
    assert.match(verdict.reason, /ASCII letters only/);
    assert.ok(verdict.reason.includes('d\\u{435}v'));
  });
});

describe('canonicalEnvironment', () => {
  test('returns the canonical environment for an alias', () => {
    assert.equal(canonicalEnvironment(' STG '), 'staging');
    assert.equal(canonicalEnvironment('local'), 'development');
  });

  test('throws a ScopeRefusal that is a LatchkeyError with PRODUCTION_REFUSED and the rule', () => {
    assert.throws(
      () => canonicalEnvironment('prod-eu'),
      (error: unknown) => {
        assert.ok(error instanceof ScopeRefusal);
        assert.ok(error instanceof LatchkeyError);
        assert.ok(isLatchkeyError(error, 'PRODUCTION_REFUSED'));
        assert.equal(error.rule, 'environment-name-production');
        assert.equal(error.exitCode, 1);
        assert.equal(error.message, (classifyEnvironment('prod-eu') as { reason: string }).reason);
        assert.ok(String(error).startsWith('PRODUCTION_REFUSED: '));
        return true;
      },
    );
  });

  test('throws UNKNOWN_ENVIRONMENT for a name that is neither', () => {
    assert.throws(
      () => canonicalEnvironment('qa'),
      (error: unknown) =>
        error instanceof ScopeRefusal &&
        error.code === 'UNKNOWN_ENVIRONMENT' &&
        error.rule === 'environment-name-unknown',
    );
  });
});

describe('team aliases', () => {
  test('a validated alias classifies as its environment, case-insensitively', () => {
    const map = environmentAliases({ sandbox: 'development', Preview: 'staging' });
    assert.deepEqual(classifyEnvironment('Sandbox', map), { ok: true, environment: 'development' });
    assert.deepEqual(classifyEnvironment(' preview ', map), { ok: true, environment: 'staging' });
    assert.equal(canonicalEnvironment('SANDBOX', map), 'development');
  });

  test('an alias is unknown when the map that defines it is not passed', () => {
    expectRefused(classifyEnvironment('sandbox'), 'UNKNOWN_ENVIRONMENT', 'environment-name-unknown');
  });

  test('validateEnvironmentAlias returns the lower-case alias', () => {
    assert.equal(validateEnvironmentAlias(' SandBox ', 'development'), 'sandbox');
    assert.equal(validateEnvironmentAlias('dev', 'development'), 'dev');
  });

  const PRODUCTION_ALIASES = [
    'prodlike',
    'prod-like',
    'preprod',
    'live',
    'LiveTest',
    'euProd',
    'pr0d',
    '\u0440rod',
    'prd',
  ];
  for (const alias of PRODUCTION_ALIASES) {
    test(`an alias that looks like production is refused with PRODUCTION_REFUSED: ${show(alias)}`, () => {
      assert.throws(
        () => validateEnvironmentAlias(alias, 'development'),
        (error: unknown) =>
          error instanceof ScopeRefusal &&
          error.code === 'PRODUCTION_REFUSED' &&
          error.rule === 'environment-alias-production',
      );
    });
  }

  test('an alias pointing at production is refused with PRODUCTION_REFUSED', () => {
    assert.throws(
      () => validateEnvironmentAlias('qa', 'production'),
      (error: unknown) => error instanceof ScopeRefusal && error.rule === 'environment-alias-production',
    );
  });

  const INVALID_ALIASES: readonly (readonly [string, string, string])[] = [
    ['qa-1', 'development', 'has a digit and a hyphen'],
    ['sand box', 'development', 'has a space'],
    ['\u0455andbox', 'development', 'has a Cyrillic letter'],
    ['', 'development', 'is empty'],
    ['a'.repeat(33), 'development', 'is too long'],
    ['qa', 'test', 'points at an unknown environment'],
    ['qa', 'Development', 'points at a non-canonical spelling'],
  ];
  for (const [alias, target, what] of INVALID_ALIASES) {
    test(`an alias that ${what} is refused with UNKNOWN_ENVIRONMENT`, () => {
      assert.throws(
        () => validateEnvironmentAlias(alias, target),
        (error: unknown) =>
          error instanceof ScopeRefusal &&
          error.code === 'UNKNOWN_ENVIRONMENT' &&
          error.rule === 'environment-alias-invalid',
      );
    });
  }

  test('an alias cannot redefine a built-in name as the other environment', () => {
    assert.throws(
      () => validateEnvironmentAlias('dev', 'staging'),
      (error: unknown) => error instanceof ScopeRefusal && error.rule === 'environment-alias-conflict',
    );
  });

  test('environmentAliases refuses the whole configuration when one entry is bad', () => {
    assert.throws(
      () =>
        environmentAliases([
          ['sandbox', 'development'],
          ['prodcopy', 'staging'],
        ]),
      (error: unknown) => error instanceof ScopeRefusal && error.code === 'PRODUCTION_REFUSED',
    );
  });

  test('a hand-built map cannot smuggle in a production alias', () => {
    const map = new Map<string, Environment>([['prodcopy', 'development']]);
    expectRefused(classifyEnvironment('prodcopy', map), 'PRODUCTION_REFUSED', 'environment-name-production');
  });

  test('a hand-built map cannot point an alias at production', () => {
    const map = new Map([['qa', 'production']]) as unknown as ReadonlyMap<string, Environment>;
    expectRefused(classifyEnvironment('qa', map), 'PRODUCTION_REFUSED', 'environment-alias-production');
  });

  test('a hand-built map with untidy keys still matches and is still validated', () => {
    const map = new Map<string, Environment>([[' QA ', 'staging']]);
    assert.deepEqual(classifyEnvironment('qa', map), { ok: true, environment: 'staging' });
  });

  test('a hand-built map cannot redefine a built-in name', () => {
    const map = new Map<string, Environment>([['dev', 'staging']]);
    assert.deepEqual(classifyEnvironment('dev', map), { ok: true, environment: 'development' });
  });

  test('a look-alike of an alias is not the alias', () => {
    const map = environmentAliases({ sandbox: 'development' });
    expectRefused(
      classifyEnvironment('s\u0430ndbox', map),
      'UNKNOWN_ENVIRONMENT',
      'environment-name-unknown',
    );
  });
});

describe('environment names: hostile input', () => {
  test('a one-million-character name is refused quickly with a short message', () => {
    for (const name of [
      'x'.repeat(1_000_000),
      'aB'.repeat(500_000),
      '\u200b'.repeat(1_000_000),
      ' '.repeat(1_000_000),
    ]) {
      const started = Date.now();
      const verdict = classifyEnvironment(name);
      assert.ok(Date.now() - started < 3000, 'classified in under 3 s');
      assert.equal(verdict.ok, false);
      if (verdict.ok) return;
      assert.ok(verdict.reason.length < 1200, `short reason (${verdict.reason.length})`);
    }
  });

  test('a long production name is still refused as production', () => {
    expectRefused(
      classifyEnvironment(`prod${'1'.repeat(1_000_000)}`),
      'PRODUCTION_REFUSED',
      'environment-name-production',
    );
    expectRefused(
      classifyEnvironment(`${'x-'.repeat(100_000)}prod`),
      'PRODUCTION_REFUSED',
      'environment-name-production',
    );
  });

  test('no refusal lets control characters reach the terminal', () => {
    for (const name of ['q\u001b[31ma', 'pr\u001b]0;x\u0007od', 'qa\r\nforged line', 'x\u009b2J']) {
      const verdict = classifyEnvironment(name);
      assert.equal(verdict.ok, false);
      if (verdict.ok) return;
      assert.doesNotMatch(verdict.reason, /[\u0000-\u001f\u007f-\u009f]/);
    }
  });

  test('lone surrogates are refused, not thrown', () => {
    expectRefused(classifyEnvironment('dev\ud800'), 'UNKNOWN_ENVIRONMENT', 'environment-name-unknown');
    expectRefused(classifyEnvironment('\udc00prod'), 'PRODUCTION_REFUSED', 'environment-name-production');
  });
});

describe('name segments', () => {
  const REFUSED: readonly string[] = [
    'prod',
    'PROD',
    'Prod',
    'production',
    'PRODUCTION_KEY',
    'prd',
    'PRD-1',
    'prod-db',
    'db-prod',
    'prod_db',
    'prod.db',
    'prod:db',
    'prod db',
    'prodDb',
    'dbProd',
    'getProdKey',
    'PRODDb',
    'prod1',
    'prod01',
    'v2prod',
    'v2ProdEu',
    'production2',
    'stripe-prd',
    'pr0d',
    'pr0duct10n',
    'payments/prod/stripe',
    'teams/payments/production/stripe',
    '\u0440rod-db',
    'pr\u03bfd',
    '\uff50\uff52\uff4f\uff44',
    'p\u200brod',
    'p\u0301rod',
  ];
  for (const segment of REFUSED) {
    test(`a name with a production token is refused: ${show(segment)}`, () => {
      const verdict = classifyNameSegment(segment);
      assert.equal(verdict.ok, false);
      if (verdict.ok) return;
      assert.equal(verdict.code, 'PRODUCTION_REFUSED');
      assert.equal(verdict.rule, 'name-production-word');
      assert.ok(verdict.reason.includes('(rule name-production-word)'));
    });
  }

  const ALLOWED: readonly string[] = [
    'product-catalog',
    'products',
    'reproduce',
    'reproduction',
    'live-chat',
    'live',
    'liveness',
    'prodigy',
    'prods',
    'PRODUCT_ID',
    'productName',
    'preprod',
    'payments',
    'stripe',
    'secret_key',
    'development',
    'staging',
    'periodic-job',
    'api.v2',
    '',
  ];
  for (const segment of ALLOWED) {
    test(`a name without a production token is allowed: ${show(segment)}`, () => {
      assert.deepEqual(classifyNameSegment(segment), { ok: true });
    });
  }

  test('a name segment that is not text is refused, not passed', () => {
    for (const value of [undefined, null, 7, ['prod']]) {
      const verdict = classifyNameSegment(value as unknown as string);
      assert.equal(verdict.ok, false);
      if (verdict.ok) continue;
      assert.equal(verdict.code, 'UNKNOWN_ENVIRONMENT');
      assert.equal(verdict.rule, 'name-not-text');
    }
  });

  test('a name refusal names the production word and says what to do', () => {
    const verdict = classifyNameSegment('stripe-PROD');
    assert.equal(verdict.ok, false);
    if (verdict.ok) return;
    assert.ok(verdict.reason.includes('"stripe-PROD"'));
    assert.ok(verdict.reason.includes('production word "prod"'));
    assert.match(verdict.reason, /rename it/);
  });

  test('a one-million-character name segment is classified quickly', () => {
    const started = Date.now();
    assert.deepEqual(classifyNameSegment('ab-'.repeat(333_333)), { ok: true });
    assert.equal(classifyNameSegment(`${'ab-'.repeat(333_333)}prod`).ok, false);
    assert.ok(Date.now() - started < 3000);
  });
});
