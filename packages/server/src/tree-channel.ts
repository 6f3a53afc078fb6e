// A tree channel (docs/protocol.md §4.5–4.7): the authoritative Tree, its position
// (epoch, offset), adaptive op batching, the bounded replay log and the snapshot cache.
// Each batch is encoded once into an OPS frame; the same bytes go to every subscriber and
// into the log, so a replay sends exactly what live subscribers got.
import { randomInt } from 'node:crypto';
import { encodeOps, opsFrameFromBatch } from '@tidewire/protocol';
import type { Position, ResyncReason } from '@tidewire/protocol';
import { diff, OpBatch, OpKind, Tree } from '@tidewire/tree';
import type { AttrValue, NodeSnapshot, Op } from '@tidewire/tree';
import { FlushScheduler, realClock } from './batcher.ts';
import type { BatchClock } from './batcher.ts';
import { ChannelBase } from './channel.ts';
import type { Connection } from './connection.ts';
import type { EncodeTimer } from './metrics.ts';
import { OpLog } from './oplog.ts';
import { ServerError } from './errors.ts';
import { encodeSnapshot, SnapshotEntry } from './snapshot.ts';
import type { SnapshotEncodingOptions } from './snapshot.ts';
import type { WriteTurns } from './write-turns.ts';
import { OFF_THREAD_MIN_NODES } from './off-thread-snapshots.ts';
import type { OffThreadSnapshots } from './off-thread-snapshots.ts';

/** The Tree without its mutators: the channel is the only writer, or subscribers would miss ops. */
export type ReadonlyTree = Omit<Tree, 'apply' | 'applyBatch'>;

export interface TreeChannel {
  readonly kind: 'tree';
  readonly name: string;
  readonly id: number;
  /** The authoritative tree. Read it freely; change it only through this channel. */
  readonly tree: ReadonlyTree;
  readonly position: Position;
  set(id: string, attrs: Record<string, AttrValue | null>): void;
  insert(parentId: string, index: number, node: NodeSnapshot): void;
  remove(id: string): void;
  move(id: string, parentId: string, index: number): void;
  /** Applies ops in order; a failing op throws TreeError and is not published (earlier ones are). */
  apply(ops: readonly Op[]): void;
  /** Publishes the ops that turn the current tree into `next` (diff by hashes); returns them. */
  replace(next: NodeSnapshot): Op[];
  /** Starts a new history (new epoch): every subscriber gets a fresh snapshot. */
  reset(next: NodeSnapshot): void;
  /** Publishes pending ops now instead of at the next tick. */
  flush(): void;
}

export interface TreeChannelConfig {
  tickMs: number;
  /** A replay larger than this is answered with a snapshot instead. */
  maxReplayBytes: number;
  snapshot: SnapshotEncodingOptions;
  opLog: { maxBatches: number; maxBytes: number };
  encodeTimer: EncodeTimer;
  /** Where the subscribers' outboxes write: its time spent counts as delivery cost (stretch). */
  writeTurns: Pick<WriteTurns, 'spentMs'>;
  /** Encodes large snapshots off the event loop (docs/server.md §4.2); absent: all on the loop. */
  offThread?: OffThreadSnapshots;
  clock?: BatchClock;
}

/**
 * Sees every history and batch a channel publishes (docs/cluster.md §7): the cluster's owner
 * appends them to Redis. Called synchronously; an observer must not throw or block.
 */
export interface TreeChannelObserver {
  /** A new history (created or reset) at `position`, offset 0 or the replica's. */
  began(position: Position): void;
  /** One published batch: its OPS frame (this node's channel id), position and the root hash after it. */
  published(frame: Uint8Array, position: Position, rootHash: string): void;
}

/** Snapshots kept per channel: the current one and the one before, for late joiners. */
const SNAPSHOT_CACHE_SIZE = 2;

/**
 * A channel this long without a batch refreshes its cached snapshot (docs/server.md §4.4), when
 * the log holds at least SNAPSHOT_REFRESH_MIN_TAIL batches after it: a subscriber that joins once
 * a burst of changes is over then gets a current snapshot instead of the old one and the burst.
 */
export const SNAPSHOT_REFRESH_QUIET_MS = 250;
export const SNAPSHOT_REFRESH_MIN_TAIL = 16;

/** A snapshot and the logged OPS frames after it, up to the channel's current position. */
export interface SnapshotStart {
  snap: SnapshotEntry;
  tail: readonly Uint8Array[];
}

function newEpoch(previous: number): number {
  let e: number;
  do e = randomInt(1, 2 ** 32);
  while (e === previous);
  return e;
}

export type { SnapshotEntry };

export class TreeChannelImpl extends ChannelBase implements TreeChannel {
  readonly kind = 'tree' as const;
  private current: Tree;
  private epoch: number;
  private offset = 0;
  private pending = new OpBatch();
  private readonly scheduler: FlushScheduler;
  private readonly log: OpLog;
  private snapshots: SnapshotEntry[] = [];
  private readonly config: TreeChannelConfig;
  private closed = false;
  /** writeTurns.spentMs at the last flush. */
  private writtenBefore = 0;
  private readonly clock: BatchClock;
  /** When the last batch was published (clock.now()), and the timer that waits for quiet after it. */
  private lastBatchAt = 0;
  private refreshTimer: unknown = undefined;
  /**
   * `local`: this process changes the tree (single process, or the cluster's owner). `replica`:
   * another node owns it; changes arrive through adoptSnapshot/adoptBatch (docs/cluster.md §7)
   * and the mutators refuse.
   */
  private source: 'local' | 'replica' = 'local';
  private observer: TreeChannelObserver | undefined;

  constructor(name: string, id: number, initial: NodeSnapshot, config: TreeChannelConfig) {
    super(name, id);
    this.current = new Tree(initial);
    this.epoch = newEpoch(0);
    this.config = config;
    this.log = new OpLog(config.opLog.maxBatches, config.opLog.maxBytes);
    this.clock = config.clock ?? realClock;
    this.scheduler = new FlushScheduler(config.tickMs, () => this.flush(), this.clock);
    config.offThread?.start(id, initial);
  }

  get tree(): Tree {
    return this.current;
  }

  get position(): Position {
    return { epoch: this.epoch, offset: this.offset };
  }

  set(id: string, attrs: Record<string, AttrValue | null>): void {
    this.applyOne([OpKind.SET, id, attrs]);
  }

  insert(parentId: string, index: number, node: NodeSnapshot): void {
    this.applyOne([OpKind.INSERT, parentId, index, node]);
  }

  remove(id: string): void {
    this.applyOne([OpKind.REMOVE, id]);
  }

  move(id: string, parentId: string, index: number): void {
    this.applyOne([OpKind.MOVE, id, parentId, index]);
  }

  apply(ops: readonly Op[]): void {
    if (!Array.isArray(ops as unknown)) throw new ServerError('TW_SERVER_BAD_OPTION', 'apply() takes an array of ops');
    for (let i = 0; i < ops.length; i++) this.applyOne(ops[i]!);
  }

  private applyOne(op: Op): void {
    this.refuseIfReplica();
    // Tree.apply validates and throws before changing anything, so only applied ops are queued.
    this.current.apply(op);
    this.pending.push(op);
    if (!this.closed) this.scheduler.touch();
  }

  replace(next: NodeSnapshot): Op[] {
    const target = new Tree(next);
    const ops = diff(this.current, target);
    try {
      this.apply(ops);
    } catch (err) {
      // diff's ops must apply; if they do not, fall back to a clean new history rather than
      // leave subscribers with a half-applied change.
      this.reset(next);
      throw err;
    }
    return ops;
  }

  reset(next: NodeSnapshot): void {
    this.refuseIfReplica();
    const tree = new Tree(next);
    this.scheduler.cancel();
    this.pending.take();
    this.current = tree;
    this.epoch = newEpoch(this.epoch);
    this.offset = 0;
    this.log.clear(0);
    this.snapshots = [];
    this.config.offThread?.start(this.id, next);
    this.observer?.began(this.position);
    for (const conn of this.subscribers) conn.restartTree(this, 'epoch');
  }

  // ---- cluster (docs/cluster.md §7) ---------------------------------------------------------

  /** Reports every later history and batch to `observer` (the cluster owner); undefined stops it. */
  observe(observer: TreeChannelObserver | undefined): void {
    this.observer = observer;
  }

  /** A new epoch from the tree as it is (a standby that takes over behind Redis's history). */
  restartHistory(): void {
    this.reset(this.current.toSnapshot());
  }

  /** Whether this process changes the tree (`local`) or follows another node's (`replica`). */
  get mode(): 'local' | 'replica' {
    return this.source;
  }

  /**
   * Makes this channel a replica whose tree is `tree` at the owner's `position` (a first load or
   * a reload). The replica owns `tree` and changes it before each adoptBatch. Subscribers start
   * over from a snapshot: reason `epoch` when the history changed, `gap` when it is the same one.
   */
  adoptSnapshot(tree: Tree, position: Position): void {
    this.source = 'replica';
    this.scheduler.cancel();
    this.pending.take();
    const reason: ResyncReason = position.epoch === this.epoch ? 'gap' : 'epoch';
    this.current = tree;
    this.epoch = position.epoch;
    this.offset = position.offset;
    this.log.clear(position.offset);
    this.snapshots = [];
    if (this.config.offThread !== undefined && tree.size >= OFF_THREAD_MIN_NODES) this.config.offThread.start(this.id, tree.toSnapshot());
    else this.config.offThread?.drop(this.id);
    for (const conn of this.subscribers) conn.restartTree(this, reason);
  }

  /**
   * One batch of the owner, already applied to the adopted tree by the replica: `batch` is the
   * owner's bytes (docs/cluster.md §3), forwarded behind this node's own channel id.
   */
  adoptBatch(batch: Uint8Array, position: Position): void {
    if (this.source !== 'replica') throw new ServerError('TW_SERVER_STATE', `channel ${this.name} is not a replica: adoptSnapshot first`);
    this.offset = position.offset;
    const frame = opsFrameFromBatch(this.id, batch);
    this.log.append(this.offset, frame);
    this.config.offThread?.ops(this.id, frame);
    for (const conn of this.subscribers) conn.deliverOps(this, frame);
    this.refreshWhenQuiet();
  }

  /** Takes the tree back (this node became the owner): local changes continue from the adopted position. */
  becomeLocal(): void {
    this.source = 'local';
  }

  private refuseIfReplica(): void {
    if (this.source === 'replica') throw new ServerError('TW_SERVER_REPLICA', `channel ${this.name} is a replica: another node owns it, changes go there`);
  }

  flush(): void {
    if (this.pending.length === 0) return;
    const ops = this.pending.take();
    if (ops.length === 0) return; // everything cancelled out (inserted and removed in one batch)
    this.offset++;
    const t0 = performance.now();
    const frame = encodeOps(this.id, { epoch: this.epoch, offset: this.offset }, ops);
    this.config.encodeTimer.observe((performance.now() - t0) / 1000);
    this.log.append(this.offset, frame);
    this.config.offThread?.ops(this.id, frame);
    this.observer?.published(frame, this.position, this.current.rootHash);
    this.scheduler.published();
    for (const conn of this.subscribers) conn.deliverOps(this, frame);
    // The loop above only queues; the writes run in write turns after it (docs/server.md §4.1).
    // What the turns spent since the last batch (on every channel's frames) is the delivery cost
    // the tick stretches for.
    const written = this.config.writeTurns.spentMs;
    this.scheduler.stretch(performance.now() - t0 + written - this.writtenBefore);
    this.writtenBefore = written;
    this.refreshWhenQuiet();
  }

  /** After a batch: once the channel has been quiet for SNAPSHOT_REFRESH_QUIET_MS, refreshSnapshot(). */
  private refreshWhenQuiet(): void {
    this.lastBatchAt = this.clock.now();
    // One timer per quiet period, not one per batch: when it fires early it waits the rest.
    if (this.refreshTimer === undefined && !this.closed) this.refreshTimer = this.clock.after(SNAPSHOT_REFRESH_QUIET_MS, this.onQuietTimer);
  }

  private readonly onQuietTimer = (): void => {
    this.refreshTimer = undefined;
    if (this.closed) return;
    const quietFor = this.clock.now() - this.lastBatchAt;
    if (quietFor < SNAPSHOT_REFRESH_QUIET_MS) {
      this.refreshTimer = this.clock.after(SNAPSHOT_REFRESH_QUIET_MS - quietFor, this.onQuietTimer);
      return;
    }
    this.refreshSnapshot();
  };

  /**
   * Encodes a snapshot at the current position when the newest cached one is at least
   * SNAPSHOT_REFRESH_MIN_TAIL batches old. Nothing when no snapshot was ever asked for (nobody
   * subscribes), and a failure is left to the next subscriber, which encodes again.
   */
  private refreshSnapshot(): void {
    const cached = this.snapshots[0];
    if (cached === undefined || cached.epoch !== this.epoch || this.offset - cached.offset < SNAPSHOT_REFRESH_MIN_TAIL) return;
    try {
      this.snapshot();
    } catch {
      // snapshot() caches nothing that failed; the next subscriber's call encodes again.
    }
  }

  /** The encoded snapshot at the current position (pending ops are flushed first). It may
   *  still be encoding: use entry.whenSettled(). A large tree is encoded on the snapshot
   *  thread; a failed entry is never returned (the next call encodes again). */
  snapshot(): SnapshotEntry {
    this.flush();
    for (const s of this.snapshots) if (s.offset === this.offset && s.epoch === this.epoch && s.status !== 'failed') return s;
    const entry = this.encodeHere();
    this.snapshots.unshift(entry);
    if (this.snapshots.length > SNAPSHOT_CACHE_SIZE) this.snapshots.length = SNAPSHOT_CACHE_SIZE;
    return entry;
  }

  /** snapshot(), once it is ready (a failure on the thread is retried on the event loop). */
  async readySnapshot(): Promise<SnapshotEntry> {
    for (;;) {
      const entry = await this.snapshot().settled();
      if (entry.status === 'ready') return entry;
    }
  }

  private encodeHere(): SnapshotEntry {
    const { offThread, snapshot: opts } = this.config;
    if (offThread !== undefined && this.current.size >= OFF_THREAD_MIN_NODES) {
      const entry = new SnapshotEntry(this.id, this.position, this.current.size, this.current.rootHash);
      const compression = { minBytes: opts.compressMinBytes, level: opts.level };
      if (offThread.encode(this.id, entry, compression, opts.chunkBytes)) return entry;
    }
    return encodeSnapshot(this.id, this.position, this.current, opts, this.observeEncode);
  }

  private readonly observeEncode = (seconds: number): void => this.config.encodeTimer.observe(seconds);

  /**
   * Where a subscriber that needs a snapshot starts (docs/server.md §4): the newest cached
   * snapshot of this epoch followed by the logged batches since it, while those batches are at
   * most half the snapshot's wire size and within maxReplayBytes; else a fresh snapshot. Under
   * a storm the position moves every tick, so without the tail every reconnecting client cost a
   * full encode (the soak's churning clients: ~15 encodes a second). A snapshot still encoding
   * is young, so its tail is only held to maxReplayBytes.
   */
  subscriberStart(): SnapshotStart {
    this.flush();
    const cached = this.snapshots[0];
    if (cached !== undefined && cached.epoch === this.epoch && cached.status !== 'failed') {
      const tail = this.log.since(cached.offset);
      if (tail !== undefined) {
        const bytes = byteLength(tail);
        const withinSnapshot = cached.status === 'encoding' || bytes <= cached.wireBytes / 2;
        if (withinSnapshot && bytes <= this.config.maxReplayBytes) return { snap: cached, tail };
      }
    }
    return { snap: this.snapshot(), tail: [] };
  }

  /**
   * Subscribes `conn` from the position it already has (§4.5): replay from the log when it
   * holds everything after `from`, else a snapshot with the reason.
   */
  addSubscriber(conn: Connection, from: Position | undefined): void {
    let reason: ResyncReason | undefined;
    let replay: Uint8Array[] | undefined;
    if (from === undefined) reason = 'new';
    else if (from.epoch !== this.epoch) reason = 'epoch';
    else {
      replay = this.log.since(from.offset);
      if (replay === undefined || byteLength(replay) > this.config.maxReplayBytes) {
        replay = undefined;
        reason = 'gap';
      }
    }
    if (replay !== undefined) {
      this.subscribers.add(conn);
      conn.startReplay(this, this.position, replay);
    } else {
      // subscriberStart() flushes pending ops to the existing subscribers before conn joins.
      const start = this.subscriberStart();
      this.subscribers.add(conn);
      conn.startSnapshot(this, reason!, start);
    }
  }

  /** Stops scheduling flushes (server closing); the tree stays readable and writable. */
  close(): void {
    this.closed = true;
    this.scheduler.cancel();
    if (this.refreshTimer !== undefined) this.clock.cancelAfter(this.refreshTimer);
    this.refreshTimer = undefined;
    this.config.offThread?.drop(this.id);
  }
}

/** What the cluster layer uses of a tree channel (docs/cluster.md §7). */
export interface TreeChannelHooks {
  readonly name: string;
  readonly mode: 'local' | 'replica';
  readonly position: Position;
  observe(observer: TreeChannelObserver | undefined): void;
  adoptSnapshot(tree: Tree, position: Position): void;
  adoptBatch(batch: Uint8Array, position: Position): void;
  becomeLocal(): void;
  restartHistory(): void;
  readySnapshot(): Promise<SnapshotEntry>;
}

/** The cluster hooks of one of this server's tree channels. */
export function treeChannelHooks(channel: TreeChannel): TreeChannelHooks {
  if (!(channel instanceof TreeChannelImpl)) throw new ServerError('TW_SERVER_BAD_OPTION', 'treeChannelHooks takes a tree channel made by server.tree()');
  return channel;
}

function byteLength(frames: readonly Uint8Array[]): number {
  let n = 0;
  for (const f of frames) n += f.length;
  return n;
}
