// TimelineWriter (docs/timeline-format.md §5.11): options at their bounds, the time grid at the
// half-period, compression and callback failures, and the messages of its checks.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TimelineReader, TimelineWriter, type TimelineSchema } from '../src/index.ts';
import { gzip, hex, rejectsNaming, rejectsTl, smallSchema, smallValues, throwsNaming, throwsTl, toHex } from './helpers.ts';

const kat: TimelineSchema = { name: 't', rateHz: 25, fields: [{ name: 'v', type: 'u8' }], entities: [{ id: 'a' }] };

describe('§5.11 writer options', () => {
  it('§5.11 keyframeInterval defaults to round(2 s × rateHz), at least 1', () => {
    assert.equal(new TimelineWriter(smallSchema, { compress: gzip }).keyframeInterval, 50);
    assert.equal(new TimelineWriter({ ...smallSchema, rateHz: 0.75 }, { compress: gzip }).keyframeInterval, 2);
    assert.equal(new TimelineWriter({ ...smallSchema, rateHz: 0.2 }, { compress: gzip }).keyframeInterval, 1);
  });

  it('§5.11 keyframeInterval is an integer in 1..65535', () => {
    assert.equal(new TimelineWriter(smallSchema, { compress: gzip, keyframeInterval: 65535 }).keyframeInterval, 65535);
    assert.equal(new TimelineWriter(smallSchema, { compress: gzip, keyframeInterval: 1 }).keyframeInterval, 1);
    for (const k of [0, 65536, 1.5]) {
      throwsNaming(() => new TimelineWriter(smallSchema, { compress: gzip, keyframeInterval: k }), 'TL_BAD_ARGUMENT', [
        new RegExp(`\\bkeyframeInterval ${k} is not an integer in 1\\.\\.65535\\b`),
      ]);
    }
  });

  it('§5.11 compress must be a function; compression must be a [a-z0-9-]{0,32} string; defaults gzip and tidewire-timeline', async () => {
    throwsNaming(() => new TimelineWriter(smallSchema, undefined as never), 'TL_BAD_ARGUMENT', [/\boptions\.compress must be a function\b/]);
    throwsNaming(() => new TimelineWriter(smallSchema, {} as never), 'TL_BAD_ARGUMENT', [/\boptions\.compress must be a function\b/]);
    throwsNaming(() => new TimelineWriter(smallSchema, { compress: gzip, compression: 'GZ IP' }), 'TL_BAD_ARGUMENT', [
      /\bcompression "GZ IP" does not match\b/,
    ]);
    throwsNaming(() => new TimelineWriter(smallSchema, { compress: gzip, compression: 7 as never }), 'TL_BAD_ARGUMENT', [/\bcompression 7 does not match\b/]);
    const w = new TimelineWriter(smallSchema, { compress: gzip });
    w.append(0, smallValues(0));
    const r = TimelineReader.open(await w.finish());
    assert.deepEqual([w.compression, r.compression, r.library], ['gzip', 'gzip', 'tidewire-timeline']);
  });

  it('§4.5 maxOrder reaches the encoder: 0 writes deltas as absolute values', () => {
    const frames = (maxOrder?: 0 | 1 | 2) => {
      const w = new TimelineWriter(kat, { compress: (b) => b, compression: '', ...(maxOrder === undefined ? {} : { maxOrder }) });
      return [w.append(0, Float64Array.of(5)), w.append(40, Float64Array.of(7))].map((a) => toHex(a.bytes));
    };
    assert.deepEqual(frames(), ['0101000a', '02010104']); // order 1: zigzag(7 − 5)
    assert.deepEqual(frames(0), ['0101000a', '0201000e']); // order 0: zigzag(7)
  });
});

describe('§5.11 the time grid', () => {
  it('§5.11 exactly half a period late is still on the grid; later is a gap', () => {
    const at = (times: number[]) => {
      const w = new TimelineWriter(smallSchema, { compress: gzip });
      return times.map((t, i) => w.append(t, smallValues(i))).map((a) => [a.timeMs, a.segment]);
    };
    assert.deepEqual(at([0, 40, 100]), [
      [0, 0],
      [40, 0],
      [80, 0],
    ]);
    assert.deepEqual(at([0, 40, 100.5]), [
      [0, 0],
      [40, 0],
      [100.5, 1],
    ]);
  });

  it('§5.11 frame k of a segment is stored at startMs + k × 1000 / rateHz, also at 30 Hz', async () => {
    const s = { ...smallSchema, rateHz: 30 };
    const w = new TimelineWriter(s, { compress: gzip, keyframeInterval: 9 });
    const period = 1000 / 30;
    const got = Array.from({ length: 27 }, (_, i) => w.append(i * period, smallValues(i)).timeMs);
    const want: number[] = [];
    let start = 0;
    for (let i = 0; i < 27; i++) {
      if (i > 0 && i % 9 === 0) start += 9 * period; // a full segment: the next one continues its grid
      want.push(start + (i % 9) * period);
    }
    assert.deepEqual(got, want);
    const r = TimelineReader.open(await w.finish());
    assert.deepEqual(
      Array.from({ length: 27 }, (_, i) => r.timeOfFrame(i)),
      want,
    );
  });

  it('§5.11 times must increase and be finite: the message names the time and the previous one', () => {
    const w = new TimelineWriter(smallSchema, { compress: gzip });
    w.append(100, smallValues(0));
    throwsNaming(() => w.append(99, smallValues(1)), 'TL_BAD_VALUE', [/\btimeMs 99 does not come after the previous frame's 100\b/]);
    throwsNaming(() => w.append(100, smallValues(1)), 'TL_BAD_VALUE', [/\btimeMs 100 does not come after\b/]);
    throwsNaming(() => w.append(NaN, smallValues(1)), 'TL_BAD_VALUE', [/\btimeMs must be a finite number, got NaN\b/]);
    throwsNaming(() => w.append('140' as never, smallValues(1)), 'TL_BAD_VALUE', [/\bgot 140\b/]);
    assert.equal(w.append(100.001, smallValues(1)).frame, 1);
  });
});

describe('§5.11 closing segments and failures', () => {
  it('§5.11 flush() with no open segment does nothing', async () => {
    const w = new TimelineWriter(smallSchema, { compress: gzip });
    w.flush();
    w.append(0, smallValues(0));
    w.flush();
    w.flush();
    assert.equal(w.segments.length, 1);
    assert.equal(TimelineReader.open(await w.finish()).segmentCount, 1);
  });

  it("§5.11 compression 'gzip' needs a gzip member: 1f 8b 08 and at least 18 bytes", () => {
    const member = (head: string, n: number) => {
      const b = new Uint8Array(n);
      b.set(hex(head));
      return b;
    };
    const closeWith = (data: Uint8Array) => {
      const w = new TimelineWriter(smallSchema, { compress: () => data, keyframeInterval: 1 });
      w.append(0, smallValues(0));
      w.append(40, smallValues(1)); // closes segment 0
      return w.segments.length;
    };
    assert.equal(closeWith(member('1f 8b 08', 18)), 1);
    for (const [head, n] of [
      ['1f 8b 08', 17],
      ['1e 8b 08', 18],
      ['1f 8c 08', 18],
      ['1f 8b 09', 18],
    ] as const) {
      throwsNaming(() => closeWith(member(head, n)), 'TL_BAD_ARGUMENT', [/\bcompression is 'gzip' but compress did not return a gzip member\b/]);
    }
    throwsNaming(() => closeWith(null as never), 'TL_BAD_ARGUMENT', [/\bcompress must return a Uint8Array, got Null\b/]);
  });

  it('§5.11 a failing onSegment fails the writer: append throws its error, later calls are TL_CLOSED with it as cause', async () => {
    const boom = new Error('boom');
    const w = new TimelineWriter(smallSchema, {
      compress: gzip,
      keyframeInterval: 1,
      onSegment: () => {
        throw boom;
      },
    });
    w.append(0, smallValues(0));
    assert.throws(
      () => w.append(40, smallValues(1)),
      (e) => e === boom,
    );
    const closed = throwsNaming(() => w.append(80, smallValues(2)), 'TL_CLOSED', [/\bthe writer failed earlier\b/]);
    assert.equal(closed.cause, boom);
    await rejectsTl(() => w.finish(), 'TL_CLOSED');
  });

  it('§5.11 after finish() calls are TL_CLOSED naming it', async () => {
    const w = new TimelineWriter(smallSchema, { compress: gzip });
    await w.finish();
    throwsNaming(() => w.append(0, smallValues(0)), 'TL_CLOSED', [/\bthe writer has finished\b/]);
    throwsNaming(() => w.flush(), 'TL_CLOSED', [/\bhas finished\b/]);
  });

  it('§5.11 after an asynchronous compressor fails, segments queued behind it are not compressed', async () => {
    let calls = 0;
    const boom = new Error('boom');
    const w = new TimelineWriter(smallSchema, {
      compress: () => {
        calls++;
        return Promise.reject(boom);
      },
      keyframeInterval: 1,
    });
    for (let i = 0; i < 3; i++) w.append(i * 40, smallValues(i)); // closes segments 0 and 1
    await assert.rejects(w.whenWritten(), (e) => e === boom);
    assert.equal(calls, 1);
    assert.equal(w.segments.length, 0);
    await rejectsNaming(() => w.finish(), 'TL_CLOSED', [/\bfailed earlier\b/]);
  });

  it('§5.11 once asynchronous compression is done, a synchronous compressor writes the next record inside append', async () => {
    let calls = 0;
    const w = new TimelineWriter(smallSchema, { compress: (b) => (calls++ === 0 ? Promise.resolve(gzip(b)) : gzip(b)), keyframeInterval: 1 });
    w.append(0, smallValues(0));
    w.append(40, smallValues(1)); // segment 0: compressed asynchronously
    assert.equal(w.segments.length, 0);
    await w.whenWritten();
    assert.equal(w.segments.length, 1);
    w.append(80, smallValues(2)); // segment 1: synchronously
    assert.equal(w.segments.length, 2);
    throwsTl(() => w.append(80, smallValues(3)), 'TL_BAD_VALUE');
  });
});
