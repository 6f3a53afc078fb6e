// docs/cluster.md §7 and §9: the hooks the cluster layer uses. An owner's channel reports every
// history and batch; a replica's channel serves an adopted tree and forwards the owner's batch
// bytes behind its own channel id, and refuses local changes. An events channel reports local
// publishes, takes the cluster's without reporting them, and sends client input where it is told.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeEvent, encodeOps, FrameType, opsBatch } from '@tidewire/protocol';
import type { SubscribedFrame } from '@tidewire/protocol';
import { OpKind, Tree } from '@tidewire/tree';
import type { Op } from '@tidewire/tree';
import { eventsChannelHooks, ServerError, treeChannelHooks } from '../src/index.ts';
import type { ConnectionInfo, EventsChannel, TreeChannel } from '../src/index.ts';
import { client, leaf, root, startServer, waitFor } from './helpers.ts';

test('§7 an observed channel reports its history, then every batch with the root hash after it', async (t) => {
  let ch!: TreeChannel;
  await startServer(t, {}, (s) => {
    ch = s.tree('owned', root([leaf('a')]));
  });
  const seen: string[] = [];
  const frames: Uint8Array[] = [];
  treeChannelHooks(ch).observe({
    began: (p) => seen.push(`began ${p.epoch}/${p.offset}`),
    published: (frame, p, hash) => {
      frames.push(frame);
      seen.push(`batch ${p.offset} ${hash === ch.tree.rootHash ? 'hash ok' : 'hash wrong'}`);
    },
  });
  const epoch = ch.position.epoch;
  ch.set('a', { v: 1 });
  ch.flush();
  ch.insert('root', 1, leaf('b'));
  ch.flush();
  ch.reset(root([leaf('c')]));
  assert.deepEqual(seen, ['batch 1 hash ok', 'batch 2 hash ok', `began ${ch.position.epoch}/0`]);
  assert.notEqual(ch.position.epoch, epoch);
  assert.equal(frames[0]![0], FrameType.OPS);
});

test('§7 a replica channel serves the adopted tree, forwards batch bytes under its own id, and refuses local changes', async (t) => {
  let ch!: TreeChannel;
  const server = await startServer(t, {}, (s) => {
    s.tree('other', root()); // so the replica's channel id differs from the owner's (7 below)
    ch = s.tree('mirror', root());
  });
  const hooks = treeChannelHooks(ch);
  const owner = new Tree(root([leaf('a', { v: 1 })]));
  const replicaTree = new Tree(owner.toSnapshot());
  assert.throws(
    () => hooks.adoptBatch(new Uint8Array([1, 1, 0x90]), { epoch: 1, offset: 1 }),
    (e: unknown) => e instanceof ServerError && e.code === 'TW_SERVER_STATE' && /\bnot a replica\b/.test(e.message),
  );
  hooks.adoptSnapshot(replicaTree, { epoch: 4242, offset: 10 });
  assert.equal(hooks.mode, 'replica');
  assert.throws(
    () => ch.set('a', { v: 2 }),
    (e: unknown) => e instanceof ServerError && e.code === 'TW_SERVER_REPLICA' && /\bmirror\b/.test(e.message),
  );
  const c = await client(t, server);
  c.subscribe('mirror');
  const sub = (await c.next((f) => f.type === FrameType.SUBSCRIBED && f.name === 'mirror')) as SubscribedFrame;
  assert.deepEqual([sub.epoch, sub.offset], [4242, 10], 'clients see the owner position');
  // The owner's batch, as Redis carries it: its OPS frame under the owner's channel id 7, cut.
  const op: Op = [OpKind.SET, 'a', { v: 2 }];
  const batch = opsBatch(encodeOps(7, { epoch: 4242, offset: 11 }, [op]));
  replicaTree.apply(op);
  hooks.adoptBatch(batch, { epoch: 4242, offset: 11 });
  await c.until(() => c.mirror(sub.channel)?.position?.offset === 11, 'the client to apply the forwarded batch');
  assert.equal(c.mirror(sub.channel)!.tree!.rootHash, replicaTree.rootHash);
  // A client resuming at offset 10 on this node gets a replay of the forwarded batch.
  const r = await client(t, server);
  r.subscribe('mirror', { epoch: 4242, offset: 10 });
  const resumed = (await r.next((f) => f.type === FrameType.SUBSCRIBED && f.name === 'mirror')) as SubscribedFrame;
  assert.equal(resumed.resume, 'replay');
  hooks.becomeLocal();
  ch.set('a', { v: 3 });
  ch.flush();
  assert.deepEqual(ch.position, { epoch: 4242, offset: 12 }, 'local changes continue the adopted history');
});

test("§9 an events channel reports local publishes only; the cluster's values reach subscribers unreported", async (t) => {
  let ev!: EventsChannel;
  const server = await startServer(t, {}, (s) => {
    ev = s.events('status');
  });
  const hooks = eventsChannelHooks(ev);
  const reported: unknown[] = [];
  hooks.observe({ published: (key, value) => reported.push([key, value]) });
  ev.publish('beat', 1);
  hooks.publishFromCluster('tempo', 120);
  assert.deepEqual(reported, [['beat', 1]]);
  assert.deepEqual(
    [...hooks.entries()],
    [
      ['beat', 1],
      ['tempo', 120],
    ],
  );
  const c = await client(t, server);
  c.subscribe('status');
  await c.until(() => c.frames.filter((f) => f.type === FrameType.EVENT).length === 2, 'both values');
  hooks.observe(undefined);
  ev.publish('beat', 2);
  assert.equal(reported.length, 1, 'no observer, no report');
  assert.throws(
    () => eventsChannelHooks({ kind: 'events' } as unknown as EventsChannel),
    (e: unknown) => e instanceof ServerError && e.code === 'TW_SERVER_BAD_OPTION' && /server\.events\(\)/.test(e.message),
  );
});

test('§9 client input goes to the route while one is set, else to onMessage; deliverInput reaches onMessage', async (t) => {
  let ctl!: EventsChannel;
  let ro!: EventsChannel;
  const handled: unknown[] = [];
  const server = await startServer(t, {}, (s) => {
    ctl = s.events('control', { onMessage: (key, value, conn) => handled.push([key, value, conn.id]) });
    ro = s.events('readonly');
  });
  const hooks = eventsChannelHooks(ctl);
  assert.equal(hooks.acceptsInput, true);
  assert.equal(eventsChannelHooks(ro).acceptsInput, false);
  const routed: unknown[] = [];
  hooks.routeInput((key, value, conn: ConnectionInfo) => routed.push([key, value, conn.client]));
  const c = await client(t, server);
  c.subscribe('control');
  c.subscribe('readonly');
  await c.until(() => c.frames.filter((f) => f.type === FrameType.SUBSCRIBED).length === 2, 'both subscriptions');
  c.send(encodeEvent(ctl.id, 'mute', true));
  await waitFor(() => routed.length === 1, 'the routed event');
  assert.deepEqual(routed, [['mute', true, 'test']]);
  assert.deepEqual(handled, [], 'a routed event skips onMessage');
  hooks.deliverInput('solo', false, { id: -3, remoteAddress: '10.0.0.2', client: 'phone' });
  assert.deepEqual(handled, [['solo', false, -3]]);
  hooks.routeInput(undefined);
  c.send(encodeEvent(ctl.id, 'arm', true));
  await waitFor(() => handled.length === 2, 'the event at onMessage again');
  assert.deepEqual(handled[1], ['arm', true, (handled[1] as unknown[])[2]]);
  c.send(encodeEvent(ro.id, 'x', 1));
  await c.until(() => c.errors().length === 1, 'the refusal');
  assert.deepEqual(c.errors(), ['TW_READ_ONLY'], 'a channel without onMessage still takes no input');
});
