// A raw server-paced viewer of the real server (the protocol a Player speaks, without the
// display): HELLO and SUBSCRIBE pipelined, a credit window like the Player's default (2 s of
// frames at 16×, 8 MiB), TL_CONTROL seek + play with the Player's lead (docs/timeline-format.md
// §W.5: frames up to DEFAULT_LEAD_MS early), then every TL_FRAMES checked, decoded and its credit
// returned as paced-frames.ts does (as often as the Player: its CONSUMED_EVERY_MS).
// Lighter than a Player, so a viewer process can run a thousand of them.
//
// A frame is reported at the time it would be PLAYED: a Player's clock starts when the play's
// TL_STATE arrives and shows frame k (k − frame) periods later, so a frame sent ahead waits in
// its buffer until then, and one that comes after that time plays late, when it comes. No
// playout delay is added (the Player trails by a frame plus 60 ms): lateness stays as strict as
// arrival times, only early arrival is not counted against the stream.
import { WebSocket } from 'ws';
import type { IncomingMessage } from 'node:http';
import {
  decodeFrame,
  decodeTimelineFrame,
  encodeHello,
  encodeSubscribe,
  encodeTlControl,
  encodeTlCredit,
  FrameType,
  isTimelineFrameType,
  PROTOCOL_VERSION,
  TimelineFrameType,
} from '@tidewire/protocol';
import { DEFAULT_LEAD_MS } from '@tidewire/client';
import type { TimelineSchema } from '@tidewire/timeline';
import type { ByteMeter } from './byte-meter.ts';
import { PacedFrames } from './paced-frames.ts';
import { CHANNEL, PERIOD_MS } from './session-file.ts';

const SEEK_SEQ = 1;
const PLAY_SEQ = 2;

export interface WsViewerHooks {
  /** Frame k decoded into `values` (borrowed scratch), played at `at` (performance.now()): its
   *  arrival, or its due time on the viewer's clock when it came ahead of it. */
  frame(k: number, at: number, values: Float64Array): void;
  error(message: string): void;
}

export class WsViewer {
  private channel = -1;
  private readonly paced: PacedFrames;
  /** Arrival of the play's TL_STATE and its frame: the viewer's clock (NaN before). */
  private playAt = Number.NaN;
  private playFrame = 0;

  private constructor(
    private readonly ws: WebSocket,
    schema: TimelineSchema,
    private readonly startFrame: number,
    private readonly hooks: WsViewerHooks,
  ) {
    this.paced = new PacedFrames(schema);
  }

  /** Resolves once the server has acknowledged play at `startFrame`. */
  static open(url: string, startFrame: number, schema: TimelineSchema, meter: ByteMeter, hooks: WsViewerHooks): Promise<WsViewer> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/ws`, { perMessageDeflate: false });
      const v = new WsViewer(ws, schema, startFrame, hooks);
      ws.once('upgrade', (res: IncomingMessage) => meter.add(res.socket));
      ws.on('open', () => {
        ws.send(encodeHello({ protocol: [PROTOCOL_VERSION.major, PROTOCOL_VERSION.minor], client: 'bench-timeline', capabilities: ['timeline'] }));
        ws.send(encodeSubscribe({ name: CHANNEL }));
      });
      ws.on('message', (data: Buffer) => {
        try {
          if (v.onMessage(new Uint8Array(data.buffer, data.byteOffset, data.byteLength))) resolve(v);
        } catch (err) {
          hooks.error((err as Error).message);
        }
      });
      ws.once('error', reject);
      ws.on('error', (err) => hooks.error(err.message));
    });
  }

  /** True when this message is the answer to our play. */
  private onMessage(b: Uint8Array): boolean {
    if (isTimelineFrameType(b[0]!)) {
      const f = decodeTimelineFrame(b);
      if (f.type === TimelineFrameType.TL_FRAMES) {
        this.onFrames(f.seekEpoch, f.firstFrame, f.frames);
      } else if (f.type === TimelineFrameType.TL_STATE) {
        this.paced.state(f.seekEpoch);
        if (f.ack !== PLAY_SEQ) return false;
        this.playAt = performance.now();
        this.playFrame = f.frame;
        return true;
      }
      return false;
    }
    const f = decodeFrame(b);
    if (f.type === FrameType.SUBSCRIBED) {
      this.channel = f.channel;
      this.paced.start(performance.now());
      this.ws.send(encodeTlCredit(f.channel, 800, 8 * 1024 * 1024));
      this.ws.send(encodeTlControl(f.channel, { op: 'seek', frame: this.startFrame, seq: SEEK_SEQ }));
      this.ws.send(encodeTlControl(f.channel, { op: 'play', leadMs: DEFAULT_LEAD_MS, seq: PLAY_SEQ }));
    } else if (f.type === FrameType.ERROR) {
      this.hooks.error(`server error ${f.code}: ${f.message}`);
    }
    return false;
  }

  private onFrames(epoch: number, first: number, frames: Uint8Array[]): void {
    const at = performance.now();
    const hooks = this.hooks;
    const start = this.startFrame;
    // Epoch 1 is the paused session at frame 0, before our seek: decoded, not reported.
    const report = epoch >= 2 ? (k: number, values: Float64Array) => k >= start && hooks.frame(k, this.playedAt(k, at), values) : undefined;
    const grant = this.paced.frames(epoch, first, frames, at, (m) => hooks.error(m), report);
    if (grant) this.ws.send(encodeTlCredit(this.channel, grant.frames, grant.bytes));
  }

  /** When frame k plays: at its arrival, or at its due time if it arrived before it. */
  private playedAt(k: number, arrival: number): number {
    const due = this.playAt + (k - this.playFrame) * PERIOD_MS;
    return due > arrival ? due : arrival; // NaN (before play's answer: the seek's frames) → arrival
  }

  close(): void {
    this.ws.terminate();
  }
}
