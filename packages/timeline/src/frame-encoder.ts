// Frame encoder (docs/timeline-format.md §4). Columnar: per field, one column of E cells; a
// keyframe stores values against an all-zero reference, a delta against the previous frame
// with a per-column predictor (order 0, 1 or 2) chosen to minimise bytes. The encoder keeps the
// exact state a decoder will have (quantised values, not the inputs), so errors never drift.

import { varuintSize, writeVaruint, zigzag } from '@tidewire/base';
import { bitmapBytes } from './bytes.ts';
import { TimelineError } from './errors.ts';
import { COL_PRESENCE, COL_SPARSE, FrameKind } from './frame-format.ts';
import { compileLayout, type Layout } from './layout.ts';
import type { TimelineSchema } from './schema.ts';

export interface FrameEncoderOptions {
  /**
   * Highest predictor order the encoder tries in deltas: 2 (default) also tries
   * second-order deltas, 1 only first-order, 0 stores every changed column absolute.
   */
  maxOrder?: 0 | 1 | 2 | undefined;
}

// Predictor orders tried for deltas, in order of preference on equal cost.
const ORDERS_2 = [1, 2, 0] as const;
const ORDERS_1 = [1, 0] as const;
const ORDERS_0 = [0] as const;
const KEY_ORDERS = [0] as const;

export class FrameEncoder {
  readonly layout: Layout;
  readonly #orders: readonly number[];
  // Cell state, column-major (cell = f × E + e), identical to a decoder's after the same frames.
  readonly #q1: Float64Array;
  readonly #q2: Float64Array;
  readonly #has1: Uint8Array;
  readonly #has2: Uint8Array;
  // Scratch: this frame's quantised values and presence.
  readonly #q: Float64Array;
  readonly #has: Uint8Array;
  readonly #out: Uint8Array;
  #ready = false;

  constructor(schema: TimelineSchema, options: FrameEncoderOptions = {}) {
    this.layout = compileLayout(schema);
    const maxOrder = options.maxOrder ?? 2;
    if (maxOrder !== 0 && maxOrder !== 1 && maxOrder !== 2) throw new TimelineError('TL_BAD_ARGUMENT', `maxOrder ${String(maxOrder)} is not 0, 1 or 2`);
    this.#orders = maxOrder === 2 ? ORDERS_2 : maxOrder === 1 ? ORDERS_1 : ORDERS_0;
    const { entities: E, fields: F } = this.layout;
    const C = E * F;
    this.#q1 = new Float64Array(C);
    this.#q2 = new Float64Array(C);
    this.#has1 = new Uint8Array(C);
    this.#has2 = new Uint8Array(C);
    this.#q = new Float64Array(C);
    this.#has = new Uint8Array(C);
    // Worst case: kind + mask + per column (header + two bitmaps + E varuints of ≤ 8 bytes).
    this.#out = new Uint8Array(1 + bitmapBytes(F) + F * (1 + 2 * bitmapBytes(E) + 8 * E));
  }

  /** Forgets the history: the next frame must be a keyframe. */
  reset(): void {
    this.#ready = false;
  }

  /** Encodes values (entity-major, v[e × F + f]; NaN = absent) as a keyframe. */
  encodeKeyframe(values: Float64Array): Uint8Array {
    this.#quantise(values);
    return this.#encode(true);
  }

  /** Encodes values as a delta against the previous frame this encoder produced. */
  encodeDelta(values: Float64Array): Uint8Array {
    if (!this.#ready) throw new TimelineError('TL_NO_KEYFRAME', 'encodeDelta before any keyframe');
    this.#quantise(values);
    return this.#encode(false);
  }

  // Validates and quantises every value before any state changes, so a TL_BAD_VALUE leaves
  // the encoder as it was.
  #quantise(values: Float64Array): void {
    const { entities: E, fields: F, qMin, qMax, div, mul, isBool, fieldDefs } = this.layout;
    if (!(values instanceof Float64Array) || values.length !== E * F) {
      const got = values instanceof Float64Array ? `${values.length}` : Object.prototype.toString.call(values).slice(8, -1);
      throw new TimelineError('TL_BAD_ARGUMENT', `values must be a Float64Array of entities × fields = ${E * F}, got ${got}`);
    }
    const q = this.#q;
    const has = this.#has;
    for (let e = 0; e < E; e++) {
      for (let f = 0; f < F; f++) {
        const v = values[e * F + f];
        const c = f * E + e;
        if (v !== v) {
          q[c] = 0;
          has[c] = 0;
          continue;
        }
        let x: number;
        if (isBool[f] === 1) {
          if (v !== 0 && v !== 1) throw badValue(fieldDefs[f].name, e, v, 'a bool must be 0 or 1');
          x = v;
        } else {
          if (v === Infinity || v === -Infinity) throw badValue(fieldDefs[f].name, e, v, 'not finite');
          x = div[f] > 0 ? Math.round(v * div[f]) : Math.round(v / mul[f]);
          if (x < qMin[f] || x > qMax[f]) throw badValue(fieldDefs[f].name, e, v, `quantised to ${x}, outside [${qMin[f]}, ${qMax[f]}]`);
        }
        q[c] = x;
        has[c] = 1;
      }
    }
  }

  #encode(key: boolean): Uint8Array {
    const { entities: E, fields: F } = this.layout;
    const q = this.#q;
    const has = this.#has;
    const q1 = this.#q1;
    const q2 = this.#q2;
    const has1 = this.#has1;
    const has2 = this.#has2;
    if (key) {
      // The keyframe reference (§4.1): every cell present with value 0, no history.
      q1.fill(0);
      has1.fill(1);
      has2.fill(0);
    }
    const out = this.#out;
    const maskBytes = bitmapBytes(F);
    const bmBytes = bitmapBytes(E);
    out[0] = key ? FrameKind.KEYFRAME : FrameKind.DELTA;
    out.fill(0, 1, 1 + maskBytes);
    let p = 1 + maskBytes;
    const orders = key ? KEY_ORDERS : this.#orders;
    for (let f = 0; f < F; f++) {
      const base = f * E;
      let presenceChanged = false;
      let valuesChanged = false;
      for (let e = 0; e < E; e++) {
        const c = base + e;
        if (has[c] !== has1[c]) presenceChanged = true;
        else if (q[c] !== q1[c]) valuesChanged = true;
      }
      if (presenceChanged || valuesChanged) {
        // Cost of each predictor order, dense and sparse; pick the cheapest.
        let bestOrder = -1;
        let bestCost = Infinity;
        let bestSparse = false;
        for (const order of orders) {
          let dense = 0;
          let nonzero = 0;
          for (let e = 0; e < E; e++) {
            const c = base + e;
            if (has[c] === 0) continue;
            const r = q[c] - predict(order, q1[c], q2[c], has1[c], has2[c]);
            const size = varuintSize(zigzag(r));
            dense += size;
            if (r !== 0) nonzero += size;
          }
          const sparse = bmBytes + nonzero;
          const cost = Math.min(dense, sparse);
          if (cost < bestCost) {
            bestCost = cost;
            bestOrder = order;
            bestSparse = sparse < dense;
          }
        }
        out[1 + (f >>> 3)] |= 1 << (f & 7);
        out[p++] = bestOrder | (presenceChanged ? COL_PRESENCE : 0) | (bestSparse ? COL_SPARSE : 0);
        if (presenceChanged) {
          out.fill(0, p, p + bmBytes);
          for (let e = 0; e < E; e++) if (has[base + e] === 1) out[p + (e >>> 3)] |= 1 << (e & 7);
          p += bmBytes;
        }
        const flags = p;
        if (bestSparse) {
          out.fill(0, p, p + bmBytes);
          p += bmBytes;
        }
        for (let e = 0; e < E; e++) {
          const c = base + e;
          if (has[c] === 0) continue;
          const r = q[c] - predict(bestOrder, q1[c], q2[c], has1[c], has2[c]);
          if (bestSparse) {
            if (r === 0) continue;
            out[flags + (e >>> 3)] |= 1 << (e & 7);
          }
          p = writeVaruint(out, p, zigzag(r));
        }
      }
      for (let e = 0; e < E; e++) {
        const c = base + e;
        q2[c] = q1[c];
        has2[c] = key ? 0 : has1[c];
        q1[c] = q[c];
        has1[c] = has[c];
      }
    }
    this.#ready = true;
    return out.slice(0, p);
  }
}

/** The prediction of §4.1 for one cell; absent cells hold 0. */
export function predict(order: number, q1: number, q2: number, has1: number, has2: number): number {
  if (order === 0) return 0;
  if (order === 1 || has1 === 0 || has2 === 0) return q1;
  return 2 * q1 - q2;
}

function badValue(field: string, entity: number, v: number, why: string): TimelineError {
  return new TimelineError('TL_BAD_VALUE', `field "${field}", entity ${entity}: value ${v}: ${why}`);
}
