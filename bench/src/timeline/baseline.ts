// The original design, reproduced for comparison. Per connection (one playback session):
//   - a 60 Hz polling loop (setInterval 1000/60) that checks whether a new 25 fps frame is due
//     (index from the session's anchor: drift-free, the most charitable reading) and sends it;
//   - the frame built as entity objects from the raw data on every send ({ cars: [{ number, x,
//     y, speed, … }] }) and serialised with msgpack (msgpackr, plain maps: no records), no cache;
//   - no flow control: ws.send whatever the socket's bufferedAmount;
//   - seek jumps the index: frames already in flight still arrive after it (rubber banding).
// The raw data is the session decoded once into one Float64Array (frames × cars × fields):
// the cheapest possible store, so the baseline's cost here is a lower bound on the original's.
import { gunzipSync } from 'node:zlib';
import { Packr } from 'msgpackr';
import { WebSocket, WebSocketServer } from 'ws';
import type { RawData } from 'ws';
import { FrameDecoder, parseSegmentPayload, TimelineReader } from '@tidewire/timeline';
import { RACE_FIELDS } from '@tidewire/timeline/testing';
import { PERIOD_MS } from './session-file.ts';

export interface Car {
  number: number;
  x: number;
  y: number;
  speed: number;
  gear: number;
  throttle: number;
  brake: boolean;
  drs: boolean;
  lap: number;
  position: number;
}

export interface FrameMessage {
  type: 'frame';
  frame: number;
  timeMs: number;
  cars: Car[];
}

export type BaselineCommand = { type: 'play' } | { type: 'pause' } | { type: 'seek'; frame: number };

/** msgpack as the original used it: plain maps, no records, a fresh encoding per send. */
export function baselineCodec(): Packr {
  return new Packr({ useRecords: false });
}

const F = RACE_FIELDS.length;
const [X, Y, SPEED, GEAR, THROTTLE, BRAKE, DRS, LAP, POSITION] = [0, 1, 2, 3, 4, 5, 6, 7, 8];

export class RawTelemetry {
  readonly frameCount: number;
  readonly cars: number;
  readonly numbers: number[];
  private readonly values: Float64Array;

  private constructor(values: Float64Array, frameCount: number, numbers: number[]) {
    this.values = values;
    this.frameCount = frameCount;
    this.numbers = numbers;
    this.cars = numbers.length;
  }

  static fromFile(file: Uint8Array): RawTelemetry {
    const reader = TimelineReader.open(file);
    const s = reader.schema;
    if (s.fields.map((f) => f.name).join() !== RACE_FIELDS.join()) throw new Error(`unexpected fields ${s.fields.map((f) => f.name).join()}`);
    const cells = s.entities.length * F;
    const values = new Float64Array(reader.frameCount * cells);
    const decoder = new FrameDecoder(s);
    for (let n = 0; n < reader.segmentCount; n++) {
      const info = reader.segmentInfo(n);
      const payload = gunzipSync(reader.segmentBytes(n), { maxOutputLength: Math.max(1, info.rawLength) });
      const seg = parseSegmentPayload(new Uint8Array(payload.buffer, payload.byteOffset, payload.byteLength), s.rateHz);
      decoder.reset();
      for (let i = 0; i < seg.frameCount; i++) {
        const at = (seg.firstFrame + i) * cells;
        decoder.decode(seg.frames[i]!, values.subarray(at, at + cells));
      }
    }
    return new RawTelemetry(
      values,
      reader.frameCount,
      s.entities.map((e) => Number(e.id)),
    );
  }

  /** The frame as the original sent it: new objects every time. */
  build(k: number): FrameMessage {
    const v = this.values;
    const cars: Car[] = [];
    for (let e = 0; e < this.cars; e++) {
      const o = (k * this.cars + e) * F;
      cars.push({
        number: this.numbers[e]!,
        x: v[o + X]!,
        y: v[o + Y]!,
        speed: v[o + SPEED]!,
        gear: v[o + GEAR]!,
        throttle: v[o + THROTTLE]!,
        brake: v[o + BRAKE] === 1,
        drs: v[o + DRS] === 1,
        lap: v[o + LAP]!,
        position: v[o + POSITION]!,
      });
    }
    return { type: 'frame', frame: k, timeMs: k * PERIOD_MS, cars };
  }
}

/** Where a received frame differs from the file's values for its frame (null: identical). */
export function baselineMismatch(msg: FrameMessage, truth: Float64Array, numbers: readonly number[]): string | null {
  if (msg.type !== 'frame' || !Array.isArray(msg.cars) || msg.cars.length !== numbers.length) return 'not a frame of every car';
  if (msg.timeMs !== msg.frame * PERIOD_MS) return `frame ${msg.frame}: timeMs ${msg.timeMs}`;
  for (let e = 0; e < numbers.length; e++) {
    const c = msg.cars[e]!;
    const o = e * F;
    const same =
      c.number === numbers[e] &&
      same64(c.x, truth[o + X]!) &&
      same64(c.y, truth[o + Y]!) &&
      same64(c.speed, truth[o + SPEED]!) &&
      same64(c.gear, truth[o + GEAR]!) &&
      same64(c.throttle, truth[o + THROTTLE]!) &&
      c.brake === (truth[o + BRAKE] === 1) &&
      c.drs === (truth[o + DRS] === 1) &&
      same64(c.lap, truth[o + LAP]!) &&
      same64(c.position, truth[o + POSITION]!);
    if (!same) return `frame ${msg.frame}, car ${numbers[e]}: ${JSON.stringify(c)}`;
  }
  return null;
}

function same64(a: number, b: number): boolean {
  return a === b || (Number.isNaN(a) && Number.isNaN(b));
}

export interface BaselineStats {
  sessions: number;
  framesSent: number;
  bytesSent: number;
}

/** One viewer's playback, as the original ran it. */
class BaselineSession {
  private playing = false;
  private anchorFrame = 0;
  private anchorWall = 0;
  private last = -1;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly ws: WebSocket,
    private readonly raw: RawTelemetry,
    private readonly codec: Packr,
    private readonly stats: BaselineStats,
  ) {
    this.timer = setInterval(() => this.tick(), 1000 / 60);
    ws.on('message', (data: RawData) => this.onMessage(data));
    ws.on('close', () => {
      clearInterval(this.timer);
      stats.sessions--;
    });
    stats.sessions++;
  }

  private position(now: number): number {
    return this.playing ? this.anchorFrame + Math.floor((now - this.anchorWall) / PERIOD_MS) : this.anchorFrame;
  }

  private onMessage(data: RawData): void {
    let cmd: BaselineCommand;
    try {
      cmd = this.codec.unpack(data as Buffer) as BaselineCommand;
    } catch {
      return;
    }
    const now = performance.now();
    if (cmd?.type === 'play') {
      if (!this.playing) {
        this.anchorWall = now;
        this.playing = true;
      }
    } else if (cmd?.type === 'pause') {
      this.anchorFrame = Math.min(this.raw.frameCount - 1, this.position(now));
      this.playing = false;
    } else if (cmd?.type === 'seek' && Number.isSafeInteger(cmd.frame) && cmd.frame >= 0 && cmd.frame < this.raw.frameCount) {
      // Jump the index; the next due check sends the new position.
      this.anchorFrame = cmd.frame;
      this.anchorWall = now;
      this.last = -1;
      if (!this.playing) this.send(cmd.frame);
    }
  }

  private tick(): void {
    if (!this.playing) return;
    const due = Math.min(this.raw.frameCount - 1, this.position(performance.now()));
    if (due === this.last) return;
    this.last = due;
    this.send(due);
  }

  private send(k: number): void {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    const bytes = this.codec.pack(this.raw.build(k));
    this.ws.send(bytes); // no flow control: whatever bufferedAmount is
    this.stats.framesSent++;
    this.stats.bytesSent += bytes.length;
  }
}

export interface BaselineServer {
  url: string;
  stats: BaselineStats;
  close(): Promise<void>;
}

export async function startBaselineServer(raw: RawTelemetry): Promise<BaselineServer> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  const codec = baselineCodec();
  const stats: BaselineStats = { sessions: 0, framesSent: 0, bytesSent: 0 };
  wss.on('connection', (ws) => new BaselineSession(ws, raw, codec, stats));
  const port = (wss.address() as { port: number }).port;
  return {
    url: `ws://127.0.0.1:${port}`,
    stats,
    async close() {
      for (const c of wss.clients) c.terminate();
      await new Promise<void>((r) => wss.close(() => r()));
    },
  };
}
