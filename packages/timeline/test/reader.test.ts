// TimelineReader (docs/timeline-format.md §5.9, §5.10): the bounds of what open() accepts, the
// recovery scan's stopping rules, and the messages of the reader's own checks.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { concatBytes } from '@tidewire/base';
import { MAGIC, Opcode, TimelineReader, TimelineWriter } from '../src/index.ts';
import {
  fixCrc,
  gunzip,
  gzip,
  hex,
  makeRecord,
  recordAt,
  rejectsNaming,
  setU32,
  smallFile,
  smallFiles,
  smallSchema,
  smallValues,
  throwsNaming,
  throwsTl,
  u64le,
  edited,
  recordsByKind,
} from './helpers.ts';

const { file, stored } = await smallFiles();
const at = recordsByKind(file);
const st = recordsByKind(stored);
const open = (f: Uint8Array) => TimelineReader.open(f);

describe('§5.9 open: the MAGIC and the size of a complete file', () => {
  it('§5.9 refuses a file that is not a Uint8Array, and a file cut inside the leading MAGIC', () => {
    throwsNaming(() => TimelineReader.open('abc' as never), 'TL_BAD_ARGUMENT', [/\bfile must be a Uint8Array, got string\b/]);
    throwsNaming(() => open(new Uint8Array(0)), 'TL_TRUNCATED', [/\bfile of 0 bytes ends inside the MAGIC\b/], 0);
    throwsNaming(() => open(MAGIC.subarray(0, 5)), 'TL_TRUNCATED', [/\bfile of 5 bytes ends inside the MAGIC\b/], 5);
    throwsNaming(() => open(MAGIC.slice()), 'TL_TRUNCATED', [/\brecord header needs 9 bytes, 0 left\b/], 8);
  });

  it('§5.9 a file of MAGIC • 29 bytes • MAGIC (45 bytes) is complete; 44 bytes are not', () => {
    // A HEADER whose length runs past everything: past the data section (complete) or the file (cut).
    const header = hex('01 ff ff ff ff ff ff 1f 00');
    const file45 = concatBytes([MAGIC, header, new Uint8Array(20), MAGIC]);
    const file44 = concatBytes([MAGIC, header, new Uint8Array(19), MAGIC]);
    throwsNaming(() => open(file45), 'TL_BAD_LENGTH', [/\bruns past byte 37\b/], 9);
    throwsNaming(() => open(file44), 'TL_TRUNCATED', [/\bruns past byte 44\b/], 9);
  });

  it('§5.9 the trailing MAGIC must be whole: its first or last byte changed is a cut file', () => {
    for (const k of [file.length - 8, file.length - 1]) {
      throwsNaming(() => open(edited(file, (c) => (c[k] ^= 0x40))), 'TL_TRUNCATED', [/\bdoes not end with the MAGIC\b/], file.length);
    }
  });

  it('§5.2 in a complete file the records before the FOOTER must end before the trailing MAGIC', () => {
    const len = (end: number) => edited(file, (c) => c.set(u64le(end - at.schema - 13), at.schema + 1));
    throwsNaming(() => open(len(file.length)), 'TL_BAD_LENGTH', [new RegExp(`\\bruns past byte ${file.length - 8}\\b`)], at.schema + 1);
    throwsTl(() => open(len(file.length - 8)), 'TL_BAD_CHECKSUM'); // fits: its CRC is read next
  });

  it('§5.9 index_offset may point up to 13 bytes before the FOOTER (an INDEX with no content)', () => {
    const to = (v: number) =>
      edited(file, (c) => {
        c.set(u64le(v), at.footer + 9);
        fixCrc(c, at.footer);
      });
    // 13 bytes before the FOOTER: read as a record whose length does not fit.
    throwsNaming(() => open(to(at.footer - 13)), 'TL_BAD_LENGTH', [/\brecord length exceeds 2\^53 − 1/], at.footer - 12);
    throwsNaming(() => open(to(at.footer - 12)), 'TL_BAD_LENGTH', [/\bFOOTER\.index_offset\b/], at.footer + 9);
    // At the end of the SCHEMA: read, and found to be a SEGMENT.
    throwsNaming(() => open(to(at.segments[0])), 'TL_BAD_RECORD', [/\b0x03 SEGMENT where the INDEX record should be\b/], at.segments[0]);
  });
});

describe('§5.5 a segment of 65,535 frames (the cap)', () => {
  it('§5.5 is written, opened (also by the recovery scan) and split', async () => {
    const schema = { name: 't', rateHz: 1000, fields: [{ name: 'v', type: 'u8' as const }], entities: [{ id: 'a' }] };
    const w = new TimelineWriter(schema, { compress: (b) => b, compression: '', keyframeInterval: 65535 });
    for (let i = 0; i < 65535; i++) w.append(i, Float64Array.of(i & 0xff));
    const f = await w.finish();
    const r = open(f);
    assert.deepEqual([r.segmentCount, r.segmentInfo(0).frameCount], [1, 65535]);
    assert.equal((await r.decodeSegment(0)).frames.length, 65535);
    assert.equal(TimelineReader.open(f.subarray(0, recordsByKind(f).index), { recover: true }).segmentCount, 1);
  });
});

describe('§5.10 random access: arguments in range', () => {
  const r = open(file);

  it('§5.10 startMs, endMs and durationMs of a timeline that does not start at 0', async () => {
    const w = new TimelineWriter(smallSchema, { compress: gzip, keyframeInterval: 2 });
    for (const [i, t] of [1000, 1040, 1080].entries()) w.append(t, smallValues(i));
    const t = open(await w.finish());
    assert.deepEqual([t.startMs, t.endMs, t.durationMs, t.frameForTime(1079), t.segmentForTime(999)], [1000, 1080, 120, 1, 0]);
  });

  it('§5.10 segments 0..segmentCount − 1 and frames 0..frameCount − 1; anything else is TL_BAD_ARGUMENT naming the range', () => {
    assert.equal(r.segmentInfo(2).index, 2);
    assert.equal(r.segmentForFrame(9), 2);
    for (const n of [3, -1, 1.5]) throwsNaming(() => r.segmentInfo(n), 'TL_BAD_ARGUMENT', [new RegExp(`\\bsegment ${n} not in 0\\.\\.2\\b`)]);
    for (const n of [3, -1]) throwsNaming(() => r.segmentBytes(n), 'TL_BAD_ARGUMENT', [/\bnot in 0\.\.2\b/]);
    for (const i of [10, -1, 0.5]) throwsNaming(() => r.segmentForFrame(i), 'TL_BAD_ARGUMENT', [new RegExp(`\\bframe ${i} not in 0\\.\\.9\\b`)]);
    throwsNaming(() => r.timeOfFrame(10), 'TL_BAD_ARGUMENT', [/\bframe 10 not in 0\.\.9\b/]);
    throwsNaming(() => r.segmentForTime(NaN), 'TL_BAD_ARGUMENT', [/\btime must be a number, got NaN\b/]);
    throwsNaming(() => r.segmentForTime('40' as never), 'TL_BAD_ARGUMENT', [/\btime must be a number, got string\b/]);
    throwsNaming(() => r.frameForTime(NaN), 'TL_BAD_ARGUMENT', [/\bgot NaN\b/]);
  });

  it("§5.9 a segment's CRC is checked on first use only: later calls borrow the bytes as they are", () => {
    const f = stored.slice();
    const rd = open(f);
    const data = rd.segmentBytes(0);
    f[st.segments[0] + 50] ^= 1; // a data byte, after the check: the reader borrows the file (§5.9)
    assert.equal(rd.segmentBytes(0).byteOffset, data.byteOffset);
    f[st.segments[1] + 50] ^= 1; // before its first use
    throwsTl(() => rd.segmentBytes(1), 'TL_BAD_CHECKSUM', recordAt(f, st.segments[1]).end - 4);
  });
});

describe('§5.5 decodeSegment: decompression and the payload against its record', () => {
  it('§5.5 a compressed file needs decompress; its failures and wrong results are TL_BAD_SEGMENT naming the segment', async () => {
    const r = open(file);
    const dataAt = r.segmentInfo(1).dataOffset;
    await rejectsNaming(() => r.decodeSegment(1), 'TL_BAD_ARGUMENT', [/\bthe file is gzip-compressed: pass a decompress function\b/]);
    const failing = (thrown: unknown) => () => {
      throw thrown;
    };
    await rejectsNaming(() => r.decodeSegment(1, failing(new Error('inflate'))), 'TL_BAD_SEGMENT', [/\bsegment 1: decompress failed: inflate\b/], dataAt);
    await rejectsNaming(() => r.decodeSegment(1, failing('bad zlib')), 'TL_BAD_SEGMENT', [/\bdecompress failed: bad zlib\b/], dataAt);
    await rejectsNaming(() => r.decodeSegment(1, failing(null)), 'TL_BAD_SEGMENT', [/\bdecompress failed: null\b/], dataAt);
    const asArray = (z: Uint8Array) => Array.from(gunzip(z)) as unknown as Uint8Array;
    await rejectsNaming(() => r.decodeSegment(1, asArray), 'TL_BAD_SEGMENT', [/\bsegment 1: decompress returned object, not a Uint8Array\b/], dataAt);
    const longer = (z: Uint8Array) => concatBytes([gunzip(z), hex('00')]);
    const raw = r.segmentInfo(1).rawLength;
    await rejectsNaming(
      () => r.decodeSegment(1, longer),
      'TL_BAD_SEGMENT',
      [new RegExp(`\\bsegment 1: decompressed to ${raw + 1} bytes, SEGMENT\\.raw_length is ${raw}\\b`)],
      dataAt,
    );
  });

  it('§5.5 each identity field of the payload must equal the record: the error names it at its payload offset', async () => {
    const payload = recordAt(stored, st.segments[1]).content + 36; // stored: data = payload
    const withSeg = (body: (c: Uint8Array) => void) =>
      edited(stored, (c) => {
        body(c);
        fixCrc(c, st.segments[1]);
      });
    await rejectsNaming(
      () => open(withSeg((c) => setU32(c, payload, 7))).decodeSegment(1),
      'TL_BAD_SEGMENT',
      [/\bsegment 1: payload\.index is 7, the SEGMENT record says 1\b/],
      0,
    );
    await rejectsNaming(
      () => open(withSeg((c) => c.set(u64le(5), payload + 4))).decodeSegment(1),
      'TL_BAD_SEGMENT',
      [/\bpayload\.first_frame is 5, the SEGMENT record says 4\b/],
      4,
    );
    const later = withSeg((c) => new DataView(c.buffer).setFloat64(payload + 16, 161, true));
    await rejectsNaming(() => open(later).decodeSegment(1), 'TL_BAD_SEGMENT', [/\bpayload\.start_ms is 161, the SEGMENT record says 160\b/], 16);
    // The record (and its index entry) of the last segment say 1 frame; the payload holds 2.
    const idx = recordAt(stored, st.index).content;
    const fewer = edited(stored, (c) => {
      setU32(c, recordAt(stored, st.segments[2]).content + 12, 1);
      fixCrc(c, st.segments[2]);
      setU32(c, idx + 8 + 2 * 36 + 24, 1);
      fixCrc(c, st.index);
    });
    await rejectsNaming(() => open(fewer).decodeSegment(2), 'TL_BAD_SEGMENT', [/\bsegment 2: payload\.frame_count is 2, the SEGMENT record says 1\b/], 12);
  });
});

describe('§5.9 recovery scan: what it keeps and where it stops', () => {
  const cut = file.subarray(0, at.index); // no INDEX, FOOTER or MAGIC: a live recording cut short
  const recovered = (f: Uint8Array) => TimelineReader.open(f, { recover: true }).segmentCount;
  const withSeg1 = (body: (c: Uint8Array, content: number) => void) =>
    edited(cut, (c) => {
      body(c, recordAt(cut, at.segments[1]).content);
      fixCrc(c, at.segments[1]);
    });
  const inserted = (record: Uint8Array) => concatBytes([cut.subarray(0, at.segments[2]), record, cut.subarray(at.segments[2])]);

  it('§5.9 keeps every complete segment of a cut file, including one of a single frame', async () => {
    assert.equal(recovered(cut), 3);
    const nine = await smallFile(9); // 4 + 4 + 1 frames
    assert.equal(recovered(nine.subarray(0, recordsByKind(nine).index)), 3);
  });

  it('§5.9 stops at a SEGMENT that does not continue the previous one (index, first_frame, frame_count 1..65535, start_ms)', () => {
    const dv = (c: Uint8Array) => new DataView(c.buffer);
    assert.equal(recovered(withSeg1((c, s) => setU32(c, s, 5))), 1);
    assert.equal(recovered(withSeg1((c, s) => c.set(u64le(5), s + 4))), 1);
    assert.equal(recovered(withSeg1((c, s) => setU32(c, s + 12, 0))), 1);
    assert.equal(recovered(withSeg1((c, s) => setU32(c, s + 12, 65536))), 1);
    assert.equal(recovered(withSeg1((c, s) => dv(c).setFloat64(s + 16, 139.5, true))), 1);
    assert.equal(recovered(withSeg1((c, s) => dv(c).setFloat64(s + 16, NaN, true))), 1);
    // Exactly half a period after segment 0's last frame (120 + 20) continues it; segment 2 (at 320) still follows.
    assert.equal(recovered(withSeg1((c, s) => dv(c).setFloat64(s + 16, 140, true))), 3);
  });

  it('§5.8 skips reserved and application records, stops at a known record other than SEGMENT or at a bad CRC', () => {
    assert.equal(recovered(inserted(makeRecord(0x06, hex('aa')))), 3);
    assert.equal(recovered(inserted(makeRecord(0x80, hex('aa bb')))), 3);
    const badCrc = makeRecord(0x80, hex('aa bb'));
    badCrc[badCrc.length - 1] ^= 1;
    assert.equal(recovered(inserted(badCrc)), 2);
    for (const op of [Opcode.HEADER, Opcode.SCHEMA, Opcode.INDEX, Opcode.FOOTER])
      assert.equal(recovered(inserted(makeRecord(op, hex('00'.repeat(8))))), 2, `opcode ${op}`);
  });
});
