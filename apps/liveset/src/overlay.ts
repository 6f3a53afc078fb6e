// What Live has reported since the last sync (listener messages, the event port), by node id
// and attribute. A rebuild of the tree (the .als was saved, a sync finished) lays it over the
// new tree, so a property Live reported is never reverted to a stale value from the file or
// from a sync that started before the report (docs/liveset-osc.md §3).
import type { AttrValue, NodeSnapshot } from '@tidewire/tree';

interface Entry {
  value: AttrValue;
  seq: number;
}

export class LiveOverlay {
  private readonly byId = new Map<string, Map<string, Entry>>();
  private seq = 0;

  /** A position to pass to dropBefore(): reports recorded after now survive it. */
  mark(): number {
    return this.seq;
  }

  get size(): number {
    return this.byId.size;
  }

  record(id: string, attr: string, value: AttrValue): void {
    let attrs = this.byId.get(id);
    if (attrs === undefined) {
      attrs = new Map();
      this.byId.set(id, attrs);
    }
    const e = attrs.get(attr);
    if (e === undefined) attrs.set(attr, { value, seq: ++this.seq });
    else {
      // In place: a storm of reports on the same parameter allocates nothing.
      e.value = value;
      e.seq = ++this.seq;
    }
  }

  /** Forgets reports older than `mark` (a sync that started at `mark` has fresher values). */
  dropBefore(mark: number): void {
    for (const [id, attrs] of this.byId) {
      for (const [k, e] of attrs) if (e.seq <= mark) attrs.delete(k);
      if (attrs.size === 0) this.byId.delete(id);
    }
  }

  /**
   * Applies the reports to `root` in place. A clip Live reported in a slot the tree has no
   * clip for is created; reports about nodes the tree no longer has are forgotten.
   */
  applyTo(root: NodeSnapshot): void {
    if (this.byId.size === 0) return;
    const nodes = new Map<string, NodeSnapshot>();
    const stack = [root];
    while (stack.length > 0) {
      const n = stack.pop()!;
      nodes.set(n.id, n);
      for (const c of n.children) stack.push(c);
    }
    for (const [id, attrs] of this.byId) {
      let node = nodes.get(id);
      if (node === undefined && id.endsWith('/clip')) {
        const slot = nodes.get(id.slice(0, -'/clip'.length));
        if (slot !== undefined && slot.type === 'clipslot' && slot.children.length === 0) {
          node = { id, type: 'clip', attrs: {}, children: [] };
          slot.children.push(node);
          nodes.set(id, node);
        }
      }
      if (node === undefined) {
        this.byId.delete(id);
        continue;
      }
      for (const [k, e] of attrs) node.attrs[k] = e.value;
    }
  }
}
