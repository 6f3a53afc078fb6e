// @tidewire/tree: the state model of tree channels (docs/tree.md). Isomorphic: no Node or DOM APIs.

export type { AttrValue, Attrs, NodeSnapshot, SetOp, InsertOp, RemoveOp, MoveOp, Op, TreeNode } from './types.ts';
export { OpKind } from './types.ts';
export { Tree } from './tree.ts';
export { toColumns, COLUMNS_VERSION } from './columns.ts';
export type { SnapshotColumns, PackValues, UnpackValues } from './columns.ts';
export { diff, type DiffOptions } from './diff.ts';
export { OpBatch } from './batch.ts';
export { parseOps, parseSnapshot, countNodes } from './parse.ts';
export { TreeError, TreeErrorCodes, type TreeErrorCode } from './errors.ts';
export { MAX_TREE_DEPTH, defaultTreeLimits, type TreeLimits } from './limits.ts';
