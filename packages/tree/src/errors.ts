// The error registry of @tidewire/tree. Every code is documented in docs/tree.md §8 (a test
// checks it); callers and tests compare `err.code`, never the message.

export const TreeErrorCodes = {
  /** An id that is already in the tree, or appears twice in one snapshot. */
  TREE_DUPLICATE_ID: 'TREE_DUPLICATE_ID',
  /** An op names a node (or parent) that is not in the tree. */
  TREE_UNKNOWN_ID: 'TREE_UNKNOWN_ID',
  /** An insert or move index outside the allowed range, or not an integer. */
  TREE_BAD_INDEX: 'TREE_BAD_INDEX',
  /** A move of a node into itself or into one of its descendants. */
  TREE_CYCLE: 'TREE_CYCLE',
  /** A remove of the root. */
  TREE_REMOVE_ROOT: 'TREE_REMOVE_ROOT',
  /** A move of the root. */
  TREE_MOVE_ROOT: 'TREE_MOVE_ROOT',
  /** An insert or move that would make the tree deeper than MAX_TREE_DEPTH levels. */
  TREE_TOO_DEEP: 'TREE_TOO_DEEP',
  /** diff() of two trees whose roots differ in id or type (no op can change the root). */
  TREE_ROOT_MISMATCH: 'TREE_ROOT_MISMATCH',
  /** A malformed op: wrong shape, types, attribute keys or values. */
  TREE_BAD_OP: 'TREE_BAD_OP',
  /** A malformed snapshot: wrong shape, types, sizes, depth, or duplicate ids (parseSnapshot). */
  TREE_BAD_SNAPSHOT: 'TREE_BAD_SNAPSHOT',
} as const;

export type TreeErrorCode = (typeof TreeErrorCodes)[keyof typeof TreeErrorCodes];

export class TreeError extends Error {
  readonly code: TreeErrorCode;
  /** Index of the failing op, set by applyBatch() and parseOps(). */
  readonly opIndex?: number;

  constructor(code: TreeErrorCode, message: string, options?: { opIndex?: number; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TreeError';
    this.code = code;
    if (options?.opIndex !== undefined) this.opIndex = options.opIndex;
  }
}
