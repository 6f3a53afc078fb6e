// Plain, immutable node views: what the main-thread TreeStore holds and what crosses the
// worker boundary (structured clone). A view names its children and parent by id, so one
// node's change never forces a copy of its neighbours.
import type { Tree } from '@tidewire/tree';

export interface NodeView {
  readonly id: string;
  readonly type: string;
  readonly attrs: Readonly<Record<string, unknown>>;
  readonly children: readonly string[];
  readonly parent: string | null;
}

/** The view of `id` in `tree`, or null when the tree has no such node. */
export function nodeView(tree: Tree, id: string): NodeView | null {
  const n = tree.get(id);
  if (!n) return null;
  return {
    id: n.id,
    type: n.type,
    // Shared, not copied: the Tree replaces a node's attrs object on every set op and never
    // mutates it, so a view handed out earlier keeps its values.
    attrs: n.attrs,
    children: n.children.map((c) => c.id),
    parent: n.parent ? n.parent.id : null,
  };
}

/** Views of every node, parents before children (so a consumer can build top-down). */
export function* walkViews(tree: Tree, rootId: string): Generator<NodeView> {
  const stack = [rootId];
  while (stack.length > 0) {
    const v = nodeView(tree, stack.pop()!);
    if (!v) continue;
    yield v;
    for (let i = v.children.length - 1; i >= 0; i--) stack.push(v.children[i]!);
  }
}

/**
 * Views of every node level by level: the root, its children, their children… (docs/client.md
 * §2.5). Parents still come before children, and what a first screenful shows (the tracks, their
 * heads) comes before what is deep and numerous (the devices' parameters).
 */
export function* walkViewsByDepth(tree: Tree, rootId: string): Generator<NodeView> {
  let level = [rootId];
  while (level.length > 0) {
    const next: string[] = [];
    for (const id of level) {
      const v = nodeView(tree, id);
      if (!v) continue;
      yield v;
      for (const c of v.children) next.push(c);
    }
    level = next;
  }
}

/** Structural equality of two views (attrs compared by value identity, one level deep). */
export function sameView(a: NodeView, b: NodeView): boolean {
  if (a === b) return true;
  if (a.type !== b.type || a.parent !== b.parent || a.children.length !== b.children.length) return false;
  for (let i = 0; i < a.children.length; i++) if (a.children[i] !== b.children[i]) return false;
  const ka = Object.keys(a.attrs);
  if (ka.length !== Object.keys(b.attrs).length) return false;
  for (const k of ka) {
    if (!Object.prototype.hasOwnProperty.call(b.attrs, k) || !sameValue(a.attrs[k], b.attrs[k])) return false;
  }
  return true;
}

/** Deep equality for msgpack values (after a structured clone identity is lost). */
function sameValue(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    if (!(a instanceof Uint8Array && b instanceof Uint8Array) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) {
    if (!sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  }
  return true;
}
