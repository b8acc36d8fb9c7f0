import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseRunArgv } from '../../main/cli/run/options';

test('options come first; the command starts at -- or at the first non-option, and keeps everything after it', () => {
  assert.deepEqual(parseRunArgv(['--env', 'staging', '--', 'npm', 'test', '--watch']).options, {
    environment: 'staging',
    secrets: [],
    mask: 'auto',
    passwordStdin: false,
    command: ['npm', 'test', '--watch'],
  });
  assert.deepEqual(parseRunArgv(['npm', '--env', 'x', '--', '-h']).options.command, [
    'npm',
    '--env',
    'x',
    '--',
    '-h',
  ]);
  assert.deepEqual(parseRunArgv(['--no-mask', 'ls', '-la']).options.command, ['ls', '-la']);
  assert.equal(parseRunArgv(['--', '--help']).help, false, '--help after -- is the command');
  assert.equal(parseRunArgv(['--help']).help, true);
  assert.equal(parseRunArgv(['-h', '--', 'x']).help, true);
});

test('--opt=value and --opt value both work; --secret repeats in order', () => {
  const { options } = parseRunArgv([
    '--secret=A=lk://p/dev/i/f',
    '--secret',
    'B=lk://p/dev/i/g',
    '--mask',
    '--password-stdin',
    'cmd',
  ]);
  assert.deepEqual(options.secrets, ['A=lk://p/dev/i/f', 'B=lk://p/dev/i/g']);
  assert.equal(options.mask, 'always');
  assert.equal(options.passwordStdin, true);
  assert.equal(parseRunArgv(['--project=payments', 'cmd']).options.project, 'payments');
});

test('misuse is a USAGE error that names the problem', () => {
  const cases: [string[], RegExp][] = [
    [[], /give the command to run/],
    [['--env', 'dev'], /give the command to run/],
    [['--env'], /--env needs a value/],
    [['--bogus', 'cmd'], /unknown option '--bogus'/],
    [['-x', 'cmd'], /unknown option '-x'/],
    [['--mask', '--no-mask', 'cmd'], /contradict/],
    [['--env', 'a', '--env', 'b', 'cmd'], /--env is given twice/],
    [['--mask=yes', 'cmd'], /--mask takes no value/],
    [
      ['--project', 'p', '--secret', 'A=lk://p/dev/i/f', 'cmd'],
      /with --secret each ref names its own project/,
    ],
    [
      ['--env', 'staging', '--secret', 'A=lk://p/dev/i/f', 'cmd'],
      /with --secret each ref names its own environment/,
    ],
  ];
  for (const [argv, message] of cases) {
    assert.throws(
      () => parseRunArgv(argv),
      (e: Error & { code?: string }) => e.code === 'USAGE' && message.test(e.message),
      argv.join(' '),
    );
  }
});
