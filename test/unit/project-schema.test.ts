/**
 * latchkey.yml parsing: a valid file becomes a ProjectSchema; every problem is refused with a
 * stable code and a message naming the exact line; production never gets in; hostile YAML is
 * refused quickly and cleanly.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';

import { LatchkeyError, type ErrorCode } from '../../main/core/errors';
import {
  DEFAULT_ROTATE_EVERY_MS,
  MAX_SCHEMA_BYTES,
  MAX_VARIABLES,
  parseSchema,
  type ProjectSchema,
} from '../../main/core/project';
import { ScopeRefusal } from '../../main/core/scope';

/** A file from lines, so a test can count them: lines(a, b)[line 2] is b. */
function lines(...text: string[]): string {
  return `${text.join('\n')}\n`;
}

function parse(text: string): ProjectSchema {
  return parseSchema(text, 'latchkey.yml');
}

function errorOf(fn: () => unknown): LatchkeyError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof LatchkeyError, `expected a LatchkeyError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected an error');
}

/** Asserts the schema is refused with `code` and a message starting `latchkey.yml:<line>: `. */
function refused(
  text: string,
  code: ErrorCode,
  line: number | undefined,
  fragment?: string | RegExp,
): LatchkeyError {
  const error = errorOf(() => parse(text));
  assert.equal(error.code, code, error.message);
  const where = line === undefined ? 'latchkey.yml: ' : `latchkey.yml:${line}: `;
  assert.ok(error.message.startsWith(where), `expected '${where}…', got: ${error.message}`);
  if (typeof fragment === 'string') assert.ok(error.message.includes(fragment), error.message);
  else if (fragment !== undefined) assert.match(error.message, fragment);
  assert.ok(!error.message.includes('\n'), 'the message is one line');
  return error;
}

const EXAMPLE = lines(
  'project: payments',
  'default_env: development          # default environment for run / shell hook',
  'allow_loader_vars: [NODE_OPTIONS] # optional: loader-changing names this repo explicitly allows',
  'variables:',
  '  STRIPE_SECRET_KEY:',
  '    ref: lk://payments/{env}/stripe/secret_key   # template; {env} and {project} substituted',
  '    description: Stripe test-mode key for the test suite',
  '    environments: [development, staging]        # where it is required (default: both)',
  '    owner: payments-team@example.com            # who to ask for access',
  '    rotate_every: 90d                           # rotation policy (default 90d)',
  '  DATABASE_URL: { ref: "lk://payments/{env}/db/url", owner: "#payments-oncall" }',
);

describe('a valid latchkey.yml', () => {
  test('the documented example parses into project, default environment, variables in file order and defaults', () => {
    const schema = parse(EXAMPLE);
    assert.deepEqual(schema, {
      path: 'latchkey.yml',
      project: 'payments',
      defaultEnvironment: 'development',
      allowLoaderVars: ['NODE_OPTIONS'],
      variables: [
        {
          name: 'STRIPE_SECRET_KEY',
          refTemplate: 'lk://payments/{env}/stripe/secret_key',
          description: 'Stripe test-mode key for the test suite',
          environments: ['development', 'staging'],
          owner: 'payments-team@example.com',
          rotateEveryMs: 90 * 86_400_000,
          line: 5,
        },
        {
          name: 'DATABASE_URL',
          refTemplate: 'lk://payments/{env}/db/url',
          environments: ['development', 'staging'],
          owner: '#payments-oncall',
          rotateEveryMs: DEFAULT_ROTATE_EVERY_MS,
          line: 11,
        },
      ],
      hash: createHash('sha256').update(EXAMPLE).digest('hex'),
    });
  });

  test('default_env defaults to development, environments to both, rotate_every to 90 days', () => {
    const schema = parse(
      lines('project: payments', 'variables:', '  API_KEY:', '    ref: lk://payments/{env}/api/key'),
    );
    assert.equal(schema.defaultEnvironment, 'development');
    assert.deepEqual(schema.variables[0]?.environments, ['development', 'staging']);
    assert.equal(schema.variables[0]?.rotateEveryMs, 90 * 24 * 3600 * 1000);
    assert.deepEqual(schema.allowLoaderVars, []);
  });

  test('environment aliases (dev, stg, Stage) are canonicalised', () => {
    const schema = parse(
      lines(
        'project: payments',
        'default_env: stg',
        'variables:',
        '  A: { ref: "lk://payments/{env}/a/b", environments: [Stage] }',
        '  B: { ref: "lk://payments/{env}/a/c", environments: [dev, STG] }',
      ),
    );
    assert.equal(schema.defaultEnvironment, 'staging');
    assert.deepEqual(schema.variables[0]?.environments, ['staging']);
    assert.deepEqual(schema.variables[1]?.environments, ['development', 'staging']);
  });

  test("a ref may name another project's secrets and use {project}", () => {
    const schema = parse(
      lines(
        'project: payments',
        'variables:',
        '  SHARED_TOKEN: { ref: "lk://platform/{env}/github/token" }',
        '  OWN: { ref: "lk://{project}/{env}/own/key" }',
      ),
    );
    assert.deepEqual(
      schema.variables.map((v) => v.refTemplate),
      ['lk://platform/{env}/github/token', 'lk://{project}/{env}/own/key'],
    );
  });

  test('a ref may fix its environment segment to development or staging (any alias)', () => {
    const schema = parse(
      lines(
        'project: payments',
        'variables:',
        '  SHARED_DB: { ref: "lk://payments/staging/db/url" }',
        '  LOCAL_DB: { ref: "lk://payments/dev/db/url" }',
      ),
    );
    assert.equal(schema.variables.length, 2);
  });

  test('variables: {} is an empty but valid schema', () => {
    assert.deepEqual(parse(lines('project: payments', 'variables: {}')).variables, []);
  });

  test('anchors and aliases used plainly (a shared environments list) are accepted', () => {
    const schema = parse(
      lines(
        'project: payments',
        'variables:',
        '  A:',
        '    ref: lk://payments/{env}/a/b',
        '    environments: &staging_only [staging]',
        '  B:',
        '    ref: lk://payments/{env}/a/c',
        '    environments: *staging_only',
      ),
    );
    assert.deepEqual(schema.variables[1]?.environments, ['staging']);
  });

  test('a UTF-8 byte-order mark, CRLF line ends, comments and non-ASCII descriptions are fine', () => {
    const schema = parse(
      '\ufeffproject: payments\r\n# Zahlungen — clés\r\nvariables:\r\n  A:\r\n    ref: lk://payments/{env}/a/b\r\n    description: Schlüssel für café\r\n',
    );
    assert.equal(schema.variables[0]?.description, 'Schlüssel für café');
    assert.equal(schema.variables[0]?.line, 4);
  });

  test('a description may span lines', () => {
    const schema = parse(
      lines(
        'project: payments',
        'variables:',
        '  A:',
        '    ref: lk://payments/{env}/a/b',
        '    description: |',
        '      one',
        '      two',
      ),
    );
    assert.equal(schema.variables[0]?.description, 'one\ntwo\n');
  });

  test(`exactly ${MAX_VARIABLES} variables are accepted`, () => {
    const vars = Array.from(
      { length: MAX_VARIABLES },
      (_, i) => `  V${i}: { ref: "lk://payments/{env}/item${i}/key" }`,
    );
    assert.equal(parse(lines('project: payments', 'variables:', ...vars)).variables.length, MAX_VARIABLES);
  });
});

describe('the hash', () => {
  test('is the SHA-256 of the exact bytes and changes when one byte changes', () => {
    const a = parse(EXAMPLE).hash;
    const b = parse(EXAMPLE.replace('test suite', 'test suitf')).hash;
    const c = parse(`${EXAMPLE} `).hash;
    assert.match(a, /^[0-9a-f]{64}$/);
    assert.notEqual(a, b);
    assert.notEqual(a, c);
    assert.equal(parse(EXAMPLE).hash, a, 'the same bytes give the same hash');
  });

  test('changes with a comment, because what was reviewed is the whole file', () => {
    assert.notEqual(parse(`${EXAMPLE}# x\n`).hash, parse(EXAMPLE).hash);
  });
});

describe('errors name the line', () => {
  const cases: readonly (readonly [string, string, ErrorCode, number | undefined, string?])[] = [
    [
      'a YAML syntax error',
      lines('project: payments', 'variables:', '  A:', '    ref: lk://payments/{env}/a/b', '   owner: me'),
      'SCHEMA_INVALID',
      5,
      'YAML syntax error: All mapping items must start at the same column',
    ],
    [
      'a duplicate top-level key, naming the first',
      lines('project: payments', 'variables: {}', 'project: billing'),
      'SCHEMA_INVALID',
      3,
      "duplicate key 'project' in the top level (first on line 1)",
    ],
    [
      'a duplicate variable',
      lines(
        'project: payments',
        'variables:',
        '  A: { ref: "lk://payments/{env}/a/b" }',
        '  A: { ref: "lk://payments/{env}/a/c" }',
      ),
      'SCHEMA_INVALID',
      4,
      "duplicate key 'A' in variables (first on line 3)",
    ],
    [
      'a duplicate key inside a variable',
      lines(
        'project: payments',
        'variables:',
        '  A:',
        '    ref: lk://payments/{env}/a/b',
        '    ref: lk://payments/{env}/a/c',
      ),
      'SCHEMA_INVALID',
      5,
      "duplicate key 'ref' in variable A",
    ],
    [
      'an unknown top-level key, suggesting the right one',
      lines('project: payments', 'varibles: {}'),
      'SCHEMA_INVALID',
      2,
      "unknown key 'varibles' in the top level (did you mean 'variables'?)",
    ],
    [
      'an unknown variable key such as owmer, suggesting owner',
      lines(
        'project: payments',
        'variables:',
        '  A:',
        '    ref: lk://payments/{env}/a/b',
        '    owmer: me@example.com',
      ),
      'SCHEMA_INVALID',
      5,
      "unknown key 'owmer' in variable A (did you mean 'owner'?)",
    ],
    [
      'a number as project',
      lines('project: 42', 'variables: {}'),
      'SCHEMA_INVALID',
      1,
      'project must be text, not a number',
    ],
    [
      'an invalid project name',
      lines('project: pay ments', 'variables: {}'),
      'SCHEMA_INVALID',
      1,
      'not a valid name',
    ],
    ['a project path', lines('project: ../etc', 'variables: {}'), 'SCHEMA_INVALID', 1, 'not a valid name'],
    ['a missing project', lines('variables: {}'), 'SCHEMA_INVALID', undefined, "has no 'project:'"],
    ['missing variables', lines('project: payments'), 'SCHEMA_INVALID', undefined, "has no 'variables:'"],
    ['empty variables', lines('project: payments', 'variables:'), 'SCHEMA_INVALID', 2, 'variables is empty'],
    ['an empty file', '', 'SCHEMA_INVALID', undefined, 'is empty'],
    ['a comment-only file', lines('# nothing'), 'SCHEMA_INVALID', undefined, 'is empty'],
    ['a list at the top level', lines('- project: payments'), 'SCHEMA_INVALID', 1, 'must be a mapping'],
    [
      'variables as a list',
      lines('project: payments', 'variables:', '  - A'),
      'SCHEMA_INVALID',
      3,
      'variables must be a mapping',
    ],
    [
      'a variable written as a bare ref',
      lines('project: payments', 'variables:', '  A: lk://payments/{env}/a/b'),
      'SCHEMA_INVALID',
      3,
      'variable A must be a mapping',
    ],
    [
      'an empty variable',
      lines('project: payments', 'variables:', '  A:'),
      'SCHEMA_INVALID',
      3,
      'variable A is empty',
    ],
    [
      'a variable without ref',
      lines('project: payments', 'variables:', '  A:', '    owner: me@example.com'),
      'SCHEMA_INVALID',
      3,
      'variable A has no ref',
    ],
    [
      'a ref without lk://',
      lines('project: payments', 'variables:', '  A:', '    ref: payments/{env}/a/b'),
      'SCHEMA_INVALID',
      4,
      'must start with lk://',
    ],
    [
      'a ref with three parts',
      lines('project: payments', 'variables:', '  A:', '    ref: lk://payments/{env}/a'),
      'SCHEMA_INVALID',
      4,
      'must have four parts',
    ],
    [
      'a ref with an unknown placeholder',
      lines('project: payments', 'variables:', '  A:', '    ref: lk://payments/{environment}/a/b'),
      'SCHEMA_INVALID',
      4,
      "'{environment}' is not a placeholder",
    ],
    [
      'a ref with an unpaired brace',
      lines('project: payments', 'variables:', '  A:', '    ref: lk://payments/{env/a/b'),
      'SCHEMA_INVALID',
      4,
      'unpaired brace',
    ],
    [
      'a ref whose item is too long once {env} is filled in',
      lines(
        'project: payments',
        'variables:',
        '  A:',
        `    ref: lk://payments/{env}/${'x'.repeat(55)}{env}/b`,
      ),
      'SCHEMA_INVALID',
      4,
      'not a valid name',
    ],
    [
      'a ref that is a number',
      lines('project: payments', 'variables:', '  A:', '    ref: 12'),
      'SCHEMA_INVALID',
      4,
      'ref must be text, not a number',
    ],
    [
      'environments as a single name',
      lines(
        'project: payments',
        'variables:',
        '  A:',
        '    ref: lk://payments/{env}/a/b',
        '    environments: staging',
      ),
      'SCHEMA_INVALID',
      5,
      'environments must be a list',
    ],
    [
      'an empty environments list',
      lines(
        'project: payments',
        'variables:',
        '  A:',
        '    ref: lk://payments/{env}/a/b',
        '    environments: []',
      ),
      'SCHEMA_INVALID',
      5,
      'environments is empty',
    ],
    [
      'the same environment twice under two names',
      lines(
        'project: payments',
        'variables:',
        '  A:',
        '    ref: lk://payments/{env}/a/b',
        '    environments:',
        '      - development',
        '      - dev',
      ),
      'SCHEMA_INVALID',
      7,
      'environments lists development twice',
    ],
    [
      'an unknown environment',
      lines(
        'project: payments',
        'variables:',
        '  A:',
        '    ref: lk://payments/{env}/a/b',
        '    environments:',
        '      - staging',
        '      - qa',
      ),
      'UNKNOWN_ENVIRONMENT',
      7,
      'environments: The environment "qa" is neither development nor staging',
    ],
    [
      'an unknown default_env',
      lines('project: payments', 'default_env: sandbox', 'variables: {}'),
      'UNKNOWN_ENVIRONMENT',
      2,
    ],
    [
      'rotate_every as a bare number',
      lines(
        'project: payments',
        'variables:',
        '  A:',
        '    ref: lk://payments/{env}/a/b',
        '    rotate_every: 90',
      ),
      'SCHEMA_INVALID',
      5,
      'rotate_every must be a duration like 90d',
    ],
    [
      'rotate_every with an unknown unit',
      lines(
        'project: payments',
        'variables:',
        '  A:',
        '    ref: lk://payments/{env}/a/b',
        '    rotate_every: 3y',
      ),
      'SCHEMA_INVALID',
      5,
      "rotate_every: '3y' is not a duration",
    ],
    [
      'rotate_every of zero',
      lines(
        'project: payments',
        'variables:',
        '  A:',
        '    ref: lk://payments/{env}/a/b',
        '    rotate_every: 0d',
      ),
      'SCHEMA_INVALID',
      5,
      'is not a duration',
    ],
    [
      'rotate_every over ten years',
      lines(
        'project: payments',
        'variables:',
        '  A:',
        '    ref: lk://payments/{env}/a/b',
        '    rotate_every: 3651d',
      ),
      'SCHEMA_INVALID',
      5,
      'longer than 10 years',
    ],
    [
      'an empty description',
      lines(
        'project: payments',
        'variables:',
        '  A:',
        '    ref: lk://payments/{env}/a/b',
        '    description: ""',
      ),
      'SCHEMA_INVALID',
      5,
      'description is empty',
    ],
    [
      'a description that is true/false',
      lines(
        'project: payments',
        'variables:',
        '  A:',
        '    ref: lk://payments/{env}/a/b',
        '    description: true',
      ),
      'SCHEMA_INVALID',
      5,
      'put it in quotes',
    ],
    [
      'an overlong description',
      lines(
        'project: payments',
        'variables:',
        '  A:',
        '    ref: lk://payments/{env}/a/b',
        `    description: ${'x'.repeat(1001)}`,
      ),
      'SCHEMA_INVALID',
      5,
      'longer than 1000 characters',
    ],
    [
      'an owner on two lines',
      lines(
        'project: payments',
        'variables:',
        '  A:',
        '    ref: lk://payments/{env}/a/b',
        '    owner: "a\\nb"',
      ),
      'SCHEMA_INVALID',
      5,
      'owner must be one line',
    ],
    [
      'an owner that is a list',
      lines(
        'project: payments',
        'variables:',
        '  A:',
        '    ref: lk://payments/{env}/a/b',
        '    owner: [a, b]',
      ),
      'SCHEMA_INVALID',
      5,
      'owner must be text, not a list',
    ],
    [
      'a variable name with a dash',
      lines('project: payments', 'variables:', '  API-KEY:', '    ref: lk://payments/{env}/a/b'),
      'VARIABLE_REFUSED',
      3,
      'not a usable environment variable name',
    ],
    [
      'a variable name starting with a digit',
      lines('project: payments', 'variables:', '  1KEY:', '    ref: lk://payments/{env}/a/b'),
      'VARIABLE_REFUSED',
      3,
    ],
    [
      'a variable name longer than 128',
      lines('project: payments', 'variables:', `  ${'A'.repeat(129)}:`, '    ref: lk://payments/{env}/a/b'),
      'VARIABLE_REFUSED',
      3,
    ],
    [
      'a variable named like a number',
      lines('project: payments', 'variables:', '  12: { ref: "lk://payments/{env}/a/b" }'),
      'SCHEMA_INVALID',
      3,
      'keys are plain names',
    ],
    [
      'two variables that differ only in case',
      lines(
        'project: payments',
        'variables:',
        '  Api_Key: { ref: "lk://payments/{env}/a/b" }',
        '  API_KEY: { ref: "lk://payments/{env}/a/c" }',
      ),
      'SCHEMA_INVALID',
      4,
      'differs from Api_Key (line 3) only in case',
    ],
    [
      'allow_loader_vars as text',
      lines('project: payments', 'allow_loader_vars: NODE_OPTIONS', 'variables: {}'),
      'SCHEMA_INVALID',
      2,
      'allow_loader_vars must be a list',
    ],
    [
      'an allow_loader_vars entry listed twice',
      lines(
        'project: payments',
        'allow_loader_vars:',
        '  - NODE_OPTIONS',
        '  - NODE_OPTIONS',
        'variables: {}',
      ),
      'SCHEMA_INVALID',
      4,
      'lists NODE_OPTIONS twice',
    ],
    [
      'a second YAML document',
      lines('project: payments', 'variables: {}', '---', 'project: billing'),
      'SCHEMA_INVALID',
      3,
      'second YAML document',
    ],
    [
      'a %YAML directive',
      lines('%YAML 1.1', '---', 'project: payments', 'variables: {}'),
      'SCHEMA_INVALID',
      1,
      'directives',
    ],
    [
      'a key that is an alias',
      lines('project: &p payments', 'variables:', '  *p : { ref: "lk://payments/{env}/a/b" }'),
      'SCHEMA_INVALID',
      3,
      'is an alias',
    ],
    [
      'an alias with no anchor',
      lines(
        'project: payments',
        'variables:',
        '  A:',
        '    ref: lk://payments/{env}/a/b',
        '    environments: *nowhere',
      ),
      'SCHEMA_INVALID',
      5,
      'has no anchor',
    ],
    [
      'an alias inside the node it names',
      lines('project: payments', 'variables: &v', '  A: *v'),
      'SCHEMA_INVALID',
      3,
      'refers to a node that contains it',
    ],
    [
      'a merge key',
      lines('project: payments', 'variables:', '  A:', '    <<: { ref: "lk://payments/{env}/a/b" }'),
      'SCHEMA_INVALID',
      4,
      "unknown key '<<'",
    ],
    [
      'a NUL byte',
      lines('project: payments', 'variables: {}', '# \u0000'),
      'SCHEMA_INVALID',
      3,
      'the control character U+0000',
    ],
    [
      'an escape character in a comment',
      lines('project: payments', '# \u001b[2J', 'variables: {}'),
      'SCHEMA_INVALID',
      2,
      'U+001B',
    ],
    [
      'a bidirectional override that makes the file read differently',
      lines(
        'project: payments',
        'variables:',
        '  A:',
        '    ref: lk://payments/{env}/a/b # \u202e }; evil',
        '    owner: me',
      ),
      'SCHEMA_INVALID',
      4,
      'bidirectional-text control (U+202E)',
    ],
    [
      'a control character written as an escape in a quoted value',
      lines(
        'project: payments',
        'variables:',
        '  A:',
        '    ref: lk://payments/{env}/a/b',
        '    description: "clear\\x1b[2Jscreen"',
      ),
      'SCHEMA_INVALID',
      5,
      'a value contains the control character U+001B',
    ],
  ];
  for (const [what, text, code, line, fragment] of cases) {
    test(`${what} is refused (${code}${line === undefined ? '' : `, line ${line}`})`, () => {
      refused(text, code, line, fragment);
    });
  }

  test(`more than ${MAX_VARIABLES} variables are refused at the first extra one`, () => {
    const vars = Array.from(
      { length: MAX_VARIABLES + 1 },
      (_, i) => `  V${i}: { ref: "lk://payments/{env}/item${i}/key" }`,
    );
    refused(
      lines('project: payments', 'variables:', ...vars),
      'SCHEMA_INVALID',
      MAX_VARIABLES + 3,
      'more than 500 variables',
    );
  });

  test('a file over 256 KiB is refused before it is parsed', () => {
    const text = lines('project: payments', 'variables: {}', `# ${'x'.repeat(MAX_SCHEMA_BYTES)}`);
    refused(text, 'SCHEMA_INVALID', undefined, 'at most 256 KiB');
  });

  test('the file name in messages is the one given, with control characters made visible', () => {
    const error = errorOf(() => parseSchema('project: 1\nvariables: {}\n', 'repo/\u001b[31mlatchkey.yml'));
    assert.ok(error.message.startsWith('repo/\\u{1b}[31mlatchkey.yml:1: '), error.message);
  });
});

describe('production never gets in', () => {
  const spellings = [
    'production',
    'PROD',
    'Prod',
    'prod-eu',
    'eu-prod',
    'live',
    'pr0d',
    '\u0440rod',
    '\uff50\uff52\uff4f\uff44',
  ];

  for (const name of spellings) {
    test(`default_env ${JSON.stringify(name)} is refused as production, naming the line`, () => {
      const error = refused(
        lines('project: payments', `default_env: "${name}"`, 'variables: {}'),
        'PRODUCTION_REFUSED',
        2,
        'default_env: ',
      );
      assert.ok(error instanceof ScopeRefusal);
      assert.equal(error.rule, 'environment-name-production');
    });

    test(`environments entry ${JSON.stringify(name)} is refused as production, naming the line`, () => {
      refused(
        lines(
          'project: payments',
          'variables:',
          '  A:',
          '    ref: lk://payments/{env}/a/b',
          '    environments:',
          '      - dev',
          `      - "${name}"`,
        ),
        'PRODUCTION_REFUSED',
        7,
        'environments: ',
      );
    });

    test(`a fixed ref environment segment ${JSON.stringify(name)} is refused as production, naming the line`, () => {
      refused(
        lines(
          'project: payments',
          'variables:',
          '  A:',
          '    description: fixed',
          `    ref: "lk://payments/${name}/db/url"`,
        ),
        'PRODUCTION_REFUSED',
        5,
        'ref: ',
      );
    });
  }

  test('a fixed ref environment segment that is neither development nor staging is refused as unknown', () => {
    refused(
      lines('project: payments', 'variables:', '  A: { ref: "lk://payments/qa/db/url" }'),
      'UNKNOWN_ENVIRONMENT',
      3,
    );
  });

  test('{env} glued to another word in the environment segment is refused (development-eu is unknown)', () => {
    refused(
      lines('project: payments', 'variables:', '  A: { ref: "lk://payments/{env}-eu/db/url" }'),
      'UNKNOWN_ENVIRONMENT',
      3,
    );
  });

  test('a project name with a production word is refused', () => {
    const error = refused(lines('project: payments-prod', 'variables: {}'), 'PRODUCTION_REFUSED', 1);
    assert.ok(error instanceof ScopeRefusal);
    assert.equal(error.rule, 'name-production-word');
  });

  test('a ref whose project, item or field carries a production word is refused', () => {
    for (const ref of [
      'lk://prod/{env}/db/url',
      'lk://payments/{env}/prod-db/url',
      'lk://payments/{env}/db/prd',
    ]) {
      refused(lines('project: payments', 'variables:', `  A: { ref: "${ref}" }`), 'PRODUCTION_REFUSED', 3);
    }
  });
});

describe('hostile YAML is refused cleanly', () => {
  function billionLaughs(indent: string, key: (i: number) => string): string[] {
    const out = [`${indent}${key(0)}: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]`];
    for (let i = 1; i < 10; i++)
      out.push(
        `${indent}${key(i)}: &a${i} [${Array(9)
          .fill(`*a${i - 1}`)
          .join(', ')}]`,
      );
    return out;
  }

  test('a billion-laughs alias bomb is refused without being expanded', () => {
    const started = Date.now();
    refused(
      lines('project: payments', 'variables: {}', ...billionLaughs('', (i) => `lol${i}`)),
      'SCHEMA_INVALID',
      8,
      'alias bomb',
    );
    assert.ok(Date.now() - started < 2000, 'refused quickly');
  });

  test('an alias bomb hidden inside a variable is refused', () => {
    const levels = [`&a0 [${Array(9).fill('dev').join(', ')}]`];
    for (let i = 1; i < 10; i++)
      levels.push(
        `&a${i} [${Array(9)
          .fill(`*a${i - 1}`)
          .join(', ')}]`,
      );
    refused(
      lines(
        'project: payments',
        'variables:',
        '  A:',
        '    ref: lk://payments/{env}/a/b',
        `    environments: [${levels.join(', ')}]`,
      ),
      'SCHEMA_INVALID',
      5,
      'alias bomb',
    );
  });

  test('nesting deeper than a schema needs is refused', () => {
    refused(
      lines('project: payments', `variables: ${'['.repeat(12)}${']'.repeat(12)}`),
      'SCHEMA_INVALID',
      2,
      'nested more than 8',
    );
  });

  test('nesting deep enough to exhaust a recursive parser is refused, not a crash', () => {
    const depth = 120_000;
    refused(
      lines('project: payments', `variables: ${'['.repeat(depth)}${']'.repeat(depth)}`),
      'SCHEMA_INVALID',
      2,
      'nested',
    );
  });

  test('a !!js/function tag is refused, naming the line', () => {
    refused(
      lines(
        'project: payments',
        'variables:',
        '  A:',
        '    ref: lk://payments/{env}/a/b',
        '    description: !!js/function "function () { return 1 }"',
      ),
      'SCHEMA_INVALID',
      5,
      'YAML tags',
    );
  });

  test('any explicit tag, even !!str, is refused', () => {
    refused(lines('project: !!str payments', 'variables: {}'), 'SCHEMA_INVALID', 1, 'YAML tags');
    refused(lines('project: payments', 'variables: !custom {}'), 'SCHEMA_INVALID', 2, 'YAML tags');
  });

  test('binary junk is refused as not text', () => {
    // A fixed pseudo-random stream, so the test is the same every run.
    let state = 0x2545f491;
    const bytes = Buffer.alloc(4096);
    for (let i = 0; i < bytes.length; i++) {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      bytes[i] = state & 0xff;
    }
    for (const text of [bytes.toString('latin1'), bytes.toString('utf8'), '\u0000'.repeat(100)]) {
      const error = errorOf(() => parse(text));
      assert.equal(error.code, 'SCHEMA_INVALID');
      assert.match(error.message, /^latchkey\.yml:\d+: /);
    }
  });

  test('a very wide flat list is refused by the node limit', () => {
    refused(
      lines('project: payments', `variables: [${'1,'.repeat(110_000)}1]`),
      'SCHEMA_INVALID',
      2,
      'YAML nodes',
    );
  });
});
