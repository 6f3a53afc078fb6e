// A raw client-paced viewer (what the Player does in `mode: 'client'`, without the display):
// the WebSocket only carries the session (HELLO, SUBSCRIBE, TL_CONTROL pause in client mode, as
// the Player restates on subscribe); segments come over HTTP (stored gzip bytes, keep-alive,
// at most 4 requests at once) ahead of a local playhead, 10 s of playback ahead like the
// Player's default prefetch. Each segment is gunzipped, split and every frame decoded. The
// playhead runs on this process's clock from the moment the first segment is decoded; when
// the segment under it is missing it stalls (an underrun) and resumes where it stopped.
import { Agent, get } from 'node:http';
import type { IncomingMessage } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { WebSocket } from 'ws';
import { encodeHello, encodeSubscribe, encodeTlControl, decodeFrame, FrameType, isTimelineFrameType, PROTOCOL_VERSION } from '@tidewire/protocol';
import { FrameDecoder, parseSegmentPayload } from '@tidewire/timeline';
import type { TimelineSchema } from '@tidewire/timeline';
import type { ByteMeter } from './byte-meter.ts';
import { CHANNEL, PERIOD_MS } from './session-file.ts';

const PREFETCH_FRAMES = 10 * 25;
const MAX_INFLIGHT = 4;

export interface SegmentList {
  firstFrames: number[];
  frameCounts: number[];
  frameCount: number;
}

/** GET /api/timelines/:name (once per viewer process; a browser would cache it too). */
export function fetchSegmentList(url: string): Promise<SegmentList> {
  return new Promise((resolve, reject) => {
    get(`${url}/api/timelines/${CHANNEL}`, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        try {
          if (res.statusCode !== 200) throw new Error(`metadata answered ${res.statusCode}`);
          const meta = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
            frameCount: number;
            segments: { index: number; firstFrame: number; frameCount: number }[];
          };
          meta.segments.forEach((s, i) => {
            if (s.index !== i) throw new Error(`segment ${i} listed as ${s.index}`);
          });
          resolve({ firstFrames: meta.segments.map((s) => s.firstFrame), frameCounts: meta.segments.map((s) => s.frameCount), frameCount: meta.frameCount });
        } catch (err) {
          reject(err);
        }
      });
    }).on('error', reject);
  });
}

function segmentOf(list: SegmentList, k: number): number {
  const f = list.firstFrames;
  let lo = 0;
  let hi = f.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (f[mid]! <= k) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

export interface HttpViewerHooks {
  /** Frame k of a fetched segment decoded into `values` (borrowed scratch). */
  frame(k: number, values: Float64Array): void;
  error(message: string): void;
}

export class HttpViewer {
  /** performance.now() at which the playhead was at startFrame (moves on after a stall). */
  private anchor: number | undefined = undefined;
  private stallStart: number | undefined = undefined;
  private readonly loaded = new Set<number>();
  private readonly inflight = new Set<number>();
  private readonly agent = new Agent({ keepAlive: true, maxSockets: MAX_INFLIGHT });
  private readonly decoder: FrameDecoder;
  private readonly values: Float64Array;
  private ready: (() => void) | undefined;
  private closed = false;
  underruns = 0;
  segmentsFetched = 0;

  private constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly schema: TimelineSchema,
    private readonly list: SegmentList,
    private readonly startFrame: number,
    private readonly meter: ByteMeter,
    private readonly hooks: HttpViewerHooks,
    private readonly ws: WebSocket,
  ) {
    this.decoder = new FrameDecoder(schema);
    this.values = new Float64Array(schema.entities.length * schema.fields.length);
  }

  /** Resolves when the first segment is decoded: the playhead starts moving then. */
  static open(url: string, startFrame: number, schema: TimelineSchema, list: SegmentList, meter: ByteMeter, hooks: HttpViewerHooks): Promise<HttpViewer> {
    const u = new URL(url);
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`ws://${u.host}/ws`, { perMessageDeflate: false });
      const v = new HttpViewer(u.hostname, Number(u.port), schema, list, startFrame, meter, hooks, ws);
      ws.once('upgrade', (res: IncomingMessage) => meter.add(res.socket));
      ws.on('open', () => {
        ws.send(encodeHello({ protocol: [PROTOCOL_VERSION.major, PROTOCOL_VERSION.minor], client: 'bench-timeline-http', capabilities: ['timeline'] }));
        ws.send(encodeSubscribe({ name: CHANNEL }));
      });
      ws.on('message', (data: Buffer) => {
        const b = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
        if (isTimelineFrameType(b[0]!)) return; // TL_STATE answers; no frames in client mode
        const f = decodeFrame(b);
        if (f.type === FrameType.SUBSCRIBED) {
          ws.send(encodeTlControl(f.channel, { op: 'pause', mode: 'client', seq: 1 }));
          v.ready = () => resolve(v);
          v.tick(performance.now());
        } else if (f.type === FrameType.ERROR) {
          hooks.error(`server error ${f.code}: ${f.message}`);
        }
      });
      ws.once('error', reject);
      ws.on('error', (err) => hooks.error(err.message));
    });
  }

  /** Advances the playhead to `now`: stall or resume, prefetch what lies ahead. */
  tick(now: number): void {
    if (this.closed || (this.ready === undefined && this.anchor === undefined)) return;
    const list = this.list;
    let pos = this.startFrame;
    if (this.anchor !== undefined) {
      const at = this.stallStart ?? now;
      pos = Math.min(list.frameCount - 1, this.startFrame + Math.floor((at - this.anchor) / PERIOD_MS));
      const cur = segmentOf(list, pos);
      if (!this.loaded.has(cur)) {
        if (this.stallStart === undefined) {
          this.stallStart = now;
          this.underruns++;
        }
      } else if (this.stallStart !== undefined) {
        this.anchor += now - this.stallStart;
        this.stallStart = undefined;
      }
    }
    const cur = segmentOf(list, pos);
    const last = segmentOf(list, Math.min(list.frameCount - 1, pos + PREFETCH_FRAMES));
    for (let n = cur; n <= last && this.inflight.size < MAX_INFLIGHT; n++) {
      if (!this.loaded.has(n) && !this.inflight.has(n)) this.fetch(n);
    }
    for (const n of this.loaded) if (n < cur - 5) this.loaded.delete(n);
  }

  private fetch(n: number): void {
    this.inflight.add(n);
    const req = get(
      { host: this.host, port: this.port, path: `/api/timelines/${CHANNEL}/segments/${n}`, agent: this.agent, headers: { 'accept-encoding': 'gzip' } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          this.inflight.delete(n);
          if (this.closed) return;
          if (res.statusCode !== 200 || res.headers['content-encoding'] !== 'gzip') {
            this.hooks.error(`segment ${n}: HTTP ${res.statusCode}, content-encoding ${String(res.headers['content-encoding'])}`);
            return;
          }
          try {
            this.decode(n, Buffer.concat(chunks));
          } catch (err) {
            this.hooks.error(`segment ${n}: ${(err as Error).message}`);
          }
        });
      },
    );
    req.on('socket', (s) => this.meter.add(s));
    req.on('error', (err) => {
      this.inflight.delete(n);
      if (!this.closed) this.hooks.error(`segment ${n}: ${err.message}`);
    });
  }

  private decode(n: number, body: Buffer): void {
    const payload = gunzipSync(body);
    const seg = parseSegmentPayload(new Uint8Array(payload.buffer, payload.byteOffset, payload.byteLength), this.schema.rateHz);
    if (seg.index !== n || seg.firstFrame !== this.list.firstFrames[n] || seg.frameCount !== this.list.frameCounts[n]) {
      throw new Error(`holds segment ${seg.index} (frames ${seg.firstFrame}+${seg.frameCount})`);
    }
    this.decoder.reset();
    for (let i = 0; i < seg.frameCount; i++) {
      this.decoder.decode(seg.frames[i]!, this.values);
      this.hooks.frame(seg.firstFrame + i, this.values);
    }
    this.loaded.add(n);
    this.segmentsFetched++;
    if (this.anchor === undefined && n === segmentOf(this.list, this.startFrame)) {
      this.anchor = performance.now();
      this.ready?.();
    }
  }

  close(): void {
    this.closed = true;
    this.ws.terminate();
    this.agent.destroy();
  }
}
