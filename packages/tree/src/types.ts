// Value, snapshot and op types. The op arrays are the wire form (docs/protocol.md §4.7);
// semantics are in docs/tree.md §3.

export type AttrValue = string | number | boolean | Uint8Array | AttrValue[] | { [k: string]: AttrValue };
export type Attrs = Record<string, AttrValue>;

export interface NodeSnapshot {
  id: string;
  type: string;
  attrs: Attrs;
  children: NodeSnapshot[];
}

export const OpCode = { Set: 0, Insert: 1, Remove: 2, Move: 3 } as const;

/** Merge attrs into a node; a null value removes that attribute. */
export type SetOp = [0, string, Record<string, AttrValue | null>];
/** Insert a subtree as parentId's child at index (0 ≤ index ≤ children.length). */
export type InsertOp = [1, string /* parentId */, number /* index */, NodeSnapshot];
/** Remove a subtree. */
export type RemoveOp = [2, string];
/** Move a subtree; index counts in the new parent's child list after detaching the node. */
export type MoveOp = [3, string /* id */, string /* newParentId */, number /* index */];
export type Op = SetOp | InsertOp | RemoveOp | MoveOp;

export interface TreeNode {
  readonly id: string;
  readonly type: string;
  readonly attrs: Readonly<Attrs>;
  readonly children: readonly TreeNode[];
  readonly parent: TreeNode | null;
}
