// frameAt(t) between two decoded frames: numeric fields move linearly, the rest step. Runs on
// the main thread every display frame, so it only reads already-decoded values and allocates
// nothing.
import type { FieldDef } from '@tidewire/timeline';

/** Per field name: true to interpolate, false to step (overrides the default rule). */
export type InterpolationOverrides = Readonly<Record<string, boolean>>;

/**
 * 1 where a field interpolates, 0 where it steps. By default quantised floats (`f`) and
 * integers with a fractional scale (speed at 0.1 km/h) interpolate; bools, flags and integers
 * with unit scale (gear, lap, position, enums) step: halfway between gear 3 and gear 4 is
 * not gear 3.5.
 */
export function interpolationMask(fields: readonly FieldDef[], overrides?: InterpolationOverrides): Uint8Array {
  const mask = new Uint8Array(fields.length);
  fields.forEach((f, i) => {
    const o = overrides?.[f.name];
    if (o !== undefined) {
      mask[i] = o ? 1 : 0;
      return;
    }
    const continuous = f.type === 'f' || (f.type !== 'bool' && f.type !== 'flags' && f.scale !== undefined && !Number.isInteger(f.scale));
    mask[i] = continuous ? 1 : 0;
  });
  return mask;
}

/**
 * out = a + (b − a) × alpha for interpolated fields, a for stepped ones; `a`, `b` and `out` are
 * frames (entities × fields, entity-major). An absent value on either side gives `a`'s value:
 * an entity that appears or vanishes does not slide in from NaN.
 */
export function interpolateInto(out: Float64Array, a: Float64Array, b: Float64Array, alpha: number, mask: Uint8Array): Float64Array {
  const F = mask.length;
  const n = out.length;
  if (alpha <= 0) {
    out.set(a);
    return out;
  }
  for (let c = 0, f = 0; c < n; c++) {
    const va = a[c]!;
    const vb = b[c]!;
    // NaN !== NaN: one comparison each tells absence apart.
    out[c] = mask[f] === 1 && va === va && vb === vb ? va + (vb - va) * alpha : va;
    if (++f === F) f = 0;
  }
  return out;
}
