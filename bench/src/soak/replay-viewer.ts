// A replay viewer of the soak: a server-paced timeline client (what the replay page's Player
// speaks, without the display) that seeks the race to a new frame every few seconds and plays
// from there. Frames, epochs and credit are handled as in the timeline bench's viewer
// (bench/src/timeline/paced-frames.ts: a 2 s window here, returned as often as the Player does). Every TL_FRAMES is decoded; frames after a seek must start with a keyframe
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
import type { TimelineSchema } from '@tidewire/timeline';
import { PacedFrames } from '../timeline/paced-frames.ts';
import { CLOSE_WAIT_MS } from './tree-mirror.ts';

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
  private seq = 0;
  private readonly paced: PacedFrames;

  private constructor(
    private readonly ws: WebSocket,
    private readonly channelName: string,
    schema: TimelineSchema,
    private readonly error: (message: string) => void,
  ) {
    this.paced = new PacedFrames(schema);
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
        this.paced.state(f.seekEpoch);
        if (f.ack !== undefined && f.ack % 2 === 1) this.stats.seeksAcked++;
      }
      return false;
    }
    const f = decodeFrame(b);
    if (f.type === FrameType.SUBSCRIBED && f.name === this.channelName) {
      this.channel = f.channel;
      this.state = 'open';
      this.paced.start(performance.now());
      this.ws.send(encodeTlCredit(f.channel, WINDOW_FRAMES, WINDOW_BYTES));
      return true;
    }
    if (f.type === FrameType.ERROR) this.error(`replay: ERROR ${f.code}: ${f.message}`);
    return false;
  }

  private onFrames(epoch: number, first: number, frames: Uint8Array[]): void {
    const grant = this.paced.frames(epoch, first, frames, performance.now(), (m) => this.error(`replay: ${m}`));
    this.stats.frames = this.paced.decoded;
    if (grant) this.ws.send(encodeTlCredit(this.channel, grant.frames, grant.bytes));
  }
}
