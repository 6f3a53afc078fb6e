// The one scheduler behind every timeline playback session of a server: a binary min-heap of
// sessions keyed by the wall time of their next due frame, and a single timer. There is no
// per-session timer and no fixed-rate loop: a paused session never wakes. Sessions compute
// their due frames from an anchor (wall time, position) themselves, so a late wake never
// accumulates drift; it only makes a batch larger.
//
// The timer fires on a shared tick (tickMs, docs/timeline-format.md §W.5): an entry due at t is
// served at the first tick boundary at or after t, together with every other entry due by then,
// in due order. A thousand 25 fps streams at random phases then cost 1000/tickMs wakes a second
// instead of one per frame (each wake of the process, and each wake of a client's process by a
// lone write, is a context switch), and a 1× stream at a rate whose period is a multiple of the
// tick is delayed by the same amount on every frame: a constant offset, not jitter.
import { realClock } from './batcher.ts';
import type { BatchClock } from './batcher.ts';

export interface Scheduled {
  /** Wall time (clock.now()) of the next wake; Infinity when not scheduled. */
  due: number;
  /** Position in the heap; -1 when not in it. Owned by the scheduler. */
  heapIndex: number;
  /** Called at (or up to `earlyMs` before) `due`, with the time to compute due frames for.
   *  The entry is out of the heap during the call; it reschedules itself with `at()`. */
  wake(now: number): void;
}

/** Entries due within this many ms of a wake are served by it: timers fire on a 1 ms grid and
 *  can run a little early, and serving them now beats a zero-delay timer right after. */
const EARLY_MS = 1;

/** Default tick (ServerOptions.timeline.tickMs): below one 60 Hz display frame, and a divisor
 *  of the periods of 25, 50 and 100 fps timelines. */
export const DEFAULT_PLAYBACK_TICK_MS = 10;

export class PlaybackScheduler {
  private readonly clock: BatchClock;
  private readonly heap: Scheduled[] = [];
  private timer: unknown = undefined;
  private timerDue = Number.POSITIVE_INFINITY;
  private running = false;
  private closed = false;
  /** Wakes served (diagnostics, benchmarks). */
  wakes = 0;
  private readonly onTimer: () => void;

  /** Where a wake that threw goes (the server logs and counts it); without it, the throw goes on. */
  private readonly onError: ((err: unknown, entry: Scheduled) => void) | undefined;

  /** Tick of the timer in ms; 0: wake at each entry's own due time. */
  readonly tickMs: number;

  constructor(clock: BatchClock = realClock, onError?: (err: unknown, entry: Scheduled) => void, tickMs = 0) {
    this.clock = clock;
    this.onError = onError;
    this.tickMs = tickMs;
    this.onTimer = () => {
      this.timer = undefined;
      this.timerDue = Number.POSITIVE_INFINITY;
      this.run();
    };
  }

  now(): number {
    return this.clock.now();
  }

  get size(): number {
    return this.heap.length;
  }

  /** Schedules (or reschedules) `e` to wake at `due`; Infinity unschedules it. */
  at(e: Scheduled, due: number): void {
    if (this.closed) return;
    if (!(due < Number.POSITIVE_INFINITY)) {
      this.remove(e);
      return;
    }
    if (e.heapIndex < 0) {
      e.due = due;
      e.heapIndex = this.heap.length;
      this.heap.push(e);
      this.up(e.heapIndex);
    } else {
      const old = e.due;
      e.due = due;
      if (due < old) this.up(e.heapIndex);
      else this.down(e.heapIndex);
    }
    if (!this.running) this.arm();
  }

  remove(e: Scheduled): void {
    e.due = Number.POSITIVE_INFINITY;
    const i = e.heapIndex;
    if (i < 0) return;
    e.heapIndex = -1;
    const last = this.heap.pop()!;
    if (i < this.heap.length) {
      this.heap[i] = last;
      last.heapIndex = i;
      this.down(i);
      this.up(last.heapIndex);
    }
    // An armed timer for a removed head simply finds nothing due and re-arms.
  }

  close(): void {
    this.closed = true;
    if (this.timer !== undefined) this.clock.cancelAfter(this.timer);
    this.timer = undefined;
    for (const e of this.heap) {
      e.heapIndex = -1;
      e.due = Number.POSITIVE_INFINITY;
    }
    this.heap.length = 0;
  }

  /** Serves every entry due by now (+EARLY_MS), then arms the timer for the next one. */
  run(): void {
    if (this.closed || this.running) return;
    this.running = true;
    try {
      const now = this.clock.now();
      // On a tick: everything due by the tick this wake belongs to (not past it: no entry is
      // served a tick early), and everything overdue when the wake itself came late.
      const limit = this.tickMs > 0 ? Math.max(now, this.tickAtOrBefore(now + EARLY_MS)) : now + EARLY_MS;
      // Entries rescheduled during this run for a time already past would loop forever; they
      // wait for the next timer (0 ms) instead.
      let budget = this.heap.length;
      while (budget-- > 0 && this.heap.length > 0 && this.heap[0]!.due <= limit) {
        const e = this.heap[0]!;
        const due = e.due;
        this.remove(e);
        this.wakes++;
        // One session's bug must not end the others' playback (nor, from a timer, the process):
        // the failed entry stays out of the heap.
        if (this.onError === undefined) e.wake(Math.max(now, due));
        else {
          try {
            e.wake(Math.max(now, due));
          } catch (err) {
            this.onError(err, e);
          }
        }
      }
    } finally {
      this.running = false;
    }
    this.arm();
  }

  private arm(): void {
    if (this.closed) return;
    const head = this.heap[0];
    if (head === undefined) {
      if (this.timer !== undefined) this.clock.cancelAfter(this.timer);
      this.timer = undefined;
      this.timerDue = Number.POSITIVE_INFINITY;
      return;
    }
    const due = this.tickMs > 0 ? this.tickAtOrAfter(head.due) : head.due;
    if (this.timer !== undefined && this.timerDue <= due) return;
    if (this.timer !== undefined) this.clock.cancelAfter(this.timer);
    const delay = Math.max(0, due - this.clock.now());
    // Whole milliseconds, rounded down: the wake serves up to EARLY_MS ahead of time anyway.
    this.timer = this.clock.after(Math.floor(delay), this.onTimer);
    this.timerDue = due;
  }

  /** The tick boundary at or after `t` (boundaries are the multiples of tickMs on the clock). */
  private tickAtOrAfter(t: number): number {
    return Math.ceil(t / this.tickMs) * this.tickMs;
  }

  private tickAtOrBefore(t: number): number {
    return Math.floor(t / this.tickMs) * this.tickMs;
  }

  private up(i: number): void {
    const h = this.heap;
    const e = h[i]!;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = h[p]!;
      if (parent.due <= e.due) break;
      h[i] = parent;
      parent.heapIndex = i;
      i = p;
    }
    h[i] = e;
    e.heapIndex = i;
  }

  private down(i: number): void {
    const h = this.heap;
    const n = h.length;
    const e = h[i]!;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && h[r]!.due < h[l]!.due ? r : l;
      const child = h[c]!;
      if (child.due >= e.due) break;
      h[i] = child;
      child.heapIndex = i;
      i = c;
    }
    h[i] = e;
    e.heapIndex = i;
  }
}
