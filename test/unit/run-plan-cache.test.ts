import assert from 'node:assert/strict';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { loadRunPlan, type RunPlan } from '../../main/cli/run/plan-cache';
import { planVariables } from '../../main/cli/secret-source';
import { formatFieldRef } from '../../main/core/vault/ref';
import { tempHome } from '../helpers/temp-home';

const SCHEMA = [
  'project: shop',
  'default_env: staging',
  'variables:',
  "  DB_URL: { ref: 'lk://shop/{env}/db/url', owner: 'db@example.com', rotate_every: 30d }",
  "  TOKEN: { ref: 'lk://{project}/{env}/api/token', environments: [development] }",
  '',
].join('\n');

describe('the run plan cache', () => {
  const t = tempHome('latchkey-plan-cache-');
  const home = t.home;
  const env = { LATCHKEY_HOME: home };
  const repo = join(t.dir, 'repo');
  const cacheDir = join(home, 'cache', 'run-plans');
  mkdirSync(home, { recursive: true, mode: 0o700 });
  mkdirSync(join(repo, 'sub', 'dir'), { recursive: true });
  writeFileSync(join(repo, 'latchkey.yml'), SCHEMA);
  after(() => t.cleanup());

  const entries = (): string[] => (existsSync(cacheDir) ? readdirSync(cacheDir) : []);
  const entryFile = (): string =>
    join(
      cacheDir,
      entries().find((n) => n.endsWith('.json'))!,
    );

  test('the plan is what planVariables says, found upward from a subdirectory, from the cache or not', () => {
    const fresh = planVariables({ cwd: join(repo, 'sub', 'dir') });
    const expected: RunPlan = {
      project: 'shop',
      schemaPath: join(repo, 'latchkey.yml'),
      environment: 'staging',
      variables: fresh.variables.map((v) => ({
        name: v.name,
        ref: formatFieldRef(v.ref),
        required: v.required,
        ...(v.owner ? { owner: v.owner } : {}),
        rotateEveryMs: v.rotateEveryMs!,
      })),
    };
    const first = loadRunPlan({ cwd: join(repo, 'sub', 'dir'), secrets: [] }, env);
    assert.deepEqual(first, expected);
    assert.equal(entries().length, 1, 'one entry written');
    assert.deepEqual(loadRunPlan({ cwd: join(repo, 'sub', 'dir'), secrets: [] }, env), expected);
    assert.equal(first.variables[1]!.ref, 'lk://shop/staging/api/token');
    assert.equal(first.variables[1]!.required, false);
  });

  test('the cache is private: the directory 0700 and each entry 0600', () => {
    assert.equal(readdirSync(cacheDir).length, 1);
    assert.equal(statSync(cacheDir).mode & 0o777, 0o700);
    assert.equal(statSync(entryFile()).mode & 0o777, 0o600);
  });

  test('a valid entry is used as it is; one that others could write, or from other code, is not', () => {
    const file = entryFile();
    const entry = JSON.parse(readFileSync(file, 'utf8')) as {
      plan: RunPlan;
      code: [string, number, number][];
    };
    const marked = {
      ...entry,
      plan: {
        ...entry.plan,
        variables: [{ name: 'FROM_CACHE', ref: 'lk://shop/staging/x/y', required: true }],
      },
    };
    writeFileSync(file, JSON.stringify(marked));
    assert.equal(
      loadRunPlan({ cwd: repo, secrets: [] }, env).variables[0]!.name,
      'FROM_CACHE',
      'the entry was used',
    );
    chmodSync(file, 0o666);
    assert.equal(
      loadRunPlan({ cwd: repo, secrets: [] }, env).variables[0]!.name,
      'DB_URL',
      'a writable entry was trusted',
    );
    const stale = { ...marked, code: marked.code.map(([f, size, m]) => [f, size + 1, m]) };
    writeFileSync(file, JSON.stringify(stale), { mode: 0o600 });
    chmodSync(file, 0o600);
    assert.equal(
      loadRunPlan({ cwd: repo, secrets: [] }, env).variables[0]!.name,
      'DB_URL',
      'an entry from other code was used',
    );
  });

  test('other options are other entries: --env, and --secret pairs', () => {
    const dev = loadRunPlan({ cwd: repo, secrets: [], environment: 'dev' }, env);
    assert.equal(dev.environment, 'development');
    assert.equal(dev.variables[1]!.required, true);
    const secrets = loadRunPlan({ cwd: repo, secrets: ['A=lk://shop/dev/db/url'] }, env);
    assert.deepEqual(secrets, {
      variables: [{ name: 'A', ref: 'lk://shop/development/db/url', required: true }],
    });
    assert.deepEqual(loadRunPlan({ cwd: repo, secrets: ['A=lk://shop/dev/db/url'] }, env), secrets);
  });

  test('errors are never cached, and unusual paths go to planVariables to be reported', () => {
    const before = entries().length;
    const bad = join(t.dir, 'bad');
    mkdirSync(bad);
    writeFileSync(
      join(bad, 'latchkey.yml'),
      "project: shop\nvariables:\n  LD_PRELOAD: { ref: 'lk://shop/{env}/x/y' }\n",
    );
    for (let i = 0; i < 2; i++) {
      assert.throws(() => loadRunPlan({ cwd: bad, secrets: [] }, env), { code: 'VARIABLE_REFUSED' });
    }
    assert.throws(() => loadRunPlan({ cwd: repo, secrets: [], environment: 'prod' }, env), {
      code: 'PRODUCTION_REFUSED',
    });
    const linked = join(t.dir, 'linked');
    mkdirSync(linked);
    symlinkSync(join(repo, 'latchkey.yml'), join(linked, 'latchkey.yml'));
    assert.throws(() => loadRunPlan({ cwd: linked, secrets: [] }, env), { code: 'UNSAFE_PATH' });
    writeFileSync(join(bad, '.latchkey.yml'), SCHEMA);
    assert.throws(() => loadRunPlan({ cwd: bad, secrets: [] }, env), { code: 'SCHEMA_INVALID' });
    assert.equal(entries().length, before);
  });

  test('with no data directory yet, nothing is written', () => {
    const missing = join(t.dir, 'no-such-home');
    loadRunPlan({ cwd: repo, secrets: [] }, { LATCHKEY_HOME: missing });
    assert.equal(existsSync(missing), false);
  });
});
