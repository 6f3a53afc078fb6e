// docs/cluster.md against a real redis-server on a free loopback port.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { encodeOps, opsBatch, opsFrameFromBatch } from '@tidewire/protocol';
import { Prng, testSeed, seedHint } from '@tidewire/random';
import { startRedis, type RunningRedis } from '@tidewire/testkit';
import {
  ChannelOwner,
  ChannelReplica,
  ClusterError,
  PubSubRouter,
  channelKeys,
  clusterScripts,
  decodeBatch,
  decodePub,
  type ChannelOwnerOptions,
  type ChannelReplicaOptions,
  type ReplicaListener,
  type ReplicaPosition,
} from '../src/index.ts';
import { RandomApp, connections, until } from './helpers.ts';

const SEED = testSeed();

function throwsCluster(run: () => unknown, code: string, names: readonly RegExp[] = []): void {
  assert.throws(run, (err: unknown) => {
    assert.ok(err instanceof ClusterError, `expected a ClusterError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    for (const n of names) assert.match(err.message, n);
    return true;
  });
}

async function rejectsCluster(run: () => Promise<unknown>, code: string, names: readonly RegExp[] = []): Promise<void> {
  await assert.rejects(run, (err: unknown) => {
    assert.ok(err instanceof ClusterError, `expected a ClusterError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    for (const n of names) assert.match(err.message, n);
    return true;
  });
}

/** What a replica handed on, in order, and the bytes of every batch. */
class Recorder implements ReplicaListener {
  snapshots: ReplicaPosition[] = [];
  batches: { batch: Uint8Array; position: ReplicaPosition }[] = [];
  snapshot(_tree: unknown, position: ReplicaPosition): void {
    this.snapshots.push(position);
  }
  batch(batch: Uint8Array, position: ReplicaPosition): void {
    this.batches.push({ batch: new Uint8Array(batch), position });
  }
}

describe('§3 batch and pub records', () => {
  test('§3 a batch is an OPS frame after its type and channel id; opsFrameFromBatch puts any channel id back', () => {
    const frame = encodeOps(300, { epoch: 7, offset: 9 }, [[0, 'a', { v: 1 }]]);
    const batch = opsBatch(frame);
    assert.deepEqual(batch, frame.subarray(3), 'type byte + a 2-byte varuint for channel 300');
    const b = decodeBatch(batch);
    assert.deepEqual([b.epoch, b.offset, b.ops], [7, 9, [[0, 'a', { v: 1 }]]]);
    assert.deepEqual(opsFrameFromBatch(300, batch), frame);
    assert.deepEqual(opsBatch(opsFrameFromBatch(5, batch)), batch);
  });

  test('§3 a record that does not parse is TW_CLUSTER_BAD_DATA naming the part at fault', () => {
    throwsCluster(() => decodeBatch(new Uint8Array([0x80])), 'TW_CLUSTER_BAD_DATA', [/\bbatch epoch\b/]);
    throwsCluster(() => decodeBatch(new Uint8Array([7])), 'TW_CLUSTER_BAD_DATA', [/\bbatch offset\b/]);
    throwsCluster(() => decodeBatch(new Uint8Array([7, 9, 0x92])), 'TW_CLUSTER_BAD_DATA', [/\bbatch 7\/9\b/, /\bdo not decode\b/]);
    throwsCluster(() => decodeBatch(new Uint8Array([7, 9, 0x01])), 'TW_CLUSTER_BAD_DATA', [/\bmust be an array\b/]);
    throwsCluster(() => decodePub(new Uint8Array([16, 0x61])), 'TW_CLUSTER_BAD_DATA', [/\bpub hash\b/]);
    assert.deepEqual(decodePub(new Uint8Array([2, 0x61, 0x62, 7, 9, 0x90])), { hash: 'ab', batch: new Uint8Array([7, 9, 0x90]) });
  });
});

describe('§2 keys', () => {
  test('§2 every key of a channel shares one hash tag; braces in a name are encoded so they cannot end it', () => {
    const k = channelKeys('set}{a b');
    const tags = Object.values(k).map((key) => /\{([^}]*)\}/.exec(key)![1]);
    assert.deepEqual(new Set(tags), new Set(['set%7D%7Ba%20b']));
    assert.notEqual(channelKeys('a').meta, channelKeys('a}').meta);
    assert.equal(channelKeys('ü').log, 'tw:{%C3%BC}:log');
  });

  test('§2 a name of 0 or more than 128 UTF-8 bytes is TW_CLUSTER_BAD_NAME naming the byte count', () => {
    throwsCluster(() => channelKeys(''), 'TW_CLUSTER_BAD_NAME', [/\bgot 0\b/]);
    throwsCluster(() => channelKeys('é'.repeat(65)), 'TW_CLUSTER_BAD_NAME', [/\b128\b/, /\bgot 130\b/]);
    assert.equal(channelKeys('é'.repeat(64)).meta.length > 0, true);
  });
});

describe('§4–§6 on a real redis-server', () => {
  let redis: RunningRedis;
  let conns: ReturnType<typeof connections>;
  let n = 0;
  /** A channel name no earlier test used. */
  const fresh = (): string => `ch-${++n}`;

  /** An app owning a fresh channel in Redis, and a live replica of it (seed: SEED + seedOffset). */
  async function ownerAndReplica(
    seedOffset: number,
    ownerOptions: Partial<ChannelOwnerOptions> = {},
    replicaOptions: ChannelReplicaOptions = {},
    connection: { commandTimeout?: number } = {},
  ) {
    const app = new RandomApp(new Prng(SEED + seedOffset));
    const name = fresh();
    const owner = new ChannelOwner(conns.open(connection), name, { ownerId: 'a', snapshot: () => app.snapshot(), ...ownerOptions });
    await owner.acquire();
    const seen = new Recorder();
    const subscriber = conns.open();
    const replica = new ChannelReplica(conns.open(connection), new PubSubRouter(subscriber), name, seen, replicaOptions);
    await replica.start();
    return { app, name, owner, seen, replica, subscriber };
  }

  before(async () => {
    redis = await startRedis();
    conns = connections(redis.url);
  });
  after(async () => {
    conns.closeAll();
    await redis.stop();
  });

  describe('§4 scripts', () => {
    test('§4 acquire: a second owner gets TW_CLUSTER_LEASE_HELD naming the holder; after the lease expires it gets a higher fence', async () => {
      const scripts = clusterScripts(conns.open());
      const keys = channelKeys(fresh());
      const f1 = await scripts.acquire(keys, 'node-a', 150);
      assert.equal(await scripts.acquire(keys, 'node-a', 150), f1, 'the holder re-acquiring keeps its fence');
      await rejectsCluster(() => scripts.acquire(keys, 'node-b', 150), 'TW_CLUSTER_LEASE_HELD', [new RegExp(`\\bnode-a:${f1}\\b`)]);
      await new Promise((r) => setTimeout(r, 250));
      const f2 = await scripts.acquire(keys, 'node-b', 150);
      assert.ok(f2 > f1, `fence ${f2} after ${f1}`);
      await rejectsCluster(() => scripts.renew(keys, 'node-a', f1, 150), 'TW_CLUSTER_FENCE_STALE', [/\bnode-a\b/]);
    });

    test('§4 append refuses an offset that does not follow (naming the expected one), another epoch and a stale fence', async () => {
      const scripts = clusterScripts(conns.open());
      const keys = channelKeys(fresh());
      const fence = await scripts.acquire(keys, 'a', 5000);
      await scripts.begin(keys, fence, 77);
      const batch = new Uint8Array([77, 1, 0x90]);
      await rejectsCluster(() => scripts.append(keys, fence, 77, 2, batch, 'h', 100), 'TW_CLUSTER_OFFSET', [/\bexpected offset 1\b/, /\bgot 2\b/]);
      await rejectsCluster(() => scripts.append(keys, fence, 78, 1, batch, 'h', 100), 'TW_CLUSTER_EPOCH', [/\bepoch 78\b/, /\b77\b/]);
      await rejectsCluster(() => scripts.append(keys, fence + 1, 77, 1, batch, 'h', 100), 'TW_CLUSTER_FENCE_STALE', [new RegExp(`\\bfence ${fence + 1}\\b`)]);
      await scripts.append(keys, fence, 77, 1, batch, 'h', 100);
      await rejectsCluster(() => scripts.append(keys, fence, 77, 1, batch, 'h', 100), 'TW_CLUSTER_OFFSET', [/\bexpected offset 2\b/]);
      const entries = await conns.open().xrange(keys.log, '-', '+');
      assert.deepEqual(
        entries.map(([id]) => id),
        ['1-1'],
        'only the accepted append is in the stream, under the id <offset>-1',
      );
    });
  });

  describe('§6 replica', () => {
    test('§6 a replica follows 2,000 random ops: the owner root hash and position, the batch bytes forwarded unchanged', async () => {
      const { app, owner, seen, replica } = await ownerAndReplica(0);
      const sent: Uint8Array[] = [];
      for (let i = 0; i < 200; i++) {
        const b = app.batch(10);
        sent.push(new Uint8Array(opsBatch(b.frame)));
        void owner.append(b.frame, b.position, b.hash);
      }
      await until('the replica at the owner position', () => replica.position.offset === app.offset);
      assert.equal(replica.tree!.rootHash, app.tree.rootHash, seedHint(SEED));
      assert.deepEqual(seen.snapshots, [{ epoch: app.epoch, offset: 0 }]);
      assert.equal(seen.batches.length, 200);
      seen.batches.forEach((b, i) => assert.deepEqual(b.batch, sent[i], `batch ${i + 1} forwarded byte for byte`));
      assert.equal(replica.stats.hashMismatches, 0);
      await replica.close();
      await owner.close();
    });

    test('§6 a replica started after the stream was trimmed loads the newer stored snapshot and catches up from it', async () => {
      const rng = new Prng(SEED + 1);
      const app = new RandomApp(rng);
      const name = fresh();
      const owner = new ChannelOwner(conns.open(), name, { ownerId: 'a', maxLen: 20, snapshot: () => app.snapshot() });
      await owner.acquire();
      for (let i = 0; i < 95; i++) {
        const b = app.batch(3);
        await owner.append(b.frame, b.position, b.hash);
      }
      const cmd = conns.open();
      const snapOffset = Number(await cmd.hget(channelKeys(name).snap, 'offset'));
      assert.ok(snapOffset >= 75, `a snapshot every maxLen / 2 batches: stored at ${snapOffset}`);
      const first = Number((await cmd.xrange(channelKeys(name).log, '-', '+', 'COUNT', 1))[0]![0].split('-')[0]);
      assert.ok(first > 1, 'the stream was trimmed');
      assert.ok(first <= snapOffset + 1, `the stream (from ${first}) holds every batch after the snapshot (${snapOffset})`);
      const seen = new Recorder();
      const replica = new ChannelReplica(cmd, new PubSubRouter(conns.open()), name, seen);
      await replica.start();
      assert.deepEqual(replica.position, { epoch: app.epoch, offset: 95 });
      assert.equal(replica.tree!.rootHash, app.tree.rootHash);
      assert.deepEqual(seen.snapshots, [{ epoch: app.epoch, offset: snapOffset }]);
      assert.equal(seen.batches[0]!.position.offset, snapOffset + 1);
      await replica.close();
      await owner.close();
    });

    test('§6 batches published while its subscriber connection was down: the position check catches up from the stream', async () => {
      const { app, owner, replica, subscriber } = await ownerAndReplica(2, {}, { checkMs: 100 });
      subscriber.disconnect(); // no reconnect: messages from now on never arrive
      for (let i = 0; i < 10; i++) {
        const b = app.batch(5);
        await owner.append(b.frame, b.position, b.hash);
      }
      await until('the replica caught up without pub/sub', () => replica.position.offset === 10);
      assert.equal(replica.tree!.rootHash, app.tree.rootHash);
      assert.equal(replica.stats.loads, 1, 'a catch-up from the stream, not a reload');
      await replica.close();
      await owner.close();
    });

    test('§6 a batch whose root hash is not the owner hash is never served: the replica waits at the batch before, then recovers from a later snapshot', async () => {
      const { app, owner, seen, replica } = await ownerAndReplica(7, { maxLen: 8 }, { retryMs: 100 });
      for (let i = 1; i <= 3; i++) {
        const b = app.batch(3);
        await owner.append(b.frame, b.position, i === 3 ? '0000000000000000' : b.hash);
      }
      await until('a hash mismatch', () => replica.stats.hashMismatches >= 1);
      await new Promise((r) => setTimeout(r, 400));
      assert.deepEqual(replica.position, { epoch: app.epoch, offset: 2 }, 'the batch with the wrong hash is not applied');
      assert.ok(
        seen.batches.every((b) => b.position.offset <= 2),
        'nor handed on',
      );
      assert.ok(replica.stats.loads <= 6, `reloads are paced by retryMs, not a spin: ${replica.stats.loads} loads in 0.4 s`);
      for (let i = 0; i < 4; i++) {
        const b = app.batch(3);
        await owner.append(b.frame, b.position, b.hash); // the 4th append stores a snapshot past batch 3
      }
      await until('the replica past the bad batch', () => replica.position.offset === app.offset);
      assert.equal(replica.tree!.rootHash, app.tree.rootHash);
      await replica.close();
      await owner.close();
    });

    test('§6 a new epoch (the owner began a new history) reloads the stored snapshot', async () => {
      const { app, owner, seen, replica } = await ownerAndReplica(3);
      const b1 = app.batch(5);
      await owner.append(b1.frame, b1.position, b1.hash);
      app.epoch += 1;
      app.offset = 0;
      await owner.begin(app.epoch);
      const b2 = app.batch(5);
      await owner.append(b2.frame, b2.position, b2.hash);
      await until('the replica in the new epoch', () => replica.position.epoch === app.epoch && replica.position.offset === 1);
      assert.equal(replica.tree!.rootHash, app.tree.rootHash);
      assert.equal(seen.snapshots.length, 2);
      assert.deepEqual(seen.snapshots[1], { epoch: app.epoch, offset: 0 });
      await replica.close();
      await owner.close();
    });
  });

  describe('§5 owner', () => {
    test('§5 an owner whose lease another took is deposed: its next append is refused and onDeposed fires once', async () => {
      const rng = new Prng(SEED + 4);
      const app = new RandomApp(rng);
      const name = fresh();
      const deposed: ClusterError[] = [];
      const old = new ChannelOwner(conns.open(), name, { ownerId: 'a', leaseTtlMs: 3000, snapshot: () => app.snapshot(), onDeposed: (e) => deposed.push(e) });
      await old.acquire();
      // The old owner stalls (a GC pause, a frozen VM): its lease runs out and a standby takes over.
      await conns.open().del(old.keys.lease);
      const standby = new ChannelOwner(conns.open(), name, { ownerId: 'b', snapshot: () => app.snapshot() });
      assert.equal(await standby.acquire(), 'began');
      assert.ok(standby.fence > old.fence);
      const b = app.batch(2);
      await rejectsCluster(() => old.append(b.frame, b.position, b.hash), 'TW_CLUSTER_FENCE_STALE', [new RegExp(`\\bfence ${old.fence}\\b`)]);
      assert.equal(old.state, 'deposed');
      await rejectsCluster(() => old.append(b.frame, { ...b.position, offset: 2 }, b.hash), 'TW_CLUSTER_FENCE_STALE', [/\bdeposed\b/]);
      assert.equal(deposed.length, 1);
      await standby.append(b.frame, b.position, b.hash);
      await old.close();
      await standby.close();
    });

    test('§5 Redis unreachable (paused) for 1.5 s: the owner repairs with a snapshot and appends again; a replica converges', async () => {
      const states: string[] = [];
      const { app, owner, replica } = await ownerAndReplica(
        5,
        { repairMs: 100, onState: (s: string) => states.push(s) },
        { checkMs: 100, retryMs: 100 },
        { commandTimeout: 200 },
      );
      redis.pause();
      try {
        for (let i = 0; i < 20; i++) {
          const b = app.batch(4);
          void owner.append(b.frame, b.position, b.hash).catch(() => undefined);
          await new Promise((r) => setTimeout(r, 50));
        }
        await until('the owner repairing', () => owner.state === 'repairing', 3000);
      } finally {
        redis.resume();
      }
      for (let i = 0; i < 5; i++) {
        const b = app.batch(4);
        void owner.append(b.frame, b.position, b.hash).catch(() => undefined);
      }
      await until('the owner owning again', () => owner.state === 'owning');
      await until('the replica at the owner position', () => replica.position.offset === app.offset);
      assert.equal(replica.tree!.rootHash, app.tree.rootHash);
      assert.deepEqual(states, ['owning', 'repairing', 'owning']);
      await replica.close();
      await owner.close();
    });

    test('§5 Redis restarted empty: the owner is deposed; a new history acquired again reaches a replica', async () => {
      const { app, name, owner, replica } = await ownerAndReplica(6, {}, { checkMs: 100, retryMs: 100 });
      await redis.restart();
      const b = app.batch(3);
      await until('the owner deposed by the empty Redis', () => {
        void owner.append(b.frame, b.position, b.hash).catch(() => undefined);
        return owner.state === 'deposed';
      });
      // What the app does when deposed and no one else holds the channel: a new history.
      app.epoch += 1;
      app.offset = 0;
      const again = new ChannelOwner(conns.open(), name, { ownerId: 'a', snapshot: () => app.snapshot() });
      await again.acquire();
      assert.ok(again.fence > owner.fence, `fence ${again.fence} after ${owner.fence}: fences grow across a Redis that lost its data`);
      const b2 = app.batch(3);
      await again.append(b2.frame, b2.position, b2.hash);
      await until('the replica in the new history', () => replica.position.epoch === app.epoch && replica.position.offset === 1);
      assert.equal(replica.tree!.rootHash, app.tree.rootHash);
      await replica.close();
      await owner.close();
      await again.close();
    });
  });
});
