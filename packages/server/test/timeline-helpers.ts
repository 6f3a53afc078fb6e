// Fixtures for timeline tests: a small deterministic timeline, segment files built with
// @tidewire/timeline's writer, and a hand-driven clock for the playback scheduler.
import { gzipSync } from 'node:zlib';
import { seededRandom } from '@tidewire/random';
import { TimelineWriter } from '@tidewire/timeline';
import type { TimelineSchema } from '@tidewire/timeline';
import type { BatchClock } from '../src/batcher.ts';

export function schema(entities = 20, rateHz = 25, name = 'race'): TimelineSchema {
  return {
    name,
    rateHz,
    fields: [
      { name: 'x', type: 'f', scale: 0.01, unit: 'm' },
      { name: 'y', type: 'f', scale: 0.01, unit: 'm' },
      { name: 'lap', type: 'u16' },
    ],
    entities: Array.from({ length: entities }, (_, i) => ({ id: String(i + 1), code: `C${i + 1}` })),
    static: { track: 'test loop' },
  };
}

/** Frame `i` of the test timeline: entity e at angle i/100 + e on a circle; `lap` encodes i so
 *  a decoded frame tells which frame it is (values[2] === i % 65536). */
export function values(s: TimelineSchema, i: number): Float64Array {
  const E = s.entities.length;
  const F = s.fields.length;
  const v = new Float64Array(E * F);
  for (let e = 0; e < E; e++) {
    const a = i / 100 + e;
    v[e * F] = Math.round(1000 * Math.cos(a) * 100) / 100;
    v[e * F + 1] = Math.round(700 * Math.sin(a) * 100) / 100;
    v[e * F + 2] = (i + e) % 65536;
  }
  return v;
}

/** The frame number a decoded frame of the test timeline carries (see values()). */
export function frameOf(decoded: Float64Array): number {
  return decoded[2]!;
}

/** Like values(), but x and y are noise: deltas as large as keyframes (fills sockets fast). */
export function noisyValues(s: TimelineSchema, i: number): Float64Array {
  const v = values(s, i);
  const rand = seededRandom(i + 1);
  const F = s.fields.length;
  for (let e = 0; e < s.entities.length; e++) {
    v[e * F] = Math.round(rand() * 1e6) / 100;
    v[e * F + 1] = Math.round(rand() * 1e6) / 100;
  }
  return v;
}

export async function buildFile(s: TimelineSchema, frames: number, keyframeInterval = 50, gen = values): Promise<Uint8Array> {
  const w = new TimelineWriter(s, { compress: (raw) => gzipSync(raw, { level: 1 }), keyframeInterval });
  const period = 1000 / s.rateHz;
  for (let i = 0; i < frames; i++) w.append(i * period, gen(s, i));
  return w.finish();
}

/** A clock the test advances by hand; timers fire in due order as time passes them. */
export class ManualClock implements BatchClock {
  private t = 1000;
  private seq = 0;
  private timers: { due: number; seq: number; task: () => void }[] = [];

  now(): number {
    return this.t;
  }
  soon(task: () => void): unknown {
    return this.after(0, task);
  }
  after(ms: number, task: () => void): unknown {
    const timer = { due: this.t + ms, seq: this.seq++, task };
    this.timers.push(timer);
    return timer;
  }
  cancelSoon(handle: unknown): void {
    this.cancelAfter(handle);
  }
  cancelAfter(handle: unknown): void {
    const i = this.timers.indexOf(handle as (typeof this.timers)[number]);
    if (i >= 0) this.timers.splice(i, 1);
  }
  get pending(): number {
    return this.timers.length;
  }
  /** Moves time forward by `ms`, firing each due timer at its own time (or later: `late` ms). */
  advance(ms: number, late: () => number = () => 0): void {
    const end = this.t + ms;
    for (;;) {
      this.timers.sort((a, b) => a.due - b.due || a.seq - b.seq);
      const next = this.timers[0];
      if (next === undefined || next.due > end) break;
      this.timers.shift();
      // A timer never fires before its due time; it may fire late (event loop busy).
      this.t = Math.min(end, Math.max(this.t, next.due + late()));
      next.task();
    }
    this.t = end;
  }
}
