// The node objects a Tree holds, and the dirty-marking that keeps Merkle hashes incremental.
// Invariant: a clean node has only clean descendants (equivalently: every ancestor of a dirty
// node is dirty). Marking walks up and stops at the first dirty ancestor, so a change costs
// O(depth) once and O(1) for further changes under the same path until the next hash read.

import { hashNodeInto } from './hash.ts';
import type { Attrs, TreeNode } from './types.ts';

/**
 * Where a node's attributes wait, still encoded, until first read (a tree built from columns,
 * docs/tree.md §9). Shared by every node of one snapshot; a node keeps only its row number.
 */
export interface LazyAttrSource {
  /** Decodes and validates row `row`'s attributes; throws TreeError TREE_BAD_SNAPSHOT. */
  materialize(row: number): Attrs;
}

export class Node implements TreeNode {
  id: string;
  type: string;
  children: Node[];
  parent: Node | null;
  h1: number;
  h2: number;
  dirty: boolean;
  #attrs: Attrs | null;
  #source: LazyAttrSource | null;
  #row: number;

  constructor(id: string, type: string, attrs: Attrs | null, parent: Node | null, source: LazyAttrSource | null = null, row = 0) {
    this.id = id;
    this.type = type;
    this.#attrs = attrs;
    this.children = [];
    this.parent = parent;
    this.h1 = 0;
    this.h2 = 0;
    this.dirty = true;
    this.#source = source;
    this.#row = row;
  }

  /** Replaced, never mutated, on a set op: a reader holding the old object sees a stable value. */
  get attrs(): Attrs {
    if (this.#attrs === null) {
      this.#attrs = this.#source!.materialize(this.#row);
      this.#source = null;
    }
    return this.#attrs;
  }

  set attrs(value: Attrs) {
    this.#attrs = value;
    this.#source = null;
  }
}

export function markDirty(node: Node | null): void {
  while (node !== null && !node.dirty) {
    node.dirty = true;
    node = node.parent;
  }
}

/** Recomputes the dirty part of node's subtree. Recursion depth is bounded by MAX_TREE_DEPTH. */
export function ensureHash(node: Node): void {
  // Stryker disable next-line ConditionalExpression: a clean node's stored hash is what recomputing it gives; the early return only saves the work
  if (!node.dirty) return;
  const children = node.children;
  for (let i = 0; i < children.length; i++) ensureHash(children[i]);
  hashNodeInto(node, node.id, node.type, node.attrs, children);
  node.dirty = false;
}

/** Levels from the root: the root has depth 1. O(depth). */
export function depthOf(node: Node): number {
  let d = 0;
  for (let n: Node | null = node; n !== null; n = n.parent) d++;
  return d;
}

/** True when node's subtree is at most `levels` levels tall (a leaf is 1). Stops early. */
export function heightAtMost(node: Node, levels: number): boolean {
  if (levels < 1) return false;
  const children = node.children;
  for (let i = 0; i < children.length; i++) if (!heightAtMost(children[i], levels - 1)) return false;
  return true;
}
