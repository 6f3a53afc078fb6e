// Frame decoder (docs/timeline-format.md §4.4). Runs in browser workers and on the server per
// frame, so decode() allocates nothing: state lives in typed arrays made once, and the caller
// passes the output array to reuse. Every read is bounds-checked against the frame's own view.

import { MAX_VARUINT_BYTES } from '@tidewire/base';
import { bitmapBytes } from './bytes.ts';
import { TimelineError } from './errors.ts';
import { COL_PRESENCE, COL_RESERVED, COL_SPARSE, FrameKind, ORDER_MASK } from './frame-format.ts';
import { compileLayout, type Layout } from './layout.ts';
import type { TimelineSchema } from './schema.ts';

function badFrame(message: string, offset: number): TimelineError {
  return new TimelineError('TL_BAD_FRAME', message, { offset });
}

/** How messages name column f: its number and its field's name. Built only when an error is thrown. */
function column(layout: Layout, f: number): string {
  return `column ${f} "${layout.fieldDefs[f].name}"`;
}

/** A column's entity bitmap ending at `end` must lie inside the frame and set no bit past the last entity. */
function checkBitmap(frame: Uint8Array, end: number, layout: Layout, f: number, name: 'presence' | 'residual'): void {
  const entities = layout.entities;
  if (end > frame.length) throw badFrame(`${column(layout, f)}: frame ends inside the ${name} bitmap`, frame.length);
  if ((entities & 7) !== 0 && frame[end - 1] >>> (entities & 7) !== 0)
    throw badFrame(`${column(layout, f)}: ${name} bitmap has bits past entity ${entities - 1}, the last`, end - 1);
}

export class FrameDecoder {
  readonly layout: Layout;
  // Cell state, column-major (cell = f × E + e); see §4.1.
  readonly #q1: Float64Array;
  readonly #q2: Float64Array;
  readonly #has1: Uint8Array;
  readonly #has2: Uint8Array;
  #ready = false;

  constructor(schema: TimelineSchema) {
    this.layout = compileLayout(schema);
    const C = this.layout.entities * this.layout.fields;
    this.#q1 = new Float64Array(C);
    this.#q2 = new Float64Array(C);
    this.#has1 = new Uint8Array(C);
    this.#has2 = new Uint8Array(C);
  }

  /** True once a keyframe has been decoded (and no error since): deltas can follow. */
  get ready(): boolean {
    return this.#ready;
  }

  /** Forgets the history: the next frame must be a keyframe. */
  reset(): void {
    this.#ready = false;
  }

  /**
   * Decodes one frame into `out` (entity-major, v[e × F + f]; NaN = absent) and returns it.
   * Without `out` a new array is allocated; hot paths pass their own. After a throw the
   * decoder needs a keyframe (TL_NO_KEYFRAME for a delta) and `out` holds partial values.
   */
  decode(frame: Uint8Array, out?: Float64Array): Float64Array {
    const layout = this.layout;
    const { entities: E, fields: F, qMin, qMax, div, mul } = layout;
    if (out === undefined) out = new Float64Array(E * F);
    else if (out.length !== E * F) throw new TimelineError('TL_BAD_ARGUMENT', `out has ${out.length} elements, not entities × fields = ${E * F}`);
    const n = frame.length;
    if (n === 0) throw badFrame('empty frame', 0);
    const kind = frame[0];
    const key = kind === FrameKind.KEYFRAME;
    if (!key && kind !== FrameKind.DELTA) throw badFrame(`unknown frame kind 0x${kind.toString(16).padStart(2, '0')}`, 0);
    if (!key && !this.#ready) throw new TimelineError('TL_NO_KEYFRAME', 'a delta frame without a keyframe before it');
    const q1 = this.#q1;
    const q2 = this.#q2;
    const has1 = this.#has1;
    const has2 = this.#has2;
    this.#ready = false; // set again only when the whole frame decoded
    if (key) {
      q1.fill(0);
      has1.fill(1);
      has2.fill(0);
    }
    const maskBytes = bitmapBytes(F);
    const bmBytes = bitmapBytes(E);
    if (n < 1 + maskBytes) throw badFrame(`frame ends inside the column mask of ${maskBytes} bytes`, n);
    if ((F & 7) !== 0 && frame[maskBytes] >>> (F & 7) !== 0) throw badFrame(`column mask has bits past column ${F - 1}, the last`, maskBytes);
    let p = 1 + maskBytes;
    for (let f = 0; f < F; f++) {
      const base = f * E;
      if ((frame[1 + (f >>> 3)] & (1 << (f & 7))) === 0) {
        for (let e = 0; e < E; e++) {
          const c = base + e;
          q2[c] = q1[c];
          // Stryker disable next-line ConditionalExpression: q₁ is unchanged, so q₂ = q₁ and 2·q₁ − q₂ = q₁: the next prediction is the same whatever p₂ is, and the next frame overwrites p₂
          has2[c] = key ? 0 : has1[c];
        }
        continue;
      }
      const colStart = p;
      if (p >= n) throw badFrame(`frame ends before ${column(layout, f)}`, p);
      const header = frame[p++];
      const order = header & ORDER_MASK;
      if (order === 3 || (header & COL_RESERVED) !== 0)
        throw badFrame(`${column(layout, f)}: header 0x${header.toString(16).padStart(2, '0')} has order 3 or a reserved bit`, colStart);
      let presence = -1;
      if ((header & COL_PRESENCE) !== 0) {
        presence = p;
        p += bmBytes;
        checkBitmap(frame, p, layout, f, 'presence');
      }
      let flags = -1;
      if ((header & COL_SPARSE) !== 0) {
        flags = p;
        p += bmBytes;
        checkBitmap(frame, p, layout, f, 'residual');
      }
      const lo = qMin[f];
      const hi = qMax[f];
      for (let e = 0; e < E; e++) {
        const c = base + e;
        const h1 = has1[c];
        const present = presence < 0 ? h1 : (frame[presence + (e >>> 3)] >>> (e & 7)) & 1;
        const flagged = flags < 0 ? present : (frame[flags + (e >>> 3)] >>> (e & 7)) & 1;
        let q = 0;
        if (present === 1) {
          const a = q1[c];
          q = order === 0 ? 0 : order === 1 || h1 === 0 || has2[c] === 0 ? a : 2 * a - q2[c];
          if (flagged === 1) {
            // varuint, inlined: most residuals are one byte, and this runs per cell. The same checks
            // as @tidewire/base's ByteReader.varuint (bounds of this frame, at most MAX_VARUINT_BYTES),
            // without a reader object per frame (the decoder allocates nothing per frame).
            const start = p;
            if (p >= n) throw badFrame(`${column(layout, f)}, entity ${e}: frame ends before the residual`, p);
            let b = frame[p++];
            let z = b & 0x7f;
            let scale = 128;
            while (b >= 0x80) {
              if (p >= n) throw badFrame(`${column(layout, f)}, entity ${e}: frame ends inside the residual`, start);
              if (p - start >= MAX_VARUINT_BYTES) throw badFrame(`${column(layout, f)}, entity ${e}: residual longer than ${MAX_VARUINT_BYTES} bytes`, start);
              b = frame[p++];
              z += (b & 0x7f) * scale;
              scale *= 128;
            }
            q += z & 1 ? -(z + 1) / 2 : z / 2;
            if (!(q >= lo && q <= hi)) throw badFrame(`${column(layout, f)}, entity ${e}: q ${q} outside [${lo}, ${hi}]`, start);
          } else if (!(q >= lo && q <= hi)) {
            throw badFrame(`${column(layout, f)}, entity ${e}: predicted q ${q} outside [${lo}, ${hi}]`, colStart);
          }
        } else if (flagged === 1) {
          throw badFrame(`${column(layout, f)}, entity ${e}: a residual flagged for an absent cell`, flags + (e >>> 3));
        }
        q2[c] = q1[c];
        has2[c] = key ? 0 : h1;
        q1[c] = q;
        has1[c] = present;
      }
    }
    if (p !== n) throw badFrame(`${n - p} bytes after the last column`, p);
    // Write every output cell: the caller may pass a different array each time.
    for (let f = 0; f < F; f++) {
      const base = f * E;
      const d = div[f];
      const m = mul[f];
      for (let e = 0; e < E; e++) {
        const c = base + e;
        out[e * F + f] = has1[c] === 0 ? NaN : d > 0 ? q1[c] / d : q1[c] * m;
      }
    }
    this.#ready = true;
    return out;
  }
}
