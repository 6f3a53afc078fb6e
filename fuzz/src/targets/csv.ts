// Target csv (docs/fuzzing.md §2.9): a FastF1 telemetry CSV → importFastF1Csv (apps/replay,
// docs/replay-import.md §2): tokenizer, cell parsers, resampling, the timeline writer. A bad row
// is counted, not thrown; the import throws ImportError only. What imports must open as a
// timeline whose frames all decode (the importer's output, read back).
import { gunzipSync, gzipSync } from 'node:zlib';
import * as fc from 'fast-check';
import { importFastF1Csv, ImportError } from '@tidewire/replay';
import { FrameDecoder, TimelineReader } from '@tidewire/timeline';
import { hostileNumber, hostileString } from '../hostile.ts';
import { ContractViolation, type FuzzTarget } from '../target.ts';

const COLUMNS = ['', 'Date', 'SessionTime', 'Time', 'RPM', 'Speed', 'nGear', 'Throttle', 'Brake', 'DRS', 'Source', 'Distance', 'X', 'Y', 'Z', 'DriverNumber'];

function timedelta(ms: number): string {
  const s = ms / 1000;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return `0 days ${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:${(s % 60).toFixed(6).padStart(9, '0')}`;
}

function date(ms: number): string {
  return new Date(Date.UTC(2024, 4, 5, 20, 0, 0) + ms).toISOString().replace('T', ' ').replace('Z', '000');
}

function quote(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** A pandas-style export: `cars` cars, one row per car every 240 ms. */
function fixtureCsv(cars: number, rows: number, eol = '\n', bom = false): string {
  const lines = [COLUMNS.join(',')];
  let i = 0;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cars; c++) {
      const t = 3_600_000 + r * 240 + c * 13;
      const theta = r / 20 + c;
      const cells = [
        String(i++),
        date(t),
        timedelta(t),
        timedelta(r * 240),
        String(9000 + r),
        (180 + 40 * Math.sin(theta)).toFixed(3),
        String(3 + (r % 5)),
        String(r % 101),
        r % 7 === 0 ? 'True' : 'False',
        String(r % 3 === 0 ? 12 : 8),
        'interpolation, "pos"',
        (r * 12.5).toFixed(2),
        (3000 * Math.cos(theta)).toFixed(3),
        (2000 * Math.sin(theta)).toFixed(3),
        '-25.0',
        String([1, 44, 16][c % 3]),
      ];
      lines.push(cells.map(quote).join(','));
    }
  }
  return `${bom ? '\ufeff' : ''}${lines.join(eol)}${eol}`;
}

const encode = (text: string) => new TextEncoder().encode(text);

function seeds(): Uint8Array[] {
  return [
    encode(fixtureCsv(3, 12)),
    encode(fixtureCsv(2, 8, '\r\n', true)),
    // Date as the only clock.
    encode(
      fixtureCsv(2, 6)
        .split('\n')
        .map((l) =>
          l
            .split(',')
            .filter((_, i) => i !== 2)
            .join(','),
        )
        .join('\n'),
    ),
  ];
}

const numberText = fc.oneof(
  hostileNumber.map(String),
  fc.constantFrom('', 'NaN', 'nan', 'Infinity', '-0', '1e400', '1e-400', '+.5', '0x10', '1_000', ' 12 ', '١٢'),
  fc.double({ min: -1e4, max: 1e4, noNaN: true }).map((v) => v.toFixed(3)),
);
const timeText = fc.oneof(
  fc.integer({ min: 0, max: 100_000 }).map((ms) => timedelta(3_600_000 + ms)),
  fc.constantFrom('-1 days +23:59:59.500000', '99999999 days 00:00:00', '00:58:12.345', '58:60.0', '1e300', '', '2024-05-05 20:03:23.810', '0 days 99:99:99'),
  numberText,
  hostileString,
);
const cellFor: Record<string, fc.Arbitrary<string>> = {
  Date: fc.oneof(
    fc.integer({ min: 0, max: 100_000 }).map(date),
    fc.constantFrom('1949-12-31 23:59:59', '2199-12-31 23:59:59.999999', '2024-02-31 00:00:00', '2024-05-05T20:03:23Z', '+275760-09-13 00:00:00'),
    hostileString,
  ),
  SessionTime: timeText,
  DriverNumber: fc.oneof(fc.constantFrom('1', '44', '16', 'VER', '', '0', '-1', '1.5', 'x'.repeat(40)), hostileString),
  Brake: fc.oneof(fc.constantFrom('True', 'False', '1', '0', 'true', ''), numberText),
};
const anyCell = fc.oneof({ weight: 4, arbitrary: numberText }, { weight: 1, arbitrary: hostileString });

/** A header (columns in any order, some missing or doubled) and rows of hostile cells. */
const csvLike: fc.Arbitrary<Uint8Array> = fc
  .tuple(
    fc.shuffledSubarray(COLUMNS, { minLength: 1 }),
    fc.array(fc.constantFrom(...COLUMNS, 'x', ''), { maxLength: 2 }),
    fc.integer({ min: 0, max: 12 }),
    fc.constantFrom('\n', '\r\n', '\r'),
    fc.constantFrom(',', ',', ',', ';'),
  )
  .chain(([cols, extra, rows, eol, delim]) => {
    const header = [...cols, ...extra];
    const row = fc.tuple(...header.map((h) => cellFor[h] ?? anyCell));
    return fc.tuple(fc.constant(header), fc.array(row, { minLength: rows, maxLength: rows }), fc.constant(eol), fc.constant(delim), fc.boolean());
  })
  .map(([header, rows, eol, delim, quoteAll]) => {
    const q = (v: string) => (quoteAll ? `"${v.replace(/"/g, '""')}"` : v);
    return encode([header, ...rows].map((r) => r.map(q).join(delim)).join(eol));
  });

/** Options that keep one input's import small: 2 Hz frames over at most 6 minutes. */
const OPTIONS = { compress: (b: Uint8Array) => gzipSync(b, { level: 1 }), rateHz: 2, maxSpanHours: 0.1, name: 'fuzz' };

export const csv: FuzzTarget = {
  name: 'csv',
  what: 'importFastF1Csv of apps/replay on one FastF1-style CSV, the resulting timeline read back',
  async: true,
  seeds,
  generate: () => csvLike,
  async decode(input) {
    const result = await importFastF1Csv([input], OPTIONS);
    const reader = TimelineReader.open(result.file);
    if (reader.frameCount !== result.stats.frames) throw new ContractViolation(`stats say ${result.stats.frames} frames, the file holds ${reader.frameCount}`);
    const decoder = new FrameDecoder(reader.schema);
    for (let n = 0; n < reader.segmentCount; n++) {
      const seg = await reader.decodeSegment(n, (z) => gunzipSync(z));
      decoder.reset();
      for (const f of seg.frames) decoder.decode(f);
    }
    return result.stats;
  },
  documented: (err) => ImportError.is(err),
};
