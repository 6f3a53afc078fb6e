// Size caps (docs/tree.md §7). The Tree enforces MAX_TREE_DEPTH and the byte caps on every
// change; parseSnapshot/parseOps enforce all of them on untrusted input and accept tighter ones.

/** Levels in a tree: a lone root has depth 1. Matches the client-side parse limit, so a tree
 *  the server can build is always a tree every client accepts. */
export const MAX_TREE_DEPTH = 256;

export interface TreeLimits {
  /** Levels of nodes, root = 1. At most MAX_TREE_DEPTH. */
  maxDepth: number;
  /** UTF-8 bytes of a node id or type. */
  maxIdBytes: number;
  /** UTF-8 bytes of an attribute name (and of a key inside a map value). */
  maxKeyBytes: number;
  /** Nesting of arrays/maps inside one attribute value (a scalar is depth 0). */
  maxValueDepth: number;
  /** Nodes in one snapshot, or in all inserted subtrees of one parseOps() call. */
  maxNodes: number;
  /** Ops in one parseOps() call. */
  maxOps: number;
}

export const defaultTreeLimits: Readonly<TreeLimits> = Object.freeze({
  maxDepth: MAX_TREE_DEPTH,
  maxIdBytes: 256,
  maxKeyBytes: 256,
  maxValueDepth: 64,
  maxNodes: 4_000_000,
  maxOps: 1_000_000,
});

export function resolveLimits(overrides: Partial<TreeLimits> | undefined): TreeLimits {
  if (overrides === undefined) return defaultTreeLimits;
  const limits = { ...defaultTreeLimits, ...overrides };
  for (const key of Object.keys(defaultTreeLimits) as (keyof TreeLimits)[]) {
    const v = limits[key];
    if (!Number.isSafeInteger(v) || v < 1) throw new RangeError(`tree limit ${key} must be a positive integer, got ${String(v)}`);
  }
  // The tree itself never goes deeper, so a looser parse limit would admit snapshots no Tree can hold.
  if (limits.maxDepth > MAX_TREE_DEPTH) throw new RangeError(`tree limit maxDepth must be ≤ ${MAX_TREE_DEPTH}`);
  return limits;
}
