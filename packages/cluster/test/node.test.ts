// docs/cluster.md §7: two real Tidewire servers on one real Redis. The node whose channel takes
// the lease owns it; the other serves the same channel as a replica to its own clients, and takes
// over without a snapshot for its clients when the owner leaves.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { TidewireClient } from '@tidewire/client';
import { Prng, testSeed, seedHint } from '@tidewire/random';
import { createServer, type TidewireServer, type TreeChannel } from '@tidewire/server';
import { startRedis, type RunningRedis } from '@tidewire/testkit';
import { IdPool, applyTracked, randomOp, randomSnapshot, counterIds } from '@tidewire/tree/testing';
import { Tree } from '@tidewire/tree';
import { WebSocket } from 'ws';
import { ClusterNode } from '../src/index.ts';
import { until } from './helpers.ts';

const SEED = testSeed();
let redis: RunningRedis;

before(async () => {
  redis = await startRedis();
});
after(async () => {
  await redis.stop();
});

/** A server with one tree channel `demo` (the same initial tree on every node, as apps have). */
async function node(t: import('node:test').TestContext, initial: ReturnType<typeof randomSnapshot>) {
  const server = await createServer({ port: 0, tickMs: 5, defaultMetrics: false, snapshotThread: false, logger: { level: 'warn' } });
  const channel = server.tree('demo', initial);
  const url = await server.listen();
  const cluster = await ClusterNode.connect({ url: redis.url, nodeId: `n${server.port}`, leaseTtlMs: 600 });
  cluster.registerMetrics(server.metrics);
  t.after(async () => {
    await cluster.close();
    await server.close();
  });
  return { server, channel, url, cluster };
}

/** Random ops through `channel` (the owner's app), flushed as batches. */
function storm(rng: Prng, channel: TreeChannel, pool: IdPool, batches: number): void {
  for (let b = 0; b < batches; b++) {
    const shadow = new Tree(channel.tree.toSnapshot()); // randomOp reads a Tree; the channel is the writer
    for (let i = 0; i < 5; i++) {
      const op = randomOp(rng, shadow, pool);
      applyTracked(shadow, op, pool);
      channel.apply([op]);
    }
    channel.flush();
  }
}

function client(t: import('node:test').TestContext, server: TidewireServer) {
  const c = new TidewireClient({ url: server.url, WebSocket: WebSocket as never, reconnect: false });
  t.after(() => c.close());
  return c;
}

test('§7 a replica node serves the owner tree to its clients; the standby takes over without a snapshot for them', async (t) => {
  const rng = new Prng(SEED);
  const initial = randomSnapshot(rng, 40, counterIds('n'));
  const a = await node(t, initial);
  const b = await node(t, initial);
  assert.equal(await a.cluster.serve(a.channel), 'owner');
  assert.equal(await b.cluster.serve(b.channel), 'replica');
  assert.throws(() => b.channel.set(b.channel.tree.root.id, { x: 1 }), /TW_SERVER_REPLICA|replica/, 'a replica refuses local changes');

  const pool = new IdPool('x');
  storm(rng, a.channel, pool, 30);
  const sub = await client(t, b.server).tree('demo').ready();
  let snapshots = 0;
  sub.on('snapshot', () => snapshots++);
  storm(rng, a.channel, pool, 30);
  await until('the client on node B at the owner position', () => sub.position?.offset === a.channel.position.offset);
  assert.equal(sub.rootHash, a.channel.tree.rootHash, seedHint(SEED));
  assert.deepEqual(sub.position, a.channel.position, 'node B serves the owner position');

  // The owner leaves (its lease is deleted); B's standby takes over and continues the history.
  await a.cluster.close();
  await until('node B owning the channel', () => b.cluster.member('demo')?.role === 'owner', 5_000);
  assert.equal(b.channel.position.epoch, a.channel.position.epoch, 'the same history continues');
  storm(rng, b.channel, pool, 10);
  await until('the client at the new owner position', () => sub.position?.offset === b.channel.position.offset);
  assert.equal(sub.rootHash, b.channel.tree.rootHash);
  assert.equal(snapshots, 0, 'its clients saw no snapshot');

  const metrics = await b.server.metrics.metrics();
  const value = (name: string): number => {
    const m = new RegExp(`^${name}\\{channel="demo"\\} (\\S+)$`, 'm').exec(metrics);
    assert.ok(m, `${name} on /metrics`);
    return Number(m[1]);
  };
  assert.equal(value('tidewire_cluster_owner'), 1);
  assert.equal(value('tidewire_cluster_ownership_changes_total'), 1, 'replica → owner');
  assert.equal(value('tidewire_cluster_replica_loads_total'), 1, 'one load: the takeover needed none');
  assert.ok(value('tidewire_cluster_replica_catchups_total') >= 1);
  assert.ok(value('tidewire_cluster_redis_calls_total') > 10, 'replica reads and the new owner appends are counted');
  assert.equal(value('tidewire_cluster_hash_mismatches_total'), 0);
  assert.equal(value('tidewire_cluster_stream_lag_batches'), 0);
});

test('§8 a node whose Redis stops answering says so — event, redisState, tidewire_cluster_redis_up — and says when it answers again', async (t) => {
  const server = await createServer({ port: 0, defaultMetrics: false, snapshotThread: false, logger: { level: 'warn' } });
  const states: string[] = [];
  const cluster = await ClusterNode.connect({
    url: redis.url,
    nodeId: 'health',
    onEvent: (e) => {
      if (e.kind === 'redis') states.push(e.state);
    },
  });
  cluster.registerMetrics(server.metrics);
  t.after(async () => {
    await cluster.close();
    await server.close();
  });
  const gauge = async () => (await server.metrics.getSingleMetricAsString('tidewire_cluster_redis_up')).split('\n').at(-1);
  assert.equal(cluster.redisState, 'up');
  assert.equal(await gauge(), 'tidewire_cluster_redis_up 1');
  redis.pause();
  try {
    await until('the node to see Redis down', () => cluster.redisState === 'down');
    assert.equal(await gauge(), 'tidewire_cluster_redis_up 0');
  } finally {
    redis.resume();
  }
  await until('the node to see Redis up again', () => cluster.redisState === 'up');
  assert.deepEqual(states, ['down', 'up']);
});
