import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MAX_TREE_DEPTH, Tree, TreeError, type NodeSnapshot, type Op, type TreeErrorCode } from '../src/index.ts';
import { dirtyCount } from '../src/testing.ts';
import { throwsNaming } from './helpers.ts';

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

describe('§8 op errors name the op, the ids and the value at fault', () => {
  const fails = (op: unknown, code: TreeErrorCode, names: RegExp[]) => {
    const t = sample();
    throwsNaming(() => t.apply(op as Op), code, names);
  };

  test('§3 the op’s shape: its kind, element count and code', () => {
    fails(null, 'TREE_BAD_OP', [/\bop must be an array, got null\b/]);
    fails([9, 'a'], 'TREE_BAD_OP', [/\bunknown op code 9\b/]);
    fails([0, 'a', { y: 1 }, 'extra'], 'TREE_BAD_OP', [/\bset op must have 3 elements, got 4\b/]);
    fails([1, 'root', 0, n('c'), 'extra'], 'TREE_BAD_OP', [/\binsert op must have 4 elements, got 5\b/]);
    fails([2, 'a', 'extra'], 'TREE_BAD_OP', [/\bremove op must have 2 elements, got 3\b/]);
    fails([3, 'a1', 'b', 0, 'extra'], 'TREE_BAD_OP', [/\bmove op must have 4 elements, got 5\b/]);
    fails([2, 5], 'TREE_BAD_OP', [/\bremove: id must be a string, got 5\b/]);
    fails([0, 'a', []], 'TREE_BAD_OP', [/\bset "a": set attrs must be a map, got array\b/]);
    // A well-formed op with an extra element is refused as a whole: nothing of it applies.
    const t = sample();
    throwsNaming(() => t.apply([0, 'a', { y: 1 }, 'extra'] as unknown as Op), 'TREE_BAD_OP');
    assert.deepEqual(t.get('a')?.attrs, { x: 1 });
    throwsNaming(() => t.apply([1, 'root', 0, n('c'), 'extra'] as unknown as Op), 'TREE_BAD_OP');
    assert.equal(t.has('c'), false);
  });

  test('§3 unknown ids name the operation and the id', () => {
    fails([0, 'zz', { x: 1 }], 'TREE_UNKNOWN_ID', [/\bset: unknown node id "zz"/]);
    fails([1, 'zz', 0, n('c')], 'TREE_UNKNOWN_ID', [/\binsert: unknown node id "zz"/]);
    fails([2, 'zz'], 'TREE_UNKNOWN_ID', [/\bremove: unknown node id "zz"/]);
    fails([3, 'zz', 'a', 0], 'TREE_UNKNOWN_ID', [/\bmove: unknown node id "zz"/]);
    fails([3, 'a1', 'zz', 0], 'TREE_UNKNOWN_ID', [/\bmove: unknown node id "zz"/]);
    throwsNaming(() => sample().hashOf('zz'), 'TREE_UNKNOWN_ID', [/\bhashOf: unknown node id "zz"/]);
    throwsNaming(() => sample().snapshotOf('zz'), 'TREE_UNKNOWN_ID', [/\bsnapshotOf: unknown node id "zz"/]);
  });

  test('§3.2 §3.4 indexes, cycles, the root and depth name the ids and the range', () => {
    fails([1, 'a', 3, n('c')], 'TREE_BAD_INDEX', [/\binsert under "a": index 3 outside \[0, 2\]/]);
    fails([1, 'a', '0', n('c')], 'TREE_BAD_INDEX', [/\bindex "0" outside\b/]);
    fails([3, 'a1', 'b', 2], 'TREE_BAD_INDEX', [/\bmove "a1" under "b": index 2 outside \[0, 1\]/]);
    fails([3, 'a1', 'b', '0'], 'TREE_BAD_INDEX', [/\bindex "0" outside\b/]);
    fails([3, 'a', 'a2', 0], 'TREE_CYCLE', [/\bcannot move "a" into "a2"/]);
    fails([2, 'root'], 'TREE_REMOVE_ROOT', [/\broot "root"/]);
    fails([3, 'root', 'b', 0], 'TREE_MOVE_ROOT', [/\broot "root"/]);
    const t = new Tree(n('root', [chain('d', MAX_TREE_DEPTH - 2), n('x', [chain('t', 10)])]));
    throwsNaming(() => t.apply([3, 'x', `d${MAX_TREE_DEPTH - 3}`, 0]), 'TREE_TOO_DEEP', [/\bmoving "x" under "d253" exceeds depth 256\b/]);
  });

  test('§3.4 a move one level deeper is checked against the depth limit too', () => {
    // root ─ p ─ x ─ chain of 253 (x's subtree is 254 levels, reaching depth 256), and q beside x:
    // moving x under q puts it one level deeper, at 257.
    const t = new Tree(n('root', [n('p', [n('x', [chain('c', MAX_TREE_DEPTH - 3)]), n('q')])]));
    throwsNaming(() => t.apply([3, 'x', 'q', 0]), 'TREE_TOO_DEEP', [/\bmoving "x" under "q"/]);
    t.apply([3, 'x', 'p', 1]); // the same level is fine
    assert.deepEqual(childIds(t, 'p'), ['q', 'x']);
  });

  test('§3.5 a batch names the failing op; an error that is not a TreeError passes through unchanged', () => {
    throwsNaming(() => sample().applyBatch(null as never), 'TREE_BAD_OP', [/\bops must be an array, got null\b/]);
    const err = throwsNaming(
      () =>
        sample().applyBatch([
          [0, 'a', { y: 1 }],
          [2, 'b'],
          [2, 'zz'],
        ]),
      'TREE_UNKNOWN_ID',
      [/^op 2: remove: unknown node id "zz"/],
    );
    assert.equal(err.opIndex, 2);
    const boom = new Error('boom');
    const trap = new Proxy([2, 'b'], {
      get(target, key, receiver) {
        if (key === '0') throw boom;
        return Reflect.get(target, key, receiver) as unknown;
      },
    });
    assert.throws(
      () => sample().applyBatch([trap as unknown as Op]),
      (e: unknown) => e === boom,
    );
  });
});

describe('§1 §3.2 snapshots and inserted subtrees name the node and the field', () => {
  const bad = (snap: unknown, names: RegExp[]) => throwsNaming(() => new Tree(snap as NodeSnapshot), 'TREE_BAD_SNAPSHOT', names);

  test('§1 new Tree: the node, its id, type, attrs and children', () => {
    bad(5, [/\bnode must be a map, got 5\b/]);
    bad({ ...n('r'), id: 1 }, [/\bnode id must be a string, got 1\b/]);
    bad({ ...n('r'), type: '' }, [/\btype of node "r" must not be empty\b/]);
    bad(n('r', [], { v: null as never }), [/\bnode "r": attrs\.v: null\b/]);
    bad({ ...n('r'), children: 'x' }, [/\bchildren of node "r" must be an array, got "x"/]);
    throwsNaming(() => new Tree(n('r', [n('a'), n('a')])), 'TREE_DUPLICATE_ID', [/\bduplicate node id "a"/]);
    throwsNaming(() => new Tree(chain('c', MAX_TREE_DEPTH + 1)), 'TREE_TOO_DEEP', [/\bnode "c256" would be at depth 257 > 256\b/]);
  });

  test('§3.2 insert: the same names, with TREE_BAD_OP', () => {
    const t = sample();
    throwsNaming(() => t.apply([1, 'b', 0, { ...n('c'), id: '' }]), 'TREE_BAD_OP', [/\bnode id must not be empty\b/]);
    throwsNaming(() => t.apply([1, 'b', 0, n('c', [n('d', [], { v: [null] as never })])]), 'TREE_BAD_OP', [/\bnode "d": attrs\.v: \[0\]: null\b/]);
    throwsNaming(() => t.apply([1, 'b', 0, n('a1')]), 'TREE_DUPLICATE_ID', [/\bduplicate node id "a1"/]);
  });
});

describe('§3.1 set keeps what it does not change', () => {
  test('§3.1 a changed attribute keeps its place among the others; a removed one leaves it', () => {
    const t = new Tree(n('r', [n('a', [], { x: 1, y: 2, z: 3 })]));
    t.apply([0, 'a', { x: 9 }]);
    assert.deepEqual(Object.keys(t.get('a')!.attrs), ['x', 'y', 'z']);
    t.apply([0, 'a', { y: null, w: 4 }]);
    assert.deepEqual(Object.keys(t.get('a')!.attrs), ['x', 'z', 'w']);
  });

  test('§3.1 §4 an empty set, and a move to where the node is, mark nothing for rehashing', () => {
    const t = sample();
    const attrs = t.get('a')!.attrs;
    void t.rootHash;
    t.apply([0, 'a', {}]);
    assert.equal(t.get('a')!.attrs, attrs, 'the attrs object is kept');
    assert.equal(dirtyCount(t), 0);
    t.apply([3, 'a2', 'a', 1]);
    assert.equal(dirtyCount(t), 0);
  });
});
