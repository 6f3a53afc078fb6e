// docs/server.md §2: adaptive batching on a live server: a lone edit goes out on the next macrotask, a burst in
// one turn is one batch, and a storm costs at most one OPS frame per tick.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FrameType } from '@tidewire/protocol';
import { TreeError } from '@tidewire/tree';
import type { TreeChannel } from '../src/index.ts';
import { ServerError } from '../src/index.ts';
import { client, leaf, root, startServer, turns } from './helpers.ts';

async function setup(t: import('node:test').TestContext, tickMs = 16) {
  let doc!: TreeChannel;
  const server = await startServer(t, { tickMs }, (s) => void (doc = s.tree('doc', root([leaf('a', { n: 0 })]))));
  const c = await client(t, server);
  c.subscribe('doc');
  await c.until(() => c.mirror(doc.id)?.tree !== undefined);
  return { server, doc, c };
}

test('§2 a lone edit after a quiet period is published on the next macrotask', async (t) => {
  const { doc, c } = await setup(t, 1000); // a tick of a second: waiting for it would be obvious
  doc.set('a', { n: 1 });
  assert.equal(doc.position.offset, 0, 'not published synchronously (a burst in this turn may follow)');
  await turns(1);
  assert.equal(doc.position.offset, 1);
  await c.until(() => c.mirror(doc.id)!.opsApplied === 1);
});

test('§2 a burst within one turn is one OPS frame', async (t) => {
  const { doc, c } = await setup(t);
  for (let i = 0; i < 1000; i++) doc.insert('root', i + 1, leaf(`n${i}`, { i }));
  await c.until(() => c.mirror(doc.id)!.opsApplied === 1);
  await turns(2);
  const ops = c.frames.filter((f) => f.type === FrameType.OPS);
  assert.equal(ops.length, 1);
  assert.equal(ops[0]!.type === FrameType.OPS && ops[0]!.ops.length, 1000);
  assert.equal(c.mirror(doc.id)!.tree!.rootHash, doc.tree.rootHash);
});

test('§2 coalescing: repeated sets of one node in a batch go out as one op', async (t) => {
  const { doc, c } = await setup(t);
  for (let i = 0; i < 100; i++) doc.set('a', { n: i });
  await c.until(() => c.mirror(doc.id)!.opsApplied === 1);
  const f = c.frames.find((x) => x.type === FrameType.OPS);
  assert.ok(f?.type === FrameType.OPS);
  assert.deepEqual(f.ops, [[0, 'a', { n: 99 }]]);
});

test('§2 a storm costs at most one OPS frame per tick', async (t) => {
  const TICK = 20;
  const { doc, c } = await setup(t, TICK);
  const start = performance.now();
  let edits = 0;
  while (performance.now() - start < 200) {
    doc.set('a', { n: ++edits });
    await turns(1);
  }
  const elapsed = performance.now() - start;
  doc.flush();
  await c.until(() => c.mirror(doc.id)!.position!.offset === doc.position.offset);
  const frames = c.frames.filter((f) => f.type === FrameType.OPS).length;
  assert.ok(edits > frames * 3, `${edits} edits in ${frames} frames: not coalesced`);
  // One immediate frame, then at most one per tick, plus the final explicit flush.
  assert.ok(frames <= Math.ceil(elapsed / TICK) + 2, `${frames} frames in ${elapsed.toFixed(0)} ms`);
  assert.equal(c.mirror(doc.id)!.tree!.get('a')!.attrs.n, edits);
});

test('§2 apply() publishes the ops before a failing one and throws TreeError for it', async (t) => {
  const { doc, c } = await setup(t);
  assert.throws(
    () =>
      doc.apply([
        [0, 'a', { n: 5 }],
        [2, 'missing'],
        [0, 'a', { n: 6 }],
      ]),
    (e: unknown) => e instanceof TreeError && e.code === 'TREE_UNKNOWN_ID',
  );
  assert.throws(
    () => doc.remove('root'),
    (e: unknown) => e instanceof TreeError && e.code === 'TREE_REMOVE_ROOT',
  );
  assert.throws(
    () => doc.set('a', { bad: undefined as never }),
    (e: unknown) => e instanceof TreeError,
  );
  await c.until(() => c.mirror(doc.id)!.opsApplied === 1);
  assert.equal(doc.tree.get('a')!.attrs.n, 5);
  assert.equal(c.mirror(doc.id)!.tree!.rootHash, doc.tree.rootHash);
});

test('§2 replace() publishes only the diff', async (t) => {
  const { doc, c } = await setup(t);
  const ops = doc.replace(root([leaf('a', { n: 0 }), leaf('b', { fresh: true })]));
  assert.deepEqual(
    ops.map((o) => o[0]),
    [1],
    'one insert; the unchanged node is not touched',
  );
  await c.until(() => c.mirror(doc.id)!.opsApplied === 1);
  assert.equal(c.mirror(doc.id)!.tree!.rootHash, doc.tree.rootHash);
});

test('§2 channel names are validated and unique', async (t) => {
  await startServer(t, {}, (s) => {
    s.tree('doc', root());
    assert.throws(
      () => s.tree('doc', root()),
      (e: unknown) => e instanceof ServerError && e.code === 'TW_SERVER_CHANNEL_EXISTS',
    );
    assert.throws(
      () => s.events('doc'),
      (e: unknown) => e instanceof ServerError && e.code === 'TW_SERVER_CHANNEL_EXISTS',
    );
    assert.throws(
      () => s.events(''),
      (e: unknown) => e instanceof ServerError && e.code === 'TW_SERVER_BAD_CHANNEL_NAME',
    );
    assert.throws(
      () => s.events('é'.repeat(65)),
      (e: unknown) => e instanceof ServerError && e.code === 'TW_SERVER_BAD_CHANNEL_NAME',
    );
    assert.equal(s.channel('doc')?.name, 'doc');
    assert.equal(s.channel('none'), undefined);
    const ev = s.events('ev');
    assert.throws(
      () => ev.publish('k'.repeat(300), 1),
      (e: unknown) => e instanceof ServerError && e.code === 'TW_SERVER_BAD_EVENT_KEY',
    );
  });
});

test('§2 channel ids are per channel, the same for every connection', async (t) => {
  let doc!: TreeChannel;
  const server = await startServer(t, {}, (s) => {
    s.events('first');
    doc = s.tree('doc', root());
  });
  const [a, b] = [await client(t, server), await client(t, server)];
  b.subscribe('first');
  for (const c of [a, b]) c.subscribe('doc');
  const ids = await Promise.all(
    [a, b].map(async (c) => {
      const f = await c.next((x) => x.type === FrameType.SUBSCRIBED && x.name === 'doc');
      return f.type === FrameType.SUBSCRIBED ? f.channel : -1;
    }),
  );
  assert.deepEqual(ids, [doc.id, doc.id]);
});
