// The tree the reader produces. Structurally identical to @tidewire/tree's NodeSnapshot
// (docs/protocol.md §4.6 `node`), declared here so the reader has no dependency on it.

export type AttrValue = string | number | boolean | AttrValue[] | { [key: string]: AttrValue };

export interface AlsNode {
  id: string;
  type: string;
  attrs: Record<string, AttrValue>;
  children: AlsNode[];
}

export function node(id: string, type: string, attrs: Record<string, AttrValue>, children: AlsNode[] = []): AlsNode {
  return { id, type, attrs, children };
}

/** Sets `attrs[key]` only when the value is present: attrs never hold null/undefined. */
export function put(attrs: Record<string, AttrValue>, key: string, value: AttrValue | undefined): void {
  if (value !== undefined) attrs[key] = value;
}

export function walk(root: AlsNode, visit: (n: AlsNode, parent: AlsNode | undefined) => void): void {
  const stack: Array<[AlsNode, AlsNode | undefined]> = [[root, undefined]];
  while (stack.length > 0) {
    const [n, p] = stack.pop()!;
    visit(n, p);
    for (let i = n.children.length - 1; i >= 0; i--) stack.push([n.children[i], n]);
  }
}

export function countNodes(root: AlsNode): number {
  let n = 0;
  walk(root, () => {
    n++;
  });
  return n;
}
