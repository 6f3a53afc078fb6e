// User Timing marks a page's main thread leaves for whoever measures it (the browser benchmark,
// DevTools): the socket opening and each snapshot applied (docs/client.md §4.1). The perf HUD's
// load figure is computed from these same two points.

export const SOCKET_OPEN_MARK = 'tidewire:socket-open';
export const SNAPSHOT_APPLIED_MARK = 'tidewire:snapshot-applied';

interface MarkingPerformance {
  now(): number;
  readonly timeOrigin: number;
  mark?(name: string, options?: { startTime?: number; detail?: unknown }): { startTime: number } | undefined;
}

const perf = (): MarkingPerformance => globalThis.performance as unknown as MarkingPerformance;

/** A time in ms since the Unix epoch (another thread's timeOrigin + now) on this thread's clock. */
export function fromEpoch(at: number): number {
  return at - perf().timeOrigin;
}

/**
 * Leaves mark `name` at `startTime` (this thread's performance.now() base; default now) and
 * returns the time it carries. Where User Timing is missing it only returns the time.
 */
export function markAt(name: string, startTime: number = perf().now(), detail?: unknown): number {
  const p = perf();
  if (typeof p.mark !== 'function') return startTime;
  // A negative startTime throws; a clock skew between threads must not lose the mark.
  const entry = p.mark(name, { startTime: Math.max(0, startTime), ...(detail === undefined ? {} : { detail }) });
  return entry?.startTime ?? startTime;
}
