// docs/client.md §5.1–§5.4: the player's pure parts: interpolation, the timebase, the prefetch window and the metadata
// trust boundary.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { interpolateInto, interpolationMask, planPrefetch, Timebase } from '@tidewire/client';
import type { PrefetchInput, SegmentEntry } from '@tidewire/client';
import { parseTimelineMeta } from '../src/player/meta.ts';
import { FIELD, PERIOD_MS, RATE_HZ, raceSchema } from './player-fixtures.ts';

function segments(n: number, frames = 50, gapAfter?: number, gapMs = 0): SegmentEntry[] {
  const out: SegmentEntry[] = [];
  let start = 0;
  for (let i = 0; i < n; i++) {
    out.push({ index: i, firstFrame: i * frames, frameCount: frames, startMs: start, endMs: start + (frames - 1) * PERIOD_MS });
    start += frames * PERIOD_MS + (i === gapAfter ? gapMs : 0);
  }
  return out;
}

test('§5.1 interpolation mask: floats and fractional-scale integers move, gear / bool / unit-scale integers step; overrides win', () => {
  const s = raceSchema();
  assert.deepEqual([...interpolationMask(s.fields)], [1, 1, 1, 0, 0, 0]);
  assert.deepEqual([...interpolationMask(s.fields, { gear: true, x: false })], [0, 1, 1, 1, 0, 0]);
  assert.deepEqual(
    [
      ...interpolationMask([
        { name: 'f', type: 'flags', bits: 3 },
        { name: 'b', type: 'bool' },
        { name: 'u', type: 'u8', scale: 2 },
      ]),
    ],
    [0, 0, 0],
  );
});

test('§5.1 interpolateInto: linear for masked fields, the earlier value for stepped ones and next to an absent value', () => {
  const mask = new Uint8Array([1, 0]);
  const a = new Float64Array([10, 3, Number.NaN, 4, 5, 1]);
  const b = new Float64Array([20, 4, 7, 5, Number.NaN, 1]);
  const out = new Float64Array(6);
  interpolateInto(out, a, b, 0.25, mask);
  assert.deepEqual([...out], [12.5, 3, Number.NaN, 4, 5, 1]);
  interpolateInto(out, a, b, 0, mask);
  assert.deepEqual([...out], [...a]);
  interpolateInto(out, a, b, 1, mask);
  assert.deepEqual([...out], [20, 3, Number.NaN, 4, 5, 1]);
});

test('§5.2 timebase: frame ↔ time over segments with a gap, frames past the listed segments continue the grid', () => {
  const tb = new Timebase(RATE_HZ, segments(3, 50, 0, 1000), 170);
  assert.equal(tb.frameCount, 170);
  assert.equal(tb.coveredFrames, 150);
  assert.equal(tb.timeOf(0), 0);
  assert.equal(tb.timeOf(49), 49 * PERIOD_MS);
  assert.equal(tb.timeOf(50), 3000); // after a 1 s gap
  assert.equal(tb.frameForTime(2500), 49, 'during the gap: the last frame before it');
  assert.equal(tb.frameForTime(3000), 50);
  assert.equal(tb.frameForTime(3000 + 7 * PERIOD_MS), 57);
  assert.equal(tb.frameForTime(3000 + 7 * PERIOD_MS - 1), 56);
  assert.equal(tb.frameForTime(-5), 0);
  assert.equal(tb.timeOf(160), tb.timeOf(149) + 11 * PERIOD_MS, 'the open segment continues the last grid');
  assert.equal(tb.frameForTime(1e9), 169);
  assert.equal(tb.segmentForFrame(149), 2);
  assert.equal(tb.segmentForFrame(150), -1);
  assert.equal(tb.segmentForTime(2500), 0);
  assert.equal(tb.endMs, tb.timeOf(169));
  // Every frame's own time maps back to it.
  for (let i = 0; i < 170; i++) assert.equal(tb.frameForTime(tb.timeOf(i)), i, `frame ${i}`);
});

function input(over: Partial<Omit<PrefetchInput, 'loaded' | 'inflight'>> & { loaded?: number[]; inflight?: number[] }): PrefetchInput {
  const loaded = new Set(over.loaded ?? []);
  const inflight = new Set(over.inflight ?? []);
  const { loaded: _l, inflight: _i, ...rest } = over;
  return {
    timebase: new Timebase(RATE_HZ, segments(20), 1000),
    posMs: 0,
    speed: 1,
    prefetchSeconds: 5,
    keepBehindMs: 4000,
    maxInflight: 3,
    ...rest,
    loaded: (n) => loaded.has(n),
    inflight: (n) => inflight.has(n),
    inflightCount: inflight.size,
  };
}

test('§5.3 prefetch: the segment under the playhead alone while it is missing', () => {
  assert.deepEqual(planPrefetch(input({ posMs: 21_000 })).load, [10]);
  assert.deepEqual(planPrefetch(input({ posMs: 21_000, inflight: [10] })).load, [], 'already asked for: wait for it');
  assert.deepEqual(planPrefetch(input({ posMs: 21_000, loaded: [11, 12] })).load, [10], 'the window does not jump the queue');
});

test('§5.3 prefetch: then the window ahead in order, within the in-flight cap, scaled by speed', () => {
  // 5 s ahead of 21 s: segments starting by 26 s are 11, 12, 13.
  assert.deepEqual(planPrefetch(input({ posMs: 21_000, loaded: [10] })).load, [11, 12, 13]);
  assert.deepEqual(planPrefetch(input({ posMs: 21_000, loaded: [10, 12], inflight: [11] })).load, [13]);
  assert.deepEqual(planPrefetch(input({ posMs: 21_000, loaded: [10], maxInflight: 2 })).load, [11, 12]);
  const fast = planPrefetch(input({ posMs: 0, loaded: [0], speed: 4, maxInflight: 100 }));
  assert.deepEqual(
    fast.load,
    Array.from({ length: 10 }, (_, i) => i + 1),
    '5 s at 4× is 20 s of timeline',
  );
  assert.equal(fast.keepLast, 10);
  const slow = planPrefetch(input({ posMs: 0, loaded: [0], speed: 0.25, maxInflight: 100 }));
  assert.deepEqual(slow.load, [1, 2], 'below 1× the window stays 5 s of timeline');
  const end = planPrefetch(input({ posMs: 39_000, loaded: [19] }));
  assert.deepEqual(end.load, []);
});

test('§5.3 prefetch: the keep window spans keepBehind before the playhead to the end of the window', () => {
  const p = planPrefetch(input({ posMs: 21_000, loaded: [10] }));
  assert.equal(p.current, 10);
  assert.equal(p.keepFirst, 8, '4 s behind 21 s is 17 s: segment 8');
  assert.equal(p.keepLast, 13);
  const empty = planPrefetch(input({ timebase: new Timebase(RATE_HZ, [], 0) }));
  assert.deepEqual(empty, { load: [], keepFirst: 0, keepLast: -1, current: -1 });
});

function metaJson(): Record<string, unknown> {
  const s = raceSchema();
  return {
    name: 'race',
    version: 'v1',
    schema: { name: s.name, rateHz: s.rateHz, fields: s.fields },
    entities: s.entities,
    static: s.static,
    rateHz: RATE_HZ,
    frameCount: 100,
    durationMs: 4000,
    live: false,
    segments: segments(2).map(({ index, firstFrame, frameCount, startMs, endMs }) => ({ index, firstFrame, frameCount, startMs, endMs })),
  };
}

test('§5.4 metadata: the server answer validates into schema, segments and counts', () => {
  const m = parseTimelineMeta(metaJson(), 'race');
  assert.equal(m.schema.entities.length, 4);
  assert.equal(m.schema.fields[FIELD.gear]!.name, 'gear');
  assert.deepEqual(m.schema.static, { track: 'test loop' });
  assert.equal(m.segments[1]!.firstFrame, 50);
  assert.equal(m.frameCount, 100);
});

test('§5.4 metadata: refuses what it cannot trust (TW_BAD_TIMELINE)', () => {
  const cases: [string, (j: Record<string, unknown>) => void][] = [
    ['other name', (j) => (j.name = 'other')],
    ['bad schema', (j) => ((j.schema as { fields: unknown[] }).fields = [])],
    ['rate mismatch', (j) => (j.rateHz = 50)],
    ['segment gap in frames', (j) => ((j.segments as { firstFrame: number }[])[1]!.firstFrame = 51)],
    ['segment index', (j) => ((j.segments as { index: number }[])[1]!.index = 7)],
    ['overlapping times', (j) => ((j.segments as { startMs: number }[])[1]!.startMs = 100)],
    ['frameCount below the segments', (j) => (j.frameCount = 99)],
    ['frameCount not an integer', (j) => (j.frameCount = 1.5)],
    ['segments not an array', (j) => (j.segments = {})],
    ['a segment too long', (j) => ((j.segments as { frameCount: number }[])[0]!.frameCount = 70_000)],
  ];
  for (const [what, mutate] of cases) {
    const j = metaJson();
    mutate(j);
    assert.throws(() => parseTimelineMeta(j, 'race'), { code: 'TW_BAD_TIMELINE' }, what);
  }
  assert.throws(() => parseTimelineMeta([], 'race'), { code: 'TW_BAD_TIMELINE' });
});
