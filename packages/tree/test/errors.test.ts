import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { TreeError, TreeErrorCodes } from '../src/index.ts';

const doc = readFileSync(new URL('../../../docs/tree.md', import.meta.url), 'utf8');
const errorsSection = doc.slice(doc.indexOf('## 8. Errors'));

test('§8 errors: every code has a description and a row in docs/tree.md §8', () => {
  for (const [code, info] of Object.entries(TreeErrorCodes)) {
    assert.ok(info.description.length > 0, code);
    assert.match(errorsSection, new RegExp(`^\\| \`${code}\` \\|`, 'm'), `${code} is not documented`);
  }
  const documented = [...errorsSection.matchAll(/^\| `(TREE_[A-Z_]+)` \|/gm)].map((m) => m[1]);
  assert.deepEqual(documented.sort(), Object.keys(TreeErrorCodes).sort());
});

test('§8 errors: TreeError carries code, opIndex and cause', () => {
  const inner = new TreeError('TREE_CYCLE', 'x');
  const e = new TreeError('TREE_CYCLE', 'op 3: x', { opIndex: 3, cause: inner });
  assert.ok(e instanceof Error);
  assert.equal(e.name, 'TreeError');
  assert.equal(e.code, 'TREE_CYCLE');
  assert.equal(e.opIndex, 3);
  assert.equal(e.cause, inner);
  assert.ok(TreeError.is(e, 'TREE_CYCLE'));
  assert.equal(new TreeError('TREE_BAD_OP', 'y').opIndex, undefined);
});
