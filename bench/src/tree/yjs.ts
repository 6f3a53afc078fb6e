// The best CRDT peer: the same tree as nested Y.Maps (node = { id, type, attrs: Y.Map,
// children: Y.Array }) synced with y-protocols' sync messages, as y-websocket does: state
// as sync step 2 on connect, then one update message per transaction.
import * as Y from 'yjs';
import * as syncProtocol from 'y-protocols/sync';
import * as encoding from 'lib0/encoding';
import * as decoding from 'lib0/decoding';
import { WebSocketServer, WebSocket } from 'ws';
import type { NodeSnapshot } from '@tidewire/tree';
import type { BenchClient, BenchServer, ChangeListener } from './system.ts';

const MESSAGE_SYNC = 0; // y-websocket's outer message type for sync messages

function toY(node: NodeSnapshot): Y.Map<unknown> {
  const m = new Y.Map<unknown>();
  m.set('id', node.id);
  m.set('type', node.type);
  const attrs = new Y.Map<unknown>();
  for (const [k, v] of Object.entries(node.attrs)) attrs.set(k, v);
  m.set('attrs', attrs);
  const children = new Y.Array<Y.Map<unknown>>();
  children.push(node.children.map(toY));
  m.set('children', children);
  return m;
}

export function buildDoc(root: NodeSnapshot): Y.Doc {
  const doc = new Y.Doc();
  doc.getMap('root').set('tree', toY(root));
  return doc;
}

/** id → attrs map, plus the reverse, as a client store needs them. */
export function indexDoc(doc: Y.Doc): { byId: Map<string, Y.Map<unknown>>; idOf: WeakMap<object, string> } {
  const byId = new Map<string, Y.Map<unknown>>();
  const idOf = new WeakMap<object, string>();
  const walk = (m: Y.Map<unknown>) => {
    const id = m.get('id') as string;
    const attrs = m.get('attrs') as Y.Map<unknown>;
    byId.set(id, attrs);
    idOf.set(attrs, id);
    for (const c of (m.get('children') as Y.Array<Y.Map<unknown>>).toArray()) walk(c);
  };
  walk(doc.getMap('root').get('tree') as Y.Map<unknown>);
  return { byId, idOf };
}

export function yjsEncode(doc: Y.Doc): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MESSAGE_SYNC);
  syncProtocol.writeSyncStep2(encoder, doc);
  return encoding.toUint8Array(encoder);
}

export function yjsDecodeApply(message: Uint8Array): unknown {
  const doc = new Y.Doc();
  readMessage(doc, message);
  return indexDoc(doc);
}

function readMessage(doc: Y.Doc, message: Uint8Array): void {
  const decoder = decoding.createDecoder(message);
  if (decoding.readVarUint(decoder) !== MESSAGE_SYNC) return;
  syncProtocol.readSyncMessage(decoder, encoding.createEncoder(), doc, 'remote');
}

export async function startYjsServer(root: NodeSnapshot): Promise<BenchServer> {
  const doc = buildDoc(root);
  const { byId } = indexDoc(doc);
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  wss.on('connection', (ws) => ws.send(yjsEncode(doc)));
  doc.on('update', (update: Uint8Array) => {
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, MESSAGE_SYNC);
    syncProtocol.writeUpdate(encoder, update);
    const msg = encoding.toUint8Array(encoder);
    for (const c of wss.clients) if (c.readyState === WebSocket.OPEN) c.send(msg);
  });
  const port = (wss.address() as { port: number }).port;
  return {
    url: `ws://127.0.0.1:${port}`,
    setAttr(id, attr, value) {
      doc.transact(() => byId.get(id)!.set(attr, value));
    },
    getAttr: (id, attr) => byId.get(id)!.get(attr),
    async close() {
      for (const c of wss.clients) c.terminate();
      await new Promise<void>((r) => wss.close(() => r()));
    },
  };
}

export async function connectYjsClient(url: string, onChange: ChangeListener): Promise<BenchClient> {
  const doc = new Y.Doc();
  let index: ReturnType<typeof indexDoc> | undefined;
  const stats = { messages: 0, bytes: 0 };
  doc.on('afterTransaction', (tr: Y.Transaction) => {
    if (!index) return;
    for (const [type, keys] of tr.changed) {
      const id = index.idOf.get(type);
      if (id === undefined) continue;
      for (const k of keys) if (k !== null) onChange(id, k, (type as unknown as Y.Map<unknown>).get(k));
    }
  });
  const ws = new WebSocket(url);
  ws.binaryType = 'nodebuffer';
  let resolveReady!: () => void;
  const ready = new Promise<void>((r) => (resolveReady = r));
  ws.on('message', (data: Buffer) => {
    stats.messages++;
    stats.bytes += data.length;
    readMessage(doc, new Uint8Array(data.buffer, data.byteOffset, data.length));
    if (!index) {
      index = indexDoc(doc);
      resolveReady();
    }
  });
  await ready;
  return {
    stats,
    getAttr: (id, attr) => index!.byId.get(id)?.get(attr),
    close: () => ws.terminate(),
  };
}
