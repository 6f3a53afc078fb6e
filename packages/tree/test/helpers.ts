// Test helpers shared by the tree tests: the expected error code and the names its message carries.
import assert from 'node:assert/strict';
import { TreeError } from '../src/index.ts';

/** `run` throws a TreeError of `code` whose message names what was wrong: every pattern of
 *  `names` matches it (the field or op such as `insert index`, the id, the value or limit that
 *  failed). Tests match these names, never a whole sentence (docs/tree.md §8). Returns the error
 *  for further checks (opIndex, cause). */
export function throwsNaming(run: () => unknown, code: string, names: readonly RegExp[] = []): TreeError {
  let caught: TreeError | undefined;
  assert.throws(run, (err: unknown) => {
    assert.ok(err instanceof TreeError, `expected a TreeError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    for (const name of names) assert.match(err.message, name);
    caught = err;
    return true;
  });
  return caught!;
}
