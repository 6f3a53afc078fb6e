// docs/protocol.md §4.5 positions and resume: replay from the op log when it still holds the client's next
// batch, otherwise a snapshot with the reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FrameType } from '@tidewire/protocol';
import type { OpsFrame, Position, SubscribedFrame } from '@tidewire/protocol';
import type { TidewireServer, TreeChannel } from '../src/index.ts';
import { client, leaf, root, startServer } from './helpers.ts';
import type { RawClient } from './raw-client.ts';

const subscribed = (c: RawClient) => c.frames.filter((f): f is SubscribedFrame => f.type === FrameType.SUBSCRIBED);
const opsFrames = (c: RawClient) => c.frames.filter((f): f is OpsFrame => f.type === FrameType.OPS);

/** Publishes `n` batches (one set each) and returns the OPS frames a live subscriber got. */
async function publish(doc: TreeChannel, live: RawClient, n: number): Promise<void> {
  const target = doc.position.offset + n;
  for (let i = 0; i < n; i++) {
    doc.set('a', { v: doc.position.offset + 1 });
    doc.flush();
  }
  await live.until(() => live.mirror(doc.id)?.position?.offset === target);
}

async function setup(t: import('node:test').TestContext, opLog = { maxBatches: 5, maxBytes: 1 << 20 }) {
  let doc!: TreeChannel;
  const server: TidewireServer = await startServer(t, { opLog }, (s) => void (doc = s.tree('doc', root([leaf('a', { v: 0 })]))));
  const live = await client(t, server);
  live.subscribe('doc');
  await live.until(() => live.mirror(doc.id)?.tree !== undefined);
  return { server, doc, live };
}

test('§4.5 resume from a position the log holds replays the same OPS bytes, then live batches', async (t) => {
  const { server, doc, live } = await setup(t);
  await publish(doc, live, 2);
  const from: Position = doc.position; // offset 2
  await publish(doc, live, 3); // offsets 3..5
  const c = await client(t, server);
  c.subscribe('doc', from);
  await c.until(() => opsFrames(c).length === 3);
  const sub = subscribed(c)[0]!;
  assert.equal(sub.resume, 'replay');
  assert.equal(sub.reason, undefined);
  assert.deepEqual({ epoch: sub.epoch, offset: sub.offset }, doc.position);
  assert.deepEqual(
    opsFrames(c).map((f) => f.offset),
    [3, 4, 5],
  );
  assert.equal(c.frames.filter((f) => f.type === FrameType.SNAPSHOT).length, 0);
  // Byte for byte what the live subscriber got.
  assert.deepEqual(
    c.rawOf((f) => f.type === FrameType.OPS),
    live.rawOf((f) => f.type === FrameType.OPS && f.offset > 2),
  );
  await publish(doc, live, 1);
  await c.until(() => opsFrames(c).length === 4);
  assert.equal(opsFrames(c)[3]!.offset, 6);
});

test('§4.5 resume at the current position replays nothing', async (t) => {
  const { server, doc, live } = await setup(t);
  await publish(doc, live, 2);
  const c = await client(t, server);
  c.subscribe('doc', doc.position);
  const sub = await c.next((f): f is SubscribedFrame => f.type === FrameType.SUBSCRIBED);
  assert.equal(sub.resume, 'replay');
  await publish(doc, live, 1);
  await c.until(() => opsFrames(c).length === 1);
  assert.equal(opsFrames(c)[0]!.offset, doc.position.offset);
});

test('§4.5 a position older than the log is a snapshot with reason gap', async (t) => {
  const { server, doc, live } = await setup(t, { maxBatches: 3, maxBytes: 1 << 20 });
  const from = doc.position; // offset 0
  await publish(doc, live, 5); // the log now holds 3..5 only
  const c = await client(t, server);
  c.subscribe('doc', from);
  await c.until(() => c.mirror(doc.id)?.tree !== undefined);
  const sub = subscribed(c)[0]!;
  assert.equal(sub.resume, 'snapshot');
  assert.equal(sub.reason, 'gap');
  assert.equal(c.mirror(doc.id)!.tree!.rootHash, doc.tree.rootHash);
});

test('§4.5 a position ahead of the server is a snapshot with reason gap', async (t) => {
  const { server, doc } = await setup(t);
  const c = await client(t, server);
  c.subscribe('doc', { epoch: doc.position.epoch, offset: doc.position.offset + 10 });
  const sub = await c.next((f): f is SubscribedFrame => f.type === FrameType.SUBSCRIBED);
  assert.equal(sub.resume, 'snapshot');
  assert.equal(sub.reason, 'gap');
});

test('§4.5 another epoch (server restarted or reset) is a snapshot with reason epoch', async (t) => {
  const { server, doc, live } = await setup(t);
  await publish(doc, live, 1);
  const c = await client(t, server);
  c.subscribe('doc', { epoch: (doc.position.epoch + 1) % 2 ** 32, offset: 1 });
  const sub = await c.next((f): f is SubscribedFrame => f.type === FrameType.SUBSCRIBED);
  assert.equal(sub.resume, 'snapshot');
  assert.equal(sub.reason, 'epoch');
});

test('§4.5 the log is also capped by bytes', async (t) => {
  const { server, doc, live } = await setup(t, { maxBatches: 1000, maxBytes: 200 });
  const from = doc.position;
  for (let i = 0; i < 10; i++) {
    doc.set('a', { text: 'x'.repeat(50) + i });
    doc.flush();
  }
  await live.until(() => live.mirror(doc.id)!.position!.offset === 10);
  const c = await client(t, server);
  c.subscribe('doc', from);
  const sub = await c.next((f): f is SubscribedFrame => f.type === FrameType.SUBSCRIBED);
  assert.equal(sub.reason, 'gap');
});

test('§4.5 a client that reconnects with its position converges to the server tree', async (t) => {
  const { server, doc, live } = await setup(t, { maxBatches: 100, maxBytes: 1 << 20 });
  await publish(doc, live, 3);
  const mirror = live.mirror(doc.id)!;
  const from = mirror.position!;
  await live.close();
  // Changes while disconnected.
  doc.insert('root', 1, leaf('b', { made: 'offline' }));
  doc.flush();
  doc.remove('a');
  doc.flush();
  const c = await client(t, server);
  // Carry the old mirror over, as a real client would keep its tree across reconnects.
  c.mirrors.set(doc.id, { ...mirror });
  c.subscribe('doc', from);
  await c.until(() => c.mirror(doc.id)!.position!.offset === doc.position.offset);
  assert.equal(subscribed(c)[0]!.resume, 'replay');
  assert.equal(c.mirror(doc.id)!.tree!.rootHash, doc.tree.rootHash);
});

test('§4.5 a new subscriber starts from the cached snapshot and the logged batches after it, while they are small', async (t) => {
  let doc!: TreeChannel;
  const leaves = Array.from({ length: 60 }, (_, i) => leaf(`n${i}`, { label: `node number ${i}`, v: i }));
  const server = await startServer(
    t,
    { opLog: { maxBatches: 100, maxBytes: 1 << 20 } },
    (s) => void (doc = s.tree('doc', root([leaf('a', { v: 0 }), ...leaves]))),
  );
  const live = await client(t, server);
  live.subscribe('doc');
  await live.until(() => live.mirror(doc.id)?.tree !== undefined); // encodes the snapshot at offset 0
  await publish(doc, live, 3);
  const c = await client(t, server);
  c.subscribe('doc');
  await c.until(() => c.mirror(doc.id)?.position?.offset === 3);
  const sub = subscribed(c)[0]!;
  assert.deepEqual([sub.resume, sub.reason, sub.offset], ['snapshot', 'new', 0], 'the cached snapshot, not a new one at offset 3');
  assert.deepEqual(
    opsFrames(c).map((f) => f.offset),
    [1, 2, 3],
  );
  assert.equal(c.mirror(doc.id)!.tree!.rootHash, doc.tree.rootHash);

  // Once the batches since the cached snapshot outweigh half of it, a fresh one is encoded.
  for (let i = 0; i < 40; i++) {
    doc.set(`n${i}`, { label: `a much longer label than before, number ${i}` });
    doc.flush();
  }
  await live.until(() => live.mirror(doc.id)?.position?.offset === doc.position.offset);
  const d = await client(t, server);
  d.subscribe('doc');
  await d.until(() => d.mirror(doc.id)?.tree !== undefined);
  assert.equal(subscribed(d)[0]!.offset, doc.position.offset);
  assert.equal(opsFrames(d).length, 0);
  assert.equal(d.mirror(doc.id)!.tree!.rootHash, doc.tree.rootHash);
});
