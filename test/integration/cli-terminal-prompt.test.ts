import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { CLI } from '../helpers/cli';
import { tempHome } from '../helpers/temp-home';
import { TmuxSession } from '../helpers/tmux';

const PASSWORD = 'typed-passphrase-9f2c';
const VALUE = 'typed-value-CANARY-51ab';

describe('passwords and values typed on a real terminal (tmux)', () => {
  const t = tempHome();
  const sessions: TmuxSession[] = [];
  const open = (args: string): TmuxSession => {
    const s = new TmuxSession(`${process.execPath} ${CLI} ${args}; echo "EXIT=$?"; sleep 60`, {
      LATCHKEY_HOME: t.home,
    });
    sessions.push(s);
    return s;
  };
  after(() => {
    sessions.forEach((s) => s.kill());
    t.cleanup();
  });

  test('init asks twice with echo off, and the password never appears on the screen', async () => {
    const s = open('init --kdf-target-ms 1');
    await s.waitFor(/Choose a master password:\s*$/m);
    s.type(PASSWORD);
    s.press('Enter');
    await s.waitFor(/Repeat it:\s*$/m);
    s.type(PASSWORD);
    s.press('Enter');
    const screen = await s.waitFor(/EXIT=\d+/);
    assert.match(screen, /EXIT=0/);
    assert.ok(!screen.includes(PASSWORD), screen);
    assert.ok(existsSync(join(t.home, 'vault.lkv')));
  });

  test('backspace edits the hidden input, and a mistyped repeat changes nothing', async () => {
    const s = open('passwd');
    await s.waitFor(/Current master password:\s*$/m);
    s.type(`${PASSWORD}xy`);
    s.press('BSpace');
    s.press('BSpace');
    s.press('Enter');
    await s.waitFor(/New master password:\s*$/m);
    s.type('another-passphrase');
    s.press('Enter');
    await s.waitFor(/Repeat it:\s*$/m);
    s.type('a-different-one');
    s.press('Enter');
    const screen = await s.waitFor(/EXIT=\d+/);
    assert.match(screen, /PASSWORD_MISMATCH/);
    assert.match(screen, /EXIT=1/);
  });

  test('set asks for the value with echo off; get prints it', async () => {
    const s = open('set lk://term/development/app/token');
    await s.waitFor(/Master password:\s*$/m);
    s.type(PASSWORD);
    s.press('Enter');
    await s.waitFor(/Value for lk:\/\/term\/development\/app\/token:\s*$/m);
    s.type(VALUE);
    s.press('Enter');
    const screen = await s.waitFor(/EXIT=\d+/);
    assert.match(screen, /EXIT=0/);
    assert.ok(!screen.includes(VALUE), screen);
    const g = open('get lk://term/development/app/token');
    await g.waitFor(/Master password:\s*$/m);
    g.type(PASSWORD);
    g.press('Enter');
    assert.match(await g.waitFor(/EXIT=\d+/), new RegExp(`${VALUE}EXIT=0`));
  });

  test('Ctrl-C at the prompt cancels cleanly with CANCELLED', async () => {
    const s = open('get lk://term/development/app/token');
    await s.waitFor(/Master password:\s*$/m);
    s.type('half');
    s.press('C-c');
    const screen = await s.waitFor(/EXIT=\d+/);
    assert.match(screen, /latchkey: CANCELLED: /);
    assert.match(screen, /EXIT=1/);
  });
});
