// The owner of one channel in Redis (docs/cluster.md §5): holds the lease, starts each history
// with a snapshot, appends every batch in order and stores a snapshot often enough that an edge
// which can read the snapshot finds every later batch in the bounded stream.
import { opsBatch } from '@tidewire/protocol';
import type { Redis } from 'ioredis';
import { ClusterError } from './errors.ts';
import { channelKeys, type ChannelKeys } from './keys.ts';
import { clusterScripts, type ClusterScripts } from './scripts.ts';

/** A snapshot as the owner stores it: docs/protocol.md §4.6's body with what it covers. */
export interface StoredSnapshot {
  epoch: number;
  offset: number;
  nodes: number;
  /** Root hash of the tree at (epoch, offset). */
  hash: string;
  /** docs/protocol.md §4.6 encoding (0 msgpack, 1 deflate-raw). */
  encoding: number;
  body: Uint8Array;
}

export interface ChannelOwnerOptions {
  /** This process's name in the lease (host:pid or a configured node id). */
  ownerId: string;
  /** Lease time to live; renewed every ttlMs / 3. Default 5,000 ms. */
  leaseTtlMs?: number;
  /** Stream length cap (XADD MAXLEN ~). Default 10,000 batches. */
  maxLen?: number;
  /** Snapshot body chunk size in Redis. Default 1 MiB. */
  chunkBytes?: number;
  /** The current snapshot, when the owner decides one is due (§5). */
  snapshot: () => StoredSnapshot | Promise<StoredSnapshot>;
  /** Called once when a renew or a write is refused: this process no longer owns the channel. */
  onDeposed?: (err: ClusterError) => void;
  /** Every state change (for metrics and a status event to clients). */
  onState?: (state: OwnerState) => void;
  /** While repairing, how long to wait between tries. Default 500 ms. */
  repairMs?: number;
  keyPrefix?: string;
}

export type OwnerState = 'standby' | 'owning' | 'repairing' | 'deposed' | 'closed';

const DEFAULTS = { leaseTtlMs: 5_000, maxLen: 10_000, chunkBytes: 1 << 20, repairMs: 500 };

interface PendingBatch {
  offset: number;
  batch: Uint8Array;
  hash: string;
}

/**
 * States (docs/cluster.md §5): standby → owning on acquire; owning → repairing when Redis fails a
 * write (connection lost, out of memory: the lease may still be ours), repairing → owning once a
 * snapshot at the current position and the batches after it are stored; owning or repairing →
 * deposed when a script refuses (another owner holds the fence); any → closed.
 */
/** Counters for /metrics. */
export interface OwnerStats {
  appends: number;
  snapshots: number;
  redisCalls: number;
}

export class ChannelOwner {
  readonly keys: ChannelKeys;
  readonly stats: OwnerStats = { appends: 0, snapshots: 0, redisCalls: 0 };
  #state: OwnerState = 'standby';
  #fence = 0;
  #epoch = 0;
  #sinceSnapshot = 0;
  #snapshotting = false;
  #renewTimer: NodeJS.Timeout | undefined;
  #repairTimer: NodeJS.Timeout | undefined;
  /** Batches published while repairing, oldest first; at most maxLen (older ones the snapshot covers). */
  #held: PendingBatch[] = [];
  /** The offset the snapshot stored in this history covers: appends up to it are skipped. */
  #storedThrough = 0;
  /** A begin() came while repairing: the repair starts the new history in Redis first. */
  #beginPending = false;
  /** The last write in flight: writes run one after another, so a refusal stops every later one. */
  #tail: Promise<void> = Promise.resolve();
  readonly #scripts: ClusterScripts;
  readonly #options: Required<Omit<ChannelOwnerOptions, 'onDeposed' | 'onState'>> & Pick<ChannelOwnerOptions, 'onDeposed' | 'onState'>;

  constructor(
    readonly redis: Redis,
    readonly name: string,
    options: ChannelOwnerOptions,
  ) {
    this.#options = { ...DEFAULTS, keyPrefix: 'tw', ...options };
    this.keys = channelKeys(name, this.#options.keyPrefix);
    this.#scripts = clusterScripts(redis, () => this.stats.redisCalls++);
  }

  get state(): OwnerState {
    return this.#state;
  }

  get fence(): number {
    return this.#fence;
  }

  /**
   * Takes the lease (TW_CLUSTER_LEASE_HELD while another owner holds it); the lease is then
   * renewed in the background. With `continueAt` (a standby's replica position) the owner
   * continues that history when it is still Redis's (§4 takeover) and resolves `continued`;
   * otherwise it begins a history at the current snapshot's epoch and resolves `began` — a
   * standby must then start a new epoch on its channel, which calls begin().
   */
  async acquire(continueAt?: { epoch: number; offset: number }): Promise<'began' | 'continued' | 'stale'> {
    if (this.#state !== 'standby')
      throw new ClusterError('TW_CLUSTER_FENCE_STALE', `channel ${this.name}: acquire from state ${this.#state}; only a standby owner acquires`);
    const { ownerId, leaseTtlMs } = this.#options;
    const epoch = continueAt === undefined ? (await this.#options.snapshot()).epoch : 0;
    this.#fence = await this.#scripts.acquire(this.keys, ownerId, leaseTtlMs);
    this.#enter('owning');
    this.#renewTimer = setInterval(() => void this.#renew(), Math.max(1, Math.floor(leaseTtlMs / 3)));
    this.#renewTimer.unref();
    if (continueAt !== undefined) {
      const same = await this.#scripts.takeover(this.keys, this.#fence, continueAt.epoch, continueAt.offset);
      if (!same) return 'stale';
      this.#epoch = continueAt.epoch;
      this.#storedThrough = continueAt.offset;
      return 'continued';
    }
    await this.begin(epoch);
    return 'began';
  }

  /**
   * Starts a new history `epoch` (the channel's reset), synchronously as far as appends are
   * concerned: appends made after this call belong to it. Its snapshot (from `snapshot()`, which
   * may already be past offset 0) is stored before any of them; those it covers are skipped.
   */
  begin(epoch: number): Promise<void> {
    this.#epoch = epoch;
    this.#storedThrough = 0;
    this.#sinceSnapshot = 0;
    this.#held = [];
    if (this.#state === 'repairing') {
      this.#beginPending = true; // the repair begins the new history with its own snapshot
      return Promise.resolve();
    }
    return this.#write(async () => {
      const snap = await this.#options.snapshot();
      if (snap.epoch !== epoch) return; // reset again meanwhile: the later begin stores its own
      await this.#scripts.begin(this.keys, this.#fence, epoch);
      await this.#storeSnapshot(snap);
    });
  }

  /**
   * Appends one published batch: `frame` is the channel's OPS frame, `hash` the root hash after
   * it. Writes run in call order; the promise settles when this one is stored, or at once while
   * repairing (the batch is held and stored after the repair's snapshot, §5).
   */
  append(frame: Uint8Array, position: { epoch: number; offset: number }, hash: string): Promise<void> {
    if (position.epoch !== this.#epoch)
      return Promise.reject(
        new ClusterError('TW_CLUSTER_EPOCH', `channel ${this.name}: append for epoch ${position.epoch}; the history begun is ${this.#epoch}`),
      );
    const pending = { offset: position.offset, batch: opsBatch(frame), hash };
    if (this.#state === 'repairing') {
      this.#held.push(pending);
      if (this.#held.length > this.#options.maxLen) this.#held.shift();
      return Promise.resolve();
    }
    const done = this.#write(
      () => this.#appendOne(pending),
      () => this.#held.push(pending),
    );
    this.#sinceSnapshot++;
    // The stream keeps at least maxLen batches: a snapshot every maxLen / 2 leaves every batch
    // after the stored snapshot in the stream with room for the time a snapshot takes.
    if (this.#sinceSnapshot >= this.#options.maxLen / 2 && !this.#snapshotting) void this.#snapshotNow();
    return done;
  }

  /** Stops renewing and deletes the lease if it is still ours, so a standby takes over at once. */
  async close(): Promise<void> {
    const held = this.#state === 'owning' || this.#state === 'repairing';
    this.#enter('closed');
    clearInterval(this.#renewTimer);
    clearTimeout(this.#repairTimer);
    await this.#tail.catch(() => undefined);
    if (held) {
      const holder = `${this.#options.ownerId}:${this.#fence}`;
      await this.redis
        .eval("if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0", 1, this.keys.lease, holder)
        .catch(() => undefined);
    }
  }

  async #appendOne(p: PendingBatch): Promise<void> {
    if (p.offset <= this.#storedThrough) return; // the stored snapshot already covers it
    await this.#scripts.append(this.keys, this.#fence, this.#epoch, p.offset, p.batch, p.hash, this.#options.maxLen);
    this.stats.appends++;
  }

  async #snapshotNow(): Promise<void> {
    this.#snapshotting = true;
    try {
      const snap = await this.#options.snapshot();
      if (snap.epoch !== this.#epoch || this.#state !== 'owning') return;
      this.#sinceSnapshot = 0;
      await this.#write(
        () => this.#storeSnapshot(snap),
        () => undefined, // the repair stores its own snapshot
      );
    } catch {
      // A refusal or a Redis failure has already changed the state (#write); a failed encode
      // is tried again at the next append.
    } finally {
      this.#snapshotting = false;
    }
  }

  async #storeSnapshot(snap: StoredSnapshot): Promise<void> {
    const { chunkBytes } = this.#options;
    const chunks: Uint8Array[] = [];
    for (let at = 0; at < snap.body.length; at += chunkBytes) chunks.push(snap.body.subarray(at, at + chunkBytes));
    await this.#scripts.snapshot(this.keys, this.#fence, snap.epoch, snap.offset, snap.nodes, snap.hash, snap.encoding, chunks);
    this.#storedThrough = Math.max(this.#storedThrough, snap.offset);
    this.stats.snapshots++;
  }

  /**
   * Runs `step` after every earlier write while the state is `allowed`; a failure moves to
   * repairing or deposed. A write queued while owning that comes up after an earlier one failed
   * (now repairing) runs `whileRepairing` instead: an append is then held for the repair.
   */
  #write(step: () => Promise<void>, whileRepairing?: () => void, allowed: OwnerState = 'owning'): Promise<void> {
    const run = this.#tail.then(() => {
      if (this.#state === allowed) return step();
      if (this.#state === 'repairing' && whileRepairing !== undefined) return whileRepairing();
      throw new ClusterError('TW_CLUSTER_FENCE_STALE', `channel ${this.name}: this process is ${this.#state}, not the owner`);
    });
    this.#tail = run.catch((err: unknown) => this.#failed(err));
    return run;
  }

  /**
   * Repair (§5): store a snapshot at the current position (the script drops the log when the
   * snapshot is ahead of it), then the batches held since, then go back to owning. Retried every
   * repairMs while Redis keeps failing.
   */
  async #repair(): Promise<void> {
    if (this.#state !== 'repairing') return;
    try {
      const snap = await this.#options.snapshot();
      // A reset between snapshot() and now: try again with the new history's snapshot.
      if (snap.epoch !== this.#epoch) throw new Error(`snapshot of epoch ${snap.epoch}, begun ${this.#epoch}`);
      await this.#write(
        async () => {
          if (this.#beginPending) await this.#scripts.begin(this.keys, this.#fence, snap.epoch);
          this.#beginPending = false;
          await this.#storeSnapshot(snap);
          while (this.#held.length > 0 && this.#held[0]!.offset <= snap.offset) this.#held.shift();
          while (this.#held.length > 0) {
            await this.#appendOne(this.#held[0]!);
            this.#held.shift();
          }
          this.#sinceSnapshot = 0;
          this.#enter('owning');
        },
        undefined,
        'repairing',
      );
    } catch (err) {
      // Schedules the next try (or deposes on a refusal); #write's own handler may have done so
      // already, and #failed is idempotent.
      this.#failed(err);
    }
  }

  async #renew(): Promise<void> {
    if (this.#state !== 'owning' && this.#state !== 'repairing') return;
    try {
      await this.#scripts.renew(this.keys, this.#options.ownerId, this.#fence, this.#options.leaseTtlMs);
    } catch (err) {
      // Redis trouble loses no batch: only a refusal (the lease went to another owner) matters.
      if (err instanceof ClusterError && err.code !== 'TW_CLUSTER_REDIS') this.#failed(err);
    }
  }

  /** A write or renew failed: a refusal deposes; Redis trouble (the lease may still be ours) repairs. */
  #failed(err: unknown): void {
    if (this.#state !== 'owning' && this.#state !== 'repairing') return;
    if (err instanceof ClusterError && err.code !== 'TW_CLUSTER_REDIS') {
      this.#enter('deposed');
      clearInterval(this.#renewTimer);
      clearTimeout(this.#repairTimer);
      this.#held = [];
      this.#options.onDeposed?.(err);
      return;
    }
    this.#enter('repairing');
    clearTimeout(this.#repairTimer);
    this.#repairTimer = setTimeout(() => void this.#repair(), this.#options.repairMs);
    this.#repairTimer.unref();
  }

  #enter(state: OwnerState): void {
    if (this.#state === state) return;
    this.#state = state;
    this.#options.onState?.(state);
  }
}
