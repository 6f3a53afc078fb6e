// FastF1 CSV importer (docs/replay-import.md §2): tokenizer, resampling against the analytic
// path, robustness (BOM, CRLF, quoting, chunking, extra and missing columns), bad rows with
// line numbers, limits, the track outline, and `tidewire replay import-csv`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seedHint, testSeed } from '@tidewire/random';
import { gzip } from '../src/generate/load.ts';
import { readReplayInfo } from '../src/index.ts';
import { CsvTokenizer } from '../src/import/csv-tokenizer.ts';
import { BAD_ROW_CODES, IMPORT_ERROR_CODES, createReplayImportCsvCommand, importFastF1Csv, importFastF1CsvFile, ImportError } from '../src/import/index.ts';
import type { CsvImportOptions } from '../src/import/index.ts';
import { circuitAt, FIXTURE_CARS, sampleCars, toCsv, truthAt, type Sample } from './fixtures/fastf1-csv.ts';
import { cell, decodeAll } from './fixtures/timeline-frames.ts';

const SEED = testSeed();
const samples = sampleCars(SEED);
const csv = toCsv(samples);

/** The circuit's tightest radius (three-point circumradius over a dense sampling). */
const R_MIN = (() => {
  const n = 20000;
  let r = Infinity;
  for (let k = 0; k < n; k++) {
    const [a, b, c] = [k - 1, k, k + 1].map((j) => circuitAt((2 * Math.PI * j) / n));
    const ab = Math.hypot(b!.x - a!.x, b!.y - a!.y),
      bc = Math.hypot(c!.x - b!.x, c!.y - b!.y),
      ca = Math.hypot(a!.x - c!.x, a!.y - c!.y);
    const area2 = Math.abs((b!.x - a!.x) * (c!.y - a!.y) - (c!.x - a!.x) * (b!.y - a!.y));
    if (area2 > 0) r = Math.min(r, (ab * bc * ca) / (2 * area2));
  }
  return r;
})();

function run(text: string | string[], options: Partial<CsvImportOptions> = {}) {
  return importFastF1Csv(typeof text === 'string' ? [text] : text, { compress: gzip, sourceName: 'fixture.csv', ...options });
}

async function rejects(p: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(ImportError.is(e), `an ImportError, got ${String(e)}`);
    assert.equal(e.code, code);
    return true;
  });
}

/** What the CSV says after its 3-decimal rounding of 1/10 m and km/h. */
function written(s: Sample): { x: number; y: number; speed: number } {
  return { x: Number((s.x * 10).toFixed(3)) / 10, y: Number((s.y * 10).toFixed(3)) / 10, speed: Number(s.speedKmh.toFixed(3)) };
}

test('§1.2 tokenizer: quotes, doubled quotes, line breaks in quotes, CRLF/LF/CR, BOM and blank lines, with the line each record starts on', () => {
  const text = '\uFEFFa,b,c\r\n1,"x,\r\ny",3\r\n\r\n4,"q""r",\n5,6\r7\n"8"x,9';
  const records: Array<[string[], number, string | null]> = [];
  const tk = new CsvTokenizer();
  // One character at a time: every state must survive a chunk boundary.
  for (const ch of text) tk.push(ch, (f, l, b) => records.push([f, l, b]));
  tk.end((f, l, b) => records.push([f, l, b]));
  assert.deepEqual(records, [
    [['a', 'b', 'c'], 1, null],
    [['1', 'x,\r\ny', '3'], 2, null],
    [['4', 'q"r', ''], 5, null],
    [['5', '6'], 6, null],
    [['7'], 7, null],
    [['8x', '9'], 8, null],
  ]);
});

test('§1.2 tokenizer: an oversized field or record, and a quote left open at the end, make bad records without stopping the rest', () => {
  const records: Array<[string[], number, string | null]> = [];
  const tk = new CsvTokenizer({ maxFieldChars: 8, maxFields: 3 });
  const sink = (f: string[], l: number, b: string | null) => records.push([f, l, b]);
  tk.push('a,b\n123456789,x\n1,2,3,4\nok,1\n"op\nst', sink);
  tk.end(sink);
  assert.equal(records.length, 5);
  assert.deepEqual(records[0], [['a', 'b'], 1, null]);
  assert.equal(records[1]![1], 2);
  assert.match(records[1]![2]!, /longer than 8/);
  assert.equal(records[2]![1], 3);
  assert.match(records[2]![2]!, /more than 3 fields/);
  assert.deepEqual(records[3], [['ok', '1'], 4, null]);
  assert.equal(records[4]![1], 5);
  assert.match(records[4]![2]!, /not closed/);
});

test('§2.3 resampling: 25 Hz frames equal the linear interpolation of each car’s samples and stay within the chord sag of the analytic path', async () => {
  try {
    const r = await run(csv);
    const d = await decodeAll(r.file);
    assert.equal(r.stats.rows, samples.length);
    assert.equal(r.stats.samples, samples.length);
    assert.equal(r.stats.badRows, 0);
    assert.equal(r.stats.timeColumn, 'SessionTime');
    assert.deepEqual(
      d.reader.schema.entities.map((e) => e.id),
      ['1', '16', '44'],
    );
    const t0 = Math.min(...samples.map((s) => s.t));
    const tEnd = Math.max(...samples.map((s) => s.t));
    assert.equal(d.frames.length, Math.floor((tEnd - t0) * 25 + 1e-6) + 1);
    let checked = 0,
      worst = 0;
    for (const car of FIXTURE_CARS) {
      const own = samples.filter((s) => s.car === car).sort((a, b) => a.t - b.t);
      const id = String(car.number);
      for (let k = 0; k < d.frames.length; k++) {
        const t = t0 + k * 0.04;
        assert.equal(d.times[k], k * 40);
        if (t < own[0]!.t - 1e-9 || t > own[own.length - 1]!.t + 1e-9) {
          for (const f of Object.keys(d.col))
            assert.ok(Number.isNaN(cell(d, k, id, f)), `car ${id} frame ${k} (${t.toFixed(2)} s): ${f} absent outside its samples`);
          continue;
        }
        let i = 0;
        while (i + 1 < own.length && own[i + 1]!.t <= t + 1e-9) i++;
        const a = own[i]!,
          b = own[Math.min(i + 1, own.length - 1)]!;
        const alpha = b.t > a.t ? Math.max(0, (t - a.t) / (b.t - a.t)) : 0;
        const wa = written(a),
          wb = written(b);
        const ex = wa.x + (wb.x - wa.x) * alpha,
          ey = wa.y + (wb.y - wa.y) * alpha;
        const x = cell(d, k, id, 'x'),
          y = cell(d, k, id, 'y');
        assert.ok(Math.abs(x - ex) <= 0.0051 && Math.abs(y - ey) <= 0.0051, `car ${id} frame ${k}: (${x}, ${y}) vs interpolated (${ex}, ${ey})`);
        const truth = truthAt(car, t);
        const err = Math.hypot(x - truth.x, y - truth.y);
        worst = Math.max(worst, err);
        // A chord of length c across a bend of radius ≥ R sags at most c²/(8R) from it.
        const chord = Math.hypot(wb.x - wa.x, wb.y - wa.y);
        const sag = (chord * chord) / (8 * R_MIN) + 0.02;
        assert.ok(err <= sag, `car ${id} frame ${k}: ${err.toFixed(3)} m from the analytic path (chord ${chord.toFixed(1)} m allows ${sag.toFixed(3)})`);
        const es = wa.speed + (wb.speed - wa.speed) * alpha;
        assert.ok(Math.abs(cell(d, k, id, 'speed') - es) <= 0.051, `car ${id} frame ${k}: speed`);
        assert.ok(Math.abs(cell(d, k, id, 'speed') - truth.speedKmh) < 1.5, `car ${id} frame ${k}: speed vs analytic`);
        // Step fields: the sample at or before t.
        assert.equal(cell(d, k, id, 'gear'), a.gear);
        assert.equal(cell(d, k, id, 'brake'), a.brake ? 1 : 0);
        assert.equal(cell(d, k, id, 'drs'), a.drs >= 10 ? 1 : 0);
        // Rounded to a whole percent (a half-way case may go either way with the clock's rounding).
        const th = a.throttle > 100 || (alpha > 0 && b.throttle > 100) ? NaN : a.throttle + (b.throttle - a.throttle) * alpha;
        const gotTh = cell(d, k, id, 'throttle');
        if (Number.isNaN(th)) assert.ok(Number.isNaN(gotTh), `car ${id} frame ${k}: throttle absent`);
        else assert.ok(Number.isInteger(gotTh) && Math.abs(gotTh - th) <= 0.5 + 1e-6, `car ${id} frame ${k}: throttle ${gotTh} vs ${th}`);
        assert.equal(cell(d, k, id, 'status'), 0);
        for (const f of ['lap', 'position', 'gapToLeader', 'distance']) assert.ok(Number.isNaN(cell(d, k, id, f)));
        checked++;
      }
    }
    assert.ok(checked > 3000, `${checked} cells checked`);
    assert.ok(worst > 0.01, `worst ${worst} m: the check sees interpolation error`);
    assert.ok(
      d.frames.some((_, k) => cell(d, k, '44', 'drs') === 1),
      'DRS opens',
    );
  } catch (e) {
    console.log(`# failing ${seedHint(SEED)}`);
    throw e;
  }
});

test('§2.3 row order does not matter: car after car gives the same bytes as time order', async () => {
  const a = await run(csv);
  const b = await run(toCsv(samples, { order: 'car' }));
  assert.deepEqual(b.file, a.file);
});

test('§2.2 BOM, CRLF, quoted fields with commas and line breaks, and any chunking give the same timeline', async () => {
  const plain = await run(csv);
  const quirky = toCsv(samples, { bom: true, eol: '\r\n' }).replace(/interpolation, ""pos""/g, 'interpolation,\r\n""pos""');
  assert.notEqual(quirky, csv);
  const bytes = new TextEncoder().encode(quirky);
  const chunks: Uint8Array[] = [];
  // 7-byte chunks split the BOM, CRLFs and quoted fields.
  for (let i = 0; i < bytes.length; i += 7) chunks.push(bytes.subarray(i, i + 7));
  const r = await importFastF1Csv(chunks, { compress: gzip, sourceName: 'fixture.csv' });
  assert.equal(r.stats.badRows, 0);
  assert.deepEqual(r.file, plain.file);
  assert.deepEqual(r.stats.ignoredColumns, ['DriverAhead', 'DistanceToDriverAhead', 'Time', 'RPM', 'Source', 'Distance', 'Status']);
});

test('§2.2 Date as the time base gives the same frames as SessionTime', async () => {
  const bySession = await decodeAll((await run(csv)).file);
  const r = await run(toCsv(samples, { drop: ['SessionTime'] }));
  assert.equal(r.stats.timeColumn, 'Date');
  const byDate = await decodeAll(r.file);
  assert.equal(byDate.frames.length, bySession.frames.length);
  for (let k = 0; k < byDate.frames.length; k += 7) assert.deepEqual(byDate.frames[k], bySession.frames[k]);
  assert.equal((r.schema.static!.source as { startTime: string }).startTime, '2024-05-05T15:00:00.000Z');
  // --time Date picks it even when SessionTime is there.
  const forced = await run(csv, { timeColumn: 'Date' });
  assert.equal(forced.stats.timeColumn, 'Date');
});

test('§2.2 missing optional columns: their fields are absent, the rest is imported', async () => {
  const r = await run(toCsv(samples, { drop: ['Speed', 'nGear', 'Throttle', 'Brake', 'DRS', 'Z'] }));
  assert.deepEqual(r.stats.missingColumns, ['Speed', 'nGear', 'Throttle', 'Brake', 'DRS']);
  assert.ok(r.warnings.some((w) => /Speed, nGear, Throttle, Brake, DRS/.test(w)));
  const d = await decodeAll(r.file);
  const k = 500;
  assert.ok(Number.isFinite(cell(d, k, '44', 'x')));
  for (const f of ['speed', 'gear', 'throttle', 'brake', 'drs']) assert.ok(Number.isNaN(cell(d, k, '44', f)), f);
});

test('§2.2 a missing required column is IMPORT_MISSING_COLUMN naming it', async () => {
  for (const drop of [['X'], ['DriverNumber'], ['SessionTime', 'Date']]) {
    await assert.rejects(run(toCsv(samples, { drop })), (e: unknown) => {
      assert.ok(ImportError.is(e));
      assert.equal(e.code, 'IMPORT_MISSING_COLUMN');
      assert.match(e.message, new RegExp(drop.length === 2 ? 'SessionTime or Date' : drop[0]!));
      return true;
    });
  }
  await rejects(run(toCsv(samples, { drop: ['Date'] }), { timeColumn: 'Date' }), 'IMPORT_MISSING_COLUMN');
  await rejects(run(''), 'IMPORT_MISSING_COLUMN');
});

test('§2.4 bad rows are skipped, counted and listed with their line numbers', async () => {
  const lines = csv.trimEnd().split('\n');
  const good = lines.length - 1;
  const bad = [
    '9001,2024-05-05 15:00:01,not a time,,,,,100,3,50,True,0,car,1,OnTrack,100,100,0,44',
    '9002,2024-05-05 15:00:01,0 days 01:00:01.000000,,,,,100,3,50,True,0,car,1,OnTrack,,100,0,44',
    '9003,2024-05-05 15:00:01,0 days 01:00:01.000000,,,,,100,3,50,True,0,car,1,OnTrack,100,100,0,#44',
    '9004,short,row',
    '9005,2024-05-05 15:00:01,0 days 01:00:01.000000,,,,,-5,3,50,True,0,car,1,OnTrack,100,100,0,44',
    '9006,2024-05-05 15:00:01,0 days 01:00:01.000000,,,,,100,3.5,50,True,0,car,1,OnTrack,100,100,0,44',
    '9007,2024-05-05 15:00:01,0 days 01:00:01.000000,,,,,100,3,50,maybe,0,car,1,OnTrack,100,100,0,44',
    '9008,2024-05-05 15:00:01,0 days 01:00:01.000000,,,,,100,3,50,True,0x10,car,1,OnTrack,100,100,0,44',
  ];
  // Bad rows at lines 3, 11, 19, …; then an unterminated quote at the very end.
  const out = [lines[0]!];
  const badLines: number[] = [];
  let next = 1;
  for (const b of bad) {
    for (let k = 0; k < 7; k++) out.push(lines[next++]!);
    out.push(b);
    badLines.push(out.length);
  }
  out.push(...lines.slice(next));
  out.push('9009,"unterminated');
  badLines.push(out.length);
  const r = await run(`${out.join('\n')}\n`);
  assert.equal(r.stats.rows, good + bad.length + 1);
  assert.equal(r.stats.samples, good);
  assert.equal(r.stats.badRows, bad.length + 1);
  assert.deepEqual(
    r.stats.badRowList.map((b) => b.line),
    badLines,
  );
  assert.match(r.stats.badRowList[0]!.reason, /SessionTime "not a time"/);
  assert.match(r.stats.badRowList[1]!.reason, /X\/Y/);
  assert.match(r.stats.badRowList[2]!.reason, /DriverNumber/);
  assert.match(r.stats.badRowList[3]!.reason, /3 fields/);
  assert.match(r.stats.badRowList[4]!.reason, /Speed/);
  assert.match(r.stats.badRowList[5]!.reason, /nGear/);
  assert.match(r.stats.badRowList[6]!.reason, /Brake/);
  assert.match(r.stats.badRowList[7]!.reason, /DRS/);
  assert.match(r.stats.badRowList[8]!.reason, /not closed/);
  assert.deepEqual(
    r.stats.badRowList.map((b) => b.code),
    ['BAD_TIME', 'BAD_POSITION', 'BAD_DRIVER', 'TOO_FEW_FIELDS', 'BAD_SPEED', 'BAD_GEAR', 'BAD_BRAKE', 'BAD_DRS', 'MALFORMED'],
  );
  // The good rows still give the clean import's frames.
  assert.deepEqual((await decodeAll(r.file)).frames, (await decodeAll((await run(csv)).file)).frames);
  const capped = await run(`${out.join('\n')}\n`, { listBadRows: 2 });
  assert.equal(capped.stats.badRows, bad.length + 1);
  assert.equal(capped.stats.badRowList.length, 2);
});

test('§2.4 one absurd but finite timestamp aborted the import: a time outside the plausible range is a bad row', async () => {
  // Regression (issue 12): SessionTime 1e308 (→ Infinity ms) or 1e20 s made the span huge and
  // the whole import failed with IMPORT_LIMIT, while NaN rows were merely skipped.
  const lines = csv.trimEnd().split('\n');
  const row = (sessionTime: string, date = '2024-05-05 15:00:01') => `9100,${date},${sessionTime},,,,,100,3,50,True,0,car,1,OnTrack,100,100,0,44`;
  const insert = (odd: string[]): { text: string; badLines: number[] } => {
    const out = [lines[0]!];
    const badLines: number[] = [];
    let next = 1;
    for (const o of odd) {
      for (let k = 0; k < 7; k++) out.push(lines[next++]!);
      out.push(o);
      badLines.push(out.length);
    }
    out.push(...lines.slice(next));
    return { text: `${out.join('\n')}\n`, badLines };
  };
  const clean = await decodeAll((await run(csv)).file);

  const times = ['1e308', '1e20', '-1e20', '-1e308', '604801', '99999999 days 00:00:00.000000', '-8 days +00:00:00.000000'];
  const { text, badLines } = insert(times.map((t) => row(t)));
  const r = await run(text);
  assert.equal(r.stats.badRows, times.length);
  assert.deepEqual(
    r.stats.badRowList.map((b) => [b.line, b.code]),
    badLines.map((line) => [line, 'TIME_OUT_OF_RANGE']),
  );
  assert.match(r.stats.badRowList[0]!.reason, /SessionTime "1e308"/);
  assert.deepEqual((await decodeAll(r.file)).frames, clean.frames);

  const dates = ['0001-01-01 00:00:00', '1949-12-31 23:59:59', '2200-01-01 00:00:00', '9999-12-31 23:59:59.999'];
  const byDate = insert(dates.map((d) => row('0 days 01:00:01.000000', d)));
  const rd = await run(byDate.text, { timeColumn: 'Date' });
  assert.deepEqual(
    rd.stats.badRowList.map((b) => [b.line, b.code]),
    byDate.badLines.map((line) => [line, 'TIME_OUT_OF_RANGE']),
  );
  assert.deepEqual((await decodeAll(rd.file)).frames, (await decodeAll((await run(csv, { timeColumn: 'Date' })).file)).frames);

  // -0 s is time 0, inside the range: imported, not bad (and the ends of the range are good).
  const edge = await run('SessionTime,DriverNumber,X,Y\n-0,7,0,0\n0.2,7,20,0\n604800,8,0,0\n', { maxSpanHours: 200 });
  assert.equal(edge.stats.badRows, 0);
  assert.equal(edge.stats.samples, 3);
});

test('§2.5 limits: rows, drivers and time span are capped; no usable row is IMPORT_NO_DATA', async () => {
  await rejects(run(csv, { maxRows: 100 }), 'IMPORT_LIMIT');
  const two = await run(csv, { maxDrivers: 2 });
  assert.equal(two.stats.cars, 2);
  assert.ok(two.stats.badRowList.every((b) => /more than 2 distinct/.test(b.reason)));
  await rejects(run(csv, { maxSpanHours: 0.01 }), 'IMPORT_LIMIT');
  await rejects(run('SessionTime,DriverNumber,X,Y\nx,1,2,3\n'), 'IMPORT_NO_DATA');
  await rejects(run(csv, { rateHz: 0 }), 'IMPORT_BAD_OPTION');
  await rejects(run(csv, { maxGapSec: -1 }), 'IMPORT_BAD_OPTION');
});

test('§2.3 a gap longer than maxGapSec leaves the car absent inside it; duplicate times keep the later row', async () => {
  const text = ['SessionTime,DriverNumber,X,Y,Speed', '0.0,7,0,0,100', '0.2,7,20,0,100', '0.2,7,40,0,120', '10.2,7,60,0,100', '10.4,7,80,0,100', ''].join('\n');
  const r = await run(text, { maxGapSec: 5 });
  assert.equal(r.stats.duplicateTimes, 1);
  const d = await decodeAll(r.file);
  assert.equal(cell(d, 5, '7', 'x'), 4); // 0.2 s: the later of the two rows (40 in 1/10 m)
  assert.equal(cell(d, 5, '7', 'speed'), 120);
  assert.ok(Number.isNaN(cell(d, 6, '7', 'x')), 'inside the 10 s gap');
  assert.ok(Number.isNaN(cell(d, 6, '7', 'status')));
  assert.equal(cell(d, 255, '7', 'x'), 6);
  assert.equal(cell(d, 260, '7', 'x'), 8);
  const wide = await decodeAll((await run(text, { maxGapSec: 20 })).file);
  assert.equal(cell(wide, 130, '7', 'x'), 5); // 5.2 s: halfway across the gap
});

test('§2.5 static metadata: the generator’s envelope, entities by number, a closed track outline on the circuit', async () => {
  const r = await run(csv, { name: 'Fixture GP' });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the test walks the static JSON freely; assertions check its shape
  const st = r.schema.static as Record<string, any>;
  assert.equal(st.format, 'tidewire-race-replay');
  assert.equal(st.version, 1);
  assert.deepEqual(st.race, { name: 'Fixture GP' });
  assert.deepEqual(st.statusNames, ['racing', 'pit', 'retired', 'finished', 'did-not-start']);
  assert.deepEqual(st.classification, []);
  assert.equal(st.source.kind, 'fastf1-csv');
  assert.equal(st.source.sessionTimeSec, 3600);
  assert.equal(r.schema.name, 'import-Fixture GP');
  assert.deepEqual(
    r.schema.fields.map((f) => f.name),
    ['x', 'y', 'speed', 'gear', 'throttle', 'brake', 'drs', 'lap', 'position', 'gapToLeader', 'status', 'distance'],
  );
  const e44 = r.schema.entities.find((e) => e.id === '44')!;
  assert.equal(e44.number, 44);
  assert.equal(e44.name, 'Car 44');
  assert.match(String(e44.color), /^#[0-9A-F]{6}$/);
  assert.equal(new Set(r.schema.entities.map((e) => e.color)).size, 3);
  // The outline: one lap of the circuit, every point on it, the right length.
  const track = st.track;
  assert.equal(track.closed, true);
  assert.ok(track.points.length > 100 && track.points.length <= 600, `${track.points.length} points`);
  const dense: Array<{ x: number; y: number }> = [];
  for (let k = 0; k < 20000; k++) dense.push(circuitAt((2 * Math.PI * k) / 20000));
  let perimeter = 0;
  for (let k = 0; k < dense.length; k++)
    perimeter += Math.hypot(dense[(k + 1) % dense.length]!.x - dense[k]!.x, dense[(k + 1) % dense.length]!.y - dense[k]!.y);
  assert.ok(Math.abs(track.lengthM - perimeter) / perimeter < 0.02, `outline ${track.lengthM} m, circuit ${perimeter.toFixed(1)} m`);
  for (const [x, y] of track.points) {
    const d = Math.min(...dense.map((p) => Math.hypot(p.x - x, p.y - y)));
    assert.ok(d < 1.5, `outline point (${x}, ${y}) is ${d.toFixed(2)} m off the circuit (${seedHint(SEED)})`);
  }
  // `tidewire replay info` reads an imported file.
  const info = readReplayInfo(r.file);
  assert.deepEqual(
    info.entities.map((e) => e.number),
    [1, 16, 44],
  );
  assert.deepEqual(info.classification, []);
});

test('§2.6 tidewire replay import-csv: writes the file, reports bad rows with line numbers, exit codes 0 / 1 / 2', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'tw-import-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const input = join(dir, 'session.csv');
  await writeFile(input, `${csv}not,a,good,row\n`);
  const out: string[] = [],
    err: string[] = [];
  const cmd = createReplayImportCsvCommand({ write: (s) => void out.push(s) }, { write: (s) => void err.push(s) });
  const outFile = join(dir, 'session.tl');
  assert.equal(await cmd.run([input, '--out', outFile, '--name', 'Test']), 0, err.join(''));
  assert.match(out.join(''), /wrote .*session\.tl: 3 cars, \d+ frames/);
  assert.match(err.join(''), new RegExp(`1 bad row skipped:\\n  line ${csv.trimEnd().split('\n').length + 1}: `));
  const direct = await importFastF1CsvFile(input, { name: 'Test' });
  assert.deepEqual(new Uint8Array(await readFile(outFile)), direct.file);

  err.length = 0;
  assert.equal(await cmd.run([join(dir, 'missing.csv'), '--out', outFile]), 1);
  assert.match(err.join(''), /IMPORT_DATA_MISSING/);
  await writeFile(input, 'a,b\n1,2\n');
  err.length = 0;
  assert.equal(await cmd.run([input, '--out', outFile]), 1);
  assert.match(err.join(''), /IMPORT_MISSING_COLUMN/);
  for (const args of [
    [input],
    [input, '--out'],
    [input, '--out', outFile, '--rate', '0'],
    [input, '--bogus', 'x', '--out', outFile],
    ['--out', outFile],
    [input, '--out', outFile, '--time', 'Lap'],
  ]) {
    assert.equal(await cmd.run(args), 2, args.join(' '));
  }
  out.length = 0;
  assert.equal(await cmd.run(['--help']), 0);
  assert.match(out.join(''), /usage: tidewire replay import-csv/);
});

test('§5 every error code is documented in docs/replay-import.md', async () => {
  const doc = await readFile(new URL('../../../docs/replay-import.md', import.meta.url), 'utf8');
  for (const code of Object.keys(IMPORT_ERROR_CODES)) assert.ok(doc.includes(`\`${code}\``), `${code} is documented`);
});

test('§2.4 every bad-row code is documented in docs/replay-import.md §2.4', async () => {
  const doc = await readFile(new URL('../../../docs/replay-import.md', import.meta.url), 'utf8');
  const section = doc.slice(doc.indexOf('### 2.4'), doc.indexOf('### 2.5'));
  for (const code of Object.keys(BAD_ROW_CODES)) assert.match(section, new RegExp(`^\\| \`${code}\` \\|`, 'm'), `${code} is in §2.4`);
});
