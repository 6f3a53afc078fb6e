// Random schemas and value streams for round-trip tests (seeded).

import { FIELD_TYPES, type FieldDef, type FieldType, type TimelineSchema } from '../src/index.ts';
import type { Prng } from './helpers.ts';

const TYPES = Object.keys(FIELD_TYPES) as FieldType[];
// Decimal scales (decoded by division), binary ones, and ones with no exact inverse.
const SCALES = [0.01, 0.1, 0.001, 0.5, 0.25, 1, 2, 10, 0.3, 1 / 3, 0.07];

export function randomSchema(rng: Prng): TimelineSchema {
  const F = 1 + rng.int(12);
  const E = 1 + rng.int(rng.bool(0.2) ? 70 : 24);
  const fields: FieldDef[] = [];
  for (let f = 0; f < F; f++) {
    const type = rng.pick(TYPES);
    const def: FieldDef = { name: `f${f}`, type };
    if (type === 'f' || (type !== 'bool' && type !== 'flags' && rng.bool(0.3))) def.scale = rng.pick(SCALES);
    if (type === 'flags') def.bits = 1 + rng.int(32);
    fields.push(def);
  }
  return { name: 'random', rateHz: rng.pick([10, 25, 30, 60]), fields, entities: Array.from({ length: E }, (_, e) => ({ id: `e${e}` })) };
}

export function qRange(def: FieldDef): [number, number] {
  if (def.type === 'flags') return [0, 2 ** def.bits! - 1];
  const r = FIELD_TYPES[def.type];
  return [r.min, r.max];
}

/**
 * A stream of frames: cells random-walk (smoothly for some fields, in jumps for others), go
 * absent and come back, and sometimes sit at their range's ends. Values are q × scale plus
 * jitter of up to ±0.45 scale, so the expected q is unambiguous.
 */
export function randomStream(rng: Prng, schema: TimelineSchema, frames: number): Float64Array[] {
  const F = schema.fields.length;
  const E = schema.entities.length;
  const q = new Float64Array(E * F);
  const vel = new Float64Array(E * F);
  const absent = new Uint8Array(E * F);
  const out: Float64Array[] = [];
  for (let i = 0; i < frames; i++) {
    const v = new Float64Array(E * F);
    for (let e = 0; e < E; e++) {
      for (let f = 0; f < F; f++) {
        const c = e * F + f;
        const def = schema.fields[f];
        const [lo, hi] = qRange(def);
        if (rng.bool(0.03)) absent[c] ^= 1;
        const roll = rng.next();
        if (i === 0 || roll < 0.02) q[c] = rng.bool(0.5) ? (rng.bool() ? lo : hi) : lo + Math.floor(rng.next() * (hi - lo + 1));
        else if (roll < 0.5 && f % 2 === 0) {
          vel[c] += rng.int(5) - 2;
          q[c] += vel[c];
        } else if (roll < 0.6) q[c] += rng.int(2001) - 1000;
        q[c] = Math.min(hi, Math.max(lo, q[c]));
        if (q[c] === lo || q[c] === hi) vel[c] = 0;
        if (absent[c]) {
          v[c] = NaN;
          continue;
        }
        if (def.type === 'bool' || def.type === 'flags') v[c] = q[c];
        else {
          const scale = def.scale ?? 1;
          v[c] = q[c] * scale + (rng.next() - 0.5) * 0.9 * scale;
        }
      }
    }
    out.push(v);
  }
  return out;
}
