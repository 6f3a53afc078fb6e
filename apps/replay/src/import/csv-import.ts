// FastF1-style telemetry CSV → race replay timeline (docs/replay-import.md §2). The text is
// streamed through the tokenizer; each good row goes into its car's typed columns (car-samples.ts);
// then every car is resampled onto one 25 Hz time base and the frames are encoded as they are
// made. Isomorphic: the caller passes the chunks and the gzip compressor (csv-file.ts does both
// for Node).
import { TimelineWriter, type Compress, type EntityDef, type TimelineSchema } from '@tidewire/timeline';
import { round } from '../generate/generate.ts';
import { FIELDS, Status } from '../generate/render.ts';
import { CarCursor, CarSamples } from './car-samples.ts';
import { COL, DEFAULT_RATE_HZ, F, IMPORTER, importedStatic, outlineFromPath, paletteColor } from './common.ts';
import { CsvTokenizer } from './csv-tokenizer.ts';
import { parseBrake, parseDate, parseDrs, parseDriver, parseNumber, parseSessionTime } from './csv-values.ts';
import { ImportError } from './errors.ts';

export interface CsvImportOptions {
  compress: Compress;
  /** Frame rate, 1–100 Hz; default 25. */
  rateHz?: number;
  /** Shown as the race name and used in the schema name; default the source name. */
  name?: string;
  /** Where the rows came from (a file name), recorded in static.source. */
  sourceName?: string;
  /** `SessionTime` or `Date`; default SessionTime when present (one clock for every car). */
  timeColumn?: 'SessionTime' | 'Date';
  /** A car is absent inside a gap between two samples longer than this; default 5 s. */
  maxGapSec?: number;
  /** Data rows at most (bad ones included); default 20,000,000. */
  maxRows?: number;
  /** Distinct cars at most; default 64. */
  maxDrivers?: number;
  /** Time from the first to the last sample at most; default 12 h (several sessions mixed up, or a bad clock). */
  maxSpanHours?: number;
  /** Bad rows listed in the result (all are counted); default 20. */
  listBadRows?: number;
}

/** Why a row was skipped (docs/replay-import.md §2.4). Stable: tests and tools compare the code. */
export const BAD_ROW_CODES = {
  MALFORMED: { description: 'the tokenizer marked the record (a quote left open, text after a closing quote)' },
  TOO_FEW_FIELDS: { description: 'fewer fields than the required columns need' },
  BAD_TIME: { description: 'the time cell is empty or not a time' },
  TIME_OUT_OF_RANGE: { description: 'the time parses but is outside the plausible range (SessionTime beyond ±7 days, Date before 1950 or from 2200)' },
  BAD_DRIVER: { description: 'DriverNumber is not a driver number or code' },
  BAD_POSITION: { description: 'X or Y is empty, not a number, or beyond ±1000 km' },
  BAD_SPEED: { description: 'Speed is not a speed in 0–1000 km/h' },
  BAD_GEAR: { description: 'nGear is not an integer in −1…15' },
  BAD_THROTTLE: { description: 'Throttle is not a number ≥ 0' },
  BAD_BRAKE: { description: 'Brake is not True/False or a number ≥ 0' },
  BAD_DRS: { description: 'DRS is not an integer code 0–255' },
  TOO_MANY_DRIVERS: { description: 'the row is of a car beyond maxDrivers' },
} as const;

export type BadRowCode = keyof typeof BAD_ROW_CODES;

export interface BadRow {
  line: number;
  code: BadRowCode;
  reason: string;
}

export interface CsvImportStats {
  /** Data rows read (after the header; blank lines not counted). */
  rows: number;
  /** Rows kept as samples. */
  samples: number;
  badRows: number;
  /** The first `listBadRows` bad rows, in file order. */
  badRowList: BadRow[];
  /** Samples dropped because another row of the same car had the same time (the later row wins). */
  duplicateTimes: number;
  cars: number;
  frames: number;
  durationSec: number;
  fileBytes: number;
  timeColumn: 'SessionTime' | 'Date';
  /** Header columns this importer does not read. */
  ignoredColumns: string[];
  /** Optional columns the file lacks: their fields are absent in every frame. */
  missingColumns: string[];
}

export interface CsvImportResult {
  file: Uint8Array;
  schema: TimelineSchema;
  stats: CsvImportStats;
  warnings: string[];
}

export const REQUIRED_COLUMNS = ['DriverNumber', 'X', 'Y'] as const;
export const OPTIONAL_COLUMNS = ['Speed', 'nGear', 'Throttle', 'Brake', 'DRS'] as const;
/** Read for completeness but not stored: the timeline has no height (FIELDS). */
const KNOWN_UNUSED = ['Z'];

interface Columns {
  time: number;
  driver: number;
  x: number;
  y: number;
  speed: number;
  gear: number;
  throttle: number;
  brake: number;
  drs: number;
  /** Fields a good row must have at least (the highest required index + 1). */
  minFields: number;
}

function intOption(v: number | undefined, def: number, min: number, max: number, name: string): number {
  const x = v ?? def;
  if (!Number.isInteger(x) || x < min || x > max) throw new ImportError('IMPORT_BAD_OPTION', `${name} must be an integer in ${min}..${max}, got ${String(v)}`);
  return x;
}

function numOption(v: number | undefined, def: number, min: number, max: number, name: string): number {
  const x = v ?? def;
  if (typeof x !== 'number' || !(x >= min && x <= max))
    throw new ImportError('IMPORT_BAD_OPTION', `${name} must be a number in ${min}..${max}, got ${String(v)}`);
  return x;
}

/** Finds the columns in a header row (exact name first, then case-insensitive). */
function mapColumns(header: string[], timeColumn: CsvImportOptions['timeColumn']): { cols: Columns; ignored: string[]; missing: string[]; warnings: string[] } {
  const names = header.map((h) => h.trim());
  const find = (name: string): number => {
    const exact = names.indexOf(name);
    if (exact >= 0) return exact;
    const lower = name.toLowerCase();
    return names.findIndex((h) => h.toLowerCase() === lower);
  };
  const warnings: string[] = [];
  const sessionTime = find('SessionTime');
  const date = find('Date');
  const time = timeColumn === 'Date' || (timeColumn === undefined && sessionTime < 0) ? date : sessionTime;
  const missingRequired: string[] = [];
  if (time < 0) missingRequired.push(timeColumn ?? 'SessionTime or Date');
  const req = REQUIRED_COLUMNS.map((c) => {
    const i = find(c);
    if (i < 0) missingRequired.push(c);
    return i;
  });
  if (missingRequired.length > 0) {
    throw new ImportError(
      'IMPORT_MISSING_COLUMN',
      `the CSV header lacks the required column${missingRequired.length > 1 ? 's' : ''} ${missingRequired.join(', ')}; its columns are: ${names
        .map((n) => JSON.stringify(n))
        .join(', ')
        .slice(0, 2000)}`,
    );
  }
  const opt = OPTIONAL_COLUMNS.map((c) => find(c));
  const missing = OPTIONAL_COLUMNS.filter((_, k) => opt[k]! < 0);
  const used = new Set([time, ...req, ...opt].filter((i) => i >= 0));
  const known = new Set([...REQUIRED_COLUMNS, ...OPTIONAL_COLUMNS, ...KNOWN_UNUSED, 'SessionTime', 'Date'].map((c) => c.toLowerCase()));
  const ignored = names.filter((n, i) => !used.has(i) && !known.has(n.toLowerCase()) && n !== '');
  const seen = new Set<string>();
  for (const n of names) {
    if (n !== '' && seen.has(n)) warnings.push(`column ${JSON.stringify(n)} appears twice; the first is used`);
    seen.add(n);
  }
  const [driver, x, y] = req as [number, number, number];
  const [speed, gear, throttle, brake, drs] = opt as [number, number, number, number, number];
  return {
    cols: { time, driver, x, y, speed, gear, throttle, brake, drs, minFields: Math.max(time, driver, x, y) + 1 },
    ignored,
    missing: [...missing],
    warnings,
  };
}

/** A row's optional cell: NaN when the column is missing or the cell empty; undefined when unreadable. */
function cell(fields: string[], i: number, parse: (t: string) => number | undefined): number | undefined {
  return i < 0 || i >= fields.length ? NaN : parse(fields[i]!);
}

const SPEED_MAX_KMH = 1000;
/** SessionTime counts from one session's start, and no session lasts a day: beyond ±7 days a
 * time is not a session clock (1e20 s, or 1e308 s which is Infinity in ms). */
export const SESSION_TIME_MAX_MS = 7 * 86_400_000;
/** Dates: from the year of the first championship race (1950) to before 2200. */
export const DATE_MIN_MS = Date.UTC(1950, 0, 1);
export const DATE_MAX_MS = Date.UTC(2200, 0, 1);
/** 1/10 m: ±1000 km. */
const COORD_MAX = 1e7;

export async function importFastF1Csv(
  chunks: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>,
  options: CsvImportOptions,
): Promise<CsvImportResult> {
  if (typeof options?.compress !== 'function') throw new ImportError('IMPORT_BAD_OPTION', 'compress must be a function');
  const rateHz = intOption(options.rateHz, DEFAULT_RATE_HZ, 1, 100, 'rateHz');
  const maxGapMs = numOption(options.maxGapSec, 5, 0.05, 3600, 'maxGapSec') * 1000;
  const maxRows = intOption(options.maxRows, 20_000_000, 1, 1e9, 'maxRows');
  const maxDrivers = intOption(options.maxDrivers, 64, 1, 4096, 'maxDrivers');
  const maxSpanMs = numOption(options.maxSpanHours, 12, 0.001, 1000, 'maxSpanHours') * 3_600_000;
  const listBad = intOption(options.listBadRows, 20, 0, 10_000, 'listBadRows');
  if (options.timeColumn !== undefined && options.timeColumn !== 'SessionTime' && options.timeColumn !== 'Date')
    throw new ImportError('IMPORT_BAD_OPTION', `timeColumn must be SessionTime or Date, got ${String(options.timeColumn)}`);
  const sourceName = options.sourceName ?? 'telemetry.csv';
  const name = options.name ?? sourceName.replace(/\.[^.]*$/, '');
  if (name.length === 0 || new TextEncoder().encode(name).length > 100) throw new ImportError('IMPORT_BAD_OPTION', 'name must be 1–100 bytes of UTF-8');

  // ---- 1. rows → per-car samples -------------------------------------------------------
  const tokenizer = new CsvTokenizer();
  const cars = new Map<string, CarSamples>();
  let cols: Columns | null = null;
  let header: ReturnType<typeof mapColumns> | null = null;
  let timeIsDate = false;
  let rows = 0,
    badRows = 0;
  const badRowList: BadRow[] = [];
  let limitError = null as ImportError | null; // set inside onRecord: `as` keeps TS from narrowing it to null
  const bad = (line: number, code: BadRowCode, reason: string) => {
    badRows++;
    if (badRowList.length < listBad) badRowList.push({ line, code, reason });
  };
  const onRecord = (fields: string[], line: number, badReason: string | null): void => {
    if (limitError) return;
    if (cols === null) {
      if (badReason !== null) throw new ImportError('IMPORT_MISSING_COLUMN', `the CSV header (line ${line}) cannot be read: ${badReason}`);
      header = mapColumns(fields, options.timeColumn);
      cols = header.cols;
      timeIsDate = fields[cols.time]!.trim().toLowerCase() === 'date';
      return;
    }
    if (++rows > maxRows) {
      limitError = new ImportError('IMPORT_LIMIT', `more than ${maxRows} data rows (line ${line})`);
      return;
    }
    if (badReason !== null) return bad(line, 'MALFORMED', badReason);
    const c = cols;
    if (fields.length < c.minFields) return bad(line, 'TOO_FEW_FIELDS', `${fields.length} fields, the header has ${c.minFields} or more`);
    const t = (timeIsDate ? parseDate : parseSessionTime)(fields[c.time]!);
    if (t === undefined || Number.isNaN(t))
      return bad(line, 'BAD_TIME', `${timeIsDate ? 'Date' : 'SessionTime'} ${JSON.stringify(fields[c.time]!.slice(0, 40))} is not a time`);
    // A finite but absurd time is one bad row, not a span that fails the whole import (§2.4).
    if (timeIsDate ? !(t >= DATE_MIN_MS && t < DATE_MAX_MS) : !(Math.abs(t) <= SESSION_TIME_MAX_MS))
      return bad(
        line,
        'TIME_OUT_OF_RANGE',
        `${timeIsDate ? 'Date' : 'SessionTime'} ${JSON.stringify(fields[c.time]!.slice(0, 40))} is outside ${timeIsDate ? '1950-01-01 to 2199-12-31' : '±7 days'}`,
      );
    const driver = parseDriver(fields[c.driver]!);
    if (driver === undefined) return bad(line, 'BAD_DRIVER', `DriverNumber ${JSON.stringify(fields[c.driver]!.slice(0, 40))} is not a driver number`);
    const x = parseNumber(fields[c.x]!);
    const y = parseNumber(fields[c.y]!);
    if (x === undefined || y === undefined || Number.isNaN(x) || Number.isNaN(y) || Math.abs(x) > COORD_MAX || Math.abs(y) > COORD_MAX) {
      return bad(line, 'BAD_POSITION', `X/Y ${JSON.stringify(`${fields[c.x]!.slice(0, 20)},${fields[c.y]!.slice(0, 20)}`)} is not a position`);
    }
    const speed = cell(fields, c.speed, parseNumber);
    if (speed === undefined || speed < 0 || speed > SPEED_MAX_KMH)
      return bad(line, 'BAD_SPEED', `Speed ${JSON.stringify(fields[c.speed]!.slice(0, 20))} is not a speed in km/h`);
    const gear = cell(fields, c.gear, parseNumber);
    if (gear === undefined || (!Number.isNaN(gear) && (!Number.isInteger(gear) || gear < -1 || gear > 15)))
      return bad(line, 'BAD_GEAR', `nGear ${JSON.stringify(fields[c.gear]!.slice(0, 20))} is not a gear`);
    let throttle = cell(fields, c.throttle, parseNumber);
    if (throttle === undefined || throttle < 0)
      return bad(line, 'BAD_THROTTLE', `Throttle ${JSON.stringify(fields[c.throttle]!.slice(0, 20))} is not a percentage`);
    if (throttle > 100) throttle = NaN; // FastF1: 104 means "not available" (car stationary)
    const brake = cell(fields, c.brake, parseBrake);
    if (brake === undefined) return bad(line, 'BAD_BRAKE', `Brake ${JSON.stringify(fields[c.brake]!.slice(0, 20))} is not a brake state`);
    const drs = cell(fields, c.drs, parseDrs);
    if (drs === undefined) return bad(line, 'BAD_DRS', `DRS ${JSON.stringify(fields[c.drs]!.slice(0, 20))} is not a DRS code`);
    let car = cars.get(driver);
    if (!car) {
      if (cars.size >= maxDrivers) return bad(line, 'TOO_MANY_DRIVERS', `more than ${maxDrivers} distinct DriverNumber values`);
      car = new CarSamples();
      cars.set(driver, car);
    }
    car.push(t, x / 10, y / 10, speed, throttle, gear, brake, drs);
  };

  const decoder = new TextDecoder('utf-8');
  for await (const chunk of chunks) {
    tokenizer.push(typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }), onRecord);
    if (limitError) throw limitError;
  }
  tokenizer.push(decoder.decode(), onRecord);
  tokenizer.end(onRecord);
  if (limitError) throw limitError;
  if (cols === null || header === null) throw new ImportError('IMPORT_MISSING_COLUMN', 'the CSV is empty: no header row');
  const h = header as ReturnType<typeof mapColumns>;
  const timeColumn: 'SessionTime' | 'Date' = timeIsDate ? 'Date' : 'SessionTime';

  // ---- 2. one time base ----------------------------------------------------------------
  let duplicateTimes = 0;
  let samples = 0;
  let t0 = Infinity,
    tEnd = -Infinity;
  for (const car of cars.values()) {
    duplicateTimes += car.sortByTime();
    samples += car.n;
    t0 = Math.min(t0, car.t[0]!);
    tEnd = Math.max(tEnd, car.t[car.n - 1]!);
  }
  if (samples === 0)
    throw new ImportError(
      'IMPORT_NO_DATA',
      `no usable row in ${rows} data rows (${badRows} bad${badRowList[0] ? `; line ${badRowList[0].line}: ${badRowList[0].reason}` : ''})`,
    );
  if (tEnd - t0 > maxSpanMs)
    throw new ImportError(
      'IMPORT_LIMIT',
      `the samples span ${round((tEnd - t0) / 3_600_000, 2)} h, more than ${maxSpanMs / 3_600_000} h: several sessions in one file, or a bad time column?`,
    );

  // Entities in driver-number order (numbers first, numerically; then codes).
  const ids = [...cars.keys()].sort((a, b) => {
    const na = /^\d+$/.test(a),
      nb = /^\d+$/.test(b);
    if (na && nb) return Number(a) - Number(b);
    if (na !== nb) return na ? -1 : 1;
    return a < b ? -1 : a > b ? 1 : 0;
  });
  const entities: EntityDef[] = ids.map((id, i) => {
    const numeric = /^\d+$/.test(id);
    const e: EntityDef = { id, name: numeric ? `Car ${id}` : id, code: id.slice(0, 3).toUpperCase(), team: '', color: paletteColor(i) };
    if (numeric) e.number = Number(id);
    return e;
  });

  // Track outline: the car with the most samples drove the most of the circuit.
  let ref = ids[0]!;
  for (const id of ids) if (cars.get(id)!.n > cars.get(ref)!.n) ref = id;
  const refCar = cars.get(ref)!;
  const outline = outlineFromPath(refCar.x, refCar.y, refCar.n);

  const schema: TimelineSchema = {
    name: `import-${name}`.slice(0, 128),
    rateHz,
    fields: FIELDS,
    entities,
    static: importedStatic({
      race: { name },
      track: { points: outline.points, lengthM: outline.lengthM, closed: outline.closed, source: 'driven-path', fromEntity: ref },
      source: {
        kind: 'fastf1-csv',
        file: sourceName,
        timeColumn,
        // What frame 0 is on the source's clock: a UTC date, or seconds of session time.
        ...(timeColumn === 'Date' ? { startTime: new Date(Math.floor(t0)).toISOString() } : { sessionTimeSec: round(t0 / 1000, 3) }),
        rows,
        samples,
        badRows,
        duplicateTimes,
        resampledHz: rateHz,
        maxGapSec: maxGapMs / 1000,
        missingColumns: h.missing,
      },
    }),
  };

  // ---- 3. resample and encode ----------------------------------------------------------
  const writer = new TimelineWriter(schema, { compress: options.compress, keyframeInterval: 2 * rateHz, library: IMPORTER });
  const periodMs = 1000 / rateHz;
  const frames = Math.floor((tEnd - t0) / periodMs + 1e-9) + 1;
  const cursors = ids.map((id) => new CarCursor(cars.get(id)!, maxGapMs));
  const values = new Float64Array(ids.length * F);
  for (let k = 0; k < frames; k++) {
    const t = t0 + k * periodMs;
    values.fill(NaN);
    for (let e = 0; e < cursors.length; e++) {
      if (cursors[e]!.at(t, values, e * F, COL)) values[e * F + COL.status] = Status.racing;
    }
    writer.append(k * periodMs, values);
    // Let the event loop breathe on long sessions (a server may be importing while serving).
    if ((k & 0xffff) === 0xffff) await new Promise((r) => setTimeout(r, 0));
  }
  const file = await writer.finish();
  const warnings = [...h.warnings];
  if (h.missing.length)
    warnings.push(
      `no ${h.missing.join(', ')} column${h.missing.length > 1 ? 's' : ''}: ${h.missing.length > 1 ? 'those fields are' : 'that field is'} absent in every frame`,
    );
  if (!outline.closed) warnings.push(`no closed lap found in car ${ref}'s path: static.track.points is its whole path`);
  return {
    file,
    schema,
    stats: {
      rows,
      samples,
      badRows,
      badRowList,
      duplicateTimes,
      cars: ids.length,
      frames,
      durationSec: frames / rateHz,
      fileBytes: file.length,
      timeColumn,
      ignoredColumns: h.ignored,
      missingColumns: h.missing,
    },
    warnings,
  };
}
