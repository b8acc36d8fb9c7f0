import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'test-results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      // node:test's test()/describe() return promises the runner itself awaits.
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            {
              from: 'package',
              package: 'node:test',
              name: ['test', 'describe', 'it', 'suite', 'before', 'after', 'beforeEach', 'afterEach'],
            },
          ],
        },
      ],
      // Matching control characters is how we refuse them in names and terminal output.
      'no-control-regex': 'off',
      // Lazy require() keeps heavy modules off the start-up path of commands that do not need them.
      '@typescript-eslint/no-require-imports': 'off',
      'no-restricted-imports': [
        'error',
        { paths: [{ name: 'electron', message: 'Only main/app/ may import electron.' }] },
      ],
    },
  },
  // Only the Electron shell's own files import electron; the desk and the IPC table stay plain Node.
  { files: ['main/app/*.ts', 'preload/**/*.ts'], rules: { 'no-restricted-imports': 'off' } },
  {
    // The renderer is an untrusted page: DOM types come from renderer/tsconfig.json (lib DOM, no Node
    // types), so an undeclared global is a type error. Store strings are text, never HTML, and the
    // only way out is window.latchkey: no Node built-ins, no main/ code, only preload/api.ts.
    files: ['renderer/src/**/*.ts', 'renderer/src/**/*.tsx'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'The renderer talks to window.latchkey only.' }],
          patterns: [
            {
              group: ['node:*', 'fs', 'path', 'os', 'child_process', 'crypto', 'net', 'http', 'https'],
              message: 'The renderer is a sandboxed page: no Node modules.',
            },
            {
              group: ['**/main/**', '**/preload/preload', '**/preload/preload.*'],
              message: 'The renderer imports only types and constants from preload/api.ts.',
            },
          ],
        },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "JSXAttribute[name.name='dangerouslySetInnerHTML']",
          message: 'Render store strings as text: no dangerouslySetInnerHTML.',
        },
        {
          selector: 'MemberExpression[property.name=/^(innerHTML|outerHTML)$/]',
          message: 'Render store strings as text: use textContent, not innerHTML.',
        },
        {
          selector: 'CallExpression[callee.property.name=/^(insertAdjacentHTML|createContextualFragment)$/]',
          message: 'Render store strings as text, never as HTML.',
        },
        {
          selector: "CallExpression[callee.object.name='document'][callee.property.name=/^write(ln)?$/]",
          message: 'No document.write.',
        },
      ],
    },
  },
  {
    files: ['bin/**/*.js'],
    languageOptions: { sourceType: 'commonjs', parserOptions: { ecmaFeatures: { globalReturn: true } } },
  },
  {
    // electron-builder's hooks: CommonJS, run by electron-builder under Node.
    files: ['build/**/*.js'],
    languageOptions: { sourceType: 'commonjs' },
  },
  {
    files: ['scripts/**/*.mjs', 'bin/**/*.js', 'build/**/*.js', 'eslint.config.mjs', 'renderer/vite.config.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      globals: {
        process: 'readonly',
        console: 'readonly',
        setImmediate: 'readonly',
        require: 'readonly',
        __dirname: 'readonly',
        module: 'writable',
        exports: 'writable',
        Buffer: 'readonly',
      },
    },
  },
);
