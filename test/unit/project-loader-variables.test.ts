/**
 * Variable names Latchkey injects: names that change how programs load code are refused unless the
 * repo allows them by exact name; Latchkey's own settings are never injectable; the list and its
 * documentation agree.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, test } from 'node:test';

import { isLatchkeyError } from '../../main/core/errors';
import { checkVariableName, LOADER_VARIABLES, loaderVariable, parseSchema } from '../../main/core/project';

function codeOf(fn: () => unknown): string {
  try {
    fn();
    return 'OK';
  } catch (error) {
    return isLatchkeyError(error) ? error.code : String(error);
  }
}

function lines(...text: string[]): string {
  return `${text.join('\n')}\n`;
}

const REFUSED = [
  'PATH',
  'LD_PRELOAD',
  'LD_LIBRARY_PATH',
  'LD_AUDIT',
  'DYLD_INSERT_LIBRARIES',
  'DYLD_LIBRARY_PATH',
  'GLIBC_TUNABLES',
  'NODE_OPTIONS',
  'NODE_PATH',
  'ELECTRON_RUN_AS_NODE',
  'npm_config_script_shell',
  'PYTHONPATH',
  'PYTHONSTARTUP',
  'PYTHONHOME',
  'PYTHONUSERBASE',
  'PYTHONWARNINGS',
  'PERL5LIB',
  'PERL5OPT',
  'PERLLIB',
  'RUBYLIB',
  'RUBYOPT',
  'GEM_PATH',
  'JAVA_TOOL_OPTIONS',
  '_JAVA_OPTIONS',
  'JDK_JAVA_OPTIONS',
  'CLASSPATH',
  'BASH_ENV',
  'ENV',
  'ZDOTDIR',
  'SHELLOPTS',
  'BASHOPTS',
  'PS4',
  'PROMPT_COMMAND',
  'IFS',
  'GCONV_PATH',
  'LOCPATH',
  'MALLOC_CHECK_',
  'MALLOC_ARENA_MAX',
  'GIT_SSH_COMMAND',
  'GIT_EXEC_PATH',
  'GIT_CONFIG_COUNT',
  'GIT_CONFIG_KEY_0',
  'GIT_CONFIG_PARAMETERS',
  'LUA_PATH',
  'LUA_CPATH',
  'LUA_PATH_5_4',
  'LUA_INIT',
  'DOTNET_STARTUP_HOOKS',
  'COR_PROFILER_PATH',
  'CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_LINKER',
  'RUSTC_WRAPPER',
  'PHPRC',
  'HOME',
  'SHELL',
  'EDITOR',
];

const ORDINARY = [
  'STRIPE_SECRET_KEY',
  'DATABASE_URL',
  'NODE_ENV',
  'NODE_EXTRA_CA_CERTS',
  'PATHS',
  'MY_PATH',
  'LDAP_URL',
  'GITHUB_TOKEN',
  'GIT_TOKEN',
  'NPM_TOKEN',
  'PIP_INDEX_URL',
  'CARGO_REGISTRY_TOKEN',
  'ENVIRONMENT',
  'HOMEBREW_GITHUB_API_TOKEN',
  'PYTHON_VERSION',
  'LUA_VERSION',
  '_PRIVATE',
  'a',
];

describe('loader variables', () => {
  for (const name of REFUSED) {
    test(`${name} is refused unless allowed`, () => {
      assert.equal(
        codeOf(() => checkVariableName(name, [])),
        'VARIABLE_REFUSED',
      );
      assert.equal(
        codeOf(() => checkVariableName(name, [name])),
        'OK',
      );
    });
  }

  for (const name of ORDINARY) {
    test(`${name} is an ordinary name and may be injected`, () => {
      assert.equal(loaderVariable(name), undefined);
      assert.equal(
        codeOf(() => checkVariableName(name, [])),
        'OK',
      );
    });
  }

  test('names are matched without regard to case (Windows Path, zsh path)', () => {
    for (const name of ['path', 'Path', 'ld_preload', 'Node_Options', 'NPM_CONFIG_REGISTRY']) {
      assert.equal(
        codeOf(() => checkVariableName(name, [])),
        'VARIABLE_REFUSED',
        name,
      );
    }
  });

  test('an allow entry must name the variable exactly, not another member of the same pattern', () => {
    assert.equal(
      codeOf(() => checkVariableName('LD_PRELOAD', ['LD_LIBRARY_PATH'])),
      'VARIABLE_REFUSED',
    );
    assert.equal(
      codeOf(() => checkVariableName('node_options', ['NODE_OPTIONS'])),
      'VARIABLE_REFUSED',
    );
  });

  test('the refusal says why and how to allow it', () => {
    try {
      checkVariableName('NODE_OPTIONS', []);
      assert.fail('expected a refusal');
    } catch (error) {
      assert.ok(isLatchkeyError(error, 'VARIABLE_REFUSED'));
      assert.match(error.message, /changes how programs load code/);
      assert.match(error.message, /--require/);
      assert.match(error.message, /allow_loader_vars/);
    }
  });

  test('every entry has an upper-case pattern, a reason, and no entry repeats', () => {
    const seen = new Set<string>();
    for (const entry of LOADER_VARIABLES) {
      assert.match(entry.pattern, /^[A-Z_][A-Z0-9_*]*$/, entry.pattern);
      assert.ok(entry.reason.length > 10, entry.pattern);
      assert.ok(!seen.has(entry.pattern), `${entry.pattern} is listed twice`);
      seen.add(entry.pattern);
    }
  });

  test('docs/latchkey-yml.md lists every entry of the list, and the list every entry of the docs', () => {
    const doc = readFileSync(resolve(__dirname, '../../../docs/latchkey-yml.md'), 'utf8');
    const section = doc.slice(
      doc.indexOf('<!-- loader-variables:start -->'),
      doc.indexOf('<!-- loader-variables:end -->'),
    );
    assert.ok(section.length > 0, 'the docs mark the list');
    const documented = [...section.matchAll(/^\| `([^`]+)` +\|/gm)].map((m) => m[1]);
    assert.deepEqual(
      documented,
      LOADER_VARIABLES.map((e) => e.pattern),
    );
  });
});

describe('variable names', () => {
  test('shapes other than letters, digits and _ not starting with a digit are refused', () => {
    for (const name of ['', '1KEY', 'API-KEY', 'API KEY', 'A=B', 'KEY\n', 'SCHLÜSSEL', 'A.B', '$A']) {
      assert.equal(
        codeOf(() => checkVariableName(name, [])),
        'VARIABLE_REFUSED',
        JSON.stringify(name),
      );
    }
  });

  test('a name may have 128 characters but not 129', () => {
    assert.equal(
      codeOf(() => checkVariableName('A'.repeat(128), [])),
      'OK',
    );
    assert.equal(
      codeOf(() => checkVariableName('A'.repeat(129), [])),
      'VARIABLE_REFUSED',
    );
  });

  test("Latchkey's own LATCHKEY_ settings are refused even when listed as allowed", () => {
    for (const name of ['LATCHKEY_SOCK', 'LATCHKEY_HOME', 'latchkey_sock']) {
      assert.equal(
        codeOf(() => checkVariableName(name, [name])),
        'VARIABLE_REFUSED',
        name,
      );
    }
  });
});

describe('loader variables in latchkey.yml', () => {
  test('a loader variable is refused with VARIABLE_REFUSED at its line', () => {
    const text = lines(
      'project: payments',
      'variables:',
      '  API_KEY: { ref: "lk://payments/{env}/api/key" }',
      '  LD_PRELOAD:',
      '    ref: lk://payments/{env}/lib/path',
    );
    try {
      parseSchema(text, 'latchkey.yml');
      assert.fail('expected a refusal');
    } catch (error) {
      assert.ok(isLatchkeyError(error, 'VARIABLE_REFUSED'));
      assert.ok(
        error.message.startsWith('latchkey.yml:4: LD_PRELOAD changes how programs load code'),
        error.message,
      );
    }
  });

  test('a loader variable listed in allow_loader_vars is accepted', () => {
    const schema = parseSchema(
      lines(
        'project: payments',
        'allow_loader_vars:',
        '  - NODE_OPTIONS',
        '  - LD_PRELOAD',
        'variables:',
        '  NODE_OPTIONS: { ref: "lk://payments/{env}/node/options" }',
        '  LD_PRELOAD: { ref: "lk://payments/{env}/lib/path" }',
      ),
      'latchkey.yml',
    );
    assert.deepEqual(schema.allowLoaderVars, ['NODE_OPTIONS', 'LD_PRELOAD']);
    assert.deepEqual(
      schema.variables.map((v) => v.name),
      ['NODE_OPTIONS', 'LD_PRELOAD'],
    );
  });

  test('allowing a name that is not a loader variable (a typo) is refused at its line', () => {
    for (const [name, line] of [
      ['NODE_OPTONS', 3],
      ['STRIPE_SECRET_KEY', 3],
      ['LATCHKEY_SOCK', 3],
      ['LD-PRELOAD', 3],
    ] as const) {
      try {
        parseSchema(
          lines('project: payments', 'allow_loader_vars:', `  - ${name}`, 'variables: {}'),
          'latchkey.yml',
        );
        assert.fail(`expected ${name} to be refused`);
      } catch (error) {
        assert.ok(isLatchkeyError(error, 'SCHEMA_INVALID'), String(error));
        assert.ok(
          error.message.startsWith(
            `latchkey.yml:${line}: allow_loader_vars: '${name}' is not a loader variable`,
          ),
          error.message,
        );
      }
    }
  });
});
