import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { REFUSED_SWITCHES, refusalMessage, refusedLaunchFlag } from '../../main/app/launch-flags';

const electron = ['/opt/Latchkey/latchkey', '.'];

void describe('refusedLaunchFlag', () => {
  void test('refuses --inspect', () => {
    assert.equal(refusedLaunchFlag([...electron, '--inspect'], 'linux'), '--inspect');
  });

  void test('refuses --inspect with a port', () => {
    assert.equal(refusedLaunchFlag([...electron, '--inspect=9229'], 'linux'), '--inspect');
  });

  void test('refuses --inspect-brk, bare and with a port', () => {
    assert.equal(refusedLaunchFlag([...electron, '--inspect-brk'], 'linux'), '--inspect-brk');
    assert.equal(refusedLaunchFlag([...electron, '--inspect-brk=127.0.0.1:9229'], 'linux'), '--inspect-brk');
  });

  void test('refuses --remote-debugging-port, with a value and bare', () => {
    assert.equal(
      refusedLaunchFlag([...electron, '--remote-debugging-port=9222'], 'linux'),
      '--remote-debugging-port',
    );
    assert.equal(
      refusedLaunchFlag([...electron, '--remote-debugging-port'], 'linux'),
      '--remote-debugging-port',
    );
  });

  void test('refuses --no-sandbox, even with a value', () => {
    assert.equal(refusedLaunchFlag([...electron, '--no-sandbox'], 'linux'), '--no-sandbox');
    assert.equal(refusedLaunchFlag([...electron, '--no-sandbox=0'], 'linux'), '--no-sandbox');
  });

  void test('refuses the single-dash spelling Chromium also accepts', () => {
    assert.equal(refusedLaunchFlag([...electron, '-no-sandbox'], 'linux'), '--no-sandbox');
    assert.equal(
      refusedLaunchFlag([...electron, '-remote-debugging-port=9222'], 'darwin'),
      '--remote-debugging-port',
    );
  });

  void test('refuses any letter case', () => {
    assert.equal(refusedLaunchFlag([...electron, '--No-Sandbox'], 'linux'), '--no-sandbox');
    assert.equal(refusedLaunchFlag([...electron, '--INSPECT=9229'], 'linux'), '--inspect');
  });

  void test('refuses the /switch spelling on Windows only', () => {
    assert.equal(refusedLaunchFlag(['latchkey.exe', '/no-sandbox'], 'win32'), '--no-sandbox');
    assert.equal(refusedLaunchFlag(['latchkey', '/no-sandbox'], 'linux'), undefined, 'a path on POSIX');
  });

  void test('refuses a flag that comes after --', () => {
    assert.equal(refusedLaunchFlag([...electron, '--', '--inspect'], 'linux'), '--inspect');
  });

  void test('refuses every listed switch', () => {
    for (const name of REFUSED_SWITCHES) {
      assert.equal(refusedLaunchFlag([...electron, `--${name}`], 'linux'), `--${name}`, name);
    }
  });

  void test('reports the flag name, never its value', () => {
    const flag = refusedLaunchFlag([...electron, '--remote-debugging-port=9222'], 'linux');
    assert.ok(flag !== undefined && !flag.includes('9222'));
  });

  void test('lets ordinary arguments through', () => {
    const ordinary = [
      ...electron,
      '--enable-logging',
      '--lang=en-GB',
      '--inspector',
      '--inspection=1',
      '--sandbox',
      '--enable-sandbox',
      'inspect',
      'no-sandbox',
      '/tmp/--inspect',
      '--',
      '-',
      '',
    ];
    assert.equal(refusedLaunchFlag(ordinary, 'linux'), undefined);
    assert.equal(refusedLaunchFlag([], 'linux'), undefined);
  });
});

void describe('refusalMessage', () => {
  void test('is one line that names the flag', () => {
    const message = refusalMessage('--no-sandbox');
    assert.ok(message.includes('--no-sandbox'));
    assert.ok(!message.includes('\n'));
  });
});
