// docs/client.md §3: createWorkerClient + startWorkerHost over a real MessageChannel (structured clone), against
// a scripted server: the snapshot crosses in slices, changes and events cross coalesced.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MessageChannel } from 'node:worker_threads';
import { WebSocket } from 'ws';
import { FrameType, SnapshotEncoding, encodeEvent, encodeSubscribed } from '@tidewire/protocol';
import { SNAPSHOT_APPLIED_MARK, SOCKET_OPEN_MARK, createWorkerClient, startWorkerHost } from '@tidewire/client';
import type { MessagePortLike, NodeView, StoreMessage } from '@tidewire/client';
import { startFakeServer } from './fake-server.ts';
import { History, bigTree } from './fixtures.ts';

test('§3 §4.1 the worker split: sliced snapshot, per-node changes, events both ways, perf counters, load marks', async (t) => {
  const server = await startFakeServer(t);
  const { port1, port2 } = new MessageChannel();
  t.after(() => {
    port1.close();
    port2.close();
  });
  startWorkerHost(port2 as unknown as MessagePortLike, { WebSocket });
  const posted: StoreMessage[] = [];
  port1.addEventListener('message', (ev) => {
    const msg = (ev as unknown as { data: { t: string; messages?: StoreMessage[] } }).data;
    if (msg.t === 'store') posted.push(...msg.messages!);
  });
  const wc = createWorkerClient({
    url: server.url,
    channels: ['doc'],
    worker: port1 as unknown as MessagePortLike,
    sliceNodes: 2000,
    reconnect: { minDelayMs: 5, maxDelayMs: 20 },
  });
  t.after(() => wc.perf?.stop());
  const store = wc.store('doc');
  const progress: number[] = [];
  store.onProgress((p) => progress.push(p.nodesLoaded));

  const conn = await server.connection();
  await conn.expect(FrameType.SUBSCRIBE);
  const h = new History(bigTree(9000));
  const snapshot = h.snapshotFrames(1, 64 * 1024, SnapshotEncoding.DEFLATE_RAW);
  conn.send(h.subscribed('doc', 1, 'snapshot', 'new'), ...snapshot);
  await store.waitFor((s) => s.status.state === 'live' && s.size === 9000, { timeoutMs: 10_000 });
  assert.equal(store.rootHash, h.tree.rootHash);
  const slices = posted.filter((m) => m.t === 'slice');
  assert.deepEqual(
    slices.map((m) => (m.t === 'slice' ? m.nodes.length : 0)),
    // The worker's first slice is 250 nodes, then doubling up to sliceNodes (docs/client.md §2.5).
    [250, 500, 1000, 2000, 2000, 2000, 1250],
  );
  assert.ok(progress.includes(250) && progress.includes(9000));

  const seen: (NodeView | undefined)[] = [];
  let others = 0;
  store.subscribe('t0c5', (v) => seen.push(v));
  store.subscribe('t0c6', () => others++);
  conn.send(h.commit(1, [[0, 't0c5', { name: 'renamed' }]]), h.commit(1, [[0, 't0c5', { muted: true }]]));
  await store.waitFor((s) => s.position?.offset === 2, { timeoutMs: 10_000 });
  assert.equal(seen.length, 1, 'two batches, one notification');
  assert.equal(seen[0]!.attrs.name, 'renamed');
  assert.equal(seen[0]!.attrs.muted, true);
  assert.equal(others, 0);
  assert.equal(store.rootHash, h.tree.rootHash);

  const got: [string, unknown][] = [];
  wc.events('cursor', (k, v) => got.push([k, v]));
  const evSub = await conn.expect(FrameType.SUBSCRIBE);
  assert.equal(evSub.name, 'cursor');
  conn.send(encodeSubscribed({ name: 'cursor', channel: 2, kind: 'events', epoch: 0, offset: 0, resume: 'none' }), encodeEvent(2, 'alice', [1, 2]));
  await new Promise<void>((resolve) => {
    const check = setInterval(() => got.length > 0 && (clearInterval(check), resolve()), 5);
  });
  assert.deepEqual(got, [['alice', [1, 2]]]);
  wc.send('cursor', 'me', { x: 3 });
  const ev = await conn.expect(FrameType.EVENT);
  assert.deepEqual([ev.channel, ev.key, ev.value], [2, 'me', { x: 3 }]);

  wc.perf!.tick();
  const stats = wc.perf!.get();
  // WELCOME, SUBSCRIBED, the snapshot's frames, 2 × OPS, SUBSCRIBED, EVENT
  assert.equal(stats.totals.messages, 6 + snapshot.length);
  assert.ok(stats.totals.bytes > 10_000, JSON.stringify(stats.totals));
  assert.equal(stats.totals.batches, 2);
  assert.ok(stats.snapshotLoadMs !== null);
  // §4.1: the marks on this thread's clock, and the HUD's load computed from those two points.
  const opens = performance.getEntriesByName(SOCKET_OPEN_MARK, 'mark');
  const applied = performance.getEntriesByName(SNAPSHOT_APPLIED_MARK, 'mark') as PerformanceMark[];
  assert.equal(opens.length, 1);
  assert.equal(applied.length, 1);
  assert.deepEqual(applied[0]!.detail, { channel: 'doc' });
  assert.ok(opens[0]!.startTime < applied[0]!.startTime && opens[0]!.startTime > 0);
  assert.equal(stats.snapshotLoadMs, applied[0]!.startTime - opens[0]!.startTime);
  assert.deepEqual(stats.snapshotLoad, { channel: 'doc', socketOpenAt: opens[0]!.startTime, appliedAt: applied[0]!.startTime });

  await wc.close();
  assert.equal(wc.state, 'closed');
});
