// Number formatting for readouts and the slider mapping (linear or logarithmic travel).

export function formatHz(hz: number): string {
  if (!Number.isFinite(hz)) return '—';
  // Thresholds on the rounded value: 999.97 Hz reads "1.00 kHz", not "1000 Hz".
  if (hz >= 9995) return `${(hz / 1000).toFixed(1)} kHz`;
  if (hz >= 999.5) return `${(hz / 1000).toFixed(2)} kHz`;
  if (hz >= 99.95) return `${hz.toFixed(0)} Hz`;
  return `${hz.toFixed(1)} Hz`;
}

export function formatDb(db: number, digits = 1): string {
  if (!Number.isFinite(db) || db <= -120) return '−∞';
  return `${db < 0 ? '−' : db > 0 ? '+' : ''}${Math.abs(db).toFixed(digits)}`;
}

export function formatValue(v: number, unit: string): string {
  switch (unit) {
    case 'Hz':
      return formatHz(v);
    case 'dB':
    case 'dBFS':
      return `${formatDb(v)} ${unit}`;
    case 's':
      return v < 1 ? `${(v * 1000).toFixed(v < 0.01 ? 2 : 1)} ms` : `${v.toFixed(2)} s`;
    case '%':
      return `${v.toFixed(0)} %`;
    case 'bool':
      return v > 0.5 ? 'on' : 'off';
    default:
      return Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(2);
  }
}

export type Scale = 'lin' | 'log';

/** Slider position (0..1) → value. */
export function fromTravel(t: number, min: number, max: number, scale: Scale): number {
  const x = Math.min(1, Math.max(0, t));
  return scale === 'log' && min > 0 ? min * Math.pow(max / min, x) : min + (max - min) * x;
}

/** Value → slider position (0..1). */
export function toTravel(v: number, min: number, max: number, scale: Scale): number {
  if (scale === 'log' && min > 0) return Math.log(Math.max(min, v) / min) / Math.log(max / min);
  return (v - min) / (max - min);
}
