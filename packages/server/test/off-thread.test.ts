// docs/server.md §4.2: snapshots of large trees are encoded on the snapshot thread's copy of
// the tree, kept current by the OPS frames the channel publishes. The thread's encoding must be
// the very bytes the event loop would make; a drifted copy or a dead thread must never leave a
// subscriber without a snapshot.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import type { Worker } from 'node:worker_threads';
import { encodeSnapshotBody, FrameType, pack } from '@tidewire/protocol';
import type { SubscribedFrame } from '@tidewire/protocol';
import { seededRandom } from '@tidewire/random';
import { toColumns } from '@tidewire/tree';
import type { NodeSnapshot } from '@tidewire/tree';
import { OFF_THREAD_MIN_NODES, OffThreadSnapshots } from '../src/off-thread-snapshots.ts';
import { SnapshotEntry } from '../src/snapshot.ts';
import type { TreeChannelImpl } from '../src/tree-channel.ts';
import type { TidewireServer } from '../src/index.ts';
import { client, leaf, root, startServer, waitFor } from './helpers.ts';

const N = OFF_THREAD_MIN_NODES + 500;

function largeTree(): NodeSnapshot {
  return root(Array.from({ length: N }, (_, i) => leaf(`n${i}`, { v: i, name: `node ${i}` })));
}

/** The server's snapshot thread. Private on purpose; the tests below kill it or count its work. */
function threadOf(server: TidewireServer): OffThreadSnapshots {
  return (server as unknown as { offThread: OffThreadSnapshots }).offThread;
}

function workerOf(o: OffThreadSnapshots): Worker {
  return (o as unknown as { worker: Worker }).worker;
}

/** Random sets, inserts, removes and moves, flushed as many batches. */
function churn(ch: TreeChannelImpl, seed: number, batches: number): void {
  const rand = seededRandom(seed);
  let next = 0;
  for (let b = 0; b < batches; b++) {
    for (let k = 0; k < 20; k++) {
      const ids = ch.tree.root.children;
      const pick = ids[Math.floor(rand() * ids.length)]!.id;
      const r = rand();
      if (r < 0.6) ch.set(pick, { v: rand(), name: r < 0.1 ? null : `renamed ${b}` });
      else if (r < 0.75) ch.insert('root', Math.floor(rand() * ids.length), leaf(`new${seed}.${next++}`, { bin: new Uint8Array([b, k]) }));
      else if (r < 0.85 && ids.length > N / 2) ch.remove(pick);
      else ch.move(pick, 'root', Math.floor(rand() * (ids.length - 1)));
    }
    ch.flush();
  }
}

async function bigChannel(t: TestContext, options = {}) {
  let ch!: TreeChannelImpl;
  const server = await startServer(t, options, (s) => {
    ch = s.tree('big', largeTree()) as TreeChannelImpl;
  });
  return { server, ch };
}

test('§4.2 a large tree is encoded on the snapshot thread, byte for byte what the event loop makes', async (t) => {
  const { server, ch } = await bigChannel(t);
  const thread = threadOf(server);
  churn(ch, 7, 40);
  const entry = await ch.readySnapshot();
  assert.equal(thread.encoded, 1, 'encoded on the thread');
  assert.equal(entry.offset, ch.position.offset);
  assert.equal(entry.rootHash, ch.tree.rootHash);
  assert.deepEqual(Buffer.from(entry.msgpack!), Buffer.from(encodeSnapshotBody(toColumns(ch.tree as never, pack))), 'the same bytes as an encode on the loop');
  churn(ch, 8, 40); // keeps following after an encode
  const again = await ch.readySnapshot();
  assert.equal(thread.encoded, 2);
  assert.deepEqual(Buffer.from(again.msgpack!), Buffer.from(encodeSnapshotBody(toColumns(ch.tree as never, pack))));
});

test('§4.2 a small tree, or snapshotThread: false, is encoded on the event loop at once', async (t) => {
  let small!: TreeChannelImpl;
  const { server, ch } = await bigChannel(t, { snapshotThread: false });
  assert.equal(threadOf(server), undefined);
  assert.equal(ch.snapshot().status, 'ready', 'no thread: ready when snapshot() returns');
  const other = await startServer(t, {}, (s) => {
    small = s.tree('small', root([leaf('a')])) as TreeChannelImpl;
  });
  assert.equal(small.snapshot().status, 'ready');
  assert.equal(threadOf(other).encoded, 0);
});

test('§4.2 a subscriber joining during a storm gets the thread snapshot plus the tail and converges', async (t) => {
  const { server, ch } = await bigChannel(t);
  const c = await client(t, server);
  churn(ch, 1, 5);
  c.subscribe('big');
  churn(ch, 2, 30); // ops published while the thread encodes queue behind the snapshot
  const id = (await c.next((f) => f.type === FrameType.SUBSCRIBED && f.name === 'big')) as SubscribedFrame;
  await c.until(() => c.mirror(id.channel)?.position?.offset === ch.position.offset, 'the mirror to reach the channel position');
  assert.equal(c.mirror(id.channel)!.tree!.rootHash, ch.tree.rootHash);
  assert.ok(threadOf(server).encoded >= 1);
});

test('§4.2 when the thread dies, a waiting subscriber starts over from an event-loop snapshot and the failure is reported once', async (t) => {
  const records: { level: number; component?: string; msg?: string }[] = [];
  const stream = { write: (line: string) => void records.push(JSON.parse(line) as (typeof records)[number]) };
  const { server, ch } = await bigChannel(t, { logger: { level: 'error', stream } });
  const thread = threadOf(server);
  const c = await client(t, server);
  churn(ch, 3, 3);
  c.subscribe('big');
  await waitFor(() => thread.pending > 0, 'the subscriber’s snapshot to be asked of the thread');
  await workerOf(thread).terminate();
  churn(ch, 4, 3);
  const id = (await c.next((f) => f.type === FrameType.SUBSCRIBED && f.name === 'big')) as SubscribedFrame;
  await c.until(() => c.mirror(id.channel)?.position?.offset === ch.position.offset, 'the mirror to reach the channel position');
  assert.equal(c.mirror(id.channel)!.tree!.rootHash, ch.tree.rootHash);
  const failures = records.filter((r) => r.level >= 50);
  assert.equal(failures.length, 1, JSON.stringify(records));
  assert.match(failures[0]!.msg ?? '', /snapshot thread failed/);
  assert.equal((await ch.readySnapshot()).status, 'ready', 'later snapshots come from the event loop');
});

test('§4.2 a copy whose root hash differs from the channel is never sent; that channel falls back', async (t) => {
  const failures: string[] = [];
  const thread = new OffThreadSnapshots((err) => failures.push(err.message));
  t.after(() => thread.close());
  thread.start(1, root([leaf('a', { v: 1 })]));
  // An entry that claims another tree: what a drifted copy looks like from the server's side.
  const entry = new SnapshotEntry(1, { epoch: 1, offset: 0 }, 2, 'not-the-thread-hash');
  assert.equal(thread.encode(1, entry, { minBytes: 4096, level: 6 }, 65_536), true);
  assert.equal((await entry.settled()).status, 'failed');
  assert.equal(entry.frames, undefined);
  assert.equal(failures.length, 1);
  assert.match(failures[0]!, /channel 1: root hash \S+ on the thread, not-the-thread-hash on the channel at offset 0/);
  const next = new SnapshotEntry(1, { epoch: 1, offset: 0 }, 2, 'x');
  assert.equal(thread.encode(1, next, { minBytes: 4096, level: 6 }, 65_536), false, 'the channel is not followed any more');
});

test('§4.2 an OPS frame the copy cannot apply fails that channel only', async (t) => {
  const failures: string[] = [];
  const thread = new OffThreadSnapshots((err) => failures.push(err.message));
  t.after(() => thread.close());
  thread.start(1, root([leaf('a')]));
  thread.start(2, root([leaf('b')]));
  const { encodeOps } = await import('@tidewire/protocol');
  thread.ops(1, encodeOps(1, { epoch: 1, offset: 1 }, [[0, 'missing', { v: 1 }]]));
  await waitFor(() => failures.length === 1, 'the channel failure');
  assert.match(failures[0]!, /channel 1: .*missing/);
  const ok = new SnapshotEntry(2, { epoch: 1, offset: 0 }, 2, '');
  const theirs = (await import('@tidewire/tree')).Tree;
  const hash = new theirs(root([leaf('b')])).rootHash;
  const entry2 = new SnapshotEntry(2, { epoch: 1, offset: 0 }, 2, hash);
  assert.equal(thread.encode(1, ok, { minBytes: 4096, level: 6 }, 65_536), false);
  assert.equal(thread.encode(2, entry2, { minBytes: 4096, level: 6 }, 65_536), true);
  assert.equal((await entry2.settled()).status, 'ready');
});

test('§4.2 close() fails what waits and a closed thread encodes nothing', async () => {
  const thread = new OffThreadSnapshots(() => assert.fail('closing is not a failure'));
  thread.start(1, root([leaf('a')]));
  const entry = new SnapshotEntry(1, { epoch: 1, offset: 0 }, 2, '');
  assert.equal(thread.encode(1, entry, { minBytes: 4096, level: 6 }, 65_536), true);
  await thread.close();
  assert.equal(entry.status, 'failed');
  assert.equal(thread.encode(1, new SnapshotEntry(1, { epoch: 1, offset: 0 }, 2, ''), { minBytes: 4096, level: 6 }, 65_536), false);
});
