// One record at a time (docs/timeline-format.md §5.3–§5.7): each record's write function
// against hand-built bytes (one comment per field; CRCs computed once with node:zlib and
// pasted), its parse function back to the values, a round trip, and the record cut short —
// at its framing (TL_TRUNCATED) and inside its content with a matching length and CRC.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  checkRecordCrc,
  FORMAT_VERSION,
  Opcode,
  parseFooter,
  parseHeader,
  parseIndex,
  parseSchema,
  parseSegment,
  readRecordHeader,
  SEGMENT_DATA_AT,
  writeFooter,
  writeHeader,
  writeIndex,
  writeSchema,
  writeSegment,
  type RecordHeader,
} from '../src/records.ts';
import { hex, makeRecord, throwsNaming, throwsTl, toHex, utf8 } from './helpers.ts';
import type { TimelineSchema } from '../src/index.ts';

/** The framing of a record that starts at byte 0 and may have been cut. */
const framed = (rec: Uint8Array): RecordHeader => readRecordHeader(rec, 0, rec.length, 'TL_TRUNCATED');

/** Every prefix of a record is TL_TRUNCATED at its framing, before any parse function sees it. */
function everyCutTruncated(rec: Uint8Array): void {
  for (let n = 0; n < rec.length; n++) throwsTl(() => framed(rec.subarray(0, n)), 'TL_TRUNCATED');
}

/** The record's content cut to `n` bytes, length and CRC made to match. */
const cutContent = (rec: Uint8Array, n: number): Uint8Array => makeRecord(rec[0], rec.subarray(9, 9 + n));

/** The content with bytes appended (a later minor version's fields), length and CRC made to match. */
const extended = (rec: Uint8Array, extra: Uint8Array): Uint8Array => {
  const content = new Uint8Array(rec.length - 13 + extra.length);
  content.set(rec.subarray(9, rec.length - 4));
  content.set(extra, rec.length - 13);
  return makeRecord(rec[0], content);
};

const flipCrc = (rec: Uint8Array): Uint8Array => {
  const c = rec.slice();
  c[c.length - 1] ^= 1;
  return c;
};

describe('§5.3 HEADER (0x01): parseHeader / writeHeader', () => {
  const bytes = hex(`
    01                          # opcode HEADER
    0a 00 00 00 00 00 00 00     # length 10
    01 00                       # version 1
    04                          # compression_length 4
    67 7a 69 70                 # compression "gzip"
    02                          # library_length 2
    74 77                       # library "tw"
    13 8c e4 e9                 # crc
  `);
  const value = { version: 1, compression: 'gzip', library: 'tw' };

  it('§5.3 HEADER: writeHeader writes the known bytes, parseHeader reads them back', () => {
    assert.equal(toHex(writeHeader(value)), toHex(bytes));
    assert.deepEqual(parseHeader(bytes, framed(bytes)), value);
  });

  it('§5.3 HEADER: round trip, stored and with a multi-byte library name', () => {
    for (const h of [
      { version: FORMAT_VERSION, compression: '', library: '' },
      { version: FORMAT_VERSION, compression: 'zstd-19', library: 'tidewire-timeline ∆ 1.0' },
    ]) {
      const rec = writeHeader(h);
      assert.deepEqual(parseHeader(rec, framed(rec)), h);
    }
  });

  it('§5.3 HEADER: cut anywhere is TL_TRUNCATED; content cut short is TL_BAD_RECORD at the missing field', () => {
    everyCutTruncated(bytes);
    // version 2 bytes • compression_length 1 • compression 4 • library_length 1 • library 2
    const fieldAt = [0, 0, 2, 3, 3, 3, 3, 7, 8, 8];
    const field = [
      'version',
      'version',
      'compression_length',
      'compression',
      'compression',
      'compression',
      'compression',
      'library_length',
      'library',
      'library',
    ];
    for (let n = 0; n < 10; n++) {
      throwsNaming(
        () => parseHeader(cutContent(bytes, n), framed(cutContent(bytes, n))),
        'TL_BAD_RECORD',
        [new RegExp(`\\bHEADER\\.${field[n]} needs \\d+ bytes, ${n - fieldAt[n]} left\\b`)],
        9 + fieldAt[n],
      );
    }
  });

  it('§5.3 HEADER: the version is read first (TL_UNSUPPORTED_VERSION); opcode, CRC, names checked; added fields ignored', () => {
    const v2 = makeRecord(0x01, Uint8Array.of(0x02, 0x00, 0xff)); // version 2, then garbage
    throwsNaming(() => parseHeader(v2, framed(v2)), 'TL_UNSUPPORTED_VERSION', [/\bHEADER\.version 2: this reader reads version 1\b/], 9);
    const v0 = makeRecord(0x01, hex('00 00  00  00'));
    throwsNaming(() => parseHeader(v0, framed(v0)), 'TL_UNSUPPORTED_VERSION', [/\bHEADER\.version 0\b/], 9);
    // flipCrc flips the low bit of the CRC's last (most significant) byte: e9e48c13 → e8e48c13
    throwsNaming(
      () => parseHeader(flipCrc(bytes), framed(flipCrc(bytes))),
      'TL_BAD_CHECKSUM',
      [/\b0x01 HEADER record at 0: CRC32 is e9e48c13, stored e8e48c13\b/],
      bytes.length - 4,
    );
    const asSchema = makeRecord(Opcode.SCHEMA, bytes.subarray(9, bytes.length - 4));
    throwsNaming(() => parseHeader(asSchema, framed(asSchema)), 'TL_BAD_RECORD', [/\b0x02 SCHEMA where the HEADER record should be\b/], 0);
    const upper = makeRecord(0x01, hex('01 00  04 47 5a 49 50  00')); // "GZIP"
    throwsNaming(() => parseHeader(upper, framed(upper)), 'TL_BAD_RECORD', [/\bHEADER\.compression "GZIP" does not match \[a-z0-9-\]\{0,32\}/], 11);
    const long = makeRecord(0x01, Uint8Array.of(0x01, 0x00, 33, ...utf8('a'.repeat(33)), 0x00));
    throwsNaming(() => parseHeader(long, framed(long)), 'TL_BAD_RECORD', [/\bHEADER\.compression "a{33}"/], 11);
    const badUtf8 = makeRecord(0x01, hex('01 00  00  01 ff'));
    throwsNaming(() => parseHeader(badUtf8, framed(badUtf8)), 'TL_BAD_RECORD', [/\bHEADER\.library is not UTF-8\b/], 12);
    const later = extended(bytes, hex('99 88 77'));
    assert.deepEqual(parseHeader(later, framed(later)), value);
  });

  it('§5.3 HEADER: names are checked when written: compression [a-z0-9-]{0,32}, library ≤ 255 UTF-8 bytes', () => {
    for (const compression of ['', 'az09-', 'a'.repeat(32), 'gzip']) {
      const rec = writeHeader({ version: 1, compression, library: 'x'.repeat(255) });
      assert.deepEqual(parseHeader(rec, framed(rec)), { version: 1, compression, library: 'x'.repeat(255) });
    }
    for (const compression of ['GZIP', 'a'.repeat(33), 'x_y', ' gzip', 'gzip ']) {
      throwsNaming(() => writeHeader({ version: 1, compression, library: '' }), 'TL_BAD_ARGUMENT', [/\bcompression "/, /\bdoes not match \[a-z0-9-\]\{0,32\}/]);
    }
    throwsNaming(() => writeHeader({ version: 1, compression: 5 as unknown as string, library: '' }), 'TL_BAD_ARGUMENT', [/\bcompression 5 does not match\b/]);
    throwsNaming(() => writeHeader({ version: 1, compression: '', library: 'x'.repeat(256) }), 'TL_BAD_ARGUMENT', [
      /\blibrary of 256 UTF-8 bytes exceeds 255\b/,
    ]);
  });

  it('§5.2 records: a bad CRC names the record and both CRCs as 8 hex digits', () => {
    const rec = writeHeader({ version: 1, compression: '', library: 'kat' }); // CRC 021cba86
    rec[13] = 0x61; // "kat" → "aat"
    throwsNaming(() => checkRecordCrc(rec, framed(rec)), 'TL_BAD_CHECKSUM', [/\b0x01 HEADER record at 0\b/, /\bstored 021cba86\b/], rec.length - 4);
    const reserved = makeRecord(0x06, hex('aa'));
    reserved[9] = 0xbb;
    throwsNaming(() => checkRecordCrc(reserved, framed(reserved)), 'TL_BAD_CHECKSUM', [/\b0x06 record at 0: CRC32\b/], 10);
  });

  it('§5.2 records: the framing needs 9 bytes, a length the bytes can hold, and a length below 2^53', () => {
    throwsNaming(() => framed(hex('01 00 00 00 00 00 00 00')), 'TL_TRUNCATED', [/\brecord header needs 9 bytes, 8 left\b/], 0);
    throwsNaming(() => framed(hex('01 00 00 00 00 00 00 00 00')), 'TL_TRUNCATED', [/\brecord of 0 content bytes runs past byte 9\b/], 1);
    throwsNaming(
      () => readRecordHeader(hex('01 03 00 00 00 00 00 00 00 aa bb cc'), 0, 12, 'TL_BAD_LENGTH'),
      'TL_BAD_LENGTH',
      [/\brecord of 3 content bytes runs past byte 12\b/],
      1,
    );
    assert.equal(readRecordHeader(hex('01 03 00 00 00 00 00 00 00 aa bb cc 00 00 00 00'), 0, 16, 'TL_BAD_LENGTH').end, 16);
    throwsNaming(() => framed(hex('01 ff ff ff ff ff ff 1f 00 00')), 'TL_TRUNCATED', [/\brecord of 9007199254740991 content bytes runs past byte 10\b/], 1);
    throwsNaming(() => framed(hex('01 00 00 00 00 00 00 20 00 00')), 'TL_BAD_LENGTH', [/\brecord length exceeds 2\^53 − 1/], 1);
    throwsNaming(() => readRecordHeader(hex('00 00 00 01 00 00 00 00 00 00 00 00'), 3, 5, 'TL_TRUNCATED'), 'TL_TRUNCATED', [/\bneeds 9 bytes, 2 left\b/], 3);
  });
});

describe('§5.4 SCHEMA (0x02): parseSchema / writeSchema', () => {
  const schema: TimelineSchema = { name: 't', rateHz: 25, fields: [{ name: 'v', type: 'u8' }], entities: [{ id: 'a' }] };
  const json = '{"name":"t","rateHz":25,"fields":[{"name":"v","type":"u8"}],"entities":[{"id":"a"}]}';
  const bytes = hex(`
    02                          # opcode SCHEMA
    54 00 00 00 00 00 00 00     # length 84
    ${toHex(utf8(json))}        # the schema as UTF-8 JSON (§3.4)
    3c ac 67 e7                 # crc
  `);

  it('§5.4 SCHEMA: writeSchema writes the known bytes, parseSchema reads them back', () => {
    assert.equal(toHex(writeSchema(schema)), toHex(bytes));
    assert.deepEqual(parseSchema(bytes, framed(bytes)), schema);
  });

  it('§5.4 SCHEMA: round trip with units, scales, entity names and static data', () => {
    const rich: TimelineSchema = {
      name: 'race',
      rateHz: 10,
      fields: [
        { name: 'x', type: 'f', scale: 0.01, unit: 'm' },
        { name: 'on', type: 'bool' },
      ],
      entities: [{ id: '44', name: 'Hamilton', color: '#00d2be' }, { id: '1' }],
      static: {
        track: [
          [0, 0],
          [1, 2],
        ],
      },
    };
    const rec = writeSchema(rich);
    assert.deepEqual(parseSchema(rec, framed(rec)), parseSchema(writeSchema(parseSchema(rec, framed(rec))), framed(rec)));
    assert.equal(parseSchema(rec, framed(rec)).entities[0].name, 'Hamilton');
    assert.equal(parseSchema(rec, framed(rec)).fields[0].scale, 0.01);
  });

  it('§5.4 SCHEMA: cut anywhere is TL_TRUNCATED; JSON cut short is TL_BAD_SCHEMA; bad CRC and opcode refused', () => {
    everyCutTruncated(bytes);
    for (const n of [0, 1, 40, 83]) throwsTl(() => parseSchema(cutContent(bytes, n), framed(cutContent(bytes, n))), 'TL_BAD_SCHEMA', 9);
    throwsTl(() => parseSchema(flipCrc(bytes), framed(flipCrc(bytes))), 'TL_BAD_CHECKSUM', bytes.length - 4);
    const asHeader = makeRecord(Opcode.HEADER, utf8(json));
    throwsNaming(() => parseSchema(asHeader, framed(asHeader)), 'TL_BAD_RECORD', [/\b0x01 HEADER where the SCHEMA record should be\b/], 0);
  });

  it('§5.4 SCHEMA: above 4 MiB is TL_BAD_LENGTH at the length field, before the CRC or the JSON is read', () => {
    const big = new Uint8Array(13 + 4 * 1024 * 1024 + 1);
    big[0] = Opcode.SCHEMA;
    big.set(hex('01 00 40 00 00 00 00 00'), 1); // length 4 MiB + 1; content and CRC are zeros
    throwsNaming(() => parseSchema(big, framed(big)), 'TL_BAD_LENGTH', [/\bSCHEMA of 4194305 bytes exceeds 4194304\b/], 1);
    // Exactly 4 MiB is read: its CRC (zeros) is checked next.
    const max = big.subarray(0, big.length - 1);
    max[1] = 0x00;
    throwsTl(() => parseSchema(max, framed(max)), 'TL_BAD_CHECKSUM', max.length - 4);
  });
});

describe('§5.5 SEGMENT (0x03): parseSegment / writeSegment', () => {
  const bytes = hex(`
    03                          # opcode SEGMENT
    28 00 00 00 00 00 00 00     # length 40
    02 00 00 00                 # index 2
    08 00 00 00 00 00 00 00     # first_frame 8
    03 00 00 00                 # frame_count 3
    00 00 00 00 00 00 74 40     # start_ms 320.0
    28 00 00 00                 # raw_length 40
    04 00 00 00 00 00 00 00     # data_length 4
    de ad be ef                 # data (opaque here: compress(payload))
    d3 84 f9 a7                 # crc
  `);
  const value = { index: 2, firstFrame: 8, frameCount: 3, startMs: 320, rawLength: 40 };
  const data = hex('de ad be ef');

  it('§5.5 SEGMENT: writeSegment writes the known bytes, parseSegment reads them back; data sits at SEGMENT_DATA_AT', () => {
    const rec = writeSegment(value, data);
    assert.equal(toHex(rec), toHex(bytes));
    assert.deepEqual(parseSegment(bytes, framed(bytes)), { ...value, dataLength: 4 });
    assert.equal(toHex(bytes.subarray(SEGMENT_DATA_AT, SEGMENT_DATA_AT + 4)), 'deadbeef');
  });

  it('§5.5 SEGMENT: round trip at the edges (first_frame near 2^53, frame_count 65535, empty data)', () => {
    const edge = { index: 0xffff_fffe, firstFrame: 2 ** 53 - 70000, frameCount: 65535, startMs: -1.5, rawLength: 64 * 1024 * 1024 };
    const rec = writeSegment(edge, new Uint8Array(0));
    assert.deepEqual(parseSegment(rec, framed(rec)), { ...edge, dataLength: 0 });
  });

  it('§5.5 SEGMENT: cut anywhere is TL_TRUNCATED; fixed fields cut short are TL_BAD_RECORD at the missing one', () => {
    everyCutTruncated(bytes);
    // index 4 • first_frame 8 • frame_count 4 • start_ms 8 • raw_length 4 • data_length 8
    const starts = [0, 4, 12, 16, 24, 28];
    const names = ['index', 'first_frame', 'frame_count', 'start_ms', 'raw_length', 'data_length'];
    for (let n = 0; n < 36; n++) {
      const field = starts.filter((s) => s <= n).length - 1;
      throwsNaming(
        () => parseSegment(cutContent(bytes, n), framed(cutContent(bytes, n))),
        'TL_BAD_RECORD',
        [new RegExp(`\\bSEGMENT\\.${names[field]} needs \\d+ bytes, ${n - starts[field]} left\\b`)],
        9 + starts[field],
      );
    }
  });

  it('§5.5 SEGMENT: data_length past the record and raw_length above 64 MiB are TL_BAD_LENGTH; the CRC is not checked here (§5.9)', () => {
    const long = makeRecord(0x03, hex('02000000 0800000000000000 03000000 0000000000007440 28000000 0500000000000000 deadbeef'));
    throwsNaming(() => parseSegment(long, framed(long)), 'TL_BAD_LENGTH', [/\bSEGMENT\.data_length 5 exceeds the 4 bytes left in the record\b/], 9 + 28);
    const raw = makeRecord(0x03, hex('02000000 0800000000000000 03000000 0000000000007440 01000004 0400000000000000 deadbeef'));
    throwsNaming(() => parseSegment(raw, framed(raw)), 'TL_BAD_LENGTH', [/\bSEGMENT\.raw_length 67108865 exceeds 67108864\b/], 9 + 24);
    const huge = makeRecord(0x03, hex('02000000 0000000000002000 03000000 0000000000007440 28000000 0400000000000000 deadbeef'));
    throwsNaming(() => parseSegment(huge, framed(huge)), 'TL_BAD_LENGTH', [/\bSEGMENT\.first_frame exceeds 2\^53 − 1/], 9 + 4);
    assert.deepEqual(parseSegment(flipCrc(bytes), framed(flipCrc(bytes))), { ...value, dataLength: 4 });
    const asIndex = makeRecord(Opcode.INDEX, bytes.subarray(9, bytes.length - 4));
    throwsNaming(() => parseSegment(asIndex, framed(asIndex)), 'TL_BAD_RECORD', [/\b0x04 INDEX where the SEGMENT record should be\b/], 0);
  });
});

describe('§5.6 INDEX (0x04): parseIndex / writeIndex', () => {
  const bytes = hex(`
    04                          # opcode INDEX
    50 00 00 00 00 00 00 00     # length 80
    24 00 00 00                 # entry_size 36
    02 00 00 00                 # count 2
    7d 00 00 00 00 00 00 00     # [0] offset 125
    53 00 00 00 00 00 00 00     # [0] length 83
    00 00 00 00 00 00 00 00     # [0] first_frame 0
    02 00 00 00                 # [0] frame_count 2
    00 00 00 00 00 00 00 00     # [0] start_ms 0.0
    d0 00 00 00 00 00 00 00     # [1] offset 208
    3c 00 00 00 00 00 00 00     # [1] length 60
    02 00 00 00 00 00 00 00     # [1] first_frame 2
    01 00 00 00                 # [1] frame_count 1
    00 00 00 00 00 00 54 40     # [1] start_ms 80.0
    38 db e6 54                 # crc
  `);
  const entries = [
    { offset: 125, length: 83, firstFrame: 0, frameCount: 2, startMs: 0 },
    { offset: 208, length: 60, firstFrame: 2, frameCount: 1, startMs: 80 },
  ];
  const all = (rec: Uint8Array) => {
    const idx = parseIndex(rec, framed(rec));
    return Array.from({ length: idx.count }, (_, i) => idx.entry(i));
  };

  it('§5.6 INDEX: writeIndex writes the known bytes, parseIndex reads each entry at its offset', () => {
    assert.equal(toHex(writeIndex(entries)), toHex(bytes));
    const idx = parseIndex(bytes, framed(bytes));
    assert.equal(idx.entrySize, 36);
    assert.deepEqual(
      all(bytes),
      entries.map((e, i) => ({ ...e, at: 17 + 36 * i })),
    );
  });

  it('§5.6 INDEX: round trip, empty and with offsets past 2^32', () => {
    assert.deepEqual(all(writeIndex([])), []);
    const big = [{ offset: 2 ** 40 + 3, length: 2 ** 33, firstFrame: 2 ** 35, frameCount: 65535, startMs: 1.7e12 }];
    assert.deepEqual(
      all(writeIndex(big)).map(({ at: _at, ...e }) => e),
      big,
    );
  });

  it('§5.6 INDEX: longer entries (a later version) are read for their first 36 bytes', () => {
    const content = new Uint8Array(8 + 2 * 40);
    const dv = new DataView(content.buffer);
    dv.setUint32(0, 40, true);
    dv.setUint32(4, 2, true);
    for (let i = 0; i < 2; i++) {
      content.set(bytes.subarray(17 + 36 * i, 17 + 36 * (i + 1)), 8 + 40 * i);
      content.set(hex('aa bb cc dd'), 8 + 40 * i + 36); // the new field
    }
    const rec = makeRecord(0x04, content);
    assert.deepEqual(
      all(rec).map(({ at: _at, ...e }) => e),
      entries,
    );
  });

  it('§5.6 INDEX: cut anywhere is TL_TRUNCATED; content cut short is TL_BAD_RECORD (sizes) or TL_BAD_LENGTH (entries that do not fit)', () => {
    everyCutTruncated(bytes);
    for (let n = 0; n < 8; n++) {
      const name = n < 4 ? /\bINDEX\.entry_size needs 4 bytes\b/ : /\bINDEX\.count needs 4 bytes\b/;
      throwsNaming(() => parseIndex(cutContent(bytes, n), framed(cutContent(bytes, n))), 'TL_BAD_RECORD', [name], 9 + (n < 4 ? 0 : 4));
    }
    for (let n = 8; n < 80; n++) {
      const names = [new RegExp(`\\bINDEX\\.count 2: 2 entries of 36 bytes do not fit in ${n - 8}\\b`)];
      throwsNaming(() => parseIndex(cutContent(bytes, n), framed(cutContent(bytes, n))), 'TL_BAD_LENGTH', names, 13);
    }
  });

  it('§5.6 INDEX: entry_size below 36, a bad CRC and a wrong opcode are refused', () => {
    const small = makeRecord(0x04, hex('23000000 00000000'));
    throwsNaming(() => parseIndex(small, framed(small)), 'TL_BAD_RECORD', [/\bINDEX\.entry_size 35 is below 36\b/], 9);
    throwsNaming(() => parseIndex(flipCrc(bytes), framed(flipCrc(bytes))), 'TL_BAD_CHECKSUM', [/\b0x04 INDEX record at 0\b/], bytes.length - 4);
    const asFooter = makeRecord(Opcode.FOOTER, bytes.subarray(9, bytes.length - 4));
    throwsNaming(() => parseIndex(asFooter, framed(asFooter)), 'TL_BAD_RECORD', [/\b0x05 FOOTER where the INDEX record should be\b/], 0);
  });

  it('§5.6 INDEX: entries are asked for by number in 0..count − 1; a u64 field of 2^53 or more is TL_BAD_LENGTH naming it', () => {
    const idx = parseIndex(bytes, framed(bytes));
    assert.equal(idx.entry(1).offset, 208);
    for (const i of [2, -1, 0.5]) throwsNaming(() => idx.entry(i), 'TL_BAD_ARGUMENT', [new RegExp(`\\bINDEX entry ${i} not in 0\\.\\.1\\b`)]);
    const names = ['offset', 'length', 'first_frame'];
    for (let k = 0; k < 3; k++) {
      const rec = bytes.slice();
      rec[17 + 36 + 8 * k + 6] = 0x20; // entry 1, field k: 2^53 + …
      const fixed = makeRecord(0x04, rec.subarray(9, rec.length - 4));
      throwsNaming(
        () => parseIndex(fixed, framed(fixed)).entry(1),
        'TL_BAD_LENGTH',
        [new RegExp(`\\bINDEX entry 1\\.${names[k]} exceeds 2\\^53`)],
        17 + 36 + 8 * k,
      );
    }
  });
});

describe('§5.7 FOOTER (0x05): parseFooter / writeFooter', () => {
  const bytes = hex(`
    05                          # opcode FOOTER
    08 00 00 00 00 00 00 00     # length 8
    23 01 00 00 00 00 00 00     # index_offset 291
    7f ec dc 9f                 # crc
  `);

  it('§5.7 FOOTER: writeFooter writes the known bytes, parseFooter reads them back', () => {
    assert.equal(toHex(writeFooter({ indexOffset: 291 })), toHex(bytes));
    assert.deepEqual(parseFooter(bytes, framed(bytes)), { indexOffset: 291 });
  });

  it('§5.7 FOOTER: round trip up to 2^53 − 1; 2^53 is TL_BAD_LENGTH, never rounded', () => {
    for (const v of [0, 2 ** 32 + 1, Number.MAX_SAFE_INTEGER]) {
      const rec = writeFooter({ indexOffset: v });
      assert.deepEqual(parseFooter(rec, framed(rec)), { indexOffset: v });
    }
    const over = makeRecord(0x05, hex('00 00 00 00 00 00 20 00'));
    throwsNaming(() => parseFooter(over, framed(over)), 'TL_BAD_LENGTH', [/\bFOOTER\.index_offset exceeds 2\^53 − 1/], 9);
  });

  it('§5.7 FOOTER: cut anywhere is TL_TRUNCATED; content of any length but 8 is TL_BAD_LENGTH at the length field', () => {
    everyCutTruncated(bytes);
    for (let n = 0; n < 8; n++) {
      const names = [new RegExp(`\\bFOOTER content is ${n} bytes, expected 8\\b`)];
      throwsNaming(() => parseFooter(cutContent(bytes, n), framed(cutContent(bytes, n))), 'TL_BAD_LENGTH', names, 1);
    }
    const nine = extended(bytes, hex('00'));
    throwsNaming(() => parseFooter(nine, framed(nine)), 'TL_BAD_LENGTH', [/\bFOOTER content is 9 bytes\b/], 1);
  });

  it('§5.7 FOOTER: a bad CRC and a wrong opcode are refused', () => {
    throwsTl(() => parseFooter(flipCrc(bytes), framed(flipCrc(bytes))), 'TL_BAD_CHECKSUM', bytes.length - 4);
    const asIndex = makeRecord(Opcode.INDEX, bytes.subarray(9, 17));
    throwsNaming(() => parseFooter(asIndex, framed(asIndex)), 'TL_BAD_RECORD', [/\b0x04 INDEX where the FOOTER record should be\b/], 0);
  });
});
