// docs/studio.md §7: the error table and the registry in src/errors.ts list the same codes, each
// once, with the same HTTP status.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { StudioErrorCodes } from '../src/errors.ts';

function section7Rows(): Map<string, number> {
  const doc = readFileSync(new URL('../../../docs/studio.md', import.meta.url), 'utf8');
  const start = doc.indexOf('\n## 7. ');
  assert.ok(start !== -1, 'docs/studio.md has a §7');
  const end = doc.indexOf('\n## ', start + 1);
  const rows = new Map<string, number>();
  for (const line of doc.slice(start, end === -1 ? undefined : end).split('\n')) {
    const m = /^\| `([A-Z0-9_]+)` \| (\d{3}) \|/.exec(line);
    if (!m) continue;
    assert.ok(!rows.has(m[1]!), `${m[1]} has one row`);
    rows.set(m[1]!, Number(m[2]));
  }
  return rows;
}

test('§7 every code in StudioErrorCodes has a row in docs/studio.md §7, and every row a code', () => {
  const rows = section7Rows();
  const codes = Object.keys(StudioErrorCodes).sort();
  assert.deepEqual([...rows.keys()].sort(), codes);
  for (const [code, status] of rows) assert.equal(status, StudioErrorCodes[code as keyof typeof StudioErrorCodes].status, `${code}'s status`);
});
