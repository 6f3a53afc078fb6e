// docs/protocol.md §4.5 / §4.7 resume logic against a scripted server over a real WebSocket: replay, snapshot
// (epoch), gap, duplicates, divergence.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocket } from 'ws';
import { FrameType, encodeOps } from '@tidewire/protocol';
import { TidewireClient } from '@tidewire/client';
import type { ClientError } from '@tidewire/client';
import { startFakeServer } from './fake-server.ts';
import { History, sampleTree } from './fixtures.ts';

const FAST = { minDelayMs: 5, maxDelayMs: 20, factor: 2, jitter: 0 };

function newClient(t: import('node:test').TestContext, url: string): TidewireClient {
  const client = new TidewireClient({ url, WebSocket, reconnect: FAST });
  t.after(() => client.close());
  return client;
}

/** A client subscribed to tree 'doc' on channel 1, served as a new subscription: SUBSCRIBED(snapshot, new) + a snapshot at epoch 7, offset 0. */
async function loaded(t: import('node:test').TestContext) {
  const server = await startFakeServer(t);
  const client = newClient(t, server.url);
  const sub = client.tree('doc');
  const conn = await server.connection();
  const subscribe = await conn.expect(FrameType.SUBSCRIBE);
  assert.equal(subscribe.name, 'doc');
  assert.equal(subscribe.from, undefined);
  const h = new History(sampleTree());
  conn.send(h.subscribed('doc', 1, 'snapshot', 'new'), ...h.snapshotFrames(1));
  return { server, client, sub, conn, h };
}

test('§4.5 a new subscription loads the snapshot, then applies OPS in order', async (t) => {
  const { sub, conn, h } = await loaded(t);
  await sub.ready();
  assert.deepEqual(sub.position, { epoch: 7, offset: 0 });
  const reasons: unknown[] = [];
  sub.on('snapshot', (e) => reasons.push(e.reason));
  conn.send(h.commit(1, [[0, 'n0', { name: 'kick' }]]), h.commit(1, [[1, 'root', 3, { id: 'n3', type: 'track', attrs: {}, children: [] }]]));
  await sub.waitForOffset(2);
  assert.equal(sub.rootHash, h.tree.rootHash);
  assert.equal(sub.tree!.get('n0')!.attrs.name, 'kick');
  assert.deepEqual(reasons, []);
});

test('§4.5 after a drop the client resubscribes from its position and applies the replay', async (t) => {
  const { server, sub, conn: c1, h } = await loaded(t);
  c1.send(h.commit(1, [[0, 'n1', { x: 1 }]]));
  await sub.waitForOffset(1);
  const treeBefore = sub.tree;
  c1.kill();
  // While disconnected the server moves on by three batches.
  h.commit(1, [[2, 'n2']]);
  h.commit(1, [[3, 'n0', 'n1', 0]]);
  h.commit(1, [[0, 'root', { title: 'renamed', missing: null }]]);
  const c2 = await server.connection();
  const resub = await c2.expect(FrameType.SUBSCRIBE);
  assert.deepEqual(resub.from, { epoch: 7, offset: 1 });
  c2.send(h.subscribed('doc', 1, 'replay'), h.opsFrame(1, 2), h.opsFrame(1, 3), h.opsFrame(1, 4));
  await sub.waitForOffset(4);
  await sub.ready();
  assert.equal(sub.tree, treeBefore, 'a replay keeps the replica (no snapshot)');
  assert.equal(sub.rootHash, h.tree.rootHash);
});

test('§4.5 a snapshot with reason "epoch" replaces the replica after a server restart', async (t) => {
  const { server, sub, conn: c1, h } = await loaded(t);
  c1.send(h.commit(1, [[0, 'n1', { x: 1 }]]));
  await sub.waitForOffset(1);
  c1.close(1001);
  const restarted = new History(sampleTree(5), 99);
  restarted.commit(4, [[0, 'n4', { fresh: true }]]);
  const c2 = await server.connection();
  const resub = await c2.expect(FrameType.SUBSCRIBE);
  assert.deepEqual(resub.from, { epoch: 7, offset: 1 });
  const snap = new Promise<unknown>((resolve) => sub.once('snapshot', (e) => resolve(e.reason)));
  c2.send(restarted.subscribed('doc', 4, 'snapshot', 'epoch'), ...restarted.snapshotFrames(4));
  assert.equal(await snap, 'epoch');
  assert.deepEqual(sub.position, { epoch: 99, offset: 1 });
  assert.equal(sub.rootHash, restarted.tree.rootHash);
  // The new channel id is used from now on.
  c2.send(restarted.commit(4, [[2, 'n0']]));
  await sub.waitForOffset(2, { epoch: 99 });
  assert.equal(sub.rootHash, restarted.tree.rootHash);
});

test('§4.7 an OPS batch past offset + 1 (a gap) makes the client resubscribe with its position', async (t) => {
  const { sub, conn, h } = await loaded(t);
  conn.send(h.commit(1, [[0, 'n0', { a: 1 }]]));
  await sub.waitForOffset(1);
  h.commit(1, [[0, 'n0', { a: 2 }]]); // offset 2: lost
  conn.send(h.commit(1, [[0, 'n1', { b: 3 }]])); // offset 3 arrives first
  const resub = await conn.expect(FrameType.SUBSCRIBE);
  assert.deepEqual(resub.from, { epoch: 7, offset: 1 });
  assert.deepEqual(sub.position, { epoch: 7, offset: 1 }, 'the batch after the gap was not applied');
  // Frames still in flight before SUBSCRIBED belong to the old stream and are ignored.
  conn.send(h.opsFrame(1, 3));
  conn.send(h.subscribed('doc', 1, 'replay'), h.opsFrame(1, 2), h.opsFrame(1, 3));
  await sub.waitForOffset(3);
  assert.equal(sub.rootHash, h.tree.rootHash);
  assert.equal(sub.tree!.get('n0')!.attrs.a, 2);
});

test('§4.7 an OPS batch of another epoch makes the client resubscribe; the server answers with a gap snapshot', async (t) => {
  const { sub, conn, h } = await loaded(t);
  conn.send(encodeOps(1, { epoch: 8, offset: 1 }, [[0, 'n0', { a: 1 }]]));
  const resub = await conn.expect(FrameType.SUBSCRIBE);
  assert.deepEqual(resub.from, { epoch: 7, offset: 0 });
  h.commit(1, [[0, 'n0', { a: 5 }]]);
  const snap = new Promise<unknown>((resolve) => sub.once('snapshot', (e) => resolve(e.reason)));
  conn.send(h.subscribed('doc', 1, 'snapshot', 'gap'), ...h.snapshotFrames(1));
  assert.equal(await snap, 'gap');
  assert.equal(sub.tree!.get('n0')!.attrs.a, 5);
});

test('§4.7 a batch the replica already has is ignored without resubscribing', async (t) => {
  const { client, sub, conn, h } = await loaded(t);
  conn.send(h.commit(1, [[0, 'n0', { a: 1 }]]), h.commit(1, [[0, 'n0', { a: 2 }]]));
  await sub.waitForOffset(2);
  conn.send(h.opsFrame(1, 1), h.commit(1, [[0, 'n0', { a: 3 }]]));
  await sub.waitForOffset(3);
  assert.equal(sub.tree!.get('n0')!.attrs.a, 3);
  // Nothing but HELLO and the first SUBSCRIBE came from the client.
  client.send('probe', 'k', 1);
  const next = await conn.next();
  assert.equal(next.type, FrameType.SUBSCRIBE);
  assert.equal((next as { name: string }).name, 'probe');
});

test('§4.7 a batch that does not apply (TW_DIVERGED) reloads from a snapshot: SUBSCRIBE without from', async (t) => {
  const { sub, conn, h } = await loaded(t);
  const errors: ClientError[] = [];
  sub.on('error', (e) => errors.push(e));
  conn.send(encodeOps(1, { epoch: 7, offset: 1 }, [[2, 'no-such-node']]));
  const resub = await conn.expect(FrameType.SUBSCRIBE);
  assert.equal(resub.from, undefined);
  assert.deepEqual(
    errors.map((e) => e.code),
    ['TW_DIVERGED'],
  );
  conn.send(h.subscribed('doc', 1, 'snapshot', 'new'), ...h.snapshotFrames(1));
  await sub.waitFor((s) => s.position !== null, { timeoutMs: 10_000 });
  assert.equal(sub.rootHash, h.tree.rootHash);
});

test('§4.5 a replay the replica cannot take (epoch differs) is answered with SUBSCRIBE without from', async (t) => {
  const { sub, conn } = await loaded(t);
  await sub.ready();
  const other = new History(sampleTree(), 1234);
  conn.send(other.subscribed('doc', 1, 'replay'));
  const resub = await conn.expect(FrameType.SUBSCRIBE);
  assert.equal(resub.from, undefined);
});

test('§4.3 TW_UNKNOWN_CHANNEL rejects ready() with the server code', async (t) => {
  const server = await startFakeServer(t);
  const client = newClient(t, server.url);
  const sub = client.tree('nope');
  const conn = await server.connection();
  await conn.expect(FrameType.SUBSCRIBE);
  const { encodeError } = await import('@tidewire/protocol');
  conn.send(encodeError({ code: 'TW_UNKNOWN_CHANNEL', message: 'no such channel', fatal: false, name: 'nope' }));
  await assert.rejects(sub.ready(), (err: ClientError) => err.code === 'TW_UNKNOWN_CHANNEL' && err.source === 'server');
  assert.equal(sub.status, 'error');
});
