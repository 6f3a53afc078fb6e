// The Tree: nodes, an id index, ops (docs/tree.md §3) and lazily recomputed Merkle hashes (§4).

import { buildNode, snapshotOfNode } from './build.ts';
import { buildFromColumns } from './columns.ts';
import type { UnpackValues } from './columns.ts';
import { TreeError } from './errors.ts';
import { lanesToHex } from './hash.ts';
import { defaultTreeLimits, MAX_TREE_DEPTH } from './limits.ts';
import { depthOf, ensureHash, heightAtMost, markDirty, Node } from './node.ts';
import { checkSetAttrs, describe } from './values.ts';
import { OpKind, type AttrValue, type Attrs, type NodeSnapshot, type Op, type TreeNode } from './types.ts';

const hasOwn = Object.prototype.hasOwnProperty;

function badOp(message: string): TreeError {
  return new TreeError('TREE_BAD_OP', message);
}

function isIndex(value: unknown, max: number): value is number {
  // Number.isInteger is false for every non-number, so no typeof check goes in front.
  return Number.isInteger(value) && (value as number) >= 0 && (value as number) <= max;
}

/** Nodes built elsewhere in this package (fromColumns), handed to the constructor. */
class Prebuilt {
  constructor(
    readonly root: Node,
    readonly index: Map<string, Node>,
  ) {}
}

export class Tree {
  readonly #root: Node;
  readonly #index: Map<string, Node>;

  /** Validates the snapshot (TREE_BAD_SNAPSHOT, TREE_DUPLICATE_ID, TREE_TOO_DEEP) and copies it. */
  constructor(root: NodeSnapshot | Prebuilt) {
    if (root instanceof Prebuilt) {
      this.#root = root.root;
      this.#index = root.index;
      return;
    }
    const created = new Map<string, Node>();
    this.#root = buildNode(root, null, 1, { existing: null, created, shapeCode: 'TREE_BAD_SNAPSHOT' });
    this.#index = created;
  }

  /**
   * A tree from a decoded columnar snapshot (untrusted, docs/tree.md §9): the structure, ids,
   * types and attribute names are validated now; each node's attribute values are decoded by
   * `unpack` and validated when first read (TREE_BAD_SNAPSHOT then).
   */
  static fromColumns(value: unknown, unpack: UnpackValues): Tree {
    const built = buildFromColumns(value, unpack);
    return new Tree(new Prebuilt(built.root, built.index));
  }

  get root(): TreeNode {
    return this.#root;
  }

  get size(): number {
    return this.#index.size;
  }

  get(id: string): TreeNode | undefined {
    return this.#index.get(id);
  }

  has(id: string): boolean {
    return this.#index.has(id);
  }

  get rootHash(): string {
    ensureHash(this.#root);
    return lanesToHex(this.#root.h1, this.#root.h2);
  }

  hashOf(id: string): string {
    const node = this.#lookup(id, 'hashOf');
    ensureHash(node);
    return lanesToHex(node.h1, node.h2);
  }

  /** Applies one op, or throws a TreeError and leaves the tree as it was. */
  apply(op: Op): void {
    if (!Array.isArray(op)) throw badOp(`op must be an array, got ${describe(op)}`);
    const n = (op as unknown[]).length; // typed as a fixed-length tuple, but callers may be untyped
    switch (op[0]) {
      case OpKind.SET:
        if (n !== 3) throw badOp(`set op must have 3 elements, got ${n}`);
        this.#set(op[1], op[2]);
        return;
      case OpKind.INSERT:
        if (n !== 4) throw badOp(`insert op must have 4 elements, got ${n}`);
        this.#insert(op[1], op[2], op[3]);
        return;
      case OpKind.REMOVE:
        if (n !== 2) throw badOp(`remove op must have 2 elements, got ${n}`);
        this.#remove(op[1]);
        return;
      case OpKind.MOVE:
        if (n !== 4) throw badOp(`move op must have 4 elements, got ${n}`);
        this.#move(op[1], op[2], op[3]);
        return;
      default:
        throw badOp(`unknown op code ${describe((op as unknown[])[0])}`);
    }
  }

  /** Applies ops in order. A failing op throws a TreeError carrying its opIndex; the ops
   *  before it stay applied and the failing op itself changed nothing. */
  applyBatch(ops: readonly Op[]): void {
    if (!Array.isArray(ops as unknown)) throw badOp(`ops must be an array, got ${describe(ops)}`);
    for (let i = 0; i < ops.length; i++) {
      try {
        this.apply(ops[i]);
      } catch (e) {
        if (e instanceof TreeError) throw new TreeError(e.code, `op ${i}: ${e.message}`, { opIndex: i, cause: e });
        throw e;
      }
    }
  }

  toSnapshot(): NodeSnapshot {
    return snapshotOfNode(this.#root);
  }

  snapshotOf(id: string): NodeSnapshot {
    return snapshotOfNode(this.#lookup(id, 'snapshotOf'));
  }

  #lookup(id: unknown, what: string): Node {
    if (typeof id !== 'string') throw badOp(`${what}: id must be a string, got ${describe(id)}`);
    const node = this.#index.get(id);
    if (node === undefined) throw new TreeError('TREE_UNKNOWN_ID', `${what}: unknown node id ${JSON.stringify(id)}`);
    return node;
  }

  #set(id: string, changes: Record<string, AttrValue | null>): void {
    const node = this.#lookup(id, 'set');
    const err = checkSetAttrs(changes, defaultTreeLimits);
    if (err !== null) throw badOp(`set ${JSON.stringify(id)}: ${err}`);
    const keys = Object.keys(changes);
    if (keys.length === 0) return;
    let deletes = false;
    // Stryker disable next-line EqualityOperator: one more step reads changes["undefined"], which can only be null if that key already set deletes
    for (let i = 0; i < keys.length; i++) if (changes[keys[i]] === null) deletes = true;
    let next: Attrs;
    if (!deletes) {
      next = { ...node.attrs, ...(changes as Attrs) };
    } else {
      // Rebuilt rather than `delete`d, which would push the object into slow dictionary mode.
      next = {};
      const old = node.attrs;
      for (const k of Object.keys(old)) if (!hasOwn.call(changes, k)) next[k] = old[k];
      for (let i = 0; i < keys.length; i++) {
        const v = changes[keys[i]];
        if (v !== null) next[keys[i]] = v;
      }
    }
    node.attrs = next;
    markDirty(node);
  }

  #insert(parentId: string, index: number, snapshot: NodeSnapshot): void {
    const parent = this.#lookup(parentId, 'insert');
    if (!isIndex(index, parent.children.length)) {
      throw new TreeError('TREE_BAD_INDEX', `insert under ${JSON.stringify(parentId)}: index ${describe(index)} outside [0, ${parent.children.length}]`);
    }
    const created = new Map<string, Node>();
    const node = buildNode(snapshot, parent, depthOf(parent) + 1, {
      existing: this.#index,
      created,
      shapeCode: 'TREE_BAD_OP',
    });
    for (const [nid, n] of created) this.#index.set(nid, n);
    parent.children.splice(index, 0, node);
    markDirty(parent);
  }

  #remove(id: string): void {
    const node = this.#lookup(id, 'remove');
    const parent = node.parent;
    if (parent === null) throw new TreeError('TREE_REMOVE_ROOT', `the root ${JSON.stringify(id)} cannot be removed`);
    parent.children.splice(parent.children.indexOf(node), 1);
    node.parent = null;
    markDirty(parent);
    const stack: Node[] = [node];
    while (stack.length > 0) {
      const n = stack.pop() as Node;
      this.#index.delete(n.id);
      for (let i = 0; i < n.children.length; i++) stack.push(n.children[i]);
    }
  }

  #move(id: string, parentId: string, index: number): void {
    const node = this.#lookup(id, 'move');
    const target = this.#lookup(parentId, 'move');
    const oldParent = node.parent;
    if (oldParent === null) throw new TreeError('TREE_MOVE_ROOT', `the root ${JSON.stringify(id)} cannot be moved`);
    // Walking up from the target finds the node iff the target is the node or inside it.
    let targetDepth = 0;
    for (let n: Node | null = target; n !== null; n = n.parent) {
      if (n === node) {
        throw new TreeError('TREE_CYCLE', `cannot move ${JSON.stringify(id)} into ${JSON.stringify(parentId)}, its own subtree`);
      }
      targetDepth++;
    }
    const max = target.children.length - (oldParent === target ? 1 : 0);
    if (!isIndex(index, max)) {
      throw new TreeError('TREE_BAD_INDEX', `move ${JSON.stringify(id)} under ${JSON.stringify(parentId)}: index ${describe(index)} outside [0, ${max}]`);
    }
    const oldIndex = oldParent.children.indexOf(node);
    if (oldParent === target && oldIndex === index) return;
    // A subtree of height h fits at depth d when d + h - 1 ≤ MAX; it already fits where it is,
    // so only a move to a deeper level needs the O(subtree) height check.
    if (targetDepth + 1 > depthOf(node) && !heightAtMost(node, MAX_TREE_DEPTH - targetDepth)) {
      throw new TreeError('TREE_TOO_DEEP', `moving ${JSON.stringify(id)} under ${JSON.stringify(parentId)} exceeds depth ${MAX_TREE_DEPTH}`);
    }
    oldParent.children.splice(oldIndex, 1);
    target.children.splice(index, 0, node);
    node.parent = target;
    markDirty(oldParent);
    markDirty(target);
  }
}
