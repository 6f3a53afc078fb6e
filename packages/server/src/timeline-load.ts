// Loads a recorded timeline once: TimelineReader validates the file (magic, header, schema,
// index, footer, per-segment CRC), each segment is gunzipped once (capped at its recorded raw
// length) and split into frames, and the payload after its header is adopted as the segment's
// wire block. Playback then only slices these bytes; HTTP serves the stored gzip bytes.
import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { varuintSize } from '@tidewire/base';
import { parseSegmentPayload, TimelineError, TimelineReader } from '@tidewire/timeline';
import { asUint8 } from './bytes.ts';
import { StoredSegment } from './frame-store.ts';
import type { RecordedTimeline } from './timeline-channel.ts';
import { segmentEtag } from './timeline-live.ts';

/** Synchronous so server.timeline() returns a ready channel; a file is decoded at startup. */
export function loadRecorded(file: Uint8Array): RecordedTimeline {
  const reader = TimelineReader.open(file);
  const version = createHash('sha256').update(file).digest('base64url').slice(0, 16);
  const rateHz = reader.schema.rateHz;
  const segments: StoredSegment[] = [];
  for (let n = 0; n < reader.segmentCount; n++) {
    const info = reader.segmentInfo(n);
    const data = reader.segmentBytes(n); // checks the record's CRC
    let payload: Uint8Array;
    let stored: Uint8Array;
    if (reader.compression === '') {
      payload = data;
      // HTTP serves segments gzip-encoded: compress stored files once, here.
      stored = asUint8(gzipSync(data));
    } else if (reader.compression === 'gzip') {
      try {
        payload = asUint8(gunzipSync(data, { maxOutputLength: Math.max(1, info.rawLength) }));
      } catch (e) {
        throw new TimelineError('TL_BAD_SEGMENT', `segment ${n}: gunzip failed: ${(e as Error).message}`, { offset: info.dataOffset, cause: e });
      }
      stored = data;
    } else {
      throw new TimelineError('TL_UNSUPPORTED_VERSION', `compression ${JSON.stringify(reader.compression)} is not supported by the server`);
    }
    if (payload.length !== info.rawLength) {
      throw new TimelineError('TL_BAD_SEGMENT', `segment ${n}: decompressed to ${payload.length} bytes, the record says ${info.rawLength}`, {
        offset: info.dataOffset,
      });
    }
    const seg = parseSegmentPayload(payload, rateHz);
    if (seg.index !== n || seg.firstFrame !== info.firstFrame || seg.frameCount !== info.frameCount || seg.startMs !== info.startMs) {
      throw new TimelineError('TL_BAD_SEGMENT', `segment ${n}: payload header does not match its record`, { offset: info.dataOffset });
    }
    // The frames run to the end of the payload, each behind its varuint length: that run is the
    // TL_FRAMES body layout, so it is adopted as the wire block without a copy.
    const first = seg.frames[0]!;
    const blockStart = first.byteOffset - payload.byteOffset - varuintSize(first.length);
    const block = payload.subarray(blockStart);
    segments.push(StoredSegment.adopt(info, block, seg.frames, seg.times, stored, segmentEtag(stored, version, n)));
  }
  return { schema: reader.schema, durationMs: reader.durationMs, segments, version };
}
