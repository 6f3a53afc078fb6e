// The recording side of a live timeline: @tidewire/timeline's TimelineWriter encodes each
// appended frame once (and closes, gzips and records a segment every keyframeInterval frames or
// at a time gap); the encoded bytes go into the channel's FrameStore for the wire, the sealed
// gzip bytes become the segment's HTTP body. finish() yields the complete segment file.
import { createHash } from 'node:crypto';
import { gzip } from 'node:zlib';
import { TimelineWriter } from '@tidewire/timeline';
import type { TimelineSchema, WrittenSegment } from '@tidewire/timeline';
import { asUint8 } from './bytes.ts';
import type { FrameStore } from './frame-store.ts';

export interface LiveHooks {
  /** A segment's gzip bytes are ready (it is now served over HTTP). */
  sealed(): void;
  failed(err: unknown): void;
}

function gzipAsync(raw: Uint8Array): Promise<Uint8Array> {
  // Off the event loop: a segment of a wide schema can be megabytes.
  return new Promise((resolve, reject) => gzip(raw, (err, out) => (err ? reject(err) : resolve(asUint8(out)))));
}

export function segmentEtag(stored: Uint8Array, version: string, index: number): string {
  return `"${version}.${index}.${createHash('sha256').update(stored).digest('base64url').slice(0, 16)}"`;
}

export class LiveRecorder {
  readonly writer: TimelineWriter;
  readonly schema: TimelineSchema;
  private store: FrameStore | undefined;
  private hooks: LiveHooks | undefined;
  private version = '';
  private readonly periodMs: number;
  private lastTime = Number.NaN;
  private file: Promise<Uint8Array> | undefined;
  /** Frames expected per segment: the open segment's initial capacity. */
  private readonly interval: number;

  constructor(schema: TimelineSchema, keyframeInterval: number | undefined) {
    this.writer = new TimelineWriter(schema, {
      compress: gzipAsync,
      keyframeInterval,
      onSegment: (s) => this.onSegment(s),
    });
    this.schema = this.writer.schema;
    this.periodMs = 1000 / this.schema.rateHz;
    this.interval = this.writer.keyframeInterval;
  }

  attach(store: FrameStore, hooks: LiveHooks, version: string): void {
    this.store = store;
    this.hooks = hooks;
    this.version = version;
  }

  /** Encodes and stores one frame; throws TimelineError (TL_BAD_VALUE…) and changes nothing then. */
  append(values: Float64Array, timeMs: number | undefined): void {
    const store = this.store!;
    const t = timeMs ?? (Number.isNaN(this.lastTime) ? 0 : this.lastTime + this.periodMs);
    const a = this.writer.append(t, values);
    this.lastTime = a.timeMs;
    if (a.keyframe) {
      // Deltas are usually far smaller than the keyframe: start small, the block doubles as needed
      // and is trimmed when the segment is sealed.
      store.open(a.timeMs, this.interval, 4 * (a.bytes.length + 8) + 1024);
    }
    store.push(a.bytes, a.timeMs);
  }

  /** Seals the open segment and resolves the whole file once every segment is compressed. */
  finish(): Promise<Uint8Array> {
    this.file ??= this.writer.finish();
    return this.file;
  }

  private onSegment(s: WrittenSegment): void {
    const seg = this.store?.segments[s.index];
    if (seg === undefined) return;
    if (seg.frameCount !== s.frameCount || seg.firstFrame !== s.firstFrame) {
      this.hooks?.failed(
        new Error(`segment ${s.index}: writer has ${s.frameCount} frames from ${s.firstFrame}, store ${seg.frameCount} from ${seg.firstFrame}`),
      );
      return;
    }
    // `data` is a view of the record; keep our own compact copy for HTTP.
    seg.stored = s.data.slice();
    seg.etag = segmentEtag(seg.stored, this.version, s.index);
    seg.endMs = s.endMs;
    seg.trim();
    this.hooks?.sealed();
  }
}
