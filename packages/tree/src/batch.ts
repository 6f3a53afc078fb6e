// OpBatch: collects the ops of one publish interval and coalesces them (docs/tree.md §6).
// Contract: for any sequence that applies without error to a tree, the coalesced sequence
// applies without error to that tree and produces the same tree. When a rule cannot prove
// that, the ops are kept as they are.
//
// Work is done in push(), O(1) per set/remove/move plus O(nodes) per insert and O(nesting) for
// ops inside subtrees inserted by the same batch; take() only drops the emptied slots.

import { TreeError } from './errors.ts';
import { OpKind, type AttrValue, type InsertOp, type MoveOp, type NodeSnapshot, type Op, type RemoveOp, type SetOp } from './types.ts';
import { describe } from './values.ts';

/** A subtree inserted by this batch that may still be cancelled by a remove of its root. */
interface Group {
  readonly root: string;
  readonly insertSlot: number;
  /** Slots of ops acting only inside the subtree (dropped together with the insert). */
  readonly slots: number[];
  /** The group that held the insert's parent, if any (subtrees inserted into subtrees). */
  readonly outer: Group | null;
  /** Current parent of root: index-bearing ops into it may count the root's position. */
  parent: string;
  /** False once the group can no longer be cancelled (closed, or something crossed its edge). */
  open: boolean;
}

function assignKey(target: Record<string, AttrValue | null>, key: string, value: AttrValue | null): void {
  // reason: a plain assignment to "__proto__" would replace the prototype instead of adding a key
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

function snapshotIds(node: NodeSnapshot, out: string[]): void {
  const stack: NodeSnapshot[] = [node];
  while (stack.length > 0) {
    const n = stack.pop() as NodeSnapshot;
    out.push(n.id);
    for (let i = 0; i < n.children.length; i++) stack.push(n.children[i]);
  }
}

export class OpBatch {
  #slots: (Op | null)[] = [];
  #live = 0;
  /** id → slot of the set op that later sets of id merge into (until the id is removed or re-inserted). */
  #setSlot = new Map<string, number>();
  /** Slots whose set op this batch built itself and may therefore mutate. */
  #ownedSets = new Set<number>();
  /** id → the innermost group whose insert created it. */
  #inner = new Map<string, Group>();
  #openByRoot = new Map<string, Group>();
  #byParent = new Map<string, Set<Group>>();

  /** Ops currently held, after coalescing. */
  get length(): number {
    return this.#live;
  }

  push(op: Op): void {
    if (!Array.isArray(op)) throw new TreeError('TREE_BAD_OP', `op must be an array, got ${describe(op)}`);
    switch (op[0]) {
      case OpKind.SET:
        this.#pushSet(op);
        return;
      case OpKind.INSERT:
        this.#pushInsert(op);
        return;
      case OpKind.REMOVE:
        this.#pushRemove(op);
        return;
      case OpKind.MOVE:
        this.#pushMove(op);
        return;
      default:
        throw new TreeError('TREE_BAD_OP', `unknown op code ${describe((op as unknown[])[0])}`);
    }
  }

  /** Returns the coalesced ops in order and empties the batch. */
  take(): Op[] {
    const out: Op[] = [];
    for (const op of this.#slots) if (op !== null) out.push(op);
    this.#slots = [];
    this.#live = 0;
    this.#setSlot.clear();
    this.#ownedSets.clear();
    this.#inner.clear();
    this.#openByRoot.clear();
    this.#byParent.clear();
    return out;
  }

  #add(op: Op): number {
    this.#slots.push(op);
    this.#live++;
    return this.#slots.length - 1;
  }

  #drop(slot: number): void {
    if (this.#slots[slot] !== null) {
      this.#slots[slot] = null;
      this.#live--;
    }
  }

  /** Open groups whose subtree contains id, innermost first. */
  #groupsOf(id: string): Group[] {
    const out: Group[] = [];
    for (let g = this.#inner.get(id) ?? null; g !== null; g = g.outer) if (g.open) out.push(g);
    return out;
  }

  #recordInside(id: string, slot: number): void {
    for (let g = this.#inner.get(id) ?? null; g !== null; g = g.outer) if (g.open) g.slots.push(slot);
  }

  #placeUnder(g: Group, parent: string): void {
    let set = this.#byParent.get(parent);
    if (set === undefined) this.#byParent.set(parent, (set = new Set()));
    set.add(g);
  }

  #close(g: Group): void {
    if (!g.open) return;
    g.open = false;
    // Stryker disable next-line ConditionalExpression,EqualityOperator: an open group is always its root's entry (a re-insert closes the old group before registering the new one), and a closed entry left behind is never used (pushRemove and pushMove check g.open): the delete only frees the entry
    if (this.#openByRoot.get(g.root) === g) this.#openByRoot.delete(g.root);
    this.#byParent.get(g.parent)?.delete(g);
  }

  /** An insert or move into parent counts positions that include any group root sitting
   *  there; cancelling that root would shift them, so such groups become permanent. */
  #closeGroupsUnder(parent: string, except: Group | null): void {
    const set = this.#byParent.get(parent);
    if (set === undefined) return;
    for (const g of [...set]) if (g !== except) this.#close(g);
  }

  #pushSet(op: SetOp): void {
    const id = op[1];
    const slot = this.#setSlot.get(id);
    if (slot !== undefined) {
      const prev = this.#slots[slot] as SetOp | null;
      if (prev !== null) {
        let merged = prev[2];
        if (!this.#ownedSets.has(slot)) {
          merged = { ...merged };
          this.#slots[slot] = [OpKind.SET, id, merged];
          this.#ownedSets.add(slot);
        }
        const changes = op[2];
        for (const k of Object.keys(changes)) assignKey(merged, k, changes[k]);
        return;
      }
    }
    const at = this.#add(op);
    this.#setSlot.set(id, at);
    this.#recordInside(id, at);
  }

  #pushInsert(op: InsertOp): void {
    const parent = op[1];
    const node = op[3];
    this.#closeGroupsUnder(parent, null);
    const ids: string[] = [];
    snapshotIds(node, ids);
    for (const nid of ids) {
      // A re-inserted id starts a new life: earlier sets of it must not merge with later ones,
      // and a group rooted at it was removed some other way and can no longer be cancelled.
      this.#setSlot.delete(nid);
      const stale = this.#openByRoot.get(nid);
      if (stale !== undefined) this.#close(stale);
    }
    const slot = this.#add(op);
    this.#recordInside(parent, slot);
    const g: Group = { root: node.id, insertSlot: slot, slots: [], outer: this.#inner.get(parent) ?? null, parent, open: true };
    for (const nid of ids) this.#inner.set(nid, g);
    this.#openByRoot.set(node.id, g);
    this.#placeUnder(g, parent);
  }

  #pushRemove(op: RemoveOp): void {
    const id = op[1];
    const setSlot = this.#setSlot.get(id);
    if (setSlot !== undefined) {
      this.#drop(setSlot); // the attributes die with the node
      this.#setSlot.delete(id);
    }
    const g = this.#openByRoot.get(id);
    if (g !== undefined && g.open) {
      // Inserted and removed within the batch with nothing crossing its edge: none of it happened.
      this.#drop(g.insertSlot);
      for (const s of g.slots) this.#drop(s);
      this.#close(g);
      return;
    }
    this.#recordInside(id, this.#add(op));
  }

  #pushMove(op: MoveOp): void {
    const id = op[1];
    const parent = op[2];
    const own = this.#openByRoot.get(id) ?? null;
    this.#closeGroupsUnder(parent, own);
    const from = this.#groupsOf(id);
    const to = this.#groupsOf(parent);
    const slot = this.#add(op);
    for (const g of from) {
      // Moving a group's root carries the whole subtree: nothing crosses that group's edge.
      if (g === own || to.includes(g)) g.slots.push(slot);
      else this.#close(g);
    }
    for (const g of to) if (!from.includes(g)) this.#close(g);
    if (own !== null && own.open) {
      this.#byParent.get(own.parent)?.delete(own);
      own.parent = parent;
      this.#placeUnder(own, parent);
    }
  }
}
