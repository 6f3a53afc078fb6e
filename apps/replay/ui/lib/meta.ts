// The race metadata the page draws before any frame arrives: `GET /api/timelines/:name` with
// the generator's static block (docs/replay-generator.md §5.2). The answer is untrusted: every
// field is checked and capped here, and anything missing degrades (no pit lane, no lap markers)
// instead of failing, so a live timeline from the UDP importer still plays.

/** Caps: the generator writes ≤ 600 track points, ≤ 20 cars, ≤ ~80 laps. */
const MAX_POINTS = 20_000;
const MAX_CARS = 1_000;
const MAX_LAPS = 500;
const MAX_TEXT = 200;

/** Where the page reads a race's metadata. */
export interface RaceSource {
  timeline: string;
  httpBase: string;
  token?: string;
}

/** `GET /api/timelines/:name`, as JSON. */
export function requestRaceMeta(source: RaceSource, fetchImpl: typeof fetch = fetch): Promise<Response> {
  return fetchImpl(`${source.httpBase}/api/timelines/${encodeURIComponent(source.timeline)}`, {
    headers: { accept: 'application/json', ...(source.token ? { authorization: `Bearer ${source.token}` } : {}) },
  });
}

export interface Car {
  /** Entity index: values[index × fields + f]. */
  index: number;
  id: string;
  number: number | null;
  code: string;
  name: string;
  team: string;
  /** #rrggbb, checked (it ends up in CSS). */
  color: string;
}

export interface TrackGeometry {
  /** x0, y0, x1, y1, … in projected metres (x east, y north). */
  points: Float64Array;
  lengthM: number | null;
  startFinish: { x: number; y: number; heading: number } | null;
  pitLane: Float64Array | null;
  drsZones: { startM: number; endM: number }[];
}

export interface RaceInfo {
  name: string;
  circuitName: string;
  season: number | null;
  laps: number | null;
  lapLengthM: number | null;
}

export interface ReplayMeta {
  timeline: string;
  rateHz: number;
  frameCount: number;
  durationMs: number;
  live: boolean;
  race: RaceInfo | null;
  track: TrackGeometry | null;
  cars: Car[];
  /** Per entity index: the car's lap-end times (s); lap k runs lapEnds[k−2] … lapEnds[k−1]. */
  lapStartSec: (number | null)[];
  lapEndSec: (number[] | null)[];
  /** Time (s) the first car starts lap k (index k − 1): the scrubber's lap markers. */
  leaderLapStartSec: number[];
  pitStops: { index: number; lap: number; enterSec: number; exitSec: number }[];
  flagSec: number | null;
  attribution: string[];
}

function rec(v: unknown): Record<string, unknown> | null {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

function text(v: unknown, fallback = ''): string {
  return typeof v === 'string' ? v.slice(0, MAX_TEXT) : fallback;
}

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function count(v: unknown): number | null {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : null;
}

const COLOR = /^#[0-9a-fA-F]{6}$/;
const FALLBACK_COLORS = ['#e6e6e6', '#ff8a65', '#4fc3f7', '#aed581', '#ba68c8', '#ffd54f', '#4db6ac', '#f06292', '#90a4ae', '#7986cb'];

/** [[x, y], …] → flat array; null when malformed. */
export function parsePoints(v: unknown): Float64Array | null {
  if (!Array.isArray(v) || v.length < 2 || v.length > MAX_POINTS) return null;
  const out = new Float64Array(v.length * 2);
  for (let i = 0; i < v.length; i++) {
    const p: unknown = v[i];
    if (!Array.isArray(p) || p.length < 2) return null;
    const x = num(p[0]);
    const y = num(p[1]);
    if (x === null || y === null) return null;
    out[2 * i] = x;
    out[2 * i + 1] = y;
  }
  return out;
}

function parseTrack(v: unknown): TrackGeometry | null {
  const t = rec(v);
  if (!t) return null;
  const points = parsePoints(t.points);
  if (!points) return null;
  const sf = rec(t.startFinish);
  const sx = num(sf?.x),
    sy = num(sf?.y),
    sh = num(sf?.heading);
  const lane = rec(t.pitLane);
  const zones = Array.isArray(t.drsZones) ? t.drsZones.slice(0, 16) : [];
  return {
    points,
    lengthM: num(t.lengthM),
    startFinish: sx !== null && sy !== null && sh !== null ? { x: sx, y: sy, heading: sh } : null,
    pitLane: lane ? parsePoints(lane.points) : null,
    drsZones: zones.flatMap((z) => {
      const o = rec(z);
      const s = num(o?.startM),
        e = num(o?.endM);
      return s !== null && e !== null ? [{ startM: s, endM: e }] : [];
    }),
  };
}

function parseCars(entities: unknown): Car[] {
  if (!Array.isArray(entities)) return [];
  return entities.slice(0, MAX_CARS).map((raw, index) => {
    const e = rec(raw) ?? {};
    const id = text(e.id, String(index));
    const code = text(e.code).slice(0, 4) || id.slice(0, 4);
    const color = typeof e.color === 'string' && COLOR.test(e.color) ? e.color : FALLBACK_COLORS[index % FALLBACK_COLORS.length]!;
    return { index, id, number: count(e.number), code, name: text(e.name, code), team: text(e.team), color };
  });
}

function parseLapTimes(v: unknown, cars: Car[]): { start: (number | null)[]; ends: (number[] | null)[] } {
  const laps = rec(v);
  const start: (number | null)[] = cars.map(() => null);
  const ends: (number[] | null)[] = cars.map(() => null);
  if (!laps) return { start, ends };
  for (const car of cars) {
    const entry = rec(Object.hasOwn(laps, car.id) ? laps[car.id] : undefined);
    if (!entry || !Array.isArray(entry.lapEndSec) || entry.lapEndSec.length > MAX_LAPS) continue;
    const list: number[] = [];
    for (const t of entry.lapEndSec) {
      const s = num(t);
      if (s === null || (list.length > 0 && s < list[list.length - 1]!)) break;
      list.push(s);
    }
    start[car.index] = num(entry.startSec) ?? 0;
    ends[car.index] = list;
  }
  return { start, ends };
}

/** Lap k (1-based) starts when the first car crosses the line for the (k − 1)th time. */
export function leaderLapStarts(start: (number | null)[], ends: (number[] | null)[]): number[] {
  const out: number[] = [];
  const first = start.filter((s): s is number => s !== null);
  if (first.length === 0) return out;
  out.push(Math.min(...first));
  for (let k = 0; k < MAX_LAPS; k++) {
    let best = Infinity;
    for (const list of ends) if (list && list.length > k) best = Math.min(best, list[k]!);
    if (!Number.isFinite(best)) break;
    out.push(best);
  }
  // The last crossing is the flag: no lap starts there.
  out.pop();
  return out;
}

export function parseReplayMeta(json: unknown, timeline: string): ReplayMeta {
  const m = rec(json);
  if (!m) throw new Error('timeline metadata is not an object');
  const st = rec(m.static) ?? {};
  const schema = rec(m.schema);
  const cars = parseCars(m.entities ?? schema?.entities);
  const rateHz = num(m.rateHz) ?? num(schema?.rateHz) ?? 0;
  if (!(rateHz > 0)) throw new Error('timeline metadata has no rateHz');
  const race = rec(st.race);
  const { start, ends } = parseLapTimes(st.laps, cars);
  const byNumber = new Map(cars.map((c) => [c.id, c.index]));
  const pitStops = (Array.isArray(st.pitStops) ? st.pitStops.slice(0, 10_000) : []).flatMap((p) => {
    const o = rec(p);
    const index = byNumber.get(String(o?.number));
    const lap = count(o?.lap),
      enter = num(o?.enterSec),
      exit = num(o?.exitSec);
    return index !== undefined && lap !== null && enter !== null && exit !== null ? [{ index, lap, enterSec: enter, exitSec: exit }] : [];
  });
  return {
    timeline,
    rateHz,
    frameCount: count(m.frameCount) ?? 0,
    durationMs: num(m.durationMs) ?? 0,
    live: m.live === true,
    race: race
      ? { name: text(race.name), circuitName: text(race.circuitName), season: count(race.season), laps: count(race.laps), lapLengthM: num(race.lapLengthM) }
      : null,
    track: parseTrack(st.track),
    cars,
    lapStartSec: start,
    lapEndSec: ends,
    leaderLapStartSec: leaderLapStarts(start, ends),
    pitStops,
    flagSec: num(st.flagSec),
    attribution: (Array.isArray(st.attribution) ? st.attribution : [])
      .slice(0, 8)
      .map((a) => text(a))
      .filter((a) => a.length > 0),
  };
}

/** Metres in a lap: the track outline's length, else the race's; null when neither is known. */
export function lapLengthM(meta: ReplayMeta | null): number | null {
  return meta?.track?.lengthM ?? meta?.race?.lapLengthM ?? null;
}

/** Where car `index`'s lap `lap` runs (s); end null while it is not completed. */
export function lapWindow(meta: ReplayMeta, index: number, lap: number): { startSec: number; endSec: number | null } | null {
  const ends = meta.lapEndSec[index];
  const start = meta.lapStartSec[index];
  if (!ends || start === null || !(lap >= 1)) return null;
  const startSec = lap === 1 ? start : ends[lap - 2];
  if (startSec === undefined) return null;
  return { startSec, endSec: ends[lap - 1] ?? null };
}
