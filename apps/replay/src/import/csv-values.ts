// Cell parsers for FastF1 CSVs as pandas writes them (docs/replay-import.md §2.2). Each returns
// the value, NaN for an empty cell (pandas writes NaN as nothing), or undefined when the text is
// not a value of that kind (the row is then bad).

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** A decimal number ("12", "-3.5", "1e3"); not hex, not "Infinity". */
export function parseNumber(text: string): number | undefined {
  const t = text.trim();
  if (t === '') return NaN;
  if (!DECIMAL.test(t)) return undefined;
  const v = Number(t);
  return Number.isFinite(v) ? v : undefined;
}

// pandas Timedelta: "0 days 00:58:12.345000", "-1 days +23:59:59.500000"; also "00:58:12.345",
// "58:12.345" and plain seconds.
const TIMEDELTA = /^([+-]?\d+) days? ([+-]?)(\d{1,2}):(\d{2}):(\d{2}(?:\.\d+)?)$/;
const CLOCK = /^([+-]?)(?:(\d+):)?(\d{1,2}):(\d{2}(?:\.\d+)?)$/;

/** A session time → milliseconds. */
export function parseSessionTime(text: string): number | undefined {
  const t = text.trim();
  if (t === '') return NaN;
  let m = TIMEDELTA.exec(t);
  if (m) {
    const days = Number(m[1]);
    const sign = m[2] === '-' ? -1 : 1;
    const h = Number(m[3]),
      min = Number(m[4]),
      s = Number(m[5]);
    if (min > 59 || s >= 60) return undefined;
    return days * 86_400_000 + sign * ((h * 60 + min) * 60 + s) * 1000;
  }
  m = CLOCK.exec(t);
  if (m) {
    const sign = m[1] === '-' ? -1 : 1;
    const h = m[2] === undefined ? 0 : Number(m[2]);
    const min = Number(m[3]),
      s = Number(m[4]);
    if (s >= 60 || (m[2] !== undefined && min > 59)) return undefined;
    return sign * ((h * 60 + min) * 60 + s) * 1000;
  }
  const v = parseNumber(t);
  return v === undefined || Number.isNaN(v) ? v : v * 1000;
}

// "2024-05-05 20:03:23.810", "2024-05-05T20:03:23.810000Z", "…+02:00". FastF1 dates are UTC
// without a zone, so no zone means UTC. Parsed by hand: Date.parse of a space-separated or
// microsecond date is implementation-defined, and sub-millisecond digits would be lost.
const DATE = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/;

/** A date-time → milliseconds since the epoch (fractional). */
export function parseDate(text: string): number | undefined {
  const t = text.trim();
  if (t === '') return NaN;
  const m = DATE.exec(t);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = [1, 2, 3, 4, 5, 6].map((k) => Number(m[k]));
  if (mo! < 1 || mo! > 12 || d! < 1 || d! > 31 || h! > 23 || mi! > 59 || s! > 60) return undefined;
  let ms = Date.UTC(y!, mo! - 1, d!, h!, mi!, s!);
  if (m[7]) ms += Number(m[7]) * 1000;
  const zone = m[8];
  if (zone && zone !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    ms -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
  }
  return ms;
}

/** Brake: True/False (pandas), 1/0, or a percentage (older feeds): > 0 is braking. */
export function parseBrake(text: string): number | undefined {
  const t = text.trim();
  if (t === '') return NaN;
  const l = t.toLowerCase();
  if (l === 'true') return 1;
  if (l === 'false') return 0;
  const v = parseNumber(t);
  if (v === undefined || v < 0) return undefined;
  return v > 0 ? 1 : 0;
}

/**
 * DRS: FastF1 passes the F1 live-timing code through: 0 and 1 off, 8 detected (eligible in the
 * next zone), 10, 12 and 14 open. Open is what the timeline's `drs` means.
 */
export function parseDrs(text: string): number | undefined {
  const v = parseNumber(text);
  if (v === undefined || Number.isNaN(v)) return v;
  if (!Number.isInteger(v) || v < 0 || v > 255) return undefined;
  return v >= 10 ? 1 : 0;
}

/** A driver number as FastF1 writes it ("44", or "44.0" from a float column) → its canonical text. */
export function parseDriver(text: string): string | undefined {
  const t = text.trim();
  const m = /^(\d{1,3})(?:\.0+)?$/.exec(t);
  if (m) return String(Number(m[1]));
  // Some exports carry the three-letter code instead; accept short identifiers as they are.
  return /^[A-Za-z][A-Za-z0-9_-]{0,15}$/.test(t) ? t : undefined;
}
