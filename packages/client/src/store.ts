// TreeStore: the main thread's read model of one tree channel. It holds immutable node views
// by id (O(1) get), applies StoreMessages a frame at a time within a time budget, and
// notifies per node, so a view of one node re-renders only when that node changes.
import type { Position } from '@tidewire/protocol';
import { Emitter, callEach } from './emitter.ts';
import { ClientError } from './errors.ts';
import { frameScheduler } from './scheduler.ts';
import type { FrameScheduler } from './scheduler.ts';
import type { ErrorInfo, ReplicaState, StoreMessage, StoreState } from './store-messages.ts';
import type { NodeView } from './views.ts';
import { sameView } from './views.ts';
import { Waiters } from './waiters.ts';
import type { WaitOptions } from './waiters.ts';
import { realTimers } from './timers.ts';
import type { Timers } from './timers.ts';

export interface StoreProgress {
  /** Snapshot bytes downloaded so far, of totalBytes (0 / 0 for a single-frame snapshot). */
  receivedBytes: number;
  totalBytes: number;
  /** Nodes in the snapshot being loaded (known first, from SNAPSHOT_BEGIN). */
  nodeCount: number;
  /** Nodes handed to the store so far. */
  nodesLoaded: number;
}

export interface StoreStatus {
  state: StoreState;
  /** While loading: how far the snapshot got. */
  progress: StoreProgress | null;
  /** The latest error reported by the replica. */
  error: ErrorInfo | null;
}

export interface SnapshotInfo {
  rootId: string;
  nodeCount: number;
  position: Position;
  /** Null when the feed sends the hash after the snapshot (the worker does): see TreeStore.rootHash. */
  rootHash: string | null;
  /** From the store entering 'loading' to the snapshot's end (the swap, or the last slice of a partial load), in ms. */
  loadMs: number;
}

interface StoreEvents {
  status: StoreStatus;
  progress: StoreProgress;
  snapshot: SnapshotInfo;
  root: NodeView | undefined;
}

/**
 * A snapshot on its way in (docs/client.md §2.4). `staged`: the store has a tree, which stays
 * until the new one is complete (an atomic swap). `partial`: the store had none, so the new
 * tree's nodes are readable as their slices arrive (`map` is the store's own map).
 */
interface Incoming {
  mode: 'staged' | 'partial';
  map: Map<string, NodeView>;
  rootId: string;
  nodeCount: number;
  position: Position;
  rootHash: string | null;
}

export type NodeListener = (view: NodeView | undefined) => void;

export interface TreeStoreOptions {
  /** When queued messages get applied; default requestAnimationFrame (a timer outside browsers). */
  schedule?: FrameScheduler;
  /** Main-thread time spent applying messages per frame before yielding. Default 8 ms. */
  budgetMs?: number;
  timers?: Timers;
  /** Called after each frame's work with its duration (the PerfMonitor's main-thread meter). */
  onWork?: (ms: number) => void;
  /** Called once by dispose() (the binding stops its feed). */
  onDispose?: () => void;
}

/** The largest `changes` message (views upserted + removed) applied on arrival (receive()). */
export const AT_ONCE_MAX_VIEWS = 256;

export class TreeStore {
  readonly name: string;
  private nodes = new Map<string, NodeView>();
  private _rootId: string | null = null;
  private _position: Position | null = null;
  private _rootHash: string | null = null;
  private _status: StoreStatus = { state: 'connecting', progress: null, error: null };
  private replicaState: ReplicaState = 'connecting';
  private incoming: Incoming | null = null;
  private pendingChanges: { upserts: NodeView[]; removes: string[] } | null = null;
  private loadingSince: number | null = null;
  private progress: StoreProgress | null = null;
  private readonly queue: StoreMessage[] = [];
  private queueHead = 0;
  private cancelFrame: (() => void) | null = null;
  private readonly listeners = new Map<string, Set<NodeListener>>();
  private readonly events = new Emitter<StoreEvents>();
  private readonly dirty = new Set<string>();
  private rootDirty = false;
  private statusDirty = false;
  private readonly schedule: FrameScheduler;
  private readonly budgetMs: number;
  private readonly timers: Timers;
  private readonly onWork: ((ms: number) => void) | undefined;
  private readonly onDispose: (() => void) | undefined;
  private readonly waiters: Waiters;
  private disposed = false;

  constructor(name: string, options: TreeStoreOptions = {}) {
    this.name = name;
    this.schedule = options.schedule ?? frameScheduler;
    this.budgetMs = options.budgetMs ?? 8;
    this.timers = options.timers ?? realTimers;
    this.onWork = options.onWork;
    this.onDispose = options.onDispose;
    this.waiters = new Waiters(this.timers);
  }

  // ---- reading -----------------------------------------------------------------------

  /** The view of node `id`, or undefined. O(1). Views are immutable: a change makes a new one. */
  get(id: string): NodeView | undefined {
    return this.nodes.get(id);
  }

  has(id: string): boolean {
    return this.nodes.has(id);
  }

  get rootId(): string | null {
    return this._rootId;
  }

  get root(): NodeView | undefined {
    return this._rootId === null ? undefined : this.nodes.get(this._rootId);
  }

  get size(): number {
    return this.nodes.size;
  }

  /** The replica position the store's contents correspond to. */
  get position(): Position | null {
    return this._position;
  }

  /**
   * The root hash at `position`. Null for a moment after a snapshot from a feed that hashes it
   * after sending it (docs/client.md §2.2), until its `hash` message or the next changes.
   */
  get rootHash(): string | null {
    return this._rootHash;
  }

  get status(): StoreStatus {
    return this._status;
  }

  /** Messages received but not applied yet. */
  get pending(): number {
    return this.queue.length - this.queueHead;
  }

  // ---- subscribing -------------------------------------------------------------------

  /**
   * Calls `fn` after a frame in which node `id` changed (attrs, child list or parent),
   * appeared or disappeared (then with undefined). Not called at subscription time.
   */
  subscribe(id: string, fn: NodeListener): () => void {
    let set = this.listeners.get(id);
    if (!set) this.listeners.set(id, (set = new Set()));
    set.add(fn);
    return () => {
      const s = this.listeners.get(id);
      if (!s) return;
      s.delete(fn);
      if (s.size === 0) this.listeners.delete(id);
    };
  }

  /** Called when the root node's view changes or a snapshot installs another root. */
  subscribeRoot(fn: (root: NodeView | undefined) => void): () => void {
    return this.events.on('root', fn);
  }

  subscribeStatus(fn: (status: StoreStatus) => void): () => void {
    return this.events.on('status', fn);
  }

  onProgress(fn: (progress: StoreProgress) => void): () => void {
    return this.events.on('progress', fn);
  }

  onSnapshot(fn: (info: SnapshotInfo) => void): () => void {
    return this.events.on('snapshot', fn);
  }

  /** Resolves once `predicate(this)` holds (checked after every applied frame). */
  waitFor(predicate: (store: TreeStore) => boolean, options?: WaitOptions): Promise<void> {
    return this.waiters.wait(
      () => {
        if (this.disposed) throw new ClientError('TW_CLOSED', `store ${this.name} is disposed`);
        return predicate(this);
      },
      `store ${this.name} to satisfy a predicate`,
      options,
    );
  }

  // ---- feeding -----------------------------------------------------------------------

  /**
   * Takes a message from the feed. A small `changes` message with nothing queued before it is
   * applied at once, so the DOM shows it in the frame being prepared; anything else is queued
   * and applied in the next frame within the budget. Waiting for the next animation frame added
   * up to a frame to every change's latency — and a second one when the page's own
   * animation-frame callbacks ran before the store's (mutation → pixels p99, issue 14).
   */
  receive(msg: StoreMessage): void {
    if (this.disposed) return;
    if (msg.t === 'changes' && this.queueHead >= this.queue.length && msg.upserts.length + msg.removes.length <= AT_ONCE_MAX_VIEWS) {
      const t0 = this.timers.now();
      this.apply(msg);
      this.notify();
      this.onWork?.(this.timers.now() - t0);
      return;
    }
    this.queue.push(msg);
    if (!this.cancelFrame) this.cancelFrame = this.schedule(() => this.frame());
  }

  /** Applies everything queued now, ignoring the budget (tests, Node consumers). */
  flushSync(): void {
    this.cancelFrame?.();
    this.cancelFrame = null;
    this.work(Infinity);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.onDispose?.();
    this.cancelFrame?.();
    this.cancelFrame = null;
    this.queue.length = 0;
    this.queueHead = 0;
    this.listeners.clear();
    this.events.removeAll();
    this.waiters.rejectAll(new ClientError('TW_CLOSED', `store ${this.name} is disposed`));
  }

  // ---- applying ----------------------------------------------------------------------

  private frame(): void {
    this.cancelFrame = null;
    this.work(this.budgetMs);
    if (this.pending > 0 && !this.disposed) this.cancelFrame = this.schedule(() => this.frame());
  }

  private work(budgetMs: number): void {
    const t0 = this.timers.now();
    // At least one message per frame, so a slow machine still makes progress.
    do {
      if (this.queueHead >= this.queue.length) break;
      const msg = this.queue[this.queueHead]!;
      this.queue[this.queueHead++] = undefined as unknown as StoreMessage;
      this.apply(msg);
    } while (this.timers.now() - t0 < budgetMs);
    if (this.queueHead >= this.queue.length) {
      this.queue.length = 0;
      this.queueHead = 0;
    } else if (this.queueHead > 1024) {
      this.queue.splice(0, this.queueHead);
      this.queueHead = 0;
    }
    this.notify();
    this.onWork?.(this.timers.now() - t0);
  }

  private apply(msg: StoreMessage): void {
    switch (msg.t) {
      case 'status':
        this.replicaState = msg.state;
        if (msg.error) this._status = { ...this._status, error: msg.error };
        if (msg.state === 'loading' && this.loadingSince === null) this.loadingSince = this.timers.now();
        this.statusDirty = true;
        return;
      case 'progress':
        this.progress = { receivedBytes: msg.receivedBytes, totalBytes: msg.totalBytes, nodeCount: msg.nodeCount, nodesLoaded: 0 };
        if (this.loadingSince === null) this.loadingSince = this.timers.now();
        this.statusDirty = true;
        this.events.emit('progress', this.progress);
        return;
      case 'begin': {
        // A first load (or a first load that started over) is shown as it arrives; a store that
        // has a whole tree keeps it until the new one is complete.
        const partial = this._rootId === null || this.incoming?.mode === 'partial';
        const map = new Map<string, NodeView>();
        this.incoming = {
          mode: partial ? 'partial' : 'staged',
          map,
          rootId: msg.rootId,
          nodeCount: msg.nodeCount,
          position: msg.position,
          rootHash: msg.rootHash,
        };
        if (partial) {
          this.install(map, msg.rootId);
          // Its nodes are not all there yet: it matches no position until `end`.
          this._position = null;
          this._rootHash = null;
        }
        if (this.loadingSince === null) this.loadingSince = this.timers.now();
        this.progress = {
          receivedBytes: this.progress?.totalBytes ?? 0,
          totalBytes: this.progress?.totalBytes ?? 0,
          nodeCount: msg.nodeCount,
          nodesLoaded: 0,
        };
        this.statusDirty = true;
        return;
      }
      case 'slice': {
        const st = this.incoming;
        if (!st) return;
        if (st.mode === 'partial') {
          for (const v of msg.nodes) {
            st.map.set(v.id, v);
            if (this.listeners.has(v.id)) this.dirty.add(v.id);
            if (v.id === st.rootId) this.rootDirty = true;
          }
        } else {
          for (const v of msg.nodes) st.map.set(v.id, v);
        }
        this.progress = { ...this.progress!, nodesLoaded: st.map.size };
        this.statusDirty = true;
        this.events.emit('progress', this.progress);
        return;
      }
      case 'end':
        this.complete();
        return;
      case 'changes':
        this.applyChanges(msg);
        return;
      case 'hash': {
        const p = this._position;
        if (p !== null && p.epoch === msg.position.epoch && p.offset === msg.position.offset) this._rootHash = msg.rootHash;
        return;
      }
    }
  }

  /** The snapshot's `end`: a staged one is swapped in; a partial one is already in place. */
  private complete(): void {
    const st = this.incoming;
    if (!st) return;
    this.incoming = null;
    if (st.mode === 'staged') this.install(st.map, st.rootId);
    this._position = st.position;
    this._rootHash = st.rootHash;
    const loadMs = this.loadingSince === null ? 0 : this.timers.now() - this.loadingSince;
    this.loadingSince = null;
    this.progress = null;
    this.statusDirty = true;
    this.events.emit('snapshot', { rootId: st.rootId, nodeCount: st.map.size, position: st.position, rootHash: st.rootHash, loadMs });
  }

  /** Makes `map` the store's nodes, marking the subscribed nodes (and root) whose view changed. */
  private install(map: Map<string, NodeView>, rootId: string): void {
    const old = this.nodes;
    this.nodes = map;
    // Only subscribed nodes are compared: a reload that changed little re-renders little.
    for (const id of this.listeners.keys()) {
      const a = old.get(id);
      const b = map.get(id);
      if (a === undefined ? b !== undefined : b === undefined || !sameView(a, b)) this.dirty.add(id);
    }
    const oldRoot = this._rootId === null ? undefined : old.get(this._rootId);
    const newRoot = map.get(rootId);
    // No root before or after (a partial load's start) is no change; its slice notifies it.
    if (oldRoot === undefined ? newRoot !== undefined : newRoot === undefined || this._rootId !== rootId || !sameView(oldRoot, newRoot)) this.rootDirty = true;
    this._rootId = rootId;
  }

  private applyChanges(msg: Extract<StoreMessage, { t: 'changes' }>): void {
    let upserts = msg.upserts;
    let removes = msg.removes;
    if (!msg.final || this.pendingChanges) {
      const p = (this.pendingChanges ??= { upserts: [], removes: [] });
      for (const v of upserts) p.upserts.push(v);
      for (const id of removes) p.removes.push(id);
      if (!msg.final) return;
      upserts = p.upserts;
      removes = p.removes;
      this.pendingChanges = null;
    }
    for (const id of removes) {
      if (this.nodes.delete(id) && this.listeners.has(id)) this.dirty.add(id);
    }
    for (const v of upserts) {
      this.nodes.set(v.id, v);
      if (this.listeners.has(v.id)) this.dirty.add(v.id);
      if (v.id === this._rootId) this.rootDirty = true;
    }
    this._position = msg.position;
    this._rootHash = msg.rootHash;
  }

  private notify(): void {
    if (this.statusDirty) {
      this.statusDirty = false;
      const state: StoreState = this.incoming ? (this.incoming.mode === 'partial' ? 'partial' : 'loading') : this.replicaState;
      // Errors stay visible until the store is live again after them.
      const error = state === 'live' && this._status.state !== 'live' ? null : this._status.error;
      this._status = { state, progress: state === 'loading' || state === 'partial' ? this.progress : null, error };
      this.events.emit('status', this._status);
    }
    if (this.dirty.size > 0) {
      const ids = [...this.dirty];
      this.dirty.clear();
      for (const id of ids) {
        const set = this.listeners.get(id);
        if (!set) continue;
        callEach(set, this.nodes.get(id));
      }
    }
    if (this.rootDirty) {
      this.rootDirty = false;
      this.events.emit('root', this.root);
    }
    this.waiters.notify();
  }
}
