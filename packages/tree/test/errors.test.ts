import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { TreeError, TreeErrorCodes } from '../src/index.ts';

const doc = readFileSync(new URL('../../../docs/tree.md', import.meta.url), 'utf8');
const errorsSection = doc.slice(doc.indexOf('## 8. Errors'));

test('§8 errors: every code is its own value and has a row in docs/tree.md §8', () => {
  for (const [key, code] of Object.entries(TreeErrorCodes)) {
    assert.equal(key, code);
    assert.match(errorsSection, new RegExp(`^\\| \`${code}\` \\|`, 'm'), `${code} is not documented`);
  }
  const documented = [...errorsSection.matchAll(/^\| `(TREE_[A-Z_]+)` \|/gm)].map((m) => m[1]);
  assert.deepEqual(documented.sort(), Object.keys(TreeErrorCodes).sort());
});

test('§8 errors: TreeError carries code, opIndex and cause', () => {
  const inner = new TreeError(TreeErrorCodes.TREE_CYCLE, 'x');
  const e = new TreeError(TreeErrorCodes.TREE_CYCLE, 'op 3: x', { opIndex: 3, cause: inner });
  assert.ok(e instanceof Error);
  assert.equal(e.name, 'TreeError');
  assert.equal(e.code, 'TREE_CYCLE');
  assert.equal(e.opIndex, 3);
  assert.equal(e.cause, inner);
  assert.equal(new TreeError(TreeErrorCodes.TREE_BAD_OP, 'y').opIndex, undefined);
});
