import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeSchema, encodeSchema, LIMITS, validateSchema, type TimelineSchema } from '../src/index.ts';
import { hex, smallSchema, throwsTl, utf8 } from './helpers.ts';

const base = (): Record<string, unknown> => JSON.parse(JSON.stringify(smallSchema));
const withField = (f: Record<string, unknown>) => ({ ...base(), fields: [f] });

describe('§3 schema', () => {
  it('returns a deep-frozen copy equal to its JSON round trip', () => {
    const input = base();
    const s = validateSchema(input);
    assert.notEqual(s, input);
    assert.deepEqual(JSON.parse(JSON.stringify(s)), input);
    assert.ok(Object.isFrozen(s) && Object.isFrozen(s.fields[0]) && Object.isFrozen(s.entities[0]) && Object.isFrozen(s.static));
    (input.fields as { name: string }[])[0].name = 'changed';
    assert.equal(s.fields[0].name, 'x');
  });

  it('keeps entity metadata and static values; drops undefined keys as JSON does', () => {
    const s = validateSchema({ ...base(), entities: [{ id: '44', code: 'HAM', team: { name: 'M', colors: ['#00d2be', null] }, skip: undefined }] });
    assert.deepEqual(s.entities[0], { id: '44', code: 'HAM', team: { name: 'M', colors: ['#00d2be', null] } });
  });

  const rejects: [string, unknown][] = [
    ['not an object', 42],
    ['unknown top-level key', { ...base(), extra: 1 }],
    ['empty name', { ...base(), name: '' }],
    ['rateHz 0', { ...base(), rateHz: 0 }],
    ['rateHz NaN', { ...base(), rateHz: NaN }],
    ['rateHz above 1000', { ...base(), rateHz: 1001 }],
    ['no fields', { ...base(), fields: [] }],
    ['no entities', { ...base(), entities: [] }],
    [
      'duplicate field name',
      {
        ...base(),
        fields: [
          { name: 'a', type: 'u8' },
          { name: 'a', type: 'i8' },
        ],
      },
    ],
    ['duplicate entity id', { ...base(), entities: [{ id: 'a' }, { id: 'a' }] }],
    ['unknown field type', withField({ name: 'a', type: 'f32' })],
    ["'f' without scale", withField({ name: 'a', type: 'f' })],
    ['scale on bool', withField({ name: 'a', type: 'bool', scale: 1 })],
    ['scale 0', withField({ name: 'a', type: 'f', scale: 0 })],
    ['scale negative', withField({ name: 'a', type: 'u16', scale: -0.1 })],
    ['scale infinite', withField({ name: 'a', type: 'f', scale: Infinity })],
    ['flags without bits', withField({ name: 'a', type: 'flags' })],
    ['flags with 33 bits', withField({ name: 'a', type: 'flags', bits: 33 })],
    ['bits on a non-flags field', withField({ name: 'a', type: 'u8', bits: 3 })],
    ['unknown field key', withField({ name: 'a', type: 'u8', offset: 3 })],
    ['field name too long', withField({ name: 'x'.repeat(129), type: 'u8' })],
    ['field name too long in UTF-8', withField({ name: 'é'.repeat(65), type: 'u8' })],
    ['unit too long', withField({ name: 'a', type: 'u8', unit: 'u'.repeat(33) })],
    ['entity id not a string', { ...base(), entities: [{ id: 44 }] }],
    ['entity name too long', { ...base(), entities: [{ id: 'a', name: 'n'.repeat(129) }] }],
    ['__proto__ key in metadata', { ...base(), entities: [JSON.parse('{"id":"a","__proto__":{"x":1}}')] }],
    ['__proto__ key in static', { ...base(), static: JSON.parse('{"a":{"__proto__":1}}') }],
    ['NaN in static', { ...base(), static: { a: NaN } }],
    ['a Date in metadata', { ...base(), entities: [{ id: 'a', t: new Date(0) }] }],
    ['a typed array in static', { ...base(), static: { xs: new Float64Array(2) } }],
    // eslint-disable-next-line no-sparse-arrays -- the hole is the input under test
    ['a hole in an array', { ...base(), static: { xs: [1, , 2] } }],
    ['a function', { ...base(), static: { f: () => 1 } }],
    ['static not an object', { ...base(), static: [1, 2] }],
    ['static nested too deep', { ...base(), static: JSON.parse('{"a":'.repeat(40) + '1' + '}'.repeat(40)) }],
    [
      'a cyclic static',
      (() => {
        const o: Record<string, unknown> = {};
        o.self = o;
        return { ...base(), static: o };
      })(),
    ],
    ['too many entities', { ...base(), entities: Array.from({ length: LIMITS.maxEntities + 1 }, (_, i) => ({ id: `e${i}` })) }],
    [
      'too many cells',
      {
        ...base(),
        fields: Array.from({ length: 256 }, (_, i) => ({ name: `f${i}`, type: 'u8' })),
        entities: Array.from({ length: 257 }, (_, i) => ({ id: `e${i}` })),
      },
    ],
    ['too many metadata values', { ...base(), static: { xs: new Array(LIMITS.maxJsonNodes + 1).fill(0) } }],
  ];
  for (const [what, schema] of rejects) {
    it(`rejects ${what} with TL_BAD_SCHEMA`, () => {
      throwsTl(() => validateSchema(schema), 'TL_BAD_SCHEMA');
    });
  }

  it('accepts the limits exactly', () => {
    validateSchema({
      ...base(),
      fields: Array.from({ length: 256 }, (_, i) => ({ name: `f${i}`, type: 'u8' })),
      entities: Array.from({ length: 256 }, (_, i) => ({ id: `e${i}` })),
    });
    validateSchema({ ...base(), name: 'n'.repeat(128), rateHz: 1000, fields: [{ name: 'x'.repeat(128), type: 'flags', bits: 32, unit: 'u'.repeat(32) }] });
    validateSchema({ ...base(), static: JSON.parse('{"a":'.repeat(31) + '1' + '}'.repeat(31)) });
  });
});

describe('§3.4 schema encoding', () => {
  it('is the UTF-8 JSON of the validated schema and decodes back', () => {
    const bytes = encodeSchema(smallSchema);
    assert.equal(new TextDecoder().decode(bytes), JSON.stringify(validateSchema(smallSchema)));
    assert.deepEqual(decodeSchema(bytes), validateSchema(smallSchema));
  });

  it('writes field keys in the order name, type, scale, unit, bits', () => {
    const s: TimelineSchema = {
      ...smallSchema,
      fields: [
        { bits: 3, type: 'flags', name: 'f' },
        { unit: 'm', scale: 0.5, type: 'f', name: 'x' },
      ],
    };
    assert.match(
      new TextDecoder().decode(encodeSchema(s)),
      /"fields":\[\{"name":"f","type":"flags","bits":3\},\{"name":"x","type":"f","scale":0.5,"unit":"m"\}\]/,
    );
  });

  it('rejects invalid UTF-8, invalid JSON and invalid schemas with TL_BAD_SCHEMA at the given offset', () => {
    throwsTl(() => decodeSchema(hex('7b 22 ff 22 7d'), 100), 'TL_BAD_SCHEMA', 100);
    throwsTl(() => decodeSchema(utf8('{"name":'), 7), 'TL_BAD_SCHEMA', 7);
    throwsTl(() => decodeSchema(utf8('{"name":"x","rateHz":25,"fields":[],"entities":[{"id":"a"}]}'), 9), 'TL_BAD_SCHEMA', 9);
    throwsTl(() => decodeSchema(utf8('['.repeat(100000) + ']'.repeat(100000))), 'TL_BAD_SCHEMA');
  });

  it('refuses an encoded schema above 4 MiB', () => {
    throwsTl(() => decodeSchema(new Uint8Array(LIMITS.maxSchemaBytes + 1), 5), 'TL_BAD_LENGTH', 5);
    throwsTl(
      () =>
        encodeSchema({
          ...smallSchema,
          static: {
            s: 'x'.repeat(LIMITS.maxStringBytes),
            t: 'x'.repeat(LIMITS.maxStringBytes),
            u: 'x'.repeat(LIMITS.maxStringBytes),
            v: 'x'.repeat(LIMITS.maxStringBytes),
          },
        }),
      'TL_BAD_SCHEMA',
    );
  });
});
