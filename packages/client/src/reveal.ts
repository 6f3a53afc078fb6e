// Progressive reveal (docs/client.md §4.2): a view that has many items to show after a snapshot
// shows them a few at a time, one animation frame after another, instead of mounting them all in
// the one task that follows the swap. Each frame's batch is sized from what the previous batch
// cost, so a slow (or throttled) machine gets smaller batches and no frame gets long.
//
// Framework-free: a Reveal only calls `onLimit(n)` ("show the first n items") and measures the
// call, run through `flush` — for Svelte, `flushSync`, so the measured time includes the mount.
import { frameScheduler } from './scheduler.ts';
import type { FrameScheduler } from './scheduler.ts';

export interface RevealQueueOptions {
  /** Time per frame for the queue's reveals together, measured around their flushes. Default 6 ms. */
  budgetMs?: number;
  schedule?: FrameScheduler;
  now?: () => number;
}

/** The reveals of one page, served in the order they were created (the first gets the budget first). */
export class RevealQueue {
  readonly budgetMs: number;
  private readonly schedule: FrameScheduler;
  readonly now: () => number;
  private readonly reveals: Reveal[] = [];
  private cancel: (() => void) | null = null;

  constructor(options: RevealQueueOptions = {}) {
    this.budgetMs = Math.max(0.5, options.budgetMs ?? 6);
    this.schedule = options.schedule ?? frameScheduler;
    this.now = options.now ?? (() => performance.now());
  }

  /** Reveals with items still hidden. */
  get pending(): number {
    return this.reveals.filter((r) => r.pending).length;
  }

  add(r: Reveal): void {
    this.reveals.push(r);
  }

  remove(r: Reveal): void {
    const i = this.reveals.indexOf(r);
    if (i >= 0) this.reveals.splice(i, 1);
    if (this.reveals.length === 0) {
      this.cancel?.();
      this.cancel = null;
    }
  }

  /** Asks for a frame (one at most is outstanding). */
  wake(): void {
    if (!this.cancel) this.cancel = this.schedule(() => this.frame());
  }

  /** One frame's work: each pending reveal grows, in order, while the budget lasts. */
  frame(): void {
    this.cancel = null;
    const end = this.now() + this.budgetMs;
    let worked = false;
    for (const r of [...this.reveals]) {
      if (!r.pending) continue;
      const left = end - this.now();
      if (left <= 0) break;
      // The first batch of a frame always goes (progress on any machine); later ones only if
      // their measured cost says at least one item fits in what is left.
      if (r.grow(left, worked)) worked = true;
    }
    if (this.reveals.some((r) => r.pending)) this.wake();
  }
}

export interface RevealOptions {
  /** Items in the first batch (before any cost is known), and after restart(). Default 4. */
  first?: number;
  /** Items shown before the first batch. Default `first`; 0 leaves even those to a frame of their own. */
  initial?: number;
  /** Runs the limit change and whatever it renders, synchronously (Svelte: flushSync). */
  flush?: (fn: () => void) => void;
}

/**
 * How many of a view's items to show. Starts at `first`, grows each frame until it reaches the
 * target, then stays unlimited (Infinity): items that come later (a scroll, a new track) show at
 * once, until restart().
 */
export class Reveal {
  private _limit: number;
  private target = 0;
  /** Measured cost of one item (ms); 0 while unknown. */
  private costMs = 0;
  private lastStep = 0;
  private readonly first: number;
  private readonly flush: (fn: () => void) => void;
  private disposed = false;

  constructor(
    private readonly queue: RevealQueue,
    private readonly onLimit: (limit: number) => void,
    options: RevealOptions = {},
  ) {
    this.first = Math.max(1, Math.floor(options.first ?? 4));
    this.flush = options.flush ?? ((fn) => fn());
    this._limit = Math.max(0, Math.floor(options.initial ?? this.first));
    queue.add(this);
  }

  /** Items to show now: a count, or Infinity once everything was revealed. */
  get limit(): number {
    return this._limit;
  }

  get pending(): boolean {
    return !this.disposed && this._limit < this.target;
  }

  /** The number of items the view has to show; a larger one while revealing asks for frames. */
  setTarget(n: number): void {
    this.target = Math.max(0, Math.floor(n));
    if (this.pending) this.queue.wake();
  }

  /** Starts over from `first` items (the view jumped to items none of which are shown). */
  restart(): void {
    this._limit = this.first;
    this.lastStep = 0;
    this.onLimit(this._limit);
    if (this.pending) this.queue.wake();
  }

  /**
   * Called by the queue: shows as many more items as fit in `leftMs` by this reveal's measured
   * cost per item. Returns whether it showed any. With `optional` (the frame already did other
   * work) it shows none unless one fits — and none before its cost is known: its first batch
   * (which also pays for compiling the view's code) gets a frame of its own.
   */
  grow(leftMs: number, optional = false): boolean {
    const missing = this.target - this._limit;
    if (missing <= 0) return false;
    const fit = this.costMs > 0 ? Math.floor(leftMs / this.costMs) : this.first;
    if (optional && (this.costMs === 0 || fit < 1)) return false;
    // At most `first` items at first, then twice the last batch: one cheap batch must not
    // license a huge one.
    const step = Math.max(1, Math.min(missing, fit, this.lastStep > 0 ? this.lastStep * 2 : this.first));
    const next = this._limit + step >= this.target ? Infinity : this._limit + step;
    const t0 = this.queue.now();
    this._limit = next;
    this.flush(() => this.onLimit(next));
    // A batch too quick for the clock counts as 0.01 ms, so the next may double. A cheaper
    // measure is taken at once; a dearer one only half-way: a batch's flush also runs whatever
    // else was pending and has a fixed part, which would otherwise shrink the batches to one
    // item a frame and keep them there (seen at 4× CPU throttling).
    const measured = Math.max(0.01, this.queue.now() - t0) / step;
    this.costMs = this.costMs === 0 || measured <= this.costMs ? measured : (this.costMs + measured) / 2;
    this.lastStep = step;
    return true;
  }

  dispose(): void {
    this.disposed = true;
    this.queue.remove(this);
  }
}
