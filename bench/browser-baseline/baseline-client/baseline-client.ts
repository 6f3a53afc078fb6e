// The original design's client, for the browser benchmark's baseline pages (docs/benchmarks.md,
// browser suite): one WebSocket on the main thread, the whole tree as one JSON text message
// (FULL_AST), JSON.parse on the main thread, and the main-thread store rebuilt from it all at
// once — a TreeStore fed begin / slice(every node) / end and flushed synchronously, with no
// frame budget — then one JSON message per change (DIFF_UPDATE), each applied at once. It has
// the WorkerClient's shape, so the apps' own components render it unchanged; it has no perf
// HUD (the original had none) and no events channels (nothing is published on them in the bench).
import { TreeStore } from '@tidewire/client/main';
import type { ConnectionState, NodeView, PerfMonitor, WorkerClient } from '@tidewire/client/main';

interface JsonNode {
  id: string;
  type: string;
  attrs: Record<string, unknown>;
  children: JsonNode[];
}

type Incoming = { type: 'FULL_AST'; ast: JsonNode } | { type: 'DIFF_UPDATE'; id: string; attrs: Record<string, unknown> };

/** The store is flushed by hand after every message: nothing waits for a frame. */
const never = () => () => {};

/** Marks on the page's User Timing (the bench reads them): socket open, and the snapshot in the store. */
export const MARK_SOCKET_OPEN = 'baseline:socket-open';
export const MARK_SNAPSHOT_APPLIED = 'baseline:snapshot-applied';

function views(root: JsonNode): NodeView[] {
  const out: NodeView[] = [];
  const stack: [JsonNode, string | null][] = [[root, null]];
  while (stack.length > 0) {
    const [n, parent] = stack.pop()!;
    out.push({ id: n.id, type: n.type, attrs: n.attrs, children: n.children.map((c) => c.id), parent });
    for (let i = n.children.length - 1; i >= 0; i--) stack.push([n.children[i]!, n.id]);
  }
  return out;
}

export function createBaselineClient(channel: string): WorkerClient {
  const store = new TreeStore(channel, { schedule: never, budgetMs: Infinity });
  const stores = new Map([[channel, store]]);
  const stateFns = new Set<(s: ConnectionState) => void>();
  let state: ConnectionState = 'connecting';
  const setState = (s: ConnectionState) => {
    state = s;
    for (const fn of stateFns) fn(s);
  };
  const position = { epoch: 1, offset: 0 };
  const url = new URL(`/bench/baseline-ws?channel=${encodeURIComponent(channel)}`, location.href);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  const ws = new WebSocket(url);
  ws.onopen = () => {
    performance.mark(MARK_SOCKET_OPEN);
    setState('open');
  };
  ws.onclose = () => setState('closed');
  ws.onmessage = (ev: MessageEvent<string>) => {
    const msg = JSON.parse(ev.data) as Incoming;
    if (msg.type === 'FULL_AST') {
      const all = views(msg.ast);
      store.receive({ t: 'status', state: 'loading' });
      store.receive({ t: 'begin', rootId: msg.ast.id, nodeCount: all.length, position, rootHash: '' });
      store.receive({ t: 'slice', nodes: all });
      store.receive({ t: 'end' });
      store.receive({ t: 'status', state: 'live' });
      store.flushSync();
      performance.mark(MARK_SNAPSHOT_APPLIED);
      return;
    }
    const old = store.get(msg.id);
    if (!old) return;
    position.offset++;
    store.receive({
      t: 'changes',
      upserts: [{ ...old, attrs: { ...old.attrs, ...msg.attrs } }],
      removes: [],
      final: true,
      position: { ...position },
      rootHash: '',
    });
    store.flushSync();
  };
  return {
    stores,
    store(name) {
      const s = stores.get(name);
      if (!s) throw new Error(`no store ${name}`);
      return s;
    },
    get state() {
      return state;
    },
    onState(fn) {
      stateFns.add(fn);
      return () => stateFns.delete(fn);
    },
    onError: () => () => {},
    events: () => () => {},
    send() {},
    reconnect() {},
    perf: null as PerfMonitor | null,
    close() {
      ws.close();
      store.dispose();
      return Promise.resolve();
    },
  };
}
