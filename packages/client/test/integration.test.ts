// docs/protocol.md §4.5–§4.8 and docs/client.md §3: the client against the real @tidewire/server: snapshot, live ops, resume by replay after a
// drop, a fresh snapshot after a server restart, events both ways, and the worker split.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MessageChannel } from 'node:worker_threads';
import { WebSocket } from 'ws';
import { createServer } from '@tidewire/server';
import type { TidewireServer } from '@tidewire/server';
import { TidewireClient, bindTreeStore, createWorkerClient, startWorkerHost } from '@tidewire/client';
import type { MessagePortLike, SnapshotEvent } from '@tidewire/client';
import { bigTree } from './fixtures.ts';

const FAST = { minDelayMs: 10, maxDelayMs: 50, factor: 2, jitter: 0.5 };

async function startServer(t: import('node:test').TestContext, port = 0): Promise<TidewireServer> {
  const server = await createServer({ port, tickMs: 5, logger: false, defaultMetrics: false });
  t.after(() => server.close());
  return server;
}

test('protocol.md §4.5–§4.8: integration: snapshot, live ops, replay after a drop, snapshot after a restart, events', async (t) => {
  let server = await startServer(t);
  let doc = server.tree('doc', bigTree(3000));
  const received: [string, unknown][] = [];
  const controlChannel = server.events('control', { onMessage: (key, value) => received.push([key, value]) });
  const url = await server.listen();

  const client = new TidewireClient({ url, WebSocket, reconnect: FAST, clientName: 'integration' });
  t.after(() => client.close());
  const sub = client.tree('doc');
  await sub.ready();
  assert.equal(sub.tree!.size, 3000);
  assert.equal(sub.rootHash, doc.tree.rootHash);
  const store = bindTreeStore(sub, { flushMs: 0 });
  t.after(() => store.dispose());

  doc.set('t0c1', { name: 'live edit' });
  doc.insert('t1', 0, { id: 'new', type: 'clip', attrs: { start: 0 }, children: [] });
  doc.move('t0c2', 't2', 0);
  doc.remove('t3');
  doc.flush();
  await sub.waitForOffset(doc.position.offset, { epoch: doc.position.epoch });
  assert.equal(sub.rootHash, doc.tree.rootHash);
  await store.waitFor((s) => s.position?.offset === doc.position.offset, { timeoutMs: 10_000 });
  assert.equal(store.rootHash, doc.tree.rootHash);
  assert.equal(store.get('new')!.parent, 't1');
  assert.equal(store.get('t3'), undefined);

  // A drop on our side; the server moves on meanwhile; the client resumes by replay.
  const snapshots: SnapshotEvent[] = [];
  sub.on('snapshot', (e) => snapshots.push(e));
  const treeBefore = sub.tree;
  client.reconnect();
  for (let i = 0; i < 20; i++) {
    doc.set(`t4c${i}`, { name: `while away ${i}` });
    doc.flush();
  }
  await sub.waitForOffset(doc.position.offset);
  await sub.ready();
  assert.equal(sub.rootHash, doc.tree.rootHash);
  assert.equal(sub.tree, treeBefore, 'resumed by replay, not by snapshot');
  assert.equal(snapshots.length, 0);

  // Events both ways.
  const control: [string, unknown][] = [];
  client.events('control', (k, v) => control.push([k, v]));
  client.send('control', 'tempo', 128);
  await new Promise<void>((resolve) => {
    const poll = setInterval(() => received.length > 0 && (clearInterval(poll), resolve()), 5);
  });
  assert.deepEqual(received, [['tempo', 128]]);
  controlChannel.publish('beat', 4);
  await new Promise<void>((resolve) => {
    const poll = setInterval(() => control.length > 0 && (clearInterval(poll), resolve()), 5);
  });
  assert.deepEqual(control, [['beat', 4]]);

  // A server restart on the same port: a new epoch, so the client reloads by snapshot.
  const port = server.port;
  const oldEpoch = doc.position.epoch;
  await server.close();
  server = await startServer(t, port);
  const restarted = bigTree(1000);
  doc = server.tree('doc', restarted);
  server.events('control', { onMessage: () => {} });
  await server.listen();
  await sub.waitFor((s) => s.position !== null && s.position.epoch !== oldEpoch && s.status === 'live', { timeoutMs: 10_000 });
  assert.equal(snapshots.at(-1)!.reason, 'epoch');
  assert.equal(sub.rootHash, doc.tree.rootHash);
  doc.set('t0c0', { name: 'after restart' });
  doc.flush();
  await sub.waitForOffset(doc.position.offset, { epoch: doc.position.epoch });
  assert.equal(sub.rootHash, doc.tree.rootHash);
  await store.waitFor((s) => s.rootHash === doc.tree.rootHash, { timeoutMs: 10_000 });
  assert.equal(store.size, 1000);
});

test('client.md §3: integration: the worker split against the real server', async (t) => {
  const server = await startServer(t);
  const doc = server.tree('doc', bigTree(5000));
  const url = await server.listen();
  const { port1, port2 } = new MessageChannel();
  t.after(() => {
    port1.close();
    port2.close();
  });
  startWorkerHost(port2 as unknown as MessagePortLike, { WebSocket });
  const wc = createWorkerClient({ url, channels: ['doc'], worker: port1 as unknown as MessagePortLike, reconnect: FAST });
  t.after(() => wc.perf?.stop());
  const store = wc.store('doc');
  // The root hash follows the snapshot (docs/client.md §2.2).
  await store.waitFor((s) => s.status.state === 'live' && s.size === 5000 && s.rootHash !== null, { timeoutMs: 10_000 });
  assert.equal(store.rootHash, doc.tree.rootHash);
  for (let i = 0; i < 50; i++) {
    doc.set(`t${i % 20}c${i}`, { i });
    if (i % 10 === 0) doc.remove(`t${20 + i / 10}`);
    doc.flush();
  }
  await store.waitFor((s) => s.position?.offset === doc.position.offset, { timeoutMs: 10_000 });
  assert.equal(store.rootHash, doc.tree.rootHash);
  assert.equal(store.size, doc.tree.size);
  await wc.close();
});
