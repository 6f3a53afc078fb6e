// A raw timeline viewer for server tests: a `ws` socket, frames decoded with @tidewire/protocol
// (core and §W timeline frames) and rendered with @tidewire/timeline's FrameDecoder the way a
// correct client does: TL_STATE sets the epoch, only TL_FRAMES of that epoch are applied, and a
// batch that does not continue where the last one stopped must start with a keyframe.
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
import type { Frame, TimelineFrame, TlControlFrame, TlStateFrame } from '@tidewire/protocol';
import { FrameDecoder, isKeyframe } from '@tidewire/timeline';
import type { TimelineSchema } from '@tidewire/timeline';
import { TestSocket } from './test-socket.ts';

type Control = Omit<TlControlFrame, 'type' | 'channel'>;

export interface Received {
  seekEpoch: number;
  firstFrame: number;
  count: number;
  keyframeFirst: boolean;
  /** Bytes of the frames (credit units). */
  frameBytes: number;
}

export class TimelineViewer extends TestSocket {
  readonly schema: TimelineSchema;
  channel = -1;
  readonly states: TlStateFrame[] = [];
  readonly batches: Received[] = [];
  readonly errors: string[] = [];
  /** Protocol violations seen by this client (must stay empty). */
  readonly violations: string[] = [];
  /** TL_FRAMES of an epoch older than the last TL_STATE (the server must never send one). */
  staleAfterState = 0;
  /** Frames applied to the render (decoded), in order. */
  rendered = 0;
  /** Frame number of the last rendered frame, and the decoded values. */
  renderedFrame = -1;
  readonly values: Float64Array;
  /** Frame numbers rendered, when `keepRendered` is on. */
  readonly renderedFrames: number[] = [];
  keepRendered = false;
  /** Rendered frames whose decoded content disagrees with their frame number. */
  wrongContent = 0;
  framesReceived = 0;
  frameBytesReceived = 0;
  /** Everything this viewer granted with TL_CREDIT (W.2: granted = received + balance). */
  framesGranted = 0;
  bytesGranted = 0;
  /** Re-grant credit for what arrives (keeps the window open); off for flow-control tests. */
  autoCredit: { frames: number; bytes: number } | undefined;
  private epoch = 0;
  private expectNext = -1;
  private readonly decoder: FrameDecoder;
  private readonly frameOf: ((v: Float64Array) => number) | undefined;

  private constructor(ws: WebSocket, schema: TimelineSchema, frameOf?: (v: Float64Array) => number) {
    super(ws);
    this.schema = schema;
    this.decoder = new FrameDecoder(schema);
    this.values = new Float64Array(schema.entities.length * schema.fields.length);
    this.frameOf = frameOf;
    ws.on('message', (data: Buffer) => {
      try {
        const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
        if (isTimelineFrameType(bytes[0]!)) this.onTimeline(decodeTimelineFrame(bytes));
        else this.onFrame(decodeFrame(bytes));
      } catch (err) {
        this.violations.push(`undecodable frame: ${String(err)}`);
      }
      this.wake();
    });
  }

  static async open(
    url: string,
    schema: TimelineSchema,
    opts: { frameOf?: (v: Float64Array) => number; headers?: Record<string, string> } = {},
  ): Promise<TimelineViewer> {
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/ws`, { headers: opts.headers });
    const v = new TimelineViewer(ws, schema, opts.frameOf);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    ws.send(encodeHello({ protocol: [PROTOCOL_VERSION.major, PROTOCOL_VERSION.minor], client: 'timeline-test', capabilities: ['timeline'] }));
    return v;
  }

  /** Subscribes and waits for SUBSCRIBED and the first TL_STATE. */
  async subscribe(name: string): Promise<TlStateFrame> {
    this.ws.send(encodeSubscribe({ name }));
    await this.until(() => this.states.length > 0 || this.errors.length > 0, `the first TL_STATE (or an ERROR) of ${name}`);
    if (this.states.length === 0) throw new Error(`subscribe failed: ${this.errors.join(',')}`);
    return this.states[0]!;
  }

  get state(): TlStateFrame | undefined {
    return this.states[this.states.length - 1];
  }

  get currentEpoch(): number {
    return this.epoch;
  }

  control(body: Control): void {
    this.ws.send(encodeTlControl(this.channel, body));
  }

  private lastSeq = 0;

  /** Sends a TL_CONTROL with this viewer's next seq and waits for the TL_STATE that answers it. */
  async controlAnswered(body: Omit<Control, 'seq'>): Promise<TlStateFrame> {
    const ack = ++this.lastSeq;
    this.control({ ...body, seq: ack } as Control);
    await this.until(() => this.states.some((st) => st.ack === ack), `the TL_STATE answering control ${ack}`);
    return this.states.find((st) => st.ack === ack)!;
  }

  credit(frames: number, bytes: number): void {
    this.framesGranted += frames;
    this.bytesGranted += bytes;
    this.ws.send(encodeTlCredit(this.channel, frames, bytes));
  }

  send(bytes: Uint8Array): void {
    this.ws.send(bytes);
  }

  private onFrame(f: Frame): void {
    switch (f.type) {
      case FrameType.SUBSCRIBED:
        if (f.kind !== 'timeline') this.violations.push(`SUBSCRIBED kind ${f.kind}`);
        this.channel = f.channel;
        return;
      case FrameType.ERROR:
        this.errors.push(f.code);
        return;
      default:
    }
  }

  private onTimeline(f: TimelineFrame): void {
    if (f.type === TimelineFrameType.TL_STATE) {
      if (f.seekEpoch < this.epoch) this.violations.push(`TL_STATE epoch went back from ${this.epoch} to ${f.seekEpoch}`);
      if (f.seekEpoch !== this.epoch) {
        this.epoch = f.seekEpoch;
        this.decoder.reset();
        this.expectNext = -1;
      }
      this.states.push(f);
      return;
    }
    if (f.type !== TimelineFrameType.TL_FRAMES) {
      this.violations.push(`client-to-server frame 0x${f.type.toString(16)} from the server`);
      return;
    }
    let frameBytes = 0;
    for (const b of f.frames) frameBytes += b.length;
    this.framesReceived += f.frames.length;
    this.frameBytesReceived += frameBytes;
    this.batches.push({ seekEpoch: f.seekEpoch, firstFrame: f.firstFrame, count: f.frames.length, keyframeFirst: isKeyframe(f.frames[0]!), frameBytes });
    if (this.autoCredit) this.credit(f.frames.length, frameBytes);
    if (f.seekEpoch < this.epoch) {
      this.staleAfterState++;
      return;
    }
    if (f.seekEpoch > this.epoch) {
      this.violations.push(`TL_FRAMES of epoch ${f.seekEpoch} before its TL_STATE (current ${this.epoch})`);
      return;
    }
    if (f.firstFrame !== this.expectNext && !isKeyframe(f.frames[0]!)) {
      this.violations.push(`epoch ${f.seekEpoch}: batch at ${f.firstFrame} after ${this.expectNext - 1} does not start with a keyframe`);
      return;
    }
    for (let i = 0; i < f.frames.length; i++) {
      this.decoder.decode(f.frames[i]!, this.values);
      const n = f.firstFrame + i;
      if (this.frameOf && this.frameOf(this.values) !== n % 65536) this.wrongContent++;
      this.rendered++;
      this.renderedFrame = n;
      if (this.keepRendered) this.renderedFrames.push(n);
    }
    this.expectNext = f.firstFrame + f.frames.length;
  }
}
