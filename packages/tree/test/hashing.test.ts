import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Buffer } from 'node:buffer';
import { Tree, type Attrs, type NodeSnapshot } from '../src/index.ts';
import { allNodes, dirtyCount, applyTracked, counterIds, IdPool, randomOp, randomSnapshot } from '../src/testing.ts';
import { forSeeds } from '@tidewire/random';

const leaf = (id: string, attrs: Attrs = {}, type = 't'): NodeSnapshot => ({ id, type, attrs, children: [] });
const hashOfAttrs = (attrs: Attrs): string => new Tree(leaf('x', attrs)).rootHash;
/** {k0: 0, …, k(n-1): n-1}, inserted in counting order (which is not the sorted order past k9). */
const manyKeys = (n: number): Attrs => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i]));

describe('§4 hashing', () => {
  test('a hash is 16 lowercase hex digits', () => {
    const t = new Tree({ id: 'r', type: 'root', attrs: { a: 1 }, children: [leaf('c')] });
    assert.match(t.rootHash, /^[0-9a-f]{16}$/);
    assert.match(t.hashOf('c'), /^[0-9a-f]{16}$/);
  });

  // Known answers pin the function: a change to the hash (or a runtime computing it
  // differently) shows up here, not as a silent ETag mismatch between server and browser.
  test('known-answer vectors', () => {
    const vectors: [NodeSnapshot, string][] = [
      [leaf('r', {}, 'root'), KAT[0]],
      [leaf('r', { s: 'héllo 🎵', i: -7, f: 0.1, b: true, n: [1, '1', false], m: { z: 1, a: 2 } }, 'root'), KAT[1]],
      [leaf('r', { bin: new Uint8Array([0, 1, 2, 3, 4, 255]) }, 'root'), KAT[2]],
      [{ id: 'r', type: 'root', attrs: {}, children: [leaf('a'), leaf('b', { x: 1 })] }, KAT[3]],
      [leaf('r', { i: 4 }, 'root'), KAT[4]], // lane 2 starts with a 0 digit: both lanes are zero-padded
      // binary with 3 tail bytes (one word each), NaN, and more than 32 keys (sorted another way)
      [leaf('r', { bin3: new Uint8Array([1, 2, 3]), bin7: new Uint8Array([1, 2, 3, 4, 5, 6, 7]), nan: Number.NaN, ...manyKeys(40) }, 'root'), KAT[5]],
    ];
    assert.deepEqual(
      vectors.map(([snap]) => new Tree(snap).rootHash),
      vectors.map(([, hex]) => hex),
    );
  });

  test('equal trees have equal hashes, whatever the attribute key order', () => {
    const a = new Tree({ id: 'r', type: 'root', attrs: { x: 1, y: { p: 1, q: [2] } }, children: [leaf('c', { k: 'v', j: 2 })] });
    const b = new Tree({ id: 'r', type: 'root', attrs: { y: { q: [2], p: 1 }, x: 1 }, children: [leaf('c', { j: 2, k: 'v' })] });
    assert.equal(a.rootHash, b.rootHash);
  });

  test('§4 more than 32 attribute keys hash the same in any order', () => {
    const keys = Object.entries(manyKeys(40));
    assert.equal(hashOfAttrs(Object.fromEntries(keys)), hashOfAttrs(Object.fromEntries(keys.reverse())));
  });

  test('child order matters', () => {
    const a = new Tree({ id: 'r', type: 'root', attrs: {}, children: [leaf('a'), leaf('b')] });
    const b = new Tree({ id: 'r', type: 'root', attrs: {}, children: [leaf('b'), leaf('a')] });
    assert.notEqual(a.rootHash, b.rootHash);
    assert.equal(a.hashOf('a'), b.hashOf('a'));
  });

  test('id, type and structure are hashed', () => {
    const base = new Tree({ id: 'r', type: 'root', attrs: {}, children: [leaf('a', {}, 't')] }).rootHash;
    assert.notEqual(new Tree({ id: 'r', type: 'root', attrs: {}, children: [leaf('b', {}, 't')] }).rootHash, base);
    assert.notEqual(new Tree({ id: 'r', type: 'root', attrs: {}, children: [leaf('a', {}, 'u')] }).rootHash, base);
    assert.notEqual(new Tree({ id: 'r', type: 'root', attrs: {}, children: [] }).rootHash, base);
    // "ab" + "c" vs "a" + "bc": length prefixes keep adjacent strings apart
    assert.notEqual(new Tree(leaf('ab', {}, 'c')).rootHash, new Tree(leaf('a', {}, 'bc')).rootHash);
    // a grandchild vs a second child
    const nested = new Tree({ id: 'r', type: 't', attrs: {}, children: [{ ...leaf('a'), children: [leaf('b')] }] });
    const flat = new Tree({ id: 'r', type: 't', attrs: {}, children: [leaf('a'), leaf('b')] });
    assert.notEqual(nested.rootHash, flat.rootHash);
  });

  test('type tags: values that look alike hash apart', () => {
    const distinct: Attrs[] = [
      { v: 1 },
      { v: '1' },
      { v: true },
      { v: false },
      { v: 0 },
      { v: '' },
      { v: 1.5 },
      { v: [1] },
      { v: new Uint8Array([1]) },
      { v: { 1: 1 } },
      { v: [] },
      { v: {} },
      { v: new Uint8Array(0) },
      { v: Number.NaN },
      { v: 2 ** 31 },
      { v: -(2 ** 31) },
      { v: [[1]] },
      { v: [1, 2] },
      { v: [[1, 2]] },
      { v1: 1 },
      {},
    ];
    const hashes = distinct.map(hashOfAttrs);
    assert.equal(new Set(hashes).size, hashes.length);
  });

  test('values that are equal hash equal: Buffer and Uint8Array, -0 and 0, every NaN', () => {
    assert.equal(hashOfAttrs({ v: Buffer.from([1, 2, 3]) }), hashOfAttrs({ v: new Uint8Array([1, 2, 3]) }));
    assert.equal(hashOfAttrs({ v: -0 }), hashOfAttrs({ v: 0 }));
    const otherNaN = new Float64Array(new Uint32Array([1, 0x7ff80000]).buffer)[0];
    assert.equal(hashOfAttrs({ v: otherNaN }), hashOfAttrs({ v: Number.NaN }));
  });

  test('incremental hashes equal hashes from scratch after random ops', () => {
    forSeeds(20, (rng) => {
      const t = new Tree(randomSnapshot(rng, 30 + rng.int(50), counterIds()));
      const pool = new IdPool('x');
      for (let step = 0; step < 150; step++) {
        applyTracked(t, randomOp(rng, t, pool), pool);
        if (rng.bool(0.3)) {
          const scratch = new Tree(t.toSnapshot());
          assert.equal(t.rootHash, scratch.rootHash);
          const some = rng.pick(allNodes(t));
          assert.equal(t.hashOf(some.id), scratch.hashOf(some.id));
        }
      }
      assert.equal(t.rootHash, new Tree(t.toSnapshot()).rootHash);
    });
  });

  test('a change recomputes only the hashes on its path to the root', () => {
    // root ─ 10 × g ─ 10 × leaf: a leaf sits at depth 3
    const snap: NodeSnapshot = { id: 'r', type: 'root', attrs: {}, children: [] };
    for (let i = 0; i < 10; i++) {
      snap.children.push({ id: `g${i}`, type: 'g', attrs: {}, children: Array.from({ length: 10 }, (_, j) => leaf(`l${i}.${j}`)) });
    }
    // A hash is recomputed exactly for the nodes marked dirty (ensureHash skips clean ones), so
    // the dirty count before and after a read is the number of hashes that read computed.
    const t = new Tree(snap);
    assert.equal(dirtyCount(t), 111);
    void t.rootHash;
    assert.equal(dirtyCount(t), 0);

    t.apply([0, 'l3.4', { v: 1 }]);
    t.apply([0, 'l3.5', { v: 1 }]);
    assert.equal(dirtyCount(t), 4); // two leaves, their parent, the root
    void t.rootHash;
    assert.equal(dirtyCount(t), 0);

    t.apply([3, 'l7.0', 'g2', 0]);
    assert.equal(dirtyCount(t), 3); // both parents and the root; the moved leaf keeps its hash
    void t.hashOf('g2');
    assert.equal(dirtyCount(t), 2);
    void t.rootHash;
    assert.equal(dirtyCount(t), 0);
    void t.rootHash;
    assert.equal(dirtyCount(t), 0);
  });
});

// Computed once by this implementation and frozen.
const KAT = ['b0f85de5e1241bb4', '96fd6b9db52efae9', '5aa2dfcd1554c4a5', '091213c8175d918f', '62c9a1ef07026318', '565bc05c0243d1c8'];
