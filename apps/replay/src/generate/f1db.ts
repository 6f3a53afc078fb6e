// F1DB race folders (CC BY 4.0, https://github.com/f1db/f1db): the YAML of one race parsed and
// checked into plain records. Isomorphic: callers pass the files' text (load.ts reads them).
// Every field the generator uses is validated here, with the file and row in the message.
import { parse as parseYaml } from 'yaml';
import { ReplayError } from './errors.ts';
import { parseDuration, parseGap, type Gap } from './time.ts';

export type Direction = 'CLOCKWISE' | 'ANTI_CLOCKWISE';

export interface RaceInfo {
  season: number | null;
  round: number | null;
  date: string | null;
  officialName: string;
  grandPrixId: string | null;
  circuitId: string;
  circuitLayoutId: string | null;
  direction: Direction;
  /** Official lap length (race.yml courseLength, km → m). */
  lengthM: number;
  laps: number;
}

/** How a car ended the race; derived from position, laps and reasonRetired (docs/replay-generator.md §6). */
export type ResultStatus = 'finished' | 'lapped' | 'retired' | 'not-classified' | 'disqualified' | 'did-not-start';

export interface ResultRow {
  /** Classified position, or null for DNF, NC, DSQ, DNS. */
  position: number | null;
  /** As F1DB writes it: "1", "DNF", "DSQ", … */
  positionText: string;
  number: number;
  driverId: string;
  constructorId: string;
  /** Laps completed (0 for a car that did not start). */
  laps: number;
  /** Official race time including time penalties, for cars on the winner's lap. */
  timeSec: number | null;
  gap: Gap | null;
  penaltySec: number;
  reasonRetired: string | null;
  status: ResultStatus;
}

export interface GridRow {
  number: number;
  driverId: string;
  /** Physical grid slot 1, 2, …; null for a pit-lane start. */
  slot: number | null;
}

export interface PitStopRow {
  number: number;
  stop: number;
  /** The lap at whose end the car entered the pit lane. */
  lap: number;
  /** Time in the pit lane, entry to exit. */
  durationSec: number;
}

export interface FastestLapRow {
  number: number;
  lap: number;
  timeSec: number;
}

export interface EntrantRow {
  entrantId: string;
  constructorId: string;
  driverId: string;
  /** Rounds driven; empty for test and reserve drivers. */
  rounds: number[];
}

export interface RaceData {
  race: RaceInfo;
  results: ResultRow[];
  grid: GridRow[];
  pitStops: PitStopRow[];
  fastestLaps: FastestLapRow[];
  entrants: EntrantRow[] | null;
}

/** The text of a race folder's files (see load.ts for the file names). */
export interface RaceFiles {
  race: string;
  results: string;
  grid: string;
  pitStops?: string | null;
  fastestLaps?: string | null;
  /** seasons/<year>/entrants.yml: checks that each driver raced this round for their constructor. */
  entrants?: string | null;
}

const MAX_YAML_BYTES = 4 << 20;
const MAX_ROWS = 2000;
const ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const NOT_STARTED = new Set(['DNS', 'DNQ', 'DNPQ', 'EX', 'DNP']);

type Obj = Record<string, unknown>;

function bad(where: string, message: string): ReplayError {
  return new ReplayError('REPLAY_BAD_DATA', `${where}: ${message}`);
}

function yaml(text: string, file: string): unknown {
  if (typeof text !== 'string') throw bad(file, 'expected the file text');
  if (text.length > MAX_YAML_BYTES) throw bad(file, `larger than ${MAX_YAML_BYTES} bytes`);
  try {
    // core schema: "15:00" stays a string (YAML 1.1 would read it as sexagesimal 900)
    return parseYaml(text, { schema: 'core', maxAliasCount: 16, uniqueKeys: true });
  } catch (e) {
    throw new ReplayError('REPLAY_BAD_DATA', `${file}: not valid YAML: ${(e as Error).message.split('\n')[0]}`, { cause: e });
  }
}

function rows(doc: unknown, file: string): Obj[] {
  if (!Array.isArray(doc)) throw bad(file, 'expected a list of rows');
  if (doc.length > MAX_ROWS) throw bad(file, `more than ${MAX_ROWS} rows`);
  return doc.map((r, i) => {
    if (typeof r !== 'object' || r === null || Array.isArray(r)) throw bad(`${file} row ${i + 1}`, 'expected a mapping');
    return r as Obj;
  });
}

function int(o: Obj, key: string, where: string, min: number, max: number): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
    throw bad(where, `${key} must be an integer in ${min}..${max}, got ${JSON.stringify(v)}`);
  return v;
}

function optInt(o: Obj, key: string, where: string, min: number, max: number): number | null {
  return o[key] === null || o[key] === undefined ? null : int(o, key, where, min, max);
}

function str(o: Obj, key: string, where: string, re?: RegExp): string {
  const v = o[key];
  if (typeof v !== 'string' || v.length === 0 || v.length > 200 || (re && !re.test(v)))
    throw bad(where, `${key} must be a${re ? ' well-formed' : ''} string, got ${JSON.stringify(v)}`);
  return v;
}

function optStr(o: Obj, key: string, where: string): string | null {
  const v = o[key];
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return String(v);
  return str(o, key, where);
}

function num(o: Obj, key: string, where: string, min: number, max: number): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max)
    throw bad(where, `${key} must be a number in ${min}..${max}, got ${JSON.stringify(v)}`);
  return v;
}

function parseRace(text: string): RaceInfo {
  const file = 'race.yml';
  const o = yaml(text, file);
  if (typeof o !== 'object' || o === null || Array.isArray(o)) throw bad(file, 'expected a mapping');
  const r = o as Obj;
  const direction = r.direction;
  if (direction !== 'CLOCKWISE' && direction !== 'ANTI_CLOCKWISE')
    throw bad(file, `direction must be CLOCKWISE or ANTI_CLOCKWISE, got ${JSON.stringify(direction)}`);
  const date = optStr(r, 'date', file);
  const year = date && /^\d{4}-\d{2}-\d{2}$/.test(date) ? Number(date.slice(0, 4)) : null;
  return {
    season: year,
    round: optInt(r, 'round', file, 1, 99),
    date,
    officialName: str(r, 'officialName', file),
    grandPrixId: optStr(r, 'grandPrixId', file),
    circuitId: str(r, 'circuitId', file, ID),
    circuitLayoutId: optStr(r, 'circuitLayoutId', file),
    direction,
    lengthM: Math.round(num(r, 'courseLength', file, 0.5, 30) * 1000 * 1000) / 1000,
    laps: int(r, 'laps', file, 1, 200),
  };
}

function parseResults(text: string, raceLaps: number): ResultRow[] {
  const file = 'race-results.yml';
  const list = rows(yaml(text, file), file);
  if (list.length === 0) throw bad(file, 'no rows');
  const parsed = list.map((r, i) => {
    const where = `${file} row ${i + 1}`;
    const p = r.position;
    const position = typeof p === 'number' ? int(r, 'position', where, 1, 99) : null;
    const positionText = position === null ? str(r, 'position', where, /^[A-Z]{2,4}$/) : String(position);
    const number = int(r, 'driverNumber', where, 0, 999);
    const laps = optInt(r, 'laps', where, 0, raceLaps) ?? 0;
    const time = optStr(r, 'time', where);
    const gap = optStr(r, 'gap', where);
    const penalty = optStr(r, 'timePenalty', where);
    return {
      position,
      positionText,
      number,
      driverId: str(r, 'driverId', where, ID),
      constructorId: str(r, 'constructorId', where, ID),
      laps,
      timeSec: time === null ? null : parseDuration(time, `${where} time`),
      gap: gap === null ? null : parseGap(gap, `${where} gap`),
      penaltySec: penalty === null ? 0 : parseDuration(penalty, `${where} timePenalty`),
      reasonRetired: optStr(r, 'reasonRetired', where),
      status: 'finished' as ResultStatus,
    };
  });
  const seen = new Set<number>();
  for (const r of parsed) {
    if (seen.has(r.number)) throw bad(file, `driver number ${r.number} appears twice`);
    seen.add(r.number);
  }
  const winner = parsed.find((r) => r.position === 1);
  if (!winner) throw bad(file, 'no row with position 1');
  if (winner.laps < 1) throw bad(file, 'the winner completed no laps');
  const positions = parsed.filter((r) => r.position !== null).map((r) => r.position as number);
  positions.forEach((p, i) => {
    if (p !== i + 1) throw bad(file, `classified positions must be 1..${positions.length} in order, found ${p} at ${i + 1}`);
  });
  for (const r of parsed) {
    r.status = statusOf(r, winner.laps);
    if ((r.status === 'finished' || r.status === 'disqualified') && r.laps === winner.laps && r.timeSec === null && r.gap?.kind !== 'time' && r !== winner) {
      throw bad(file, `car ${r.number} completed the winner's ${winner.laps} laps but has neither a time nor a time gap`);
    }
    if (r.status === 'did-not-start' && r.laps !== 0) throw bad(file, `car ${r.number} did not start but completed ${r.laps} laps`);
  }
  if (winner.timeSec === null) throw bad(file, 'the winner has no race time');
  return parsed;
}

function statusOf(r: ResultRow, winnerLaps: number): ResultStatus {
  if (r.position === null) {
    if (r.positionText === 'DSQ') return 'disqualified';
    if (r.positionText === 'NC') return 'not-classified';
    if (NOT_STARTED.has(r.positionText)) return 'did-not-start';
    return 'retired';
  }
  if (r.reasonRetired !== null) return 'retired';
  return r.laps < winnerLaps ? 'lapped' : 'finished';
}

function parseGrid(text: string): GridRow[] {
  const file = 'starting-grid-positions.yml';
  const list = rows(yaml(text, file), file);
  const out = list.map((r, i) => {
    const where = `${file} row ${i + 1}`;
    const pos = r.position;
    if (pos !== 'PL' && typeof pos !== 'number') throw bad(where, `position must be a slot number or PL, got ${JSON.stringify(pos)}`);
    return {
      number: int(r, 'driverNumber', where, 0, 999),
      driverId: str(r, 'driverId', where, ID),
      slot: pos === 'PL' ? null : int(r, 'position', where, 1, 99),
    };
  });
  const slots = new Set<number>();
  for (const g of out) {
    if (g.slot === null) continue;
    if (slots.has(g.slot)) throw bad(file, `grid slot ${g.slot} is taken twice`);
    slots.add(g.slot);
  }
  return out;
}

function parsePitStops(text: string, raceLaps: number): PitStopRow[] {
  const file = 'pit-stops.yml';
  const doc = yaml(text, file);
  if (doc === null) return []; // a race without stops can have an empty file
  return rows(doc, file).map((r, i) => {
    const where = `${file} row ${i + 1}`;
    const time = optStr(r, 'time', where);
    if (time === null) throw bad(where, 'time is missing');
    const durationSec = parseDuration(time, `${where} time`);
    if (durationSec < 5 || durationSec > 3600) throw bad(where, `pit-lane time ${durationSec} s is outside 5..3600 s`);
    return { number: int(r, 'driverNumber', where, 0, 999), stop: int(r, 'stop', where, 1, 50), lap: int(r, 'lap', where, 1, raceLaps), durationSec };
  });
}

function parseFastestLaps(text: string, raceLaps: number): FastestLapRow[] {
  const file = 'fastest-laps.yml';
  const doc = yaml(text, file);
  if (doc === null) return [];
  return rows(doc, file).map((r, i) => {
    const where = `${file} row ${i + 1}`;
    const time = optStr(r, 'time', where);
    if (time === null) throw bad(where, 'time is missing');
    return { number: int(r, 'driverNumber', where, 0, 999), lap: int(r, 'lap', where, 1, raceLaps), timeSec: parseDuration(time, `${where} time`) };
  });
}

/** "1-16,18-20,22-24" or 24 → [1, …, 16, 18, …]. */
function parseRounds(v: unknown, where: string): number[] {
  if (v === null || v === undefined) return [];
  if (typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 99) return [v];
  if (typeof v !== 'string' || !/^\d{1,2}(?:-\d{1,2})?(?:,\s*\d{1,2}(?:-\d{1,2})?)*$/.test(v))
    throw bad(where, `rounds '${String(v)}' is not a list of rounds`);
  const out: number[] = [];
  for (const part of v.split(',')) {
    const [a, b] = part.trim().split('-').map(Number);
    const hi = b ?? a;
    if (a < 1 || hi < a || hi > 99) throw bad(where, `rounds '${v}' has an empty or out-of-range span`);
    for (let k = a; k <= hi; k++) out.push(k);
  }
  return out;
}

function parseEntrants(text: string): EntrantRow[] {
  const file = 'entrants.yml';
  const out: EntrantRow[] = [];
  rows(yaml(text, file), file).forEach((e, i) => {
    const where = `${file} entrant ${i + 1}`;
    const entrantId = str(e, 'entrantId', where, ID);
    const constructorId = str(e, 'constructorId', where, ID);
    if (!Array.isArray(e.drivers)) throw bad(where, 'drivers must be a list');
    for (const d of rows(e.drivers, where)) {
      out.push({ entrantId, constructorId, driverId: str(d, 'driverId', where, ID), rounds: parseRounds(d.rounds, where) });
    }
  });
  return out;
}

/** Parses and cross-checks one race. Throws REPLAY_BAD_DATA naming the file and row. */
export function parseRaceFiles(files: RaceFiles): RaceData {
  const race = parseRace(files.race);
  const results = parseResults(files.results, race.laps);
  const grid = parseGrid(files.grid);
  const pitStops = files.pitStops ? parsePitStops(files.pitStops, race.laps) : [];
  const fastestLaps = files.fastestLaps ? parseFastestLaps(files.fastestLaps, race.laps) : [];
  const entrants = files.entrants ? parseEntrants(files.entrants) : null;

  const byNumber = new Map(results.map((r) => [r.number, r]));
  for (const g of grid) {
    const r = byNumber.get(g.number);
    if (!r) throw bad('starting-grid-positions.yml', `car ${g.number} is on the grid but not in race-results.yml`);
    if (r.driverId !== g.driverId) throw bad('starting-grid-positions.yml', `car ${g.number} is ${g.driverId} on the grid but ${r.driverId} in the results`);
  }
  for (const r of results) {
    if (r.status !== 'did-not-start' && !grid.some((g) => g.number === r.number))
      throw bad('starting-grid-positions.yml', `car ${r.number} started the race but has no grid position`);
  }
  const stops = new Set<string>();
  for (const p of pitStops) {
    const r = byNumber.get(p.number);
    if (!r) throw bad('pit-stops.yml', `car ${p.number} stopped but is not in race-results.yml`);
    if (stops.has(`${p.number}/${p.stop}`)) throw bad('pit-stops.yml', `car ${p.number} has two stops numbered ${p.stop}`);
    stops.add(`${p.number}/${p.stop}`);
  }
  if (entrants && race.round !== null) {
    for (const r of results) {
      const ok = entrants.some((e) => e.driverId === r.driverId && e.constructorId === r.constructorId && e.rounds.includes(race.round as number));
      if (!ok) throw bad('entrants.yml', `${r.driverId} (${r.constructorId}) is not an entrant of round ${race.round}: wrong season's entrants file?`);
    }
  }
  return { race, results, grid, pitStops, fastestLaps, entrants };
}
