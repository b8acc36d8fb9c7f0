import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { ERROR_CODES } from '../../main/core/errors';

test('docs/errors.md lists exactly the codes of main/core/errors.ts with their exit status', () => {
  const doc = readFileSync(resolve(__dirname, '../../../docs/errors.md'), 'utf8');
  const rows = [...doc.matchAll(/^\| `([A-Z_]+)` \| (\d) \| (.+) \|$/gm)].map((m) => [
    m[1],
    Number(m[2]),
    m[3],
  ]);
  assert.deepEqual(
    rows,
    Object.entries(ERROR_CODES).map(([code, info]) => [code, info.exit, info.meaning]),
  );
});
