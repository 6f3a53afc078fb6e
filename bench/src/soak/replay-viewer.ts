// A replay viewer of the soak: a server-paced timeline client (what the replay page's Player
// speaks, without the display) that seeks the race to a new frame every few seconds and plays
// from there. Credit is granted as in bench/src/timeline/ws-viewer.ts (a 2 s window, returned at
// most every 50 ms). Every TL_FRAMES is decoded; frames after a seek must start with a keyframe
// and then continue without a gap, else it is an error.
import { WebSocket } from 'ws';
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
import { FrameDecoder, isKeyframe } from '@tidewire/timeline';
import type { TimelineSchema } from '@tidewire/timeline';
import { CLOSE_WAIT_MS } from './tree-mirror.ts';

const CREDIT_EVERY_MS = 50;
const WINDOW_FRAMES = 50;
const WINDOW_BYTES = 1024 * 1024;

export interface ViewerStats {
  frames: number;
  seeks: number;
  /** Seeks the server acknowledged (TL_STATE with our seq). */
  seeksAcked: number;
}

/** Named states: closing is not an error, anything else that closes the socket is. */
type ViewerState = 'opening' | 'open' | 'closing';

export class ReplayViewer {
  readonly stats: ViewerStats = { frames: 0, seeks: 0, seeksAcked: 0 };
  private state: ViewerState = 'opening';
  private channel = -1;
  private epoch = -1;
  private expectNext = -1;
  private owedFrames = 0;
  private owedBytes = 0;
  private lastGrant = 0;
  private seq = 0;
  private readonly decoder: FrameDecoder;
  private readonly values: Float64Array;

  private constructor(
    private readonly ws: WebSocket,
    private readonly channelName: string,
    schema: TimelineSchema,
    private readonly error: (message: string) => void,
  ) {
    this.decoder = new FrameDecoder(schema);
    this.values = new Float64Array(schema.entities.length * schema.fields.length);
  }

  /** Connects, subscribes and grants credit; resolves once subscribed. */
  static open(url: string, channelName: string, schema: TimelineSchema, localAddress: string, error: (message: string) => void): Promise<ReplayViewer> {
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/ws`, { perMessageDeflate: false, localAddress });
    const v = new ReplayViewer(ws, channelName, schema, error);
    return new Promise((resolve, reject) => {
      ws.on('open', () => {
        ws.send(encodeHello({ protocol: [PROTOCOL_VERSION.major, PROTOCOL_VERSION.minor], client: 'bench-soak-replay', capabilities: ['timeline'] }));
        ws.send(encodeSubscribe({ name: channelName }));
      });
      ws.on('message', (data: Buffer) => {
        try {
          if (v.onMessage(new Uint8Array(data.buffer, data.byteOffset, data.byteLength))) resolve(v);
        } catch (err) {
          error(`replay: ${(err as Error).message}`);
        }
      });
      ws.on('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: HTTP ${res.statusCode}`)));
      ws.on('error', (err) => (v.state === 'opening' ? reject(err) : v.state === 'open' ? error(`replay: socket error ${err.message}`) : undefined));
      ws.on('close', (code, reason) => {
        if (v.state === 'opening') reject(new Error(`closed while opening: ${code} ${reason.toString()}`));
        else if (v.state === 'open') error(`replay: closed by the server: ${code} ${reason.toString()}`);
      });
    });
  }

  /** Seeks to `frame` and plays from there. */
  seek(frame: number): void {
    if (this.state !== 'open') return;
    this.stats.seeks++;
    this.ws.send(encodeTlControl(this.channel, { op: 'seek', frame, seq: ++this.seq }));
    this.ws.send(encodeTlControl(this.channel, { op: 'play', seq: ++this.seq }));
  }

  close(): Promise<void> {
    if (this.state === 'closing') return Promise.resolve();
    this.state = 'closing';
    return new Promise((r) => {
      const timer = setTimeout(() => this.ws.terminate(), CLOSE_WAIT_MS);
      this.ws.once('close', () => {
        clearTimeout(timer);
        r();
      });
      this.ws.close(1000, 'bye');
    });
  }

  /** True when this message is SUBSCRIBED for our channel. */
  private onMessage(b: Uint8Array): boolean {
    if (isTimelineFrameType(b[0]!)) {
      const f = decodeTimelineFrame(b);
      if (f.type === TimelineFrameType.TL_FRAMES) this.onFrames(f.seekEpoch, f.firstFrame, f.frames);
      else if (f.type === TimelineFrameType.TL_STATE) {
        if (f.seekEpoch !== this.epoch) {
          this.epoch = f.seekEpoch;
          this.expectNext = -1;
        }
        if (f.ack !== undefined && f.ack % 2 === 1) this.stats.seeksAcked++;
      }
      return false;
    }
    const f = decodeFrame(b);
    if (f.type === FrameType.SUBSCRIBED && f.name === this.channelName) {
      this.channel = f.channel;
      this.state = 'open';
      this.lastGrant = performance.now();
      this.ws.send(encodeTlCredit(f.channel, WINDOW_FRAMES, WINDOW_BYTES));
      return true;
    }
    if (f.type === FrameType.ERROR) this.error(`replay: ERROR ${f.code}: ${f.message}`);
    return false;
  }

  private onFrames(epoch: number, first: number, frames: Uint8Array[]): void {
    const at = performance.now();
    let bytes = 0;
    for (const f of frames) bytes += f.length;
    this.owedFrames += frames.length;
    this.owedBytes += bytes;
    if (epoch === this.epoch && frames.length > 0) {
      if (first !== this.expectNext && !isKeyframe(frames[0]!)) {
        this.error(`replay: TL_FRAMES at ${first} neither continues at ${this.expectNext} nor starts with a keyframe`);
      } else {
        for (const frame of frames) this.decoder.decode(frame, this.values);
        this.stats.frames += frames.length;
        this.expectNext = first + frames.length;
      }
    }
    if (at - this.lastGrant >= CREDIT_EVERY_MS) {
      this.ws.send(encodeTlCredit(this.channel, this.owedFrames, this.owedBytes));
      this.owedFrames = 0;
      this.owedBytes = 0;
      this.lastGrant = at;
    }
  }
}
