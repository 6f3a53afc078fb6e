// Quick micro-benchmark (not a test): `node --import tsx packages/tree/bench/tree-bench.ts`.
// Builds a ~18k-node tree, hashes it from scratch, applies random set ops with hash reads,
// and diffs after one change. Prints timings; asserts correctness of what it measures.

import assert from 'node:assert/strict';
import { diff, OpBatch, Tree, type NodeSnapshot, type Op } from '../src/index.ts';
import { Prng } from '../test/prng.ts';

function wide(fanout: number, depth: number): NodeSnapshot {
  let next = 0;
  const make = (level: number): NodeSnapshot => ({
    id: `n${next++}`,
    type: level === depth ? 'param' : 'group',
    attrs: { name: `node ${next}`, value: next * 0.5, on: (next & 1) === 0, tags: ['a', 'b'] },
    children: level === depth ? [] : Array.from({ length: fanout }, () => make(level + 1)),
  });
  return make(1);
}

function time<T>(label: string, reps: number, body: () => T): T {
  let out: T = body();
  const start = performance.now();
  for (let i = 0; i < reps; i++) out = body();
  const ms = (performance.now() - start) / reps;
  console.log(`${label.padEnd(44)} ${ms.toFixed(3)} ms`);
  return out;
}

const snap = wide(26, 4);
const tree = new Tree(snap);
console.log(`nodes: ${tree.size}`);
time('build Tree from snapshot', 10, () => new Tree(snap));
time('hash from scratch (build + rootHash)', 10, () => new Tree(snap).rootHash);
time('toSnapshot', 10, () => tree.toSnapshot());

const rng = new Prng(1);
const ids = [...Array(tree.size).keys()].map((i) => `n${i}`);
time('1000 set ops + rootHash after each', 5, () => {
  for (let i = 0; i < 1000; i++) {
    tree.apply([0, rng.pick(ids), { value: rng.next() }]);
    void tree.rootHash;
  }
});

const b = new Tree(tree.toSnapshot());
b.apply([0, 'n9000', { value: -1 }]);
void b.rootHash;
const ops = time('diff after one change', 100, () => diff(tree, b));
assert.equal(ops.length, 1);

const batch = new OpBatch();
const setOps: Op[] = Array.from({ length: 10_000 }, () => [0, rng.pick(ids.slice(0, 200)), { value: rng.int(100) }]);
time('OpBatch: 10k sets on 200 ids, take()', 10, () => {
  for (const op of setOps) batch.push(op);
  return batch.take();
});
