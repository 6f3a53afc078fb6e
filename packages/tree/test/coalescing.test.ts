import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { OpBatch, Tree, type NodeSnapshot, type Op, type TreeNode } from '../src/index.ts';
import { allNodes, applyTracked, copyTree, counterIds, IdPool, randomAttrs, randomOp, randomSnapshot } from '../src/testing.ts';
import { forSeeds, type Prng } from '@tidewire/random';
import { throwsNaming } from './helpers.ts';

const n = (id: string, children: NodeSnapshot[] = [], attrs: NodeSnapshot['attrs'] = {}): NodeSnapshot => ({
  id,
  type: 't',
  attrs,
  children,
});

/** root ─ a ─ a1 ; b */
const sample = (): Tree => new Tree(n('root', [n('a', [n('a1')]), n('b')]));

function coalesce(ops: Op[]): Op[] {
  const batch = new OpBatch();
  for (const op of ops) batch.push(op);
  const length = batch.length;
  const out = batch.take();
  assert.equal(out.length, length);
  assert.equal(batch.length, 0);
  return out;
}

/** Applies raw and coalesced ops to copies of tree and requires identical results. */
function assertSameEffect(tree: Tree, ops: Op[], coalesced: Op[]): void {
  const raw = copyTree(tree);
  raw.applyBatch(ops);
  const co = copyTree(tree);
  co.applyBatch(coalesced);
  assert.deepEqual(co.toSnapshot(), raw.toSnapshot());
  assert.equal(co.rootHash, raw.rootHash);
}

function isInside(node: TreeNode, ancestor: TreeNode): boolean {
  for (let x: TreeNode | null = node; x !== null; x = x.parent) if (x === ancestor) return true;
  return false;
}

/** Like randomOp, but half the time aimed at nodes inserted by this batch, to exercise the
 *  insert/remove cancellation and what may or may not cross a new subtree's edge. */
function batchOp(rng: Prng, tree: Tree, pool: IdPool, recent: string[]): Op {
  const live = recent.filter((id) => tree.has(id));
  if (live.length === 0 || rng.bool(0.5)) return randomOp(rng, tree, pool);
  const target = tree.get(rng.pick(live)) as TreeNode;
  const nodes = allNodes(tree);
  switch (rng.int(5)) {
    case 0:
      return [0, target.id, { ...randomAttrs(rng), gone: rng.bool() ? null : 1 }];
    case 1:
      return [2, target.id];
    case 2: {
      const fresh = (): string => {
        let id = pool.fresh(rng);
        while (tree.has(id)) id = pool.next();
        return id;
      };
      return [1, target.id, rng.int(target.children.length + 1), randomSnapshot(rng, 1 + rng.int(3), fresh, 2)];
    }
    case 3: {
      // move the recent node (or something inside it) somewhere
      const inner = allNodes(tree).filter((x) => isInside(x, target) && x.parent !== null);
      const node = rng.pick(inner);
      const targets = nodes.filter((x) => !isInside(x, node));
      const parent = rng.bool(0.5) ? rng.pick(targets.filter((x) => isInside(x, target)).concat(targets[0])) : rng.pick(targets);
      return [3, node.id, parent.id, rng.int(parent.children.length - (node.parent === parent ? 1 : 0) + 1)];
    }
    default: {
      // move something from outside into the recent node's subtree
      const outside = nodes.filter((x) => x.parent !== null && !isInside(target, x));
      if (outside.length === 0) return randomOp(rng, tree, pool);
      const node = rng.pick(outside);
      return [3, node.id, target.id, rng.int(target.children.length - (node.parent === target ? 1 : 0) + 1)];
    }
  }
}

describe('§6 coalescing', () => {
  test('property: the coalesced batch has the same effect as the raw ops', () => {
    let rawTotal = 0;
    let coalescedTotal = 0;
    forSeeds(300, (rng) => {
      const start = new Tree(randomSnapshot(rng, 1 + rng.int(25), counterIds()));
      const work = copyTree(start);
      const pool = new IdPool('x');
      const recent: string[] = [];
      const ops: Op[] = [];
      for (let i = 1 + rng.int(40); i > 0; i--) {
        const op = batchOp(rng, work, pool, recent);
        applyTracked(work, op, pool);
        if (op[0] === 1) recent.push(op[3].id);
        ops.push(op);
      }
      const frozen = JSON.stringify(ops, (_k, v: unknown) => (v instanceof Uint8Array ? [...v] : v));
      const coalesced = coalesce(ops);
      assert.equal(
        JSON.stringify(ops, (_k, v: unknown) => (v instanceof Uint8Array ? [...v] : v)),
        frozen,
        'push() mutated an op',
      );
      assertSameEffect(start, ops, coalesced);
      rawTotal += ops.length;
      coalescedTotal += coalesced.length;
    });
    assert.ok(coalescedTotal < rawTotal * 0.9, `coalescing removed too little: ${coalescedTotal}/${rawTotal}`);
  });

  test('repeated sets of one id become one set with the last value per attribute', () => {
    const first: Op = [0, 'a', { x: 1, y: 1 }];
    const ops: Op[] = [first, [0, 'b', { q: 1 }], [0, 'a', { x: 2 }], [0, 'a', { y: null, z: 'z' }]];
    const out = coalesce(ops);
    assert.deepEqual(out, [
      [0, 'a', { x: 2, y: null, z: 'z' }],
      [0, 'b', { q: 1 }],
    ]);
    assert.deepEqual(first, [0, 'a', { x: 1, y: 1 }], 'the pushed op was mutated');
    assertSameEffect(sample(), ops, out);
  });

  test('sets followed by a remove of that id are dropped', () => {
    const ops: Op[] = [
      [0, 'a1', { x: 1 }],
      [0, 'b', { y: 1 }],
      [0, 'a1', { x: 2 }],
      [2, 'a1'],
    ];
    const out = coalesce(ops);
    assert.deepEqual(out, [
      [0, 'b', { y: 1 }],
      [2, 'a1'],
    ]);
    assertSameEffect(sample(), ops, out);
  });

  test('a set before a remove/insert of the same id does not merge with a set after it', () => {
    // a1 leaves with its parent and comes back inside a new subtree: two lives, two sets
    const ops: Op[] = [
      [0, 'a1', { x: 1 }],
      [2, 'a'],
      [1, 'root', 0, n('a', [n('a1', [], { k: 1 })])],
      [0, 'a1', { y: 2 }],
    ];
    const out = coalesce(ops);
    assert.deepEqual(out, ops);
    assertSameEffect(sample(), ops, out);
    // removed directly: the first set dies with it, the second belongs to the new node
    const ops2: Op[] = [
      [0, 'b', { x: 1 }],
      [2, 'b'],
      [1, 'root', 0, n('b')],
      [0, 'b', { y: 2 }],
    ];
    const out2 = coalesce(ops2);
    assert.deepEqual(out2, [
      [2, 'b'],
      [1, 'root', 0, n('b')],
      [0, 'b', { y: 2 }],
    ]);
    assertSameEffect(sample(), ops2, out2);
  });

  test('an insert later removed drops both, with the ops inside the subtree in between', () => {
    const ops: Op[] = [
      [1, 'b', 0, n('x', [n('y'), n('z')])],
      [0, 'y', { v: 1 }],
      [0, 'a', { kept: true }],
      [1, 'y', 0, n('w')],
      [3, 'z', 'w', 0],
      [0, 'x', { v: 2 }],
      [2, 'z'],
      [3, 'x', 'a1', 0], // moving the inserted root itself carries the whole subtree
      [2, 'x'],
    ];
    const out = coalesce(ops);
    assert.deepEqual(out, [[0, 'a', { kept: true }]]);
    assertSameEffect(sample(), ops, out);
  });

  test('nothing is dropped when an op moved something out of the inserted subtree', () => {
    const ops: Op[] = [
      [1, 'b', 0, n('x', [n('y')])],
      [3, 'y', 'root', 0],
      [2, 'x'],
    ];
    const out = coalesce(ops);
    assert.deepEqual(out, ops);
    assertSameEffect(sample(), ops, out);
  });

  test('nothing is dropped when an op moved something into the inserted subtree', () => {
    const ops: Op[] = [
      [1, 'b', 0, n('x')],
      [3, 'a1', 'x', 0],
      [2, 'x'],
    ];
    const out = coalesce(ops);
    assert.deepEqual(out, ops);
    assertSameEffect(sample(), ops, out);
  });

  test('nothing is dropped when a later index into the same parent counted the inserted node', () => {
    const ops: Op[] = [
      [1, 'root', 0, n('x')],
      [1, 'root', 2, n('y')],
      [2, 'x'],
    ];
    const out = coalesce(ops);
    assert.deepEqual(out, ops);
    assertSameEffect(sample(), ops, out);
  });

  test('§6 moving the inserted root within its own parent does not stop the cancel', () => {
    // The move's index counts positions after x is detached, so it never counted x.
    const ops: Op[] = [
      [1, 'root', 0, n('x')],
      [3, 'x', 'root', 2],
      [0, 'x', { v: 1 }],
      [2, 'x'],
    ];
    assert.deepEqual(coalesce(ops), []);
    assertSameEffect(sample(), ops, []);
  });

  test('§6 §2 a merged "__proto__" key stays an ordinary key, so the op fails in apply as it would have', () => {
    const evil = JSON.parse('{"__proto__": {"y": 1}}') as Record<string, never>;
    const out = coalesce([
      [0, 'a', { x: 1 }],
      [0, 'a', evil],
    ]);
    assert.equal(out.length, 1);
    const merged = out[0]![2] as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(merged), Object.prototype);
    assert.deepEqual(Object.keys(merged), ['x', '__proto__']);
    assert.deepEqual(Object.getOwnPropertyDescriptor(merged, '__proto__'), { value: { y: 1 }, enumerable: true, writable: true, configurable: true });
    throwsNaming(() => sample().apply(out[0]!), 'TREE_BAD_OP', [/\battribute name "__proto__"/]);
  });

  test('§6 push refuses what is not an op, naming it', () => {
    const batch = new OpBatch();
    throwsNaming(() => batch.push(null as never), 'TREE_BAD_OP', [/\bop must be an array, got null\b/]);
    throwsNaming(() => batch.push([9, 'a'] as never), 'TREE_BAD_OP', [/\bunknown op code 9\b/]);
    assert.equal(batch.length, 0);
  });

  test('take() empties the batch', () => {
    const batch = new OpBatch();
    batch.push([0, 'a', { x: 1 }]);
    batch.push([0, 'a', { x: 2 }]);
    assert.equal(batch.length, 1);
    assert.deepEqual(batch.take(), [[0, 'a', { x: 2 }]]);
    assert.deepEqual(batch.take(), []);
    batch.push([0, 'a', { x: 3 }]);
    assert.deepEqual(batch.take(), [[0, 'a', { x: 3 }]]);
  });
});
