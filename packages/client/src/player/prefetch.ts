// Client-paced buffering (docs/timeline-format.md §W.3): which segments to fetch next and
// which to keep, from the playhead alone. Pure, so the window logic is tested without a clock,
// a network or a worker.
import type { Timebase } from './timebase.ts';

export interface PrefetchInput {
  timebase: Timebase;
  /** Playhead, timeline ms. */
  posMs: number;
  speed: number;
  /** Wall-clock seconds of playback to hold ahead of the playhead. */
  prefetchSeconds: number;
  /** Timeline ms kept behind the playhead (scrubbing back stays instant). */
  keepBehindMs: number;
  loaded(n: number): boolean;
  inflight(n: number): boolean;
  inflightCount: number;
  maxInflight: number;
}

export interface PrefetchPlan {
  /** Segments to request now, most urgent first. */
  load: number[];
  /** Segments worth keeping: [keepFirst, keepLast]; everything else may be evicted or cancelled. */
  keepFirst: number;
  keepLast: number;
  /** The segment under the playhead. */
  current: number;
}

export function planPrefetch(p: PrefetchInput): PrefetchPlan {
  const tb = p.timebase;
  const n = tb.segmentCount;
  if (n === 0) return { load: [], keepFirst: 0, keepLast: -1, current: -1 };
  const current = tb.segmentForTime(p.posMs);
  // Ahead in timeline time: the wall-clock window at the current speed (at least 1×, so a
  // paused player is ready to play).
  const aheadMs = p.prefetchSeconds * 1000 * Math.max(1, p.speed);
  let last = current;
  while (last + 1 < n && tb.segmentStartMs(last + 1) <= p.posMs + aheadMs) last++;
  const keepFirst = Math.min(current, tb.segmentForTime(p.posMs - p.keepBehindMs));
  const load: number[] = [];
  if (!p.loaded(current)) {
    // A seek or a stall: the segment under the playhead alone, so it is not queued behind the
    // window (one round trip to show the target frame).
    if (!p.inflight(current)) load.push(current);
    return { load, keepFirst, keepLast: last, current };
  }
  let slots = p.maxInflight - p.inflightCount;
  for (let s = current + 1; s <= last && slots > 0; s++) {
    if (p.loaded(s) || p.inflight(s)) continue;
    load.push(s);
    slots--;
  }
  return { load, keepFirst, keepLast: last, current };
}
