import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MAX_TREE_DEPTH, Tree, TreeError, type NodeSnapshot, type Op, type TreeErrorCode } from '../src/index.ts';

const n = (id: string, children: NodeSnapshot[] = [], attrs: NodeSnapshot['attrs'] = {}, type = 't'): NodeSnapshot => ({
  id,
  type,
  attrs,
  children,
});

/** root ─ a ─ a1, a2 ; b ─ b1 */
function sample(): Tree {
  return new Tree(n('root', [n('a', [n('a1'), n('a2')], { x: 1 }), n('b', [n('b1')])], {}, 'root'));
}

const childIds = (t: Tree, id: string): string[] => (t.get(id)?.children ?? []).map((c) => c.id);

/** Asserts that applying op throws code and leaves the tree exactly as it was. */
function rejects(t: Tree, op: Op, code: TreeErrorCode): void {
  const before = t.toSnapshot();
  const hash = t.rootHash;
  const size = t.size;
  assert.throws(
    () => t.apply(op),
    (e: unknown) => e instanceof TreeError && e.code === code,
  );
  assert.deepEqual(t.toSnapshot(), before);
  assert.equal(t.rootHash, hash);
  assert.equal(t.size, size);
}

function chain(prefix: string, levels: number): NodeSnapshot {
  let node = n(`${prefix}${levels - 1}`);
  for (let i = levels - 2; i >= 0; i--) node = n(`${prefix}${i}`, [node]);
  return node;
}

describe('§1 model', () => {
  test('builds the id index: size, get, has, parent pointers', () => {
    const t = sample();
    assert.equal(t.size, 6);
    assert.equal(t.root.id, 'root');
    assert.equal(t.get('a1')?.parent?.id, 'a');
    assert.equal(t.root.parent, null);
    assert.equal(t.has('b1'), true);
    assert.equal(t.has('zz'), false);
    assert.equal(t.get('zz'), undefined);
  });

  test('copies the snapshot it is given: later changes to the input do not reach the tree', () => {
    const snap = n('root', [n('a', [], { x: 1 })]);
    const t = new Tree(snap);
    snap.children[0].attrs.x = 2;
    snap.children.push(n('b'));
    assert.deepEqual(t.toSnapshot(), n('root', [n('a', [], { x: 1 })]));
  });

  test('toSnapshot and snapshotOf round-trip', () => {
    const t = sample();
    assert.deepEqual(new Tree(t.toSnapshot()).toSnapshot(), t.toSnapshot());
    assert.deepEqual(t.snapshotOf('a'), n('a', [n('a1'), n('a2')], { x: 1 }));
    assert.throws(() => t.snapshotOf('zz'), { code: 'TREE_UNKNOWN_ID' });
  });

  test('rejects a snapshot with duplicate ids (TREE_DUPLICATE_ID)', () => {
    assert.throws(() => new Tree(n('root', [n('a'), n('x', [n('a')])])), { code: 'TREE_DUPLICATE_ID' });
    assert.throws(() => new Tree(n('root', [n('root')])), { code: 'TREE_DUPLICATE_ID' });
  });

  test('rejects a malformed snapshot (TREE_BAD_SNAPSHOT)', () => {
    const bad: unknown[] = [
      null,
      { id: 'r', type: 't', attrs: {} },
      { id: '', type: 't', attrs: {}, children: [] },
      { id: 'r', type: 3, attrs: {}, children: [] },
      { id: 'r', type: 't', attrs: { v: null }, children: [] },
      { id: 'r', type: 't', attrs: { v: undefined }, children: [] },
      { id: 'r', type: 't', attrs: { v: new Date() }, children: [] },
      { id: 'r', type: 't', attrs: [], children: [] },
      { id: 'r', type: 't', attrs: {}, children: [null] },
      { id: 'x'.repeat(257), type: 't', attrs: {}, children: [] },
    ];
    for (const value of bad) {
      assert.throws(() => new Tree(value as NodeSnapshot), { code: 'TREE_BAD_SNAPSHOT' }, JSON.stringify(value));
    }
  });

  test(`allows ${MAX_TREE_DEPTH} levels and rejects one more (TREE_TOO_DEEP)`, () => {
    assert.equal(new Tree(chain('c', MAX_TREE_DEPTH)).size, MAX_TREE_DEPTH);
    assert.throws(() => new Tree(chain('c', MAX_TREE_DEPTH + 1)), { code: 'TREE_TOO_DEEP' });
  });
});

describe('§3.1 set', () => {
  test('merges attributes; null removes one', () => {
    const t = sample();
    t.apply([0, 'a', { y: 'two', z: true }]);
    assert.deepEqual(t.get('a')?.attrs, { x: 1, y: 'two', z: true });
    t.apply([0, 'a', { x: null, y: 3 }]);
    assert.deepEqual(t.get('a')?.attrs, { y: 3, z: true });
    t.apply([0, 'a', { missing: null }]);
    assert.deepEqual(t.get('a')?.attrs, { y: 3, z: true });
  });

  test('replaces the attrs object instead of mutating it', () => {
    const t = sample();
    const before = t.get('a')?.attrs;
    t.apply([0, 'a', { x: 2 }]);
    assert.deepEqual(before, { x: 1 });
    assert.notEqual(t.get('a')?.attrs, before);
  });

  test('an empty set changes nothing', () => {
    const t = sample();
    const hash = t.rootHash;
    t.apply([0, 'a', {}]);
    assert.equal(t.rootHash, hash);
  });

  test('unknown id is TREE_UNKNOWN_ID', () => rejects(sample(), [0, 'zz', { x: 1 }], 'TREE_UNKNOWN_ID'));

  test('a bad value is TREE_BAD_OP and applies none of the op', () => {
    const t = sample();
    rejects(t, [0, 'a', { ok: 1, bad: undefined as never }], 'TREE_BAD_OP');
    rejects(t, [0, 'a', { ok: 1, bad: [null] as never }], 'TREE_BAD_OP');
    rejects(t, [0, 'a', JSON.parse('{"__proto__": 1}')], 'TREE_BAD_OP');
    rejects(t, [0, 'a', null as never], 'TREE_BAD_OP');
  });
});

describe('§3.2 insert', () => {
  test('inserts a subtree at index 0, in the middle and at the end', () => {
    const t = sample();
    t.apply([1, 'a', 0, n('first')]);
    t.apply([1, 'a', 3, n('last', [n('last.1')])]);
    t.apply([1, 'a', 2, n('mid')]);
    assert.deepEqual(childIds(t, 'a'), ['first', 'a1', 'mid', 'a2', 'last']);
    assert.equal(t.get('last.1')?.parent?.id, 'last');
    assert.equal(t.size, 10);
  });

  test('index outside [0, children.length] is TREE_BAD_INDEX', () => {
    const t = sample();
    rejects(t, [1, 'a', 3, n('x')], 'TREE_BAD_INDEX');
    rejects(t, [1, 'a', -1, n('x')], 'TREE_BAD_INDEX');
    rejects(t, [1, 'a', 0.5, n('x')], 'TREE_BAD_INDEX');
    rejects(t, [1, 'a', Number.NaN, n('x')], 'TREE_BAD_INDEX');
  });

  test('unknown parent is TREE_UNKNOWN_ID', () => rejects(sample(), [1, 'zz', 0, n('x')], 'TREE_UNKNOWN_ID'));

  test('a subtree whose ids collide with the tree, or with each other, is TREE_DUPLICATE_ID', () => {
    const t = sample();
    rejects(t, [1, 'a', 0, n('b1')], 'TREE_DUPLICATE_ID');
    rejects(t, [1, 'a', 0, n('x', [n('y'), n('a2')])], 'TREE_DUPLICATE_ID');
    rejects(t, [1, 'a', 0, n('x', [n('y'), n('y')])], 'TREE_DUPLICATE_ID');
    assert.equal(t.has('x'), false);
  });

  test('a malformed subtree is TREE_BAD_OP', () => {
    const t = sample();
    rejects(t, [1, 'a', 0, n('x', [{ id: 'y' } as NodeSnapshot])], 'TREE_BAD_OP');
    rejects(t, [1, 'a', 0, n('x', [], { v: null as never })], 'TREE_BAD_OP');
  });

  test('a subtree reaching past the depth limit is TREE_TOO_DEEP', () => {
    const t = sample(); // a1 is at depth 3
    rejects(t, [1, 'a1', 0, chain('c', MAX_TREE_DEPTH - 2)], 'TREE_TOO_DEEP');
    t.apply([1, 'a1', 0, chain('c', MAX_TREE_DEPTH - 3)]);
    assert.equal(t.has(`c${MAX_TREE_DEPTH - 4}`), true);
  });
});

describe('§3.3 remove', () => {
  test('removes the whole subtree and its ids from the index', () => {
    const t = sample();
    const a = t.get('a');
    t.apply([2, 'a']);
    assert.deepEqual(childIds(t, 'root'), ['b']);
    for (const id of ['a', 'a1', 'a2']) assert.equal(t.has(id), false);
    assert.equal(t.size, 3);
    assert.equal(a?.parent, null);
  });

  test('removed ids can be inserted again', () => {
    const t = sample();
    t.apply([2, 'a']);
    t.apply([1, 'b', 0, n('a1', [n('a')])]);
    assert.deepEqual(childIds(t, 'b'), ['a1', 'b1']);
    assert.equal(t.get('a')?.parent?.id, 'a1');
  });

  test('the root is TREE_REMOVE_ROOT', () => rejects(sample(), [2, 'root'], 'TREE_REMOVE_ROOT'));
  test('unknown id is TREE_UNKNOWN_ID', () => rejects(sample(), [2, 'zz'], 'TREE_UNKNOWN_ID'));
});

describe('§3.4 move', () => {
  test('moves a subtree to another parent', () => {
    const t = sample();
    t.apply([3, 'a', 'b', 1]);
    assert.deepEqual(childIds(t, 'root'), ['b']);
    assert.deepEqual(childIds(t, 'b'), ['b1', 'a']);
    assert.equal(t.get('a')?.parent?.id, 'b');
    assert.equal(t.get('a1')?.parent?.id, 'a');
  });

  test('the index counts positions after the node is detached', () => {
    const t = new Tree(n('root', [n('p'), n('q'), n('r'), n('s')]));
    t.apply([3, 'p', 'root', 3]); // detached: [q r s]; index 3 = the end
    assert.deepEqual(childIds(t, 'root'), ['q', 'r', 's', 'p']);
    t.apply([3, 'p', 'root', 0]);
    assert.deepEqual(childIds(t, 'root'), ['p', 'q', 'r', 's']);
    t.apply([3, 'q', 'root', 2]);
    assert.deepEqual(childIds(t, 'root'), ['p', 'r', 'q', 's']);
    rejects(t, [3, 'p', 'root', 4], 'TREE_BAD_INDEX');
  });

  test('moving to the current position changes nothing', () => {
    const t = sample();
    const hash = t.rootHash;
    t.apply([3, 'a2', 'a', 1]);
    assert.equal(t.rootHash, hash);
    assert.deepEqual(childIds(t, 'a'), ['a1', 'a2']);
  });

  test('index past the new parent’s child count is TREE_BAD_INDEX', () => {
    rejects(sample(), [3, 'a', 'b', 2], 'TREE_BAD_INDEX');
    rejects(sample(), [3, 'a', 'b', -1], 'TREE_BAD_INDEX');
  });

  test('into itself or a descendant is TREE_CYCLE', () => {
    const t = sample();
    rejects(t, [3, 'a', 'a', 0], 'TREE_CYCLE');
    rejects(t, [3, 'a', 'a1', 0], 'TREE_CYCLE');
  });

  test('the root is TREE_MOVE_ROOT', () => rejects(sample(), [3, 'root', 'b', 0], 'TREE_MOVE_ROOT'));

  test('unknown node or parent is TREE_UNKNOWN_ID', () => {
    rejects(sample(), [3, 'zz', 'b', 0], 'TREE_UNKNOWN_ID');
    rejects(sample(), [3, 'a', 'zz', 0], 'TREE_UNKNOWN_ID');
  });

  test('a move that would pass the depth limit is TREE_TOO_DEEP; a shallower one is fine', () => {
    // root ─ deep chain d0…d(M-3) ; x ─ tall chain t0…t9
    const t = new Tree(n('root', [chain('d', MAX_TREE_DEPTH - 2), n('x', [chain('t', 10)])]));
    rejects(t, [3, 'x', `d${MAX_TREE_DEPTH - 3}`, 0], 'TREE_TOO_DEEP');
    t.apply([3, 'x', 'd100', 0]);
    t.apply([3, 'x', 'root', 0]);
    assert.deepEqual(childIds(t, 'root'), ['x', 'd0']);
  });
});

describe('§3.5 applying a batch', () => {
  test('applies ops in order', () => {
    const t = sample();
    t.applyBatch([
      [1, 'root', 2, n('c')],
      [3, 'a1', 'c', 0],
      [0, 'a1', { moved: true }],
      [2, 'b'],
    ]);
    assert.deepEqual(t.toSnapshot(), n('root', [n('a', [n('a2')], { x: 1 }), n('c', [n('a1', [], { moved: true })])], {}, 'root'));
  });

  test('names the failing op index; earlier ops stay applied, the failing one changed nothing', () => {
    const t = sample();
    try {
      t.applyBatch([
        [0, 'a', { y: 1 }],
        [2, 'b'],
        [3, 'a', 'a2', 0],
        [0, 'a', { z: 1 }],
      ]);
      assert.fail('expected a throw');
    } catch (e) {
      assert.ok(e instanceof TreeError);
      assert.equal(e.code, 'TREE_CYCLE');
      assert.equal(e.opIndex, 2);
    }
    assert.deepEqual(t.toSnapshot(), n('root', [n('a', [n('a1'), n('a2')], { x: 1, y: 1 })], {}, 'root'));
  });

  test('malformed ops are TREE_BAD_OP', () => {
    const t = sample();
    for (const op of [null, [], [9, 'a'], [0, 'a'], [2, 'a', 'extra'], [2, 5], [3, 'a', 'b'], 'x']) {
      rejects(t, op as unknown as Op, 'TREE_BAD_OP');
    }
    assert.throws(() => t.applyBatch(null as never), { code: 'TREE_BAD_OP' });
  });
});
