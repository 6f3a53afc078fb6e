// Race planning: every car's race as a schedule of laps, solved so the line crossings hit the
// real results (docs/replay-generator.md §4). A lap's time is pace × (the speed model's time for
// the lap's track part) plus the pit-lane time of a stop; pace = base × shape(lap), where the
// shape carries fuel burn, tyre age, first-lap traffic and seeded noise. Crossing times are then
// linear in `base`, so one division per car hits its target exactly:
//   finishers: the real on-track time (official time − time penalty);
//   lapped cars: a crossing after the leader's flag, within one of their laps, in classified order;
//   retirements: a pace from their grid slot, stopping during the lap after their last one.
import { ReplayError } from './errors.ts';
import type { RaceData, ResultRow } from './f1db.ts';
import { knotsFromProfile, pieceEnd, timeAt, waitKnots, type Knots, type Piece } from './motion.ts';
import { PIT_SPEED, pitStopKnots, type PitLane } from './pit-lane.ts';
import type { Prng } from '@tidewire/random';
import type { Track } from './track.ts';
import type { SpeedModel } from './vehicle.ts';

/** Shape of the pace over a race (fractions of the lap time). */
const FUEL_EFFECT = 0.03; // full tanks vs empty: ~3 % of a lap
const TYRE_WEAR = 0.0007; // per lap of tyre age
const LAP1_TRAFFIC = 0.02;
const NOISE = 0.0015;
const NOISE_MEMORY = 0.85;
/** Grid slots: the pole car 4 m behind the line, then one car every 8 m (16 m per row of two). */
const POLE_BEHIND_M = 4;
const SLOT_SPACING_M = 8;
/** A pit-lane starter waits at the lane's end until the last grid car has passed, plus this. */
const PIT_START_DELAY = 1.5;
const COOLDOWN_PACE = 1.45;
/** Retired cars stay where they stopped this long, then leave the picture. */
export const RETIRED_VISIBLE_SEC = 30;

export type EndKind = 'finished' | 'retired-track' | 'retired-pit';

export interface StopPlan {
  lap: number;
  durationSec: number;
  enterSec: number;
  exitSec: number;
}

export interface CarPlan {
  row: ResultRow;
  number: number;
  team: string;
  /** Grid slot, or null for a pit-lane start. */
  slot: number | null;
  pieces: Piece[];
  /** Laps completed. */
  laps: number;
  /** Time of each completed lap's line crossing: crossings[k − 1] ends lap k. */
  crossings: number[];
  /** When the car started lap 1 (0, or the release time of a pit-lane starter). */
  startSec: number;
  endKind: EndKind;
  /** On-track crossing of the last lap (running cars), else null. */
  finishSec: number | null;
  /** When a retiring car came to rest, else null. */
  retireSec: number | null;
  stops: StopPlan[];
  /** The solved pace factor (1 = the calibrated flying lap). */
  base: number;
}

export interface RacePlan {
  cars: CarPlan[];
  /** Cars that did not start (no plan, no pieces). */
  absent: ResultRow[];
  /** The chequered flag: when the first car completed the full distance, and that car. */
  flagSec: number;
  flagCar: CarPlan;
  winnerLaps: number;
  warnings: string[];
}

interface LapSpec {
  knots: Knots;
  /** The speed model's time for the lap's track part. */
  ref: number;
  shape: number;
  /** Stop at the end of this lap (entering the pit lane before the line). */
  stop: { durationSec: number; knots: Knots } | null;
  offset: 'none' | 'grid' | 'pit';
}

interface Draft {
  row: ResultRow;
  slot: number | null;
  laps: LapSpec[];
  tail: LapSpec | null; // the partial lap of an on-track retirement
  retireInPit: boolean;
  wait: number;
  base: number;
}

export function planRace(data: RaceData, track: Track, model: SpeedModel, lane: PitLane, rng: Prng): RacePlan {
  const { n, h } = track;
  const L = track.lengthM;
  const warnings: string[] = [];
  const cache = new Map<string, Knots>();
  const raceLaps = data.race.laps;

  /** Lap profile between two boundary kinds; cached (all cars share the flying and pit laps). */
  function lapKnots(start: string, end: string): Knots {
    const key = `${start}|${end}`;
    let k = cache.get(key);
    if (k) return k;
    let i0: number, v0: number | null;
    if (start === 'fly') {
      i0 = 0;
      v0 = null;
    } else if (start === 'exit') {
      i0 = lane.exitSamples;
      v0 = PIT_SPEED;
    } else if (start === 'pl') {
      i0 = Math.max(0, lane.exitSamples - 10);
      v0 = 0;
    } else {
      i0 = -Number(start.slice(5));
      v0 = 0;
    } // grid:<samples behind the line>
    let i1: number, v1: number | null, decel: number | undefined;
    if (end === 'fly') {
      i1 = n;
      v1 = null;
    } else if (end === 'entry') {
      i1 = n - lane.entrySamples;
      v1 = PIT_SPEED;
    } else {
      i1 = Number(end.slice(5));
      v1 = 0;
      decel = 4;
    } // stop:<sample> (a retirement)
    k = knotsFromProfile(model.segment(i0, i1, v0, v1, decel), h);
    cache.set(key, k);
    return k;
  }
  const duration = (k: Knots) => k.t[k.t.length - 1];

  const gridOf = new Map(data.grid.map((g) => [g.number, g.slot]));
  const winner = data.results.find((r) => r.position === 1) as ResultRow;
  const winnerLaps = winner.laps;
  const absent = data.results.filter((r) => r.status === 'did-not-start');
  const starters = data.results.filter((r) => r.status !== 'did-not-start');
  const stopsOf = new Map<number, { lap: number; durationSec: number }[]>();
  for (const s of [...data.pitStops].sort((a, b) => a.lap - b.lap || a.stop - b.stop)) {
    const list = stopsOf.get(s.number) ?? [];
    if (list.some((x) => x.lap === s.lap)) {
      warnings.push(`car ${s.number}: second stop on lap ${s.lap} dropped`);
      continue;
    }
    list.push({ lap: s.lap, durationSec: s.durationSec });
    stopsOf.set(s.number, list);
  }

  const running = (r: ResultRow) => r.status === 'finished' || r.status === 'lapped' || r.status === 'not-classified' || r.status === 'disqualified';
  const targetOf = (r: ResultRow): number | null => {
    if (r.laps !== winnerLaps) return null;
    if (r.timeSec !== null) return r.timeSec - r.penaltySec;
    const ref = starters[0];
    if (r.gap?.kind === 'time' && ref.timeSec !== null) return ref.timeSec - ref.penaltySec + r.gap.seconds - r.penaltySec;
    throw new ReplayError('REPLAY_BAD_DATA', `race-results.yml: car ${r.number} finished on the lead lap without a time`);
  };
  const timed = starters.filter((r) => running(r) && targetOf(r) !== null);
  const flagSec = Math.min(...timed.map((r) => targetOf(r) as number));
  if (!Number.isFinite(flagSec)) throw new ReplayError('REPLAY_BAD_DATA', 'race-results.yml: nobody completed the full distance with a time');
  const drafts = new Map<number, Draft>();

  // Pit-lane starters wait at the end of the lane until the field has gone by. The rearmost grid
  // car gets there in its standing-start time; × 1.25 covers any pace the solver picks for it.
  const slotToSamples = (slot: number) => Math.round((POLE_BEHIND_M + SLOT_SPACING_M * (slot - 1)) / h);
  const slots = starters.map((r) => gridOf.get(r.number) ?? null).filter((x): x is number => x !== null);
  let release = 0;
  if (starters.some((r) => (gridOf.get(r.number) ?? null) === null) && slots.length > 0) {
    const rear = lapKnots(`grid:${slotToSamples(Math.max(...slots))}`, 'fly');
    release = 1.25 * timeAt([{ t0: 0, pace: 1, sBase: 0, k: rear, phase: 'racing', offset: 'none' }], (lane.exitSamples + 15) * h) + PIT_START_DELAY;
  }

  function draft(row: ResultRow, carRng: Prng): Draft {
    const slot = gridOf.get(row.number) ?? null;
    const N = row.laps;
    const retired = row.status === 'retired';
    const stops = (stopsOf.get(row.number) ?? []).filter((s) => {
      if (s.lap < N || (retired && s.lap === N)) return true;
      warnings.push(`car ${row.number}: stop on lap ${s.lap} is after its ${N} laps, dropped`);
      return false;
    });
    const stopAt = new Map(stops.map((s) => [s.lap, s.durationSec]));
    const retireInPit = retired && stopAt.has(N);
    const laps: LapSpec[] = [];
    let age = 0;
    // lap-to-lap form drifts (AR(1)) rather than jumping, so close cars do not swap every lap
    let form = carRng.normal();
    const shape = (k: number) => {
      if (k > 1) form = NOISE_MEMORY * form + Math.sqrt(1 - NOISE_MEMORY * NOISE_MEMORY) * carRng.normal();
      return 1 + FUEL_EFFECT * (1 - (k - 1) / Math.max(1, raceLaps - 1)) + TYRE_WEAR * age + NOISE * form + (k === 1 ? LAP1_TRAFFIC : 0);
    };
    const startKind = (k: number) => (k === 1 ? (slot === null ? 'pl' : `grid:${slotToSamples(slot)}`) : stopAt.has(k - 1) ? 'exit' : 'fly');
    for (let k = 1; k <= N; k++) {
      const d = stopAt.get(k);
      const knots = lapKnots(startKind(k), d === undefined ? 'fly' : 'entry');
      const stop = d === undefined ? null : { durationSec: d, knots: pitStopKnots(lane, h, row.constructorId, d, retireInPit && k === N) };
      laps.push({ knots, ref: duration(knots), shape: shape(k), stop, offset: k === 1 ? (slot === null ? 'pit' : 'grid') : 'none' });
      age = d === undefined ? age + 1 : 0;
    }
    let tail: LapSpec | null = null;
    if (retired && !retireInPit) {
      // stop somewhere in the middle of the lap after the last completed one, clear of the pit lane
      const at = Math.round(n * carRng.range(0.2, 0.8));
      const knots = lapKnots(startKind(N + 1), `stop:${at}`);
      tail = { knots, ref: duration(knots), shape: shape(N + 1), stop: null, offset: N === 0 ? (slot === null ? 'pit' : 'grid') : 'none' };
    }
    return { row, slot, laps, tail, retireInPit, wait: slot === null ? release : 0, base: 1 };
  }

  /** Time of the last line crossing as a function of base: fixed + base × variable. */
  function linear(d: Draft): { fixed: number; variable: number } {
    let fixed = d.wait,
      variable = 0;
    d.laps.forEach((lap, i) => {
      variable += lap.shape * lap.ref;
      if (lap.stop) {
        // a stop's time before the line belongs to this lap, the rest to the next
        const inLap = lineTime(lap.stop.knots);
        fixed += i === d.laps.length - 1 ? inLap : lap.stop.durationSec;
      }
    });
    return { fixed, variable };
  }

  function solve(d: Draft, target: number): void {
    const { fixed, variable } = linear(d);
    d.base = (target - fixed) / variable;
    if (!(d.base > 0.7 && d.base < 3))
      throw new ReplayError(
        'REPLAY_UNSOLVABLE',
        `car ${d.row.number}: reaching lap ${d.row.laps} at ${target.toFixed(3)} s needs a pace of ${d.base.toFixed(3)} × the model's lap`,
      );
  }

  /** Duration of lap k (1-based) once base is known, including pit-lane time on either side. */
  function lapTime(d: Draft, k: number): number {
    const lap = d.laps[k - 1];
    let t = d.base * lap.shape * lap.ref;
    if (lap.stop) t += lineTime(lap.stop.knots);
    const prev = d.laps[k - 2];
    if (prev?.stop) t += prev.stop.durationSec - lineTime(prev.stop.knots);
    if (k === 1) t += d.wait;
    return t;
  }

  // 1. Cars that take the flag with a time: the target is the real on-track time.
  const planTimed = (r: ResultRow) => {
    const d = draft(r, rng.fork(r.number));
    const target = targetOf(r) as number;
    solve(d, target);
    // a lead-lap car must have been on its last lap when the flag fell: lengthen that lap if not
    for (let iter = 0; iter < 6 && target - lapTime(d, d.laps.length) >= flagSec - 0.5; iter++) {
      d.laps[d.laps.length - 1].shape *= 1.05;
      solve(d, target);
    }
    if (target - lapTime(d, d.laps.length) >= flagSec - 0.5)
      throw new ReplayError('REPLAY_UNSOLVABLE', `car ${r.number}: ${(target - flagSec).toFixed(3)} s behind the flag is more than its last lap`);
    drafts.set(r.number, d);
  };

  // 2. Lapped cars: each group with the same laps crosses within `span` after the flag, spread
  // over 12–88 % of it in classified order; span shrinks until it is shorter than every car's
  // last lap, so each car was still on its previous lap when the flag fell.
  const planLapped = (rows: ResultRow[]) => {
    const groups = new Map<number, ResultRow[]>();
    for (const r of rows) groups.set(r.laps, [...(groups.get(r.laps) ?? []), r]);
    for (const group of groups.values()) {
      const ds = group.map((r) => draft(r, rng.fork(r.number)));
      if (ds.some((d) => d.laps.length === 0)) throw new ReplayError('REPLAY_UNSOLVABLE', `a running car with no completed lap cannot be classified`);
      let span = flagSec / winnerLaps;
      const targets = () => ds.map((_, i) => flagSec + span * (0.12 + (0.76 * (i + 0.5)) / ds.length));
      for (let iter = 0; iter < 8; iter++) {
        targets().forEach((t, i) => solve(ds[i], t));
        const shortest = Math.min(...ds.map((d) => lapTime(d, d.laps.length)));
        if (shortest > span) break;
        span = shortest * 0.97;
      }
      targets().forEach((t, i) => {
        if (t - lapTime(ds[i], ds[i].laps.length) >= flagSec)
          throw new ReplayError('REPLAY_UNSOLVABLE', `car ${ds[i].row.number}: cannot be ${winnerLaps - ds[i].row.laps} lap(s) down at the flag`);
        drafts.set(ds[i].row.number, ds[i]);
      });
    }
  };

  // 3. Retirements: no time to hit; the median pace adjusted by grid slot, stopping before the flag.
  const planRetired = (rows: ResultRow[]) => {
    const bases = [...drafts.values()].map((d) => d.base).sort((a, b) => a - b);
    const median = bases.length ? bases[bases.length >> 1] : 1.05;
    for (const r of rows) {
      const carRng = rng.fork(r.number);
      const d = draft(r, carRng);
      d.base = median * (1 + 0.0015 * ((d.slot ?? 20) - 10)) * (1 + 0.002 * carRng.normal());
      const { fixed, variable } = linear(d);
      const tail = d.tail ? d.tail.shape * d.tail.ref : 0;
      d.base = Math.min(d.base, (flagSec - 1 - fixed) / (variable + tail));
      if (!(d.base > 0.7)) throw new ReplayError('REPLAY_UNSOLVABLE', `car ${r.number}: cannot complete ${r.laps} laps before the flag`);
      drafts.set(r.number, d);
    }
  };

  const lappedRows = starters.filter((r) => running(r) && targetOf(r) === null);
  const retiredRows = starters.filter((r) => !running(r));
  for (const r of timed) planTimed(r);
  planLapped(lappedRows);
  planRetired(retiredRows);

  function build(d: Draft): CarPlan {
    const pieces: Piece[] = [];
    const crossings: number[] = [];
    const stops: StopPlan[] = [];
    let t = 0;
    const slot = d.slot;
    if (d.wait > 0) {
      const s0 = d.laps[0]?.knots.s[0] ?? d.tail?.knots.s[0] ?? 0;
      pieces.push({ t0: 0, pace: 1, sBase: s0, k: waitKnots(d.wait), phase: 'pit-start', offset: 'pit' });
      t = d.wait;
    }
    const startSec = t;
    const gridPiece = (lap: LapSpec, sBase: number, pace: number, phase: 'racing' | 'retiring'): Piece => {
      const p: Piece = { t0: t, pace, sBase, k: lap.knots, phase, offset: lap.offset };
      if (lap.offset === 'grid' && slot !== null) {
        p.gridSide = slot % 2 === 1 ? 1 : -1;
        p.gridS0 = lap.knots.s[0];
      }
      return p;
    };
    d.laps.forEach((lap, i) => {
      const k = i + 1;
      const piece = gridPiece(lap, (k - 1) * L, d.base * lap.shape, 'racing');
      pieces.push(piece);
      t = pieceEnd(piece);
      if (lap.stop) {
        const pit: Piece = { t0: t, pace: 1, sBase: k * L, k: lap.stop.knots, phase: 'pit', offset: 'pit' };
        pieces.push(pit);
        crossings.push(t + lineTime(lap.stop.knots));
        const exit = pieceEnd(pit);
        stops.push({ lap: k, durationSec: lap.stop.durationSec, enterSec: t, exitSec: exit });
        t = exit;
      } else {
        crossings.push(t);
      }
    });
    const N = d.laps.length;
    let endKind: EndKind = 'finished';
    let finishSec: number | null = null;
    let retireSec: number | null = null;
    const last = pieces[pieces.length - 1];
    if (d.retireInPit) {
      endKind = 'retired-pit';
      stops.pop(); // not a stop: the car went to its garage and stayed
      retireSec = t;
      pieces.push({ t0: t, pace: 1, sBase: last.sBase + last.k.s[last.k.s.length - 1], k: waitKnots(RETIRED_VISIBLE_SEC), phase: 'retired', offset: 'pit' });
    } else if (d.tail) {
      endKind = 'retired-track';
      const piece = gridPiece(d.tail, N * L, d.base * d.tail.shape, 'retiring');
      pieces.push(piece);
      t = pieceEnd(piece);
      retireSec = t;
      pieces.push({
        t0: t,
        pace: 1,
        sBase: N * L + d.tail.knots.s[d.tail.knots.s.length - 1],
        k: waitKnots(RETIRED_VISIBLE_SEC),
        phase: 'retired',
        offset: 'none',
      });
    } else {
      finishSec = t;
      const cool = lapKnots('fly', 'fly');
      for (let c = 0; c < 2; c++) {
        const piece: Piece = { t0: t, pace: COOLDOWN_PACE, sBase: (N + c) * L, k: cool, phase: 'cooldown', offset: 'none' };
        pieces.push(piece);
        t = pieceEnd(piece);
      }
    }
    return {
      row: d.row,
      number: d.row.number,
      team: d.row.constructorId,
      slot,
      pieces,
      laps: N,
      crossings,
      startSec,
      endKind,
      finishSec,
      retireSec,
      stops,
      base: d.base,
    };
  }

  const cars = starters.map((r) => build(drafts.get(r.number) as Draft));
  for (const c of cars) {
    if (c.base < 0.95 || c.base > 1.3) warnings.push(`car ${c.number}: pace ${c.base.toFixed(3)} × the calibrated lap is unusual`);
  }
  let flagCar = cars[0];
  for (const c of cars) if (c.finishSec !== null && c.laps === winnerLaps && (flagCar.finishSec === null || c.finishSec < flagCar.finishSec)) flagCar = c;
  return { cars, absent, flagSec: flagCar.finishSec as number, flagCar, winnerLaps, warnings };
}

/** Seconds from the pit-lane entry to the line (knots s relative to the line). */
function lineTime(k: Knots): number {
  for (let j = 1; j < k.s.length; j++) {
    if (k.s[j] >= 0) {
      const ds = k.s[j] - k.s[j - 1];
      const f = ds > 0 ? (0 - k.s[j - 1]) / ds : 1;
      return k.t[j - 1] + (k.t[j] - k.t[j - 1]) * f;
    }
  }
  return k.t[k.t.length - 1];
}
