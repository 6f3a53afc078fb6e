// PerfMonitor: the numbers a HUD shows. Decode/apply times per batch come from wherever the
// replica runs (the worker posts them), main-thread work and long tasks are measured here.
// It is a store (`subscribe(fn)` calls fn now and on every change; `get()`), so Svelte can
// use it as `$perf` and React through useSyncExternalStore.
import type { TidewireClient } from './client.ts';
import { callEach } from './emitter.ts';
import { realTimers } from './timers.ts';
import type { TimerHandle, Timers } from './timers.ts';

export interface TimingStats {
  /** The latest sample. */
  last: number;
  /** Mean over the last window (0 when there was none). */
  avg: number;
  /** Maximum over the last window. */
  max: number;
}

export interface PerfStats {
  messagesPerSec: number;
  bytesPerSec: number;
  /** Per OPS batch: frame decode + op validation. */
  decodeMs: TimingStats;
  /** Per OPS batch: applying to the replica. */
  applyMs: TimingStats;
  /** Main thread: store work per frame. */
  mainWorkMs: TimingStats;
  longTasks: { supported: boolean; count: number; lastMs: number; maxMs: number };
  /**
   * The latest snapshot load: from the socket opening (mark `tidewire:socket-open`) to the
   * store swapping in the first whole snapshot after it (mark `tidewire:snapshot-applied`),
   * docs/client.md §4.1. Null until one happened.
   */
  snapshotLoadMs: number | null;
  /** The two points snapshotLoadMs is the distance between, on the page's clock (performance.now()). */
  snapshotLoad: SnapshotLoad | null;
  totals: { messages: number; bytes: number; batches: number };
  /** Timeline players (src/player): frames decoded (in the worker), segment bytes fetched, seeks. */
  timeline: TimelineStats;
}

export interface SnapshotLoad {
  /** The tree channel whose store swapped the snapshot in. */
  channel: string;
  socketOpenAt: number;
  appliedAt: number;
}

export interface TimelineStats {
  framesDecodedPerSec: number;
  bytesFetchedPerSec: number;
  /** From seek() to the target frame on screen. */
  seekMs: TimingStats;
  totals: { framesDecoded: number; bytesFetched: number; seeks: number };
}

/** Counters a worker accumulates between posts. */
export interface PerfSample {
  messages: number;
  bytes: number;
  batches: number;
  decodeMsSum: number;
  decodeMsMax: number;
  decodeMsLast: number;
  applyMsSum: number;
  applyMsMax: number;
  applyMsLast: number;
}

export function emptySample(): PerfSample {
  return { messages: 0, bytes: 0, batches: 0, decodeMsSum: 0, decodeMsMax: 0, decodeMsLast: 0, applyMsSum: 0, applyMsMax: 0, applyMsLast: 0 };
}

export function addBatch(s: PerfSample, decodeMs: number, applyMs: number): void {
  s.batches++;
  s.decodeMsSum += decodeMs;
  s.decodeMsMax = Math.max(s.decodeMsMax, decodeMs);
  s.decodeMsLast = decodeMs;
  s.applyMsSum += applyMs;
  s.applyMsMax = Math.max(s.applyMsMax, applyMs);
  s.applyMsLast = applyMs;
}

export interface PerfMonitorOptions {
  timers?: Timers;
  /** Rates are recomputed and subscribers notified this often while started. Default 500 ms. */
  intervalMs?: number;
}

type PerfListener = (stats: PerfStats) => void;

interface LongTaskObserver {
  observe(options: { type?: string; entryTypes?: string[]; buffered?: boolean }): void;
  disconnect(): void;
}
type ObserverCtor = (new (cb: (list: { getEntries(): { duration: number }[] }) => void) => LongTaskObserver) & { supportedEntryTypes?: readonly string[] };

export class PerfMonitor {
  private readonly timers: Timers;
  private readonly intervalMs: number;
  private window = emptySample();
  private mainSum = 0;
  private mainCount = 0;
  private mainMax = 0;
  private tlFrames = 0;
  private tlBytes = 0;
  private seekSum = 0;
  private seekCount = 0;
  private seekMax = 0;
  private windowStart: number;
  private stats: PerfStats;
  private readonly listeners = new Set<PerfListener>();
  private timer: TimerHandle | undefined = undefined;
  private observer: LongTaskObserver | null = null;
  private socketOpenAt: number | null = null;
  /** Channels whose first snapshot since the latest socket open is already counted. */
  private readonly loaded = new Set<string>();

  constructor(options: PerfMonitorOptions = {}) {
    this.timers = options.timers ?? realTimers;
    this.intervalMs = options.intervalMs ?? 500;
    this.windowStart = this.timers.now();
    const zero = { last: 0, avg: 0, max: 0 };
    this.stats = {
      messagesPerSec: 0,
      bytesPerSec: 0,
      decodeMs: zero,
      applyMs: zero,
      mainWorkMs: zero,
      longTasks: { supported: false, count: 0, lastMs: 0, maxMs: 0 },
      snapshotLoadMs: null,
      snapshotLoad: null,
      totals: { messages: 0, bytes: 0, batches: 0 },
      timeline: { framesDecodedPerSec: 0, bytesFetchedPerSec: 0, seekMs: zero, totals: { framesDecoded: 0, bytesFetched: 0, seeks: 0 } },
    };
  }

  get(): PerfStats {
    return this.stats;
  }

  /** Svelte-store contract: `fn` is called now and after every change. */
  subscribe(fn: PerfListener): () => void {
    this.listeners.add(fn);
    fn(this.stats);
    return () => this.listeners.delete(fn);
  }

  recordMessage(bytes: number): void {
    this.window.messages++;
    this.window.bytes += bytes;
  }

  recordBatch(decodeMs: number, applyMs: number): void {
    addBatch(this.window, decodeMs, applyMs);
  }

  /** Merges counters accumulated elsewhere (the worker). */
  recordSample(s: PerfSample): void {
    const w = this.window;
    w.messages += s.messages;
    w.bytes += s.bytes;
    if (s.batches > 0) {
      w.batches += s.batches;
      w.decodeMsSum += s.decodeMsSum;
      w.decodeMsMax = Math.max(w.decodeMsMax, s.decodeMsMax);
      w.decodeMsLast = s.decodeMsLast;
      w.applyMsSum += s.applyMsSum;
      w.applyMsMax = Math.max(w.applyMsMax, s.applyMsMax);
      w.applyMsLast = s.applyMsLast;
    }
  }

  recordMainWork(ms: number): void {
    this.mainSum += ms;
    this.mainCount++;
    this.mainMax = Math.max(this.mainMax, ms);
    this.stats.mainWorkMs = { ...this.stats.mainWorkMs, last: ms };
  }

  /** A player got decoded frames: `framesDecoded` of them, `bytesFetched` bytes over HTTP. */
  recordTimelineFrames(framesDecoded: number, bytesFetched: number): void {
    this.tlFrames += framesDecoded;
    this.tlBytes += bytesFetched;
  }

  /** A player's seek reached the screen after `ms`. */
  recordSeek(ms: number): void {
    this.seekSum += ms;
    this.seekCount++;
    this.seekMax = Math.max(this.seekMax, ms);
    this.stats.timeline = { ...this.stats.timeline, seekMs: { ...this.stats.timeline.seekMs, last: ms } };
  }

  /** The socket opened at `at` (page clock): the start of the next load of every channel. */
  recordSocketOpen(at: number): void {
    this.socketOpenAt = at;
    this.loaded.clear();
  }

  /**
   * `channel`'s store swapped in a whole snapshot at `at` (page clock). Only the first one since
   * the socket opened is a load; a later one on the same connection (a resync) would otherwise
   * count the whole time the connection was up.
   */
  recordSnapshotApplied(channel: string, at: number): void {
    if (this.socketOpenAt === null || this.loaded.has(channel)) return;
    this.loaded.add(channel);
    const load = { channel, socketOpenAt: this.socketOpenAt, appliedAt: at };
    this.stats = { ...this.stats, snapshotLoad: load, snapshotLoadMs: at - load.socketOpenAt };
    this.publish();
  }

  recordLongTask(ms: number): void {
    const lt = this.stats.longTasks;
    this.stats = { ...this.stats, longTasks: { ...lt, count: lt.count + 1, lastMs: ms, maxMs: Math.max(lt.maxMs, ms) } };
  }

  /** Closes the current window: recomputes rates and averages and notifies. */
  tick(): void {
    const now = this.timers.now();
    const seconds = Math.max(1e-3, (now - this.windowStart) / 1000);
    const w = this.window;
    const t = this.stats.totals;
    this.stats = {
      ...this.stats,
      messagesPerSec: w.messages / seconds,
      bytesPerSec: w.bytes / seconds,
      decodeMs: { last: w.batches > 0 ? w.decodeMsLast : this.stats.decodeMs.last, avg: w.batches > 0 ? w.decodeMsSum / w.batches : 0, max: w.decodeMsMax },
      applyMs: { last: w.batches > 0 ? w.applyMsLast : this.stats.applyMs.last, avg: w.batches > 0 ? w.applyMsSum / w.batches : 0, max: w.applyMsMax },
      mainWorkMs: { last: this.stats.mainWorkMs.last, avg: this.mainCount > 0 ? this.mainSum / this.mainCount : 0, max: this.mainMax },
      totals: { messages: t.messages + w.messages, bytes: t.bytes + w.bytes, batches: t.batches + w.batches },
      timeline: this.timelineStats(seconds),
    };
    this.window = emptySample();
    this.mainSum = this.mainCount = this.mainMax = 0;
    this.tlFrames = this.tlBytes = this.seekSum = this.seekCount = this.seekMax = 0;
    this.windowStart = now;
    this.publish();
  }

  private timelineStats(seconds: number): TimelineStats {
    const tl = this.stats.timeline;
    return {
      framesDecodedPerSec: this.tlFrames / seconds,
      bytesFetchedPerSec: this.tlBytes / seconds,
      seekMs: { last: tl.seekMs.last, avg: this.seekCount > 0 ? this.seekSum / this.seekCount : 0, max: this.seekMax },
      totals: {
        framesDecoded: tl.totals.framesDecoded + this.tlFrames,
        bytesFetched: tl.totals.bytesFetched + this.tlBytes,
        seeks: tl.totals.seeks + this.seekCount,
      },
    };
  }

  /** Ticks every intervalMs until stop(). */
  start(): void {
    if (this.timer !== undefined) return;
    const loop = () => {
      this.tick();
      this.timer = this.timers.setTimeout(loop, this.intervalMs);
    };
    this.timer = this.timers.setTimeout(loop, this.intervalMs);
  }

  stop(): void {
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
    this.observer?.disconnect();
    this.observer = null;
  }

  /**
   * Counts main-thread long tasks (> 50 ms) where PerformanceObserver supports 'longtask'
   * (Chromium). Returns false, and marks them unsupported, elsewhere (Node, Firefox, Safari).
   */
  observeLongTasks(): boolean {
    if (this.observer) return true;
    const PO = (globalThis as { PerformanceObserver?: ObserverCtor }).PerformanceObserver;
    if (typeof PO !== 'function' || !PO.supportedEntryTypes?.includes('longtask')) return false;
    const observer = new PO((list) => {
      for (const e of list.getEntries()) this.recordLongTask(e.duration);
    });
    observer.observe({ type: 'longtask', buffered: true });
    this.observer = observer;
    this.stats = { ...this.stats, longTasks: { ...this.stats.longTasks, supported: true } };
    return true;
  }

  /** Meters an in-process client: every frame it receives, and every batch of the named trees. */
  attachClient(client: TidewireClient, treeNames: readonly string[] = []): () => void {
    const offs = [client.on('frame', (f) => this.recordMessage(f.bytes))];
    for (const name of treeNames) {
      const sub = client.tree(name);
      offs.push(sub.on('ops', (e) => this.recordBatch(e.decodeMs, e.applyMs)));
    }
    return () => {
      for (const off of offs) off();
    };
  }

  private publish(): void {
    callEach(this.listeners, this.stats);
  }
}
