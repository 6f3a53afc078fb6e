import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { diff, MAX_TREE_DEPTH, Tree, TreeError, type NodeSnapshot, type Op } from '../src/index.ts';
import { allNodes, applyTracked, copyTree, counterIds, dirtyCount, IdPool, randomOp, randomSnapshot } from '../src/testing.ts';
import { forSeeds, type Prng } from '@tidewire/random';
import { Buffer } from 'node:buffer';
import { throwsNaming } from './helpers.ts';

const n = (id: string, children: NodeSnapshot[] = [], attrs: NodeSnapshot['attrs'] = {}, type = 't'): NodeSnapshot => ({
  id,
  type,
  attrs,
  children,
});

/** diff(a, b) applied to a copy of a must give b exactly; a itself must not change. */
function assertConverges(a: Tree, b: Tree): Op[] {
  const before = a.toSnapshot();
  const ops = diff(a, b);
  assert.deepEqual(a.toSnapshot(), before, 'diff changed its input');
  const c = copyTree(a);
  c.applyBatch(ops);
  assert.deepEqual(c.toSnapshot(), b.toSnapshot());
  assert.equal(c.rootHash, b.rootHash);
  return ops;
}

function mutate(rng: Prng, tree: Tree, steps: number, pool: IdPool): void {
  for (let i = 0; i < steps; i++) {
    try {
      applyTracked(tree, randomOp(rng, tree, pool), pool);
    } catch (e) {
      if (!(e instanceof TreeError && e.code === 'TREE_TOO_DEEP')) throw e;
    }
  }
}

/** Changes the type of some non-root nodes: no op can do that, so diff has to replace them. */
function retype(rng: Prng, snap: NodeSnapshot, p: number): NodeSnapshot {
  const walk = (node: NodeSnapshot, isRoot: boolean): NodeSnapshot => ({
    ...node,
    type: !isRoot && rng.bool(p) ? `${node.type}*` : node.type,
    children: node.children.map((c) => walk(c, false)),
  });
  return walk(snap, true);
}

function chain(prefix: string, levels: number, leafChildren: NodeSnapshot[] = []): NodeSnapshot {
  let node = n(`${prefix}${levels - 1}`, leafChildren);
  for (let i = levels - 2; i >= 0; i--) node = n(`${prefix}${i}`, [node]);
  return node;
}

/** A complete tree: fanout^0 + … + fanout^(levels-1) nodes. */
function wide(fanout: number, levels: number): NodeSnapshot {
  let next = 0;
  const make = (level: number): NodeSnapshot =>
    n(`n${next++}`, level === levels ? [] : Array.from({ length: fanout }, () => make(level + 1)), { v: next, name: `node ${next}` });
  return make(1);
}

describe('§5 diff', () => {
  test('equal trees give no ops', () => {
    forSeeds(5, (rng) => {
      const a = new Tree(randomSnapshot(rng, 50, counterIds()));
      assert.deepEqual(diff(a, copyTree(a)), []);
      assert.deepEqual(diff(a, a), []);
    });
  });

  test('property: random mutations of a (sets, inserts, removes, moves, re-used ids)', () => {
    forSeeds(150, (rng) => {
      const a = new Tree(randomSnapshot(rng, 1 + rng.int(60), counterIds()));
      const b = copyTree(a);
      mutate(rng, b, 1 + rng.int(40), new IdPool('x'));
      assertConverges(a, b);
    });
  });

  test('property: types changed as well (nodes replaced, their children kept)', () => {
    forSeeds(60, (rng) => {
      const a = new Tree(randomSnapshot(rng, 2 + rng.int(40), counterIds()));
      const b = copyTree(a);
      mutate(rng, b, rng.int(20), new IdPool('x'));
      assertConverges(a, new Tree(retype(rng, b.toSnapshot(), 0.2)));
    });
  });

  test('property: unrelated trees over the same ids', () => {
    forSeeds(60, (rng) => {
      const a = new Tree(randomSnapshot(rng, 1 + rng.int(40), counterIds(), 1 + rng.int(5)));
      const b = new Tree(randomSnapshot(rng, 1 + rng.int(40), counterIds(), 1 + rng.int(5)));
      assertConverges(a, b);
    });
  });

  test('a single op gives at most one op back', () => {
    forSeeds(100, (rng) => {
      const a = new Tree(randomSnapshot(rng, 2 + rng.int(60), counterIds(), 8));
      const b = copyTree(a);
      b.apply(randomOp(rng, b, new IdPool('x')));
      assert.ok(assertConverges(a, b).length <= 1);
    });
  });

  test('a reordered child list keeps its longest ordered run in place', () => {
    const ids = Array.from({ length: 100 }, (_, i) => `c${i}`);
    const a = new Tree(
      n(
        'r',
        ids.map((id) => n(id)),
      ),
    );
    const moved = [...ids.slice(1, 50), ids[0], ...ids.slice(50)];
    const b = new Tree(
      n(
        'r',
        moved.map((id) => n(id)),
      ),
    );
    assert.deepEqual(assertConverges(a, b), [[3, 'c0', 'r', 49]]);
    const reversed = new Tree(
      n(
        'r',
        [...ids].reverse().map((id) => n(id)),
      ),
    );
    assert.equal(assertConverges(a, reversed).length, 99);
  });

  test('keeps the depth limit while reshaping: a tall subtree moved deep is emptied first', () => {
    // a: root ─ d0 … d(M-3) ; x ─ t0 … t99.   b: x under d(M-3) as a leaf, t0… under the root.
    const deep = MAX_TREE_DEPTH - 2;
    const a = new Tree(n('root', [chain('d', deep), n('x', [chain('t', 100)])]));
    const b = new Tree(n('root', [chain('d', deep, [n('x')]), chain('t', 100)]));
    assertConverges(a, b);
    // and the same through random moves near the limit
    forSeeds(20, (rng) => {
      const ta = new Tree(n('root', [chain('d', 150), chain('e', 120), chain('f', 90)]));
      const tb = copyTree(ta);
      mutate(rng, tb, 30, new IdPool('x'));
      assertConverges(ta, tb);
      assertConverges(tb, ta);
    });
  });

  test('§5 §2 a set carries exactly the attributes whose values differ (NaN, -0, binary by bytes, maps in any order)', () => {
    const u8 = (...xs: number[]) => new Uint8Array(xs);
    type V = NodeSnapshot['attrs'][string];
    // [a's value, b's value, equal?]; `z` differs on every pair so the hashes differ and diff compares values.
    const pairs: [V, V, boolean][] = [
      [Number.NaN, Number.NaN, true],
      [0, -0, true],
      [1, 2, false],
      [1, Number.NaN, false],
      [Number.NaN, 1, false],
      [1, '1', false],
      ['1', 1, false],
      [true, 1, false],
      ['x', ['x'], false],
      [['x'], 'x', false],
      [u8(1, 2), Buffer.from([1, 2]), true],
      [[u8(7)], [Buffer.from([7])], true],
      [u8(1, 2), u8(1, 3), false],
      [u8(1, 2), u8(1, 2, 3), false],
      [u8(1, 2), [1, 2], false],
      [[1, 2], u8(1, 2), false],
      [{ a: 1 }, u8(1), false],
      [[1, [2, Number.NaN]], [1, [2, Number.NaN]], true],
      [[1, 2], [1, 3], false],
      [[1], [1, 2], false],
      [[1, 2], { 0: 1, 1: 2, length: 2 }, false],
      [{ 0: 1 }, [1], false],
      [{ a: 1, b: { c: [2] } }, { b: { c: [2] }, a: 1 }, true],
      [{ a: 1 }, { b: 1 }, false],
      [{ a: 1 }, { a: 2 }, false],
      [{ a: 1 }, { a: 1, b: 1 }, false],
      [{ a: 1, b: 1 }, { a: 1 }, false],
    ];
    for (const [av, bv, equal] of pairs) {
      const a = new Tree(n('r', [n('x', [], { v: av, z: 0 })]));
      const b = new Tree(n('r', [n('x', [], { v: bv, z: 1 })]));
      const ops = diff(a, b);
      const expected: Record<string, unknown> = equal ? { z: 1 } : { v: bv, z: 1 };
      assert.deepEqual(ops, [[0, 'x', expected]], `${String(av)} vs ${String(bv)}`);
    }
  });

  test('§5 §4 a subtree counts as unchanged only when both hash lanes match', () => {
    // Found by a birthday search over {v: i} and frozen: each pair agrees in one 32-bit lane only.
    const leafHash = (v: number) => new Tree(n('x', [], { v })).rootHash;
    assert.equal(leafHash(51683).slice(0, 8), leafHash(72333).slice(0, 8));
    assert.notEqual(leafHash(51683).slice(8), leafHash(72333).slice(8));
    assert.equal(leafHash(1512).slice(8), leafHash(23646).slice(8));
    assert.notEqual(leafHash(1512).slice(0, 8), leafHash(23646).slice(0, 8));
    for (const [va, vb] of [
      [51683, 72333],
      [1512, 23646],
    ]) {
      const ops = assertConverges(new Tree(n('r', [n('x', [], { v: va! })])), new Tree(n('r', [n('x', [], { v: vb! })])));
      assert.deepEqual(ops, [[0, 'x', { v: vb }]]);
    }
  });

  test('§5 a child list of the same length in another order is reordered', () => {
    const a = new Tree(n('r', [n('x'), n('y'), n('z')]));
    const b = new Tree(n('r', [n('z'), n('x'), n('y')]));
    assert.deepEqual(assertConverges(a, b), [[3, 'z', 'r', 0]]);
  });

  test('§5 a changed subtree moved deeper where it just fits is moved, not emptied first', () => {
    // d0 … d(M-5) sit at depths 2 … M-3; x's subtree is 3 levels: under d(M-5) it reaches exactly level M.
    const deep = MAX_TREE_DEPTH - 4;
    const a = new Tree(n('root', [chain('d', deep), n('x', [chain('t', 2)], { v: 1 })]));
    const b = new Tree(n('root', [chain('d', deep, [n('x', [chain('t', 2)], { v: 2 })])]));
    assert.deepEqual(assertConverges(a, b), [
      [3, 'x', `d${deep - 1}`, 0],
      [0, 'x', { v: 2 }],
    ]);
  });

  test('§5 roots that differ are named in TREE_ROOT_MISMATCH', () => {
    throwsNaming(() => diff(new Tree(n('r')), new Tree(n('s', [], {}, 'u'))), 'TREE_ROOT_MISMATCH', [/"r":"t" vs "s":"u"/]);
  });

  test('roots that differ in id or type are TREE_ROOT_MISMATCH', () => {
    assert.throws(() => diff(new Tree(n('r')), new Tree(n('s'))), { code: 'TREE_ROOT_MISMATCH' });
    assert.throws(() => diff(new Tree(n('r')), new Tree(n('r', [], {}, 'u'))), { code: 'TREE_ROOT_MISMATCH' });
  });

  test('cost: one changed attribute in an 18k-node tree visits O(depth × fanout) nodes', () => {
    const fanout = 26;
    const levels = 4;
    const snap = wide(fanout, levels); // 1 + 26 + 676 + 17576 = 18279 nodes
    const a = new Tree(snap);
    const b = new Tree(snap);
    assert.equal(a.size, 18279);
    const leafId = allNodes(b).find((x) => x.children.length === 0 && x.parent?.parent?.id !== 'n1')?.id as string;
    b.apply([0, leafId, { v: -1 }]);
    void a.rootHash;
    void b.rootHash; // hashes are maintained by the trees; diff only reads them

    // No node is dirty, so diff cannot recompute a hash: it only reads them.
    assert.equal(dirtyCount(a) + dirtyCount(b), 0);
    let visited = 0;
    const ops = diff(a, b, { onVisit: () => visited++ });
    assert.deepEqual(ops, [[0, leafId, { v: -1 }]]);
    assert.ok(visited <= 1 + (levels - 1) * fanout, `visited ${visited}`);
    assert.ok(visited > levels, `visited ${visited}: at least the path to the leaf`);

    // a subtree of 677 nodes moved to the end of the root: one move, and none of it entered
    const c = new Tree(snap);
    c.apply([3, 'n1', 'n0', fanout - 1]);
    void c.rootHash;
    visited = 0;
    assert.deepEqual(diff(a, c, { onVisit: () => visited++ }), [[3, 'n1', 'n0', fanout - 1]]);
    assert.ok(visited <= 1 + fanout, `visited ${visited}`);
  });
});
