import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { concatBytes } from '@tidewire/base';
import { FrameDecoder, TimelineError, TimelineReader, TimelineWriter } from '../src/index.ts';
import {
  assertClose,
  fixCrc,
  makeRecord,
  gunzip,
  recordAt,
  rejectsTl,
  setU32,
  smallFiles,
  throwsNaming,
  smallSchema,
  smallValues,
  throwsTl,
  u64le,
  utf8,
  edited,
  recordsByKind,
} from './helpers.ts';

const { file, stored } = await smallFiles();
const at = recordsByKind(file);
const open = (f: Uint8Array) => TimelineReader.open(f);

/** Opens, verifies and decodes everything: the whole surface a corrupt file can reach. */
async function readAll(f: Uint8Array): Promise<void> {
  const r = TimelineReader.open(f);
  r.verify();
  for (let n = 0; n < r.segmentCount; n++) await r.decodeSegment(n, gunzip);
}

describe('§5.9 reading and validation: truncation and single-byte damage', () => {
  it('every truncation of a small file is TL_TRUNCATED, at the end of what is there', () => {
    assert.ok(file.length > 400);
    for (let n = 0; n < file.length; n++) {
      const e = throwsTl(() => open(file.subarray(0, n)), 'TL_TRUNCATED');
      assert.ok(e.offset! <= n, `cut at ${n}: offset ${e.offset}`);
    }
  });

  it('every single-byte change anywhere in the file is rejected with a TimelineError', async () => {
    const codes = new Map<string, number>();
    for (let i = 0; i < file.length; i++) {
      for (const mask of [0x01, 0x80, 0xff]) {
        const bad = edited(file, (c) => (c[i] ^= mask));
        let caught: unknown;
        try {
          await readAll(bad);
        } catch (e) {
          caught = e;
        }
        assert.ok(caught instanceof TimelineError, `byte ${i} ^ ${mask}: ${caught === undefined ? 'accepted' : caught}`);
        assert.equal(typeof caught.offset, 'number', `byte ${i} ^ ${mask}: ${caught.code} without offset`);
        codes.set(caught.code, (codes.get(caught.code) ?? 0) + 1);
      }
    }
    for (const code of ['TL_BAD_MAGIC', 'TL_BAD_CHECKSUM', 'TL_TRUNCATED', 'TL_BAD_LENGTH'])
      assert.ok(codes.has(code), `no ${code} among ${[...codes.keys()]}`);
  });
});

/** Every frame of every segment the reader has, decoded and checked against what was appended. */
async function assertSourceFrames(r: TimelineReader, segments: number, where: string): Promise<void> {
  assert.equal(r.segmentCount, segments, `${where}: segments`);
  const dec = new FrameDecoder(r.schema);
  let next = 0;
  for (let n = 0; n < r.segmentCount; n++) {
    const seg = await r.decodeSegment(n, gunzip);
    seg.frames.forEach((f, k) => {
      assert.equal(seg.firstFrame + k, next, `${where}: frame order`);
      assert.equal(seg.times[k], next * 40, `${where}: time of frame ${next}`);
      assertClose(smallSchema, smallValues(next), dec.decode(f), `${where}, frame ${next}`);
      next++;
    });
  }
  assert.equal(r.frameCount, next, `${where}: frameCount`);
}

describe('§5.9 recovery: a file cut short or damaged before its INDEX', () => {
  const schemaEnd = recordAt(file, at.schema).end;
  const segEnds = at.segments.map((o) => recordAt(file, o).end);
  const framesIn = [4, 4, 2];

  it('every truncation: plain open is TL_TRUNCATED; recover opens with exactly the complete segments, each frame the appended value', async () => {
    let recovered = 0;
    for (let n = 0; n < file.length; n++) {
      const cut = file.subarray(0, n);
      throwsTl(() => open(cut), 'TL_TRUNCATED');
      if (n < schemaEnd) {
        // Without a whole HEADER and SCHEMA there is nothing to recover into.
        throwsTl(() => TimelineReader.open(cut, { recover: true }), 'TL_TRUNCATED');
        continue;
      }
      const r = TimelineReader.open(cut, { recover: true });
      assert.equal(r.complete, false, `cut at ${n}`);
      const whole = segEnds.filter((e) => e <= n).length;
      r.verify(); // what recovery kept is sound: verify has nothing to report
      await assertSourceFrames(r, whole, `cut at ${n}`);
      assert.equal(
        r.frameCount,
        framesIn.slice(0, whole).reduce((a, b) => a + b, 0),
      );
      recovered++;
    }
    assert.ok(recovered > 100, `${recovered} cuts recovered`);
  });

  it('a damaged SEGMENT (bad CRC, or a header that breaks continuity) ends recovery there: the segments before it are kept', async () => {
    const cut = file.subarray(0, at.index); // no INDEX, FOOTER or magic: a recording cut short
    for (let k = 0; k < 3; k++) {
      const rec = recordAt(file, at.segments[k]);
      const crcBad = cut.slice();
      crcBad[rec.end - 10] ^= 1; // a data byte: the stored CRC no longer matches
      throwsTl(() => open(crcBad), 'TL_TRUNCATED');
      await assertSourceFrames(TimelineReader.open(crcBad, { recover: true }), k, `segment ${k} with a bad CRC`);
      const gap = cut.slice();
      setU32(gap, rec.content, k + 1); // index k+1 where k belongs, CRC made to match
      fixCrc(gap, at.segments[k]);
      await assertSourceFrames(TimelineReader.open(gap, { recover: true }), k, `segment ${k} numbered ${k + 1}`);
    }
  });

  it('an application record between segments is skipped by its length; one with a bad CRC ends recovery', async () => {
    const app = makeRecord(0x80, utf8('lap 1 ends here'));
    const head = file.subarray(0, segEnds[0]);
    const rest = file.subarray(segEnds[0], at.index);
    const withApp = concatBytes([head, app, rest]);
    throwsTl(() => open(withApp), 'TL_TRUNCATED', withApp.length);
    await assertSourceFrames(TimelineReader.open(withApp, { recover: true }), 3, 'application record after segment 0');
    const badApp = app.slice();
    badApp[12] ^= 1;
    await assertSourceFrames(TimelineReader.open(concatBytes([head, badApp, rest]), { recover: true }), 1, 'damaged application record');
  });

  it('recovery is only for a missing tail: a finished file is read through its INDEX, damage and all', async () => {
    const r = TimelineReader.open(file, { recover: true });
    assert.equal(r.complete, true);
    await assertSourceFrames(r, 3, 'finished file');
    throwsTl(
      () =>
        TimelineReader.open(
          edited(file, (c) => (c[recordAt(file, at.footer).end - 1] ^= 1)),
          { recover: true },
        ),
      'TL_BAD_CHECKSUM',
    );
  });

  it('verify() names exactly the damaged segment of a finished file; the others still read as appended', async () => {
    for (let k = 0; k < 3; k++) {
      const rec = recordAt(file, at.segments[k]);
      const bad = edited(file, (c) => (c[rec.end - 10] ^= 1));
      const r = open(bad); // open checks record headers, not segment data
      throwsTl(() => r.verify(), 'TL_BAD_CHECKSUM', rec.end - 4);
      const dec = new FrameDecoder(r.schema);
      for (let n = 0; n < 3; n++) {
        if (n === k) {
          throwsTl(() => r.segmentBytes(n), 'TL_BAD_CHECKSUM', rec.end - 4);
          continue;
        }
        const seg = await r.decodeSegment(n, gunzip);
        seg.frames.forEach((f, j) =>
          assertClose(smallSchema, smallValues(seg.firstFrame + j), dec.decode(f), `segment ${k} damaged, frame ${seg.firstFrame + j}`),
        );
      }
    }
  });
});

describe('§5.9 reading and validation: each corruption class with its offset', () => {
  it('wrong magic: TL_BAD_MAGIC at the first differing byte', () => {
    throwsNaming(() => open(edited(file, (c) => (c[3] = 0x58))), 'TL_BAD_MAGIC', [/\bnot a Tidewire timeline file\b/, /\bMAGIC byte 3 is 0x58, not 0x54\b/], 3);
    throwsNaming(() => open(utf8('PK\u0003\u0004 not a timeline at all, a zip')), 'TL_BAD_MAGIC', [/\bMAGIC byte 0 is 0x50, not 0x89\b/], 0);
  });

  it('unsupported version: TL_UNSUPPORTED_VERSION at the version field, before anything else is read', () => {
    const v2 = edited(file, (c) => {
      c[at.header + 9] = 2;
      fixCrc(c, at.header);
      c[at.schema + 20] ^= 0xff; // later damage is not reported first
    });
    throwsNaming(() => open(v2), 'TL_UNSUPPORTED_VERSION', [/\bHEADER\.version 2\b/], at.header + 9);
  });

  it('bad checksums: TL_BAD_CHECKSUM at the stored CRC, for the header, schema, index and footer at open', () => {
    for (const rec of [at.header, at.schema, at.index, at.footer]) {
      const crcAt = recordAt(file, rec).end - 4;
      throwsTl(() => open(edited(file, (c) => (c[crcAt] ^= 1))), 'TL_BAD_CHECKSUM', crcAt);
      throwsTl(() => open(edited(file, (c) => (c[rec + 10] ^= 1))), 'TL_BAD_CHECKSUM', crcAt);
    }
  });

  it("a segment's bad checksum is found when its bytes are used, and by verify()", async () => {
    const seg = at.segments[1];
    const crcAt = recordAt(file, seg).end - 4;
    const bad = edited(file, (c) => (c[recordAt(file, seg).end - 10] ^= 1));
    const r = open(bad);
    r.segmentBytes(0);
    throwsTl(() => r.segmentBytes(1), 'TL_BAD_CHECKSUM', crcAt);
    await rejectsTl(() => r.decodeSegment(1, gunzip), 'TL_BAD_CHECKSUM', crcAt);
    throwsTl(() => open(bad).verify(), 'TL_BAD_CHECKSUM', crcAt);
  });

  it('a record length past the end of the file: TL_BAD_LENGTH at the length field (the file is complete)', () => {
    throwsTl(() => open(edited(file, (c) => c.set(u64le(file.length), at.schema + 1))), 'TL_BAD_LENGTH', at.schema + 1);
    throwsTl(() => open(edited(file, (c) => c.set(u64le(Number.MAX_SAFE_INTEGER), at.header + 1))), 'TL_BAD_LENGTH', at.header + 1);
  });

  it('a length of 2^53 or more: TL_BAD_LENGTH, never a rounded number', () => {
    for (const hi of [0x00200000, 0x7fffffff, 0xffffffff]) {
      const bad = edited(file, (c) => setU32(c, at.schema + 5, hi));
      throwsTl(() => open(bad), 'TL_BAD_LENGTH', at.schema + 1);
      throwsTl(() => open(bad.subarray(0, bad.length - 1)), 'TL_BAD_LENGTH', at.schema + 1);
    }
  });

  it('a truncated file whose records are intact is TL_TRUNCATED at its end', () => {
    throwsNaming(() => open(file.subarray(0, at.index)), 'TL_TRUNCATED', [new RegExp(`\\bfile of ${at.index} bytes does not end with the MAGIC\\b`)], at.index);
  });

  it('a footer that is not a FOOTER, has the wrong length, or points outside: TL_BAD_RECORD / TL_BAD_LENGTH', () => {
    throwsNaming(
      () =>
        open(
          edited(file, (c) => {
            c[at.footer] = 0x06;
            fixCrc(c, at.footer);
          }),
        ),
      'TL_BAD_RECORD',
      [/\b0x06 where the FOOTER record should be\b/],
      at.footer,
    );
    throwsTl(
      () =>
        open(
          edited(file, (c) => {
            c.set(u64le(7), at.footer + 1);
          }),
        ),
      'TL_BAD_LENGTH',
      at.footer + 1,
    );
    for (const v of [file.length, at.footer, at.footer - 12, 3, at.segments[0] - 1, Number.MAX_SAFE_INTEGER]) {
      throwsNaming(
        () =>
          open(
            edited(file, (c) => {
              c.set(u64le(v), at.footer + 9);
              fixCrc(c, at.footer);
            }),
          ),
        'TL_BAD_LENGTH',
        [new RegExp(`\\bFOOTER\\.index_offset ${v} is outside \\[${at.segments[0]}, ${at.footer - 13}\\]`)],
        at.footer + 9,
      );
    }
    throwsTl(
      () =>
        open(
          edited(file, (c) => {
            setU32(c, at.footer + 13, 0x00200000);
            fixCrc(c, at.footer);
          }),
        ),
      'TL_BAD_LENGTH',
      at.footer + 9,
    );
  });

  it('an index_offset that points at another record: TL_BAD_RECORD', () => {
    throwsTl(
      () =>
        open(
          edited(file, (c) => {
            c.set(u64le(at.segments[2]), at.footer + 9);
            fixCrc(c, at.footer);
          }),
        ),
      'TL_BAD_RECORD',
      at.segments[2],
    );
  });

  it('index entries: a count that cannot fit, offsets past the end or 2^53, and entries that disagree with their records', () => {
    const idx = recordAt(file, at.index).content;
    const entry = (i: number) => idx + 8 + i * 36;
    const withIndex = (body: (c: Uint8Array) => void) =>
      edited(file, (c) => {
        body(c);
        fixCrc(c, at.index);
      });
    const segs = at.segments;
    throwsTl(() => open(withIndex((c) => setU32(c, idx + 4, 0xffffffff))), 'TL_BAD_LENGTH', idx + 4);
    throwsTl(() => open(withIndex((c) => setU32(c, idx, 35))), 'TL_BAD_RECORD', idx);
    const outside = new RegExp(`\\bINDEX entry 1: segment \\[${file.length + 100}, \\+${segs[2] - segs[1]}\\) is outside \\[${segs[1]}, ${at.index}\\)`);
    throwsNaming(() => open(withIndex((c) => c.set(u64le(file.length + 100), entry(1)))), 'TL_BAD_LENGTH', [outside], entry(1));
    throwsNaming(() => open(withIndex((c) => setU32(c, entry(1) + 4, 0x00200000))), 'TL_BAD_LENGTH', [/\bINDEX entry 1\.offset exceeds 2\^53/], entry(1));
    throwsTl(() => open(withIndex((c) => c.set(u64le(2 ** 40), entry(1) + 8))), 'TL_BAD_LENGTH', entry(1));
    throwsTl(() => open(withIndex((c) => c.set(u64le(at.segments[0]), entry(1)))), 'TL_BAD_LENGTH', entry(1)); // overlaps segment 0
    // The last segment may end exactly at the INDEX, not one byte later.
    throwsTl(() => open(withIndex((c) => c.set(u64le(at.index - segs[2] + 1), entry(2) + 8))), 'TL_BAD_LENGTH', entry(2));
    throwsNaming(
      () => open(withIndex((c) => c.set(u64le(5), entry(1) + 16))),
      'TL_BAD_RECORD',
      [/\bINDEX entry 1\.first_frame 5, expected 4\b/],
      entry(1) + 16,
    ); // first_frame gap
    throwsNaming(
      () => open(withIndex((c) => setU32(c, entry(2) + 24, 0))),
      'TL_BAD_RECORD',
      [/\bINDEX entry 2\.frame_count 0 not in 1\.\.65535\b/],
      entry(2) + 24,
    );
    throwsNaming(
      () => open(withIndex((c) => setU32(c, entry(2) + 24, 65536))),
      'TL_BAD_RECORD',
      [/\bINDEX entry 2\.frame_count 65536 not in 1\.\.65535\b/],
      entry(2) + 24,
    );
    throwsNaming(
      () => open(withIndex((c) => new DataView(c.buffer).setFloat64(entry(1) + 28, -1, true))),
      'TL_BAD_RECORD',
      [/\bINDEX entry 1\.start_ms -1 is not finite or below 140\b/],
      entry(1) + 28,
    );
    throwsTl(() => open(withIndex((c) => new DataView(c.buffer).setFloat64(entry(1) + 28, NaN, true))), 'TL_BAD_RECORD', entry(1) + 28);
    throwsTl(() => open(withIndex((c) => new DataView(c.buffer).setFloat64(entry(2) + 28, Infinity, true))), 'TL_BAD_RECORD', entry(2) + 28);
    // Consistent among themselves but not with the SEGMENT record: frame counts 4 + 4 + 2 → 3 + 5 + 2.
    throwsTl(
      () =>
        open(
          withIndex((c) => {
            setU32(c, entry(0) + 24, 3);
            c.set(u64le(3), entry(1) + 16);
            setU32(c, entry(1) + 24, 5);
          }),
        ),
      'TL_BAD_RECORD',
      entry(0),
    );
  });

  it('§5.9 each field of a SEGMENT record must equal its index entry: the message names the field', () => {
    const idx = recordAt(file, at.index).content;
    const entry = (i: number) => idx + 8 + i * 36;
    const seg1 = recordAt(file, at.segments[1]).content; // the SEGMENT CRC is not checked by open
    const dv = (c: Uint8Array) => new DataView(c.buffer);
    const cases: [(c: Uint8Array) => void, RegExp][] = [
      [(c) => setU32(c, seg1, 7), /\bhas index 7, the entry 1\b/],
      [(c) => c.set(u64le(5), seg1 + 4), /\bhas first_frame 5, the entry 4\b/],
      [(c) => setU32(c, seg1 + 12, 3), /\bhas frame_count 3, the entry 4\b/],
      [(c) => dv(c).setFloat64(seg1 + 16, 161, true), /\bhas start_ms 161, the entry 160\b/],
    ];
    for (const [body, name] of cases) {
      throwsNaming(
        () => open(edited(file, body)),
        'TL_BAD_RECORD',
        [new RegExp(`\\bINDEX entry 1: the SEGMENT record at ${at.segments[1]}\\b`), name],
        entry(1),
      );
    }
    const shorter = edited(file, (c) => {
      c.set(u64le(at.index - at.segments[2] - 1), entry(2) + 8);
      fixCrc(c, at.index);
    });
    throwsNaming(
      () => open(shorter),
      'TL_BAD_RECORD',
      [new RegExp(`\\bhas length ${at.index - at.segments[2]}, the entry ${at.index - at.segments[2] - 1}\\b`)],
      entry(2),
    );
  });

  it('§5.11 a segment may start exactly half a period after the last frame of the previous one', () => {
    const idx = recordAt(file, at.index).content;
    const seg1 = recordAt(file, at.segments[1]).content;
    const moved = (ms: number) =>
      edited(file, (c) => {
        new DataView(c.buffer).setFloat64(idx + 8 + 36 + 28, ms, true);
        new DataView(c.buffer).setFloat64(seg1 + 16, ms, true);
        fixCrc(c, at.index);
      });
    // Segment 0: frames at 0, 40, 80, 120; half a period (20 ms) later is 140.
    assert.equal(open(moved(140)).segmentInfo(1).startMs, 140);
    throwsNaming(() => open(moved(139.5)), 'TL_BAD_RECORD', [/\bINDEX entry 1\.start_ms 139\.5 is not finite or below 140\b/]);
  });

  it('SEGMENT records: a data_length beyond the record and a raw_length above 64 MiB are TL_BAD_LENGTH', () => {
    const seg = recordAt(file, at.segments[0]).content;
    throwsTl(
      () =>
        open(
          edited(file, (c) => {
            c.set(u64le(2 ** 30), seg + 28);
            fixCrc(c, at.segments[0]);
          }),
        ),
      'TL_BAD_LENGTH',
      seg + 28,
    );
    throwsTl(
      () =>
        open(
          edited(file, (c) => {
            setU32(c, seg + 24, 2 ** 30);
            fixCrc(c, at.segments[0]);
          }),
        ),
      'TL_BAD_LENGTH',
      seg + 24,
    );
  });

  it('a wrong first record or an invalid schema: TL_BAD_RECORD / TL_BAD_SCHEMA at the record', () => {
    throwsTl(
      () =>
        open(
          edited(file, (c) => {
            c[at.header] = 0x02;
            fixCrc(c, at.header);
          }),
        ),
      'TL_BAD_RECORD',
      at.header,
    );
    throwsTl(
      () =>
        open(
          edited(file, (c) => {
            c[at.schema] = 0x03;
            fixCrc(c, at.schema);
          }),
        ),
      'TL_BAD_RECORD',
      at.schema,
    );
    const json = recordAt(file, at.schema).content;
    const text = new TextDecoder().decode(file.subarray(json, recordAt(file, at.schema).end - 4));
    const i = text.indexOf('"rateHz":25');
    throwsTl(
      () =>
        open(
          edited(file, (c) => {
            c.set(utf8('"rateHz":-5'), json + i);
            fixCrc(c, at.schema);
          }),
        ),
      'TL_BAD_SCHEMA',
      json,
    );
    throwsTl(
      () =>
        open(
          edited(file, (c) => {
            c[json + 3] = 0xff;
            fixCrc(c, at.schema);
          }),
        ),
      'TL_BAD_SCHEMA',
      json,
    );
  });

  it('a header with a bad compression name or non-UTF-8 library: TL_BAD_RECORD', () => {
    throwsTl(
      () =>
        open(
          edited(file, (c) => {
            c[at.header + 12] = 0x47;
            fixCrc(c, at.header);
          }),
        ),
      'TL_BAD_RECORD',
      at.header + 11,
    ); // the compression field
    const libAt = at.header + 9 + 2 + 1 + 4 + 1;
    throwsTl(
      () =>
        open(
          edited(file, (c) => {
            c[libAt] = 0xff;
            fixCrc(c, at.header);
          }),
        ),
      'TL_BAD_RECORD',
      libAt - 1,
    );
  });
});

describe('§5.5 segment payloads', () => {
  const s = recordsByKind(stored);
  const seg1 = recordAt(stored, s.segments[1]);
  const payload = seg1.content + 36; // data of a stored segment = payload
  const withSeg = (body: (c: Uint8Array) => void) =>
    edited(stored, (c) => {
      body(c);
      fixCrc(c, s.segments[1]);
    });

  it('decompressing to another length than raw_length is TL_BAD_SEGMENT', async () => {
    const r = open(
      edited(file, (c) => {
        const seg = recordAt(file, at.segments[1]).content;
        setU32(c, seg + 24, new DataView(c.buffer).getUint32(seg + 24, true) + 1);
        fixCrc(c, at.segments[1]);
      }),
    );
    await rejectsTl(() => r.decodeSegment(1, gunzip), 'TL_BAD_SEGMENT');
  });

  it('a decompressor that throws is TL_BAD_SEGMENT at the data', async () => {
    const r = open(file);
    await rejectsTl(
      () =>
        r.decodeSegment(1, () => {
          throw new Error('inflate');
        }),
      'TL_BAD_SEGMENT',
      r.segmentInfo(1).dataOffset,
    );
  });

  it('a payload whose identity differs from its record is TL_BAD_SEGMENT', async () => {
    await rejectsTl(() => open(withSeg((c) => setU32(c, payload, 7))).decodeSegment(1), 'TL_BAD_SEGMENT', 0);
  });

  it('a frame count the payload cannot hold, a frame length past the end, a delta first, a keyframe later, trailing bytes: TL_BAD_SEGMENT at the payload offset', async () => {
    await rejectsTl(() => open(withSeg((c) => setU32(c, payload + 12, 1000))).decodeSegment(1), 'TL_BAD_SEGMENT', 12);
    await rejectsTl(() => open(withSeg((c) => (c[payload + 24] = 0x7f))).decodeSegment(1), 'TL_BAD_SEGMENT', 24);
    await rejectsTl(() => open(withSeg((c) => (c[payload + 25] = 0x02))).decodeSegment(1), 'TL_BAD_SEGMENT', 25);
    const first = stored[payload + 24];
    await rejectsTl(() => open(withSeg((c) => (c[payload + 24 + 1 + first + 1] = 0x01))).decodeSegment(1), 'TL_BAD_SEGMENT', 24 + 1 + first + 1);
    await rejectsTl(() => open(withSeg((c) => setU32(c, payload + 12, 3))).decodeSegment(1), 'TL_BAD_SEGMENT');
  });

  it('each frame of a payload is a view of it; a truncated payload never parses', async () => {
    const r = open(stored);
    const seg = await r.decodeSegment(1);
    assert.equal(seg.frames[0].buffer, stored.buffer);
    const whole = r.segmentBytes(1);
    for (let n = 0; n < whole.length; n++) {
      try {
        const { parseSegmentPayload } = await import('../src/index.ts');
        parseSegmentPayload(whole.subarray(0, n), 25);
        assert.fail(`payload cut at ${n} parsed`);
      } catch (e) {
        assert.ok(e instanceof TimelineError && e.code === 'TL_BAD_SEGMENT', `cut at ${n}: ${e}`);
      }
    }
  });
});

describe('§5.9 a large file still opens in one pass over its index', () => {
  it('10,000 frames, 200 segments: open validates every index entry against its record', async () => {
    const w = new TimelineWriter(smallSchema, { compress: (b) => b, compression: '', keyframeInterval: 50 });
    for (let i = 0; i < 10000; i++) w.append(i * 40, smallValues(i % 500));
    const f = await w.finish();
    const r = open(f);
    assert.equal(r.segmentCount, 200);
    r.verify();
  });
});
