import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeSchema, encodeSchema, LIMITS, validateSchema, type TimelineSchema } from '../src/index.ts';
import { hex, smallSchema, throwsNaming, throwsTl, utf8 } from './helpers.ts';

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

  const u8s = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `f${i}`, type: 'u8' }));
  const ids = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `e${i}` }));
  const nest = (n: number, open: string, close: string) => JSON.parse(open.repeat(n) + '1' + close.repeat(n)) as unknown;
  const rejects: [string, unknown, RegExp[]][] = [
    ['not an object', 42, [/\ba schema must be an object, got number\b/]],
    ['null', null, [/\bgot null\b/]],
    ['undefined', undefined, [/\bgot undefined\b/]],
    ['an array', [], [/\bgot array\b/]],
    ['unknown top-level key', { ...base(), extra: 1 }, [/\bschema has an unknown key "extra"/]],
    ['a name that is not a string', { ...base(), name: 5 }, [/\bname must be a string, got number\b/]],
    ['empty name', { ...base(), name: '' }, [/\bname must not be empty\b/]],
    ['a name of 129 bytes', { ...base(), name: 'n'.repeat(129) }, [/\bname exceeds 128 UTF-8 bytes\b/]],
    ['rateHz 0', { ...base(), rateHz: 0 }, [/\brateHz 0 is not a number in \(0, 1000\]/]],
    ['rateHz −1', { ...base(), rateHz: -1 }, [/\brateHz -1\b/]],
    ['rateHz NaN', { ...base(), rateHz: NaN }, [/\brateHz NaN\b/]],
    ['rateHz a string', { ...base(), rateHz: '25' }, [/\brateHz 25 is not a number\b/]],
    ['rateHz above 1000', { ...base(), rateHz: 1000.001 }, [/\brateHz 1000\.001\b/, /\(0, 1000\]/]],
    ['fields not an array', { ...base(), fields: {} }, [/\bfields must be an array, got object\b/]],
    ['no fields', { ...base(), fields: [] }, [/\bfields must have 1\.\.256 entries, got 0\b/]],
    ['257 fields', { ...base(), fields: u8s(257) }, [/\bfields must have 1\.\.256 entries, got 257\b/]],
    ['entities not an array', { ...base(), entities: 'a' }, [/\bentities must be an array, got string\b/]],
    ['no entities', { ...base(), entities: [] }, [/\bentities must have 1\.\.4096 entries, got 0\b/]],
    ['too many entities', { ...base(), entities: ids(LIMITS.maxEntities + 1) }, [/\bentities must have 1\.\.4096 entries, got 4097\b/]],
    ['too many cells', { ...base(), fields: u8s(256), entities: ids(257) }, [/\bentities × fields = 257 × 256 exceeds 65536\b/]],
    [
      'duplicate field name',
      {
        ...base(),
        fields: [
          { name: 'a', type: 'u8' },
          { name: 'a', type: 'i8' },
        ],
      },
      [/\bfields\[1\]\.name "a" is not unique\b/],
    ],
    ['duplicate entity id', { ...base(), entities: [{ id: 'a' }, { id: 'a' }] }, [/\bentities\[1\]\.id "a" is not unique\b/]],
    ['a field that is not an object', { ...base(), fields: [5] }, [/\bfields\[0\] must be an object, got number\b/]],
    ['a field that is an array', { ...base(), fields: [[]] }, [/\bfields\[0\] must be an object, got array\b/]],
    ['unknown field type', withField({ name: 'a', type: 'f32' }), [/\bfields\[0\]\.type "f32" is not one of i8, i16, i32, u8, u16, u32, f, bool, flags\b/]],
    ["a field type ['i8'] (not a string)", withField({ name: 'a', type: ['i8'] }), [/\bfields\[0\]\.type \["i8"\] is not one of\b/]],
    ['a field type inherited from Object', withField({ name: 'a', type: 'toString' }), [/\bfields\[0\]\.type "toString"/]],
    ["'f' without scale", withField({ name: 'a', type: 'f' }), [/\bfields\[0\]: an 'f' field needs a scale\b/]],
    ['scale on bool', withField({ name: 'a', type: 'bool', scale: 1 }), [/\bfields\[0\]: a bool field has no scale\b/]],
    ['scale on flags', withField({ name: 'a', type: 'flags', bits: 3, scale: 1 }), [/\bfields\[0\]: a flags field has no scale\b/]],
    ['scale 0', withField({ name: 'a', type: 'f', scale: 0 }), [/\bfields\[0\]\.scale 0 is not a number in \[1e-12, 1e12\]/]],
    ['scale just below 1e-12', withField({ name: 'a', type: 'f', scale: 9.99e-13 }), [/\bfields\[0\]\.scale 9\.99e-13\b/]],
    ['scale just above 1e12', withField({ name: 'a', type: 'f', scale: 1.000001e12 }), [/\bfields\[0\]\.scale 1000001000000\b/]],
    ['scale negative', withField({ name: 'a', type: 'u16', scale: -0.1 }), [/\bfields\[0\]\.scale -0\.1\b/]],
    ['scale infinite', withField({ name: 'a', type: 'f', scale: Infinity }), [/\bfields\[0\]\.scale Infinity\b/]],
    ['scale a string', withField({ name: 'a', type: 'f', scale: '1' }), [/\bfields\[0\]\.scale 1 is not a number\b/]],
    ['flags without bits', withField({ name: 'a', type: 'flags' }), [/\bfields\[0\]\.bits undefined is not an integer in 1\.\.32\b/]],
    ['flags with 0 bits', withField({ name: 'a', type: 'flags', bits: 0 }), [/\bfields\[0\]\.bits 0\b/]],
    ['flags with 33 bits', withField({ name: 'a', type: 'flags', bits: 33 }), [/\bfields\[0\]\.bits 33\b/, /\b1\.\.32\b/]],
    ['flags with 1.5 bits', withField({ name: 'a', type: 'flags', bits: 1.5 }), [/\bfields\[0\]\.bits 1\.5\b/]],
    ['flags with bits "3"', withField({ name: 'a', type: 'flags', bits: '3' }), [/\bfields\[0\]\.bits 3 is not an integer\b/]],
    ['bits on a non-flags field', withField({ name: 'a', type: 'u8', bits: 3 }), [/\bfields\[0\]: only a flags field has bits\b/]],
    ['unknown field key', withField({ name: 'a', type: 'u8', offset: 3 }), [/\bfields\[0\] has an unknown key "offset"/]],
    ['a field name that is not a string', withField({ name: 1, type: 'u8' }), [/\bfields\[0\]\.name must be a string, got number\b/]],
    ['empty field name', withField({ name: '', type: 'u8' }), [/\bfields\[0\]\.name must not be empty\b/]],
    ['field name too long', withField({ name: 'x'.repeat(129), type: 'u8' }), [/\bfields\[0\]\.name exceeds 128 UTF-8 bytes\b/]],
    ['field name too long in UTF-8', withField({ name: 'é'.repeat(65), type: 'u8' }), [/\bfields\[0\]\.name exceeds 128 UTF-8 bytes\b/]],
    ['unit too long', withField({ name: 'a', type: 'u8', unit: 'u'.repeat(33) }), [/\bfields\[0\]\.unit exceeds 32 UTF-8 bytes\b/]],
    ['unit not a string', withField({ name: 'a', type: 'u8', unit: 5 }), [/\bfields\[0\]\.unit must be a string, got number\b/]],
    ['an entity that is not an object', { ...base(), entities: ['a'] }, [/\bentities\[0\] must be an object, got string\b/]],
    ['entity id not a string', { ...base(), entities: [{ id: 44 }] }, [/\bentities\[0\]\.id must be a string, got number\b/]],
    ['empty entity id', { ...base(), entities: [{ id: '' }] }, [/\bentities\[0\]\.id must not be empty\b/]],
    ['entity id too long', { ...base(), entities: [{ id: 'i'.repeat(129) }] }, [/\bentities\[0\]\.id exceeds 128 UTF-8 bytes\b/]],
    ['entity name too long', { ...base(), entities: [{ id: 'a', name: 'n'.repeat(129) }] }, [/\bentities\[0\]\.name exceeds 128 UTF-8 bytes\b/]],
    ['entity name not a string', { ...base(), entities: [{ id: 'a', name: 5 }] }, [/\bentities\[0\]\.name must be a string, got number\b/]],
    ['a metadata key too long', { ...base(), entities: [{ id: 'a', ['k'.repeat(129)]: 1 }] }, [/\ba key of entities\[0\] exceeds 128 UTF-8 bytes\b/]],
    ['__proto__ key in metadata', { ...base(), entities: [JSON.parse('{"id":"a","__proto__":{"x":1}}')] }, [/\bentities\[0\] has a "__proto__" key\b/]],
    ['__proto__ key in static', { ...base(), static: JSON.parse('{"a":{"__proto__":1}}') }, [/\bstatic\.a has a "__proto__" key\b/]],
    ['NaN in static', { ...base(), static: { a: NaN } }, [/\bstatic\.a must be a finite number\b/]],
    ['a Date in metadata', { ...base(), entities: [{ id: 'a', t: new Date(0) }] }, [/\bentities\[0\]\.t must be a JSON value\b/, /\bgot Date\b/]],
    ['a typed array in static', { ...base(), static: { xs: new Float64Array(2) } }, [/\bstatic\.xs must be a JSON value\b/, /\bgot Float64Array\b/]],
    // eslint-disable-next-line no-sparse-arrays -- the hole is the input under test
    ['a hole in an array', { ...base(), static: { xs: [1, , 2] } }, [/\bstatic\.xs\[1\] must be a JSON value\b/, /\bgot Undefined\b/]],
    ['a function', { ...base(), static: { f: () => 1 } }, [/\bstatic\.f must be a JSON value\b/, /\bgot Function\b/]],
    ['static not an object', { ...base(), static: [1, 2] }, [/\bstatic must be a plain object, got array\b/]],
    ['static null', { ...base(), static: null }, [/\bstatic must be a plain object, got null\b/]],
    [
      'static nested too deep (32 objects inside it)',
      { ...base(), static: { a: nest(32, '{"a":', '}') } },
      [/\bstatic\.a(\.a){31} nests deeper than 32 levels\b/],
    ],
    ['an array nested too deep (32 arrays)', { ...base(), static: { a: nest(32, '[', ']') } }, [/\bstatic\.a(\[0\]){31} nests deeper than 32 levels\b/]],
    [
      'metadata nested too deep',
      { ...base(), entities: [{ id: 'a', m: nest(32, '{"a":', '}') }] },
      [/\bentities\[0\]\.m(\.a){31} nests deeper than 32 levels\b/],
    ],
    [
      'a cyclic static',
      (() => {
        const o: Record<string, unknown> = {};
        o.self = o;
        return { ...base(), static: o };
      })(),
      [/\bstatic\.self\.self\b/, /\bnests deeper than 32 levels\b/],
    ],
    ['a string of 1 MiB + 1 in static', { ...base(), static: { s: 'x'.repeat(LIMITS.maxStringBytes + 1) } }, [/\bstatic\.s exceeds 1048576 UTF-8 bytes\b/]],
    ['too many metadata values', { ...base(), static: { xs: new Array(LIMITS.maxJsonNodes + 1).fill(0) } }, [/\bmetadata has more than 1048576 values\b/]],
  ];
  for (const [what, schema, names] of rejects) {
    it(`rejects ${what} with TL_BAD_SCHEMA naming the path and the value or limit`, () => {
      throwsNaming(() => validateSchema(schema), 'TL_BAD_SCHEMA', names);
    });
  }

  it('accepts the limits exactly', () => {
    validateSchema({ ...base(), fields: u8s(256), entities: ids(256) });
    validateSchema({ ...base(), fields: u8s(1), entities: ids(LIMITS.maxEntities) });
    validateSchema({ ...base(), name: 'n'.repeat(128), rateHz: 1000, fields: [{ name: 'x'.repeat(128), type: 'flags', bits: 32, unit: 'u'.repeat(32) }] });
    validateSchema({ ...base(), fields: [{ name: 'x', type: 'flags', bits: 1 }] });
    validateSchema({
      ...base(),
      fields: [{ name: 'x', type: 'f', scale: 1e-12 }],
      entities: [{ id: 'i'.repeat(128), name: 'n'.repeat(128), ['k'.repeat(128)]: 1 }],
    });
    validateSchema({ ...base(), fields: [{ name: 'x', type: 'f', scale: 1e12, unit: '' }] });
    validateSchema({ ...base(), static: { a: nest(31, '{"a":', '}'), b: nest(31, '[', ']'), s: 'x'.repeat(LIMITS.maxStringBytes) } });
    validateSchema({ ...base(), entities: [{ id: 'a', m: nest(31, '{"a":', '}') }] });
  });

  it('§3.3 counts every metadata value: exactly 1,048,576 is accepted, one more is refused', () => {
    // One node for the entity id, one for the array, one for `b`: the array fills the rest.
    const schema = { name: 'n', rateHz: 25, fields: [{ name: 'v', type: 'u8' }], entities: [{ id: 'a' }] };
    const xs = new Array(LIMITS.maxJsonNodes - 3).fill(0);
    validateSchema({ ...schema, static: { xs, b: 0 } });
    throwsNaming(() => validateSchema({ ...schema, static: { xs, b: 0, c: 0 } }), 'TL_BAD_SCHEMA', [/\bmore than 1048576 values\b/]);
  });

  it('§3.2 accepts every JSON value kind (null, booleans, numbers, strings, arrays, objects) and objects without a prototype', () => {
    const meta = Object.assign(Object.create(null) as Record<string, unknown>, {
      id: 'a',
      on: true,
      off: false,
      none: null,
      n: -1.5,
      s: '',
      list: [[]],
      o: {},
    });
    const s = validateSchema({ ...base(), entities: [meta], static: Object.assign(Object.create(null) as object, { k: 1 }) });
    assert.deepEqual({ ...s.entities[0] }, { id: 'a', on: true, off: false, none: null, n: -1.5, s: '', list: [[]], o: {} });
    assert.equal(s.static!.k, 1);
    validateSchema({ ...base(), entities: [{ id: 'a', name: '' }], static: { '': 0 } });
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
    throwsNaming(() => decodeSchema(hex('7b 22 ff 22 7d'), 100), 'TL_BAD_SCHEMA', [/\bschema is not UTF-8 JSON\b/], 100);
    throwsNaming(() => decodeSchema(utf8('{"name":'), 7), 'TL_BAD_SCHEMA', [/\bschema is not UTF-8 JSON\b/, /\bJSON\b/], 7);
    throwsNaming(
      () => decodeSchema(utf8('{"name":"x","rateHz":25,"fields":[],"entities":[{"id":"a"}]}'), 9),
      'TL_BAD_SCHEMA',
      [/\bfields must have 1\.\.256 entries, got 0\b/],
      9,
    );
    throwsTl(() => decodeSchema(utf8('['.repeat(100000) + ']'.repeat(100000))), 'TL_BAD_SCHEMA');
    // Invalid UTF-8 inside a JSON string: a lenient decoder would turn it into U+FFFD and accept the schema.
    const json = '{"name":"@","rateHz":25,"fields":[{"name":"v","type":"u8"}],"entities":[{"id":"a"}]}';
    const bytes = utf8(json);
    assert.equal(decodeSchema(bytes).name, '@');
    bytes[json.indexOf('@')] = 0xff;
    throwsNaming(() => decodeSchema(bytes, 3), 'TL_BAD_SCHEMA', [/\bschema is not UTF-8 JSON\b/], 3);
  });

  it('refuses an encoded schema above 4 MiB; exactly 4 MiB is read', () => {
    throwsNaming(() => decodeSchema(new Uint8Array(LIMITS.maxSchemaBytes + 1), 5), 'TL_BAD_LENGTH', [/\bschema of 4194305 bytes exceeds 4194304\b/], 5);
    // Exactly 4 MiB passes the length check: the zeros then fail as JSON.
    throwsNaming(() => decodeSchema(new Uint8Array(LIMITS.maxSchemaBytes), 5), 'TL_BAD_SCHEMA', [/\bnot UTF-8 JSON\b/], 5);
    const MiB = LIMITS.maxStringBytes;
    const schema = (extra: number): TimelineSchema => {
      const s: TimelineSchema = { name: 'n', rateHz: 25, fields: [{ name: 'v', type: 'u8' }], entities: [{ id: 'a' }], static: { a: '', b: '', c: '', d: '' } };
      const rest = LIMITS.maxSchemaBytes - JSON.stringify(s).length - 3 * MiB + extra;
      return { ...s, static: { a: 'x'.repeat(MiB), b: 'x'.repeat(MiB), c: 'x'.repeat(MiB), d: 'x'.repeat(rest) } };
    };
    assert.equal(encodeSchema(schema(0)).length, LIMITS.maxSchemaBytes);
    throwsNaming(() => encodeSchema(schema(1)), 'TL_BAD_SCHEMA', [/\bencoded schema of 4194305 bytes exceeds 4194304\b/]);
  });
});
