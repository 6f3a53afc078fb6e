// The codec's compiled view of a schema (§3.1): per field, the range of q and how to map
// value ↔ q. Frame encoders and decoders only need this, not the metadata.

import { TimelineError } from './errors.ts';
import { LIMITS } from './limits.ts';
import { FIELD_TYPES, validateField, type FieldDef, type TimelineSchema } from './schema.ts';

export interface Layout {
  readonly entities: number;
  readonly fields: number;
  readonly fieldDefs: readonly FieldDef[];
  /** Smallest and largest q per field. */
  readonly qMin: Float64Array;
  readonly qMax: Float64Array;
  /**
   * Per field: when `div[f]` > 0, value = q / div[f] and q = round(value × div[f]) (the scale is
   * 1/div[f] for an integer div[f], so 0.01 decodes to 1.23, not 1.2300000000000002); otherwise
   * value = q × mul[f] and q = round(value / mul[f]).
   */
  readonly div: Float64Array;
  readonly mul: Float64Array;
  /** 1 for bool fields: values must be exactly 0 or 1. */
  readonly isBool: Uint8Array;
}

/**
 * The divisor d with scale = 1/d, when 1/scale is within 1e-9 (relative) of an integer. Encoders
 * and decoders must agree on it, so it is computed from the scale alone.
 */
export function scaleDivisor(scale: number): number {
  const inv = 1 / scale;
  const r = Math.round(inv);
  // r = 0 (scale above 2) fails the test too: |inv − 0| = inv > 0.
  return Math.abs(inv - r) <= 1e-9 * r ? r : 0;
}

function describeCount(x: unknown): string {
  return Array.isArray(x) ? `${x.length}` : typeof x;
}

/** Compiles the codec-relevant part of a schema; checks the fields and entity count (not the metadata). */
export function compileLayout(schema: TimelineSchema): Layout {
  if (typeof schema !== 'object' || schema === null)
    throw new TimelineError('TL_BAD_SCHEMA', `a schema must be an object, got ${schema === null ? 'null' : typeof schema}`);
  const { fields, entities } = schema;
  if (!Array.isArray(fields) || fields.length < 1 || fields.length > LIMITS.maxFields)
    throw new TimelineError('TL_BAD_SCHEMA', `fields must be an array of 1..${LIMITS.maxFields} entries, got ${describeCount(fields)}`);
  if (!Array.isArray(entities) || entities.length < 1 || entities.length > LIMITS.maxEntities)
    throw new TimelineError('TL_BAD_SCHEMA', `entities must be an array of 1..${LIMITS.maxEntities} entries, got ${describeCount(entities)}`);
  if (fields.length * entities.length > LIMITS.maxCells)
    throw new TimelineError('TL_BAD_SCHEMA', `entities × fields = ${entities.length} × ${fields.length} exceeds ${LIMITS.maxCells}`);
  const F = fields.length;
  const defs = fields.map((f, i) => validateField(f, i));
  const qMin = new Float64Array(F);
  const qMax = new Float64Array(F);
  const div = new Float64Array(F);
  const mul = new Float64Array(F);
  const isBool = new Uint8Array(F);
  for (let f = 0; f < F; f++) {
    const d = defs[f];
    const range = FIELD_TYPES[d.type];
    qMin[f] = range.min;
    qMax[f] = d.type === 'flags' ? 2 ** d.bits! - 1 : range.max;
    const scale = d.scale ?? 1;
    div[f] = scaleDivisor(scale);
    mul[f] = scale;
    isBool[f] = d.type === 'bool' ? 1 : 0;
  }
  return { entities: entities.length, fields: F, fieldDefs: defs, qMin, qMax, div, mul, isBool };
}
