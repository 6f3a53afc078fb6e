import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Packr, Unpackr } from 'msgpackr';
import { Tree, TreeError, toColumns, COLUMNS_VERSION } from '../src/index.ts';
import type { AttrValue, NodeSnapshot, SnapshotColumns } from '../src/index.ts';
import { forSeeds } from '@tidewire/random';
import { counterIds, randomSnapshot } from '../src/testing.ts';
import { throwsNaming } from './helpers.ts';

const packr = new Packr({ useRecords: true, moreTypes: false });
const unpackr = new Unpackr({ useRecords: true, moreTypes: false });
const pack = (values: AttrValue[]) => packr.pack(values);
const unpack = (bytes: Uint8Array) => unpackr.unpack(bytes);

/** Binary decodes as Buffer in Node (a Uint8Array subclass): compare contents, not classes. */
// (The replacer reads this[key]: JSON.stringify has already applied Buffer's toJSON to `value`.)
const plain = (x: unknown): unknown =>
  JSON.parse(
    JSON.stringify(x, function (this: Record<string, unknown>, key: string, value: unknown) {
      const raw = this[key];
      return raw instanceof Uint8Array ? { bin: [...raw] } : value;
    }),
  );

const SMALL: NodeSnapshot = {
  id: 'r',
  type: 'project',
  attrs: { name: 'set', tempo: 120 },
  children: [
    { id: 'a', type: 'track', attrs: { name: 'Kick', mute: false }, children: [{ id: 'a/c', type: 'clip', attrs: { name: 'Intro', len: 4 }, children: [] }] },
    { id: 'b', type: 'track', attrs: { name: 'Bass', mute: true }, children: [] },
  ],
};

/** Columns of SMALL, with a change applied to a copy. */
function cols(change: (c: SnapshotColumns & Record<string, unknown>) => void = () => {}): unknown {
  const c = toColumns(new Tree(SMALL), pack) as SnapshotColumns & Record<string, unknown>;
  change(c);
  return c;
}

const u16 = (...xs: number[]) => new Uint8Array(new Uint16Array(xs).buffer);
const u32 = (...xs: number[]) => new Uint8Array(new Uint32Array(xs).buffer);

function rejects(value: unknown, code: string = 'TREE_BAD_SNAPSHOT'): void {
  assert.throws(
    () => Tree.fromColumns(value, unpack),
    (e: unknown) => e instanceof TreeError && e.code === code,
  );
}

describe('§9 columnar snapshots', () => {
  test('encodes SMALL in preorder with little-endian integer columns', () => {
    const c = toColumns(new Tree(SMALL), pack);
    assert.equal(c.v, COLUMNS_VERSION);
    assert.equal(c.ids, 'raa/cb');
    assert.deepEqual([...c.idLengths], [1, 0, 1, 0, 3, 0, 1, 0]); // u16 LE: 1, 1, 3, 1
    assert.deepEqual(c.types, ['project', 'track', 'clip']);
    assert.deepEqual([...c.typeOf], [0, 0, 1, 0, 2, 0, 1, 0]);
    assert.deepEqual([...c.childCounts], [2, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    assert.deepEqual(c.shapes, [
      ['name', 'tempo'],
      ['name', 'mute'],
      ['name', 'len'],
    ]);
  });

  test('round-trips random trees: same snapshot, same root hash', () => {
    forSeeds(40, (rng) => {
      const seed = rng.seed;
      const tree = new Tree(randomSnapshot(rng, 1 + rng.int(400), counterIds('n'), 6));
      const decoded = Tree.fromColumns(unpackr.unpack(packr.pack(toColumns(tree, pack))), unpack);
      assert.equal(decoded.size, tree.size, `seed ${seed}`);
      assert.equal(decoded.rootHash, tree.rootHash, `seed ${seed}`);
      assert.deepEqual(plain(decoded.toSnapshot()), plain(tree.toSnapshot()), `seed ${seed}`);
    });
  });

  test('decodes attribute values only when a node attrs are first read', () => {
    let calls = 0;
    const counting = (b: Uint8Array) => {
      calls++;
      return unpack(b);
    };
    const tree = Tree.fromColumns(cols(), counting);
    assert.equal(calls, 0);
    assert.equal(tree.get('a/c')!.attrs.name, 'Intro');
    assert.equal(calls, 1);
    assert.equal(tree.get('a/c')!.attrs.len, 4);
    assert.equal(calls, 1, 'materialised once');
    // Ops work on lazy nodes: a set merges into the materialised attrs.
    tree.apply([0, 'b', { mute: false, solo: true }]);
    assert.deepEqual(tree.get('b')!.attrs, { name: 'Bass', mute: false, solo: true });
  });

  test('rejects malformed structure with TREE_BAD_SNAPSHOT', () => {
    rejects('columns');
    rejects(cols((c) => (c.v = 2)));
    rejects(cols((c) => ((c as Record<string, unknown>).ids = 5)));
    rejects(cols((c) => ((c as Record<string, unknown>).idLengths = [1, 1, 3, 1])));
    rejects(
      cols((c) => (c.idLengths = u16(1, 1, 3))),
      'TREE_BAD_SNAPSHOT',
    ); // typeOf etc. no longer match
    rejects(cols((c) => (c.idLengths = u16(1, 0, 4, 1)))); // an empty id
    rejects(cols((c) => (c.idLengths = u16(1, 1, 3, 2)))); // runs past the ids column
    rejects(cols((c) => (c.ids += 'x'))); // bytes after the last id
    rejects(cols((c) => (c.typeOf = u16(0, 1, 3, 1)))); // type index out of range
    rejects(cols((c) => (c.types = ['project', '', 'clip'])));
    rejects(
      cols(
        (c) =>
          (c.shapes = [
            ['name', 'name'],
            ['name', 'mute'],
            ['name', 'len'],
          ]),
      ),
    );
    rejects(
      cols(
        (c) =>
          (c.shapes = [
            ['__proto__', 'tempo'],
            ['name', 'mute'],
            ['name', 'len'],
          ]),
      ),
    );
    rejects(
      cols(
        (c) =>
          ((c as Record<string, unknown>).shapes = [
            [1, 'tempo'],
            ['name', 'mute'],
            ['name', 'len'],
          ]),
      ),
    );
    rejects(cols((c) => (c.shapeOf = u16(0, 1, 2, 3))));
    rejects(cols((c) => (c.valueEnds = u32(5, 4, 100, 200)))); // out of order
    rejects(cols((c) => (c.valueEnds = u32(1, 2, 3, c.values.length + 1)))); // past the values column
    rejects(cols((c) => (c.values = new Uint8Array([...c.values, 0])))); // trailing value bytes
    rejects(cols((c) => (c.childCounts = u32(2, 1, 0, 1)))); // the last node is owed a child
    rejects(cols((c) => (c.childCounts = u32(1, 1, 0, 0)))); // a node after the tree is complete
  });

  test('rejects duplicate ids and too-deep trees with their codes', () => {
    rejects(
      cols((c) => ((c.ids = 'raa/ca'), (c.idLengths = u16(1, 1, 3, 1)))),
      'TREE_DUPLICATE_ID',
    );
    let deep: NodeSnapshot = { id: 'x299', type: 't', attrs: {}, children: [] };
    for (let i = 298; i >= 0; i--) deep = { id: `x${i}`, type: 't', attrs: {}, children: [deep] };
    // toColumns only reads, so it can encode a tree deeper than a Tree may hold.
    const tooDeep = toColumns({ root: deep, size: 300 }, pack);
    rejects(tooDeep, 'TREE_TOO_DEEP');
  });

  test('rejects bad attribute values when they are read', () => {
    const badValues = (values: unknown) =>
      cols((c) => {
        const v = packr.pack(values);
        // Replace node 3 ('b', the last) values with `values`.
        const ends = new DataView(c.valueEnds.buffer, c.valueEnds.byteOffset, c.valueEnds.byteLength);
        const start = ends.getUint32(8, true);
        c.values = new Uint8Array([...c.values.subarray(0, start), ...v]);
        c.valueEnds = u32(ends.getUint32(0, true), ends.getUint32(4, true), start, start + v.length);
      });
    for (const values of [['Bass'], ['Bass', null], 'Bass', ['Bass', new Date(0)]]) {
      const tree = Tree.fromColumns(badValues(values), unpack);
      assert.equal(tree.get('a')!.attrs.name, 'Kick', 'other nodes are unaffected');
      assert.throws(() => tree.get('b')!.attrs, { code: 'TREE_BAD_SNAPSHOT' }, JSON.stringify(values));
    }
    const undecodable = Tree.fromColumns(
      cols((c) => (c.values = c.values.map((b, i) => (i >= c.values.length - 3 ? 0xc1 : b)))),
      unpack,
    );
    assert.throws(() => undecodable.toSnapshot(), { code: 'TREE_BAD_SNAPSHOT' });
  });

  test('fuzz: flipped bytes in any column give TreeError or a valid tree, never another exception', () => {
    forSeeds(300, (rng) => {
      const seed = rng.seed;
      const c = toColumns(new Tree(randomSnapshot(rng, 1 + rng.int(60), counterIds('f'), 4)), pack) as unknown as Record<string, Uint8Array | string>;
      const keys = ['idLengths', 'typeOf', 'childCounts', 'shapeOf', 'valueEnds', 'values'];
      const key = keys[rng.int(keys.length)]!;
      const col = new Uint8Array(c[key] as Uint8Array);
      if (col.length > 0) col[rng.int(col.length)] ^= 1 << rng.int(8);
      c[key] = col;
      try {
        Tree.fromColumns(c, unpack).toSnapshot();
      } catch (err) {
        if (!(err instanceof TreeError)) assert.fail(`seed ${seed}: ${(err as Error).stack}`);
      }
    });
  });
});

describe('§9 columnar errors name the column, the row and the value', () => {
  const bad = (value: unknown, names: RegExp[], code = 'TREE_BAD_SNAPSHOT') => throwsNaming(() => Tree.fromColumns(value, unpack), code, names);
  const withKey = (key: string, v: unknown) => cols((c) => ((c as Record<string, unknown>)[key] = v));

  test('§9 the map, its version and every column’s type', () => {
    bad('columns', [/^columnar snapshot: /, /\bmust be a map, got "columns"/]);
    bad(withKey('v', 2), [/\bversion 2 is not 1\b/]);
    bad(withKey('ids', 5), [/\bids must be a string, got 5\b/]);
    bad(withKey('idLengths', [1, 1, 3, 1]), [/\bidLengths must be binary, got array\b/]);
    bad(withKey('childCounts', 'x'), [/\bchildCounts must be binary, got "x"/]);
    bad(withKey('values', [1]), [/\bvalues must be binary, got array\b/]);
    bad(withKey('types', 'x'), [/\btypes must be an array, got "x"/]);
    bad(withKey('types', ['project', '', 'clip']), [/\btype 1 must not be empty\b/]);
    bad(withKey('shapes', {}), [/\bshapes must be an array, got Object\b/]);
    bad(withKey('shapes', ['name', ['name', 'mute'], ['name', 'len']]), [/\bshape 0 must be an array of attribute names\b/]);
    bad(
      withKey('shapes', [
        ['name', 1],
        ['name', 'mute'],
        ['name', 'len'],
      ]),
      [/\bshape 0 has a non-string attribute name\b/],
    );
    bad(withKey('shapes', [['name', 'tempo'], ['__proto__'], ['name', 'len']]), [/\bshape 1: attribute name "__proto__"/]);
    bad(
      withKey('shapes', [
        ['name', 'tempo'],
        ['name', 'mute'],
        ['len', 'len'],
      ]),
      [/\bshape 2 names attribute "len" twice\b/],
    );
  });

  test('§9 column lengths: n rows of their width, and n ≥ 1', () => {
    bad(withKey('idLengths', new Uint8Array(3)), [/\bidLengths holds 3 bytes, expected a multiple of 2\b/]);
    bad(withKey('typeOf', u16(0, 1, 2)), [/\btypeOf holds 6 bytes, expected 8\b/]);
    bad(withKey('childCounts', u32(2, 0, 1)), [/\bchildCounts holds 12 bytes, expected 16\b/]);
    bad(withKey('valueEnds', u32(1, 2, 3, 4, 5)), [/\bvalueEnds holds 20 bytes, expected 16\b/]);
    const empty = {
      v: 1,
      ids: '',
      idLengths: u16(),
      types: [],
      typeOf: u16(),
      childCounts: u32(),
      shapes: [],
      shapeOf: u16(),
      valueEnds: u32(),
      values: new Uint8Array(0),
    };
    bad(empty, [/\bhas no nodes\b/]);
  });

  test('§9 at most maxNodes rows: exactly 4,000,000 passes the count', () => {
    const rows = (n: number) => cols((c) => (c.idLengths = new Uint8Array(2 * n)));
    bad(rows(4_000_001), [/\bmore than 4000000 nodes\b/]);
    bad(rows(4_000_000), [/\btypeOf holds 8 bytes, expected 8000000\b/]); // past the count, the next check fails
  });

  test('§9 ids tile their column; each one at most 256 UTF-8 bytes', () => {
    bad(
      cols((c) => (c.idLengths = u16(1, 0, 4, 1))),
      [/\bid 1 runs past the ids column \(length 0 at 1 of 6\)/],
    );
    bad(
      cols((c) => (c.idLengths = u16(1, 1, 3, 2))),
      [/\bid 3 runs past the ids column \(length 2 at 5 of 6\)/],
    );
    bad(
      cols((c) => (c.ids += 'xy')),
      [/\bids column has 2 UTF-16 code units after the last id\b/],
    );
    const lone = (id: string): NodeSnapshot => ({ id, type: 't', attrs: {}, children: [] });
    // toColumns only reads, so it encodes an id no Tree would take.
    assert.equal(Tree.fromColumns(toColumns({ root: lone('é'.repeat(128)), size: 1 }, pack), unpack).root.id.length, 128);
    bad(toColumns({ root: lone('é'.repeat(128) + 'x'), size: 1 }, pack), [/\bnode id 0 exceeds 256 UTF-8 bytes\b/]);
  });

  test('§9 value ranges, type and shape indexes name the row and the value', () => {
    bad(
      cols((c) => (c.valueEnds = u32(5, 4, 100, 200))),
      [/\bvalueEnds\[1\] = 4 is out of order\b/],
    );
    const c0 = cols() as SnapshotColumns;
    const len = c0.values.length;
    const ends = new DataView(c0.valueEnds.buffer, c0.valueEnds.byteOffset);
    bad(
      cols((c) => (c.valueEnds = u32(ends.getUint32(0, true), ends.getUint32(4, true), ends.getUint32(8, true), len + 1))),
      [new RegExp(`\\bvalueEnds\\[3\\] = ${len + 1} is out of order or past ${len} bytes\\b`)],
    );
    bad(
      cols((c) => (c.values = new Uint8Array([...c.values, 0, 0]))),
      [/\bvalues column has 2 bytes after the last node's\b/],
    );
    bad(
      cols((c) => (c.typeOf = u16(0, 1, 3, 1))),
      [/\btypeOf\[2\] = 3, but there are 3 types\b/],
    );
    bad(
      cols((c) => (c.shapeOf = u16(0, 1, 2, 3))),
      [/\bshapeOf\[3\] = 3, but there are 3 shapes\b/],
    );
  });

  test('§9 a node without attributes may have an empty value range', () => {
    // valueEnds only has to not decrease: equal ends are an empty range, here for nodes without attributes.
    const packEmpty = (values: AttrValue[]) => (values.length === 0 ? new Uint8Array(0) : pack(values));
    const unpackEmpty = (bytes: Uint8Array) => (bytes.length === 0 ? [] : unpack(bytes));
    const snap: NodeSnapshot = {
      id: 'r',
      type: 't',
      attrs: {},
      children: [
        { id: 'a', type: 't', attrs: {}, children: [] },
        { id: 'b', type: 't', attrs: { x: 1 }, children: [] },
      ],
    };
    const tree = Tree.fromColumns(toColumns(new Tree(snap), packEmpty), unpackEmpty);
    assert.deepEqual(tree.toSnapshot(), snap);
  });

  test('§9 the child counts describe exactly one tree, at most 256 levels deep', () => {
    bad(
      cols((c) => (c.childCounts = u32(1, 1, 0, 0))),
      [/\bnode 3 \("b"\) comes after the whole tree is complete\b/],
    );
    bad(
      cols((c) => (c.childCounts = u32(2, 1, 0, 3))),
      [/\bnode "b" is owed 3 more children than the snapshot holds\b/],
    );
    bad(
      cols((c) => ((c.ids = 'raa/ca'), (c.idLengths = u16(1, 1, 3, 1)))),
      [/\bduplicate node id "a"/],
      'TREE_DUPLICATE_ID',
    );
    const chainOf = (levels: number): NodeSnapshot => {
      let deep: NodeSnapshot = { id: `x${levels - 1}`, type: 't', attrs: {}, children: [] };
      for (let i = levels - 2; i >= 0; i--) deep = { id: `x${i}`, type: 't', attrs: {}, children: [deep] };
      return deep;
    };
    assert.equal(Tree.fromColumns(toColumns({ root: chainOf(256), size: 256 }, pack), unpack).size, 256);
    bad(toColumns({ root: chainOf(257), size: 257 }, pack), [/\bnode "x256" would be at depth 257 > 256\b/], 'TREE_TOO_DEEP');
  });

  test('§9 attribute values that fail when read name the node and the attribute', () => {
    const badValues = (values: unknown) =>
      cols((c) => {
        const v = packr.pack(values);
        const ends = new DataView(c.valueEnds.buffer, c.valueEnds.byteOffset, c.valueEnds.byteLength);
        const start = ends.getUint32(8, true);
        c.values = new Uint8Array([...c.values.subarray(0, start), ...v]);
        c.valueEnds = u32(ends.getUint32(0, true), ends.getUint32(4, true), start, start + v.length);
      });
    const read = (values: unknown, names: RegExp[]) => {
      const tree = Tree.fromColumns(badValues(values), unpack);
      throwsNaming(() => tree.get('b')!.attrs, 'TREE_BAD_SNAPSHOT', [/^columnar snapshot: attributes of node "b"/, ...names]);
    };
    read(['Bass'], [/\bmust be an array of 2 values\b/]);
    read('ab', [/\bmust be an array of 2 values\b/]); // a string of the right length is still not an array
    read(['Bass', null], [/\bmute: null is not an attribute value\b/]);
    const undecodable = Tree.fromColumns(
      cols((c) => (c.values = c.values.map((b, i) => (i >= c.values.length - 3 ? 0xc1 : b)))),
      (bytes) => {
        if (bytes.includes(0xc1)) throw new Error('byte 0xc1 is reserved');
        return unpack(bytes) as unknown;
      },
    );
    throwsNaming(() => undecodable.get('b')!.attrs, 'TREE_BAD_SNAPSHOT', [/\bnode "b" do not decode: .*\b0xc1\b/]);
  });
});

describe('§9 toColumns', () => {
  test('§9 shapes with the same names joined differently stay apart', () => {
    const snap: NodeSnapshot = { id: 'r', type: 't', attrs: { ab: 1 }, children: [{ id: 'a', type: 't', attrs: { a: 2, b: 3 }, children: [] }] };
    const c = toColumns(new Tree(snap), pack);
    assert.deepEqual(c.shapes, [['ab'], ['a', 'b']]);
    assert.deepEqual(Tree.fromColumns(c, unpack).toSnapshot(), snap);
  });

  test('§9 a size smaller than the tree is a RangeError naming tree.size', () => {
    assert.throws(() => toColumns({ root: SMALL, size: 3 }, pack), /\btree\.size is smaller than the tree\b/);
  });

  test('§9 at most 65,535 node types and attribute shapes (u16 indexes)', () => {
    const none = () => new Uint8Array(0);
    const flat = (n: number, child: (i: number) => NodeSnapshot) => ({
      root: { id: 'r', type: 'root', attrs: {}, children: Array.from({ length: n }, (_, i) => child(i)) },
      size: n + 1,
    });
    // The root's type and shape ([]) count too: 65,534 children with their own type or shape make 65,535.
    const types = (n: number) => flat(n, (i) => ({ id: `n${i}`, type: `t${i}`, attrs: {}, children: [] }));
    const shapes = (n: number) => flat(n, (i) => ({ id: `n${i}`, type: 't', attrs: { [`k${i}`]: 1 }, children: [] }));
    assert.equal(toColumns(types(0xfffe), none).types.length, 0xffff);
    assert.throws(() => toColumns(types(0xffff), none), /\bmore than 65,535 node types or attribute shapes\b/);
    assert.equal(toColumns(shapes(0xfffe), none).shapes.length, 0xffff);
    assert.throws(() => toColumns(shapes(0xffff), none), /\b65,535\b/);
  });
});
