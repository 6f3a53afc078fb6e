// docs/protocol.md §4.6 chunked snapshots: assembly, progress (nodeCount and totals first), deflate-raw bodies,
// discarding a partial assembly, and chunk errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocket } from 'ws';
import { FrameType, SnapshotEncoding, encodeSnapshotChunk } from '@tidewire/protocol';
import { inflateRawSync } from 'node:zlib';
import { ManualTimers, TidewireClient } from '@tidewire/client';
import type { ClientError, ProgressEvent } from '@tidewire/client';
import { startFakeServer } from './fake-server.ts';
import { socketFactory } from './fake-socket.ts';
import { History, bigTree } from './fixtures.ts';

const FAST = { minDelayMs: 5, maxDelayMs: 20, factor: 2, jitter: 0 };

async function setup(t: import('node:test').TestContext) {
  const server = await startFakeServer(t);
  const client = new TidewireClient({ url: server.url, WebSocket, reconnect: FAST });
  t.after(() => client.close());
  const sub = client.tree('doc');
  const conn = await server.connection();
  await conn.expect(FrameType.SUBSCRIBE);
  return { server, client, sub, conn };
}

test('§4.6 SNAPSHOT_BEGIN + chunks assemble into the tree, with progress from 0 to totalBytes', async (t) => {
  const { sub, conn } = await setup(t);
  const h = new History(bigTree(3000));
  const frames = h.snapshotFrames(1, 16 * 1024);
  assert.ok(frames.length > 5, 'the snapshot is chunked');
  const progress: ProgressEvent[] = [];
  sub.on('progress', (p) => progress.push(p));
  conn.send(h.subscribed('doc', 1, 'snapshot', 'new'), ...frames);
  await sub.ready();
  assert.equal(sub.tree!.size, 3000);
  assert.equal(sub.rootHash, h.tree.rootHash);
  assert.equal(progress.length, frames.length, 'one event for BEGIN and one per chunk');
  assert.equal(progress[0]!.receivedBytes, 0);
  assert.ok(progress.every((p) => p.nodeCount === 3000 && p.totalBytes === progress[0]!.totalBytes));
  for (let i = 1; i < progress.length; i++) assert.ok(progress[i]!.receivedBytes > progress[i - 1]!.receivedBytes);
  assert.equal(progress.at(-1)!.receivedBytes, progress[0]!.totalBytes);
});

test('§4.6 a deflate-raw body (encoding 1), single or chunked, is inflated before decoding', async (t) => {
  const { sub, conn } = await setup(t);
  const h = new History(bigTree(2000));
  conn.send(h.subscribed('doc', 1, 'snapshot', 'new'), ...h.snapshotFrames(1, 4 * 1024, SnapshotEncoding.DEFLATE_RAW));
  // OPS right behind the snapshot wait for the asynchronous inflate and apply after it.
  conn.send(h.commit(1, [[0, 't0c1', { name: 'edited' }]]), h.commit(1, [[2, 't0c2']]));
  await sub.waitForOffset(2);
  assert.equal(sub.tree!.size, 1999);
  assert.equal(sub.rootHash, h.tree.rootHash);
  // And a single-frame compressed snapshot.
  const small = new History(bigTree(50), 3);
  conn.send(small.subscribed('doc', 1, 'snapshot', 'epoch'), ...small.snapshotFrames(1, 64 * 1024, SnapshotEncoding.DEFLATE_RAW));
  await sub.waitFor((s) => s.position?.epoch === 3, { timeoutMs: 10_000 });
  assert.equal(sub.rootHash, small.tree.rootHash);
});

test('§4.6 snapshots held back behind an inflating one keep their bytes when the socket reuses its buffer', async () => {
  let release!: () => void;
  const inflating = new Promise<void>((resolve) => (release = resolve));
  const f = socketFactory();
  const client = new TidewireClient({
    url: 'ws://example.test/ws',
    WebSocket: f.WebSocket,
    timers: new ManualTimers(),
    inflate: async (body) => {
      await inflating;
      return new Uint8Array(inflateRawSync(body));
    },
  });
  const errors: string[] = [];
  client.on('error', (e) => errors.push(e.code));
  const sub = client.tree('doc');
  const socket = f.last();
  socket.open();
  socket.welcome();
  const first = new History(bigTree(20), 1);
  socket.receive(first.subscribed('doc', 1, 'snapshot', 'new'), ...first.snapshotFrames(1, 64 * 1024, SnapshotEncoding.DEFLATE_RAW));
  // While that inflates: a single SNAPSHOT, then a chunked one, each message a view into one
  // receive buffer that the next message overwrites.
  const single = new History(bigTree(30), 2);
  const chunked = new History(bigTree(400), 3);
  const held = [...single.snapshotFrames(1), ...chunked.snapshotFrames(1, 4 * 1024)];
  assert.ok(held.length > 3, 'the last snapshot is chunked');
  const buffer = new Uint8Array(Math.max(...held.map((m) => m.length)));
  for (const m of held) {
    buffer.set(m);
    socket.onmessage!({ data: buffer.subarray(0, m.length) });
  }
  buffer.fill(0);
  const epochs: number[] = [];
  sub.on('snapshot', (e) => epochs.push(e.position.epoch));
  release();
  // Bytes read after the buffer was overwritten would fail to decode: TW_BAD_FRAME, a reconnect.
  await sub.waitFor((s) => s.position?.epoch === 3 || errors.length > 0);
  assert.deepEqual(errors, []);
  assert.deepEqual(epochs, [1, 2, 3]);
  assert.equal(sub.rootHash, chunked.tree.rootHash);
  await client.close();
});

test('§4.6 a new SNAPSHOT_BEGIN discards the partial assembly', async (t) => {
  const { sub, conn } = await setup(t);
  const first = new History(bigTree(1500));
  const partial = first.snapshotFrames(1, 8 * 1024).slice(0, 3);
  const second = new History(bigTree(1200), 8);
  conn.send(first.subscribed('doc', 1, 'snapshot', 'new'), ...partial);
  conn.send(second.subscribed('doc', 1, 'snapshot', 'gap'), ...second.snapshotFrames(1, 8 * 1024));
  await sub.ready();
  assert.equal(sub.tree!.size, 1200);
  assert.deepEqual(sub.position, { epoch: 8, offset: 0 });
});

test('§4.6 a chunk with an unexpected index is TW_BAD_FRAME: the client reconnects and resumes', async (t) => {
  const { server, client, sub, conn } = await setup(t);
  const errors: ClientError[] = [];
  client.on('error', (e) => errors.push(e));
  const h = new History(bigTree(1500));
  const frames = h.snapshotFrames(1, 8 * 1024);
  conn.send(h.subscribed('doc', 1, 'snapshot', 'new'), frames[0]!, frames[2]!);
  const again = await server.connection();
  assert.deepEqual(
    errors.map((e) => e.code),
    ['TW_BAD_FRAME'],
  );
  const resub = await again.expect(FrameType.SUBSCRIBE);
  assert.equal(resub.from, undefined);
  again.send(h.subscribed('doc', 1, 'snapshot', 'new'), ...frames);
  await sub.ready();
  assert.equal(sub.rootHash, h.tree.rootHash);
});

test('§4.6 chunk bytes beyond totalBytes are TW_BAD_FRAME', async (t) => {
  const { server, client, conn } = await setup(t);
  const errors: string[] = [];
  client.on('error', (e) => errors.push(e.code));
  const h = new History(bigTree(1500));
  const frames = h.snapshotFrames(1, 8 * 1024);
  const last = frames.length - 2; // index of the last chunk
  conn.send(h.subscribed('doc', 1, 'snapshot', 'new'), ...frames.slice(0, -1), encodeSnapshotChunk(1, last, new Uint8Array(9000)));
  await server.connection();
  assert.deepEqual(errors, ['TW_BAD_FRAME']);
});

test('§4.6 a deflate-raw body that is not deflate data is TW_BAD_FRAME', async (t) => {
  const { server, client, conn } = await setup(t);
  const errors: string[] = [];
  client.on('error', (e) => errors.push(e.code));
  const h = new History(bigTree(10));
  const { encodeSnapshot } = await import('@tidewire/protocol');
  conn.send(
    h.subscribed('doc', 1, 'snapshot', 'new'),
    encodeSnapshot(1, h.position, 10, SnapshotEncoding.DEFLATE_RAW, new Uint8Array([0xff, 0xfe, 0xfd, 0xfc])),
  );
  await server.connection();
  assert.deepEqual(errors, ['TW_BAD_FRAME']);
});

test('§4.6 a snapshot that inflates past maxSnapshotBytes is TW_BAD_FRAME', async (t) => {
  const server = await startFakeServer(t);
  const client = new TidewireClient({ url: server.url, WebSocket, reconnect: FAST, maxSnapshotBytes: 10_000 });
  t.after(() => client.close());
  const errors: string[] = [];
  client.on('error', (e) => errors.push(e.code));
  client.tree('doc');
  const conn = await server.connection();
  await conn.expect(FrameType.SUBSCRIBE);
  const h = new History(bigTree(500));
  const frames = h.snapshotFrames(1, 64 * 1024, SnapshotEncoding.DEFLATE_RAW);
  assert.equal(frames.length, 1, 'compressed it fits one frame');
  conn.send(h.subscribed('doc', 1, 'snapshot', 'new'), ...frames);
  await server.connection();
  assert.deepEqual(errors, ['TW_BAD_FRAME']);
});
