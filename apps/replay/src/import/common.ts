// What both importers share with the generator: the frame columns (FIELDS, so a viewer reads an
// imported timeline exactly like a generated one), the static-metadata envelope, entity colours
// and a track outline taken from a car's driven path.
import { MAX_TRACK_POINTS, REPLAY_FORMAT, REPLAY_FORMAT_VERSION, round } from '../generate/generate.ts';
import { FIELDS, STATUS_NAMES } from '../generate/render.ts';

export const F = FIELDS.length;

function column(name: string): number {
  const i = FIELDS.findIndex((f) => f.name === name);
  if (i < 0) throw new Error(`FIELDS has no column ${name}`); // a programming error: FIELDS changed
  return i;
}

/** Column indexes into a frame row (entity-major: value of field f of entity e is values[e × F + f]). */
export const COL = {
  x: column('x'),
  y: column('y'),
  speed: column('speed'),
  gear: column('gear'),
  throttle: column('throttle'),
  brake: column('brake'),
  drs: column('drs'),
  lap: column('lap'),
  position: column('position'),
  gap: column('gapToLeader'),
  status: column('status'),
  distance: column('distance'),
} as const;

export const IMPORTER = '@tidewire/replay importer 1';
export const DEFAULT_RATE_HZ = 25;

/**
 * 22 distinguishable colours (enough for a full F1 field), used when the source carries no team:
 * a car keeps its colour for the whole session because it is picked by entity order.
 */
export const PALETTE = [
  '#E6194B',
  '#3CB44B',
  '#FFE119',
  '#4363D8',
  '#F58231',
  '#911EB4',
  '#46F0F0',
  '#F032E6',
  '#BCF60C',
  '#FABEBE',
  '#008080',
  '#E6BEFF',
  '#9A6324',
  '#FFFAC8',
  '#800000',
  '#AAFFC3',
  '#808000',
  '#FFD8B1',
  '#000075',
  '#808080',
  '#FFFFFF',
  '#A9A9A9',
] as const;

export function paletteColor(i: number): string {
  return PALETTE[i % PALETTE.length]!;
}

export interface Outline {
  /** ≤ MAX_TRACK_POINTS points, evenly spaced along the path, rounded to 1 cm. */
  points: number[][];
  lengthM: number;
  /** True when a lap was found (the path returns to its start); false: the whole path, open. */
  closed: boolean;
}

/** Shortest lap we accept as a loop, and how close the path must come back to its start. */
const MIN_LAP_M = 300;
const CLOSE_M = 40;

/**
 * A track outline from one car's positions in time order (NaN entries skipped): one lap of the
 * driven path — the shortest closed loop found from a few starting samples spread over the
 * session (a lap with a pit stop or a spin is longer) — resampled evenly along its length.
 * Without a closed loop (a partial lap, a point-to-point stage) the whole path is used.
 */
export function outlineFromPath(xs: ArrayLike<number>, ys: ArrayLike<number>, count: number, maxPoints = MAX_TRACK_POINTS): Outline {
  const px: number[] = [];
  const py: number[] = [];
  for (let i = 0; i < count; i++) {
    const x = xs[i]!,
      y = ys[i]!;
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
    if (px.length > 0 && x === px[px.length - 1] && y === py[py.length - 1]) continue; // standing still
    px.push(x);
    py.push(y);
  }
  const n = px.length;
  if (n < 2) return { points: px.map((x, i) => [round(x, 2), round(py[i]!, 2)]), lengthM: 0, closed: false };
  const s = new Float64Array(n);
  for (let i = 1; i < n; i++) s[i] = s[i - 1]! + Math.hypot(px[i]! - px[i - 1]!, py[i]! - py[i - 1]!);
  let best: { from: number; to: number; length: number } | null = null;
  for (const frac of [0.5, 0.3, 0.7, 0.15, 0.85, 0]) {
    const loop = closeLoop(px, py, s, Math.floor(frac * (n - 1)));
    if (loop && (!best || loop.length < best.length)) best = loop;
  }
  const from = best ? best.from : 0;
  const to = best ? best.to : n - 1;
  const length = best ? best.length : s[n - 1]!;
  return { points: resample(px, py, s, from, to, length, maxPoints, best !== null), lengthM: round(length, 1), closed: best !== null };
}

/** The first return of the path to sample i0 after at least MIN_LAP_M: the closest sample of that pass. */
function closeLoop(px: number[], py: number[], s: Float64Array, i0: number): { from: number; to: number; length: number } | null {
  let bestJ = -1;
  let bestD = Infinity;
  for (let j = i0 + 1; j < px.length; j++) {
    if (s[j]! - s[i0]! < MIN_LAP_M) continue;
    const d = Math.hypot(px[j]! - px[i0]!, py[j]! - py[i0]!);
    if (d < CLOSE_M && d < bestD) {
      bestD = d;
      bestJ = j;
    } else if (bestJ >= 0 && d >= CLOSE_M) break; // past the closest approach of the first return
  }
  // The path may end while still coming back towards sample i0 (the data stops short of a full
  // lap): its last sample is then the closest without being a pass, and closing there cut the
  // bend between it and i0 with a straight line (12 m off the circuit in a seeded import test,
  // TIDEWIRE_SEED=20). A pass is a closest sample with a farther one after it.
  if (bestJ < 0 || bestJ === px.length - 1) return null;
  // The lap runs i0 … bestJ − 1; the closing segment back to i0 completes it.
  const length = s[bestJ - 1]! - s[i0]! + Math.hypot(px[i0]! - px[bestJ - 1]!, py[i0]! - py[bestJ - 1]!);
  return { from: i0, to: bestJ - 1, length };
}

function resample(px: number[], py: number[], s: Float64Array, from: number, to: number, length: number, maxPoints: number, closed: boolean): number[][] {
  const count = Math.max(2, Math.min(maxPoints, Math.ceil(length / 2)));
  const step = length / (closed ? count : count - 1);
  const out: number[][] = [];
  let i = from;
  for (let k = 0; k < count; k++) {
    const d = s[from]! + k * step;
    while (i < to && s[i + 1]! <= d) i++;
    if (i >= to) {
      // On the closing segment (closed) or the end of the path (open).
      const ex = closed ? px[from]! : px[to]!,
        ey = closed ? py[from]! : py[to]!;
      const seg = closed ? Math.hypot(ex - px[to]!, ey - py[to]!) : 0;
      const a = seg > 0 ? Math.min(1, (d - s[to]!) / seg) : 0;
      out.push([round(px[to]! + (ex - px[to]!) * a, 2), round(py[to]! + (ey - py[to]!) * a, 2)]);
      continue;
    }
    const seg = s[i + 1]! - s[i]!;
    const a = seg > 0 ? (d - s[i]!) / seg : 0;
    out.push([round(px[i]! + (px[i + 1]! - px[i]!) * a, 2), round(py[i]! + (py[i + 1]! - py[i]!) * a, 2)]);
  }
  return out;
}

export interface ImportedStaticInput {
  race: Record<string, unknown>;
  track: Record<string, unknown>;
  source: Record<string, unknown>;
}

/**
 * The generator's static envelope (docs/replay-generator.md §5.2) with what an import knows:
 * `classification`, `laps` and `pitStops` are empty (not known from telemetry alone), `source`
 * says where the frames came from.
 */
export function importedStatic(input: ImportedStaticInput): Record<string, unknown> {
  return {
    format: REPLAY_FORMAT,
    version: REPLAY_FORMAT_VERSION,
    race: input.race,
    track: input.track,
    statusNames: [...STATUS_NAMES],
    classification: [],
    laps: {},
    pitStops: [],
    source: input.source,
    generator: IMPORTER,
    attribution: [],
  };
}
