// docs/protocol.md §7 flow control over real sockets: events overtake snapshot chunks, and a slow consumer
// is capped, resynced and converges.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { FrameType } from '@tidewire/protocol';
import type { SubscribedFrame } from '@tidewire/protocol';
import type { EventsChannel, TidewireServer, TreeChannel } from '../src/index.ts';
import type { TreeChannelImpl } from '../src/tree-channel.ts';
import { bigTree, client, leaf, root, startServer, turns, waitFor } from './helpers.ts';
import { RawClient } from './raw-client.ts';

const CHUNK = 64 * 1024;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

async function bigSetup(t: import('node:test').TestContext) {
  let doc!: TreeChannel;
  let ev!: EventsChannel;
  // ~5 MB of msgpack, sent uncompressed so it really is ~80 chunks on the wire.
  const server: TidewireServer = await startServer(t, { snapshotCompression: { minBytes: 1e12 } }, (s) => {
    doc = s.tree('big', bigTree(20_000, 240));
    ev = s.events('beat');
  });
  return { server, doc, ev };
}

const chunkIndex = (c: RawClient) => c.frames.findIndex((f) => f.type === FrameType.EVENT && f.key === 'beat');

test('§7 an event published mid-snapshot overtakes every chunk not yet written (socket backed up)', async (t) => {
  const { server, doc, ev } = await bigSetup(t);
  const c = await RawClient.open(server.url);
  t.after(() => c.close());
  c.subscribe('beat');
  await c.next((f) => f.type === FrameType.SUBSCRIBED);
  c.setReading(false);
  c.subscribe('big');
  // Wait until the server has stopped writing: state frames queued behind a full socket.
  await waitFor(() => {
    const s = server.connectionStats()[0]!;
    return s.queuedBytes > 0 && s.inFlight >= CHUNK;
  });
  const chunksWritten = (doc as TreeChannelImpl).messagesSent - 1; // minus SNAPSHOT_BEGIN
  ev.publish('beat', { n: 1 });
  c.setReading(true);
  await c.until(() => c.mirror(doc.id)?.tree !== undefined);
  const begin = c.frames.find((f) => f.type === FrameType.SNAPSHOT_BEGIN);
  assert.ok(begin?.type === FrameType.SNAPSHOT_BEGIN);
  const before = c.frames.slice(0, chunkIndex(c)).filter((f) => f.type === FrameType.SNAPSHOT_CHUNK).length;
  assert.ok(chunksWritten < begin.chunkCount, 'the event was published mid-snapshot');
  assert.ok(before <= chunksWritten, `${before} chunks arrived before the event, but only ${chunksWritten} had been written when it was published`);
  assert.equal(c.mirror(doc.id)!.tree!.rootHash, doc.tree.rootHash);
});

test('§7 an event published mid-snapshot arrives after at most 2 more chunks (client reading)', async (t) => {
  const { server, doc, ev } = await bigSetup(t);
  const c = await client(t, server);
  c.subscribe('beat');
  await c.next((f) => f.type === FrameType.SUBSCRIBED);
  c.subscribe('big');
  let publishedAfter = -1;
  c.ws.on('message', () => {
    const m = c.mirror(doc.id);
    if (publishedAfter < 0 && m && m.chunks === 10) {
      publishedAfter = c.frames.length;
      ev.publish('beat', { n: 1 });
    }
  });
  await c.until(() => c.mirror(doc.id)?.tree !== undefined && chunkIndex(c) >= 0);
  const between = c.frames.slice(publishedAfter, chunkIndex(c)).filter((f) => f.type === FrameType.SNAPSHOT_CHUNK).length;
  assert.ok(publishedAfter > 0);
  assert.ok(between <= 2, `${between} chunks arrived between the publish and the event`);
});

test('§7 events are latest-wins while the socket is backed up', async (t) => {
  let ev!: EventsChannel;
  const server = await startServer(t, {}, (s) => void (ev = s.events('beat')));
  const c = await RawClient.open(server.url);
  t.after(() => c.close());
  c.subscribe('beat');
  await c.next((f) => f.type === FrameType.SUBSCRIBED);
  c.setReading(false);
  // 32 KiB values: once the kernel buffers and the priority window are full, values wait here.
  const big = 'v'.repeat(32 * 1024);
  let i = 0;
  await waitFor(() => {
    for (let k = 0; k < 50; k++) ev.publish('beat', { i: i++, big });
    return server.connectionStats()[0]!.pendingEvents > 0;
  });
  for (let k = 0; k < 1000; k++) ev.publish('beat', { i: i++, big });
  assert.equal(server.connectionStats()[0]!.pendingEvents, 1, 'one pending value per key');
  const last = i - 1;
  c.setReading(true);
  await c.until(() => c.frames.some((f) => f.type === FrameType.EVENT && (f.value as { i: number }).i === last));
  const values = c.frames.flatMap((f) => (f.type === FrameType.EVENT ? [(f.value as { i: number }).i] : []));
  assert.ok(values.length < i - 900, `got ${values.length} of ${i} events`);
  for (let k = 1; k < values.length; k++) assert.ok(values[k]! > values[k - 1]!, 'values arrive in publish order');
});

test('§7 a slow consumer is capped at maxQueuedBytes, resynced by snapshot and converges', async (t) => {
  const MAX_QUEUED = 1024 * 1024; // well above one batch (~16 ops × 16 KiB per tick)
  let doc!: TreeChannel;
  const server = await startServer(t, { limits: { maxQueuedBytes: MAX_QUEUED }, opLog: { maxBytes: 1 << 20 } }, (s) => {
    doc = s.tree('doc', root(Array.from({ length: 50 }, (_, i) => leaf(`n${i}`, { v: 0 }))));
  });
  const healthy = await client(t, server, { retain: false });
  healthy.subscribe('doc');
  const slow = await RawClient.open(server.url, { retain: false });
  t.after(() => slow.close());
  slow.subscribe('doc');
  await slow.until(() => slow.mirror(doc.id)?.tree !== undefined);
  await healthy.until(() => healthy.mirror(doc.id)?.tree !== undefined);
  slow.setReading(false);

  // ~1,000 ops/s with 16 KiB payloads (so the kernel buffers fill within a second).
  const payload = 'x'.repeat(16 * 1024);
  let i = 0;
  const timer = setInterval(() => {
    doc.set(`n${i % 50}`, { v: i, payload: payload + i });
    i++;
  }, 1);
  t.after(() => clearInterval(timer));

  // Retained memory: collect garbage first (twice: ArrayBuffer backing stores are released
  // asynchronously); frames live in ArrayBuffers, so count those too.
  const memory = async () => {
    gc();
    await new Promise((r) => setTimeout(r, 20));
    gc();
    const m = process.memoryUsage();
    return m.heapUsed + m.arrayBuffers;
  };
  const heapBefore = await memory();
  let peakOps = 0;
  const slowStats = () => server.connectionStats().find((s) => s.id === 2)!;
  await waitFor(() => {
    const s = slowStats();
    peakOps = Math.max(peakOps, s.queuedOpsBytes);
    return s.overflows >= 1 && i >= 2000;
  });
  const peakHeap = await memory();
  clearInterval(timer);
  assert.ok(peakOps <= MAX_QUEUED, `queued OPS peaked at ${peakOps} bytes`);
  assert.ok(slowStats().peakQueuedOpsBytes <= MAX_QUEUED);
  // Everything published while the client was paused is ~32 MB (a few MB of it in kernel
  // buffers); a bounded server retains the capped queue and the 1 MiB op log.
  assert.ok(peakHeap - heapBefore < 10 * 1024 * 1024, `memory grew by ${((peakHeap - heapBefore) / 1048576).toFixed(1)} MiB`);

  slow.setReading(true);
  doc.flush();
  await slow.until(() => {
    const m = slow.mirror(doc.id)!;
    return m.position?.offset === doc.position.offset && m.position.epoch === doc.position.epoch && m.assembler === undefined;
  });
  assert.equal(slow.mirror(doc.id)!.tree!.rootHash, doc.tree.rootHash);
  assert.equal(slow.mirror(doc.id)!.outOfOrder, 0);
  assert.ok(slow.errors().includes('TW_SLOW_CONSUMER'));
  const resync = slow.frames.filter((f): f is SubscribedFrame => f.type === FrameType.SUBSCRIBED && f.name === 'doc').at(-1)!;
  assert.equal(resync.resume, 'snapshot');
  assert.equal(resync.reason, 'gap');
  // The healthy client was never resynced and kept up.
  await healthy.until(() => healthy.mirror(doc.id)!.position!.offset === doc.position.offset);
  assert.deepEqual(healthy.errors(), []);
  assert.equal(healthy.mirror(doc.id)!.snapshots, 1);
  assert.equal(healthy.mirror(doc.id)!.tree!.rootHash, doc.tree.rootHash);
  assert.match(await server.metrics.metrics(), /tidewire_channel_resyncs_total\{channel="doc"\} [1-9]/);
});

test('§7 snapshot frames are encoded once and shared by every subscriber at that position', async (t) => {
  let doc!: TreeChannel;
  const server = await startServer(t, {}, (s) => void (doc = s.tree('doc', root([leaf('a')]))));
  const clients = await Promise.all([0, 1, 2].map(() => client(t, server)));
  for (const c of clients) c.subscribe('doc');
  await Promise.all(clients.map((c) => c.until(() => c.mirror(doc.id)?.tree !== undefined)));
  for (let k = 0; k < 5; k++) {
    doc.set('a', { k });
    doc.flush();
  }
  await Promise.all(clients.map((c) => c.until(() => c.mirror(doc.id)!.position!.offset === 5)));
  // 1 snapshot + 5 batches, whatever the number of subscribers.
  assert.match(await server.metrics.metrics(), /tidewire_channel_encode_seconds_count\{channel="doc"\} 6\n/);
  const [a, b] = clients;
  assert.deepEqual(
    a!.rawOf((f) => f.type === FrameType.OPS),
    b!.rawOf((f) => f.type === FrameType.OPS),
  );
  await turns(1);
});

test('§4.6 a large snapshot compressed off the event loop still precedes the OPS that follow it', async (t) => {
  let doc!: TreeChannel;
  const server = await startServer(t, { snapshotCompression: { minBytes: 1024, asyncMinBytes: 1024 } }, (s) => {
    doc = s.tree('doc', bigTree(2000, 100));
  });
  const c = await client(t, server);
  let n = 0;
  const timer = setInterval(() => doc.set(`n${n++ % 2000}`, { v: n }), 1);
  t.after(() => clearInterval(timer));
  c.subscribe('doc');
  // Edits land while the snapshot compresses; they must queue behind it.
  doc.set('n0', { right: 'after subscribe' });
  await c.until(() => c.mirror(doc.id)?.tree !== undefined && c.mirror(doc.id)!.opsApplied >= 3);
  clearInterval(timer);
  doc.flush();
  await c.until(() => c.mirror(doc.id)!.position!.offset === doc.position.offset);
  const firstSnap = c.frames.findIndex((f) => f.type === FrameType.SNAPSHOT || f.type === FrameType.SNAPSHOT_BEGIN);
  const firstOps = c.frames.findIndex((f) => f.type === FrameType.OPS);
  assert.ok(firstSnap >= 0 && firstSnap < firstOps, 'snapshot first, then ops');
  const snap = c.frames[firstSnap]!;
  assert.ok(snap.type === FrameType.SNAPSHOT || snap.type === FrameType.SNAPSHOT_BEGIN);
  assert.equal(snap.encoding, 1);
  assert.equal(c.mirror(doc.id)!.outOfOrder, 0);
  assert.equal(c.mirror(doc.id)!.tree!.rootHash, doc.tree.rootHash);
});
