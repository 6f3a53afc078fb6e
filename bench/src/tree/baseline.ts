// The original design, reproduced for comparison: the whole tree as JSON text (FULL_AST),
// re-serialised for every connection; one JSON DIFF_UPDATE text message per change; the client
// JSON.parses, rebuilds its model from scratch, and finds a diff's node by searching the tree.
import { WebSocketServer, WebSocket } from 'ws';
import { Tree } from '@tidewire/tree';
import type { NodeSnapshot } from '@tidewire/tree';
import type { BenchClient, BenchServer, ChangeListener } from './system.ts';

interface JsonNode {
  id: string;
  type: string;
  attrs: Record<string, unknown>;
  children: JsonNode[];
}

export function baselineEncode(root: NodeSnapshot): string {
  return JSON.stringify({ type: 'FULL_AST', ast: root });
}

/**
 * JSON.parse plus the full rebuild the original client did on every FULL_AST: its model rebuilt
 * from scratch out of the parsed AST. The model is the one every system here ends with — an
 * indexed tree with parent links (@tidewire/tree's Tree, built by copying) — so the systems
 * differ only in how the bytes become that replica.
 */
export function baselineDecodeApply(text: string): Tree {
  const msg = JSON.parse(text) as { ast: NodeSnapshot };
  return new Tree(msg.ast);
}

/** The original's diff application: an O(n) search for the node. */
function findNode(n: JsonNode, id: string): JsonNode | undefined {
  if (n.id === id) return n;
  for (const c of n.children) {
    const hit = findNode(c, id);
    if (hit) return hit;
  }
  return undefined;
}

export async function startBaselineServer(root: NodeSnapshot): Promise<BenchServer> {
  const tree = structuredClone(root) as JsonNode;
  const index = new Map<string, JsonNode>();
  const walk = (n: JsonNode) => {
    index.set(n.id, n);
    n.children.forEach(walk);
  };
  walk(tree);
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  wss.on('connection', (ws) => ws.send(JSON.stringify({ type: 'FULL_AST', ast: tree })));
  const port = (wss.address() as { port: number }).port;
  return {
    url: `ws://127.0.0.1:${port}`,
    setAttr(id, attr, value) {
      index.get(id)!.attrs[attr] = value;
      const msg = JSON.stringify({ type: 'DIFF_UPDATE', id, attrs: { [attr]: value } });
      for (const c of wss.clients) if (c.readyState === WebSocket.OPEN) c.send(msg);
    },
    getAttr: (id, attr) => index.get(id)!.attrs[attr],
    async close() {
      for (const c of wss.clients) c.terminate();
      await new Promise<void>((r) => wss.close(() => r()));
    },
  };
}

export async function connectBaselineClient(url: string, onChange: ChangeListener): Promise<BenchClient> {
  const ws = new WebSocket(url);
  let root: JsonNode | undefined;
  const stats = { messages: 0, bytes: 0 };
  let resolveReady!: () => void;
  const ready = new Promise<void>((r) => (resolveReady = r));
  ws.on('message', (data: Buffer) => {
    stats.messages++;
    stats.bytes += data.length;
    const msg = JSON.parse(data.toString('utf8')) as { type: 'FULL_AST'; ast: JsonNode } | { type: 'DIFF_UPDATE'; id: string; attrs: Record<string, unknown> };
    if (msg.type === 'FULL_AST') {
      root = msg.ast;
      resolveReady();
      return;
    }
    const node = findNode(root!, msg.id);
    if (!node) return;
    Object.assign(node.attrs, msg.attrs);
    for (const k of Object.keys(msg.attrs)) onChange(msg.id, k, msg.attrs[k]);
  });
  await ready;
  return {
    stats,
    getAttr: (id, attr) => findNode(root!, id)?.attrs[attr],
    close: () => ws.terminate(),
  };
}
