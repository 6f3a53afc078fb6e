// The trust boundary (docs/tree.md §7): decoded msgpack arrives as plain arrays and objects of
// any shape. These functions check every field and cap every size before anything else sees it.

import { TreeError, type TreeErrorCode } from './errors.ts';
import { resolveLimits, type TreeLimits } from './limits.ts';
import { checkAttrs, checkName, checkSetAttrs, describe, isPlainObject } from './values.ts';
import { OpKind, type Attrs, type NodeSnapshot, type Op } from './types.ts';

interface SnapshotParse {
  readonly limits: TreeLimits;
  readonly code: TreeErrorCode;
  readonly seen: Set<string>;
  /** Nodes accepted so far, shared across one parse call. */
  count: number;
}

// No closures in here: tsx compiles with keepNames, which wraps every closure creation in a
// defineProperty call and made this function three times slower.
function fail(p: SnapshotParse, message: string): TreeError {
  return new TreeError(p.code, message);
}

function parseNode(value: unknown, depth: number, p: SnapshotParse): NodeSnapshot {
  if (!isPlainObject(value)) throw fail(p, `node must be a map, got ${describe(value)}`);
  if (depth > p.limits.maxDepth) throw fail(p, `snapshot deeper than ${p.limits.maxDepth} levels`);
  if (++p.count > p.limits.maxNodes) throw fail(p, `more than ${p.limits.maxNodes} nodes`);
  const { id, type, attrs, children } = value;
  let err = checkName(id, 'node id', p.limits.maxIdBytes);
  if (err !== null) throw fail(p, err);
  const nodeId = id as string;
  err = checkName(type, `type of node ${JSON.stringify(nodeId)}`, p.limits.maxIdBytes);
  if (err !== null) throw fail(p, err);
  if (p.seen.has(nodeId)) throw fail(p, `duplicate node id ${JSON.stringify(nodeId)}`);
  p.seen.add(nodeId);
  err = checkAttrs(attrs, p.limits);
  if (err !== null) throw fail(p, `node ${JSON.stringify(nodeId)}: ${err}`);
  if (!Array.isArray(children)) throw fail(p, `children of node ${JSON.stringify(nodeId)} must be an array, got ${describe(children)}`);
  // Stryker disable next-line ArrayDeclaration: the length only preallocates; every index 0..n-1 is assigned below, so new Array() ends up the same array
  const out = new Array<NodeSnapshot>(children.length);
  for (let i = 0; i < children.length; i++) out[i] = parseNode(children[i], depth + 1, p);
  // Fields other than these four are dropped (forward compatibility, docs/protocol.md §8).
  return { id: nodeId, type: type as string, attrs: attrs as Attrs, children: out };
}

/** Validates a decoded snapshot and returns it as a fresh NodeSnapshot (attribute values are
 *  shared with the input, not copied). Throws TreeError TREE_BAD_SNAPSHOT. */
export function parseSnapshot(value: unknown, limits?: Partial<TreeLimits>): NodeSnapshot {
  const p: SnapshotParse = { limits: resolveLimits(limits), code: 'TREE_BAD_SNAPSHOT', seen: new Set(), count: 0 };
  return parseNode(value, 1, p);
}

function parseIndex(value: unknown, what: string): number {
  // Number.isSafeInteger is false for every non-number, so no typeof check goes in front.
  if (!Number.isSafeInteger(value) || (value as number) < 0) {
    throw new TreeError('TREE_BAD_OP', `${what} must be a non-negative integer, got ${describe(value)}`);
  }
  return value as number;
}

function parseId(value: unknown, what: string, limits: TreeLimits): string {
  const err = checkName(value, what, limits.maxIdBytes);
  if (err !== null) throw new TreeError('TREE_BAD_OP', err);
  return value as string;
}

function wantLength(op: unknown[], n: number, name: string): void {
  if (op.length !== n) throw new TreeError('TREE_BAD_OP', `${name} op must have ${n} elements, got ${op.length}`);
}

function parseOp(value: unknown, limits: TreeLimits, nodes: { count: number }): Op {
  if (!Array.isArray(value)) throw new TreeError('TREE_BAD_OP', `op must be an array, got ${describe(value)}`);
  switch (value[0]) {
    case OpKind.SET: {
      wantLength(value, 3, 'set');
      const id = parseId(value[1], 'set id', limits);
      const err = checkSetAttrs(value[2], limits);
      if (err !== null) throw new TreeError('TREE_BAD_OP', `set ${JSON.stringify(id)}: ${err}`);
      return [OpKind.SET, id, value[2] as Record<string, Attrs[string] | null>];
    }
    case OpKind.INSERT: {
      wantLength(value, 4, 'insert');
      const parentId = parseId(value[1], 'insert parent id', limits);
      const index = parseIndex(value[2], 'insert index');
      const p: SnapshotParse = { limits, code: 'TREE_BAD_OP', seen: new Set(), count: nodes.count };
      const node = parseNode(value[3], 1, p);
      nodes.count = p.count;
      return [OpKind.INSERT, parentId, index, node];
    }
    case OpKind.REMOVE:
      wantLength(value, 2, 'remove');
      return [OpKind.REMOVE, parseId(value[1], 'remove id', limits)];
    case OpKind.MOVE: {
      wantLength(value, 4, 'move');
      const id = parseId(value[1], 'move id', limits);
      const parentId = parseId(value[2], 'move parent id', limits);
      return [OpKind.MOVE, id, parentId, parseIndex(value[3], 'move index')];
    }
    default:
      throw new TreeError('TREE_BAD_OP', `unknown op code ${describe(value[0])}`);
  }
}

/** Validates a decoded op list (the msgpack body of an OPS frame). Checks shapes, types and
 *  sizes only; whether ids exist and indexes fit is the Tree's job when it applies them.
 *  Throws TreeError TREE_BAD_OP with opIndex set. */
export function parseOps(value: unknown, limits?: Partial<TreeLimits>): Op[] {
  const l = resolveLimits(limits);
  if (!Array.isArray(value)) throw new TreeError('TREE_BAD_OP', `ops must be an array, got ${describe(value)}`);
  if (value.length > l.maxOps) throw new TreeError('TREE_BAD_OP', `more than ${l.maxOps} ops`);
  const nodes = { count: 0 };
  // Stryker disable next-line ArrayDeclaration: the length only preallocates; every index 0..n-1 is assigned below, so new Array() ends up the same array
  const out = new Array<Op>(value.length);
  for (let i = 0; i < value.length; i++) {
    try {
      out[i] = parseOp(value[i], l, nodes);
    } catch (e) {
      if (e instanceof TreeError) throw new TreeError(e.code, `op ${i}: ${e.message}`, { opIndex: i, cause: e });
      throw e;
    }
  }
  return out;
}

/** Nodes in a snapshot, the root included. Iterative, so any depth is safe. */
export function countNodes(node: NodeSnapshot): number {
  let count = 0;
  const stack: NodeSnapshot[] = [node];
  while (stack.length > 0) {
    const n = stack.pop() as NodeSnapshot;
    count++;
    for (let i = 0; i < n.children.length; i++) stack.push(n.children[i]);
  }
  return count;
}
