// Which node views an op changes. Collected before the op is applied, because a remove or a
// move loses the node's old parent.
import { OpKind, type Op, type Tree } from '@tidewire/tree';

export function collectTouched(tree: Tree, op: Op, out: Set<string>): void {
  switch (op[0]) {
    case OpKind.SET: // set: only the node's own attrs
      out.add(op[1]);
      return;
    case OpKind.INSERT: {
      // insert: the parent's child list, and every node of the new subtree
      out.add(op[1]);
      const stack: { id: string; children: readonly unknown[] }[] = [op[3]];
      while (stack.length > 0) {
        const n = stack.pop()!;
        out.add(n.id);
        for (const c of n.children) stack.push(c as { id: string; children: readonly unknown[] });
      }
      return;
    }
    case OpKind.REMOVE: {
      // remove: the parent's child list, and every node of the removed subtree
      const node = tree.get(op[1]);
      if (!node) return;
      if (node.parent) out.add(node.parent.id);
      const stack = [node];
      while (stack.length > 0) {
        const n = stack.pop()!;
        out.add(n.id);
        for (const c of n.children) stack.push(c);
      }
      return;
    }
    case OpKind.MOVE: {
      // move: the node's parent field, and both parents' child lists
      const node = tree.get(op[1]);
      out.add(op[1]);
      out.add(op[2]);
      if (node?.parent) out.add(node.parent.id);
      return;
    }
  }
}
