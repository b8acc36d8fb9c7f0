import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CLI } from '../helpers/cli';
import { tempHome } from '../helpers/temp-home';

const NODE = process.execPath;
const BOGUS_CA = '/nonexistent/latchkey-test-ca.pem';
const WARNING = /Warning: Ignoring extra certs from `\/nonexistent\/latchkey-test-ca\.pem`/g;

interface Result {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * bin/latchkey.js run as a program goes through /bin/sh, which moves NODE_EXTRA_CA_CERTS aside for
 * `latchkey run` (Node 20 reads that file at every start) and `run` gives it back to the command.
 * A CA path that does not exist makes Node print a warning, which shows which process loaded it.
 */
describe('the bin/latchkey.js launcher', () => {
  const t = tempHome('latchkey-run-launcher-');
  const repo = join(t.dir, 'repo');
  const show = join(t.dir, 'show-ca.js');

  function exec(file: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<Result> {
    return new Promise((resolve, reject) => {
      const child = spawn(file, args, {
        cwd: repo,
        env: {
          PATH: `${join(NODE, '..')}:${process.env.PATH ?? ''}`,
          HOME: t.home,
          LATCHKEY_HOME: t.home,
          LATCHKEY_NO_AGENT: '1',
          ...env,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (d: Buffer) => out.push(d));
      child.stderr.on('data', (d: Buffer) => err.push(d));
      child.on('error', reject);
      child.on('close', (status) =>
        resolve({ status, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() }),
      );
    });
  }

  before(() => {
    mkdirSync(repo, { recursive: true });
    // No variables: nothing to fetch, so no vault or agent is needed to start the command.
    writeFileSync(join(repo, 'latchkey.yml'), 'project: launcher\nvariables: {}\n');
    writeFileSync(
      show,
      `const fs = require('fs');
       let parentHasIt = null;
       try { parentHasIt = fs.readFileSync('/proc/' + process.ppid + '/environ', 'latin1').split('\\0').some((e) => e.startsWith('NODE_EXTRA_CA_CERTS=')); } catch {}
       console.log(JSON.stringify({ ca: process.env.NODE_EXTRA_CA_CERTS ?? null, saved: process.env.LATCHKEY_SAVED_NODE_EXTRA_CA_CERTS ?? null, parentHasIt }));`,
    );
  });

  after(() => t.cleanup());

  test('run as a program through /bin/sh, it writes nothing of its own to stderr', async () => {
    for (const args of [['--version'], ['run', '--', 'true'], ['status', '--json']]) {
      const r = await exec(CLI, args, {});
      assert.equal(r.stderr.includes('Permission denied') || r.stderr.includes('//'), false, r.stderr);
      if (args[0] !== 'status') assert.equal(r.stderr, '', `${args.join(' ')}: ${r.stderr}`);
    }
  });

  test('latchkey run starts without NODE_EXTRA_CA_CERTS and the command gets it back exactly', async () => {
    const r = await exec(CLI, ['run', '--', NODE, show], { NODE_EXTRA_CA_CERTS: BOGUS_CA });
    assert.equal(r.status, 0, r.stderr);
    const seen = JSON.parse(r.stdout) as {
      ca: string | null;
      saved: string | null;
      parentHasIt: boolean | null;
    };
    assert.equal(seen.ca, BOGUS_CA);
    assert.equal(seen.saved, null, 'the launcher’s copy leaked into the command');
    if (process.platform === 'linux') assert.equal(seen.parentHasIt, false, 'latchkey’s own node had it');
    // Only the command (a node) loaded the file: one warning, not two.
    assert.equal(r.stderr.match(WARNING)?.length, 1, r.stderr);
  });

  test('set but empty stays set and empty; unset stays unset', async () => {
    const empty = await exec(CLI, ['run', '--', NODE, show], { NODE_EXTRA_CA_CERTS: '' });
    assert.equal((JSON.parse(empty.stdout) as { ca: string }).ca, '');
    const unset = await exec(CLI, ['run', '--', NODE, show], {});
    assert.equal((JSON.parse(unset.stdout) as { ca: string | null }).ca, null);
  });

  test('every other command keeps NODE_EXTRA_CA_CERTS (sync needs it for a private CA)', async () => {
    const r = await exec(CLI, ['status', '--json'], { NODE_EXTRA_CA_CERTS: BOGUS_CA });
    assert.equal(r.stderr.match(WARNING)?.length, 1, r.stderr);
  });

  test('node bin/latchkey.js still works, and leaves the variable alone', async () => {
    const r = await exec(NODE, [CLI, 'run', '--', NODE, show], { NODE_EXTRA_CA_CERTS: BOGUS_CA });
    assert.equal(r.status, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as { ca: string }).ca, BOGUS_CA);
  });

  test('a node_modules/.bin symlink (what npx runs) works', async () => {
    const bin = join(t.dir, 'node_modules', '.bin');
    mkdirSync(bin, { recursive: true });
    symlinkSync(CLI, join(bin, 'latchkey'));
    const version = await exec(join(bin, 'latchkey'), ['--version'], {});
    const pkg = JSON.parse(readFileSync(join(CLI, '..', '..', 'package.json'), 'utf8')) as {
      version: string;
    };
    assert.equal(version.stdout, `latchkey ${pkg.version}\n`);
    const r = await exec(join(bin, 'latchkey'), ['run', '--', NODE, show], { NODE_EXTRA_CA_CERTS: BOGUS_CA });
    assert.equal((JSON.parse(r.stdout) as { ca: string }).ca, BOGUS_CA, r.stderr);
  });
});
