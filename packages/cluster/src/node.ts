// One Tidewire server's place in the cluster (docs/cluster.md §7): for each tree channel it
// serves, the node owns it (appends its batches) when no other node does, and otherwise follows
// it as a replica and stands by to take over when the owner's lease runs out.
import { promisify } from 'node:util';
import { deflateRaw } from 'node:zlib';
import {
  channelCounter,
  channelGauge,
  eventsChannelHooks,
  treeChannelHooks,
  type EventsChannel,
  type TreeChannel,
  type TreeChannelHooks,
} from '@tidewire/server';
import { Redis } from 'ioredis';
import { Gauge, type Registry } from 'prom-client';
import { ClusterError } from './errors.ts';
import { EventsFanout, RequestRoute, type FanoutContext } from './events.ts';
import { ChannelOwner, type OwnerState, type StoredSnapshot } from './owner.ts';
import { PubSubRouter } from './pubsub.ts';
import { ChannelReplica } from './replica.ts';

const deflate = promisify(deflateRaw);

export interface ClusterNodeOptions {
  /** redis://host:port */
  url: string;
  /** This node's name in leases. Default host-pid. */
  nodeId?: string;
  leaseTtlMs?: number;
  /** Stream length cap per channel. Default 10,000 batches. */
  maxLen?: number;
  keyPrefix?: string;
  /** Role changes and failures, for logs and metrics. */
  onEvent?: (event: ClusterEvent) => void;
}

export type ChannelRole = 'owner' | 'replica';

/** What goes with a tree channel into the cluster besides the tree (§9). */
export interface ServeInClusterOptions {
  /** Events channels whose values follow the tree channel's owner: its app publishes, the other nodes republish. */
  events?: readonly EventsChannel[];
  /** Events channels whose client input the owner's app handles, wherever the client is connected. */
  requests?: readonly EventsChannel[];
  /**
   * Told of every role this node takes for the channel, before the tree changes hands: an app
   * changes the tree (and talks to what feeds it) only while `owner`. On `owner` the tree is the
   * one the cluster had: an app resyncs whatever it keeps beside it.
   */
  onRole?: (role: ChannelRole) => void;
}

/** Whether this node can reach Redis, by its health check (§8): `down` after a PING that failed or took over 1.5 s. */
export type RedisState = 'up' | 'down';

export type ClusterEvent =
  | { kind: 'redis'; state: RedisState }
  | { kind: 'role'; channel: string; role: ChannelRole }
  | { kind: 'owner-state'; channel: string; state: OwnerState }
  | { kind: 'error'; channel: string; error: unknown };

/** The channel's current snapshot as the owner stores it: the channel's own encoding, deflated off the loop. */
async function storedSnapshotOf(hooks: TreeChannelHooks): Promise<StoredSnapshot> {
  const entry = await hooks.readySnapshot();
  const msgpack = entry.msgpack!;
  const z = await deflate(msgpack);
  const deflated = z.length < msgpack.length;
  return {
    epoch: entry.epoch,
    offset: entry.offset,
    nodes: entry.nodeCount,
    hash: entry.rootHash,
    encoding: deflated ? 1 : 0,
    body: deflated ? new Uint8Array(z.buffer, z.byteOffset, z.byteLength) : msgpack,
  };
}

/** Counters of one channel on this node, across the owners and replicas it has had. */
interface MemberTotals {
  redisCalls: number;
  loads: number;
  catchUps: number;
  hashMismatches: number;
  ownershipChanges: number;
  /** Events (owner) and requests (edge) sent to Redis. */
  fanoutSent: number;
  /** Events (edge) and requests (owner) taken from Redis. */
  fanoutReceived: number;
  /** Requests no owner was listening for. */
  requestsUnrouted: number;
}

const zeroTotals = (): MemberTotals => ({
  redisCalls: 0,
  loads: 0,
  catchUps: 0,
  hashMismatches: 0,
  ownershipChanges: 0,
  fanoutSent: 0,
  fanoutReceived: 0,
  requestsUnrouted: 0,
});

/** One channel on this node: owner, or replica standing by. */
class ChannelMember {
  /** What closed owners and replicas counted (the current ones are added in totals()). */
  readonly #retired = zeroTotals();
  #role: ChannelRole | undefined;
  #owner: ChannelOwner | undefined;
  #replica: ChannelReplica | undefined;
  #standbyTimer: NodeJS.Timeout | undefined;
  #closed = false;
  /** The events channels and request channels that follow this channel's owner. */
  readonly #parts: (EventsFanout | RequestRoute)[];

  constructor(
    readonly node: ClusterNode,
    readonly hooks: TreeChannelHooks,
    readonly options: ServeInClusterOptions,
  ) {
    const context = node.fanoutContext(hooks.name);
    this.#parts = [
      ...(options.events ?? []).map((ch) => new EventsFanout(context, eventsChannelHooks(ch))),
      ...(options.requests ?? []).map((ch) => new RequestRoute(context, eventsChannelHooks(ch))),
    ];
  }

  get name(): string {
    return this.hooks.name;
  }

  get role(): ChannelRole | undefined {
    return this.#role;
  }

  totals(): MemberTotals {
    const t = { ...this.#retired };
    if (this.#owner !== undefined) t.redisCalls += this.#owner.stats.redisCalls;
    if (this.#replica !== undefined) {
      const r = this.#replica.stats;
      t.redisCalls += r.redisCalls;
      t.loads += r.loads;
      t.catchUps += r.catchUps;
      t.hashMismatches += r.hashMismatches;
    }
    for (const part of this.#parts) {
      t.fanoutSent += part.stats.sent;
      t.fanoutReceived += part.stats.received;
      t.requestsUnrouted += part.stats.unrouted;
    }
    return t;
  }

  /** Batches Redis holds beyond this node's replica (0 for an owner). */
  lagBatches(): number {
    return this.#replica?.stats.lagBatches ?? 0;
  }

  #retireReplica(replica: ChannelReplica): void {
    const r = replica.stats;
    this.#retired.redisCalls += r.redisCalls;
    this.#retired.loads += r.loads;
    this.#retired.catchUps += r.catchUps;
    this.#retired.hashMismatches += r.hashMismatches;
  }

  get replica(): ChannelReplica | undefined {
    return this.#replica;
  }

  get owner(): ChannelOwner | undefined {
    return this.#owner;
  }

  async start(): Promise<ChannelRole> {
    if (await this.#tryOwn(undefined)) return 'owner';
    await this.#follow();
    return 'replica';
  }

  /** Tries the lease; as a standby (`continueAt` = the replica's position) continues or restarts the history. */
  async #tryOwn(continueAt: { epoch: number; offset: number } | undefined): Promise<boolean> {
    const { hooks } = this;
    const owner = this.node.newOwner(hooks);
    // Batches the channel publishes while the lease is being taken: appended after the owner's
    // first snapshot (those it covers are skipped), so none is missing from the stream.
    let early: Parameters<ChannelOwner['append']>[] | undefined = [];
    const append = (frame: Uint8Array, position: { epoch: number; offset: number }, hash: string): void => {
      if (early !== undefined) early.push([frame, position, hash]);
      else void owner.append(frame, position, hash).catch(() => undefined); // a refusal deposes (onDeposed)
    };
    hooks.observe({
      began: (position) => void owner.begin(position.epoch).catch((error: unknown) => this.node.report({ kind: 'error', channel: hooks.name, error })),
      published: append,
    });
    let outcome: 'began' | 'continued' | 'stale';
    try {
      outcome = await owner.acquire(continueAt);
    } catch (err) {
      hooks.observe(undefined);
      if (err instanceof ClusterError && err.code === 'TW_CLUSTER_LEASE_HELD') return false;
      throw err;
    }
    if (this.#closed) {
      hooks.observe(undefined);
      await owner.close();
      return false;
    }
    for (const args of early) void owner.append(...args).catch(() => undefined);
    early = undefined;
    this.#owner = owner;
    clearInterval(this.#standbyTimer);
    const replica = this.#replica;
    this.#replica = undefined;
    hooks.becomeLocal();
    // A standby whose replica was behind Redis's history starts a new epoch from the tree it has
    // (began() above begins it in Redis): its clients get one snapshot.
    if (outcome === 'stale') hooks.restartHistory();
    if (replica !== undefined) {
      this.#retireReplica(replica);
      await replica.close();
    }
    await this.#enterRole('owner');
    return true;
  }

  async #follow(): Promise<void> {
    const { hooks } = this;
    hooks.observe(undefined);
    if (this.#owner !== undefined) this.#retired.redisCalls += this.#owner.stats.redisCalls;
    this.#owner = undefined;
    const replica = new ChannelReplica(this.node.redis, this.node.router, hooks.name, {
      snapshot: (tree, position) => hooks.adoptSnapshot(tree, position),
      batch: (batch, position) => hooks.adoptBatch(batch, position),
    });
    this.#replica = replica;
    // The app stops changing the tree before the replica's tree replaces it.
    await this.#enterRole('replica');
    await replica.start();
    // Stand by: when the lease is free, take over (the owner died or closed).
    const ttl = this.node.leaseTtlMs;
    this.#standbyTimer = setInterval(() => void this.#standby(), Math.max(50, Math.floor(ttl / 4)));
    this.#standbyTimer.unref();
  }

  /**
   * When the lease is free, take over with the replica's position: the takeover script continues
   * the history only if it is still Redis's (§4); otherwise — the replica was behind, or Redis
   * lost its data and nobody owns anything — the node starts a new epoch.
   */
  async #standby(): Promise<void> {
    const replica = this.#replica;
    if (this.#closed || replica === undefined) return;
    try {
      if ((await this.node.redis.exists(replica.keys.lease)) === 1) return;
      await this.#tryOwn(replica.position);
    } catch (error) {
      this.node.report({ kind: 'error', channel: this.hooks.name, error });
    }
  }

  /** The owner lost the channel (another node holds the fence): follow it instead. */
  async deposed(): Promise<void> {
    if (this.#closed) return;
    await this.#follow();
  }

  /** The app first (it stops or starts changing the tree), then the events and request channels. */
  async #enterRole(role: ChannelRole): Promise<void> {
    if (this.#role !== undefined && this.#role !== role) this.#retired.ownershipChanges++;
    this.#role = role;
    this.options.onRole?.(role);
    for (const part of this.#parts) await (role === 'owner' ? part.lead() : part.follow());
    this.node.report({ kind: 'role', channel: this.hooks.name, role });
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#standbyTimer);
    this.hooks.observe(undefined);
    await Promise.all(this.#parts.map((p) => p.close()));
    await this.#replica?.close();
    await this.#owner?.close();
  }
}

/** How often a node checks that Redis answers, and how long an answer may take. */
const HEALTH_CHECK_MS = 1_000;
const HEALTH_TIMEOUT_MS = 1_500;

export class ClusterNode {
  readonly router: PubSubRouter;
  readonly #members = new Map<string, ChannelMember>();
  #redisState: RedisState = 'up';
  #healthTimer: NodeJS.Timeout;
  #checking = false;

  private constructor(
    readonly redis: Redis,
    subscriber: Redis,
    readonly options: ClusterNodeOptions,
  ) {
    this.router = new PubSubRouter(subscriber);
    // A paused or partitioned Redis keeps its sockets open: only an answer says it is there.
    this.#healthTimer = setInterval(() => void this.#checkRedis(), HEALTH_CHECK_MS);
    this.#healthTimer.unref();
  }

  /** Whether Redis answered this node's last health check (§8: nodes keep serving what they have, and say so). */
  get redisState(): RedisState {
    return this.#redisState;
  }

  async #checkRedis(): Promise<void> {
    if (this.#checking) return;
    this.#checking = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let state: RedisState;
    try {
      await Promise.race([
        this.redis.ping(),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error('timeout')), HEALTH_TIMEOUT_MS);
        }),
      ]);
      state = 'up';
    } catch {
      state = 'down';
    } finally {
      clearTimeout(timer);
      this.#checking = false;
    }
    if (state !== this.#redisState) {
      this.#redisState = state;
      this.report({ kind: 'redis', state });
    }
  }

  /** Connects (two connections: commands, and one in subscribe mode shared by every replica). */
  static async connect(options: ClusterNodeOptions): Promise<ClusterNode> {
    const redis = new Redis(options.url, { lazyConnect: true, maxRetriesPerRequest: 2, commandTimeout: 2_000 });
    const subscriber = new Redis(options.url, { lazyConnect: true, maxRetriesPerRequest: 2 });
    for (const r of [redis, subscriber]) r.on('error', () => undefined); // ioredis reconnects; failed commands reject
    try {
      await redis.connect();
      await subscriber.connect();
    } catch (err) {
      redis.disconnect();
      subscriber.disconnect();
      throw new ClusterError('TW_CLUSTER_REDIS', `cannot reach Redis at ${options.url}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    return new ClusterNode(redis, subscriber, options);
  }

  get nodeId(): string {
    return this.options.nodeId ?? `node-${process.pid}`;
  }

  get leaseTtlMs(): number {
    return this.options.leaseTtlMs ?? 5_000;
  }

  /**
   * Serves `channel` in the cluster, with the events and request channels that follow its owner
   * (§9); resolves with this node's role for it.
   */
  async serve(channel: TreeChannel, options: ServeInClusterOptions = {}): Promise<ChannelRole> {
    const hooks = treeChannelHooks(channel);
    if (this.#members.has(hooks.name)) throw new ClusterError('TW_CLUSTER_BAD_NAME', `channel ${hooks.name} is already served by this node`);
    const member = new ChannelMember(this, hooks, options);
    this.#members.set(hooks.name, member);
    return member.start();
  }

  /**
   * Adds this node's cluster metrics to `registry` (the server's, so they appear on its
   * /metrics): read at scrape time from the members, so the hot path only bumps numbers.
   */
  registerMetrics(registry: Registry): void {
    const registers = [registry];
    // prom-client calls collect() with `this` bound to the metric: the node's state is read through a closure.
    const redisUp = () => (this.redisState === 'up' ? 1 : 0);
    new Gauge({
      name: 'tidewire_cluster_redis_up',
      help: "1 while Redis answers this node's health check, 0 while it does not",
      registers,
      collect() {
        this.set(redisUp());
      },
    });
    const members = () => this.#members.values();
    const counter = (name: string, help: string, read: (t: MemberTotals) => number) => channelCounter(registers, name, help, members, (m) => read(m.totals()));
    counter('tidewire_cluster_redis_calls_total', 'Redis round trips made for the channel (scripts and replica reads)', (t) => t.redisCalls);
    counter(
      'tidewire_cluster_replica_loads_total',
      'Replica loads from a stored snapshot (first loads, new epochs, gaps the stream could not fill)',
      (t) => t.loads,
    );
    counter('tidewire_cluster_replica_catchups_total', 'Replica reads of the stream', (t) => t.catchUps);
    counter('tidewire_cluster_hash_mismatches_total', "Batches or snapshots whose root hash was not the owner's", (t) => t.hashMismatches);
    counter('tidewire_cluster_ownership_changes_total', 'Times this node started or stopped owning the channel', (t) => t.ownershipChanges);
    counter(
      'tidewire_cluster_fanout_sent_total',
      "Values of the channel's events channels (owner) and client requests (edge) sent to Redis",
      (t) => t.fanoutSent,
    );
    counter(
      'tidewire_cluster_fanout_received_total',
      "Values of the channel's events channels (edge) and client requests (owner) taken from Redis",
      (t) => t.fanoutReceived,
    );
    counter('tidewire_cluster_requests_unrouted_total', 'Client requests no owner was listening for (during a failover)', (t) => t.requestsUnrouted);
    channelGauge(registers, 'tidewire_cluster_owner', '1 for a channel this node owns, 0 for one it follows', members, (m) => (m.role === 'owner' ? 1 : 0));
    channelGauge(
      registers,
      'tidewire_cluster_stream_lag_batches',
      "Batches in Redis this node's replica had not applied at its last position check",
      members,
      (m) => m.lagBatches(),
    );
  }

  /** The member of a channel (tests, metrics). */
  member(name: string): { role: ChannelRole | undefined; replica: ChannelReplica | undefined; owner: ChannelOwner | undefined } | undefined {
    return this.#members.get(name);
  }

  newOwner(hooks: TreeChannelHooks): ChannelOwner {
    return new ChannelOwner(this.redis, hooks.name, {
      ownerId: this.nodeId,
      leaseTtlMs: this.leaseTtlMs,
      maxLen: this.options.maxLen ?? 10_000,
      keyPrefix: this.options.keyPrefix ?? 'tw',
      snapshot: () => storedSnapshotOf(hooks),
      onState: (state) => this.report({ kind: 'owner-state', channel: hooks.name, state }),
      onDeposed: () => void this.#members.get(hooks.name)?.deposed(),
    });
  }

  /** What an events channel following `channel` needs of this node (§9). */
  fanoutContext(channel: string): FanoutContext {
    return {
      redis: this.redis,
      router: this.router,
      nodeId: this.nodeId,
      keyPrefix: this.options.keyPrefix ?? 'tw',
      report: (error) => this.report({ kind: 'error', channel, error }),
    };
  }

  report(event: ClusterEvent): void {
    this.options.onEvent?.(event);
  }

  async close(): Promise<void> {
    clearInterval(this.#healthTimer);
    await Promise.all([...this.#members.values()].map((m) => m.close()));
    this.#members.clear();
    this.redis.disconnect();
    this.router.subscriber.disconnect();
  }
}
