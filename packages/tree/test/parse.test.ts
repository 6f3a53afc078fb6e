import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Buffer } from 'node:buffer';
import { countNodes, parseOps, parseSnapshot, Tree, TreeError, type NodeSnapshot } from '../src/index.ts';

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
