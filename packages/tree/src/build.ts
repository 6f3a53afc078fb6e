// Snapshot → Node objects, validating as it goes. Used by the Tree constructor and by insert
// ops; nothing touches the tree's index until the whole subtree has been checked, which is
// what keeps a failed insert from changing the tree.

import { TreeError, type TreeErrorCode } from './errors.ts';
import { defaultTreeLimits, MAX_TREE_DEPTH } from './limits.ts';
import { Node } from './node.ts';
import { checkAttrs, checkName, describe, isPlainObject } from './values.ts';
import type { Attrs, NodeSnapshot } from './types.ts';

export interface BuildContext {
  /** Ids already in the tree (null when building a new tree). */
  readonly existing: ReadonlyMap<string, Node> | null;
  /** Receives every built node by id; also detects duplicates inside the snapshot. */
  readonly created: Map<string, Node>;
  /** Code for a malformed snapshot: TREE_BAD_SNAPSHOT (constructor) or TREE_BAD_OP (insert). */
  readonly shapeCode: TreeErrorCode;
}

export function buildNode(value: unknown, parent: Node | null, depth: number, ctx: BuildContext): Node {
  if (!isPlainObject(value)) throw new TreeError(ctx.shapeCode, `node must be a map, got ${describe(value)}`);
  const { id, type, attrs, children } = value;
  let err = checkName(id, 'node id', defaultTreeLimits.maxIdBytes);
  if (err !== null) throw new TreeError(ctx.shapeCode, err);
  const nodeId = id as string;
  err = checkName(type, `type of node ${JSON.stringify(nodeId)}`, defaultTreeLimits.maxIdBytes);
  if (err !== null) throw new TreeError(ctx.shapeCode, err);
  if (depth > MAX_TREE_DEPTH) {
    throw new TreeError('TREE_TOO_DEEP', `node ${JSON.stringify(nodeId)} would be at depth ${depth} > ${MAX_TREE_DEPTH}`);
  }
  if (ctx.created.has(nodeId) || (ctx.existing !== null && ctx.existing.has(nodeId))) {
    throw new TreeError('TREE_DUPLICATE_ID', `duplicate node id ${JSON.stringify(nodeId)}`);
  }
  err = checkAttrs(attrs, defaultTreeLimits);
  if (err !== null) throw new TreeError(ctx.shapeCode, `node ${JSON.stringify(nodeId)}: ${err}`);
  if (!Array.isArray(children)) {
    throw new TreeError(ctx.shapeCode, `children of node ${JSON.stringify(nodeId)} must be an array, got ${describe(children)}`);
  }
  // A private copy: the caller keeps ownership of the snapshot object it passed in.
  const node = new Node(nodeId, type as string, { ...(attrs as Attrs) }, parent);
  ctx.created.set(nodeId, node);
  for (let i = 0; i < children.length; i++) node.children.push(buildNode(children[i], node, depth + 1, ctx));
  return node;
}

export function snapshotOfNode(node: Node): NodeSnapshot {
  const children = new Array<NodeSnapshot>(node.children.length);
  for (let i = 0; i < children.length; i++) children[i] = snapshotOfNode(node.children[i]);
  return { id: node.id, type: node.type, attrs: { ...node.attrs }, children };
}
