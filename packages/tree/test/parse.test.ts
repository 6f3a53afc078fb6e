import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Buffer } from 'node:buffer';
import { countNodes, parseOps, parseSnapshot, Tree, TreeError, type NodeSnapshot } from '../src/index.ts';
import { throwsNaming } from './helpers.ts';

const node = (id: unknown, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  id,
  type: 't',
  attrs: {},
  children: [],
  ...extra,
});

function chain(levels: number): Record<string, unknown> {
  let x = node(`c${levels - 1}`);
  for (let i = levels - 2; i >= 0; i--) x = node(`c${i}`, { children: [x] });
  return x;
}

/** A label for assertion messages; the inputs include BigInts and cycles JSON cannot print. */
function show(value: unknown): string {
  try {
    return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))?.slice(0, 80) ?? String(value);
  } catch {
    return String(value);
  }
}

const badSnapshot = (value: unknown): void => {
  assert.throws(() => parseSnapshot(value), { code: 'TREE_BAD_SNAPSHOT' }, show(value));
};

function badOps(value: unknown, opIndex?: number): void {
  assert.throws(
    () => parseOps(value),
    (e: unknown) => e instanceof TreeError && e.code === 'TREE_BAD_OP' && e.opIndex === opIndex,
    show(value),
  );
}

describe('§7 parsing untrusted input', () => {
  describe('parseSnapshot', () => {
    test('accepts a well-formed snapshot, binary as Uint8Array or Buffer, and drops unknown fields', () => {
      const value = {
        id: 'r',
        type: 'root',
        attrs: { s: 'x', n: 1.5, b: false, bin: new Uint8Array([1]), buf: Buffer.from([2]), l: [1, ['a']], m: { k: { j: true } } },
        children: [node('c', { future: 'field' })],
      };
      const snap = parseSnapshot(value);
      assert.deepEqual(snap.children[0], { id: 'c', type: 't', attrs: {}, children: [] });
      assert.equal(snap.attrs.buf, value.attrs.buf);
      assert.equal(new Tree(snap).size, 2);
    });

    test('wrong types', () => {
      for (const v of [null, undefined, 1, 'x', [], new Map()]) badSnapshot(v);
      badSnapshot(node(1));
      badSnapshot(node('r', { type: null }));
      badSnapshot(node('r', { attrs: null }));
      badSnapshot(node('r', { attrs: [] }));
      badSnapshot(node('r', { children: {} }));
      badSnapshot(node('r', { children: [1] }));
      badSnapshot({ id: 'r', type: 't', attrs: {} });
      badSnapshot(node('r', { attrs: { v: 10n } }));
      badSnapshot(node('r', { attrs: { v: new Date(0) } }));
      badSnapshot(node('r', { attrs: { v: new Float32Array(1) } }));
      badSnapshot(node('r', { attrs: { v: () => 1 } }));
    });

    test('null or undefined attribute values, at any depth', () => {
      badSnapshot(node('r', { attrs: { v: null } }));
      badSnapshot(node('r', { attrs: { v: undefined } }));
      badSnapshot(node('r', { attrs: { v: [1, null] } }));
      badSnapshot(node('r', { attrs: { v: { w: null } } }));
      badSnapshot(node('r', { children: [node('c', { attrs: { v: null } })] }));
    });

    test('empty or oversized ids, types and keys (256 UTF-8 bytes)', () => {
      assert.equal(parseSnapshot(node('x'.repeat(256))).id.length, 256);
      assert.equal(parseSnapshot(node('é'.repeat(128))).id.length, 128);
      badSnapshot(node(''));
      badSnapshot(node('x'.repeat(257)));
      badSnapshot(node('é'.repeat(129))); // 258 bytes in 129 characters
      badSnapshot(node('🎵'.repeat(65))); // 260 bytes
      badSnapshot(node('r', { type: '' }));
      badSnapshot(node('r', { type: 't'.repeat(257) }));
      badSnapshot(node('r', { attrs: { ['k'.repeat(257)]: 1 } }));
      badSnapshot(node('r', { attrs: { m: { ['k'.repeat(257)]: 1 } } }));
    });

    test('"__proto__" as an attribute name', () => {
      badSnapshot(node('r', { attrs: JSON.parse('{"__proto__": 1}') }));
      badSnapshot(node('r', { attrs: { m: JSON.parse('{"__proto__": {"x": 1}}') } }));
    });

    test('too deep: nodes past 256 levels, values past 64 levels', () => {
      assert.equal(countNodes(parseSnapshot(chain(256))), 256);
      badSnapshot(chain(257));
      let v: unknown = 1;
      for (let i = 0; i < 64; i++) v = [v];
      parseSnapshot(node('r', { attrs: { v } }));
      badSnapshot(node('r', { attrs: { v: [v] } }));
      // a cycle is just infinitely deep
      const loop: Record<string, unknown> = node('r');
      (loop.children as unknown[]).push(loop);
      badSnapshot(loop);
    });

    test('duplicate ids', () => {
      badSnapshot(node('r', { children: [node('a'), node('b', { children: [node('a')] })] }));
      badSnapshot(node('r', { children: [node('r')] }));
    });

    test('caps are configurable, tighter only for depth', () => {
      assert.throws(() => parseSnapshot(node('r', { children: [node('a'), node('b')] }), { maxNodes: 2 }), {
        code: 'TREE_BAD_SNAPSHOT',
      });
      assert.throws(() => parseSnapshot(chain(3), { maxDepth: 2 }), { code: 'TREE_BAD_SNAPSHOT' });
      assert.throws(() => parseSnapshot(chain(3), { maxDepth: 1000 }), RangeError);
    });
  });

  describe('parseOps', () => {
    test('accepts every op kind', () => {
      const ops = parseOps([
        [0, 'a', { x: 1, y: null }],
        [1, 'a', 0, node('n', { extra: 1 })],
        [2, 'n'],
        [3, 'a', 'b', 2],
      ]);
      assert.deepEqual(ops, [
        [0, 'a', { x: 1, y: null }],
        [1, 'a', 0, { id: 'n', type: 't', attrs: {}, children: [] }],
        [2, 'n'],
        [3, 'a', 'b', 2],
      ]);
    });

    test('wrong shapes and types name the failing op', () => {
      badOps(null);
      badOps({ 0: [2, 'a'] });
      badOps([[2, 'a'], 'x'], 1);
      badOps([[]], 0);
      badOps([[4, 'a']], 0);
      badOps([['0', 'a', {}]], 0);
      badOps([[0, 'a']], 0);
      badOps([[0, 'a', {}, 1]], 0);
      badOps([[0, 'a', null]], 0);
      badOps([[0, 'a', []]], 0);
      badOps([[0, 5, {}]], 0);
      badOps([[1, 'a', -1, node('n')]], 0);
      badOps([[1, 'a', 1.5, node('n')]], 0);
      badOps([[1, 'a', '0', node('n')]], 0);
      badOps([[1, 'a', 0, null]], 0);
      badOps([[1, 'a', 0]], 0);
      badOps([[2]], 0);
      badOps([[2, '']], 0);
      badOps([[3, 'a', 'b']], 0);
      badOps([[3, 'a', null, 0]], 0);
      badOps([[3, 'a', 'b', 2 ** 53]], 0);
    });

    test('set values: null removes, but not nested; no undefined; no "__proto__"', () => {
      badOps([[0, 'a', { v: undefined }]], 0);
      badOps([[0, 'a', { v: [null] }]], 0);
      badOps([[0, 'a', { v: { w: null } }]], 0);
      badOps([[0, 'a', JSON.parse('{"__proto__": 1}')]], 0);
      badOps([[0, 'a', { ['k'.repeat(257)]: 1 }]], 0);
    });

    test('inserted subtrees: malformed, too deep, oversized ids, duplicate ids', () => {
      badOps([[1, 'a', 0, node('n', { attrs: { v: null } })]], 0);
      badOps([[1, 'a', 0, chain(257)]], 0);
      badOps([[1, 'a', 0, node('x'.repeat(257))]], 0);
      badOps([[1, 'a', 0, node('n', { children: [node('m'), node('m')] })]], 0);
    });

    test('caps on op and node counts', () => {
      assert.throws(
        () =>
          parseOps(
            [
              [2, 'a'],
              [2, 'b'],
            ],
            { maxOps: 1 },
          ),
        { code: 'TREE_BAD_OP' },
      );
      assert.throws(
        () =>
          parseOps(
            [
              [1, 'a', 0, node('n')],
              [1, 'a', 0, node('m', { children: [node('o')] })],
            ],
            { maxNodes: 2 },
          ),
        (e: unknown) => e instanceof TreeError && e.code === 'TREE_BAD_OP' && e.opIndex === 1,
      );
    });
  });

  test('countNodes counts the root and every descendant', () => {
    const snap: NodeSnapshot = {
      id: 'r',
      type: 't',
      attrs: {},
      children: [
        { id: 'a', type: 't', attrs: {}, children: [{ id: 'b', type: 't', attrs: {}, children: [] }] },
        { id: 'c', type: 't', attrs: {}, children: [] },
      ],
    };
    assert.equal(countNodes(snap), 4);
  });
});

describe('§7 parse errors name what was wrong (field, id, value or limit)', () => {
  const snap = (value: unknown, names: RegExp[], limits?: Parameters<typeof parseSnapshot>[1]) =>
    throwsNaming(() => parseSnapshot(value, limits), 'TREE_BAD_SNAPSHOT', names);
  const op = (o: unknown, names: RegExp[]) => {
    const err = throwsNaming(() => parseOps([[2, 'ok'], o]), 'TREE_BAD_OP', [/^op 1: /, ...names]);
    assert.equal(err.opIndex, 1);
    assert.ok(err.cause instanceof TreeError);
  };

  test('§7 snapshot: the node, its id and type, and what each holds instead', () => {
    snap(5, [/\bnode must be a map\b/, /\bgot 5\b/]);
    snap(null, [/\bnode\b/, /\bgot null\b/]);
    snap([], [/\bgot array\b/]);
    snap(new Map(), [/\bgot Map\b/]);
    snap(Object.assign(Object.create(null) as object, node(1)), [/\bnode id\b/, /\bgot 1\b/]); // a null-prototype map is a map
    snap(node(1), [/\bnode id\b/, /\bmust be a string\b/, /\bgot 1\b/]);
    snap(node(true), [/\bgot true\b/]);
    snap(node('x'.repeat(257)), [/\bnode id\b/, /\b256 UTF-8 bytes\b/]);
    snap(node(''), [/\bnode id\b/, /\bempty\b/]);
    snap(node('r', { type: 7 }), [/\btype of node "r"/, /\bgot 7\b/]);
    snap(node('r', { type: '' }), [/\btype of node "r"/, /\bempty\b/]);
    snap(node('r', { children: [node('r')] }), [/\bduplicate node id "r"/]);
    snap(node('r', { attrs: 'x' }), [/\bnode "r": attrs must be a map\b/, /\bgot "x"/]);
    snap(node('r', { attrs: 's'.repeat(41) }), [/\bgot string\(41\)/]);
    snap(node('r', { attrs: 's'.repeat(40) }), [/\bgot "s{40}"/]);
    snap(node('r', { children: {} }), [/\bchildren of node "r" must be an array\b/, /\bgot Object\b/]);
    snap(node('r', { children: new Uint8Array(1) }), [/\bgot binary\b/]);
    // without a prototype, or with one that has no constructor: just "object"
    snap(node('r', { children: Object.create(null) as object }), [/\bgot object\b/]);
    snap(node('r', { children: Object.create(Object.create(null) as object) as object }), [/\bgot object\b/]);
    snap(node('r', { children: new (class Columns {})() }), [/\bgot Columns\b/]);
  });

  test('§7 snapshot: attribute values name the attribute, the path inside it and the value', () => {
    snap(node('r', { attrs: { v: null } }), [/\bnode "r": attrs\.v: null is not an attribute value\b/]);
    snap(node('r', { attrs: { v: [1, [2, null]] } }), [/\battrs\.v: \[1\]: \[1\]: null\b/]);
    snap(node('r', { attrs: { m: { w: { x: undefined } } } }), [/\battrs\.m: \.w: \.x: unsupported attribute value undefined\b/]);
    snap(node('r', { attrs: { v: new Date(0) } }), [/\battrs\.v: unsupported attribute value Date\b/]);
    snap(node('r', { attrs: { v: 10n } }), [/\battrs\.v: unsupported attribute value bigint\b/]);
    snap(node('r', { attrs: { v: Symbol('s') } }), [/\bunsupported attribute value symbol\b/]);
    snap(node('r', { attrs: JSON.parse('{"__proto__": 1}') }), [/\battribute name "__proto__"/]);
    snap(node('r', { attrs: { ['k'.repeat(257)]: 1 } }), [/\battribute name string\(257\)/, /\b256 UTF-8 bytes\b/]);
    snap(node('r', { attrs: { m: { ['k'.repeat(257)]: 1 } } }), [/\battribute name string\(257\)/, /\b256 UTF-8 bytes\b/]);
    snap(node('r', { attrs: { ab: 1 } }), [/\battribute name "ab" exceeds 1 UTF-8 bytes\b/], { maxKeyBytes: 1 });
    let deep: unknown = 1;
    for (let i = 0; i < 65; i++) deep = [deep];
    snap(node('r', { attrs: { v: deep } }), [/\battrs\.v: (\[0\]: ){64}attribute value nested deeper than 64\b/]);
  });

  test('§7 snapshot: the limits are named and hold exactly at their value', () => {
    // maxNodes: 3 nodes pass a cap of 3, a fourth fails naming the cap.
    const three = node('r', { children: [node('a'), node('b')] });
    assert.equal(countNodes(parseSnapshot(three, { maxNodes: 3 })), 3);
    snap(three, [/\bmore than 2 nodes\b/], { maxNodes: 2 });
    snap(chain(3), [/\bdeeper than 2 levels\b/], { maxDepth: 2 });
    // Attribute names: exactly maxKeyBytes passes, one more fails.
    assert.equal(Object.keys(parseSnapshot(node('r', { attrs: { ['k'.repeat(256)]: 1 } })).attrs).length, 1);
    assert.equal(Object.keys(parseSnapshot(node('r', { attrs: { m: { ['k'.repeat(256)]: 1 } } })).attrs).length, 1);
    // Map values nest to maxValueDepth like arrays do (a scalar is depth 0).
    let m: unknown = 1;
    for (let i = 0; i < 64; i++) m = { k: m };
    parseSnapshot(node('r', { attrs: { m } }));
    snap(node('r', { attrs: { m: { k: m } } }), [/\battrs\.m: (\.k: ){64}attribute value nested deeper than 64\b/]);
  });

  test('§7 snapshot: a map without a prototype is a map, attrs included', () => {
    const attrs = Object.assign(Object.create(null) as Record<string, unknown>, { x: 1, m: Object.assign(Object.create(null) as object, { y: 2 }) });
    const parsed = parseSnapshot(node('r', { attrs }));
    assert.deepEqual(Object.keys(parsed.attrs), ['x', 'm']);
    assert.equal((parsed.attrs.m as Record<string, unknown>).y, 2);
  });

  test('§7 snapshot: an enumerable property on Object.prototype is not an attribute', () => {
    // A polluted prototype must not turn into attributes (or fail them): only own keys count.
    Object.defineProperty(Object.prototype, 'polluted', { value: null, enumerable: true, configurable: true, writable: true });
    try {
      const parsed = parseSnapshot(node('r', { attrs: { x: 1 } }));
      assert.deepEqual(Object.keys(parsed.attrs), ['x']);
      assert.equal(new Tree(node('r', { attrs: { x: 1 } }) as unknown as NodeSnapshot).size, 1);
    } finally {
      delete (Object.prototype as Record<string, unknown>).polluted;
    }
  });

  test('§7 ops: the op kind, the field, and the value it holds instead', () => {
    throwsNaming(() => parseOps(null), 'TREE_BAD_OP', [/\bops must be an array\b/, /\bgot null\b/]);
    throwsNaming(() => parseOps({}), 'TREE_BAD_OP', [/\bgot Object\b/]);
    op('x', [/\bop must be an array\b/, /\bgot "x"/]);
    op([4, 'a'], [/\bunknown op code 4\b/]);
    op(['0', 'a', {}], [/\bunknown op code "0"/]);
    op([0, 'a'], [/\bset op must have 3 elements, got 2\b/]);
    op([1, 'a', 0], [/\binsert op must have 4 elements, got 3\b/]);
    op([2, 'a', 'b'], [/\bremove op must have 2 elements, got 3\b/]);
    op([3, 'a', 'b'], [/\bmove op must have 4 elements, got 3\b/]);
    op([0, 5, {}], [/\bset id must be a string\b/, /\bgot 5\b/]);
    op([0, 'a', []], [/\bset "a": set attrs must be a map\b/, /\bgot array\b/]);
    op([0, 'a', { v: [null] }], [/\bset "a": attrs\.v: \[0\]: null\b/]);
    op([1, '', 0, node('n')], [/\binsert parent id must not be empty\b/]);
    op([1, 'a', -1, node('n')], [/\binsert index must be a non-negative integer\b/, /\bgot -1\b/]);
    op([1, 'a', '0', node('n')], [/\binsert index\b/, /\bgot "0"/]);
    op([1, 'a', 0, node('n', { attrs: { v: null } })], [/\bnode "n": attrs\.v: null\b/]);
    op([2, 3], [/\bremove id must be a string\b/, /\bgot 3\b/]);
    op([3, null, 'b', 0], [/\bmove id must be a string\b/, /\bgot null\b/]);
    op([3, 'a', null, 0], [/\bmove parent id must be a string\b/]);
    op([3, 'a', 'b', 1.5], [/\bmove index must be a non-negative integer\b/, /\bgot 1\.5\b/]);
    op([3, 'a', 'b', 2 ** 53], [/\bmove index\b/, /\bgot 9007199254740992\b/]);
  });

  test('§7 ops: the op count and node count caps are named and hold exactly at their value', () => {
    const two: unknown[] = [
      [2, 'a'],
      [2, 'b'],
    ];
    assert.equal(parseOps(two, { maxOps: 2 }).length, 2);
    throwsNaming(() => parseOps(two, { maxOps: 1 }), 'TREE_BAD_OP', [/\bmore than 1 ops\b/]);
    const inserts = [
      [1, 'a', 0, node('n')],
      [1, 'a', 0, node('m', { children: [node('o')] })],
    ];
    assert.equal(parseOps(inserts, { maxNodes: 3 }).length, 2);
    const err = throwsNaming(() => parseOps(inserts, { maxNodes: 2 }), 'TREE_BAD_OP', [/^op 1: /, /\bmore than 2 nodes\b/]);
    assert.equal(err.opIndex, 1);
  });

  test('§7 ops: an error that is not a TreeError passes through unchanged', () => {
    const boom = new Error('boom');
    const trap = new Proxy([2, 'a'], {
      get(target, key, receiver) {
        if (key === '0') throw boom;
        return Reflect.get(target, key, receiver) as unknown;
      },
    });
    assert.throws(
      () => parseOps([trap]),
      (e: unknown) => e === boom,
    );
  });

  test('§7 limits: each override must be a positive integer, maxDepth at most MAX_TREE_DEPTH', () => {
    for (const [key, v] of [
      ['maxNodes', 0],
      ['maxOps', 1.5],
      ['maxKeyBytes', -1],
      ['maxIdBytes', Number.NaN],
    ] as const) {
      assert.throws(
        () => parseSnapshot(node('r'), { [key]: v }),
        (e: unknown) => e instanceof RangeError && new RegExp(`\\btree limit ${key}\\b`).test(e.message) && e.message.includes(`got ${String(v)}`),
      );
    }
    assert.throws(() => parseOps([], { maxValueDepth: 2 ** 53 }), /\btree limit maxValueDepth\b/);
    assert.equal(parseSnapshot(chain(2), { maxDepth: 256, maxNodes: 1 + 1 }).children.length, 1);
    assert.throws(() => parseSnapshot(chain(3), { maxDepth: 257 }), /\btree limit maxDepth must be ≤ 256\b/);
  });
});
