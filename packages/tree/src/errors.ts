// The error registry of @tidewire/tree. Every code is documented in docs/tree.md §8 (a test
// checks it); callers and tests compare `err.code`, never the message.
import { defineErrors } from '@tidewire/base';

export const TreeErrorCodes = {
  TREE_DUPLICATE_ID: { description: 'An id that is already in the tree, or appears twice in one snapshot.' },
  TREE_UNKNOWN_ID: { description: 'An op names a node (or parent) that is not in the tree.' },
  TREE_BAD_INDEX: { description: 'An insert or move index outside the allowed range, or not an integer.' },
  TREE_CYCLE: { description: 'A move of a node into itself or into one of its descendants.' },
  TREE_REMOVE_ROOT: { description: 'A remove of the root.' },
  TREE_MOVE_ROOT: { description: 'A move of the root.' },
  TREE_TOO_DEEP: { description: 'An insert or move that would make the tree deeper than MAX_TREE_DEPTH levels.' },
  TREE_ROOT_MISMATCH: { description: 'diff() of two trees whose roots differ in id or type (no op can change the root).' },
  TREE_BAD_OP: { description: 'A malformed op: wrong shape, types, attribute keys or values.' },
  TREE_BAD_SNAPSHOT: { description: 'A malformed snapshot: wrong shape, types, sizes, depth, or duplicate ids (parseSnapshot).' },
} as const;

export type TreeErrorCode = keyof typeof TreeErrorCodes;

// Stryker disable next-line StringLiteral: the registry's name only shows on a direct instance of registry.Error, which nothing creates; TreeError takes its own class name (new.target)
export class TreeError extends defineErrors('TreeError', TreeErrorCodes).Error {
  /** Index of the failing op, set by applyBatch() and parseOps(). */
  readonly opIndex?: number;

  constructor(code: TreeErrorCode, message: string, options?: { opIndex?: number; cause?: unknown }) {
    super(code, message, options);
    if (options?.opIndex !== undefined) this.opIndex = options.opIndex;
  }
}
