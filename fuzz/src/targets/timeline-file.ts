// Target timeline-file (docs/fuzzing.md §2.6): a whole segment file (docs/timeline-format.md §5)
// → TimelineReader.open (and, for a file cut short, open with `recover`), then every segment's CRC,
// payload and frames, and the time lookups. Mutated files get their CRCs fixed up half the time,
// so the fuzzer reaches the checks behind the checksums.
import { gunzipSync, gzipSync } from 'node:zlib';
import * as fc from 'fast-check';
import {
  crc32,
  encodeRecord,
  encodeSchema,
  encodeSegmentPayload,
  FORMAT_VERSION,
  FrameDecoder,
  LIMITS,
  MAGIC,
  Opcode,
  TimelineError,
  TimelineReader,
  TimelineWriter,
  type TimelineSchema,
} from '@tidewire/timeline';
import { hostileCount } from '../hostile.ts';
import { mutatedSeeds } from '../mutate.ts';
import type { FuzzTarget } from '../target.ts';
import { ContractViolation } from '../target.ts';
import { concat } from './common.ts';
import { raceFrameBytes, raceValues, smallRaceSchema } from './race.ts';
import { schemaLike } from './timeline-values.ts';

async function writeFile(schema: TimelineSchema, values: readonly Float64Array[], gzip: boolean, periodMs: number): Promise<Uint8Array> {
  const writer = new TimelineWriter(
    schema,
    gzip ? { compress: (b) => gzipSync(b), keyframeInterval: 25 } : { compress: (b) => b, compression: '', keyframeInterval: 25 },
  );
  values.forEach((v, i) => writer.append(i * periodMs + (i >= 60 ? 5000 : 0), v)); // a gap starts a new segment
  return Uint8Array.from(await writer.finish());
}

let seedFiles: Uint8Array[] = [];

async function seeds(): Promise<Uint8Array[]> {
  const schema = smallRaceSchema();
  const values = raceValues(90);
  const stored = await writeFile(schema, values, false, 40);
  const gzipped = await writeFile(schema, values.slice(0, 30), true, 40);
  const reader = TimelineReader.open(stored);
  const lastSegment = reader.segmentInfo(reader.segmentCount - 1);
  // A live recording cut short: the segments and no index (recover mode reads it).
  const cut = stored.slice(0, lastSegment.offset + lastSegment.length);
  seedFiles = [stored, gzipped, cut, cut.slice(0, cut.length - 7)];
  frames = raceFrameBytes(6, 6);
  return seedFiles;
}

/** Recomputes the CRC of every record whose framing still parses, from the start of the file. */
export function fixCrcs(file: Uint8Array): Uint8Array {
  const out = file.slice();
  const view = new DataView(out.buffer);
  let at = MAGIC.length;
  while (at + 13 <= out.length) {
    const length = view.getUint32(at + 1, true) + view.getUint32(at + 5, true) * 2 ** 32;
    const end = at + 9 + length;
    if (end + 4 > out.length) break;
    view.setUint32(end, crc32(out.subarray(at, end)), true);
    at = end + 4;
  }
  return out;
}

function u64(v: number): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt(Math.min(Math.max(0, Math.trunc(v)), 2 ** 64 - 1)), true);
  return b;
}

let frames: Uint8Array[] = [];

/** A whole file built record by record: hostile schema and segment fields, consistent framing. */
const fileLike: fc.Arbitrary<Uint8Array> = fc
  .tuple(
    fc.oneof(fc.constant(FORMAT_VERSION), fc.integer({ min: 0, max: 0xffff })),
    schemaLike,
    fc.array(fc.tuple(hostileCount, hostileCount, hostileCount, fc.oneof(fc.constantFrom(0, 1000), fc.double()), fc.nat({ max: 6 })), { maxLength: 4 }),
    fc.boolean(),
  )
  .map(([version, schema, segments, withTail]) => {
    const header = new Uint8Array(4);
    new DataView(header.buffer).setUint16(0, version, true); // version, compression '' (0), library '' (0)
    let schemaBytes: Uint8Array;
    try {
      schemaBytes = encodeSchema(schema);
    } catch {
      schemaBytes = new TextEncoder().encode(JSON.stringify(schema, (_k, v: unknown) => (typeof v === 'bigint' ? Number(v) : v)));
    }
    const parts: Uint8Array[] = [MAGIC, encodeRecord(Opcode.HEADER, header), encodeRecord(Opcode.SCHEMA, schemaBytes)];
    let offset = parts.reduce((n, p) => n + p.length, 0);
    const entries: Uint8Array[] = [];
    segments.forEach(([index, firstFrame, frameCount, startMs, n], i) => {
      const payload = encodeSegmentPayload(i, Math.min(firstFrame, 2 ** 53 - 1), Number.isFinite(startMs) ? startMs : 0, frames.slice(0, Math.max(1, n)));
      const fixed = new Uint8Array(36);
      const v = new DataView(fixed.buffer);
      v.setUint32(0, index >>> 0, true);
      fixed.set(u64(firstFrame), 4);
      v.setUint32(12, frameCount >>> 0, true);
      v.setFloat64(16, startMs, true);
      v.setUint32(24, payload.length, true);
      fixed.set(u64(payload.length), 28);
      const seg = encodeRecord(Opcode.SEGMENT, concat(fixed, payload));
      entries.push(concat(u64(offset), u64(seg.length), u64(firstFrame), fixed.subarray(12, 16), fixed.subarray(16, 24)));
      parts.push(seg);
      offset += seg.length;
    });
    if (withTail) {
      const count = new Uint8Array(8);
      new DataView(count.buffer).setUint32(0, 36, true);
      new DataView(count.buffer).setUint32(4, entries.length, true);
      parts.push(encodeRecord(Opcode.INDEX, concat(count, ...entries)), encodeRecord(Opcode.FOOTER, u64(offset)), MAGIC);
    }
    return concat(...parts);
  });

function decompress(z: Uint8Array): Uint8Array {
  return gunzipSync(z, { maxOutputLength: LIMITS.maxSegmentBytes });
}

async function readAll(reader: TimelineReader): Promise<void> {
  reader.verify();
  let frames = 0;
  const decoder = new FrameDecoder(reader.schema);
  for (let n = 0; n < reader.segmentCount; n++) {
    const seg = await reader.decodeSegment(n, decompress);
    decoder.reset();
    for (const f of seg.frames) decoder.decode(f);
    frames += seg.frameCount;
  }
  if (frames !== reader.frameCount) throw new ContractViolation(`segments hold ${frames} frames, the reader says ${reader.frameCount}`);
  if (reader.frameCount > 0) {
    reader.frameForTime(reader.startMs - 1);
    reader.frameForTime(reader.endMs + 1);
    reader.timeOfFrame(reader.frameCount - 1);
  }
}

export const timelineFile: FuzzTarget = {
  name: 'timeline-file',
  what: 'TimelineReader.open (and recover), verify, decodeSegment and FrameDecoder of @tidewire/timeline on one file',
  async: true,
  seeds,
  generate: () =>
    fc.oneof(
      { weight: 3, arbitrary: fileLike },
      // seeds() has run before generate() (run.ts), so the seed files exist here.
      { weight: 3, arbitrary: mutatedSeeds(seedFiles).map(fixCrcs) },
    ),
  async decode(input) {
    let reader: TimelineReader;
    try {
      reader = TimelineReader.open(input);
    } catch (err) {
      if (!TimelineError.is(err, 'TL_TRUNCATED')) throw err;
      reader = TimelineReader.open(input, { recover: true });
    }
    await readAll(reader);
    return reader;
  },
  documented: (err) => TimelineError.is(err),
};
