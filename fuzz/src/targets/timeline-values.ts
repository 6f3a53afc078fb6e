// Timeline schemas with hostile but legal parts (docs/timeline-format.md §3): every field type,
// extreme scales and bit widths, odd entity metadata. Used by the segment and file targets.
import * as fc from 'fast-check';
import { FIELD_TYPES, type FieldDef, type FieldType, type TimelineSchema } from '@tidewire/timeline';
import { hostileNumber, hostileString, hostileValue } from '../hostile.ts';

const TYPES = Object.keys(FIELD_TYPES) as FieldType[];

const field: fc.Arbitrary<FieldDef> = fc
  .tuple(fc.constantFrom(...TYPES), fc.oneof(fc.constantFrom(1, 0.01, 1e-9, 1e9, 0.1), hostileNumber), fc.integer({ min: 1, max: 32 }))
  .map(([type, scale, bits]) => {
    const f: FieldDef = { name: '', type };
    if (type === 'f') f.scale = scale;
    if (type === 'flags') f.bits = bits;
    return f;
  });

/** A schema object as JSON would hold it: mostly valid, sometimes not (the reader validates it). */
export const schemaLike: fc.Arbitrary<TimelineSchema> = fc
  .record({
    name: fc.oneof(fc.constant('fuzz'), hostileString),
    rateHz: fc.oneof(fc.constantFrom(25, 1, 1000, 0.001), hostileNumber),
    fields: fc.array(field, { minLength: 1, maxLength: 6 }),
    entities: fc.array(fc.record({ id: fc.oneof(fc.constant('e'), hostileString), meta: hostileValue }), { minLength: 1, maxLength: 5 }),
    static: fc.option(fc.dictionary(hostileString, hostileValue, { maxKeys: 3 }), { nil: undefined }),
  })
  .map((s) => {
    const schema: TimelineSchema = {
      name: s.name,
      rateHz: s.rateHz,
      fields: s.fields.map((f, i) => ({ ...f, name: `f${i}` })),
      entities: s.entities.map((e, i) => ({ id: `${e.id}${i}`, meta: e.meta })),
    };
    if (s.static !== undefined) schema.static = s.static;
    return schema;
  });

/** Values for one frame of `schema`: entity-major, NaN for absent, sometimes out of range. */
export function valuesLike(cells: number): fc.Arbitrary<Float64Array> {
  return fc
    .array(fc.oneof({ weight: 4, arbitrary: fc.integer({ min: -3, max: 200 }) }, { weight: 1, arbitrary: hostileNumber }), {
      minLength: cells,
      maxLength: cells,
    })
    .map((v) => Float64Array.from(v));
}
