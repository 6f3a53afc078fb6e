// Circuit centrelines from bacinger/f1-circuits (MIT): a GeoJSON LineString of [lon, lat] points,
// projected to metres with a local equirectangular projection around the bounding-box centre.
// Over a circuit (< 5 km across) its distortion is below 0.1 %, far under the ~1–4 % by which
// the polylines differ from the official lap length anyway.
import { ReplayError } from './errors.ts';

export interface Circuit {
  id: string | null;
  name: string | null;
  /** Official lap length from the file's properties (m), if given. */
  lengthM: number | null;
  /** Projection centre. */
  origin: { lon: number; lat: number };
  /** Projected points in metres (x east, y north), closing duplicate removed. */
  x: Float64Array;
  y: Float64Array;
}

export const EARTH_RADIUS_M = 6_371_008.8;
const MAX_POINTS = 20_000;
const MAX_SPAN_DEG = 0.5;

function bad(message: string): ReplayError {
  return new ReplayError('REPLAY_BAD_CIRCUIT', message);
}

function isObj(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** The first LineString of a FeatureCollection, a Feature or a bare geometry, with the feature's properties. */
function findLineString(doc: unknown): { coords: unknown[]; props: Record<string, unknown> } {
  if (!isObj(doc)) throw bad('expected a GeoJSON object');
  if (doc.type === 'FeatureCollection') {
    if (!Array.isArray(doc.features)) throw bad('FeatureCollection without features');
    for (const f of doc.features) {
      if (isObj(f) && isObj(f.geometry) && f.geometry.type === 'LineString') return findLineString(f);
    }
    throw bad('no LineString feature in the FeatureCollection');
  }
  if (doc.type === 'Feature') {
    if (!isObj(doc.geometry) || doc.geometry.type !== 'LineString') throw bad('the Feature is not a LineString');
    return { coords: doc.geometry.coordinates as unknown[], props: isObj(doc.properties) ? doc.properties : {} };
  }
  if (doc.type === 'LineString') return { coords: doc.coordinates as unknown[], props: {} };
  throw bad(`unsupported GeoJSON type ${JSON.stringify(doc.type)}`);
}

/** Parses GeoJSON text (or an already parsed object) into a projected closed centreline. */
export function parseCircuit(input: string | unknown): Circuit {
  let doc: unknown = input;
  if (typeof input === 'string') {
    if (input.length > 16 << 20) throw bad('GeoJSON larger than 16 MiB');
    try {
      doc = JSON.parse(input);
    } catch (e) {
      throw new ReplayError('REPLAY_BAD_CIRCUIT', `not JSON: ${(e as Error).message}`, { cause: e });
    }
  }
  const { coords, props } = findLineString(doc);
  if (!Array.isArray(coords) || coords.length < 10 || coords.length > MAX_POINTS)
    throw bad(`a circuit needs 10..${MAX_POINTS} points, got ${Array.isArray(coords) ? coords.length : 'none'}`);
  const lon: number[] = [];
  const lat: number[] = [];
  coords.forEach((c, i) => {
    if (!Array.isArray(c) || c.length < 2) throw bad(`point ${i} is not [lon, lat]`);
    const [a, b] = c as unknown[];
    if (typeof a !== 'number' || typeof b !== 'number' || !(Math.abs(a) <= 180) || !(Math.abs(b) <= 85))
      throw bad(`point ${i} is not a valid [lon, lat]: ${JSON.stringify(c)}`);
    lon.push(a);
    lat.push(b);
  });
  let minLon = Infinity,
    maxLon = -Infinity,
    minLat = Infinity,
    maxLat = -Infinity;
  for (let i = 0; i < lon.length; i++) {
    minLon = Math.min(minLon, lon[i]);
    maxLon = Math.max(maxLon, lon[i]);
    minLat = Math.min(minLat, lat[i]);
    maxLat = Math.max(maxLat, lat[i]);
  }
  if (maxLon - minLon > MAX_SPAN_DEG || maxLat - minLat > MAX_SPAN_DEG)
    throw bad(`the circuit spans more than ${MAX_SPAN_DEG}° (across the antimeridian, or not a circuit)`);
  const origin = { lon: (minLon + maxLon) / 2, lat: (minLat + maxLat) / 2 };
  const k = (Math.PI / 180) * EARTH_RADIUS_M;
  const kx = k * Math.cos((origin.lat * Math.PI) / 180);
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 0; i < lon.length; i++) {
    const x = (lon[i] - origin.lon) * kx;
    const y = (lat[i] - origin.lat) * k;
    // drop repeated points (and the closing duplicate): they carry no direction
    if (xs.length > 0 && Math.hypot(x - xs[xs.length - 1], y - ys[ys.length - 1]) < 0.5) continue;
    xs.push(x);
    ys.push(y);
  }
  while (xs.length > 1 && Math.hypot(xs[0] - xs[xs.length - 1], ys[0] - ys[ys.length - 1]) < 0.5) {
    xs.pop();
    ys.pop();
  }
  if (xs.length < 10) throw bad('fewer than 10 distinct points');
  // A closed loop's ends meet, or are one segment apart (the closing segment implied; on a
  // straight that segment can be 600 m: Sepang, Losail). Whether the loop is the right size is
  // checked against the official lap length in buildTrack.
  let total = 0;
  for (let i = 1; i < xs.length; i++) total += Math.hypot(xs[i] - xs[i - 1], ys[i] - ys[i - 1]);
  const gap = Math.hypot(xs[0] - xs[xs.length - 1], ys[0] - ys[ys.length - 1]);
  if (gap > Math.max(50, 0.2 * (total + gap))) throw bad(`the LineString is not closed: its ends are ${Math.round(gap)} m apart`);
  const lengthM = typeof props.length === 'number' && props.length > 500 && props.length < 30_000 ? props.length : null;
  return {
    id: typeof props.id === 'string' ? props.id : null,
    name: typeof props.Name === 'string' ? props.Name : typeof props.name === 'string' ? props.name : null,
    lengthM,
    origin,
    x: Float64Array.from(xs),
    y: Float64Array.from(ys),
  };
}

/** Projects a lon/lat with the circuit's projection. */
export function project(c: Circuit, lon: number, lat: number): { x: number; y: number } {
  const k = (Math.PI / 180) * EARTH_RADIUS_M;
  return { x: (lon - c.origin.lon) * k * Math.cos((c.origin.lat * Math.PI) / 180), y: (lat - c.origin.lat) * k };
}
