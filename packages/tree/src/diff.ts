// diff(a, b): ops that turn a into b (docs/tree.md §5). Work follows change: a subtree whose
// hash in a equals its hash in b is never entered. The working state (what a looks like after
// the ops emitted so far) lives in maps keyed by id and holds only the child lists and
// parents that the ops touched; everything else is read from a.

import { snapshotOfNode } from './build.ts';
import { TreeError } from './errors.ts';
import { MAX_TREE_DEPTH } from './limits.ts';
import { depthOf, ensureHash, heightAtMost, type Node } from './node.ts';
import type { Tree } from './tree.ts';
import { OpKind, type AttrValue, type Op } from './types.ts';
import { valueEquals } from './values.ts';

export interface DiffOptions {
  /** Called with the id of every b-node the walk looks at, in preorder: what the walk cost
   *  (tests count it to check that cost follows change). */
  readonly onVisit?: (id: string) => void;
}

const hasOwn = Object.prototype.hasOwnProperty;

class DiffWalk {
  readonly a: Tree;
  readonly rootId: string;
  readonly ops: Op[] = [];
  /** Child id lists copied from a the first time an op changes them. */
  readonly kids = new Map<string, string[]>();
  /** Parents that differ from a's (moved, parked or inserted nodes). */
  readonly parentOf = new Map<string, string>();
  /** Per new b-node: does its b-subtree contain ids that still exist in the working tree? */
  readonly reuses = new Map<string, boolean>();
  /** Parents whose child lists the walk rebuilt; what b does not put there is removed at the end. */
  readonly visitedParents: string[] = [];

  readonly onVisit: ((id: string) => void) | undefined;

  constructor(a: Tree, onVisit: ((id: string) => void) | undefined) {
    this.a = a;
    this.rootId = a.root.id;
    this.onVisit = onVisit;
  }

  aNode(id: string): Node | undefined {
    return this.a.get(id) as Node | undefined;
  }

  /** The working child list of pid, copied out of a on first use; only for lists about to change. */
  mutableKids(pid: string): string[] {
    let list = this.kids.get(pid);
    if (list === undefined) {
      const children = (this.aNode(pid) as Node).children;
      // Stryker disable next-line ArrayDeclaration: the length only preallocates; every index 0..n-1 is assigned below, so new Array() ends up the same array
      list = new Array<string>(children.length);
      for (let i = 0; i < children.length; i++) list[i] = children[i].id;
      this.kids.set(pid, list);
    }
    return list;
  }

  /** The id at position i (< kidCount(pid)) of pid's working child list, without copying anything. */
  kidAt(pid: string, i: number): string {
    const list = this.kids.get(pid);
    if (list !== undefined) return list[i];
    return (this.aNode(pid) as Node).children[i].id;
  }

  kidCount(pid: string): number {
    const list = this.kids.get(pid);
    return list !== undefined ? list.length : (this.aNode(pid) as Node).children.length;
  }

  workingParent(an: Node): string {
    return this.parentOf.get(an.id) ?? (an.parent as Node).id;
  }

  /** inPlace: the node already sits under bParent among the children that keep their order.
   *  prev: b's previous sibling, already placed; a node that has to move goes right after it. */
  visit(bn: Node, bParent: string | null, prev: string | null, inPlace: boolean, bDepth: number): void {
    const id = bn.id;
    if (this.onVisit !== undefined) this.onVisit(id);
    const an = this.aNode(id);
    if (an !== undefined && an.type === bn.type) {
      ensureHash(an);
      ensureHash(bn);
      const same = an.h1 === bn.h1 && an.h2 === bn.h2;
      if (bParent !== null && !inPlace) this.place(an, bParent, prev, bDepth, same);
      if (same) return; // identical subtree: equal hashes mean equal content (docs/tree.md §4)
      this.setAttrs(an, bn);
      this.walkChildren(bn, bDepth);
      return;
    }
    const parent = bParent as string; // the roots were checked to match in id and type
    if (an !== undefined) {
      // No op changes a node's type: replace the node. Its children are parked first so the
      // remove takes only the node itself; those still in b get moved to their place later.
      this.park(id);
      const list = this.mutableKids(this.workingParent(an));
      list.splice(list.indexOf(id), 1);
      this.ops.push([OpKind.REMOVE, id]);
    }
    const list = this.mutableKids(parent);
    const index = prev === null ? 0 : list.indexOf(prev) + 1;
    list.splice(index, 0, id);
    if (!this.reusesIds(bn)) {
      this.ops.push([OpKind.INSERT, parent, index, snapshotOfNode(bn)]);
      return;
    }
    // Some descendants exist already and must be moved, not re-inserted: insert an empty shell.
    this.ops.push([OpKind.INSERT, parent, index, { id, type: bn.type, attrs: { ...bn.attrs }, children: [] }]);
    this.kids.set(id, []);
    this.parentOf.set(id, parent);
    this.walkChildren(bn, bDepth);
  }

  walkChildren(bn: Node, bDepth: number): void {
    const children = bn.children;
    const staying = this.staying(bn.id, children);
    for (let i = 0; i < children.length; i++) {
      const c = children[i];
      this.visit(c, bn.id, i === 0 ? null : children[i - 1].id, staying === null || staying.has(c.id), bDepth + 1);
    }
    this.visitedParents.push(bn.id);
  }

  /** Which of b's children of pid can stay where they are: those already under pid whose
   *  order matches b's, as many as possible (a longest increasing subsequence of their b
   *  positions). Everything else gets moved next to its predecessor, so moving one child of
   *  a long list costs one op. null means the child list already equals b's. */
  staying(pid: string, bChildren: readonly Node[]): Set<string> | null {
    const n = this.kidCount(pid);
    if (n === bChildren.length) {
      let equal = true;
      for (let i = 0; i < n && equal; i++) equal = this.kidAt(pid, i) === bChildren[i].id;
      if (equal) return null;
    }
    const bPos = new Map<string, number>();
    for (let i = 0; i < bChildren.length; i++) bPos.set(bChildren[i].id, i);
    const ids: string[] = [];
    const seq: number[] = [];
    for (let j = 0; j < n; j++) {
      const id = this.kidAt(pid, j);
      const p = bPos.get(id);
      if (p !== undefined) {
        ids.push(id);
        seq.push(p);
      }
    }
    const keep = new Set<string>();
    for (const k of longestIncreasing(seq)) keep.add(ids[k]);
    return keep;
  }

  /** Moves an existing node into bParent right after prev (first when prev is null). */
  place(an: Node, bParent: string, prev: string | null, bDepth: number, same: boolean): void {
    const id = an.id;
    // The node's working subtree is part of its subtree in a, which fit at its depth in a.
    // Moving deeper could overflow MAX_TREE_DEPTH before the walk reshapes the subtree, so
    // park the children first when a's subtree would not fit. An identical subtree is b's and fits.
    if (!same && bDepth > depthOf(an) && !heightAtMost(an, MAX_TREE_DEPTH - bDepth + 1)) this.park(id);
    const from = this.mutableKids(this.workingParent(an));
    from.splice(from.indexOf(id), 1);
    const to = this.mutableKids(bParent);
    const index = prev === null ? 0 : to.indexOf(prev) + 1; // counted after the detach, as a move op is
    to.splice(index, 0, id);
    this.parentOf.set(id, bParent);
    this.ops.push([OpKind.MOVE, id, bParent, index]);
  }

  /** Moves every working child of id to the end of the root's child list. A child of depth ≥ 2
   *  in a has a subtree of at most MAX - 1 levels, so it fits under the root. */
  park(id: string): void {
    const list = this.mutableKids(id);
    const rootList = this.mutableKids(this.rootId);
    for (let i = 0; i < list.length; i++) {
      const c = list[i];
      this.ops.push([OpKind.MOVE, c, this.rootId, rootList.length]);
      rootList.push(c);
      this.parentOf.set(c, this.rootId);
    }
    list.length = 0;
  }

  /** Memoised over new nodes only; recursion stops at existing ids, so the cost is the number
   *  of new nodes, not the size of the subtrees they wrap. */
  reusesIds(bn: Node): boolean {
    const known = this.reuses.get(bn.id);
    if (known !== undefined) return known;
    let found = false;
    for (let i = 0; i < bn.children.length; i++) {
      const c = bn.children[i];
      if (this.a.has(c.id) || this.reusesIds(c)) found = true;
    }
    this.reuses.set(bn.id, found);
    return found;
  }

  setAttrs(an: Node, bn: Node): void {
    const av = an.attrs;
    const bv = bn.attrs;
    let changes: Record<string, AttrValue | null> | null = null;
    for (const k of Object.keys(bv)) {
      if (!hasOwn.call(av, k) || !valueEquals(av[k], bv[k])) (changes ??= {})[k] = bv[k];
    }
    for (const k of Object.keys(av)) if (!hasOwn.call(bv, k)) (changes ??= {})[k] = null;
    if (changes !== null) this.ops.push([OpKind.SET, an.id, changes]);
  }

  /** Under a visited parent, every child b puts there is in place by now; whatever else is
   *  still there is absent from b (a node b wants elsewhere has been moved there already). */
  removeLeftovers(b: Tree): void {
    for (const pid of this.visitedParents) {
      const n = this.kidCount(pid);
      for (let j = 0; j < n; j++) {
        const id = this.kidAt(pid, j);
        if (b.get(id)?.parent?.id !== pid) this.ops.push([OpKind.REMOVE, id]);
      }
    }
  }
}

/** Indexes into seq of one longest strictly increasing subsequence (patience sorting, O(n log n)). */
function longestIncreasing(seq: readonly number[]): number[] {
  // Stryker disable next-line ArrayDeclaration: a stray first entry is overwritten on the first step (seq[stray] is undefined, never < seq[0], so lo = 0), and with an empty seq it only adds ids[stray] = undefined to the kept set, which no child id equals
  const tails: number[] = []; // tails[k]: index of the smallest tail of an increasing run of length k + 1
  // Stryker disable next-line ArrayDeclaration: the length only preallocates; every index 0..n-1 is assigned below, so new Array() ends up the same array
  const prevOf = new Array<number>(seq.length);
  for (let i = 0; i < seq.length; i++) {
    let lo = 0;
    let hi = tails.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (seq[tails[mid]] < seq[i]) lo = mid + 1;
      else hi = mid;
    }
    prevOf[i] = lo > 0 ? tails[lo - 1] : -1;
    tails[lo] = i;
  }
  // Stryker disable next-line ArrayDeclaration: the length only preallocates; every index 0..n-1 is assigned below, so new Array() ends up the same array
  const out = new Array<number>(tails.length);
  for (let k = tails.length - 1, i = tails[tails.length - 1] ?? -1; k >= 0; k--, i = prevOf[i]) out[k] = i;
  return out;
}

/** Ops that turn a into b; applying them to a (or a copy) yields a tree whose snapshot and
 *  rootHash equal b's. Neither tree is changed. Throws TREE_ROOT_MISMATCH when the roots
 *  differ in id or type. */
export function diff(a: Tree, b: Tree, options: DiffOptions = {}): Op[] {
  const ar = a.root as Node;
  const br = b.root as Node;
  if (ar.id !== br.id || ar.type !== br.type) {
    throw new TreeError(
      'TREE_ROOT_MISMATCH',
      `roots differ: ${JSON.stringify(ar.id)}:${JSON.stringify(ar.type)} vs ${JSON.stringify(br.id)}:${JSON.stringify(br.type)}`,
    );
  }
  const walk = new DiffWalk(a, options.onVisit);
  walk.visit(br, null, null, true, 1);
  walk.removeLeftovers(b);
  return walk.ops;
}
