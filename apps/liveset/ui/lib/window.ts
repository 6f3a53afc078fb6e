// Virtualisation on one axis: which of `count` fixed-size items intersect the visible span.

export interface Span {
  /** First item index shown. */
  start: number;
  /** One past the last item index shown. */
  end: number;
}

/**
 * Items of size `size` laid out from 0; the viewport shows [offset, offset + extent). Adds
 * `overscan` items each side so a small scroll does not expose blank space before the next
 * render.
 */
export function visibleSpan(offset: number, extent: number, size: number, count: number, overscan: number): Span {
  if (!(count > 0) || !(size > 0)) return { start: 0, end: 0 };
  const o = Math.max(0, Number.isFinite(offset) ? offset : 0);
  const e = Math.max(0, Number.isFinite(extent) ? extent : 0);
  const first = Math.floor(o / size);
  const last = Math.ceil((o + e) / size);
  const start = Math.max(0, Math.min(count, first - overscan));
  const end = Math.max(start, Math.min(count, last + overscan));
  return { start, end };
}
