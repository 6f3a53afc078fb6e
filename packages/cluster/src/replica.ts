// An edge's replica of one channel (docs/cluster.md §6): the tree at the owner's position, built
// from the stored snapshot and the stream after it, then kept live from pub/sub, with the root
// hash checked after the snapshot and after every batch.
import { inflateRawSync } from 'node:zlib';
import { decodeSnapshotBody, unpack } from '@tidewire/protocol';
import { Tree, type Op } from '@tidewire/tree';
import type { Redis } from 'ioredis';
import { decodeBatch, decodePub } from './batch.ts';
import { ClusterError } from './errors.ts';
import { channelKeys, type ChannelKeys } from './keys.ts';
import type { PubSubRouter } from './pubsub.ts';

export interface ReplicaPosition {
  epoch: number;
  offset: number;
}

export interface ReplicaListener {
  /** A new base (first load, the owner began a new epoch, or a gap the stream could not fill). */
  snapshot(tree: Tree, position: ReplicaPosition): void;
  /** A batch applied to the replica's tree, in order: `batch` is the owner's bytes (§3). */
  batch(batch: Uint8Array, position: ReplicaPosition, ops: readonly Op[]): void;
}

export interface ChannelReplicaOptions {
  keyPrefix?: string;
  /** While no snapshot is stored yet (no owner), or after a failed load: wait before trying again. Default 250 ms. */
  retryMs?: number;
  /** While live, how often to compare the position with Redis's (a pub message lost while Redis was away). Default 1,000 ms. */
  checkMs?: number;
  /** Messages buffered while catching up; beyond that the replica drops them and reloads (§6). Default 10,000. */
  maxInbox?: number;
}

export type ReplicaState = 'empty' | 'catching-up' | 'live' | 'closed';

/** Counters for /metrics. */
export interface ReplicaStats {
  loads: number;
  catchUps: number;
  hashMismatches: number;
  batches: number;
  redisCalls: number;
  /** Batches Redis had beyond the replica at the last position check (0 when caught up). */
  lagBatches: number;
}

const DEFAULTS = { keyPrefix: 'tw', retryMs: 250, checkMs: 1_000, maxInbox: 10_000 };

/** Why the tree must be loaded again from the stored snapshot. */
class ReloadNeeded extends Error {}

export class ChannelReplica {
  readonly keys: ChannelKeys;
  readonly stats: ReplicaStats = { loads: 0, catchUps: 0, hashMismatches: 0, batches: 0, redisCalls: 0, lagBatches: 0 };
  #state: ReplicaState = 'empty';
  #tree: Tree | undefined;
  #position: ReplicaPosition = { epoch: 0, offset: 0 };
  #inbox: Uint8Array[] = [];
  #draining = false;
  #reloadWanted = true;
  /** A check saw Redis ahead of the replica with no message to show it (§6). */
  #catchUpWanted = false;
  /** When the last load succeeded (performance.now()); -Infinity before. */
  #loadedAt = -Infinity;
  #timer: NodeJS.Timeout | undefined;
  readonly #options: typeof DEFAULTS;

  constructor(
    readonly redis: Redis,
    readonly router: PubSubRouter,
    readonly name: string,
    readonly listener: ReplicaListener,
    options: ChannelReplicaOptions = {},
  ) {
    this.#options = { ...DEFAULTS, ...options };
    this.keys = channelKeys(name, this.#options.keyPrefix);
  }

  get state(): ReplicaState {
    return this.#state;
  }

  /** The replica's tree (undefined before the first load). Read it; the replica is its only writer. */
  get tree(): Tree | undefined {
    return this.#tree;
  }

  get position(): ReplicaPosition {
    return { ...this.#position };
  }

  /** Subscribes first (so nothing published during the load is missed), then loads. Resolves when live or empty. */
  async start(): Promise<void> {
    await this.router.subscribe(this.keys.pub, (message) => this.#receive(message));
    this.#state = 'catching-up';
    await this.#drain();
  }

  async close(): Promise<void> {
    this.#state = 'closed';
    clearTimeout(this.#timer);
    this.#inbox = [];
    await this.router.unsubscribe(this.keys.pub);
  }

  #receive(message: Uint8Array): void {
    if (this.#state === 'closed') return;
    this.#inbox.push(message);
    if (this.#inbox.length > this.#options.maxInbox) {
      // A slow edge skips to a snapshot rather than buffering without bound (§6).
      this.#inbox = [];
      this.#reloadWanted = true;
    }
    if (!this.#draining) void this.#drain();
  }

  /** The one loop that changes the replica: loads, catch-ups and live batches run here in order. */
  async #drain(): Promise<void> {
    if (this.#draining) return;
    this.#draining = true;
    clearTimeout(this.#timer);
    try {
      while (this.#state !== 'closed') {
        try {
          if (this.#reloadWanted) {
            if (!(await this.#load())) return this.#retryLater();
          } else if (this.#catchUpWanted) {
            this.#catchUpWanted = false;
            await this.#catchUp();
          } else {
            const message = this.#inbox.shift();
            if (message === undefined) {
              this.#state = 'live';
              return this.#checkLater();
            }
            await this.#handle(message);
          }
        } catch (err) {
          this.#reloadWanted = true;
          // A gap reloads at once. Redis trouble, bad data, or a reload that failed again soon
          // after the last (a stored batch whose hash never matches) waits a little first, so
          // the replica never spins on Redis.
          const reloadedJustNow = performance.now() - this.#loadedAt < this.#options.retryMs;
          if (!(err instanceof ReloadNeeded) || reloadedJustNow) return this.#retryLater();
        }
      }
    } finally {
      this.#draining = false;
    }
  }

  /** A live message: the next batch is applied; an older one dropped; a later one or another epoch means catching up. */
  async #handle(message: Uint8Array): Promise<void> {
    const pub = decodePub(message);
    const b = decodeBatch(pub.batch);
    if (b.epoch !== this.#position.epoch) throw new ReloadNeeded(`epoch ${b.epoch} after ${this.#position.epoch}`);
    if (b.offset <= this.#position.offset) return;
    if (b.offset > this.#position.offset + 1) await this.#catchUp();
    if (b.offset === this.#position.offset + 1) this.#apply(b.batch, b.epoch, b.offset, b.ops, pub.hash);
  }

  /** Loads the stored snapshot and the stream after it. False when none is stored yet. */
  async #load(): Promise<boolean> {
    this.#state = 'catching-up';
    this.stats.redisCalls++;
    const raw = await this.redis.hgetallBuffer(this.keys.snap);
    if (raw.n === undefined) return false;
    const field = (name: string): Buffer => {
      const v = raw[name];
      if (v === undefined) throw new ClusterError('TW_CLUSTER_BAD_DATA', `${this.keys.snap} has no field ${name}`);
      return v;
    };
    const num = (name: string): number => {
      const v = Number(field(name).toString('latin1'));
      if (!Number.isSafeInteger(v) || v < 0) throw new ClusterError('TW_CLUSTER_BAD_DATA', `${this.keys.snap} field ${name} is not a count`);
      return v;
    };
    const chunks: Buffer[] = [];
    for (let i = 0, n = num('n'); i < n; i++) chunks.push(field(`c${i}`));
    const body = Buffer.concat(chunks);
    const encoding = num('enc');
    const columns = decodeSnapshotBody(encoding === 1 ? inflateRawSync(body) : body);
    const tree = Tree.fromColumns(columns, unpack);
    const hash = field('hash').toString('latin1');
    if (tree.rootHash !== hash) {
      this.stats.hashMismatches++;
      throw new ClusterError('TW_CLUSTER_HASH_MISMATCH', `${this.name}: snapshot root hash ${tree.rootHash}, stored ${hash}`);
    }
    this.#tree = tree;
    this.#position = { epoch: num('epoch'), offset: num('offset') };
    this.#reloadWanted = false;
    this.#loadedAt = performance.now();
    this.stats.loads++;
    this.listener.snapshot(tree, this.position);
    await this.#catchUp();
    return true;
  }

  /** Reads the stream from the next offset (§6). A stream that no longer holds it means a reload. */
  async #catchUp(): Promise<void> {
    this.stats.catchUps++;
    const from = this.#position.offset + 1;
    this.stats.redisCalls++;
    const entries = await this.redis.xrangeBuffer(this.keys.log, `${from}-1`, '+');
    for (const [id, fields] of entries) {
      const offset = Number(id.toString('latin1').split('-')[0]);
      if (offset !== this.#position.offset + 1) throw new ReloadNeeded(`stream starts at ${offset}, need ${this.#position.offset + 1}`);
      let batch: Buffer | undefined;
      let hash: string | undefined;
      for (let i = 0; i + 1 < fields.length; i += 2) {
        const name = fields[i]!.toString('latin1');
        if (name === 'b') batch = fields[i + 1];
        else if (name === 'h') hash = fields[i + 1]!.toString('latin1');
      }
      if (batch === undefined || hash === undefined) throw new ClusterError('TW_CLUSTER_BAD_DATA', `${this.keys.log} entry ${offset} lacks b or h`);
      const bytes = new Uint8Array(batch.buffer, batch.byteOffset, batch.byteLength);
      const b = decodeBatch(bytes);
      if (b.epoch !== this.#position.epoch || b.offset !== offset) throw new ReloadNeeded(`stream entry ${offset} is batch ${b.epoch}/${b.offset}`);
      this.#apply(bytes, b.epoch, b.offset, b.ops, hash);
    }
  }

  #apply(batch: Uint8Array, epoch: number, offset: number, ops: readonly Op[], hash: string): void {
    const tree = this.#tree!;
    try {
      for (const op of ops) tree.apply(op);
    } catch (err) {
      throw new ReloadNeeded(`batch ${offset} does not apply: ${String(err)}`);
    }
    if (tree.rootHash !== hash) {
      this.stats.hashMismatches++;
      throw new ReloadNeeded(`root hash after batch ${offset} is ${tree.rootHash}, the owner's ${hash}`);
    }
    this.#position = { epoch, offset };
    this.stats.batches++;
    this.listener.batch(batch, this.position, ops);
  }

  #retryLater(): void {
    if (this.#state === 'closed') return;
    this.#state = this.#tree === undefined ? 'empty' : 'catching-up';
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.#drain(), this.#options.retryMs);
    this.#timer.unref();
  }

  /** While live: compare with Redis's position, for a message lost while Redis or the connection was away. */
  #checkLater(): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.#check(), this.#options.checkMs);
    this.#timer.unref();
  }

  async #check(): Promise<void> {
    if (this.#state !== 'live' || this.#draining) return; // #drain schedules the next check when it ends
    try {
      this.stats.redisCalls++;
      const [epoch, offset] = await this.redis.hmget(this.keys.meta, 'epoch', 'offset');
      // No meta: Redis restarted empty. Keep serving what we have until an owner begins again.
      if (epoch !== null && offset !== null) {
        if (Number(epoch) !== this.#position.epoch) this.#reloadWanted = true;
        else if (Number(offset) > this.#position.offset) this.#catchUpWanted = true;
        this.stats.lagBatches = Number(epoch) === this.#position.epoch ? Math.max(0, Number(offset) - this.#position.offset) : 0;
      }
    } catch {
      // Redis away: try again at the next check.
    }
    if (this.#reloadWanted || this.#catchUpWanted) await this.#drain();
    else this.#checkLater();
  }
}
