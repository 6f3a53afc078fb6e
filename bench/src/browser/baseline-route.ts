// The original design's wire, served by the SAME server as the Tidewire pages (bench-only: added
// to the bench's composition, never to the product): on connect, the whole tree as one JSON
// text message (FULL_AST); afterwards one JSON DIFF_UPDATE text message per change. The route
// is `BASELINE_WS_PATH?channel=NAME`; the Tidewire server's own upgrade handler answers every
// other path as before.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import type { NodeSnapshot } from '@tidewire/tree';
import type { TidewireServer } from '@tidewire/server';
import { BASELINE_WS_PATH } from './messages.ts';

interface JsonNode {
  id: string;
  type: string;
  attrs: Record<string, unknown>;
  children: JsonNode[];
}

interface BaselineTree {
  root: JsonNode;
  index: Map<string, JsonNode>;
  clients: Set<WebSocket>;
}

export class BaselineRoute {
  private readonly trees = new Map<string, BaselineTree>();
  private readonly wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: 1 << 20 });

  /** Takes over `server`'s HTTP upgrade event: the baseline path here, every other path to the server's own handler. */
  constructor(server: TidewireServer) {
    const http = server.fastify.server;
    const own = http.listeners('upgrade') as ((req: IncomingMessage, socket: Duplex, head: Buffer) => void)[];
    http.removeAllListeners('upgrade');
    http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (url.pathname !== BASELINE_WS_PATH) {
        for (const l of own) l.call(http, req, socket, head);
        return;
      }
      const tree = this.trees.get(url.searchParams.get('channel') ?? '');
      if (!tree) {
        socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => {
        tree.clients.add(ws);
        ws.once('close', () => tree.clients.delete(ws));
        ws.on('error', () => ws.terminate());
        // Re-serialised for every connection, as the original did.
        ws.send(JSON.stringify({ type: 'FULL_AST', ast: tree.root }));
      });
    });
  }

  /** Serves `snapshot` (copied) as channel `name`. */
  add(name: string, snapshot: NodeSnapshot): void {
    const root = structuredClone(snapshot) as JsonNode;
    const index = new Map<string, JsonNode>();
    const walk = (n: JsonNode) => {
      index.set(n.id, n);
      n.children.forEach(walk);
    };
    walk(root);
    this.trees.set(name, { root, index, clients: new Set() });
  }

  /** One change: applied to the copy and sent to every client of the channel as its own message. */
  set(name: string, id: string, attrs: Record<string, unknown>): void {
    const tree = this.trees.get(name)!;
    const node = tree.index.get(id);
    if (!node) return;
    Object.assign(node.attrs, attrs);
    if (tree.clients.size === 0) return;
    const msg = JSON.stringify({ type: 'DIFF_UPDATE', id, attrs });
    for (const c of tree.clients) if (c.readyState === WebSocket.OPEN) c.send(msg);
  }

  close(): void {
    for (const t of this.trees.values()) for (const c of t.clients) c.terminate();
    this.wss.close();
  }
}
