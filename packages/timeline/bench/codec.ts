// Micro-benchmark of the frame codec and segment file (not a test):
//   node --expose-gc --import tsx packages/timeline/bench/codec.ts [--frames=15000] [--noise=0.01]
// A 20-car race at 25 Hz (src/testing.ts). Reports bytes per keyframe and per steady-state
// delta (per predictor setting and per column), gzip bytes per frame, encode and decode µs per
// frame, and heap growth while decoding. Asserts that everything it times round-trips.

import assert from 'node:assert/strict';
import { gunzipSync, gzipSync } from 'node:zlib';
import { Session } from 'node:inspector/promises';
import { FrameDecoder, FrameEncoder, parseSegmentPayload, TimelineReader, TimelineWriter } from '../src/index.ts';
import { RACE_FIELDS, raceFrames, raceSchema, trackStats } from '../src/testing.ts';

interface ProfileNode {
  callFrame: { functionName: string; url: string };
  selfSize: number;
  children: ProfileNode[];
}

const arg = (name: string, dflt: number) => {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`));
  return a === undefined ? dflt : Number(a.slice(name.length + 3));
};
const FRAMES = arg('frames', 15000); // 10 minutes
const NOISE = arg('noise', 0);
const CARS = 20;
const INTERVAL = 50; // 2 s segments
const schema = raceSchema(CARS);
const F = RACE_FIELDS.length;

const inputs: Float64Array[] = [];
for (const v of raceFrames(FRAMES, CARS, 25, NOISE)) inputs.push(v.slice());

const stat = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  return `mean ${mean.toFixed(1).padStart(6)}  p50 ${String(s[Math.floor(s.length / 2)]).padStart(4)}  p95 ${String(s[Math.floor(s.length * 0.95)]).padStart(4)}  max ${String(s[s.length - 1]).padStart(4)}`;
};

function encodeAll(maxOrder: 0 | 1 | 2): Uint8Array[] {
  const enc = new FrameEncoder(schema, { maxOrder });
  return inputs.map((v, i) => (i % INTERVAL === 0 ? enc.encodeKeyframe(v) : enc.encodeDelta(v)));
}

const track = trackStats();
console.log(
  `${CARS} cars × ${F} fields, ${FRAMES} frames at 25 Hz (${(FRAMES / 25 / track.lapS).toFixed(1)} laps of ${(track.lengthM / 1000).toFixed(2)} km, ${track.minKmh.toFixed(0)}–${track.maxKmh.toFixed(0)} km/h), keyframe every ${INTERVAL}${NOISE ? `, position noise ±${NOISE} m` : ''}`,
);
let frames: Uint8Array[] = [];
for (const order of [2, 1, 0] as const) {
  const fr = encodeAll(order);
  if (order === 2) frames = fr;
  const keys = fr.filter((_, i) => i % INTERVAL === 0).map((f) => f.length);
  const deltas = fr.filter((_, i) => i % INTERVAL !== 0).map((f) => f.length);
  console.log(`maxOrder ${order}: keyframe bytes ${stat(keys)}`);
  console.log(`            delta bytes    ${stat(deltas)}`);
}

// Per-column cost of a delta (maxOrder 2): encode each field alone with the same history.
{
  const perField: string[] = [];
  for (let f = 0; f < F; f++) {
    const one = { ...schema, fields: [schema.fields[f]] };
    const enc = new FrameEncoder(one);
    const col = new Float64Array(CARS);
    let bytes = 0;
    let n = 0;
    inputs.forEach((v, i) => {
      for (let e = 0; e < CARS; e++) col[e] = v[e * F + f];
      const b = i % INTERVAL === 0 ? enc.encodeKeyframe(col) : enc.encodeDelta(col);
      if (i % INTERVAL !== 0) {
        bytes += b.length - 2; // minus kind and mask
        n++;
      }
    });
    perField.push(`${RACE_FIELDS[f]} ${(bytes / n).toFixed(1)}`);
  }
  console.log(`delta bytes per column (maxOrder 2): ${perField.join(', ')}`);
}

// Round trip at the schema's precision, then timing.
const dec = new FrameDecoder(schema);
const out = new Float64Array(CARS * F);
frames.forEach((fr, i) => {
  dec.decode(fr, out);
  for (let c = 0; c < out.length; c++) {
    const scale = schema.fields[c % F].scale ?? 1;
    assert.ok(Math.abs(out[c] - inputs[i][c]) <= scale / 2 + 1e-9, `frame ${i} cell ${c}: ${out[c]} vs ${inputs[i][c]}`);
  }
});

function timeIt(label: string, reps: number, body: () => void): number {
  body(); // warm up
  const t0 = performance.now();
  for (let r = 0; r < reps; r++) body();
  const us = ((performance.now() - t0) * 1000) / (reps * FRAMES);
  console.log(`${label.padEnd(34)} ${us.toFixed(2)} µs/frame`);
  return us;
}

timeIt('encode (maxOrder 2)', 3, () => void encodeAll(2));
timeIt('encode (maxOrder 1)', 3, () => void encodeAll(1));
timeIt('decode into a reused array', 10, () => {
  for (const fr of frames) dec.decode(fr, out);
});
{
  // Allocation inside decode(), attributed by V8's sampling heap profiler (heapUsed deltas
  // are dominated by unrelated noise at this scale).
  const session = new Session();
  session.connect();
  await session.post('HeapProfiler.startSampling', { samplingInterval: 32 });
  for (let r = 0; r < 10; r++) for (let k = 0; k < frames.length; k++) dec.decode(frames[k], out);
  const { profile } = (await session.post('HeapProfiler.stopSampling')) as { profile: { head: ProfileNode } };
  session.disconnect();
  let bytes = 0;
  const walk = (n: ProfileNode): void => {
    if (n.callFrame.functionName === 'decode' && n.callFrame.url.includes('frame-decoder')) bytes += n.selfSize;
    n.children.forEach(walk);
  };
  walk(profile.head);
  console.log(`bytes allocated in decode() over ${10 * FRAMES} frames (sampled): ${bytes}`);
  assert.ok(bytes < 1024, 'decode allocates per frame'); // a one-off (feedback, OSR) is not per-frame
}

// The file: gzip once per segment at write time.
const writer = new TimelineWriter(schema, { compress: (b) => gzipSync(b), keyframeInterval: INTERVAL });
inputs.forEach((v, i) => writer.append(i * 40, v));
const file = await writer.finish();
const raw = writer.segments.reduce((n, s) => n + s.rawLength, 0);
const data = writer.segments.reduce((n, s) => n + s.dataLength, 0);
console.log(
  `file: ${(file.length / 1024).toFixed(1)} KiB, ${writer.segments.length} segments; payload ${(raw / FRAMES).toFixed(1)} B/frame raw, ${(data / FRAMES).toFixed(1)} B/frame gzip (${((data / raw) * 100).toFixed(0)}%)`,
);
const reader = TimelineReader.open(file);
const t0 = performance.now();
reader.verify();
console.log(`open + verify all CRCs: ${(performance.now() - t0).toFixed(2)} ms`);
const mid = reader.segmentForTime(FRAMES * 20);
const seg = await reader.decodeSegment(mid, (z) => gunzipSync(z, { maxOutputLength: reader.segmentInfo(mid).rawLength }));
assert.equal(seg.frames.length, INTERVAL);
timeIt('gunzip + split + decode (segments)', 3, () => {
  for (let n = 0; n < reader.segmentCount; n++) {
    const sg = parseSegmentPayload(gunzipSync(reader.segmentBytes(n)), schema.rateHz);
    for (const fr of sg.frames) dec.decode(fr, out);
  }
});
