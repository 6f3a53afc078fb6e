// Adaptive batching for a tree channel. A change after a quiet period is flushed on the next
// macrotask (so a burst within one turn of the event loop still coalesces into one batch); a
// change within tickMs of the last flush waits for the next tick. A lone edit therefore goes
// out in about a millisecond, and a storm costs at most one OPS frame per tick per channel.
// Under load the tick stretches: a batch whose delivery to every subscriber took `cost` ms
// holds the next one back for FANOUT_STRETCH × cost, so one channel's fan-out takes at most
// about a fifth of the event loop however many clients it has (docs/server.md §2).

/** The next tick waits at least this many times the last batch's delivery time. */
export const FANOUT_STRETCH = 4;
/** A stretched tick never exceeds this: a storm still reaches every client 4 times a second. */
export const MAX_STRETCHED_TICK_MS = 250;

export interface BatchClock {
  now(): number;
  /** Runs `task` on a later macrotask (setImmediate). */
  soon(task: () => void): unknown;
  /** Runs `task` after `ms` milliseconds (setTimeout). */
  after(ms: number, task: () => void): unknown;
  cancelSoon(handle: unknown): void;
  cancelAfter(handle: unknown): void;
}

// Each handle must go back to its own clear function: clearImmediate() on a Timeout corrupts
// Node's immediate ref count (the process then never exits, and getActiveResourcesInfo()
// aborts with bad_alloc).
export const realClock: BatchClock = {
  now: () => performance.now(),
  soon: (task) => setImmediate(task),
  after: (ms, task) => setTimeout(task, ms),
  cancelSoon: (handle) => clearImmediate(handle as NodeJS.Immediate),
  cancelAfter: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export class FlushScheduler {
  private readonly tickMs: number;
  /** The current tick: tickMs, or longer after a costly fan-out (stretch()). */
  private interval: number;
  private readonly clock: BatchClock;
  private readonly flush: () => void;
  private handle: unknown = undefined;
  private handleIsSoon = false;
  private lastFlush = Number.NEGATIVE_INFINITY;
  private readonly run: () => void;

  constructor(tickMs: number, flush: () => void, clock: BatchClock = realClock) {
    this.tickMs = tickMs;
    this.interval = tickMs;
    this.flush = flush;
    this.clock = clock;
    this.run = () => {
      const wasSoon = this.handleIsSoon;
      this.handle = undefined;
      // Timers measure from the event loop's cached clock and can fire up to a loop iteration
      // early; re-arm for the rest so a storm really costs at most one flush per tick.
      const early = this.lastFlush + this.interval - this.clock.now();
      if (!wasSoon && early > 0) {
        this.handle = this.clock.after(Math.ceil(early), this.run);
        return;
      }
      this.flush();
    };
  }

  /** Something is pending: make sure a flush is scheduled. */
  touch(): void {
    if (this.handle !== undefined) return;
    const wait = this.lastFlush + this.interval - this.clock.now();
    this.handleIsSoon = wait <= 0;
    this.handle = this.handleIsSoon ? this.clock.soon(this.run) : this.clock.after(wait, this.run);
  }

  /** A batch was published (by the scheduled run or an explicit flush). */
  published(): void {
    this.lastFlush = this.clock.now();
    this.cancel();
  }

  /**
   * Delivering the batch just published took `costMs` (encoding it and writing it to every
   * subscriber): the next tick is FANOUT_STRETCH × that, at most MAX_STRETCHED_TICK_MS and at
   * least tickMs (a configured tick longer than the cap stays as it is). Separate from
   * published(), which runs before the fan-out so that a change made during it is scheduled
   * rather than cancelled.
   */
  stretch(costMs: number): void {
    this.interval = Math.max(this.tickMs, Math.min(MAX_STRETCHED_TICK_MS, costMs * FANOUT_STRETCH));
  }

  /** The tick now in force (tickMs unless stretched). */
  get currentTickMs(): number {
    return this.interval;
  }

  get pending(): boolean {
    return this.handle !== undefined;
  }

  cancel(): void {
    if (this.handle !== undefined) {
      if (this.handleIsSoon) this.clock.cancelSoon(this.handle);
      else this.clock.cancelAfter(this.handle);
      this.handle = undefined;
    }
  }
}
