// StoreFeed: runs next to a TreeSubscription (in the worker, or in-process) and turns its
// events into StoreMessages for a TreeStore. Op batches are coalesced into one set of
// changed node views per flush (at most one flush per flushMs, ~one animation frame), and a
// snapshot goes out in slices so no single structured clone carries the whole tree.
//
// Paced mode (the worker uses it): at most one post is unacknowledged. The main thread acks a
// post when it receives it, so every slice is deserialised in its own task — Chrome may
// otherwise deliver a burst of posted messages back to back in one long task — and while the
// main thread is busy, op changes keep coalescing here instead of queueing up there.
import { nodeView, walkViews, walkViewsByDepth } from './views.ts';
import type { NodeView } from './views.ts';
import type { ErrorInfo, ReplicaState, StoreMessage } from './store-messages.ts';
import type { TreeSubscription } from './tree-subscription.ts';
import type { Position } from '@tidewire/protocol';
import { realTimers } from './timers.ts';
import type { TimerHandle, Timers } from './timers.ts';

/** The order a snapshot's nodes go out in (docs/client.md §2.5); parents always before children. */
export type SnapshotOrder = 'breadth-first' | 'depth-first';

export interface StoreFeedOptions {
  /** Nodes per snapshot slice (at most) and per changes message. Default 2,000. */
  sliceNodes?: number;
  /**
   * Nodes in a snapshot's first slice; each next slice doubles, up to sliceNodes (§2.5): a small
   * first slice is quick to clone, so a first screenful can show early. Default sliceNodes.
   */
  firstSliceNodes?: number;
  /** Default 'breadth-first'. */
  order?: SnapshotOrder;
  /**
   * Coalescing window for changes, status and progress: at most one flush per window. A change
   * after a quiet window goes out on a zero-delay timer; one within the window waits for its
   * end. Default 16 ms; 0 flushes on a microtask.
   */
  flushMs?: number;
  /** Wait for ack() after each post (worker → main thread backpressure). Default false. */
  paced?: boolean;
  timers?: Timers;
}

/** Receives messages in order; a call's messages may be posted as one unit. */
export type StorePost = (messages: StoreMessage[]) => void;

export class StoreFeed {
  private readonly sliceNodes: number;
  private readonly firstSliceNodes: number;
  private readonly order: SnapshotOrder;
  private readonly flushMs: number;
  private readonly timers: Timers;
  private readonly dirty = new Set<string>();
  /** When flush() last ran (timers.now()): the window a change must wait for is measured from it. */
  private lastFlushAt = Number.NEGATIVE_INFINITY;
  private statusDirty = false;
  private lastState: ReplicaState | null = null;
  private pendingError: ErrorInfo | undefined = undefined;
  private pendingProgress: Extract<StoreMessage, { t: 'progress' }> | null = null;
  private timer: TimerHandle | undefined = undefined;
  private microtaskQueued = false;
  private readonly offs: (() => void)[] = [];
  private disposed = false;
  private readonly paced: boolean;
  /** Posts waiting for credit (paced mode); one is in flight at most. */
  private readonly queue: StoreMessage[][] = [];
  /**
   * A snapshot still going out (paced mode): its slices are cut from the walk one post at a
   * time, when credit returns, so the first slice does not wait for views of the whole tree.
   */
  private outgoing: SnapshotCursor | null = null;
  /**
   * The snapshot's next post, cut while the receiver still works on the last one (paced mode):
   * cutting a 4,000-node slice takes the worker 10–20 ms, which otherwise came between each ack
   * and the next post (docs/client.md §2.5).
   */
  private prepared: StoreMessage[] | null = null;
  private prepareTimer: TimerHandle | undefined = undefined;
  private inFlight = false;
  private flushWanted = false;
  /** The position of a snapshot sent without its root hash: a `hash` message is owed for it. */
  private hashDue: Position | null = null;

  constructor(
    private readonly sub: TreeSubscription,
    private readonly post: StorePost,
    options: StoreFeedOptions = {},
  ) {
    this.sliceNodes = Math.max(1, Math.floor(options.sliceNodes ?? 2000));
    this.firstSliceNodes = Math.min(this.sliceNodes, Math.max(1, Math.floor(options.firstSliceNodes ?? this.sliceNodes)));
    this.order = options.order === 'depth-first' ? 'depth-first' : 'breadth-first';
    this.flushMs = Math.max(0, options.flushMs ?? 16);
    this.timers = options.timers ?? realTimers;
    this.paced = options.paced === true;
    this.offs.push(
      sub.on('snapshot', () => this.sendSnapshot()),
      sub.on('ops', (e) => {
        for (const id of e.touched) this.dirty.add(id);
        this.schedule();
      }),
      sub.on('status', () => {
        this.statusDirty = true;
        this.schedule();
      }),
      sub.on('progress', (p) => {
        this.pendingProgress = { t: 'progress', receivedBytes: p.receivedBytes, totalBytes: p.totalBytes, nodeCount: p.nodeCount };
        this.schedule();
      }),
      sub.on('error', (err) => {
        this.pendingError = { code: err.code, message: err.message };
        this.statusDirty = true;
        this.schedule();
      }),
    );
    // A feed started after the replica loaded catches the store up at once.
    if (sub.tree) this.sendSnapshot();
    this.statusDirty = true;
    this.schedule();
  }

  /** Posts whatever is pending now. */
  flush(): void {
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
    if (this.disposed) return;
    this.lastFlushAt = this.timers.now();
    if (this.paced && (this.inFlight || this.queue.length > 0 || this.outgoing !== null || this.prepared !== null)) {
      // Blocked on the main thread: keep coalescing; ack() flushes when credit returns.
      this.flushWanted = true;
      return;
    }
    const out: StoreMessage[] = [];
    if (this.pendingProgress) {
      out.push(this.pendingProgress);
      this.pendingProgress = null;
    }
    // Changes carry the root hash themselves; without any, the hash owed for the last snapshot
    // goes now — after the snapshot's slices (this flush waits for them in paced mode), so the
    // hashing never delays the swap (docs/client.md §2.2).
    if (this.hashDue !== null && this.dirty.size === 0) {
      const tree = this.sub.tree;
      const position = this.sub.position;
      if (tree && position && position.epoch === this.hashDue.epoch && position.offset === this.hashDue.offset) {
        out.push({ t: 'hash', position, rootHash: tree.rootHash });
      }
    }
    this.hashDue = null;
    if (this.dirty.size > 0) this.changes(out);
    if (this.statusDirty) {
      this.statusDirty = false;
      const state = this.sub.status;
      if (state !== this.lastState || this.pendingError) {
        this.lastState = state;
        out.push(this.pendingError ? { t: 'status', state, error: this.pendingError } : { t: 'status', state });
        this.pendingError = undefined;
      }
    }
    if (out.length > 0) this.send(out);
  }

  /** The receiver took the last post (paced mode): send the next one. */
  ack(): void {
    this.inFlight = false;
    if (this.disposed) return;
    this.pump();
    if (!this.inFlight && this.flushWanted) {
      this.flushWanted = false;
      this.flush();
    }
  }

  private send(messages: StoreMessage[]): void {
    if (!this.paced) {
      this.post(messages);
      return;
    }
    this.queue.push(messages);
    this.pump();
  }

  private pump(): void {
    if (this.inFlight) return;
    let next = this.queue.shift();
    if (next === undefined && this.prepared !== null) {
      next = this.prepared;
      this.prepared = null;
    }
    if (next === undefined && this.outgoing !== null) next = this.nextSnapshotPost(this.outgoing);
    if (next === undefined) return;
    this.inFlight = true;
    this.post(next);
    // The next slice is cut now, in a task of its own (socket frames queued meanwhile go first),
    // and waits for the ack; it still shows the tree as it is when cut (nextSnapshotPost).
    if (this.outgoing !== null && this.prepared === null && this.prepareTimer === undefined) {
      this.prepareTimer = this.timers.setTimeout(() => {
        this.prepareTimer = undefined;
        if (this.disposed || this.outgoing === null || this.prepared !== null) return;
        // Posted by the next pump(): an ack that came first already cut and posted one itself.
        this.prepared = this.nextSnapshotPost(this.outgoing);
      }, 0);
    }
  }

  dispose(): void {
    this.disposed = true;
    this.outgoing = null;
    this.prepared = null;
    if (this.prepareTimer !== undefined) this.timers.clearTimeout(this.prepareTimer);
    this.prepareTimer = undefined;
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
    for (const off of this.offs) off();
  }

  private schedule(): void {
    if (this.disposed || this.timer !== undefined || this.microtaskQueued) return;
    if (this.flushMs === 0) {
      this.microtaskQueued = true;
      queueMicrotask(() => {
        this.microtaskQueued = false;
        this.flush();
      });
      return;
    }
    // Leading edge: a fixed trailing wait added a whole window to every change's latency
    // (mutation → pixels p99, issue 14), while a storm still gets one flush per window. A
    // zero-delay timer, not a microtask, after a quiet window: the ops of one socket message
    // (and of any messages already queued behind it) still coalesce.
    const wait = Math.max(0, this.lastFlushAt + this.flushMs - this.timers.now());
    this.timer = this.timers.setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, wait);
  }

  /** Appends the changes message(s) for the dirty ids; big sets are split across posts. */
  private changes(out: StoreMessage[]): void {
    const tree = this.sub.tree;
    const position = this.sub.position;
    if (!tree || !position) {
      this.dirty.clear();
      return;
    }
    const rootHash = tree.rootHash;
    let upserts: NodeView[] = [];
    let removes: string[] = [];
    for (const id of this.dirty) {
      const v = nodeView(tree, id);
      if (v) upserts.push(v);
      else removes.push(id);
      if (upserts.length + removes.length >= this.sliceNodes) {
        out.push({ t: 'changes', upserts, removes, final: false, position, rootHash });
        this.send(out.splice(0));
        upserts = [];
        removes = [];
      }
    }
    this.dirty.clear();
    out.push({ t: 'changes', upserts, removes, final: true, position, rootHash });
  }

  /**
   * begin with the first slice (firstSliceNodes views), then slices doubling up to sliceNodes, the
   * last one with end: each its own post. Paced, the slices are cut as credit returns (§2.5).
   */
  private sendSnapshot(): void {
    const tree = this.sub.tree;
    const position = this.sub.position;
    if (!tree || !position) return;
    // Changes to the previous tree are superseded; progress belongs to the load that just ended.
    this.dirty.clear();
    this.pendingProgress = null;
    // A new snapshot supersedes whatever of the previous one has not gone out yet.
    this.queue.length = 0;
    this.prepared = null;
    const walk = (this.order === 'depth-first' ? walkViews : walkViewsByDepth)(tree, tree.root.id);
    const cursor: SnapshotCursor = {
      begin: { t: 'begin', rootId: tree.root.id, nodeCount: tree.size, position, rootHash: null },
      walk,
      ahead: walk.next(),
      size: this.firstSliceNodes,
    };
    this.outgoing = cursor;
    if (this.paced) this.pump();
    else while (this.outgoing === cursor) this.post(this.nextSnapshotPost(cursor));
    this.hashDue = position;
    this.statusDirty = true;
    this.schedule();
  }

  /**
   * The next post of a snapshot. Slices cut later see the tree as it is then: ops applied in
   * between also mark their nodes dirty, and the changes sent after `end` bring the store to the
   * replica's position.
   */
  private nextSnapshotPost(c: SnapshotCursor): StoreMessage[] {
    const out: StoreMessage[] = [];
    if (c.begin) {
      out.push(c.begin);
      c.begin = null;
    }
    const nodes: NodeView[] = [];
    while (!c.ahead.done && nodes.length < c.size) {
      nodes.push(c.ahead.value);
      c.ahead = c.walk.next();
    }
    c.size = Math.min(this.sliceNodes, c.size * 2);
    if (nodes.length > 0) out.push({ t: 'slice', nodes });
    if (c.ahead.done) {
      out.push({ t: 'end' });
      this.outgoing = null;
    }
    return out;
  }
}

interface SnapshotCursor {
  /** Not sent yet: it goes with the first slice. */
  begin: Extract<StoreMessage, { t: 'begin' }> | null;
  walk: Generator<NodeView>;
  /** The walk's next view (looked at ahead, so the last slice carries `end`). */
  ahead: IteratorResult<NodeView>;
  /** Views in the next slice. */
  size: number;
}
