// Text for numbers the page shows: song positions, times, parameter values.

/** Beats per bar from a time signature like "7/8" (quarter-note beats, as Live counts them). */
export function beatsPerBar(sig: unknown): number {
  if (typeof sig !== 'string') return 4;
  const m = /^(\d{1,2})\/(\d{1,2})$/.exec(sig);
  if (!m) return 4;
  const n = Number(m[1]);
  const d = Number(m[2]);
  return n > 0 && d > 0 ? (n * 4) / d : 4;
}

/** Live's "bar.beat.sixteenth" (1-based) for a song position in beats. */
export function barBeat(beats: number, perBar: number): string {
  if (!Number.isFinite(beats) || beats < 0) return '1.1.1';
  const bar = Math.floor(beats / perBar) + 1;
  const inBar = beats - (bar - 1) * perBar;
  const beat = Math.floor(inBar) + 1;
  const six = Math.floor((inBar - Math.floor(inBar)) * 4) + 1;
  return `${bar}.${beat}.${six}`;
}

export function formatParam(attrs: Readonly<Record<string, unknown>> | undefined): string {
  if (!attrs) return '';
  if (typeof attrs.display === 'string' && attrs.display.length > 0) return attrs.display;
  const v = attrs.value;
  if (typeof v === 'boolean') return v ? 'On' : 'Off';
  if (typeof v !== 'number' || !Number.isFinite(v)) return '–';
  const a = Math.abs(v);
  if (a !== 0 && (a >= 10_000 || a < 0.001)) return v.toExponential(2);
  return a >= 100 ? v.toFixed(0) : a >= 10 ? v.toFixed(1) : v.toFixed(2);
}

/** Where a parameter sits in its range, 0..1 (booleans are 0 or 1). */
export function paramFraction(attrs: Readonly<Record<string, unknown>> | undefined): number {
  if (!attrs) return 0;
  const v = attrs.value;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v !== 'number' || !Number.isFinite(v)) return 0;
  const { min, max } = attrs;
  const f = typeof min === 'number' && typeof max === 'number' && max > min ? (v - min) / (max - min) : v;
  return f < 0 ? 0 : f > 1 ? 1 : f;
}

export function text(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/**
 * A count with thousands separators ("12,345"). Not toLocaleString: its first call loads the
 * locale's ICU data, ~60 ms on the main thread in the frame the loading status first shows.
 */
export function count(n: number): string {
  if (!Number.isFinite(n)) return '–';
  return String(Math.trunc(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
