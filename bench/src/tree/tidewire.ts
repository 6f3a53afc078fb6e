// Tidewire in the tree bench: the real server package and the real client package (Node mode,
// `ws` transport, zlib for deflate-raw — in browsers the same client inflates natively).
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import WebSocket from 'ws';
import { createServer } from '@tidewire/server';
import { TidewireClient } from '@tidewire/client';
import type { SocketConstructor } from '@tidewire/client';
import { decodeSnapshotBody, encodeSnapshotBody, pack, unpack } from '@tidewire/protocol';
import { Tree, toColumns } from '@tidewire/tree';
import type { NodeSnapshot } from '@tidewire/tree';
import type { BenchClient, BenchServer, ChangeListener, SnapshotCodec } from './system.ts';

const CHANNEL = 'project';

/**
 * What the server does to produce a snapshot (tree → columns → msgpack → deflate-raw) and what
 * a client does before its replica answers get(id) and applies ops (inflate → decode → validate
 * the structure and build the Tree; attribute values are decoded when a node is first read).
 */
export function tidewireCodec(root: NodeSnapshot): SnapshotCodec {
  const tree = new Tree(root);
  return {
    encode: () => deflateRawSync(encodeSnapshotBody(toColumns(tree, pack))),
    decodeApply: (bytes) => Tree.fromColumns(decodeSnapshotBody(inflateRawSync(bytes as Uint8Array)), unpack),
  };
}

export async function startTidewireServer(root: NodeSnapshot): Promise<BenchServer> {
  const server = await createServer({ host: '127.0.0.1', port: 0 });
  const channel = server.tree(CHANNEL, root);
  const url = await server.listen();
  return {
    url: url.replace(/^http/, 'ws') + '/ws',
    setAttr: (id, attr, value) => channel.set(id, { [attr]: value }),
    getAttr: (id, attr) => channel.tree.get(id)?.attrs[attr],
    close: () => server.close(),
  };
}

export async function connectTidewireClient(url: string, onChange: ChangeListener): Promise<BenchClient> {
  const client = new TidewireClient({
    url,
    WebSocket: WebSocket as unknown as SocketConstructor,
    clientName: 'tree-bench',
    inflate: async (body) => inflateRawSync(body),
  });
  const stats = { messages: 0, bytes: 0 };
  client.on('frame', (f) => {
    stats.messages++;
    stats.bytes += f.bytes;
  });
  const sub = client.tree(CHANNEL);
  sub.on('ops', (e) => {
    for (const op of e.ops) {
      if (op[0] !== 0) continue;
      for (const attr in op[2]) onChange(op[1], attr, op[2][attr]);
    }
  });
  await sub.ready();
  return {
    stats,
    getAttr: (id, attr) => sub.tree?.get(id)?.attrs[attr],
    close: () => void client.close(),
  };
}
