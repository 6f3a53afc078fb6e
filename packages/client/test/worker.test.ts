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

/** The main thread's end of a worker: records what createWorkerClient posts, and answers for the worker. */
function fakeWorker() {
  const posted: { t: string; [k: string]: unknown }[] = [];
  let terminated = 0;
  const w = {
    onmessage: null as ((ev: { data: unknown }) => void) | null,
    onerror: null as ((ev: unknown) => void) | null,
    postMessage: (m: unknown) => void posted.push(m as { t: string }),
    terminate: () => void terminated++,
  };
  return { w, posted, fromWorker: (data: unknown) => w.onmessage!({ data }), terminated: () => terminated };
}

test('§3 createWorkerClient checks its options and names what was wrong', () => {
  const { w } = fakeWorker();
  const code = (fn: () => unknown, message: RegExp) =>
    assert.throws(fn, (e: Error & { code?: string }) => e.code === 'TW_INVALID_OPTION' && message.test(e.message));
  code(() => createWorkerClient(null as never), /options must be an object/);
  code(() => createWorkerClient({ url: 'ws://x.test/ws', channels: 'doc' as never, worker: w, perf: false }), /channels must be an array/);
  code(() => createWorkerClient({ url: 'ws://x.test/ws', channels: ['doc', ''], worker: w, perf: false }), /channels must be an array/);
  const wc = createWorkerClient({ url: 'ws://x.test/ws', channels: ['doc'], worker: w, perf: false });
  code(() => wc.store('other'), /no store for channel "other"/);
  assert.equal(wc.store('doc').name, 'doc');
  assert.equal(wc.perf, null);
});

test('§3 createWorkerClient: init carries the options given and no others; send and reconnect go to the worker', () => {
  const bare = fakeWorker();
  createWorkerClient({ url: 'ws://x.test/ws', channels: ['doc', 'doc'], worker: bare.w, perf: false });
  assert.deepEqual(bare.posted, [{ t: 'init', options: { url: 'ws://x.test/ws', trees: ['doc'] } }], 'a channel listed twice is one store');
  const full = fakeWorker();
  // Every option the worker takes: each goes into init as given.
  const given = {
    token: 'secret',
    clientName: 'me',
    reconnect: { minDelayMs: 5 },
    handshakeTimeoutMs: 100,
    sliceNodes: 10,
    firstSliceNodes: 5,
    snapshotOrder: 'depth-first' as const,
    flushMs: 0,
  };
  const wc = createWorkerClient({ url: 'ws://x.test/ws', channels: ['doc'], worker: full.w, perf: false, ...given });
  assert.deepEqual(full.posted[0], { t: 'init', options: { url: 'ws://x.test/ws', trees: ['doc'], ...given } });
  wc.send('ev', 'k', 1);
  wc.reconnect();
  assert.deepEqual(full.posted.slice(1), [{ t: 'send', name: 'ev', key: 'k', value: 1 }, { t: 'reconnect' }]);
});

test('§3 createWorkerClient: events subscribe once per channel and unsubscribe with the last listener; worker errors arrive as ClientError', () => {
  const { w, posted, fromWorker } = fakeWorker();
  const wc = createWorkerClient({ url: 'ws://x.test/ws', channels: ['doc'], worker: w, perf: false });
  posted.length = 0;
  const a: unknown[] = [];
  const b: unknown[] = [];
  const offA = wc.events('ev', (k, v) => a.push([k, v]));
  const offB = wc.events('ev', (k, v) => b.push([k, v]));
  assert.deepEqual(posted, [{ t: 'events', name: 'ev' }], 'one subscription for two listeners');
  fromWorker({
    t: 'events',
    name: 'ev',
    entries: [
      ['k', 1],
      ['j', 2],
    ],
  });
  fromWorker({ t: 'events', name: 'other', entries: [['k', 3]] });
  assert.deepEqual(a, [
    ['k', 1],
    ['j', 2],
  ]);
  assert.deepEqual(b, a);
  offA();
  offA(); // a second call is a no-op
  assert.equal(posted.length, 1, 'a listener is left');
  offB();
  assert.deepEqual(posted.at(-1), { t: 'unevents', name: 'ev' });
  assert.equal(posted.length, 2);

  const errors: { code: string; message: string; channelName?: string }[] = [];
  wc.onError((e) => errors.push(e));
  const states: string[] = [];
  wc.onState((s) => states.push(s));
  fromWorker({ t: 'error', error: { code: 'TW_BAD_FRAME', message: 'bad', channelName: 'doc' } });
  fromWorker({ t: 'error', error: { code: 'TW_CONNECT_FAILED', message: 'refused' } });
  w.onerror!({ message: 'worker script failed' });
  fromWorker({ t: 'state', state: 'open' });
  assert.deepEqual(
    errors.map((e) => [e.code, e.message, e.channelName]),
    [
      ['TW_BAD_FRAME', 'bad', 'doc'],
      ['TW_CONNECT_FAILED', 'refused', undefined],
      ['TW_WORKER', 'worker script failed', undefined],
    ],
  );
  assert.ok(errors.every((e) => e instanceof Error));
  assert.deepEqual(states, ['open']);
  assert.equal(wc.state, 'open');
});

test('§3 createWorkerClient.close(): the worker confirms, then it is terminated and its listeners dropped', async () => {
  const { w, posted, fromWorker, terminated } = fakeWorker();
  const wc = createWorkerClient({ url: 'ws://x.test/ws', channels: ['doc'], worker: w, perf: false });
  const got: unknown[] = [];
  wc.events('ev', (k) => got.push(k));
  const closing = wc.close();
  assert.deepEqual(posted.at(-1), { t: 'close' });
  assert.equal(terminated(), 0, 'not before the worker confirms');
  fromWorker({ t: 'closed' });
  await closing;
  assert.equal(terminated(), 1);
  fromWorker({ t: 'events', name: 'ev', entries: [['k', 1]] });
  assert.deepEqual(got, [], 'listeners are gone');
});
