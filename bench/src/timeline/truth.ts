// The file's truth for correctness checks: frame k decoded independently of every system under
// test (TimelineReader + FrameDecoder), a few decoded segments kept (LRU).
import { gunzipSync } from 'node:zlib';
import { FrameDecoder, parseSegmentPayload, TimelineReader } from '@tidewire/timeline';
import type { TimelineSchema } from '@tidewire/timeline';

export class Truth {
  readonly reader: TimelineReader;
  readonly schema: TimelineSchema;
  /** Values per frame: entities × fields. */
  readonly cells: number;
  readonly fields: number;
  private readonly decoder: FrameDecoder;
  private readonly cache = new Map<number, Float64Array>();
  private readonly maxSegments: number;

  constructor(file: Uint8Array, maxSegments = 64) {
    this.reader = TimelineReader.open(file);
    this.schema = this.reader.schema;
    this.fields = this.schema.fields.length;
    this.cells = this.schema.entities.length * this.fields;
    this.decoder = new FrameDecoder(this.schema);
    this.maxSegments = maxSegments;
  }

  get frameCount(): number {
    return this.reader.frameCount;
  }

  /** Frame k's values (borrowed view into a cached segment). */
  frame(k: number): Float64Array {
    const n = this.reader.segmentForFrame(k);
    let seg = this.cache.get(n);
    if (seg === undefined) {
      seg = this.decodeSegment(n);
      if (this.cache.size >= this.maxSegments) this.cache.delete(this.cache.keys().next().value!);
    } else {
      this.cache.delete(n); // re-inserted below: most recently used last
    }
    this.cache.set(n, seg);
    const first = this.reader.segmentInfo(n).firstFrame;
    return seg.subarray((k - first) * this.cells, (k - first + 1) * this.cells);
  }

  private decodeSegment(n: number): Float64Array {
    const info = this.reader.segmentInfo(n);
    const payload = gunzipSync(this.reader.segmentBytes(n), { maxOutputLength: Math.max(1, info.rawLength) });
    const seg = parseSegmentPayload(new Uint8Array(payload.buffer, payload.byteOffset, payload.byteLength), this.schema.rateHz);
    const out = new Float64Array(seg.frameCount * this.cells);
    this.decoder.reset();
    for (let i = 0; i < seg.frameCount; i++) this.decoder.decode(seg.frames[i]!, out.subarray(i * this.cells, (i + 1) * this.cells));
    return out;
  }
}

/** Index of the first cell where a and b differ (NaN equals NaN; `tolerance` absolute), or -1. */
export function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>, tolerance = 0): number {
  if (a.length !== b.length) return 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (Number.isNaN(x) && Number.isNaN(y)) continue;
    if (!(Math.abs(x - y) <= tolerance)) return i;
  }
  return -1;
}
