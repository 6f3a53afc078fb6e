// Text for times and numbers the page shows.

/** Race clock: `1:02:15.3`, `32:15.3`, `0:05.0` (tenths). */
export function formatClock(ms: number): string {
  if (!Number.isFinite(ms)) return '–';
  const sign = ms < 0 ? '-' : '';
  const tenths = Math.floor(Math.abs(ms) / 100);
  const h = Math.floor(tenths / 36_000);
  const m = Math.floor((tenths % 36_000) / 600);
  const s = Math.floor((tenths % 600) / 10);
  const t = tenths % 10;
  const ss = `${String(s).padStart(2, '0')}.${t}`;
  return h > 0 ? `${sign}${h}:${String(m).padStart(2, '0')}:${ss}` : `${sign}${m}:${ss}`;
}

/** The speeds the transport offers. */
export const SPEEDS = [0.25, 0.5, 1, 2, 4, 8, 16] as const;

export function speedLabel(s: number): string {
  return `${s}×`;
}

/** A timeline channel name from the URL, or the default (names are 1–128 plain characters). */
export function timelineFromQuery(value: string | null, fallback = 'race'): string {
  return value !== null && /^[\w.:@-]{1,128}$/.test(value) ? value : fallback;
}
