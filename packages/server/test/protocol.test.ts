// The protocol as the server speaks it (docs/protocol.md §4): handshake, subscriptions,
// snapshots, ops, events, errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeEvent, encodeHello, encodeSubscribe, encodeUnsubscribe, FrameType, PROTOCOL_VERSION } from '@tidewire/protocol';
import type { SubscribedFrame, WelcomeFrame } from '@tidewire/protocol';
import type { TreeChannel } from '../src/index.ts';
import { client, leaf, root, startServer } from './helpers.ts';
import { RawClient } from './raw-client.ts';

const isSubscribed = (f: { type: number }): f is SubscribedFrame => f.type === FrameType.SUBSCRIBED;
const hello = (major: number = PROTOCOL_VERSION.major) => encodeHello({ protocol: [major, 0], client: 'test', capabilities: [] });

/** The server closes `c` after exactly one ERROR, `code` (with `closeCode` when given). */
async function expectFatal(c: RawClient, code: string, closeCode?: number): Promise<void> {
  const closed = await c.closedWithin();
  assert.deepEqual(c.errors(), [code]);
  if (closeCode !== undefined) assert.equal(closed.code, closeCode);
}

test('§4.1/§4.2 HELLO is answered by WELCOME with limits, capabilities and the channel list', async (t) => {
  const server = await startServer(t, { limits: { maxSubscriptions: 7 } }, (s) => {
    s.tree('doc', root());
    s.events('cursor');
  });
  const c = await RawClient.connect(server.url);
  t.after(() => c.close());
  c.send(hello());
  const w = (await c.next((f) => f.type === FrameType.WELCOME)) as WelcomeFrame;
  assert.deepEqual(w.protocol, [PROTOCOL_VERSION.major, PROTOCOL_VERSION.minor]);
  assert.equal(w.instance, server.instanceId);
  assert.deepEqual(w.capabilities.sort(), ['chunked-snapshots', 'events', 'resume', 'tree']);
  assert.equal(w.limits.maxSubscriptions, 7);
  assert.deepEqual(w.channels, [
    { name: 'doc', kind: 'tree' },
    { name: 'cursor', kind: 'events' },
  ]);
});

test('§4.1 another major version is fatal TW_PROTOCOL_VERSION with close code 4001', async (t) => {
  const server = await startServer(t);
  const c = await RawClient.connect(server.url);
  c.send(hello(2));
  await expectFatal(c, 'TW_PROTOCOL_VERSION', 4001);
});

test('§4.1 a different minor version is accepted', async (t) => {
  const server = await startServer(t);
  const c = await RawClient.connect(server.url);
  t.after(() => c.close());
  c.send(encodeHello({ protocol: [PROTOCOL_VERSION.major, 99], client: 'future', capabilities: ['x'] }));
  await c.next((f) => f.type === FrameType.WELCOME);
});

test('§4.1 a frame before HELLO is fatal TW_HANDSHAKE_REQUIRED (1002)', async (t) => {
  const server = await startServer(t, {}, (s) => void s.tree('doc', root()));
  const c = await RawClient.connect(server.url);
  c.send(encodeSubscribe({ name: 'doc' }));
  await expectFatal(c, 'TW_HANDSHAKE_REQUIRED', 1002);
});

test('§4.1 a second HELLO is fatal TW_HANDSHAKE_REQUIRED', async (t) => {
  const server = await startServer(t);
  const c = await RawClient.open(server.url);
  c.send(hello());
  await expectFatal(c, 'TW_HANDSHAKE_REQUIRED');
});

test('§4.1 no HELLO within the handshake timeout is fatal TW_HANDSHAKE_TIMEOUT', async (t) => {
  const server = await startServer(t, { limits: { handshakeTimeoutMs: 30 } });
  const c = await RawClient.connect(server.url);
  await expectFatal(c, 'TW_HANDSHAKE_TIMEOUT', 1002);
});

test('§4.3/§4.5/§4.6 SUBSCRIBE to a tree gets SUBSCRIBED (snapshot, new) and a SNAPSHOT', async (t) => {
  let doc!: TreeChannel;
  const server = await startServer(t, {}, (s) => void (doc = s.tree('doc', root([leaf('a', { v: 1 })]))));
  const c = await client(t, server);
  c.subscribe('doc');
  const sub = await c.next(isSubscribed);
  assert.equal(sub.name, 'doc');
  assert.equal(sub.channel, doc.id);
  assert.equal(sub.kind, 'tree');
  assert.equal(sub.resume, 'snapshot');
  assert.equal(sub.reason, 'new');
  assert.deepEqual({ epoch: sub.epoch, offset: sub.offset }, doc.position);
  const snap = await c.next((f) => f.type === FrameType.SNAPSHOT);
  assert.ok(c.frames.indexOf(sub) < c.frames.indexOf(snap), 'SUBSCRIBED precedes the snapshot');
  assert.equal(c.mirror(doc.id)!.tree!.rootHash, doc.tree.rootHash);
});

test('§4.7 ops published by the app reach the subscriber as OPS that apply to its snapshot', async (t) => {
  let doc!: TreeChannel;
  const server = await startServer(t, {}, (s) => void (doc = s.tree('doc', root())));
  const c = await client(t, server);
  c.subscribe('doc');
  await c.until(() => c.mirror(doc.id)?.tree !== undefined);
  doc.insert('root', 0, leaf('a'));
  doc.set('a', { title: 'hello' });
  doc.insert('root', 1, leaf('b'));
  doc.move('b', 'root', 0);
  doc.remove('a');
  assert.equal(doc.position.offset, 0, 'nothing is published synchronously');
  await c.until(() => c.mirror(doc.id)!.opsApplied === 1);
  assert.equal(doc.position.offset, 1, 'edits within one turn are one batch');
  assert.equal(c.mirror(doc.id)!.tree!.rootHash, doc.tree.rootHash);
  assert.equal(c.mirror(doc.id)!.outOfOrder, 0);
});

test('§4.3 SUBSCRIBE to an unknown name is non-fatal TW_UNKNOWN_CHANNEL naming it', async (t) => {
  const server = await startServer(t);
  const c = await client(t, server);
  c.subscribe('nope');
  const err = await c.next((f) => f.type === FrameType.ERROR);
  assert.equal(err.type === FrameType.ERROR && err.code, 'TW_UNKNOWN_CHANNEL');
  assert.equal(err.type === FrameType.ERROR && err.name, 'nope');
  assert.equal(err.type === FrameType.ERROR && err.fatal, false);
  assert.equal(c.closeCode, undefined);
});

test('§4.3 subscriptions above maxSubscriptions get TW_TOO_MANY_SUBSCRIPTIONS; resubscribing does not count twice', async (t) => {
  const server = await startServer(t, { limits: { maxSubscriptions: 2 } }, (s) => {
    s.tree('a', root());
    s.tree('b', root());
    s.tree('c', root());
  });
  const c = await client(t, server);
  c.subscribe('a');
  c.subscribe('b');
  c.subscribe('a'); // restart, not a third subscription
  c.subscribe('c');
  const err = await c.next((f) => f.type === FrameType.ERROR);
  assert.equal(err.type === FrameType.ERROR && err.code, 'TW_TOO_MANY_SUBSCRIPTIONS');
  assert.equal(err.type === FrameType.ERROR && err.name, 'c');
  assert.deepEqual(c.errors(), ['TW_TOO_MANY_SUBSCRIPTIONS']);
  assert.equal(c.frames.filter(isSubscribed).length, 3);
});

test('§4.4 after UNSUBSCRIBE no more frames of that channel arrive; unknown channel is TW_NOT_SUBSCRIBED', async (t) => {
  let doc!: TreeChannel;
  const server = await startServer(t, {}, (s) => {
    doc = s.tree('doc', root());
    s.events('ev');
  });
  const c = await client(t, server);
  c.subscribe('doc');
  const sub = await c.next(isSubscribed);
  await c.until(() => c.mirror(doc.id)?.tree !== undefined);
  c.send(encodeUnsubscribe(sub.channel));
  c.send(encodeUnsubscribe(999));
  await c.next((f) => f.type === FrameType.ERROR);
  const count = c.frames.length;
  doc.insert('root', 0, leaf('x'));
  doc.flush();
  // A later subscription's SUBSCRIBED proves the server has processed everything before it.
  c.subscribe('ev');
  await c.next((f) => isSubscribed(f) && f.name === 'ev');
  assert.deepEqual(c.errors(), ['TW_NOT_SUBSCRIBED']);
  assert.equal(c.frames.slice(count).filter((f) => f.type === FrameType.OPS).length, 0);
});

test('§4.8 events: subscriber gets the latest value of every key, then live values', async (t) => {
  let cursor!: ReturnType<import('../src/index.ts').TidewireServer['events']>;
  const server = await startServer(t, {}, (s) => void (cursor = s.events('cursor')));
  cursor.publish('alice', { x: 1 });
  cursor.publish('alice', { x: 2 });
  cursor.publish('bob', { x: 9 });
  const c = await client(t, server);
  c.subscribe('cursor');
  const sub = await c.next(isSubscribed);
  assert.equal(sub.resume, 'none');
  await c.until(() => c.frames.filter((f) => f.type === FrameType.EVENT).length === 2);
  const events = () => c.frames.flatMap((f) => (f.type === FrameType.EVENT ? [[f.key, f.value]] : []));
  assert.deepEqual(events(), [
    ['alice', { x: 2 }],
    ['bob', { x: 9 }],
  ]);
  assert.ok(c.frames.indexOf(sub) < c.frames.findIndex((f) => f.type === FrameType.EVENT));
  cursor.publish('bob', 'live');
  await c.until(() => events().length === 3);
  assert.deepEqual(events()[2], ['bob', 'live']);
  assert.deepEqual(cursor.latest('bob'), 'live');
});

test('§4.8 client EVENTs reach onMessage; read-only and unsubscribed channels are refused', async (t) => {
  const got: unknown[] = [];
  let ctl!: { id: number };
  let ro!: { id: number };
  const server = await startServer(t, {}, (s) => {
    ctl = s.events('control', { onMessage: (key, value, conn) => got.push([key, value, conn.client, typeof conn.id]) });
    ro = s.events('readonly');
  });
  const c = await client(t, server);
  c.subscribe('control');
  c.subscribe('readonly');
  await c.until(() => c.frames.filter(isSubscribed).length === 2);
  c.send(encodeEvent(ctl.id, 'play', true));
  c.send(encodeEvent(ro.id, 'play', true));
  c.send(encodeEvent(9999, 'play', true));
  await c.until(() => c.errors().length === 2);
  assert.deepEqual(c.errors(), ['TW_READ_ONLY', 'TW_NOT_SUBSCRIBED']);
  assert.deepEqual(got, [['play', true, 'test', 'number']]);
});

test('§4.8 an onMessage that throws does not hurt the connection', async (t) => {
  let ctl!: { id: number };
  const server = await startServer(t, {}, (s) => {
    ctl = s.events('control', {
      onMessage: () => {
        throw new Error('app bug');
      },
    });
  });
  const c = await client(t, server);
  c.subscribe('control');
  await c.next(isSubscribed);
  c.send(encodeEvent(ctl.id, 'k', 1));
  c.subscribe('control');
  await c.until(() => c.frames.filter(isSubscribed).length === 2);
  assert.equal(c.closeCode, undefined);
  assert.deepEqual(c.errors(), []);
});

test('§4.3 subscribing again restarts the subscription with a fresh SUBSCRIBED and snapshot', async (t) => {
  let doc!: TreeChannel;
  const server = await startServer(t, {}, (s) => void (doc = s.tree('doc', root([leaf('a')]))));
  const c = await client(t, server);
  c.subscribe('doc');
  await c.until(() => c.mirror(doc.id)?.snapshots === 1);
  c.subscribe('doc');
  await c.until(() => c.mirror(doc.id)?.snapshots === 2);
  assert.equal(c.frames.filter(isSubscribed).length, 2);
});

test('§4.6 a snapshot above chunkBytes goes as SNAPSHOT_BEGIN and chunks of exactly chunkBytes', async (t) => {
  let doc!: TreeChannel;
  const server = await startServer(t, { limits: { chunkBytes: 1024 }, snapshotCompression: { minBytes: 1e12 } }, (s) => {
    const kids = Array.from({ length: 200 }, (_, i) => leaf(`n${i}`, { text: `item number ${i} `.repeat(3) }));
    doc = s.tree('doc', root(kids));
  });
  const c = await client(t, server);
  c.subscribe('doc');
  await c.until(() => c.mirror(doc.id)?.tree !== undefined);
  const begin = c.frames.find((f) => f.type === FrameType.SNAPSHOT_BEGIN);
  assert.ok(begin && begin.type === FrameType.SNAPSHOT_BEGIN);
  assert.equal(begin.nodeCount, 201);
  assert.equal(begin.encoding, 0);
  const chunks = c.frames.flatMap((f) => (f.type === FrameType.SNAPSHOT_CHUNK ? [f] : []));
  assert.equal(chunks.length, begin.chunkCount);
  assert.ok(chunks.length > 1);
  chunks.slice(0, -1).forEach((ch) => assert.equal(ch.bytes.length, 1024));
  assert.equal(c.mirror(doc.id)!.tree!.rootHash, doc.tree.rootHash);
});

test('§4.6 snapshot bodies above the compression threshold are deflate-raw (encoding 1)', async (t) => {
  let doc!: TreeChannel;
  const server = await startServer(t, { snapshotCompression: { minBytes: 100 } }, (s) => {
    doc = s.tree('doc', root(Array.from({ length: 50 }, (_, i) => leaf(`n${i}`, { text: 'same text '.repeat(5) }))));
  });
  const c = await client(t, server);
  c.subscribe('doc');
  await c.until(() => c.mirror(doc.id)?.tree !== undefined);
  const snap = c.frames.find((f) => f.type === FrameType.SNAPSHOT);
  assert.ok(snap && snap.type === FrameType.SNAPSHOT);
  assert.equal(snap.encoding, 1);
  assert.equal(c.mirror(doc.id)!.tree!.rootHash, doc.tree.rootHash);
});

test('§4.5 reset() starts a new epoch and every subscriber gets SUBSCRIBED (snapshot, epoch)', async (t) => {
  let doc!: TreeChannel;
  const server = await startServer(t, {}, (s) => void (doc = s.tree('doc', root([leaf('a')]))));
  const c = await client(t, server);
  c.subscribe('doc');
  await c.until(() => c.mirror(doc.id)?.snapshots === 1);
  const before = doc.position.epoch;
  doc.reset(root([leaf('z', { fresh: true })]));
  assert.notEqual(doc.position.epoch, before);
  assert.equal(doc.position.offset, 0);
  await c.until(() => c.mirror(doc.id)?.snapshots === 2);
  const subs = c.frames.filter(isSubscribed);
  assert.equal(subs[1]!.reason, 'epoch');
  assert.equal(c.mirror(doc.id)!.tree!.rootHash, doc.tree.rootHash);
});
