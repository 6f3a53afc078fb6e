// generateRace: one race folder + one circuit → a timeline file (docs/replay-generator.md).
// Isomorphic: the caller passes parsed data and the gzip compressor (load.ts does it for Node).
import { TimelineWriter, type Compress, type EntityDef, type TimelineSchema } from '@tidewire/timeline';
import { classify, type ClassificationRow } from './classification.ts';
import { project, type Circuit } from './circuit.ts';
import { findDrsZones, type DrsZone } from './drs.ts';
import { ReplayError } from './errors.ts';
import type { RaceData } from './f1db.ts';
import { buildPitLane, pitOffsetAt, PIT_SPEED, type PitLane } from './pit-lane.ts';
import { planRace, type RacePlan } from './plan.ts';
import { FIELDS, renderRace, STATUS_NAMES } from './render.ts';
import { Prng } from '@tidewire/random';
import { driverCode, driverName, teamColor, teamName } from './teams.ts';
import { buildTrack, trackAt, type Track } from './track.ts';
import { calibrate } from './vehicle.ts';

export const REPLAY_FORMAT = 'tidewire-race-replay';
export const REPLAY_FORMAT_VERSION = 1;
// 2: the noise is drawn from @tidewire/random (sfc32) instead of a private mulberry32, so a seed
// gives other (equally valid) laps than generator 1 did; the cache key changes with this name.
export const GENERATOR = '@tidewire/replay generator 2';
export const ATTRIBUTION = [
  'F1DB, CC BY 4.0 (changed: modelled laps), https://github.com/f1db/f1db, https://creativecommons.org/licenses/by/4.0/',
  'f1-circuits, MIT, © 2019-2025 Tomislav Bacinger, https://github.com/bacinger/f1-circuits',
] as const;

/** At most this many outline points in static.track.points (the importers keep to it too). */
export const MAX_TRACK_POINTS = 600;
/** Seconds of timeline after the last car takes the flag. */
const TAIL_SEC = 6;

export interface GenerateInput {
  race: RaceData;
  circuit: Circuit;
  /** The venue's lon/lat (F1DB circuits/<id>.yml): helps find the start line when the polyline's first point is not on a straight. */
  venue?: { lon: number; lat: number } | null;
  /** Where the start/finish line is, overriding the search. */
  startFinish?: { lon: number; lat: number } | null;
  /** Seeds lap-time noise and where retirements stop; default 1. */
  seed?: number;
}

export interface GenerateOptions {
  /** Segment compressor: gzip (node:zlib gzipSync in Node). */
  compress: Compress;
  /** Frame rate, 1–100 Hz; default 25. */
  rateHz?: number;
  onProgress?: (phase: 'plan' | 'render' | 'finish', fraction: number) => void;
}

export interface GenerateStats {
  frames: number;
  durationSec: number;
  fileBytes: number;
  /** fileBytes / durationSec: the budget is 6,250. */
  bytesPerSec: number;
  planMs: number;
  renderMs: number;
}

export interface GenerateResult {
  file: Uint8Array;
  schema: TimelineSchema;
  classification: ClassificationRow[];
  stats: GenerateStats;
  warnings: string[];
}

export function round(x: number, digits: number): number {
  const k = 10 ** digits;
  return Math.round(x * k) / k;
}

export async function generateRace(input: GenerateInput, options: GenerateOptions): Promise<GenerateResult> {
  const seed = input.seed ?? 1;
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff)
    throw new ReplayError('REPLAY_BAD_OPTION', `seed must be an integer in 0..4294967295, got ${seed}`);
  const rateHz = options.rateHz ?? 25;
  if (!Number.isInteger(rateHz) || rateHz < 1 || rateHz > 100) throw new ReplayError('REPLAY_BAD_OPTION', `rateHz must be an integer in 1..100, got ${rateHz}`);
  if (typeof options.compress !== 'function') throw new ReplayError('REPLAY_BAD_OPTION', 'compress must be a function');
  const { race } = input;
  const t0 = performance.now();
  options.onProgress?.('plan', 0);

  const track = buildTrack(input.circuit, {
    direction: race.race.direction,
    lengthM: race.race.lengthM,
    startFinish: input.startFinish ? project(input.circuit, input.startFinish.lon, input.startFinish.lat) : null,
    venue: input.venue ? project(input.circuit, input.venue.lon, input.venue.lat) : null,
  });
  // The flying lap is fitted to the race's fastest lap, so pace factors stay near 1 and speeds realistic.
  const fastest = race.fastestLaps.length ? Math.min(...race.fastestLaps.map((f) => f.timeSec)) : 0;
  const model = calibrate(track, fastest);
  const stopTimes = race.pitStops.map((p) => p.durationSec).sort((a, b) => a - b);
  const lane = buildPitLane(
    track,
    stopTimes.length ? stopTimes[0] : null,
    race.results.map((r) => r.constructorId),
  );
  const plan = planRace(race, track, model, lane, new Prng(seed));
  const zones = findDrsZones(track, model);
  const classification = classify(plan);
  options.onProgress?.('plan', 1);
  const t1 = performance.now();

  const order = race.results.map((r) => r.number);
  const lastFinish = Math.max(...plan.cars.map((c) => c.finishSec ?? 0));
  const endSec = lastFinish + TAIL_SEC;
  const schema: TimelineSchema = {
    name: `f1-${race.race.season ?? 'race'}-${race.race.grandPrixId ?? race.race.circuitId}`,
    rateHz,
    fields: FIELDS,
    entities: race.results.map((r): EntityDef => ({
      id: String(r.number),
      name: driverName(r.driverId),
      number: r.number,
      code: driverCode(r.driverId),
      team: teamName(r.constructorId),
      color: teamColor(r.constructorId),
      driverId: r.driverId,
      constructorId: r.constructorId,
    })),
    static: staticMetadata(input, track, lane, zones, plan, classification, model.grip, model.lapTime, seed),
  };
  const writer = new TimelineWriter(schema, { compress: options.compress, keyframeInterval: 2 * rateHz, library: GENERATOR });
  const frames = renderRace(plan, order, track, lane, zones, writer, { rateHz, endSec, onProgress: (f) => options.onProgress?.('render', f) });
  options.onProgress?.('finish', 0);
  const file = await writer.finish();
  options.onProgress?.('finish', 1);
  const durationSec = frames / rateHz;
  return {
    file,
    schema,
    classification,
    stats: { frames, durationSec, fileBytes: file.length, bytesPerSec: file.length / durationSec, planMs: t1 - t0, renderMs: performance.now() - t1 },
    warnings: plan.warnings,
  };
}

function staticMetadata(
  input: GenerateInput,
  track: Track,
  lane: PitLane,
  zones: DrsZone[],
  plan: RacePlan,
  classification: ClassificationRow[],
  grip: number,
  flyingLapSec: number,
  seed: number,
): Record<string, unknown> {
  const r = input.race.race;
  const step = Math.ceil(track.n / MAX_TRACK_POINTS);
  const points: number[][] = [];
  for (let i = 0; i < track.n; i += step) points.push([round(track.x[i], 2), round(track.y[i], 2)]);
  const pos = { x: 0, y: 0, nx: 0, ny: 0 };
  const lanePoints: number[][] = [];
  for (let j = -lane.entrySamples; j <= lane.exitSamples; j += 5) {
    const d = j * track.h;
    trackAt(track, d, pos);
    const off = pitOffsetAt(lane, track, d);
    lanePoints.push([round(pos.x + off * pos.nx, 2), round(pos.y + off * pos.ny, 2)]);
  }
  trackAt(track, 0, pos);
  const heading = Math.atan2(-pos.nx, pos.ny); // the tangent is the left normal turned right
  const laps: Record<string, { startSec: number; lapEndSec: number[] }> = {};
  for (const c of plan.cars) laps[String(c.number)] = { startSec: round(c.startSec, 3), lapEndSec: c.crossings.map((t) => round(t, 3)) };
  return {
    format: REPLAY_FORMAT,
    version: REPLAY_FORMAT_VERSION,
    race: {
      name: r.officialName,
      season: r.season,
      round: r.round,
      date: r.date,
      grandPrixId: r.grandPrixId,
      circuitId: r.circuitId,
      circuitName: input.circuit.name,
      laps: r.laps,
      lapLengthM: r.lengthM,
      direction: r.direction,
    },
    track: {
      points,
      lengthM: track.lengthM,
      startFinish: { x: round(pos.x, 2), y: round(pos.y, 2), heading: round(heading, 4) },
      startMethod: track.startMethod,
      polylineLengthM: round(track.polylineLengthM, 1),
      reversed: track.reversed,
      projection: { type: 'equirectangular', lon0: input.circuit.origin.lon, lat0: input.circuit.origin.lat },
      pitLane: {
        points: lanePoints,
        entryM: round(-lane.entrySamples * track.h, 1),
        exitM: round(lane.exitSamples * track.h, 1),
        lengthM: round(lane.lengthM, 1),
        speedLimitKmh: round(PIT_SPEED * 3.6, 1),
        side: lane.side === 1 ? 'left' : 'right',
        approximate: true,
      },
      drsZones: zones.map((z) => ({ detectionM: round(z.detectionM, 1), startM: round(z.startM, 1), endM: round(z.endM, 1) })),
    },
    statusNames: [...STATUS_NAMES],
    flagSec: round(plan.flagSec, 3),
    classification: classification.map((c) => ({ ...c })),
    laps,
    pitStops: plan.cars.flatMap((c) =>
      c.stops.map((s) => ({ number: c.number, lap: s.lap, durationSec: s.durationSec, enterSec: round(s.enterSec, 3), exitSec: round(s.exitSec, 3) })),
    ),
    model: {
      seed,
      grip: round(grip, 4),
      flyingLapSec: round(flyingLapSec, 3),
      pace: Object.fromEntries(plan.cars.map((c) => [String(c.number), round(c.base, 4)])),
    },
    generator: GENERATOR,
    attribution: [...ATTRIBUTION],
  };
}
