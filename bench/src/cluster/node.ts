// One server process of the cluster suite (docs/cluster.md §10), driven over IPC: a Tidewire
// server alone (`tw-single`), the owner or an edge of a Tidewire cluster on Redis
// (`tw-owner`, `tw-edge`), or a Socket.IO server with @socket.io/redis-streams-adapter
// (`sio-origin` storms, `sio-edge` serves). Every mode holds the same 100-node state and, when it
// storms, makes the same changes: node n<i % 100> gets { t: send time, s: i }.
import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdapter } from '@socket.io/redis-streams-adapter';
import { ClusterNode } from '@tidewire/cluster';
import { createServer } from '@tidewire/server';
import type { TreeChannel } from '@tidewire/server';
import { Redis } from 'ioredis';
import { Server as SocketIoServer } from 'socket.io';
import { paced, wallNow } from '../stats.ts';
import type { NodeCommand, NodeMode, NodeReady } from './messages.ts';

export const NODES = 100;
export const CHANNEL = 'bench';

const [mode, redisUrl, nodeId] = process.argv.slice(2) as [NodeMode, string, string];

function initialTree() {
  return {
    id: 'root',
    type: 'root',
    attrs: {},
    children: Array.from({ length: NODES }, (_, i) => ({ id: `n${i}`, type: 'item', attrs: { t: 0, s: -1 }, children: [] })),
  };
}

let change: (i: number) => void;
let close: () => Promise<void>;
let port: number;

if (mode === 'sio-origin' || mode === 'sio-edge') {
  const redis = new Redis(redisUrl);
  const http = createHttpServer();
  const io = new SocketIoServer(http, { adapter: createAdapter(redis), transports: ['websocket'], serveClient: false, perMessageDeflate: false });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  port = (http.address() as AddressInfo).port;
  // One message per change, to every client: what a Socket.IO app does with a change.
  change = (i) => void io.emit('change', { id: `n${i % NODES}`, attrs: { t: wallNow(), s: i } });
  close = async () => {
    await io.close();
    redis.disconnect();
  };
} else {
  const server = await createServer({
    port: 0,
    defaultMetrics: false,
    logger: { level: 'warn' },
    limits: { maxConnections: 20_000 },
  });
  const channel: TreeChannel = server.tree(CHANNEL, initialTree());
  await server.listen();
  port = server.port;
  let cluster: ClusterNode | undefined;
  if (mode !== 'tw-single') {
    cluster = await ClusterNode.connect({ url: redisUrl, nodeId, leaseTtlMs: 2000 });
    const role = await cluster.serve(channel);
    if (role !== (mode === 'tw-owner' ? 'owner' : 'replica')) throw new Error(`${nodeId} became ${role}, not the ${mode} it was started as`);
  }
  change = (i) => channel.set(`n${i % NODES}`, { t: wallNow(), s: i });
  close = async () => {
    await cluster?.close();
    await server.close();
  };
}

let next = 0;

process.on('message', (raw) => {
  const cmd = raw as NodeCommand;
  void (async () => {
    switch (cmd.cmd) {
      case 'storm': {
        const first = next;
        const seconds = await paced(cmd.rate, cmd.seconds, () => change(next++));
        process.send!({ first, last: next - 1, seconds });
        return;
      }
      case 'rss':
        process.send!({ rssBytes: process.memoryUsage().rss });
        return;
      case 'exit':
        await close();
        process.exit(0);
    }
  })().catch((err: unknown) => process.send!({ error: (err as Error).message }));
});

const ready: NodeReady = { port, pid: process.pid };
process.send!(ready);
