// Random trees, values and valid ops for property tests: `@tidewire/tree/testing`, shared by this
// package's tests and the core sync test (test/core) so no test imports another's test/ folder.

import { Tree, type AttrValue, type Attrs, type NodeSnapshot, type Op, type TreeNode } from './index.ts';
import type { Prng } from '@tidewire/random';
import type { Node } from '../src/node.ts';

export function randomValue(rng: Prng, depth = 0): AttrValue {
  switch (rng.int(depth < 2 ? 9 : 6)) {
    case 0:
      return rng.pick(['', 'a', 'b', '1', 'héllo', '🎵', 'x'.repeat(rng.int(20))]);
    case 1:
      return rng.int(7) - 3;
    case 2:
      return rng.pick([1.5, -0.25, 1e20, 2 ** 40, 0.1 + 0.2]);
    case 3:
      return rng.bool();
    case 4:
      return Uint8Array.from({ length: rng.int(6) }, () => rng.int(256));
    case 5:
      return String(rng.int(5));
    case 6:
      return Array.from({ length: rng.int(4) }, () => randomValue(rng, depth + 1));
    default: {
      const m: Record<string, AttrValue> = {};
      for (let i = rng.int(4); i > 0; i--) m[rng.pick(['p', 'q', 'r', 's'])] = randomValue(rng, depth + 1);
      return m;
    }
  }
}

const KEYS = ['name', 'gain', 'pan', 'mute', 'color', 'data', 'k1', 'k2'];

export function randomAttrs(rng: Prng): Attrs {
  const attrs: Attrs = {};
  for (let i = rng.int(4); i > 0; i--) attrs[rng.pick(KEYS)] = randomValue(rng);
  return attrs;
}

const TYPES = ['track', 'clip', 'device', 'param'];

/** Ids come from `nextId`, so callers control collisions between trees. */
export function randomSnapshot(rng: Prng, nodes: number, nextId: () => string, maxFanout = 5): NodeSnapshot {
  const root: NodeSnapshot = { id: nextId(), type: 'root', attrs: randomAttrs(rng), children: [] };
  const all = [root];
  for (let i = 1; i < nodes; i++) {
    let parent = rng.pick(all);
    if (parent.children.length >= maxFanout) parent = all[all.length - 1];
    const n: NodeSnapshot = { id: nextId(), type: rng.pick(TYPES), attrs: randomAttrs(rng), children: [] };
    parent.children.splice(rng.int(parent.children.length + 1), 0, n);
    all.push(n);
  }
  return root;
}

export function counterIds(prefix = 'n'): () => string {
  let i = 0;
  return () => `${prefix}${i++}`;
}

export function allNodes(tree: Tree): TreeNode[] {
  const out: TreeNode[] = [];
  const stack: TreeNode[] = [tree.root];
  while (stack.length > 0) {
    const n = stack.pop() as TreeNode;
    out.push(n);
    for (const c of n.children) stack.push(c);
  }
  return out;
}

/** Nodes whose hash is stale: the hashes the next rootHash read will compute (ensureHash
 *  recomputes exactly the dirty nodes). Tests use it to check that work follows change. */
export function dirtyCount(tree: Tree): number {
  let n = 0;
  for (const node of allNodes(tree)) if ((node as Node).dirty) n++;
  return n;
}

function isInside(node: TreeNode, ancestor: TreeNode): boolean {
  for (let n: TreeNode | null = node; n !== null; n = n.parent) if (n === ancestor) return true;
  return false;
}

/** Ids that were in the tree once; inserts re-use them to exercise id recycling. */
export class IdPool {
  readonly removed = new Set<string>();
  readonly next: () => string;
  constructor(prefix: string) {
    this.next = counterIds(prefix);
  }
  fresh(rng: Prng): string {
    if (this.removed.size > 0 && rng.bool(0.3)) {
      const id = rng.pick([...this.removed]);
      this.removed.delete(id);
      return id;
    }
    return this.next();
  }
}

/** A random op that is valid for tree's current state (the tree is not changed). */
export function randomOp(rng: Prng, tree: Tree, pool: IdPool, nodes = allNodes(tree)): Op {
  const nonRoot = nodes.filter((n) => n.parent !== null);
  const kind = nonRoot.length === 0 ? rng.pick([0, 1]) : rng.int(10);
  if (kind <= 2) {
    const target = rng.pick(nodes);
    const changes: Record<string, AttrValue | null> = {};
    for (let i = 1 + rng.int(3); i > 0; i--) changes[rng.pick(KEYS)] = rng.bool(0.25) ? null : randomValue(rng);
    return [0, target.id, changes];
  }
  if (kind <= 5) {
    const parent = rng.pick(nodes);
    const used = new Set<string>();
    const fresh = (): string => {
      let id = pool.fresh(rng);
      while (used.has(id) || tree.has(id)) id = pool.next();
      used.add(id);
      return id;
    };
    const size = rng.bool(0.7) ? 1 : 1 + rng.int(5);
    return [1, parent.id, rng.int(parent.children.length + 1), randomSnapshot(rng, size, fresh, 3)];
  }
  if (kind <= 6) {
    const target = rng.pick(nonRoot);
    return [2, target.id];
  }
  const node = rng.pick(nonRoot);
  const targets = nodes.filter((n) => !isInside(n, node));
  const parent = rng.bool(0.4) ? (node.parent as TreeNode) : rng.pick(targets);
  const max = parent.children.length - (node.parent === parent ? 1 : 0);
  return [3, node.id, parent.id, rng.int(max + 1)];
}

/** Applies op to tree and keeps the pool's removed ids up to date. */
export function applyTracked(tree: Tree, op: Op, pool: IdPool): void {
  if (op[0] === 2) {
    const stack = [tree.get(op[1]) as TreeNode];
    while (stack.length > 0) {
      const n = stack.pop() as TreeNode;
      pool.removed.add(n.id);
      stack.push(...n.children);
    }
  }
  tree.apply(op);
}

export function copyTree(tree: Tree): Tree {
  return new Tree(tree.toSnapshot());
}
