import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatAge, formatPolicy, overdueVariables, rotationWarning } from '../../main/cli/run/rotation';
import type { PlannedVariable } from '../../main/cli/run/plan-cache';
import { overdueRotations } from '../../main/cli/secret-source';
import { parseFieldRef } from '../../main/core/vault/ref';

const DAY = 86_400_000;
const NOW = Date.parse('2026-06-01T00:00:00Z');

function planned(name: string, rotateEveryMs?: number): PlannedVariable {
  return {
    name,
    ref: `lk://app/development/${name.toLowerCase()}/key`,
    required: true,
    ...(rotateEveryMs ? { rotateEveryMs } : {}),
  };
}
const ago = (ms: number): string => new Date(NOW - ms).toISOString();

test('ages and policies read the way latchkey.yml writes them', () => {
  assert.equal(formatAge(120 * DAY + 5000), '120 days');
  assert.equal(formatAge(1.2 * 1000), '1.2 seconds');
  assert.equal(formatAge(45 * 1000), '45 seconds');
  assert.equal(formatAge(3 * 3600_000), '3 hours');
  assert.equal(formatPolicy(90 * DAY), '90d');
  assert.equal(formatPolicy(12 * 7 * DAY), '12w');
  assert.equal(formatPolicy(36 * 3600_000), '36h');
  assert.equal(formatPolicy(1000), '1s');
});

test('one warning line naming the overdue secrets, singular or plural, at most three by name', () => {
  const vars = ['STRIPE_SECRET_KEY', 'DB_URL', 'A', 'B', 'C'].map((n) => planned(n, 90 * DAY));
  const changed = Object.fromEntries(vars.map((v) => [v.ref, ago(120 * DAY)]));
  assert.equal(
    rotationWarning(overdueVariables(vars.slice(0, 1), changed, NOW)),
    'latchkey: warning: 1 secret is past its rotation policy (STRIPE_SECRET_KEY: 120 days, > 90d); ask its owner to rotate it\n',
  );
  assert.equal(
    rotationWarning(overdueVariables(vars.slice(0, 2), changed, NOW)),
    'latchkey: warning: 2 secrets are past their rotation policy (STRIPE_SECRET_KEY: 120 days, > 90d; DB_URL: 120 days, > 90d); ask their owners to rotate them\n',
  );
  assert.match(
    rotationWarning(overdueVariables(vars, changed, NOW))!,
    /^latchkey: warning: 5 secrets .*; A: 120 days, > 90d; and 2 more\); ask/,
  );
  assert.equal(rotationWarning(overdueVariables(vars, {}, NOW)), undefined);
});

test('the same variables are overdue as secret-source’s overdueRotations says', () => {
  let seed = 7;
  const rand = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  for (let round = 0; round < 200; round++) {
    const vars = Array.from({ length: 1 + rand(6) }, (_, i) =>
      planned(`V${i}`, rand(4) === 0 ? undefined : (1 + rand(100)) * DAY),
    );
    const changedAt: Record<string, string> = {};
    for (const v of vars) if (rand(5) !== 0) changedAt[v.ref] = ago(rand(150) * DAY + rand(DAY));
    const ours = overdueVariables(vars, changedAt, NOW).map((o) => o.variable.name);
    const theirs = overdueRotations(
      { variables: vars.map((v) => ({ ...v, ref: parseFieldRef(v.ref) })) },
      changedAt,
      NOW,
    ).map((v) => v.name);
    assert.deepEqual(ours, theirs, `round ${round}`);
  }
});
