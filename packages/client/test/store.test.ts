// docs/client.md §2: TreeStore: per-node notification granularity, immutable views, snapshot slices applied
// across frames with progress, coalesced changes, status.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AT_ONCE_MAX_VIEWS, ManualTimers, StoreFeed, TidewireClient, TreeStore, bindTreeStore } from '@tidewire/client';
import type { FrameScheduler, NodeView, StoreMessage, StoreStatus } from '@tidewire/client';
import type { NodeSnapshot, Op } from '@tidewire/tree';
import { socketFactory } from './fake-socket.ts';
import { History, bigTree } from './fixtures.ts';

/** A scheduler whose frames run only when the test says so. */
function frames() {
  const queue: (() => void)[] = [];
  const schedule: FrameScheduler = (fn) => {
    queue.push(fn);
    return () => {
      const i = queue.indexOf(fn);
      if (i >= 0) queue.splice(i, 1);
    };
  };
  return {
    schedule,
    get pending() {
      return queue.length;
    },
    run(): boolean {
      const fn = queue.shift();
      fn?.();
      return fn !== undefined;
    },
  };
}

const TREE: NodeSnapshot = {
  id: 'root',
  type: 'project',
  attrs: {},
  children: [
    {
      id: 'p',
      type: 'track',
      attrs: { name: 'P' },
      children: [
        { id: 'x', type: 'clip', attrs: { v: 1 }, children: [] },
        { id: 'y', type: 'clip', attrs: { v: 2 }, children: [] },
      ],
    },
    { id: 'q', type: 'track', attrs: { name: 'Q' }, children: [{ id: 'z', type: 'clip', attrs: { v: 3 }, children: [] }] },
  ],
};

function setup(snapshot = TREE, options: { sliceNodes?: number; budgetMs?: number } = {}) {
  const timers = new ManualTimers();
  const f = socketFactory();
  const client = new TidewireClient({ url: 'ws://example.test/ws', WebSocket: f.WebSocket, timers });
  const sub = client.tree('doc');
  const s = f.last();
  s.open();
  s.welcome();
  const h = new History(snapshot);
  s.receive(h.subscribed('doc', 1, 'snapshot', 'new'), ...h.snapshotFrames(1, 8 * 1024));
  const fr = frames();
  const store = bindTreeStore(sub, { schedule: fr.schedule, timers, ...options });
  store.flushSync();
  timers.advance(16);
  store.flushSync();
  const calls = new Map<string, (NodeView | undefined)[]>();
  const watch = (...ids: string[]) => {
    for (const id of ids) {
      calls.set(id, []);
      store.subscribe(id, (v) => calls.get(id)!.push(v));
    }
  };
  /** Server commits ops; the feed flushes (16 ms); the store applies them. */
  const commit = (...batches: Op[][]) => {
    for (const ops of batches) s.receive(h.commit(1, ops));
    timers.advance(16);
    store.flushSync();
  };
  const notified = () => [...calls].filter(([, c]) => c.length > 0).map(([id, c]) => `${id}×${c.length}`);
  return { timers, client, sub, socket: s, h, store, fr, watch, commit, calls, notified };
}

test('§2.1 get(id) returns a plain view: id, type, attrs, child ids, parent id', () => {
  const { store } = setup();
  assert.deepEqual(store.get('p'), { id: 'p', type: 'track', attrs: { name: 'P' }, children: ['x', 'y'], parent: 'root' });
  assert.equal(store.get('root')!.parent, null);
  assert.equal(store.rootId, 'root');
  assert.equal(store.size, 6);
  assert.equal(store.status.state, 'live');
});

test('§2.1 a set on X notifies the subscribers of X only', () => {
  const { store, watch, commit, notified, calls } = setup();
  watch('root', 'p', 'q', 'x', 'y', 'z');
  const ids = ['root', 'p', 'q', 'x', 'y', 'z'];
  const views = new Map(ids.map((id) => [id, store.get(id)!]));
  const before = views.get('x')!;
  commit([[0, 'x', { v: 10 }]]);
  assert.deepEqual(notified(), ['x×1']);
  assert.equal(calls.get('x')![0]!.attrs.v, 10);
  assert.equal(before.attrs.v, 1, 'a view handed out earlier does not change');
  assert.ok(store.get('x') !== before, 'the changed view x is a new object');
  assert.ok(calls.get('x')![0] === store.get('x'), 'subscribers of x get the view the store holds');
  // Identity across the commit, not a lookup compared with itself: a store that copied every
  // view on every commit would re-render every node of a memoised UI. (assert.ok, because node
  // 20's strictEqual replaces the message with "same structure" for look-alike objects.)
  for (const id of ids.filter((i) => i !== 'x')) {
    assert.ok(store.get(id) === views.get(id), `unchanged view ${id} keeps its identity across a commit`);
  }
});

test('§2.1 an insert notifies the parent (its child list changed), not its siblings', () => {
  const { store, watch, commit, notified } = setup();
  watch('root', 'p', 'q', 'x', 'y', 'z', 'w');
  commit([[1, 'p', 1, { id: 'w', type: 'clip', attrs: {}, children: [] }]]);
  assert.deepEqual(notified(), ['p×1', 'w×1']);
  assert.deepEqual(store.get('p')!.children, ['x', 'w', 'y']);
  assert.equal(store.get('w')!.parent, 'p');
});

test('§2.1 a remove notifies the parent and the removed nodes (with undefined)', () => {
  const { store, watch, commit, notified, calls } = setup();
  watch('root', 'p', 'q', 'x', 'y', 'z');
  commit([[2, 'q']]);
  assert.deepEqual(notified(), ['root×1', 'q×1', 'z×1']);
  assert.deepEqual(calls.get('z'), [undefined]);
  assert.equal(store.get('z'), undefined);
  assert.deepEqual(store.get('root')!.children, ['p']);
});

test('§2.1 a move notifies the old parent, the new parent and the moved node', () => {
  const { store, watch, commit, notified } = setup();
  watch('root', 'p', 'q', 'x', 'y', 'z');
  commit([[3, 'x', 'q', 1]]);
  assert.deepEqual(notified(), ['p×1', 'q×1', 'x×1']);
  assert.deepEqual(store.get('q')!.children, ['z', 'x']);
  assert.equal(store.get('x')!.parent, 'q');
});

test('§2.1 batches within one flush window coalesce into one notification per node', () => {
  const { watch, commit, notified, calls } = setup();
  watch('x', 'y');
  commit([[0, 'x', { v: 5 }]], [[0, 'x', { v: 6 }]], [[0, 'x', { v: 7 }]]);
  assert.deepEqual(notified(), ['x×1']);
  assert.equal(calls.get('x')![0]!.attrs.v, 7);
});

test('§2.1 a small changes message is applied on arrival; a large one waits for the next frame', () => {
  const { socket, h, store, fr, timers, watch, notified } = setup(bigTree(600));
  watch('t0c0');
  socket.receive(h.commit(1, [[0, 't0c0', { v: 1 }]]));
  timers.advance(16); // the feed posts
  assert.equal(fr.pending, 0, 'no frame was needed');
  assert.equal(store.get('t0c0')!.attrs.v, 1, 'applied on arrival');
  assert.deepEqual(notified(), ['t0c0×1']);
  const ops: Op[] = [];
  for (let i = 0; i < AT_ONCE_MAX_VIEWS + 1; i++) ops.push([0, `t${Math.floor(i / 200)}c${i % 200}`, { v: 2 }]);
  socket.receive(h.commit(1, ops));
  timers.advance(16);
  assert.equal(store.get('t0c0')!.attrs.v, 1, `${AT_ONCE_MAX_VIEWS + 1} views: queued`);
  assert.ok(fr.pending > 0, 'for the next frame');
  while (fr.run());
  assert.equal(store.get('t0c0')!.attrs.v, 2);
});

test('§2.1 a reloaded snapshot notifies only the subscribed nodes whose view differs', () => {
  const { socket, watch, notified, store, timers } = setup();
  watch('root', 'p', 'q', 'x', 'y', 'z');
  const next = structuredClone(TREE);
  next.children[1]!.children[0]!.attrs = { v: 99 };
  const h2 = new History(next, 8);
  socket.receive(h2.subscribed('doc', 1, 'snapshot', 'epoch'), ...h2.snapshotFrames(1));
  timers.advance(16);
  store.flushSync();
  assert.deepEqual(notified(), ['z×1']);
  assert.deepEqual(store.position, { epoch: 8, offset: 0 });
});

test('§2.2 a large snapshot arrives in slices of ≤ sliceNodes and is applied across frames, with progress', () => {
  const { socket, store, fr, timers } = setup(TREE, { sliceNodes: 1000, budgetMs: 0 });
  const big = new History(bigTree(5000), 9);
  const statuses: StoreStatus[] = [];
  store.subscribeStatus((st) => statuses.push(st));
  const snapshots: number[] = [];
  store.onSnapshot((info) => snapshots.push(info.nodeCount));
  socket.receive(big.subscribed('doc', 1, 'snapshot', 'gap'), ...big.snapshotFrames(1, 16 * 1024));
  timers.advance(16);
  let frameCount = 0;
  const sizes: number[] = [];
  while (fr.run()) {
    frameCount++;
    sizes.push(store.size);
  }
  // begin + 5 slices + end (+ progress/status posts): one message per frame at budget 0.
  assert.ok(frameCount >= 7, `applied across ${frameCount} frames`);
  assert.ok(
    sizes.slice(0, -2).every((n) => n === 6),
    'the old tree stays visible until the swap',
  );
  assert.equal(store.size, 5000);
  assert.deepEqual(snapshots, [5000]);
  const loaded = statuses.filter((st) => st.state === 'loading' && st.progress).map((st) => st.progress!.nodesLoaded);
  assert.deepEqual(
    loaded.filter((n) => n > 0),
    [1000, 2000, 3000, 4000, 5000],
  );
  assert.equal(statuses.at(-1)!.state, 'live');
});

test('§2.2 StoreFeed puts at most sliceNodes nodes in a slice or changes message', () => {
  const { sub, h, socket, timers } = setup(bigTree(4500));
  const posted: StoreMessage[][] = [];
  const feed = new StoreFeed(sub, (m) => posted.push(m), { sliceNodes: 1000, timers });
  const slices = posted.flat().filter((m) => m.t === 'slice');
  assert.deepEqual(
    slices.map((m) => (m.t === 'slice' ? m.nodes.length : 0)),
    [1000, 1000, 1000, 1000, 500],
  );
  assert.ok(
    posted.every((batch) => batch.filter((m) => m.t === 'slice').length <= 1),
    'one slice per post',
  );
  feed.dispose();
  // One batch that touches 402 view ids (200 sets, a 201-node subtree removed and re-inserted,
  // their parent): two changes messages of at most 250, only the last one final.
  const small = new StoreFeed(sub, (m) => posted.push(m), { sliceNodes: 250, timers });
  const ops: Op[] = [];
  for (let c = 0; c < 200; c++) ops.push([0, `t0c${c}`, { v: 1 }]);
  const track = h.tree.snapshotOf('t1');
  ops.push([2, 't1'], [1, 'root', 0, track]);
  socket.receive(h.commit(1, ops));
  posted.length = 0;
  timers.advance(16);
  const changes = posted.flat().filter((m): m is Extract<StoreMessage, { t: 'changes' }> => m.t === 'changes');
  assert.deepEqual(
    changes.map((m) => m.upserts.length + m.removes.length),
    [250, 152],
  );
  assert.deepEqual(
    changes.map((m) => m.final),
    [false, true],
  );
  small.dispose();
});

test('§2.2 StoreFeed flushes at most once per window: a change after a quiet window goes at once, one within it waits for its end', () => {
  const { sub, h, socket, timers } = setup();
  const posted: StoreMessage[][] = [];
  const feed = new StoreFeed(sub, (m) => posted.push(m), { timers });
  const changed = () => posted.flat().filter((m) => m.t === 'changes').length;
  timers.advance(100); // the snapshot and status went out; the window is long over
  posted.length = 0;
  socket.receive(h.commit(1, [[0, 'x', { v: 10 }]]));
  timers.advance(0);
  assert.equal(changed(), 1, 'after a quiet window: posted at once (a zero-delay timer), not after a 16-ms wait');
  timers.advance(5);
  socket.receive(h.commit(1, [[0, 'y', { v: 20 }]]));
  socket.receive(h.commit(1, [[0, 'z', { v: 30 }]]));
  timers.advance(10);
  assert.equal(changed(), 1, 'within the window: nothing before it ends (16 ms after the last flush)');
  timers.advance(1);
  assert.equal(changed(), 2, 'both changes in one post at the end of the window');
  feed.dispose();
});

test('§2.2 a paced StoreFeed keeps one post in flight and coalesces changes until it is acked', () => {
  const { sub, h, socket, timers } = setup(bigTree(2500));
  const posted: StoreMessage[][] = [];
  const feed = new StoreFeed(sub, (m) => posted.push(m), { sliceNodes: 1000, timers, paced: true });
  // The snapshot: begin with the first slice, a slice, the last slice with end — but only the
  // first post goes out before an ack.
  assert.equal(posted.length, 1);
  assert.equal(posted[0]![0]!.t, 'begin');
  for (let i = 0; i < 2; i++) feed.ack();
  assert.deepEqual(
    posted.map((p) => p.map((m) => m.t).join('+')),
    ['begin+slice', 'slice', 'slice+end'],
  );
  // The receiver has not acked 'end': ten op batches arrive and wait, coalescing into one post.
  for (let i = 0; i < 10; i++) socket.receive(h.commit(1, [[0, 't0c0', { v: i }]]));
  timers.advance(100);
  assert.equal(posted.length, 3, 'nothing posted while the last post is unacknowledged');
  feed.ack();
  const next = posted
    .slice(3)
    .flat()
    .filter((m): m is Extract<StoreMessage, { t: 'changes' }> => m.t === 'changes');
  assert.equal(next.length, 1);
  assert.deepEqual(
    next[0]!.upserts.map((v) => [v.id, v.attrs.v]),
    [['t0c0', 9]],
  );
  feed.dispose();
});

test('§2.2 a snapshot goes out without its root hash; the hash follows its last slice (or rides on changes)', () => {
  const { sub, h, socket, timers } = setup(bigTree(2500));
  const posted: StoreMessage[][] = [];
  const feed = new StoreFeed(sub, (m) => posted.push(m), { sliceNodes: 1000, timers, paced: true });
  const begin = posted[0]![0]!;
  assert.ok(begin.t === 'begin' && begin.rootHash === null, 'no hash before the slices');
  const store = new TreeStore('doc', { schedule: () => () => {}, timers });
  const deliver = () => {
    for (const p of posted.splice(0)) for (const m of p) store.receive(m);
    store.flushSync();
  };
  for (let i = 0; i < 2; i++) feed.ack();
  timers.advance(100);
  assert.ok(!posted.flat().some((m) => m.t === 'hash'), 'the hash waits until the receiver took the last slice');
  deliver();
  assert.equal(store.size, 2500);
  assert.equal(store.rootHash, null, 'swapped in before the hash is known');
  feed.ack();
  timers.advance(16);
  const hash = posted.flat().find((m) => m.t === 'hash');
  assert.ok(hash && hash.t === 'hash' && hash.rootHash === sub.tree!.rootHash && hash.position.offset === sub.position!.offset);
  deliver();
  assert.equal(store.rootHash, h.tree.rootHash, 'the hash at the store position');

  // The next snapshot with changes pending before the hash went out: the changes carry it.
  socket.receive(h.subscribed('doc', 1, 'snapshot', 'new'), ...h.snapshotFrames(1, 8 * 1024));
  for (let i = 0; i < 3; i++) feed.ack(); // the hash's post, then begin + slice, then a slice
  socket.receive(h.commit(1, [[0, 't0c0', { v: 7 }]]));
  feed.ack(); // the last slice + 'end'
  timers.advance(16);
  feed.ack();
  deliver();
  assert.ok(!posted.flat().some((m) => m.t === 'hash'));
  assert.equal(store.rootHash, h.tree.rootHash);
  feed.dispose();
});

test('§2.3 status follows the replica: connecting → loading → live → reconnecting', () => {
  const timers = new ManualTimers();
  const f = socketFactory();
  const client = new TidewireClient({ url: 'ws://example.test/ws', WebSocket: f.WebSocket, timers });
  const sub = client.tree('doc');
  const store = bindTreeStore(sub, { schedule: frames().schedule, timers });
  const seen: string[] = [];
  store.subscribeStatus((st) => seen.push(st.state));
  store.flushSync();
  assert.equal(store.status.state, 'connecting');
  const s = f.last();
  s.open();
  s.welcome();
  const h = new History(bigTree(2000));
  const frs = h.snapshotFrames(1, 8 * 1024);
  s.receive(h.subscribed('doc', 1, 'snapshot', 'new'), frs[0]!, frs[1]!);
  timers.advance(16);
  store.flushSync();
  assert.equal(store.status.state, 'loading');
  assert.equal(store.status.progress?.nodeCount, 2000);
  assert.ok(store.status.progress!.receivedBytes > 0);
  s.receive(...frs.slice(2));
  timers.advance(16);
  store.flushSync();
  s.drop();
  timers.advance(16);
  store.flushSync();
  assert.deepEqual(
    seen.filter((x, i) => x !== seen[i - 1]),
    ['loading', 'live', 'reconnecting'],
  );
});

test('§2.3 TreeStore.waitFor resolves after the frame that satisfies it', async () => {
  const { store, commit } = setup();
  const done = store.waitFor((st) => st.get('x')?.attrs.v === 42);
  commit([[0, 'x', { v: 42 }]]);
  await done;
  const direct = new TreeStore('empty');
  direct.dispose();
  await assert.rejects(
    direct.waitFor(() => false),
    (e: { code: string }) => e.code === 'TW_CLOSED',
  );
});

/** A store fed by a StoreFeed over `sub`, one message per frame (budget 0). */
function fedStore(sub: Parameters<typeof bindTreeStore>[0], timers: ManualTimers, feedOptions: { sliceNodes?: number; firstSliceNodes?: number } = {}) {
  const fr = frames();
  const store = new TreeStore('doc', { schedule: fr.schedule, timers, budgetMs: 0 });
  const feed = new StoreFeed(
    sub,
    (messages) => {
      for (const m of messages) store.receive(m);
    },
    { timers, ...feedOptions },
  );
  return { store, fr, feed };
}

test('§2.4 a first load is partial: nodes are readable and notified as their slices arrive', () => {
  const { sub, timers } = setup(bigTree(3000));
  const { store, fr } = fedStore(sub, timers, { sliceNodes: 1000, firstSliceNodes: 250 });
  const track: (NodeView | undefined)[] = [];
  store.subscribe('t0', (v) => track.push(v));
  const roots: (NodeView | undefined)[] = [];
  store.subscribeRoot((r) => roots.push(r));
  const snapshots: number[] = [];
  store.onSnapshot((info) => snapshots.push(info.nodeCount));
  const seen: { state: string; size: number; loaded: number | null }[] = [];
  while (fr.run()) seen.push({ state: store.status.state, size: store.size, loaded: store.status.progress?.nodesLoaded ?? null });
  // The feed's status post (its next flush).
  timers.advance(16);
  while (fr.run()) seen.push({ state: store.status.state, size: store.size, loaded: store.status.progress?.nodesLoaded ?? null });
  const partial = seen.filter((s) => s.state === 'partial');
  // begin, then slices of 250, 500, 1000, 1000, 250: the store shows each as it arrives.
  assert.deepEqual(
    partial.map((s) => s.size),
    [0, 250, 750, 1750, 2750, 3000],
  );
  assert.deepEqual(
    partial.map((s) => s.loaded),
    [0, 250, 750, 1750, 2750, 3000],
  );
  assert.equal(seen.at(-1)!.state, 'live');
  assert.equal(roots[0]?.id, 'root', 'the root was notified when its slice arrived');
  assert.equal(track.length, 1, 'the track was notified once, when it arrived');
  assert.equal(track[0]?.attrs.name, 'Track 0');
  assert.deepEqual(snapshots, [3000], 'onSnapshot fires once, at the end');
  assert.deepEqual(store.position, sub.position);
});

test('§2.4 a snapshot into a store that has a tree is atomic: the old tree stays until the new one is complete', () => {
  const { sub, socket, timers } = setup(bigTree(1200));
  const { store, fr } = fedStore(sub, timers, { sliceNodes: 500, firstSliceNodes: 100 });
  while (fr.run());
  timers.advance(16);
  while (fr.run());
  assert.equal(store.status.state, 'live');
  const next = new History(bigTree(2000), 9);
  socket.receive(next.subscribed('doc', 1, 'snapshot', 'gap'), ...next.snapshotFrames(1, 16 * 1024));
  timers.advance(16);
  const seen: { state: string; size: number }[] = [];
  while (fr.run()) seen.push({ state: store.status.state, size: store.size });
  assert.ok(!seen.some((s) => s.state === 'partial'), 'never partial once the store had a tree');
  assert.ok(seen.filter((s) => s.state === 'loading').length >= 3, 'loading across frames');
  assert.ok(
    seen.filter((s) => s.state === 'loading').every((s) => s.size === 1200),
    'the old tree stays until the swap',
  );
  assert.equal(store.size, 2000);
  assert.equal(store.status.state, 'live');
});

test('§2.5 a snapshot goes out breadth-first, its first slice small and the next ones doubling up to sliceNodes', () => {
  const { sub, timers } = setup(bigTree(3000));
  const posted: StoreMessage[][] = [];
  const feed = new StoreFeed(sub, (m) => posted.push(m), { sliceNodes: 1000, firstSliceNodes: 100, timers });
  const slices = posted.flat().flatMap((m) => (m.t === 'slice' ? [m.nodes] : []));
  assert.deepEqual(
    slices.map((s) => s.length),
    [100, 200, 400, 800, 1000, 500],
  );
  // bigTree: root, 15 tracks, then their clips: the first slice holds the root and every track.
  const first = slices[0]!;
  assert.equal(first[0]!.id, 'root');
  assert.deepEqual(
    first.slice(1, 16).map((v) => v.type),
    Array(15).fill('track'),
  );
  const depth = new Map<string, number>();
  let last = 0;
  for (const v of slices.flat()) {
    const d = v.parent === null ? 0 : depth.get(v.parent)! + 1;
    assert.ok(d >= last, `${v.id} at depth ${d} after depth ${last}`);
    depth.set(v.id, d);
    last = d;
  }
  feed.dispose();
  const dfs: StoreMessage[][] = [];
  new StoreFeed(sub, (m) => dfs.push(m), { sliceNodes: 1000, firstSliceNodes: 100, order: 'depth-first', timers }).dispose();
  const dfsFirst = dfs.flat().find((m) => m.t === 'slice');
  assert.equal(dfsFirst?.t === 'slice' ? dfsFirst.nodes.filter((v) => v.type === 'track').length : -1, 1, 'depth-first: one track, then its clips');
});

test('§2.5 a paced feed sends begin with the first slice and cuts each next slice only when credit returns', () => {
  const { sub, h, socket, timers } = setup(bigTree(2500));
  const posted: StoreMessage[][] = [];
  const feed = new StoreFeed(sub, (m) => posted.push(m), { sliceNodes: 1000, firstSliceNodes: 100, timers, paced: true });
  assert.deepEqual(
    posted.map((p) => p.map((m) => m.t).join('+')),
    ['begin+slice'],
  );
  // A clip deep in the walk changes before its slice is cut: the slice carries the new value.
  socket.receive(h.commit(1, [[0, 't11c150', { v: 5 }]]));
  for (let i = 0; i < 6; i++) feed.ack();
  const views = posted.flat().flatMap((m) => (m.t === 'slice' ? m.nodes : []));
  assert.equal(views.length, 2500);
  assert.equal(views.find((v) => v.id === 't11c150')?.attrs.v, 5);
  assert.equal(posted.flat().at(-1)?.t, 'end');
  // …and the changes after `end` bring the store to the replica's position.
  timers.advance(16);
  const changes = posted.flat().filter((m) => m.t === 'changes');
  assert.ok(changes.some((m) => m.t === 'changes' && m.upserts.some((v) => v.id === 't11c150')));
  feed.dispose();
});

test('§2.5 a paced feed cuts its next slice while the last one is in flight, and posts it when credit returns', () => {
  const { sub, h, socket, timers } = setup(bigTree(2500));
  const posted: StoreMessage[][] = [];
  const feed = new StoreFeed(sub, (m) => posted.push(m), { sliceNodes: 1000, firstSliceNodes: 100, timers, paced: true });
  assert.equal(posted.length, 1);
  timers.advance(0); // the next slice is cut in a task of its own…
  assert.equal(posted.length, 1, '…and waits for the ack');
  // Breadth-first: the root, 13 tracks, t0's 200 clips, then t1's: t1c10 is in the second slice.
  socket.receive(h.commit(1, [[0, 't1c10', { v: 5 }]]));
  feed.ack();
  assert.equal(posted.length, 2);
  const second = posted[1]!.flatMap((m) => (m.t === 'slice' ? m.nodes : []));
  assert.equal(second.length, 200);
  assert.equal(second.find((v) => v.id === 't1c10')?.attrs.v, undefined, 'the slice was cut before the change arrived');
  for (let i = 0; i < 6; i++) {
    timers.advance(0);
    feed.ack();
  }
  const views = posted.flat().flatMap((m) => (m.t === 'slice' ? m.nodes : []));
  assert.equal(views.length, 2500);
  assert.equal(new Set(views.map((v) => v.id)).size, 2500, 'every node once');
  const kinds = posted.flat().map((m) => m.t);
  assert.equal(kinds.filter((k) => k === 'end').length, 1);
  assert.ok(kinds.lastIndexOf('slice') < kinds.indexOf('end'), 'end after the last slice');
  // The change the prepared slice missed follows `end`.
  timers.advance(16);
  feed.ack();
  timers.advance(16);
  const changes = posted.flat().filter((m) => m.t === 'changes');
  assert.ok(changes.some((m) => m.t === 'changes' && m.upserts.some((v) => v.id === 't1c10' && v.attrs.v === 5)));
  feed.dispose();
});
