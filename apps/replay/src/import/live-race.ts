// The live race state behind the UDP ingest (docs/replay-import.md §3.2): decoded packets update
// per-car state; a clock driven by the packets' own session time emits a frame every 40 ms of
// session time (25 Hz), positions interpolated between the two motion updates around it, every
// other field the latest value received at or before it. The
// game's motion rate (10–60 Hz, set in its menus) therefore never changes the timeline's rate, a
// capture replayed with --fast gives the same frames as one replayed at its pace, and a paused
// game (no packets) adds no frames.
import { Status } from '../generate/render.ts';
import { COL, F } from './common.ts';
import { MAX_CARS, type CarTelemetryPacket, type LapDataPacket, type MotionPacket, type PacketHeader, type Participant } from './f1-udp.ts';

export interface LiveRaceOptions {
  rateHz: number;
  /** Receives each frame (values are reused: encode or copy them before returning). */
  onFrame: (values: Float64Array, timeMs: number) => void;
  /** A jump of session time larger than this is a gap in the timeline instead of a burst of frames; default 1000 ms. */
  maxCatchUpMs?: number;
}

/** Largest magnitude accepted for a world coordinate or distance (m): beyond it a value is garbage. */
const MAX_COORD_M = 1e6;
const MAX_SPEED_KMH = 1000;
/** float32 session time near 10⁴ s is good to ~1 ms; packets closer than this to a frame time are at it. */
export const TIME_EPSILON_MS = 0.5;

function finite(x: number, limit: number): number {
  return Number.isFinite(x) && Math.abs(x) <= limit ? x : NaN;
}

export class LiveRace {
  readonly entities = MAX_CARS;
  readonly values: Float64Array;
  private readonly periodMs: number;
  private readonly maxCatchUpMs: number;
  private readonly onFrame: LiveRaceOptions['onFrame'];
  // Motion: the two latest updates per car, on the timeline clock.
  private readonly m0t = new Float64Array(MAX_CARS).fill(NaN);
  private readonly m0x = new Float64Array(MAX_CARS);
  private readonly m0y = new Float64Array(MAX_CARS);
  private readonly m1t = new Float64Array(MAX_CARS).fill(NaN);
  private readonly m1x = new Float64Array(MAX_CARS);
  private readonly m1y = new Float64Array(MAX_CARS);
  // The latest telemetry and lap data per car (NaN until known).
  private readonly tel = new Float64Array(MAX_CARS * 5).fill(NaN); // speed, gear, throttle, brake, drs
  private readonly lap = new Float64Array(MAX_CARS * 5).fill(NaN); // lap, position, gap, status, distance
  /** 0 unknown, 1 in the session, 2 not (an empty slot). */
  private readonly present = new Uint8Array(MAX_CARS);
  private activeCars = -1;
  private lapDataSeen = false;
  // Clock: timeline ms = session ms − base + offset; offset grows when session time goes back.
  private base = NaN;
  private offset = 0;
  private lastMs = -Infinity;
  private nextFrameMs = 0;
  framesEmitted = 0;
  /** Times the session clock went back (flashbacks, restarts) and the timeline carried on. */
  clockRewinds = 0;
  participants: Participant[] | null = null;

  constructor(options: LiveRaceOptions) {
    this.periodMs = 1000 / options.rateHz;
    this.maxCatchUpMs = options.maxCatchUpMs ?? 1000;
    this.onFrame = options.onFrame;
    this.values = new Float64Array(MAX_CARS * F);
  }

  /** Timeline time of a packet: continuous and never going back. */
  private clock(h: PacketHeader): number {
    const ms = h.sessionTime * 1000;
    if (Number.isNaN(this.base)) this.base = ms;
    let t = ms - this.base + this.offset;
    if (t < this.lastMs) {
      // A flashback or a restart rewound the session clock: the timeline goes on from where it is.
      this.offset += this.lastMs - t;
      t = this.lastMs;
      this.clockRewinds++;
    }
    this.lastMs = t;
    return t;
  }

  motion(h: PacketHeader, p: MotionPacket): void {
    const t = this.clock(h);
    for (let i = 0; i < MAX_CARS; i++) {
      const x = finite(p.x[i]!, MAX_COORD_M),
        y = finite(p.z[i]!, MAX_COORD_M);
      this.m0t[i] = this.m1t[i]!;
      this.m0x[i] = this.m1x[i]!;
      this.m0y[i] = this.m1y[i]!;
      this.m1t[i] = t;
      this.m1x[i] = x;
      this.m1y[i] = y;
    }
    this.advance(t);
  }

  telemetry(h: PacketHeader, p: CarTelemetryPacket): void {
    const t = this.clock(h);
    for (let i = 0; i < MAX_CARS; i++) {
      const o = i * 5;
      this.tel[o] = p.speed[i]! <= MAX_SPEED_KMH ? p.speed[i]! : NaN;
      this.tel[o + 1] = p.gear[i]!;
      const th = p.throttle[i]!;
      this.tel[o + 2] = Number.isFinite(th) ? Math.round(Math.min(1, Math.max(0, th)) * 100) : NaN;
      const br = p.brake[i]!;
      this.tel[o + 3] = Number.isFinite(br) ? (br > 0.01 ? 1 : 0) : NaN;
      this.tel[o + 4] = p.drs[i]! !== 0 ? 1 : 0;
    }
    this.advance(t);
  }

  lapData(h: PacketHeader, p: LapDataPacket): void {
    const t = this.clock(h);
    this.lapDataSeen = true;
    for (let i = 0; i < MAX_CARS; i++) {
      const o = i * 5;
      const rs = p.resultStatus[i]!;
      this.present[i] = rs >= 2 && rs <= 7 ? 1 : 2;
      this.lap[o] = p.currentLapNum[i]! > 0 ? p.currentLapNum[i]! : NaN;
      const pos = p.carPosition[i]!;
      this.lap[o + 1] = pos > 0 ? pos : NaN;
      this.lap[o + 2] = pos === 1 ? 0 : pos > 0 ? p.deltaToLeaderMs[i]! / 1000 : NaN;
      this.lap[o + 3] = rs === 3 ? Status.finished : rs >= 4 ? Status.retired : p.pitStatus[i]! !== 0 || p.driverStatus[i] === 0 ? Status.pit : Status.racing;
      this.lap[o + 4] = finite(p.totalDistance[i]!, MAX_COORD_M);
    }
    this.advance(t);
  }

  participantsPacket(h: PacketHeader, numActiveCars: number, cars: Participant[]): void {
    const t = this.clock(h);
    this.activeCars = numActiveCars;
    this.participants = cars;
    this.advance(t);
  }

  /** Any other packet of the session: it only moves the clock. */
  other(h: PacketHeader): void {
    this.advance(this.clock(h));
  }

  private advance(t: number): void {
    if (t - this.nextFrameMs > this.maxCatchUpMs) {
      // A long jump (a pause in a network game, a lost stretch of packets): leave a gap.
      this.nextFrameMs = Math.ceil(t / this.periodMs - 1e-9) * this.periodMs;
    }
    // Frame T goes out once a packet from after T arrives, so every packet stamped T (the game
    // sends a frame's motion, lap and telemetry packets with one session time) is in it. Session
    // time is a float32: times within TIME_EPSILON_MS of T count as T.
    while (this.nextFrameMs < t - TIME_EPSILON_MS) {
      this.render(this.nextFrameMs);
      this.onFrame(this.values, this.nextFrameMs);
      this.framesEmitted++;
      this.nextFrameMs = (Math.round(this.nextFrameMs / this.periodMs) + 1) * this.periodMs;
    }
  }

  private isPresent(i: number): boolean {
    if (this.lapDataSeen) return this.present[i] === 1;
    if (this.activeCars >= 0) return i < this.activeCars;
    // Neither yet: a car is there once it has moved off the origin.
    return !Number.isNaN(this.m1t[i]!) && (this.m1x[i] !== 0 || this.m1y[i] !== 0);
  }

  private render(t: number): void {
    const v = this.values;
    v.fill(NaN);
    for (let i = 0; i < MAX_CARS; i++) {
      if (!this.isPresent(i)) continue;
      const o = i * F;
      const t1 = this.m1t[i]!,
        t0 = this.m0t[i]!;
      if (!Number.isNaN(t1)) {
        if (!Number.isNaN(t0) && t < t1 && t1 > t0) {
          const a = Math.max(0, (t - t0) / (t1 - t0));
          v[o + COL.x] = this.m0x[i]! + (this.m1x[i]! - this.m0x[i]!) * a;
          v[o + COL.y] = this.m0y[i]! + (this.m1y[i]! - this.m0y[i]!) * a;
        } else {
          v[o + COL.x] = this.m1x[i]!;
          v[o + COL.y] = this.m1y[i]!;
        }
      }
      const a = i * 5;
      v[o + COL.speed] = this.tel[a]!;
      v[o + COL.gear] = this.tel[a + 1]!;
      v[o + COL.throttle] = this.tel[a + 2]!;
      v[o + COL.brake] = this.tel[a + 3]!;
      v[o + COL.drs] = this.tel[a + 4]!;
      v[o + COL.lap] = this.lap[a]!;
      v[o + COL.position] = this.lap[a + 1]!;
      v[o + COL.gap] = this.lap[a + 2]!;
      v[o + COL.status] = Number.isNaN(this.lap[a + 3]!) ? Status.racing : this.lap[a + 3]!;
      v[o + COL.distance] = this.lap[a + 4]!;
    }
  }
}
