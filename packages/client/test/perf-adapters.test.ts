// docs/client.md §4: PerfMonitor windows and rates; the Svelte store contract and React hook adapters.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualTimers, PerfMonitor, TreeStore, createTidewireHooks, formatPerf, nodeStore, statusStore } from '@tidewire/client';
import type { NodeView, PerfStats, ReactHooksLike } from '@tidewire/client';

test('§4 PerfMonitor: per-window rates and timings, totals, snapshot load, store contract', () => {
  const timers = new ManualTimers();
  const perf = new PerfMonitor({ timers, intervalMs: 500 });
  const seen: PerfStats[] = [];
  const off = perf.subscribe((s) => seen.push(s));
  assert.equal(seen.length, 1, 'called at subscription');
  perf.start();
  for (let i = 0; i < 10; i++) perf.recordMessage(1000);
  perf.recordBatch(2, 4);
  perf.recordSample({ messages: 5, bytes: 500, batches: 1, decodeMsSum: 6, decodeMsMax: 6, decodeMsLast: 6, applyMsSum: 1, applyMsMax: 1, applyMsLast: 1 });
  perf.recordMainWork(3);
  timers.advance(500);
  const s = perf.get();
  assert.equal(s.messagesPerSec, 30);
  assert.equal(s.bytesPerSec, 21_000);
  assert.deepEqual(s.decodeMs, { last: 6, avg: 4, max: 6 });
  assert.deepEqual(s.applyMs, { last: 1, avg: 2.5, max: 4 });
  assert.deepEqual(s.mainWorkMs, { last: 3, avg: 3, max: 3 });
  timers.advance(500);
  assert.equal(perf.get().messagesPerSec, 0);
  assert.equal(perf.get().decodeMs.last, 6, 'last survives an idle window');
  assert.deepEqual(perf.get().totals, { messages: 15, bytes: 10_500, batches: 2 });
  perf.recordSocketOpen(1000);
  perf.recordSnapshotApplied('doc', 1120);
  assert.equal(seen.at(-1)!.snapshotLoadMs, 120);
  assert.equal(perf.observeLongTasks(), false, 'no longtask entries in Node');
  assert.match(formatPerf(perf.get()), /load +120\.0 ms/);
  off();
  perf.stop();
  const n = seen.length;
  timers.advance(5000);
  assert.equal(seen.length, n);
});

test('§4.1 PerfMonitor: load is snapshot-applied − socket-open, the first snapshot per channel after each open', () => {
  const perf = new PerfMonitor({ timers: new ManualTimers() });
  perf.recordSnapshotApplied('doc', 50);
  assert.equal(perf.get().snapshotLoadMs, null, 'no socket open yet: no load');
  perf.recordSocketOpen(100);
  perf.recordSnapshotApplied('doc', 180);
  assert.equal(perf.get().snapshotLoadMs, 80);
  assert.deepEqual(perf.get().snapshotLoad, { channel: 'doc', socketOpenAt: 100, appliedAt: 180 });
  perf.recordSnapshotApplied('doc', 5000);
  assert.equal(perf.get().snapshotLoadMs, 80, 'a resync on the same connection is not a load');
  perf.recordSnapshotApplied('other', 230);
  assert.deepEqual(perf.get().snapshotLoad, { channel: 'other', socketOpenAt: 100, appliedAt: 230 }, 'the latest channel loaded');
  perf.recordSocketOpen(6000);
  perf.recordSnapshotApplied('doc', 6040);
  assert.equal(perf.get().snapshotLoadMs, 40, 'a reconnect starts the next load');
  assert.match(formatPerf(perf.get()), /load +40\.0 ms/);
});

function storeWith(views: NodeView[]): TreeStore {
  const store = new TreeStore('doc', { schedule: () => () => {} });
  store.receive({ t: 'begin', rootId: views[0]!.id, nodeCount: views.length, position: { epoch: 1, offset: 0 }, rootHash: '00' });
  store.receive({ t: 'slice', nodes: views });
  store.receive({ t: 'end' });
  store.receive({ t: 'status', state: 'live' });
  store.flushSync();
  return store;
}

const ROOT: NodeView = { id: 'r', type: 'root', attrs: {}, children: ['a', 'b'], parent: null };
const A: NodeView = { id: 'a', type: 'x', attrs: { v: 1 }, children: [], parent: 'r' };
const B: NodeView = { id: 'b', type: 'x', attrs: { v: 2 }, children: [], parent: 'r' };

test('§4 Svelte: nodeStore follows the store contract and updates only for its node', () => {
  const store = storeWith([ROOT, A, B]);
  const values: unknown[] = [];
  const unsubscribe = nodeStore(store, 'a').subscribe((v) => values.push(v?.attrs.v));
  assert.deepEqual(values, [1]);
  store.receive({ t: 'changes', upserts: [{ ...B, attrs: { v: 20 } }], removes: [], final: true, position: { epoch: 1, offset: 1 }, rootHash: '01' });
  store.flushSync();
  assert.deepEqual(values, [1]);
  store.receive({ t: 'changes', upserts: [{ ...A, attrs: { v: 10 } }], removes: [], final: true, position: { epoch: 1, offset: 2 }, rootHash: '02' });
  store.flushSync();
  assert.deepEqual(values, [1, 10]);
  unsubscribe();
  store.receive({ t: 'changes', upserts: [], removes: ['a'], final: true, position: { epoch: 1, offset: 3 }, rootHash: '03' });
  store.flushSync();
  assert.deepEqual(values, [1, 10]);
  const states: string[] = [];
  statusStore(store).subscribe((s) => states.push(s.state))();
  assert.deepEqual(states, ['live']);
});

test('§4 React: useNode re-renders a component only when its node changes', () => {
  // A minimal useSyncExternalStore host: one component, subscriptions kept across renders.
  let renders = 0;
  let subscribed: (() => void) | null = null;
  const react: ReactHooksLike = {
    useCallback: (fn) => fn,
    useSyncExternalStore(subscribe, getSnapshot) {
      if (!subscribed) subscribed = subscribe(() => renders++) as () => void;
      return getSnapshot();
    },
  };
  const hooks = createTidewireHooks(react);
  const store = storeWith([ROOT, A, B]);
  assert.equal(hooks.useNode(store, 'a')?.attrs.v, 1);
  store.receive({ t: 'changes', upserts: [{ ...B, attrs: { v: 3 } }], removes: [], final: true, position: { epoch: 1, offset: 1 }, rootHash: '01' });
  store.flushSync();
  assert.equal(renders, 0);
  store.receive({ t: 'changes', upserts: [{ ...A, attrs: { v: 4 } }], removes: [], final: true, position: { epoch: 1, offset: 2 }, rootHash: '02' });
  store.flushSync();
  assert.equal(renders, 1);
  assert.equal(hooks.useNode(store, 'a')?.attrs.v, 4);
});

test('§4 importing the package touches no DOM global', async () => {
  const g = globalThis as Record<string, unknown>;
  assert.equal(typeof g.window, 'undefined');
  assert.equal(typeof g.document, 'undefined');
  const mod = await import('@tidewire/client');
  assert.equal(typeof mod.createWorkerClient, 'function');
  await import('@tidewire/client/worker');
  assert.throws(
    () => mod.createWorkerClient({ url: 'ws://x/ws', channels: ['doc'] }),
    (e: { code: string }) => e.code === 'TW_INVALID_OPTION',
  );
});
