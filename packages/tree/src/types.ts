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

/** The op kinds of docs/tree.md §3: the first element of every op array (the wire form). */
export const OpKind = { SET: 0, INSERT: 1, REMOVE: 2, MOVE: 3 } as const;
export type OpKind = (typeof OpKind)[keyof typeof OpKind];

/** Merge attrs into a node; a null value removes that attribute. */
export type SetOp = [typeof OpKind.SET, string, Record<string, AttrValue | null>];
/** Insert a subtree as parentId's child at index (0 ≤ index ≤ children.length). */
export type InsertOp = [typeof OpKind.INSERT, string /* parentId */, number /* index */, NodeSnapshot];
/** Remove a subtree. */
export type RemoveOp = [typeof OpKind.REMOVE, string];
/** Move a subtree; index counts in the new parent's child list after detaching the node. */
export type MoveOp = [typeof OpKind.MOVE, string /* id */, string /* newParentId */, number /* index */];
export type Op = SetOp | InsertOp | RemoveOp | MoveOp;

export interface TreeNode {
  readonly id: string;
  readonly type: string;
  readonly attrs: Readonly<Attrs>;
  readonly children: readonly TreeNode[];
  readonly parent: TreeNode | null;
}
