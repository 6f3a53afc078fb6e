// Fixtures for player tests: a small deterministic timeline whose every frame says which frame
// it is (field `frame`), segment files built with @tidewire/timeline's writer and node:zlib,
// the truth decoded with TimelineReader, and a server serving it.
import { gzipSync, gunzipSync } from 'node:zlib';
import type { TestContext } from 'node:test';
import { FrameDecoder, TimelineReader, TimelineWriter } from '@tidewire/timeline';
import { validateSchema } from '@tidewire/timeline';
import type { TimelineSchema } from '@tidewire/timeline';
import type { SegmentEntry, TimelineMeta } from '@tidewire/client';
import { createServer } from '@tidewire/server';
import type { TidewireServer } from '@tidewire/server';

export const RATE_HZ = 25;
export const PERIOD_MS = 1000 / RATE_HZ;

export function raceSchema(entities = 4): TimelineSchema {
  return {
    name: 'race',
    rateHz: RATE_HZ,
    fields: [
      { name: 'x', type: 'f', scale: 0.01, unit: 'm' },
      { name: 'y', type: 'f', scale: 0.01, unit: 'm' },
      { name: 'speed', type: 'u16', scale: 0.1, unit: 'km/h' },
      { name: 'gear', type: 'i8' },
      { name: 'drs', type: 'bool' },
      { name: 'frame', type: 'u32' },
    ],
    entities: Array.from({ length: entities }, (_, i) => ({ id: String(i + 1), code: `C${i + 1}` })),
    static: { track: 'test loop' },
  };
}

export const F = raceSchema().fields.length;
export const FIELD = { x: 0, y: 1, speed: 2, gear: 3, drs: 4, frame: 5 } as const;

/** Frame i: entity e on a circle; gear and drs change now and then; `frame` = i. Entity 3 is absent for a while. */
export function frameValues(s: TimelineSchema, i: number): Float64Array {
  const E = s.entities.length;
  const Fn = s.fields.length;
  const v = new Float64Array(E * Fn);
  for (let e = 0; e < E; e++) {
    const a = i / 50 + e;
    const o = e * Fn;
    v[o] = Math.round(1000 * Math.cos(a) * 100) / 100;
    v[o + 1] = Math.round(700 * Math.sin(a) * 100) / 100;
    v[o + 2] = Math.round((200 + 100 * Math.sin(a * 3)) * 10) / 10;
    v[o + 3] = 1 + (Math.floor(i / 13 + e) % 8);
    v[o + 4] = Math.floor(i / 40 + e) % 2;
    v[o + 5] = i;
    if (e === 3 && i % 300 > 250) for (let f = 0; f < Fn; f++) v[o + f] = Number.NaN;
  }
  return v;
}

export async function buildTimeline(frames: number, keyframeInterval = 50, s = raceSchema()): Promise<Uint8Array> {
  const w = new TimelineWriter(s, { compress: (raw) => gzipSync(raw, { level: 6 }), keyframeInterval });
  for (let i = 0; i < frames; i++) w.append(i * PERIOD_MS, frameValues(s, i));
  return w.finish();
}

/** Every frame of the file, decoded independently of the player: the truth to compare with. */
export async function decodeTruth(file: Uint8Array): Promise<{ reader: TimelineReader; frames: Float64Array[] }> {
  const reader = TimelineReader.open(file);
  const decoder = new FrameDecoder(reader.schema);
  const frames: Float64Array[] = [];
  for (let n = 0; n < reader.segmentCount; n++) {
    const seg = await reader.decodeSegment(n, (z) => gunzipSync(z));
    decoder.reset();
    for (const f of seg.frames) frames.push(decoder.decode(f));
  }
  return { reader, frames };
}

export async function startTimelineServer(t: TestContext, file: Uint8Array, name = 'race'): Promise<{ server: TidewireServer; url: string }> {
  const server = await createServer({ port: 0, logger: false, defaultMetrics: false });
  t.after(() => server.close());
  server.timeline(name, { file });
  const url = await server.listen();
  return { server, url };
}

/**
 * What the player must show at (frame, timeMs): the file's frames around it, interpolated per
 * field where `mask` (one entry per field) says so.
 */
export function expectedAt(truth: readonly Float64Array[], mask: Uint8Array, frame: number, timeMs: number): Float64Array {
  const a = truth[frame]!;
  const b = truth[frame + 1];
  const alpha = (timeMs - frame * PERIOD_MS) / PERIOD_MS;
  if (!b || alpha <= 0) return a;
  const out = new Float64Array(a.length);
  for (let c = 0; c < a.length; c++) {
    const va = a[c]!;
    const vb = b[c]!;
    out[c] = mask[c % mask.length] === 1 && !Number.isNaN(va) && !Number.isNaN(vb) ? va + (vb - va) * alpha : va;
  }
  return out;
}

/** a === b for every cell, NaN equal to NaN; returns the first difference or null. */
export function firstDifference(a: Float64Array, b: Float64Array, tolerance = 0): string | null {
  if (a.length !== b.length) return `length ${a.length} vs ${b.length}`;
  for (let c = 0; c < a.length; c++) {
    const x = a[c]!;
    const y = b[c]!;
    if (Number.isNaN(x) && Number.isNaN(y)) continue;
    if (!(Math.abs(x - y) <= tolerance)) return `cell ${c} (entity ${Math.floor(c / F)}, field ${c % F}): ${x} vs ${y}`;
  }
  return null;
}

/** Segments of the scripted-engine unit tests: SEGMENTS segments of SEG frames of raceSchema(). */
export const SEG = 50;
export const SEGMENTS = 10;
export const unitSchema = validateSchema(raceSchema());

/** Timeline metadata for the scripted-engine tests (no server). */
export function unitMeta(live = false): TimelineMeta {
  const segments: SegmentEntry[] = Array.from({ length: SEGMENTS }, (_, i) => ({
    index: i,
    firstFrame: i * SEG,
    frameCount: SEG,
    startMs: i * SEG * PERIOD_MS,
    endMs: (i * SEG + SEG - 1) * PERIOD_MS,
  }));
  return {
    name: 'race',
    version: 'v',
    schema: unitSchema,
    rateHz: RATE_HZ,
    frameCount: SEG * SEGMENTS,
    durationMs: SEG * SEGMENTS * PERIOD_MS,
    live,
    segments,
  };
}

/** `count` decoded frames from `first`, as the engine hands them to the player. */
export function unitBlock(first: number, count: number): { firstFrame: number; count: number; times: Float64Array; values: Float64Array } {
  const c = unitSchema.entities.length * F;
  const values = new Float64Array(count * c);
  const times = new Float64Array(count);
  for (let k = 0; k < count; k++) {
    values.set(frameValues(unitSchema, first + k), k * c);
    times[k] = (first + k) * PERIOD_MS;
  }
  return { firstFrame: first, count, times, values };
}
