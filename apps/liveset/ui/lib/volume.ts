// Mixer volume in the two forms the tree can hold: `fader` is Live's volume parameter (0..1,
// 0.85 = 0 dB, 1 = +6 dB), what AbletonOSC reports and what `track.volume` control expects;
// `volume` is the linear gain the .als stores (1 = 0 dB). The page works in fader units.

/** dB at fader positions below -18 dB, sampled from Live; above it the law is 40 dB per unit. */
const LOW: readonly (readonly [db: number, fader: number])[] = [
  [-70, 0],
  [-60, 0.0346],
  [-54, 0.0678],
  [-48, 0.1035],
  [-42, 0.1429],
  [-36, 0.187],
  [-30, 0.2384],
  [-24, 0.3024],
  [-18, 0.4],
];

export function faderToDb(fader: number): number {
  if (!(fader > 0)) return -Infinity;
  if (fader >= 0.4) return 40 * (Math.min(fader, 1) - 0.85);
  for (let i = 1; i < LOW.length; i++) {
    const [d1, f1] = LOW[i]!;
    if (fader <= f1) {
      const [d0, f0] = LOW[i - 1]!;
      return d0 + ((fader - f0) / (f1 - f0)) * (d1 - d0);
    }
  }
  return -18;
}

export function dbToFader(db: number): number {
  if (db >= -18) return Math.min(1, 0.85 + db / 40);
  if (db <= LOW[0]![0]) return 0;
  for (let i = 1; i < LOW.length; i++) {
    const [d1, f1] = LOW[i]!;
    if (db <= d1) {
      const [d0, f0] = LOW[i - 1]!;
      return f0 + ((db - d0) / (d1 - d0)) * (f1 - f0);
    }
  }
  return 0.4;
}

/** The fader position a track shows: Live's report, else the file's gain converted. */
export function trackFader(attrs: Readonly<Record<string, unknown>> | undefined): number | null {
  if (!attrs) return null;
  if (typeof attrs.fader === 'number' && Number.isFinite(attrs.fader)) return clamp(attrs.fader, 0, 1);
  if (typeof attrs.volume === 'number' && Number.isFinite(attrs.volume)) {
    return attrs.volume <= 0 ? 0 : dbToFader(20 * Math.log10(attrs.volume));
  }
  return null;
}

export function formatDb(db: number): string {
  if (!Number.isFinite(db) || db <= -69.5) return '-inf';
  const r = Math.round(db * 10) / 10;
  return `${r > 0 ? '+' : ''}${r.toFixed(1)}`;
}

export function formatPan(pan: number): string {
  const p = Math.round(pan * 50);
  return p === 0 ? 'C' : p < 0 ? `${-p}L` : `${p}R`;
}

export function clamp(v: number, min: number, max: number): number {
  return v < min ? min : v > max ? max : v;
}
